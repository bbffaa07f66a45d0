//! Every kind of content write, each with the public read that must show
//! it: what the cache tests (one node and two) write.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{TestApp, SAMPLE_SLUG};

/// Creates an item through the admin API and returns its id.
pub async fn create(app: &TestApp, token: &str, path: &str, body: Value) -> i64 {
    let res = app.post(path, token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED, "{path}");
    res.json::<Value>().await.unwrap()["data"]["id"]
        .as_i64()
        .unwrap()
}

/// Every kind of content write, each with a public read that must show it:
/// (method, path, body, read).
pub async fn content_writes(app: &TestApp, token: &str) -> Vec<(Method, String, Value, String)> {
    let article = format!("/api/v1/articles/{SAMPLE_SLUG}");
    let tag = create(app, token, "/api/v1/admin/tags", json!({"name": "Doomed"})).await;
    let massage_type = create(
        app,
        token,
        "/api/v1/admin/massage-types",
        json!({"name": "Doomed massage"}),
    )
    .await;
    let treatment = create(
        app,
        token,
        "/api/v1/admin/treatments",
        json!({"name": "Doomed treatment"}),
    )
    .await;
    let faq = create(
        app,
        token,
        "/api/v1/admin/faqs",
        json!({"question": "Doomed?", "answer": {"markdown": "Yes."}, "article": SAMPLE_SLUG}),
    )
    .await;
    let (doomed_article, _) = app
        .create_article(
            token,
            &json!({"title": "Doomed article", "body": {"markdown": "Soon gone."}, "status": "published"}),
        )
        .await;
    let users: Value = app
        .get_auth("/api/v1/admin/users?per_page=100", token)
        .await
        .json()
        .await
        .unwrap();
    // The sample article credits a profile; its related articles show the
    // account that wrote them.
    let byline = app.get_article(SAMPLE_SLUG).await["related"][0]["author"]["name"].clone();
    let author = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == byline)
        .expect("the related article's author is an account")["id"]
        .clone();
    let w = |method: Method, path: String, body: Value, read: &str| {
        (method, path, body, read.to_string())
    };
    vec![
        w(
            Method::PATCH,
            "/api/v1/admin/articles/1".into(),
            json!({"excerpt": "Changed excerpt"}),
            "/api/v1/articles",
        ),
        w(
            Method::POST,
            "/api/v1/admin/articles".into(),
            json!({"title": "Brand new", "body": {"markdown": "New."}, "status": "published"}),
            "/api/v1/articles",
        ),
        w(
            Method::POST,
            "/api/v1/admin/articles/2/unpublish".into(),
            json!({}),
            "/api/v1/articles",
        ),
        w(
            Method::DELETE,
            format!("/api/v1/admin/articles/{doomed_article}"),
            Value::Null,
            "/api/v1/articles",
        ),
        w(
            Method::POST,
            "/api/v1/admin/articles/1/revisions/1/restore".into(),
            json!({}),
            &article,
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/massage-types/1".into(),
            json!({"best_for": "Changed best for"}),
            &article,
        ),
        w(
            Method::POST,
            "/api/v1/admin/massage-types".into(),
            json!({"name": "Another massage"}),
            "/api/v1/massage-types",
        ),
        w(
            Method::DELETE,
            format!("/api/v1/admin/massage-types/{massage_type}"),
            Value::Null,
            "/api/v1/massage-types",
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/treatments/1".into(),
            json!({"limitations": "Changed limitation"}),
            &article,
        ),
        w(
            Method::POST,
            "/api/v1/admin/treatments".into(),
            json!({"name": "Another treatment"}),
            "/api/v1/treatments",
        ),
        w(
            Method::DELETE,
            format!("/api/v1/admin/treatments/{treatment}"),
            Value::Null,
            "/api/v1/treatments",
        ),
        w(
            Method::PATCH,
            format!("/api/v1/admin/faqs/{faq}"),
            json!({"question": "Changed question?"}),
            &article,
        ),
        w(
            Method::POST,
            "/api/v1/admin/faqs".into(),
            json!({"question": "Another?", "answer": {"markdown": "Yes."}, "article": SAMPLE_SLUG}),
            &article,
        ),
        w(
            Method::DELETE,
            format!("/api/v1/admin/faqs/{faq}"),
            Value::Null,
            &article,
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/tags/1".into(),
            json!({"name": "Changed Tag"}),
            &article,
        ),
        w(
            Method::POST,
            "/api/v1/admin/tags".into(),
            json!({"name": "Another Tag"}),
            "/api/v1/tags",
        ),
        w(
            Method::DELETE,
            format!("/api/v1/admin/tags/{tag}"),
            Value::Null,
            "/api/v1/tags",
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/site".into(),
            json!({"name": "Changed Clinic"}),
            &article,
        ),
        w(
            Method::PATCH,
            format!("/api/v1/admin/users/{author}"),
            json!({"name": "Renamed Author"}),
            &article,
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/people/1".into(),
            json!({"name": "Renamed Profile"}),
            &article,
        ),
        w(
            Method::PATCH,
            "/api/v1/admin/people/2".into(),
            json!({"credentials": "MD"}),
            "/api/v1/authors/ana-ruiz",
        ),
    ]
}
