//! Every kind of webhook event, over HTTP to a real receiver: the
//! collections' created/updated/deleted, a public FAQ, profile and image,
//! and an article whose slug changes telling which old URLs to purge.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cache_writes::create;
use crate::helpers::{TestApp, SAMPLE_SLUG};
use crate::images::png_with_alpha;
use crate::receiver::{Received, Receiver};

async fn webhook_app() -> TestApp {
    crate::webhooks::webhook_app_with(&[]).await
}

async fn subscribe_all(app: &TestApp, token: &str, url: &str) {
    crate::webhooks::subscribe(app, token, url, json!(["*"])).await;
}

fn api_urls(event: &Value) -> Vec<String> {
    event["data"]["urls"]["api"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u.as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn collections_profiles_faqs_and_images_send_their_events() {
    let app = webhook_app().await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    subscribe_all(&app, &token, &receiver.url).await;

    for (collection, name, field) in [
        ("massage-types", "Lomi Lomi", "description"),
        ("treatments", "Heat", "benefits"),
    ] {
        let base = format!("/api/v1/admin/{collection}");
        let id = create(&app, &token, &base, json!({ "name": name })).await;
        let path = format!("{base}/{id}");
        app.patch_ok(&path, &token, &json!({ field: "Changed" }))
            .await;
        app.delete_ok(&path, &token).await;
    }
    // A standalone FAQ is public; one on a draft article tells nobody.
    let faq = create(
        &app,
        &token,
        "/api/v1/admin/faqs",
        json!({"question": "Does it hurt?", "answer": {"markdown": "Rarely."}}),
    )
    .await;
    app.create_article(
        &token,
        &json!({"title": "Quiet draft", "slug": "quiet-draft"}),
    )
    .await;
    create(
        &app,
        &token,
        "/api/v1/admin/faqs",
        json!({"question": "Hidden?", "answer": {"markdown": "Yes."}, "article": "quiet-draft"}),
    )
    .await;
    // The sample article credits profile 1.
    app.patch_ok(
        "/api/v1/admin/people/1",
        &token,
        &json!({"credentials": "LMT, CMT"}),
    )
    .await;
    // An upload is private until a public article shows it: no event
    // until then; then its edits are announced with its file URLs.
    let res = app
        .upload(
            &token,
            "cover.png",
            png_with_alpha(800, 500),
            &[("alt", "A cover")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let media = res.json::<Value>().await.unwrap()["data"]["id"]
        .as_i64()
        .unwrap();
    app.patch_ok("/api/v1/admin/articles/1", &token, &json!({"cover": media}))
        .await;
    let media_path = format!("/api/v1/admin/media/{media}");
    app.patch_ok(&media_path, &token, &json!({"alt": "A better cover"}))
        .await;

    let got = receiver.wait_for(10).await;
    let types: Vec<String> = receiver
        .settled()
        .await
        .iter()
        .map(Received::event_type)
        .collect();
    assert_eq!(
        types,
        [
            "massage_type.created",
            "massage_type.updated",
            "massage_type.deleted",
            "treatment.created",
            "treatment.updated",
            "treatment.deleted",
            "faq.created",
            "person.updated",
            "article.updated",
            "media.updated",
        ]
    );
    let massage = got[1].json();
    assert_eq!(massage["data"]["kind"], "massage_type");
    assert_eq!(massage["data"]["object"]["description"], "Changed");
    assert!(api_urls(&massage).contains(&"/api/v1/massage-types/lomi-lomi".into()));
    let faq_event = got[6].json();
    assert_eq!(faq_event["data"]["id"], faq);
    assert_eq!(faq_event["data"]["object"]["question"], "Does it hurt?");
    let person = got[7].json();
    assert_eq!(person["data"]["object"]["credentials"], "LMT, CMT");
    let sample = format!("/api/v1/articles/{SAMPLE_SLUG}");
    assert!(api_urls(&person).contains(&sample), "{person}");
    let image = got[9].json();
    assert_eq!(image["data"]["object"]["alt"], "A better cover");
    let urls = api_urls(&image);
    assert!(urls.iter().any(|u| u.starts_with("/media/")), "{urls:?}");
    assert!(urls.contains(&sample), "{urls:?}");
}

#[tokio::test]
async fn a_slug_change_names_the_old_pages_to_purge() {
    let app = webhook_app().await;
    let token = app.admin_token().await;
    let (_, etag) = app.get_item("/api/v1/admin/site", &token).await;
    let site = json!({"base_url": "https://clinic.example", "article_path": "/blog/{slug}"});
    let res = app.patch("/api/v1/admin/site", &token, &etag, &site).await;
    assert_eq!(res.status(), StatusCode::OK);
    let receiver = Receiver::start().await;
    subscribe_all(&app, &token, &receiver.url).await;

    app.patch_ok(
        "/api/v1/admin/articles/1",
        &token,
        &json!({"slug": "massage-for-back-pain"}),
    )
    .await;
    app.patch_ok(
        "/api/v1/admin/articles/1",
        &token,
        &json!({"excerpt": "Same slug."}),
    )
    .await;
    let got = receiver.wait_for(2).await;
    let renamed = got[0].json();
    assert_eq!(renamed["type"], "article.updated");
    let api = api_urls(&renamed);
    for url in [
        "/api/v1/articles/massage-for-back-pain".to_string(),
        format!("/api/v1/articles/{SAMPLE_SLUG}"),
        "/api/v1/redirects".into(),
    ] {
        assert!(api.contains(&url), "{url} not in {api:?}");
    }
    let pages = &renamed["data"]["urls"]["site"];
    assert!(
        pages
            .as_array()
            .unwrap()
            .contains(&json!(format!("https://clinic.example/blog/{SAMPLE_SLUG}"))),
        "{pages}"
    );
    // The next edit keeps to the page it is on.
    let api = api_urls(&got[1].json());
    assert!(
        !api.contains(&format!("/api/v1/articles/{SAMPLE_SLUG}")),
        "{api:?}"
    );
    assert!(!api.contains(&"/api/v1/redirects".to_string()));
}
