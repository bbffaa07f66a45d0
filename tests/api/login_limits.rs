//! Login limits behind proxies: the address is the one a trusted proxy saw, and nobody locks out an owner from elsewhere.

use std::time::{Duration, Instant};

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{
    assert_problem, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD,
};

async fn login_via(
    app: &TestApp,
    forwarded_for: &str,
    email: &str,
    password: &str,
) -> reqwest::Response {
    app.client
        .post(app.url("/api/v1/auth/login"))
        .header("X-Forwarded-For", forwarded_for)
        .json(&json!({"email": email, "password": password}))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_attacker_elsewhere_cannot_lock_the_owner_out() {
    let app = spawn_app_with(&[("TRUST_PROXY", "1")]).await;
    for _ in 0..10 {
        let res = login_via(&app, "203.0.113.66", ADMIN_EMAIL, "a wrong guess!!").await;
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    // The attacker's address is locked out of this account …
    let res = login_via(&app, "203.0.113.66", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(res.headers().contains_key("retry-after"));
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // … the owner, from their own address, is not.
    let res = login_via(&app, "198.51.100.7", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_address_is_the_one_the_proxy_appended_not_the_one_the_client_wrote() {
    let app = spawn_app_with(&[("TRUST_PROXY", "1")]).await;
    // Each request claims a new address on the left; the proxy appended the real one.
    for i in 0..20 {
        let forwarded = format!("10.9.8.{i}, 203.0.113.9");
        let res = login_via(
            &app,
            &forwarded,
            &format!("nobody{i}@clinic.test"),
            "wrong!",
        )
        .await;
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    let res = login_via(&app, "10.9.8.200, 203.0.113.9", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    // Another real address is fine.
    let res = login_via(
        &app,
        "10.9.8.200, 203.0.113.10",
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn without_a_trusted_proxy_the_header_is_ignored() {
    let app = spawn_app().await;
    for i in 0..20 {
        let res = login_via(
            &app,
            &format!("198.51.100.{i}"),
            &format!("nobody{i}@clinic.test"),
            "wrong!",
        )
        .await;
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    let res = login_via(&app, "192.0.2.44", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_problem(res, StatusCode::TOO_MANY_REQUESTS).await;
}

#[tokio::test]
async fn many_addresses_slow_an_account_down_but_the_owner_still_gets_in() {
    let app = spawn_app_with(&[("TRUST_PROXY", "10.0.0.0/8, 127.0.0.1")]).await;
    for i in 0..21 {
        let forwarded = format!("203.0.113.{i}, 10.0.0.1");
        let res = login_via(&app, &forwarded, ADMIN_EMAIL, "a wrong guess!!").await;
        assert_problem(res, StatusCode::UNAUTHORIZED).await;
    }
    let started = Instant::now();
    let res = login_via(&app, "198.51.100.7, 10.0.0.1", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        started.elapsed() >= Duration::from_millis(900),
        "past 20 failures from anywhere, each attempt on the account waits: {:?}",
        started.elapsed()
    );
}

/// Failed logins are remembered per key for 15 minutes: a key of a megabyte
/// each time filled memory. Emails and passwords longer than any account's
/// are refused before they cost anything.
#[tokio::test]
async fn over_long_credentials_are_refused_before_they_are_remembered() {
    let app = spawn_app().await;
    let email = format!("a{}@clinic.example", "x".repeat(300_000));
    let res = app.login(&email, "wrong").await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "email");
    let res = app.login(ADMIN_EMAIL, &"p".repeat(2000)).await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    app.login_ok(ADMIN_EMAIL, ADMIN_PASSWORD).await;
}
