//! Studio sessions by cookie: the refresh token only in an `HttpOnly`,
//! `SameSite=Strict` cookie on the auth paths; refresh and logout need
//! the CSRF value and a same-site request; bearer clients untouched.

use reqwest::header::{HeaderMap, HeaderName, COOKIE, ORIGIN, SET_COOKIE};
use reqwest::{Method, Response, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, spawn_app, spawn_app_with, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD,
};

/// Each `Set-Cookie`: (name, value, attributes lower-cased).
fn set_cookies(headers: &HeaderMap) -> Vec<(String, String, String)> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| {
            let text = v.to_str().unwrap();
            let (pair, attributes) = text.split_once(';').unwrap_or((text, ""));
            let (name, value) = pair.split_once('=').unwrap();
            (name.into(), value.into(), attributes.to_lowercase())
        })
        .collect()
}

fn cookie<'a>(cookies: &'a [(String, String, String)], name: &str) -> &'a (String, String, String) {
    cookies.iter().find(|c| c.0 == name).expect(name)
}

/// The admin's cookie login, with these extra request headers.
async fn login_with(app: &TestApp, headers: &[(HeaderName, String)]) -> Response {
    let mut req = app
        .client
        .post(app.url("/api/v1/auth/cookie/login"))
        .json(&json!({"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}));
    for (name, value) in headers {
        req = req.header(name, value);
    }
    req.send().await.unwrap()
}

async fn cookie_login(app: &TestApp) -> (Value, Vec<(String, String, String)>) {
    let res = login_with(app, &[]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let cookies = set_cookies(res.headers());
    (res.json::<Value>().await.unwrap()["data"].take(), cookies)
}

async fn cookie_post(
    app: &TestApp,
    path: &str,
    refresh: Option<&str>,
    csrf: Option<&str>,
) -> Response {
    let mut req = app.client.request(Method::POST, app.url(path));
    if let Some(refresh) = refresh {
        req = req.header(COOKIE, format!("clinic_refresh={refresh}"));
    }
    if let Some(csrf) = csrf {
        req = req.header("X-CSRF-Token", csrf);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn the_refresh_token_lives_only_in_an_http_only_cookie() {
    let app = spawn_app().await;
    let (session, cookies) = cookie_login(&app).await;
    assert!(session.get("refresh_token").is_none(), "{session}");
    let access = session["access_token"].as_str().unwrap();
    let me = app.get_auth_json("/api/v1/auth/me", access).await;
    assert_eq!(me["data"]["email"], ADMIN_EMAIL);

    let (_, refresh, attributes) = cookie(&cookies, "clinic_refresh");
    assert!(!refresh.is_empty());
    for wanted in [
        "httponly",
        "samesite=strict",
        "path=/api/v1/auth/cookie",
        "max-age=",
    ] {
        assert!(attributes.contains(wanted), "{wanted} in {attributes}");
    }
    assert!(
        !attributes.contains("secure"),
        "plain http here: {attributes}"
    );
    let (_, csrf, attributes) = cookie(&cookies, "clinic_csrf");
    assert_eq!(csrf, session["csrf_token"].as_str().unwrap());
    assert!(attributes.contains("samesite=strict") && attributes.contains("path=/"));
    assert!(!attributes.contains("httponly"), "the page reads it");

    // Refresh turns the cookie; the old one, presented again, ends the session.
    let res = cookie_post(
        &app,
        "/api/v1/auth/cookie/refresh",
        Some(refresh),
        Some(csrf),
    )
    .await;
    assert_eq!(res.status(), StatusCode::OK);
    let turned = set_cookies(res.headers());
    let body = res.json::<Value>().await.unwrap();
    let (_, new_refresh, _) = cookie(&turned, "clinic_refresh");
    let (_, new_csrf, _) = cookie(&turned, "clinic_csrf");
    assert_ne!(new_refresh, refresh);
    assert_eq!(body["data"]["csrf_token"], new_csrf.as_str());
    // The CSRF value is the session's: another tab's copy stays good.
    assert_eq!(new_csrf, csrf);
    let res = cookie_post(
        &app,
        "/api/v1/auth/cookie/refresh",
        Some(refresh),
        Some(csrf),
    )
    .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let res = cookie_post(
        &app,
        "/api/v1/auth/cookie/refresh",
        Some(new_refresh),
        Some(new_csrf),
    )
    .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn refresh_and_logout_need_the_csrf_value_and_this_site() {
    let app = spawn_app().await;
    let (session, cookies) = cookie_login(&app).await;
    let (_, refresh, _) = cookie(&cookies, "clinic_refresh");
    let csrf = session["csrf_token"].as_str().unwrap();
    let path = "/api/v1/auth/cookie/refresh";
    assert_problem(
        cookie_post(&app, path, Some(refresh), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let wrong = "0".repeat(32);
    assert_problem(
        cookie_post(&app, path, Some(refresh), Some(&wrong)).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    assert_problem(
        cookie_post(&app, path, None, Some(csrf)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let res = app
        .client
        .post(app.url(path))
        .header(COOKIE, format!("clinic_refresh={refresh}"))
        .header("X-CSRF-Token", csrf)
        .header(ORIGIN, "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = login_with(&app, &[(ORIGIN, "https://evil.example".into())]).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;

    // Nothing above spent the token: logout ends the session and removes both cookies.
    let logout = "/api/v1/auth/cookie/logout";
    assert_problem(
        cookie_post(&app, logout, Some(refresh), None).await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = cookie_post(&app, logout, Some(refresh), Some(csrf)).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let removed = set_cookies(res.headers());
    for name in ["clinic_refresh", "clinic_csrf"] {
        let (_, value, attributes) = cookie(&removed, name);
        assert!(
            value.is_empty() && attributes.contains("max-age=0"),
            "{name}: {attributes}"
        );
    }
    assert_problem(
        cookie_post(&app, path, Some(refresh), Some(csrf)).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    let access = session["access_token"].as_str().unwrap();
    assert_problem(
        app.get_auth("/api/v1/auth/me", access).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn over_https_the_cookies_are_secure_and_the_public_origin_is_this_site() {
    let app = spawn_app_with(&[("PUBLIC_URL", "https://cms.clinic.example")]).await;
    let (_, cookies) = cookie_login(&app).await;
    for name in ["clinic_refresh", "clinic_csrf"] {
        assert!(cookie(&cookies, name).2.contains("secure"), "{name}");
    }
    // Behind a proxy the Host may differ: PUBLIC_URL's origin is still this site.
    let res = login_with(&app, &[(ORIGIN, "https://cms.clinic.example".into())]).await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_new_login_ends_the_browser_s_previous_session() {
    let app = spawn_app().await;
    let (first, cookies) = cookie_login(&app).await;
    let (_, old_refresh, _) = cookie(&cookies, "clinic_refresh");
    let res = login_with(&app, &[(COOKIE, format!("clinic_refresh={old_refresh}"))]).await;
    assert_eq!(res.status(), StatusCode::OK);
    let csrf = first["csrf_token"].as_str().unwrap();
    let res = cookie_post(
        &app,
        "/api/v1/auth/cookie/refresh",
        Some(old_refresh),
        Some(csrf),
    )
    .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let access = first["access_token"].as_str().unwrap();
    assert_problem(
        app.get_auth("/api/v1/auth/me", access).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}
