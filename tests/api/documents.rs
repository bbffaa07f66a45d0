//! Stored article documents: with the response cache off, an article is
//! rendered once and then served from `article_documents`, and every write
//! to anything the document shows is visible on the next read.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp, SAMPLE_SLUG};

fn stored_documents(app: &TestApp) -> i64 {
    let url = clinic_cms::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
    clinic_cms::content::document::Document::count(&mut conn).unwrap()
}

/// Reads the sample article twice: the first read stores its document, the
/// second is served from it, byte for byte.
async fn read_stored(app: &TestApp) -> Value {
    let path = format!("/api/v1/articles/{SAMPLE_SLUG}");
    let first = app.get(&path).await;
    assert_eq!(first.status(), StatusCode::OK);
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let bytes = first.bytes().await.unwrap();
    assert!(
        stored_documents(app) >= 1,
        "the first read stored the document"
    );
    let second = app.get(&path).await;
    assert_eq!(second.headers()["etag"].to_str().unwrap(), etag);
    assert_eq!(second.bytes().await.unwrap(), bytes, "served as stored");
    serde_json::from_slice::<Value>(&bytes).unwrap()["data"].take()
}

#[tokio::test]
async fn a_stored_document_shows_every_write_to_what_it_shows() {
    let app = spawn_app_with(&[("CACHE_MAX_MB", "0")]).await;
    let token = app.admin_token().await;
    let before = read_stored(&app).await;
    let author_id = app
        .get_auth("/api/v1/admin/users", &token)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["name"] == before["related"][0]["author"]["name"])
        .expect("a related article's byline is a user")["id"]
        .clone();
    let related_id = before["related"][0]["id"].clone();
    let tag_id = app
        .get_auth("/api/v1/admin/tags", &token)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == before["tags"][0]["slug"])
        .unwrap()["id"]
        .clone();
    let massage_type_id = before["massage_types"][0]["id"].clone();
    let treatment_id = before["treatments"][0]["id"].clone();
    let faq_id = before["faqs"][0]["id"].clone();
    // (the write, where the next read must show it)
    type Shown = fn(&Value) -> Value;
    let writes: Vec<(String, Value, Shown)> = vec![
        (
            "/api/v1/admin/articles/1".into(),
            json!({"excerpt": "Changed excerpt"}),
            |a| a["excerpt"].clone(),
        ),
        (
            format!("/api/v1/admin/massage-types/{massage_type_id}"),
            json!({"best_for": "Changed best for"}),
            |a| a["massage_types"][0]["best_for"].clone(),
        ),
        (
            format!("/api/v1/admin/treatments/{treatment_id}"),
            json!({"limitations": "Changed limitation"}),
            |a| a["treatments"][0]["limitations"].clone(),
        ),
        (
            format!("/api/v1/admin/faqs/{faq_id}"),
            json!({"question": "Changed question?"}),
            |a| a["faqs"][0]["question"].clone(),
        ),
        (
            format!("/api/v1/admin/tags/{tag_id}"),
            json!({"name": "Changed Tag"}),
            |a| a["tags"][0]["name"].clone(),
        ),
        (
            format!("/api/v1/admin/articles/{related_id}"),
            json!({"title": "Changed related title"}),
            |a| a["related"][0]["title"].clone(),
        ),
        (
            format!("/api/v1/admin/users/{author_id}"),
            json!({"name": "Changed Byline"}),
            |a| a["related"][0]["author"]["name"].clone(),
        ),
        (
            "/api/v1/admin/people/1".into(),
            json!({"name": "Changed Profile"}),
            |a| a["authors"][0]["name"].clone(),
        ),
        (
            "/api/v1/admin/people/2".into(),
            json!({"credentials": "MD"}),
            |a| a["review"]["reviewed_by"]["credentials"].clone(),
        ),
        (
            "/api/v1/admin/site".into(),
            json!({"name": "Changed Clinic"}),
            |a| a["json_ld"]["@graph"][0]["publisher"]["name"].clone(),
        ),
        (
            "/api/v1/admin/articles/1".into(),
            json!({"related": []}),
            |a| json!(a["related"].as_array().unwrap().len()),
        ),
        // A FAQ moved away from the article is gone from its document.
        (
            format!("/api/v1/admin/faqs/{faq_id}"),
            json!({"article": null}),
            |a| json!(a["faqs"].as_array().unwrap().len()),
        ),
    ];
    for (path, body, shown) in writes {
        let before = read_stored(&app).await;
        let res = app
            .send(Method::PATCH, &path, Some(&token), Some("*"), Some(&body))
            .await;
        assert!(res.status().is_success(), "PATCH {path}: {}", res.status());
        let after = read_stored(&app).await;
        assert_ne!(
            shown(&after),
            shown(&before),
            "the article shows PATCH {path}"
        );
        let expected = body.as_object().unwrap().values().next().unwrap().clone();
        if let Value::String(_) = expected {
            assert_eq!(shown(&after), expected, "PATCH {path}");
        }
    }
    // A new row put first moves the others down: the document shows their
    // new positions (and versions).
    let before = read_stored(&app).await;
    let res = app
        .post(
            "/api/v1/admin/massage-types",
            &token,
            &json!({"name": "Put First", "position": 0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let after = read_stored(&app).await;
    assert_ne!(
        after["massage_types"][0]["position"], before["massage_types"][0]["position"],
        "the article shows the rows moved down"
    );
    let res = app
        .send(
            Method::POST,
            "/api/v1/admin/articles/1/unpublish",
            Some(&token),
            None,
            Some(&json!({})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let gone = app.get(&format!("/api/v1/articles/{SAMPLE_SLUG}")).await;
    assert_eq!(
        gone.status(),
        StatusCode::NOT_FOUND,
        "unpublished, document or not"
    );
}

#[tokio::test]
async fn a_related_article_coming_due_shows_in_a_stored_document() {
    let app = spawn_app_with(&[("CACHE_MAX_MB", "0")]).await;
    let token = app.admin_token().await;
    let (id, _) = app
        .create_article(&token, &json!({"title": "Due Soon"}))
        .await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/publish"),
            Some(&token),
            None,
            Some(&json!({"publish_at": due.to_rfc3339()})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            "*",
            &json!({"related": ["due-soon"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let scheduled = read_stored(&app).await;
    assert_eq!(scheduled["related"], json!([]), "not yet public");
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    tokio::time::sleep(wait).await;
    let due_now = read_stored(&app).await;
    assert_eq!(
        due_now["related"][0]["slug"], "due-soon",
        "no write happened, only the clock"
    );
}
