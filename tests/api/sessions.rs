//! Sessions end when they should: logout, a new password (set by an admin or by its owner), a new role, a disabled account.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp, ADMIN_EMAIL, ADMIN_PASSWORD, PASSWORD};

async fn me_status(app: &TestApp, access_token: &str) -> StatusCode {
    app.get_auth("/api/v1/auth/me", access_token).await.status()
}

fn tokens(pair: &Value) -> (String, String) {
    (
        pair["access_token"].as_str().unwrap().to_string(),
        pair["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// An editor account with two logins (say, a laptop and a phone).
async fn editor_with_two_logins(app: &TestApp) -> (i64, String, Value, Value) {
    let (id, _) = app.user_with_role("editor").await;
    let admin = app.admin_token().await;
    let (user, _) = app
        .get_item(&format!("/api/v1/admin/users/{id}"), &admin)
        .await;
    let email = user["data"]["email"].as_str().unwrap().to_string();
    let laptop = app.login_ok(&email, PASSWORD).await;
    let phone = app.login_ok(&email, PASSWORD).await;
    (id, email, laptop, phone)
}

async fn patch_user(app: &TestApp, id: i64, body: Value) {
    let admin = app.admin_token().await;
    let path = format!("/api/v1/admin/users/{id}");
    let (_, etag) = app.get_item(&path, &admin).await;
    let res = app.patch(&path, &admin, &etag, &body).await;
    assert_eq!(res.status(), StatusCode::OK, "PATCH {path} {body}");
}

#[tokio::test]
async fn an_admin_setting_a_password_ends_every_session_of_that_user() {
    let app = spawn_app().await;
    let (id, email, laptop, phone) = editor_with_two_logins(&app).await;
    for login in [&laptop, &phone] {
        assert_eq!(me_status(&app, &tokens(login).0).await, StatusCode::OK);
    }
    patch_user(&app, id, json!({"password": "a brand new password"})).await;
    for login in [&laptop, &phone] {
        let (access, refresh_token) = tokens(login);
        assert_problem(
            app.get_auth("/api/v1/auth/me", &access).await,
            StatusCode::UNAUTHORIZED,
        )
        .await;
        assert_problem(app.refresh(&refresh_token).await, StatusCode::UNAUTHORIZED).await;
    }
    assert_problem(app.login(&email, PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    let fresh = app.login_ok(&email, "a brand new password").await;
    assert_eq!(me_status(&app, &tokens(&fresh).0).await, StatusCode::OK);
}

#[tokio::test]
async fn a_new_role_or_disabling_ends_the_sessions_and_renaming_does_not() {
    let app = spawn_app().await;
    let (id, email, laptop, _) = editor_with_two_logins(&app).await;

    patch_user(&app, id, json!({"name": "Renamed Editor"})).await;
    assert_eq!(me_status(&app, &tokens(&laptop).0).await, StatusCode::OK);

    patch_user(&app, id, json!({"role": "author"})).await;
    assert_eq!(
        me_status(&app, &tokens(&laptop).0).await,
        StatusCode::UNAUTHORIZED
    );
    assert_problem(
        app.refresh(&tokens(&laptop).1).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;

    let again = app.login_ok(&email, PASSWORD).await;
    patch_user(&app, id, json!({"disabled": true})).await;
    assert_problem(
        app.refresh(&tokens(&again).1).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    // Enabled again, the old login stays ended: only a new one works.
    patch_user(&app, id, json!({"disabled": false})).await;
    assert_problem(
        app.refresh(&tokens(&again).1).await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
    app.login_ok(&email, PASSWORD).await;
}

#[tokio::test]
async fn logout_ends_the_access_token_of_that_login_only() {
    let app = spawn_app().await;
    let (_, _, laptop, phone) = editor_with_two_logins(&app).await;
    // A refreshed pair belongs to the same login as the first.
    let res = app.refresh(&tokens(&laptop).1).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated = res.json::<Value>().await.unwrap()["data"].clone();

    let res = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            None,
            Some(&json!({"refresh_token": tokens(&rotated).1})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    for access in [tokens(&laptop).0, tokens(&rotated).0] {
        let res = app.get_auth("/api/v1/auth/me", &access).await;
        let problem = assert_problem(res, StatusCode::UNAUTHORIZED).await;
        assert!(
            problem["detail"].as_str().unwrap().contains("session"),
            "{problem}"
        );
    }
    assert_eq!(me_status(&app, &tokens(&phone).0).await, StatusCode::OK);
}

#[tokio::test]
async fn changing_ones_own_password_signs_out_everywhere_else() {
    let app = spawn_app().await;
    let (_, email, laptop, phone) = editor_with_two_logins(&app).await;
    let path = "/api/v1/auth/password";

    let wrong = app
        .post(
            path,
            &tokens(&laptop).0,
            &json!({"current_password": "not my password", "new_password": "my new passphrase"}),
        )
        .await;
    let problem = assert_problem(wrong, StatusCode::FORBIDDEN).await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("current_password"));
    let short = app
        .post(
            path,
            &tokens(&laptop).0,
            &json!({"current_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_problem(short, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Nothing changed so far.
    assert_eq!(me_status(&app, &tokens(&phone).0).await, StatusCode::OK);

    let res = app
        .post(
            path,
            &tokens(&laptop).0,
            &json!({"current_password": PASSWORD, "new_password": "my new passphrase"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let fresh = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(me_status(&app, &tokens(&fresh).0).await, StatusCode::OK);
    assert_eq!(
        app.refresh(&tokens(&fresh).1).await.status(),
        StatusCode::OK
    );
    for old in [&laptop, &phone] {
        assert_eq!(
            me_status(&app, &tokens(old).0).await,
            StatusCode::UNAUTHORIZED
        );
        assert_problem(app.refresh(&tokens(old).1).await, StatusCode::UNAUTHORIZED).await;
    }
    assert_problem(app.login(&email, PASSWORD).await, StatusCode::UNAUTHORIZED).await;
    app.login_ok(&email, "my new passphrase").await;
}

#[tokio::test]
async fn the_admins_own_password_change_keeps_them_signed_in_on_this_device() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/auth/password",
            &token,
            &json!({"current_password": ADMIN_PASSWORD, "new_password": "admin passphrase two"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let pair = res.json::<Value>().await.unwrap()["data"].clone();
    assert_eq!(pair["user"]["email"], ADMIN_EMAIL);
    let (access, _) = tokens(&pair);
    assert_eq!(
        app.get_auth("/api/v1/admin/users", &access).await.status(),
        StatusCode::OK
    );
}

/// Logins that checked the old password while it was being changed do not
/// outlive the change: no token from the old password works afterwards.
#[tokio::test]
async fn a_login_racing_a_password_change_does_not_outlive_it() {
    let app = spawn_app().await;
    let (id, email, _, _) = editor_with_two_logins(&app).await;
    let admin = app.admin_token().await;
    let path = format!("/api/v1/admin/users/{id}");
    let (_, etag) = app.get_item(&path, &admin).await;
    // The change's hashing queues among the logins' checks, so some logins
    // check the old password before it commits and start after.
    let logins = (0..30).map(|_| app.login(&email, PASSWORD));
    let body = json!({"password": "a brand new password"});
    let change = app.patch(&path, &admin, &etag, &body);
    let (answers, changed) = tokio::join!(futures_util::future::join_all(logins), change);
    assert_eq!(changed.status(), StatusCode::OK);
    for res in answers {
        if res.status() == StatusCode::OK {
            let pair: Value = res.json().await.unwrap();
            let (access, refresh_token) = tokens(&pair["data"]);
            assert_eq!(me_status(&app, &access).await, StatusCode::UNAUTHORIZED);
            assert_eq!(
                app.refresh(&refresh_token).await.status(),
                StatusCode::UNAUTHORIZED
            );
        }
    }
}
