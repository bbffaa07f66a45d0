//! Preview links: a draft shown to the holder of its token as it would be
//! published, never cached, scoped to one article, revocable.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};
use crate::images::png_with_alpha;

async fn mint(app: &TestApp, token: &str, id: i64, body: Value) -> Value {
    let res = app
        .post(
            &format!("/api/v1/admin/articles/{id}/preview"),
            token,
            &body,
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    res.json::<Value>().await.unwrap()["data"].take()
}

async fn revoke(app: &TestApp, token: &str, id: i64, link: &Value) {
    let res = app
        .post(
            &format!(
                "/api/v1/admin/articles/{id}/previews/{}/revoke",
                link["id"].as_str().unwrap()
            ),
            token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

async fn preview(app: &TestApp, id: i64, token: &str) -> reqwest::Response {
    app.client
        .get(app.url(&format!("/api/v1/preview/articles/{id}")))
        .header("Authorization", format!("Preview {token}"))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_draft_is_previewed_as_it_would_be_published_and_never_cached() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (author_id, author) = app.user_with_role("author").await;
    let _ = author_id;
    let (id, _) = app
        .create_article(
            &author,
            &json!({"title": "Secret draft", "body": {"markdown": "Not *yet*."},
                    "tags": ["posture"], "related": ["massage-benefits-for-back-pain-and-posture"]}),
        )
        .await;
    let link = mint(&app, &author, id, json!({})).await;
    assert!(link["url"].is_null(), "the site has no preview_url yet");
    let token = link["token"].as_str().unwrap().to_string();

    let res = preview(&app, id, &token).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    assert_eq!(res.headers()["referrer-policy"], "no-referrer");
    assert!(res.headers().get("x-cache").is_none());
    let article = res.json::<Value>().await.unwrap()["data"].take();
    assert_eq!(article["title"], "Secret draft");
    assert_eq!(article["body"]["html"], "<p>Not <em>yet</em>.</p>\n");
    assert_eq!(article["tags"][0]["slug"], "posture");
    assert_eq!(
        article["related"][0]["slug"],
        "massage-benefits-for-back-pain-and-posture"
    );
    assert!(article["published_at"].is_string(), "as if published now");
    assert!(
        article.get("status").is_none(),
        "the public shape, not the editors'"
    );
    // The same by query parameter; nothing of it reaches the public API.
    let by_query = app
        .get(&format!("/api/v1/preview/articles/{id}?token={token}"))
        .await;
    assert_eq!(by_query.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/articles/secret-draft").await.status(),
        StatusCode::NOT_FOUND
    );
    let list = app.get_ok("/api/v1/articles?per_page=100").await;
    assert!(!list.to_string().contains("Secret draft"));

    // The site's preview route makes the ready link.
    let (site, etag) = app.get_item("/api/v1/admin/site", &admin).await;
    assert_eq!(site["data"]["preview_url"], "");
    let res = app
        .patch(
            "/api/v1/admin/site",
            &admin,
            &etag,
            &json!({"preview_url": "https://www.example-clinic.com/api/draft?token={token}&slug={slug}"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let link = mint(&app, &admin, id, json!({"expires_in": 120})).await;
    let token = link["token"].as_str().unwrap();
    assert_eq!(
        link["url"],
        format!("https://www.example-clinic.com/api/draft?token={token}&slug=secret-draft")
    );
    let res = app
        .patch(
            "/api/v1/admin/site",
            &admin,
            &format!("\"v{}\"", site["data"]["version"].as_i64().unwrap() + 1),
            &json!({"preview_url": "https://x.example/draft"}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn a_token_reads_its_own_article_only_until_revoked_and_never_when_tampered() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (a, _) = app.create_article(&admin, &json!({"title": "A"})).await;
    let (b, _) = app.create_article(&admin, &json!({"title": "B"})).await;
    let link = mint(&app, &admin, a, json!({})).await;
    let token = link["token"].as_str().unwrap().to_string();
    assert_eq!(preview(&app, a, &token).await.status(), StatusCode::OK);
    assert_problem(preview(&app, b, &token).await, StatusCode::UNAUTHORIZED).await;
    let mut tampered = token.clone();
    let middle = tampered.len() / 2;
    let flipped = if &tampered[middle..=middle] == "A" {
        "B"
    } else {
        "A"
    };
    tampered.replace_range(middle..=middle, flipped);
    assert_problem(preview(&app, a, &tampered).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(preview(&app, a, &admin).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(
        app.get(&format!("/api/v1/preview/articles/{a}")).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    // Listed without its token; revoked, it reads nothing.
    let listed = app
        .get_auth(&format!("/api/v1/admin/articles/{a}/previews"), &admin)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["id"], link["id"]);
    assert!(listed["data"][0].get("token").is_none());
    revoke(&app, &admin, a, &link).await;
    assert_problem(preview(&app, a, &token).await, StatusCode::UNAUTHORIZED).await;
    let listed = app
        .get_auth(&format!("/api/v1/admin/articles/{a}/previews"), &admin)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(listed["data"][0]["revoked_at"].is_string());
    let res = app
        .post(
            &format!("/api/v1/admin/articles/{b}/previews/nope/revoke"),
            &admin,
            &json!({}),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;

    // Pinned to a version: refused once the article changes; gone with it.
    let pinned = mint(&app, &admin, b, json!({"pin_version": true})).await;
    let pinned_token = pinned["token"].as_str().unwrap().to_string();
    assert_eq!(
        preview(&app, b, &pinned_token).await.status(),
        StatusCode::OK
    );
    let (_, etag) = app
        .get_item(&format!("/api/v1/admin/articles/{b}"), &admin)
        .await;
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{b}"),
            &admin,
            &etag,
            &json!({"title": "B2"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_problem(preview(&app, b, &pinned_token).await, StatusCode::CONFLICT).await;
    let open = mint(&app, &admin, b, json!({})).await;
    let open_token = open["token"].as_str().unwrap().to_string();
    let (_, etag) = app
        .get_item(&format!("/api/v1/admin/articles/{b}"), &admin)
        .await;
    assert_eq!(
        app.delete(&format!("/api/v1/admin/articles/{b}"), &admin, &etag)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(preview(&app, b, &open_token).await, StatusCode::NOT_FOUND).await;

    // A week at most.
    let res = app
        .post(
            &format!("/api/v1/admin/articles/{a}/preview"),
            &admin,
            &json!({"expires_in": 604801}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
}

#[tokio::test]
async fn a_drafts_images_load_with_its_preview_token_and_no_other() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let mut ids = Vec::new();
    for (name, bytes) in [
        ("cover.png", png_with_alpha(700, 400)),
        ("chart.png", png_with_alpha(500, 300)),
    ] {
        let res = app.upload(&admin, name, bytes, &[("alt", "A chart")]).await;
        assert_eq!(res.status(), StatusCode::CREATED);
        ids.push(
            res.json::<Value>().await.unwrap()["data"]["id"]
                .as_i64()
                .unwrap(),
        );
    }
    let body = format!("Draft.\n\n![Chart](media:{})", ids[1]);
    let (a, _) = app
        .create_article(
            &admin,
            &json!({"title": "Unseen", "cover": ids[0], "body": {"markdown": body}}),
        )
        .await;
    let (b, _) = app
        .create_article(&admin, &json!({"title": "Other draft"}))
        .await;
    let link = mint(&app, &admin, a, json!({})).await;
    let token = link["token"].as_str().unwrap().to_string();
    let other = mint(&app, &admin, b, json!({})).await["token"]
        .as_str()
        .unwrap()
        .to_string();

    let article = preview(&app, a, &token)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .take();
    let src = article["cover"]["src"].as_str().unwrap().to_string();
    let (plain, signed) = src
        .split_once('?')
        .expect("the cover's URL carries the token");
    assert_eq!(signed, format!("token={token}"));
    assert_eq!(
        app.get(plain).await.status(),
        StatusCode::NOT_FOUND,
        "not public yet"
    );
    let res = app.get(&src).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "private, no-store");
    // Every image URL of the payload is signed: srcsets, the body's HTML, blocks.
    let html = article["body"]["html"].as_str().unwrap();
    let inline = html
        .split(['"', ' ', ','])
        .find(|part| part.starts_with("/media/") && part.contains(".webp"))
        .expect("the body shows the chart");
    assert!(inline.ends_with(&format!("?token={token}")), "{inline}");
    assert_eq!(app.get(inline).await.status(), StatusCode::OK);
    assert!(
        !article.to_string().contains(".webp \""),
        "no unsigned file URL"
    );

    // Another article's token, a tampered one, a revoked one: nothing.
    for wrong in [other.clone(), format!("{token}x")] {
        let res = app.get(&format!("{plain}?token={wrong}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
    }
    let res = app
        .client
        .get(app.url(plain))
        .header("Authorization", format!("Preview {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "the header works as well");
    revoke(&app, &admin, a, &link).await;
    assert_eq!(app.get(&src).await.status(), StatusCode::NOT_FOUND);
}
