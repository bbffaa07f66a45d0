//! `spawn_app()`: the real application on a fresh temporary SQLite file, spoken to over HTTP.

use std::collections::HashMap;
use std::path::PathBuf;

use clinic_cms::app::{serve, AppState};
use clinic_cms::config::Config;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub const SAMPLE_SLUG: &str = "massage-benefits-for-back-pain-and-posture";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    _dir: TempDir,
    pub db_path: PathBuf,
    server: actix_web::dev::ServerHandle,
}

/// The app as `cargo run` starts it: built-in sample content loaded.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The app with extra configuration variables.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_in(dir, vars).await
}

/// The app loaded with a content file of our own instead of the sample.
pub async fn spawn_app_with_content(content: &Value) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("content.json");
    std::fs::write(&file, serde_json::to_vec_pretty(content).unwrap()).unwrap();
    let file = file.to_string_lossy().into_owned();
    spawn_in(dir, &[("SAMPLE_CONTENT", &file)]).await
}

async fn spawn_in(dir: TempDir, vars: &[(&str, &str)]) -> TestApp {
    let db_path = dir.path().join("db").join("clinic-cms.db");
    let mut env: HashMap<String, String> = HashMap::from([
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}", db_path.display()),
        ),
        ("BIND_ADDR".into(), "127.0.0.1:0".into()),
        ("DATABASE_POOL_SIZE".into(), "4".into()),
    ]);
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("config");
    let state = tokio::task::spawn_blocking(move || AppState::prepare(config))
        .await
        .unwrap()
        .expect("prepare the app");
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let server = serve(state, listener).expect("serve");
    let handle = server.handle();
    tokio::spawn(server);
    TestApp {
        address: format!("http://127.0.0.1:{port}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap(),
        _dir: dir,
        db_path,
        server: handle,
    }
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    /// GET and parse JSON, asserting the status.
    pub async fn get_json(&self, path: &str, status: StatusCode) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), status, "GET {path}");
        res.json().await.expect("JSON body")
    }

    pub async fn get_ok(&self, path: &str) -> Value {
        self.get_json(path, StatusCode::OK).await
    }

    pub async fn get_article(&self, slug: &str) -> Value {
        self.get_ok(&format!("/api/v1/articles/{slug}")).await["data"].clone()
    }

    /// The slugs of a list response, in order.
    pub async fn list_slugs(&self, path: &str) -> Vec<String> {
        slugs(&self.get_ok(path).await)
    }

    pub async fn stop(&self) {
        self.server.stop(true).await;
    }
}

pub fn slugs(list: &Value) -> Vec<String> {
    list["data"]
        .as_array()
        .expect("data array")
        .iter()
        .map(|item| item["slug"].as_str().expect("slug").to_string())
        .collect()
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn assert_problem(res: Response, status: StatusCode) -> Value {
    assert_eq!(res.status(), status);
    let content_type = res
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = res.json().await.expect("problem JSON");
    assert_eq!(body["status"], status.as_u16());
    assert!(body["title"].as_str().is_some_and(|t| !t.is_empty()));
    assert!(body["type"].as_str().is_some());
    assert!(body["detail"].as_str().is_some_and(|d| !d.is_empty()));
    body
}

/// A small content file: one of everything, dates relative to now.
pub fn content_file(articles: Vec<Value>) -> Value {
    serde_json::json!({
        "site": {"name": "Test Clinic", "location": "Testville", "description": "Tests"},
        "authors": [{"email": "writer@example.com", "name": "Wendy Writer"}],
        "tags": [{"slug": "alpha", "name": "Alpha"}, {"slug": "beta", "name": "Beta"}],
        "massage_types": [{"slug": "swedish", "name": "Swedish", "best_for": "Relaxing", "benefits": "Calm"}],
        "treatments": [{"slug": "rest", "name": "Rest", "benefits": "Free", "limitations": "Slow"}],
        "articles": articles,
    })
}

/// An article of a content file.
pub fn article(slug: &str, title: &str, body: &str) -> Value {
    serde_json::json!({
        "slug": slug, "title": title, "excerpt": format!("About {title}"),
        "body": body, "published_at": "2025-01-01T00:00:00Z",
        "author": "writer@example.com", "tags": ["alpha"],
    })
}
