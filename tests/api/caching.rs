//! Strong ETags, `304 Not Modified` and `Cache-Control` on public reads.

use reqwest::StatusCode;

use crate::helpers::{spawn_app, SAMPLE_SLUG};

const PUBLIC_PATHS: &[&str] = &[
    "/api/v1/articles",
    "/api/v1/articles?tag=posture&per_page=5",
    "/api/v1/articles/massage-benefits-for-back-pain-and-posture",
    "/api/v1/massage-types",
    "/api/v1/massage-types/swedish-massage",
    "/api/v1/treatments",
    "/api/v1/treatments/medication",
    "/api/v1/faqs",
    "/api/v1/tags",
    "/api/v1/site",
    "/openapi.json",
];

#[tokio::test]
async fn every_public_response_has_a_strong_etag_and_answers_304_to_it() {
    let app = spawn_app().await;
    for path in PUBLIC_PATHS {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        assert!(
            etag.starts_with('"') && etag.ends_with('"'),
            "strong ETag on {path}: {etag}"
        );
        let cache_control = res.headers()["cache-control"].to_str().unwrap();
        assert!(
            cache_control.contains("max-age="),
            "{path}: {cache_control}"
        );

        let again = app
            .client
            .get(app.url(path))
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED, "{path}");
        assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
        assert!(again.bytes().await.unwrap().is_empty(), "304 has no body");
    }
}

#[tokio::test]
async fn etags_match_weakly_in_lists_and_differ_between_documents() {
    let app = spawn_app().await;
    let path = format!("/api/v1/articles/{SAMPLE_SLUG}");
    let etag = app.get(&path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let listed = format!("\"other\", W/{etag}");
    let res = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", listed)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    let res = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(!res.bytes().await.unwrap().is_empty());

    let page1 = app.get("/api/v1/articles?per_page=1").await.headers()["etag"].clone();
    let page2 = app
        .get("/api/v1/articles?per_page=1&page=2")
        .await
        .headers()["etag"]
        .clone();
    assert_ne!(page1, page2);
    let same = app.get("/api/v1/articles?per_page=1").await.headers()["etag"].clone();
    assert_eq!(page1, same, "the same bytes give the same ETag");
}

#[tokio::test]
async fn errors_are_not_cached() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/articles/nope").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(res.headers()["cache-control"], "no-store");
    assert!(res.headers().get("etag").is_none());
}
