//! Operations: health, readiness, request ids, CORS and the database file.

use reqwest::StatusCode;

use diesel::{Connection, RunQueryDsl};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with};

#[tokio::test]
async fn healthz_and_readyz_answer() {
    let app = spawn_app().await;
    assert_eq!(app.get_ok("/healthz").await["status"], "ok");
    assert_eq!(app.get_ok("/readyz").await["status"], "ok");
}

#[tokio::test]
async fn readyz_is_503_when_the_database_cannot_answer() {
    let app = spawn_app().await;
    let mut conn = diesel::SqliteConnection::establish(app.db_path.to_str().unwrap()).unwrap();
    diesel::sql_query("DROP TABLE __diesel_schema_migrations")
        .execute(&mut conn)
        .unwrap();
    let problem = assert_problem(app.get("/readyz").await, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        !problem["detail"].as_str().unwrap().contains("__diesel"),
        "no SQL detail leaks"
    );
    assert_eq!(
        app.get("/healthz").await.status(),
        StatusCode::OK,
        "the process still runs"
    );
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = spawn_app().await;
    let ok = app.get("/api/v1/site").await;
    let missing = app.get("/nope").await;
    let a = ok.headers()["x-request-id"].to_str().unwrap().to_string();
    let b = missing.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(!a.is_empty() && a != b);
}

#[tokio::test]
async fn cors_allows_only_the_configured_origins() {
    let app = spawn_app_with(&[(
        "CORS_ALLOWED_ORIGINS",
        "https://front.example, https://preview.example",
    )])
    .await;
    let allowed = app
        .client
        .get(app.url("/api/v1/site"))
        .header("Origin", "https://front.example")
        .send()
        .await
        .unwrap();
    assert_eq!(
        allowed.headers()["access-control-allow-origin"],
        "https://front.example"
    );
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/articles"))
        .header("Origin", "https://preview.example")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success());
    let other = app
        .client
        .get(app.url("/api/v1/site"))
        .header("Origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert!(other.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn the_database_file_and_its_folder_are_created_in_wal_mode() {
    let app = spawn_app().await;
    assert!(app.db_path.is_file());
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mut conn = diesel::SqliteConnection::establish(app.db_path.to_str().unwrap()).unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
}
