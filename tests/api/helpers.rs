//! `spawn_app()`: the real application on a fresh temporary SQLite file, spoken to over HTTP.

use std::collections::HashMap;
use std::path::PathBuf;

use clinic_cms::app::{serve, AppState};
use clinic_cms::config::Config;
use reqwest::{Response, StatusCode};
use serde_json::Value;
use tempfile::TempDir;

pub const SAMPLE_SLUG: &str = "massage-benefits-for-back-pain-and-posture";
pub const ADMIN_EMAIL: &str = "admin@clinic.test";
pub const ADMIN_PASSWORD: &str = "admin password 123";
pub const JWT_SECRET: &str = "test-secret-test-secret-test-secret-0123";
pub const PASSWORD: &str = "a long enough password";

pub struct TestApp {
    pub address: String,
    pub client: reqwest::Client,
    _dir: TempDir,
    /// The database this app runs on: a fresh SQLite file, or a fresh
    /// PostgreSQL database when TEST_DATABASE_URL names a server.
    pub database_url: String,
    /// The SQLite file, when on SQLite.
    pub db_path: Option<PathBuf>,
    /// Where the app keeps media files (unless TEST_MEDIA_STORE names S3).
    pub media_dir: PathBuf,
    /// The S3 store it uses instead, when TEST_MEDIA_STORE names one.
    pub media_store: Option<String>,
    server: actix_web::dev::ServerHandle,
}

/// The PostgreSQL server the suite runs against, if any.
pub fn postgres_server() -> Option<String> {
    std::env::var("TEST_DATABASE_URL")
        .ok()
        .filter(|u| u.starts_with("postgres://") || u.starts_with("postgresql://"))
}

/// A new, empty PostgreSQL database on the test server; its URL.
pub fn fresh_postgres_database(server: &str) -> String {
    use diesel::{Connection, RunQueryDsl};
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let name = format!(
        "clinic_test_{}_{}_{nanos}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    );
    let mut conn = diesel::PgConnection::establish(server).expect("connect to TEST_DATABASE_URL");
    diesel::sql_query(format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .expect("create the test database");
    // The same server and options (`?sslmode=require`), another database.
    let (address, options) = server.split_once('?').unwrap_or((server, ""));
    let (base, _) = address
        .rsplit_once('/')
        .expect("a database in TEST_DATABASE_URL");
    if options.is_empty() {
        format!("{base}/{name}")
    } else {
        format!("{base}/{name}?{options}")
    }
}

/// The built-in sample content with publishing free of medical review, as
/// most tests want it (their subject is not the review workflow).
pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

/// The app exactly as `cargo run` starts it: the built-in sample content,
/// whose site requires an approved medical review before publishing.
pub async fn spawn_app_as_shipped() -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    spawn_in(dir, &[]).await
}

/// `spawn_app` with extra configuration variables.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut content: Value =
        serde_json::from_str(include_str!("../../src/sample/content.json")).unwrap();
    content["site"]["require_review"] = Value::Bool(false);
    let file = write_content(&dir, &content);
    std::fs::write(
        dir.path().join(SAMPLE_BODY_FILE),
        include_str!("../../src/sample/massage-benefits-for-back-pain-and-posture.md"),
    )
    .unwrap();
    let mut all: Vec<(&str, &str)> = vec![("SAMPLE_CONTENT", &file)];
    all.extend_from_slice(vars);
    spawn_in(dir, &all).await
}

const SAMPLE_BODY_FILE: &str = "massage-benefits-for-back-pain-and-posture.md";

fn write_content(dir: &TempDir, content: &Value) -> String {
    let file = dir.path().join("content.json");
    std::fs::write(&file, serde_json::to_vec_pretty(content).unwrap()).unwrap();
    file.to_string_lossy().into_owned()
}

/// The app loaded with a content file of our own instead of the sample.
pub async fn spawn_app_with_content(content: &Value) -> TestApp {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = write_content(&dir, content);
    spawn_in(dir, &[("SAMPLE_CONTENT", &file)]).await
}

