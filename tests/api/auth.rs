//! Login, tokens and their attacks, refresh rotation, logout, rate limits.

use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, JWT_SECRET};

#[tokio::test]
async fn login_returns_a_token_pair_and_me_answers_with_it() {
    let app = spawn_app().await;
    let pair = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(pair["token_type"], "Bearer");
    assert_eq!(pair["expires_in"], 900);
    assert_eq!(pair["refresh_token"].as_str().unwrap().len(), 64);
    assert_eq!(pair["user"]["email"], ADMIN_EMAIL);
    assert_eq!(pair["user"]["role"], "admin");
    assert!(pair["user"].get("password").is_none() && pair["user"].get("password_hash").is_none());
    let token = pair["access_token"].as_str().unwrap();
    let me = app.get_auth("/api/v1/auth/me", token).await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(
        me.json::<Value>().await.unwrap()["data"]["email"],
        ADMIN_EMAIL
    );
    // Emails are compared case-insensitively.
    app.login_ok(&ADMIN_EMAIL.to_uppercase(), ADMIN_PASSWORD)
        .await;
}

#[tokio::test]
async fn wrong_password_and_unknown_email_give_the_same_401() {
    let app = spawn_app().await;
    let wrong = assert_problem(
        app.login(ADMIN_EMAIL, "not the password!").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let unknown = assert_problem(
        app.login("nobody@clinic.test", "not the password!").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(wrong, unknown);
    // A byline without a password (the sample's author) cannot log in either.
    let byline = assert_problem(
        app.login("editorial@clinic.example", "anything at all")
            .await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    assert_eq!(byline, wrong);
}

#[tokio::test]
async fn the_admin_api_needs_a_token() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/admin/articles",
        "/api/v1/auth/me",
        "/api/v1/admin/users",
    ] {
        let res = app.get(path).await;
        assert_eq!(res.headers()["www-authenticate"], "Bearer");
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    let res = app
        .client
        .get(app.url("/api/v1/admin/articles"))
        .header("Authorization", "Basic abc")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

/// Claims of a token in session `SID` (set per test from a real login).
fn claims(sub: &str, role: &str, exp_offset: i64) -> Value {
    let now = chrono::Utc::now().timestamp();
    let sid = SID.with(|s| s.borrow().clone());
    json!({"sub": sub, "role": role, "iat": now, "exp": now + exp_offset, "jti": "x", "sid": sid})
}

thread_local! {
    static SID: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// The session id inside a token the server issued.
pub fn session_of(token: &str) -> String {
    let mut validation = jsonwebtoken::Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    let data = jsonwebtoken::decode::<Value>(
        token,
        &jsonwebtoken::DecodingKey::from_secret(JWT_SECRET.as_bytes()),
        &validation,
    )
    .unwrap();
    data.claims["sid"].as_str().unwrap().to_string()
}

fn b64(bytes: &[u8]) -> String {
    use std::fmt::Write;
    // base64url without padding, enough for a forged header and payload.
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            let _ = out.write_char(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn assert_rejected(app: &TestApp, token: &str, what: &str) {
    let res = app.get_auth("/api/v1/auth/me", token).await;
    assert_eq!(
        res.status(),
        StatusCode::UNAUTHORIZED,
        "{what} was accepted"
    );
}

#[tokio::test]
async fn forged_tampered_and_expired_tokens_are_401() {
    let app = spawn_app().await;
    let good = app.admin_token().await;
    let admin_id = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await["user"]["id"].to_string();
    SID.with(|s| *s.borrow_mut() = session_of(&good));

    let none_header = b64(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = b64(claims(&admin_id, "admin", 600).to_string().as_bytes());
    assert_rejected(&app, &format!("{none_header}.{payload}."), "alg none").await;

    let hs512 = encode(
        &Header::new(Algorithm::HS512),
        &claims(&admin_id, "admin", 600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_rejected(&app, &hs512, "another algorithm").await;

    let other_key = encode(
        &Header::new(Algorithm::HS256),
        &claims(&admin_id, "admin", 600),
        &EncodingKey::from_secret(b"another-secret-another-secret-000"),
    )
    .unwrap();
    assert_rejected(&app, &other_key, "another key").await;

    let expired = encode(
        &Header::new(Algorithm::HS256),
        &claims(&admin_id, "admin", -5),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_rejected(&app, &expired, "an expired token").await;

    let mut parts: Vec<String> = good.split('.').map(String::from).collect();
    parts[1] = b64(claims("999", "admin", 600).to_string().as_bytes());
    assert_rejected(&app, &parts.join("."), "a tampered payload").await;
    assert_rejected(&app, "not-a-jwt", "garbage").await;

    // The right key and algorithm still work, so the rejections above are real.
    let valid = encode(
        &Header::new(Algorithm::HS256),
        &claims(&admin_id, "admin", 600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_eq!(
        app.get_auth("/api/v1/auth/me", &valid).await.status(),
        StatusCode::OK
    );

    // A well-signed token without a live session is refused: one of
    // another session id, and one naming none (issued before sessions).
    SID.with(|s| *s.borrow_mut() = "0".repeat(32));
    let unknown_session = encode(
        &Header::new(Algorithm::HS256),
        &claims(&admin_id, "admin", 600),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_rejected(&app, &unknown_session, "a token of no session").await;
    let now = chrono::Utc::now().timestamp();
    let sessionless = encode(
        &Header::new(Algorithm::HS256),
        &json!({"sub": admin_id, "role": "admin", "iat": now, "exp": now + 600, "jti": "y"}),
        &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
    )
    .unwrap();
    assert_rejected(&app, &sessionless, "a token naming no session").await;
}

#[tokio::test]
async fn disabling_deleting_or_demoting_takes_effect_on_the_next_request() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (editor_id, editor) = app.user_with_role("editor").await;
    assert_eq!(
        app.get_auth("/api/v1/admin/articles", &editor)
            .await
            .status(),
        StatusCode::OK
    );

    // Demoted to author: the old token is refused at once, and with a new
    // one publishing is not allowed.
    let path = format!("/api/v1/admin/users/{editor_id}");
    let (user, etag) = app.get_item(&path, &admin).await;
    let res = app
        .patch(&path, &admin, &etag, &json!({"role": "author"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_rejected(&app, &editor, "a demoted user's old token").await;
    let email = user["data"]["email"].as_str().unwrap();
    let author = app.login_ok(email, crate::helpers::PASSWORD).await["access_token"]
        .as_str()
        .unwrap()
        .to_string();
    let res = app
        .send(
            Method::POST,
            "/api/v1/admin/articles/1/publish",
            Some(&author),
            None,
            None,
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let editor = author;

    // Disabled: the token stops working.
    let (_, etag) = app.get_item(&path, &admin).await;
    assert_eq!(
        app.patch(&path, &admin, &etag, &json!({"disabled": true}))
            .await
            .status(),
        StatusCode::OK
    );
    assert_rejected(&app, &editor, "a disabled user's token").await;

    // Deleted: likewise.
    let (_, other) = app.user_with_role("editor").await;
    let me: Value = app
        .get_auth("/api/v1/auth/me", &other)
        .await
        .json()
        .await
        .unwrap();
    let other_path = format!("/api/v1/admin/users/{}", me["data"]["id"]);
    let (_, etag) = app.get_item(&other_path, &admin).await;
    assert_eq!(
        app.delete(&other_path, &admin, &etag).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_rejected(&app, &other, "a deleted user's token").await;
}

#[tokio::test]
async fn refresh_rotates_and_a_reused_token_revokes_the_family() {
    let app = spawn_app().await;
    let first = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let res = app.refresh(r1).await;
    assert_eq!(res.status(), StatusCode::OK);
    let second: Value = res.json().await.unwrap();
    let r2 = second["data"]["refresh_token"]
        .as_str()
        .unwrap()
        .to_string();
    assert_ne!(r1, r2);
    let access = second["data"]["access_token"].as_str().unwrap();
    assert_eq!(
        app.get_auth("/api/v1/auth/me", access).await.status(),
        StatusCode::OK
    );

    // r1 is spent: presenting it again is theft, and takes r2 down with it,
    // and the access tokens of that login.
    assert_problem(app.refresh(r1).await, StatusCode::UNAUTHORIZED).await;
    assert_problem(app.refresh(&r2).await, StatusCode::UNAUTHORIZED).await;
    for token in [first["access_token"].as_str().unwrap(), access] {
        assert_eq!(
            app.get_auth("/api/v1/auth/me", token).await.status(),
            StatusCode::UNAUTHORIZED
        );
    }

    // Another login (another family) is untouched.
    let other = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(
        app.refresh(other["refresh_token"].as_str().unwrap())
            .await
            .status(),
        StatusCode::OK
    );
    assert_problem(
        app.refresh("0".repeat(64).as_str()).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_refresh_token() {
    let app = spawn_app().await;
    let pair = app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let token = pair["refresh_token"].as_str().unwrap();
    let res = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            None,
            Some(&json!({"refresh_token": token})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_problem(app.refresh(token).await, StatusCode::UNAUTHORIZED).await;
    // Logging out twice, or with garbage, is still 204.
    let res = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            None,
            Some(&json!({"refresh_token": token})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn failed_logins_are_limited_per_account_with_retry_after() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let body = json!({"email": "other@clinic.test", "name": "Other", "password": crate::helpers::PASSWORD, "role": "editor"});
    assert_eq!(
        app.post("/api/v1/admin/users", &admin, &body)
            .await
            .status(),
        StatusCode::CREATED
    );
    for _ in 0..10 {
        assert_problem(
            app.login(ADMIN_EMAIL, "wrong password!!").await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
    }
    // Even the right password is refused now, so guessing cannot go on.
    let res = app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    let retry_after: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry_after > 0 && retry_after <= 900, "{retry_after}");
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // Another account from the same address is not blocked (11 failures < 20).
    app.login_ok("other@clinic.test", crate::helpers::PASSWORD)
        .await;
}

#[tokio::test]
async fn failed_logins_are_limited_per_address() {
    let app = spawn_app().await;
    for i in 0..20 {
        let res = app
            .login(&format!("nobody{i}@clinic.test"), "wrong password!!")
            .await;
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    assert_problem(
        app.login(ADMIN_EMAIL, ADMIN_PASSWORD).await,
        StatusCode::TOO_MANY_REQUESTS,
    )
    .await;
}

#[tokio::test]
async fn successful_logins_do_not_count_towards_the_limit() {
    let app = spawn_app().await;
    for _ in 0..25 {
        app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
    }
}

#[test]
fn the_cli_creates_a_user_who_can_log_in() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-cms"))
        .args([
            "user",
            "create",
            "--email",
            "Cli@Clinic.test",
            "--role",
            "editor",
            "--password-stdin",
        ])
        .env_clear()
        .env("DATABASE_URL", &db)
        .env("RUST_LOG", "off")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a cli password 42\n")
        .unwrap();
    assert!(child.wait().unwrap().success());

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let app = crate::helpers::spawn_app_with(&[("DATABASE_URL", &db)]).await;
        let pair = app.login_ok("cli@clinic.test", "a cli password 42").await;
        assert_eq!(pair["user"]["role"], "editor");
    });

    // A short password is refused, and nothing is created.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-cms"))
        .args([
            "user",
            "create",
            "--email",
            "short@clinic.test",
            "--role",
            "editor",
            "--password-stdin",
        ])
        .env_clear()
        .env("DATABASE_URL", &db)
        .env("RUST_LOG", "off")
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(b"short\n").unwrap();
    assert!(!child.wait().unwrap().success());
}
