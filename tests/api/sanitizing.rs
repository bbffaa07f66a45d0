//! Untrusted Markdown loses every script, handler and dangerous URL on the way in.

use serde_json::json;

use crate::helpers::{article, content_file, spawn_app_with_content};

const HOSTILE: &str = r#"Intro with <script>alert('x')</script> inline.

<script>document.cookie</script>

<img src="x.png" onerror="alert(1)">

<a href="javascript:alert(1)" onclick="steal()">click</a> and [md link](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)

<iframe src="https://evil.example"></iframe>

![pixel](javascript:alert(3))

[fine](https://example.com/ok)
"#;

#[tokio::test]
async fn scripts_handlers_and_javascript_urls_never_reach_readers() {
    let mut hostile = article("hostile", "Hostile", HOSTILE);
    hostile["faqs"] = json!([{"question": "Q?", "answer": "<script>x()</script>\n\n[a](javascript:y()) <b onmouseover=\"z()\">b</b>"}]);
    let app = spawn_app_with_content(&content_file(vec![hostile])).await;
    let article = app.get_article("hostile").await;
    let html = article["body"]["html"].as_str().unwrap();
    let blocks = article["body"]["blocks"].to_string();
    let faq_html = article["faqs"][0]["answer"]["html"].as_str().unwrap();
    for rendered in [html, blocks.as_str(), faq_html] {
        let lower = rendered.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:text",
            "<iframe",
            "alert(1)",
            "onmouseover",
        ] {
            assert!(!lower.contains(bad), "{bad} survived in {rendered}");
        }
    }
    assert!(html.contains(r#"href="https://example.com/ok""#), "{html}");
    assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    // The author's Markdown is kept as written, for editing; only the output is cleaned.
    assert!(article["body"]["markdown"]
        .as_str()
        .unwrap()
        .contains("<script>"));
}

const SCRIPT: &str = "Hi </script><script>alert(1)</script> & <!-- \u{2028} \u{2029} end";

/// The raw text of `data.json_ld`, exactly as the server sent it.
async fn raw_json_ld(app: &crate::helpers::TestApp, slug: &str) -> String {
    #[derive(serde::Deserialize)]
    struct Data {
        json_ld: Box<serde_json::value::RawValue>,
    }
    #[derive(serde::Deserialize)]
    struct Item {
        data: Data,
    }
    let res = app.get(&format!("/api/v1/articles/{slug}")).await;
    assert_eq!(res.status(), reqwest::StatusCode::OK);
    let bytes = res.bytes().await.unwrap();
    let item: Item = serde_json::from_slice(&bytes).unwrap();
    item.data.json_ld.get().to_string()
}

#[tokio::test]
async fn json_ld_can_sit_inside_a_script_element_whatever_editors_write() {
    use reqwest::StatusCode;
    let app = crate::helpers::spawn_app().await;
    let admin = app.admin_token().await;
    // Every string that reaches json_ld, hostile: the site's name, a tag, the
    // byline, the title, the description, the canonical URL, a FAQ question.
    let (_, etag) = app.get_item("/api/v1/admin/site", &admin).await;
    let res = app
        .patch(
            "/api/v1/admin/site",
            &admin,
            &etag,
            &json!({"name": SCRIPT}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(
            "/api/v1/admin/tags",
            &admin,
            &json!({"name": SCRIPT, "slug": "hostile-tag"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .post(
            "/api/v1/admin/users",
            &admin,
            &json!({"email": "hostile@clinic.test", "name": SCRIPT, "password": crate::helpers::PASSWORD, "role": "editor"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let editor = app
        .login_ok("hostile@clinic.test", crate::helpers::PASSWORD)
        .await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let canonical = "https://clinic.example/a?b=</script><script>alert(2)</script>&c=1";
    let (id, _) = app
        .create_article(
            &editor,
            &json!({
                "title": SCRIPT, "excerpt": SCRIPT, "tags": ["hostile-tag"],
                "seo": {"canonical_url": canonical},
                "status": "published",
            }),
        )
        .await;
    let (article, _) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &admin)
        .await;
    let slug = article["data"]["slug"].as_str().unwrap().to_string();
    let res = app
        .post(
            "/api/v1/admin/faqs",
            &admin,
            &json!({"question": SCRIPT, "answer": {"markdown": "An <b>answer</b> & more"}, "article": slug}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);

    let raw = raw_json_ld(&app, &slug).await;
    for bad in ['<', '>', '&', '\u{2028}', '\u{2029}'] {
        assert!(!raw.contains(bad), "{bad:?} in json_ld: {raw}");
    }
    // Escaped, not lost: the value reads back as written.
    let ld: serde_json::Value = serde_json::from_str(&raw).unwrap();
    let graph = &ld["@graph"];
    assert_eq!(graph[0]["@type"], "Article");
    assert_eq!(graph[0]["headline"], SCRIPT);
    assert_eq!(graph[0]["description"], SCRIPT);
    assert_eq!(graph[0]["author"][0]["name"], SCRIPT);
    assert_eq!(graph[0]["publisher"]["name"], SCRIPT);
    assert_eq!(graph[0]["keywords"][0], SCRIPT);
    // Stored percent-encoded (an editor's URL cannot break an attribute).
    assert_eq!(
        graph[0]["mainEntityOfPage"],
        canonical.replace('<', "%3C").replace('>', "%3E")
    );
    assert_eq!(graph[2]["@type"], "FAQPage");
    assert_eq!(graph[2]["mainEntity"][0]["name"], SCRIPT);
    assert!(graph[2]["mainEntity"][0]["acceptedAnswer"]["text"]
        .as_str()
        .unwrap()
        .contains("<b>answer</b>"));
    // A hostile site name reaches every article, the sample's included.
    let sample = raw_json_ld(&app, crate::helpers::SAMPLE_SLUG).await;
    assert!(!sample.contains('<') && sample.contains("\\u003c/script\\u003e"));
}

#[tokio::test]
async fn code_block_languages_are_plain_tokens() {
    let body = "```\"><img src=x onerror=alert(1)>\nx\n```\n\n```c++ {.numbered}\ny\n```\n";
    let app = spawn_app_with_content(&content_file(vec![article("code", "Code", body)])).await;
    let blocks = app.get_article("code").await["body"]["blocks"].clone();
    assert_eq!(blocks[0]["type"], "code");
    assert!(blocks[0].get("language").is_none(), "{blocks}");
    assert_eq!(blocks[0]["code"], "x\n");
    assert_eq!(blocks[1]["language"], "c++");
}

#[tokio::test]
async fn bodies_made_by_an_older_renderer_are_rendered_again_at_start() {
    use diesel::RunQueryDsl;
    let body = "```rust\nfn main() {}\n```\n";
    let app = spawn_app_with_content(&content_file(vec![article("old", "Old", body)])).await;
    let url = app.database_url.clone();
    app.stop().await;
    // What an earlier version stored: a language that is not a token, and
    // its own renderer version.
    let stale =
        r#"[{"type":"code","language":"\"><script>alert(1)</script>","code":"fn main() {}\n"}]"#;
    let parsed = clinic_cms::config::DatabaseUrl::parse(&url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&parsed, std::time::Duration::from_secs(5)).unwrap();
    for statement in [
        format!(
            "UPDATE articles SET body_blocks = '{}' WHERE slug = 'old'",
            stale.replace('\'', "''")
        ),
        "DELETE FROM article_documents".to_string(),
        "UPDATE app_meta SET value = '1' WHERE key = 'render_version'".to_string(),
    ] {
        diesel::sql_query(statement).execute(&mut conn).unwrap();
    }
    drop(conn);
    let again = crate::helpers::spawn_app_with(&[("DATABASE_URL", &url)]).await;
    let blocks = again.get_article("old").await["body"]["blocks"].clone();
    assert_eq!(blocks[0]["language"], "rust", "{blocks}");
}

#[tokio::test]
async fn urls_editors_give_are_web_urls_with_nothing_that_breaks_an_attribute() {
    use reqwest::StatusCode;
    let app = crate::helpers::spawn_app().await;
    let token = app.admin_token().await;
    for bad in [
        "https://",
        "https:// x y",
        "https://x.example/\n<script>",
        "javascript:alert(1)",
        "ftp://x.example/",
    ] {
        let res = app
            .post(
                "/api/v1/admin/articles",
                &token,
                &json!({"title": "URL", "seo": {"canonical_url": bad}}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "{bad:?}");
    }
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "URL", "seo": {"canonical_url": "https://x.example/\"onmouseover=\"alert(1)"}}),
        )
        .await;
    let (article, _) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &token)
        .await;
    assert_eq!(
        article["data"]["seo"]["canonical_url"],
        "https://x.example/%22onmouseover=%22alert(1)"
    );
    let (_, etag) = app.get_item("/api/v1/admin/site", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/site",
            &token,
            &etag,
            &json!({"base_url": "https://x.example/\"><script>alert(1)</script>"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let site: serde_json::Value = res.json().await.unwrap();
    assert_eq!(
        site["data"]["base_url"],
        "https://x.example/%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    );
}