async fn spawn_in(dir: TempDir, vars: &[(&str, &str)]) -> TestApp {
    let given_url = vars
        .iter()
        .find(|(k, _)| *k == "DATABASE_URL")
        .map(|(_, v)| v.to_string());
    let (database_url, db_path) = match (given_url, postgres_server()) {
        (Some(url), _) => {
            let path = url.strip_prefix("sqlite://").map(PathBuf::from);
            (url, path)
        }
        (None, Some(server)) => (
            tokio::task::spawn_blocking(move || fresh_postgres_database(&server))
                .await
                .unwrap(),
            None,
        ),
        (None, None) => {
            let path = dir.path().join("db").join("clinic-cms.db");
            (format!("sqlite://{}", path.display()), Some(path))
        }
    };
    let mut env: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".into(), database_url.clone()),
        ("BIND_ADDR".into(), "127.0.0.1:0".into()),
        ("DATABASE_POOL_SIZE".into(), "4".into()),
        ("ADMIN_EMAIL".into(), ADMIN_EMAIL.into()),
        ("ADMIN_PASSWORD".into(), ADMIN_PASSWORD.into()),
        ("JWT_SECRET".into(), JWT_SECRET.into()),
        (
            "MEDIA_DIR".into(),
            dir.path().join("media").to_string_lossy().into_owned(),
        ),
    ]);
    // CI runs the media tests against a real S3-compatible server too.
    // Each app its own prefix of the bucket, as each has its own database.
    if let Ok(store) = std::env::var("TEST_MEDIA_STORE") {
        env.insert(
            "MEDIA_STORE".into(),
            format!("{}/app-{}", store.trim_end_matches('/'), rand_suffix()),
        );
    }
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    let media_dir = PathBuf::from(&env["MEDIA_DIR"]);
    let media_store = env.get("MEDIA_STORE").cloned();
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
        database_url,
        db_path,
        media_dir,
        media_store,
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

    /// Sends a request with an optional bearer token and JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        if_match: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.client.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(etag) = if_match {
            req = req.header("If-Match", etag);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().await.expect("request")
    }

    pub async fn post(&self, path: &str, token: &str, body: &Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(token), None, Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: &Value) -> Response {
        self.send(
            reqwest::Method::PATCH,
            path,
            Some(token),
            Some(etag),
            Some(body),
        )
        .await
    }

    pub async fn delete(&self, path: &str, token: &str, etag: &str) -> Response {
        self.send(reqwest::Method::DELETE, path, Some(token), Some(etag), None)
            .await
    }

    pub async fn get_auth(&self, path: &str, token: &str) -> Response {
        self.send(reqwest::Method::GET, path, Some(token), None, None)
            .await
    }

    /// `GET` with a bearer token, answered `200` with JSON: the body.
    pub async fn get_auth_json(&self, path: &str, token: &str) -> Value {
        let res = self.get_auth(path, token).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        res.json().await.unwrap()
    }

    /// GET with a token, expecting 200: the body and the ETag.
    pub async fn get_item(&self, path: &str, token: &str) -> (Value, String) {
        let res = self.get_auth(path, token).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        (res.json().await.unwrap(), etag)
    }

    /// PATCH at the item's current version (its ETag read first), expecting 200: the item.
    pub async fn patch_ok(&self, path: &str, token: &str, body: &Value) -> Value {
        let (_, etag) = self.get_item(path, token).await;
        let res = self.patch(path, token, &etag, body).await;
        assert_eq!(res.status(), StatusCode::OK, "PATCH {path}");
        res.json().await.unwrap()
    }

    /// DELETE at the item's current version (its ETag read first), expecting 204.
    pub async fn delete_ok(&self, path: &str, token: &str) {
        let (_, etag) = self.get_item(path, token).await;
        let res = self.delete(path, token, &etag).await;
        assert_eq!(res.status(), StatusCode::NO_CONTENT, "DELETE {path}");
    }

    pub async fn login(&self, email: &str, password: &str) -> Response {
        let body = serde_json::json!({"email": email, "password": password});
        self.send(
            reqwest::Method::POST,
            "/api/v1/auth/login",
            None,
            None,
            Some(&body),
        )
        .await
    }

    /// A token pair for the account, asserting the login works.
    pub async fn login_ok(&self, email: &str, password: &str) -> Value {
        let res = self.login(email, password).await;
        assert_eq!(res.status(), StatusCode::OK, "login {email}");
        res.json::<Value>().await.unwrap()["data"].clone()
    }

    pub async fn admin_token(&self) -> String {
        self.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// Creates an account with `role` through the admin API; returns (id, access token).
    pub async fn user_with_role(&self, role: &str) -> (i64, String) {
        let admin = self.admin_token().await;
        let email = format!("{role}-{}@clinic.test", rand_suffix());
        let res = self
            .post(
                "/api/v1/admin/users",
                &admin,
                &serde_json::json!({"email": email, "name": format!("A {role}"), "password": PASSWORD, "role": role}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::CREATED);
        let id = res.json::<Value>().await.unwrap()["data"]["id"]
            .as_i64()
            .unwrap();
        let token = self.login_ok(&email, PASSWORD).await["access_token"]
            .as_str()
            .unwrap()
            .to_string();
        (id, token)
    }

    /// Creates a draft article; returns (id, ETag).
    pub async fn create_article(&self, token: &str, body: &Value) -> (i64, String) {
        let res = self.post("/api/v1/admin/articles", token, body).await;
        assert_eq!(res.status(), StatusCode::CREATED, "create article");
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        let id = res.json::<Value>().await.unwrap()["data"]["id"]
            .as_i64()
            .unwrap();
        (id, etag)
    }

    /// `POST /admin/articles/{id}/publish` with optional options.
    pub async fn publish(&self, token: &str, id: i64, body: Option<Value>) -> Response {
        self.send(
            reqwest::Method::POST,
            &format!("/api/v1/admin/articles/{id}/publish"),
            Some(token),
            None,
            body.as_ref(),
        )
        .await
    }

    /// Uploads `bytes` as the `file` part of a multipart form, with text parts.
    pub async fn upload(
        &self,
        token: &str,
        name: &str,
        bytes: Vec<u8>,
        text: &[(&str, &str)],
    ) -> Response {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
        for (k, v) in text {
            form = form.text(k.to_string(), v.to_string());
        }
        self.client
            .post(self.url("/api/v1/admin/media"))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("upload")
    }

    /// Uploads and asserts `201`; the item.
    pub async fn upload_ok(&self, token: &str, name: &str, bytes: Vec<u8>) -> Value {
        let res = self.upload(token, name, bytes, &[]).await;
        assert_eq!(res.status(), StatusCode::CREATED, "upload {name}");
        res.json::<Value>().await.unwrap()["data"].clone()
    }

    /// Exchanges a refresh token at `/auth/refresh`.
    pub async fn refresh(&self, refresh_token: &str) -> Response {
        self.send(
            reqwest::Method::POST,
            "/api/v1/auth/refresh",
            None,
            None,
            Some(&serde_json::json!({ "refresh_token": refresh_token })),
        )
        .await
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

/// The `field` of every entry of a problem's `errors`, in order.
pub fn problem_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["field"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .unwrap_or_default()
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

pub fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicUsize, Ordering};
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}
