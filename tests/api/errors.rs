//! Every error is RFC 9457 problem+json, actix's own included.

use reqwest::StatusCode;

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn unknown_routes_are_404_problems() {
    let app = spawn_app().await;
    for path in [
        "/nope",
        "/api/v1",
        "/api/v1/articles/a/b",
        "/api/v2/articles",
    ] {
        let problem = assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
        assert!(problem.get("errors").is_none());
    }
}

#[tokio::test]
async fn wrong_methods_are_405_problems_with_allow() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/articles",
        "/api/v1/site",
        "/api/v1/tags",
        "/healthz",
    ] {
        let res = app
            .client
            .put(app.url(path))
            .body("{}")
            .send()
            .await
            .unwrap();
        let allow = res
            .headers()
            .get("allow")
            .map(|v| v.to_str().unwrap().to_string());
        let problem = assert_problem(res, StatusCode::METHOD_NOT_ALLOWED).await;
        assert!(problem["detail"].as_str().unwrap().contains("PUT"));
        assert_eq!(allow.as_deref(), Some("GET, HEAD"), "{path}");
    }
}

#[tokio::test]
async fn problems_never_leak_internals() {
    let app = spawn_app().await;
    let res = app.get("/api/v1/articles?page=abc").await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    let text = problem.to_string().to_lowercase();
    for leak in ["select", "sqlite", "diesel", "panicked", "src/"] {
        assert!(!text.contains(leak), "{leak} in {text}");
    }
}

#[tokio::test]
async fn an_over_long_search_is_a_400() {
    let app = spawn_app().await;
    let q = "a".repeat(201);
    let problem = assert_problem(
        app.get(&format!("/api/v1/articles?q={q}")).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "q");
}

#[tokio::test]
async fn relevance_without_a_search_falls_back_to_newest_first() {
    let app = spawn_app().await;
    let newest = app.list_slugs("/api/v1/articles").await;
    assert_eq!(
        app.list_slugs("/api/v1/articles?sort=relevance").await,
        newest
    );
}

#[tokio::test]
async fn head_is_get_without_a_body() {
    let app = crate::helpers::spawn_app().await;
    let get = app.get("/api/v1/site").await;
    let head = app
        .client
        .head(app.url("/api/v1/site"))
        .send()
        .await
        .unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], get.headers()["etag"]);
    assert!(head.bytes().await.unwrap().is_empty());
}
