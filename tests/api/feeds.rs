//! Atom, JSON Feed and the sitemap: valid documents with absolute links,
//! per tag, cached with strong `ETag`s and made again after a change; the
//! sitemap split into an index past its file size.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cache_writes::create;
use crate::helpers::{spawn_app, spawn_app_with, TestApp};

async fn body(app: &TestApp, path: &str) -> (String, String) {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let content_type = res.headers()["content-type"].to_str().unwrap().to_string();
    (content_type, res.text().await.unwrap())
}

/// Every `<tag>…</tag>` text of an XML document, in order.
fn texts(xml: &str, tag: &str) -> Vec<String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut inside, mut found) = (false, Vec::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            quick_xml::events::Event::Start(e) => inside = e.name().as_ref() == tag.as_bytes(),
            quick_xml::events::Event::Text(t) if inside => {
                found.push(t.decode().unwrap().into_owned());
                inside = false;
            }
            quick_xml::events::Event::Eof => return found,
            _ => {}
        }
    }
}

#[tokio::test]
async fn the_feeds_show_the_newest_public_articles_with_absolute_links() {
    let app = spawn_app().await;
    let public = app.get_ok("/api/v1/articles?per_page=100").await["meta"]["total"]
        .as_i64()
        .unwrap();
    let (content_type, atom) = body(&app, "/api/v1/feed.atom").await;
    assert_eq!(content_type, "application/atom+xml");
    let feed = atom_syndication::Feed::read_from(atom.as_bytes()).expect("an Atom feed");
    assert_eq!(feed.entries().len() as i64, public);
    assert!(feed.links().iter().any(|l| l.rel() == "self"));
    let first = &feed.entries()[0];
    assert!(
        first.id().starts_with("http://127.0.0.1:"),
        "{}",
        first.id()
    );
    assert!(first.published().is_some() && !first.authors().is_empty());
    assert_eq!(first.content().unwrap().content_type(), Some("html"));

    let (content_type, json) = body(&app, "/api/v1/feed.json").await;
    assert_eq!(content_type, "application/feed+json");
    let feed: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(feed["version"], "https://jsonfeed.org/version/1.1");
    let items = feed["items"].as_array().unwrap();
    assert_eq!(items.len() as i64, public);
    for item in items {
        assert!(item["id"].as_str().unwrap().starts_with("http"));
        assert!(item["content_html"].as_str().is_some_and(|h| !h.is_empty()));
        assert!(item["date_published"].is_string());
    }

    // One tag's feed; a tag nobody has is 404, a malformed one 400.
    let tagged: Value =
        serde_json::from_str(&body(&app, "/api/v1/feed.json?tag=posture").await.1).unwrap();
    let tagged_items = tagged["items"].as_array().unwrap();
    assert!(!tagged_items.is_empty() && tagged_items.len() < items.len());
    assert!(tagged_items
        .iter()
        .all(|i| i["tags"].to_string().contains("Posture")));
    assert_eq!(
        app.get("/api/v1/feed.atom?tag=nobody").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        app.get("/api/v1/feed.json?tag=Not%20a%20slug")
            .await
            .status(),
        StatusCode::BAD_REQUEST
    );
}

