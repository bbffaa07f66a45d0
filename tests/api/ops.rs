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
    let url = clinic_cms::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
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
    let Some(db_path) = &app.db_path else {
        return; // PostgreSQL run: there is no file.
    };
    assert!(db_path.is_file());
    #[derive(diesel::QueryableByName)]
    struct Mode {
        #[diesel(sql_type = diesel::sql_types::Text)]
        journal_mode: String,
    }
    let mut conn = diesel::SqliteConnection::establish(db_path.to_str().unwrap()).unwrap();
    let mode: Mode = diesel::sql_query("PRAGMA journal_mode")
        .get_result(&mut conn)
        .unwrap();
    assert_eq!(mode.journal_mode, "wal");
}

/// `.cargo/config.toml` builds the bundled SQLite for concurrent readers:
/// prepared plans kept (no re-parse of every `LIMIT ?` statement), a page
/// cache per connection and no global allocation statistics (no global
/// mutexes). Benchmark figures, so their causes are pinned here.
#[test]
fn the_bundled_sqlite_is_built_for_concurrent_readers() {
    #[derive(diesel::QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = diesel::sql_types::Text)]
        compile_options: String,
    }
    let mut conn = diesel::SqliteConnection::establish(":memory:").unwrap();
    let options: Vec<CompileOption> = diesel::sql_query("PRAGMA compile_options")
        .load(&mut conn)
        .unwrap();
    let options: Vec<&str> = options.iter().map(|o| o.compile_options.as_str()).collect();
    assert!(options.contains(&"ENABLE_QPSG"), "{options:?}");
    assert!(options.contains(&"DEFAULT_MEMSTATUS=0"), "{options:?}");
    assert!(
        !options.contains(&"ENABLE_MEMORY_MANAGEMENT"),
        "{options:?}"
    );
}

#[test]
fn the_binary_serves_and_stops_gracefully_on_sigterm() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_clinic-cms"))
        .current_dir(dir.path())
        .env_clear()
        .env("BIND_ADDR", "127.0.0.1:0")
        .env("RUST_LOG", "info")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("start clinic-cms");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let serving = lines
        .by_ref()
        .map_while(Result::ok)
        .find(|line| line.contains("clinic-cms is serving"));
    assert!(serving.is_some(), "the server never said it was serving");
    // The default database path, created with its folder in the working directory.
    assert!(dir.path().join("data/clinic-cms.db").is_file());

    let killed = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status()
        .unwrap();
    assert!(killed.success());
    let deadline = Instant::now() + Duration::from_secs(15);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "no exit within 15 s of SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status}");
}

/// Another process holds the write lock (SQLite: a backup tool, a second
/// server on the same file; PostgreSQL: a session holding the lock content
/// writers take to record their change): writes answer 503 with `Retry-After` after the
/// configured wait, nothing is half-written, readers go on, and on SQLite
/// `/readyz` says the database cannot take writes.
#[tokio::test]
async fn a_database_locked_by_another_process_is_a_503_with_retry_after() {
    use diesel::connection::SimpleConnection;
    let on_postgres = crate::helpers::postgres_server().is_some();
    let app = crate::helpers::spawn_app_with(&[("DATABASE_TIMEOUT_SECS", "1")]).await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/articles/1";
    let (before, etag) = app.get_item(path, &token).await;

    let url = clinic_cms::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut other =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(1)).unwrap();
    other
        .batch_execute(&if on_postgres {
            format!(
                "BEGIN; SELECT pg_advisory_xact_lock({})",
                clinic_cms::db::backend::CHANGES_LOCK
            )
        } else {
            "BEGIN IMMEDIATE".to_string()
        })
        .unwrap();

    let res = app
        .patch(
            path,
            &token,
            &etag,
            &serde_json::json!({"title": "While locked"}),
        )
        .await;
    assert!(res.headers().contains_key("retry-after"));
    let problem = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
    assert!(
        !problem.to_string().contains("lock"),
        "no internals: {problem}"
    );
    if !on_postgres {
        let res = app.get("/readyz").await;
        assert!(res.headers().contains_key("retry-after"));
        let problem = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("writes"),
            "{problem}"
        );
    }
    // Readers are served meanwhile.
    assert_eq!(app.get("/api/v1/articles").await.status(), StatusCode::OK);

    other.batch_execute("ROLLBACK").unwrap();
    assert_eq!(app.get_ok("/readyz").await["status"], "ok");
    let (after, etag_after) = app.get_item(path, &token).await;
    assert_eq!((after, etag_after), (before, etag), "nothing was written");
}

/// More logins at once than the password workers queue: the rest are told
/// what is full and when to come back, not that the database is down.
#[tokio::test]
async fn a_full_password_queue_is_a_503_that_says_so() {
    let app = spawn_app().await;
    let requests =
        (0..300).map(|_| app.login(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD));
    let answers = futures_util::future::join_all(requests).await;
    let mut busy = 0;
    for res in answers {
        match res.status() {
            StatusCode::OK => {}
            StatusCode::SERVICE_UNAVAILABLE => {
                busy += 1;
                assert!(res.headers().contains_key("retry-after"));
                let problem = assert_problem(res, StatusCode::SERVICE_UNAVAILABLE).await;
                let detail = problem["detail"].as_str().unwrap();
                assert!(
                    detail.contains("password") && !detail.contains("database"),
                    "{detail}"
                );
            }
            other => panic!("unexpected {other}"),
        }
    }
    assert!(busy > 0, "300 logins at once should overflow a queue of 64");
}

/// The bundled libpq and OpenSSL speak TLS: with `sslmode=require` (as
/// `scripts/start-postgres.sh` hands out) the server reports the connection
/// encrypted.
#[test]
fn postgres_connections_use_tls_when_asked() {
    use diesel::RunQueryDsl;
    let Some(server) = crate::helpers::postgres_server() else {
        eprintln!("skipped: TEST_DATABASE_URL is not set (CI sets it)");
        return;
    };
    if !server.contains("sslmode=require") {
        eprintln!("skipped: TEST_DATABASE_URL does not ask for TLS");
        return;
    }
    #[derive(diesel::QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Bool)]
        ssl: bool,
    }
    let url = clinic_cms::config::DatabaseUrl::parse(&server).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
    let clinic_cms::db::DbConnection::Postgresql(pg) = &mut conn else {
        panic!("a PostgreSQL URL opens a PostgreSQL connection");
    };
    let row: Row = diesel::sql_query("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
        .get_result(pg)
        .unwrap();
    assert!(row.ssl, "the connection is not encrypted");
}

/// Logs go to files, pipes and journald as plain text: colour codes are for
/// a person at a terminal only.
#[test]
fn logs_written_to_a_pipe_carry_no_colour_codes() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-cms"))
        .arg("migrate")
        .env_clear()
        .env(
            "DATABASE_URL",
            format!("sqlite://{}", dir.path().join("log.db").display()),
        )
        .env("RUST_LOG", "info")
        .output()
        .unwrap();
    assert!(out.status.success());
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(log.contains("applied migration"), "{log}");
    assert!(
        !log.contains('\u{1b}'),
        "colour codes in a piped log: {log:?}"
    );
}