#[tokio::test]
async fn front_end_paths_and_cover_images_are_absolute() {
    let app = spawn_app_with(&[("PUBLIC_URL", "https://cms.example-clinic.test/")]).await;
    let token = app.admin_token().await;
    let (_, etag) = app.get_item("/api/v1/admin/site", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/site",
            &token,
            &etag,
            &json!({"base_url": "https://www.example-clinic.test", "article_path": "/blog/{slug}", "tag_path": "/topics/{slug}"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let upload = app
        .upload(
            &token,
            "cover.png",
            crate::images::png_with_alpha(800, 400),
            &[("alt", "A cover")],
        )
        .await;
    let cover = upload.json::<Value>().await.unwrap()["data"]["id"]
        .as_i64()
        .unwrap();
    let (_, etag) = app.get_item("/api/v1/admin/articles/1", &token).await;
    let body_md = format!("Covered.\n\n![Chart](media:{cover})");
    let res = app
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"cover": cover, "body": {"markdown": body_md}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let feed: Value = serde_json::from_str(&body(&app, "/api/v1/feed.json").await.1).unwrap();
    assert_eq!(feed["home_page_url"], "https://www.example-clinic.test/");
    assert_eq!(
        feed["feed_url"],
        "https://cms.example-clinic.test/api/v1/feed.json"
    );
    let item = &feed["items"][0];
    assert_eq!(
        item["url"],
        "https://www.example-clinic.test/blog/massage-benefits-for-back-pain-and-posture"
    );
    assert!(item["image"]
        .as_str()
        .unwrap()
        .starts_with("https://cms.example-clinic.test/media/"));
    let html = item["content_html"].as_str().unwrap();
    assert!(
        html.contains("src=\"https://cms.example-clinic.test/media/"),
        "{html}"
    );
    assert!(!html.contains("\"/media/"), "no relative image URL is left");

    let (content_type, xml) = body(&app, "/api/v1/sitemap.xml").await;
    assert_eq!(content_type, "application/xml");
    let locs = texts(&xml, "loc");
    assert!(locs.contains(&"https://www.example-clinic.test/topics/posture".to_string()));
    assert!(locs.contains(
        &"https://www.example-clinic.test/blog/massage-benefits-for-back-pain-and-posture"
            .to_string()
    ));
    assert_eq!(texts(&xml, "lastmod").len(), locs.len());
}

#[tokio::test]
async fn feeds_and_sitemap_are_cached_and_made_again_after_a_change() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for path in [
        "/api/v1/feed.atom",
        "/api/v1/feed.json",
        "/api/v1/sitemap.xml",
    ] {
        let first = app.get(path).await;
        let etag = first.headers()["etag"].clone();
        assert!(!etag.to_str().unwrap().starts_with("W/"), "a strong ETag");
        let second = app.get(path).await;
        assert_eq!(second.headers()["x-cache"], "HIT", "{path}");
        let revalidated = app
            .client
            .get(app.url(path))
            .header("If-None-Match", etag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED, "{path}");
    }
    let (_, etag) = app.get_item("/api/v1/admin/articles/1", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"title": "Retitled for the feed", "slug": "retitled"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(body(&app, "/api/v1/feed.atom")
        .await
        .1
        .contains("Retitled for the feed"));
    assert!(body(&app, "/api/v1/feed.json")
        .await
        .1
        .contains("Retitled for the feed"));
    assert!(body(&app, "/api/v1/sitemap.xml")
        .await
        .1
        .contains("/api/v1/articles/retitled<"));
}

#[tokio::test]
async fn a_sitemap_past_its_file_size_becomes_an_index_of_files() {
    let app = spawn_app_with(&[("SITEMAP_URLS_PER_FILE", "2")]).await;
    let public = app.get_ok("/api/v1/articles").await["meta"]["total"]
        .as_i64()
        .unwrap();
    let (_, index) = body(&app, "/api/v1/sitemap.xml").await;
    assert!(index.contains("<sitemapindex"), "{index}");
    let files = texts(&index, "loc");
    // No tag pages configured: no file for them (a file is never empty).
    assert_eq!(files.len() as i64, (public + 1) / 2);
    let mut articles = Vec::new();
    for file in &files {
        let path = file.split_once("127.0.0.1:").unwrap().1;
        let path = &path[path.find('/').unwrap()..];
        let (_, xml) = body(&app, path).await;
        assert!(xml.contains("<urlset"));
        let urls = texts(&xml, "loc");
        assert!(!urls.is_empty(), "{path} is empty");
        articles.extend(urls);
    }
    assert_eq!(articles.len() as i64, public, "every article once");
    let past = format!("/api/v1/sitemap-{}.xml", files.len() + 1);
    for missing in [past.as_str(), "/api/v1/sitemap-0.xml"] {
        assert_eq!(app.get(missing).await.status(), StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn the_tag_pages_file_holds_at_most_one_file_of_urls() {
    let app = spawn_app_with(&[("SITEMAP_URLS_PER_FILE", "2")]).await;
    let token = app.admin_token().await;
    app.patch_ok(
        "/api/v1/admin/site",
        &token,
        &json!({"base_url": "https://www.example-clinic.test", "tag_path": "/topics/{slug}"}),
    )
    .await;
    let mut slugs = Vec::new();
    for n in 0..4 {
        let tag = json!({"name": format!("Topic {n}"), "slug": format!("topic-{n}")});
        create(&app, &token, "/api/v1/admin/tags", tag).await;
        slugs.push(format!("topic-{n}"));
    }
    app.patch_ok("/api/v1/admin/articles/1", &token, &json!({"tags": slugs}))
        .await;
    let (_, index) = body(&app, "/api/v1/sitemap.xml").await;
    assert!(
        texts(&index, "loc")[0].ends_with("/api/v1/sitemap-0.xml"),
        "{index}"
    );
    let (_, tags) = body(&app, "/api/v1/sitemap-0.xml").await;
    let urls = texts(&tags, "loc");
    // More public tags than a file holds (the sample's and four more): the first file's worth, by slug.
    assert_eq!(urls.len(), 2, "{tags}");
    assert!(urls[0] < urls[1] && urls[0].starts_with("https://www.example-clinic.test/topics/"));
}
