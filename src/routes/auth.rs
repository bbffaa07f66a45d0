//! `/api/v1/auth`: login, refresh, logout, me.

use actix_web::{get, post, web, HttpRequest, HttpResponse};
use chrono::Duration;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::app::AppState;
use crate::auth::{
    can, hash_refresh_token, new_refresh_token, random_bytes, AuthUser, Password,
    ACCESS_TOKEN_SECONDS, REFRESH_TOKEN_DAYS,
};
use crate::content::activity::Activity;
use crate::content::now;
use crate::content::refresh_token::RefreshToken;
use crate::content::session::Session;
use crate::content::user::{User, UserRecord, UserView};
use crate::error::ApiError;
use crate::rate_limit::LoginGate;
use crate::routes::{no_store, Allowed, Item, Reply};
use crate::routes::{text, Json};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// At most 254 characters (no account's email is longer).
    #[schema(schema_with = text::optional::<254>)]
    pub email: String,
    /// At most 1024 characters (no account's password is longer).
    #[schema(write_only, schema_with = text::optional::<1024>)]
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    #[schema(schema_with = text::any)]
    pub refresh_token: String,
}

/// A new password for the signed-in account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordChange {
    #[schema(write_only, schema_with = text::optional::<1024>)]
    pub current_password: String,
    /// 12..=1024 characters.
    #[schema(write_only, schema_with = text::password)]
    pub new_password: String,
}

/// A token pair and who it belongs to.
#[derive(Debug, Serialize, ToSchema)]
pub struct TokenPair {
    /// A JWT for `Authorization: Bearer`; lives `expires_in` seconds.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_in: i64,
    /// Opaque; exchange it at `/auth/refresh` for a new pair. Each works once.
    pub refresh_token: String,
    pub user: UserView,
    /// The session (refresh-token family) the pair belongs to; not sent.
    #[serde(skip)]
    pub(super) session: String,
}

const LOGIN_FAILED: &str = "the email or the password is wrong";

/// The client address the login limits count against (see `TRUST_PROXY`).
fn client_address(req: &HttpRequest, state: &AppState) -> String {
    let Some(peer) = req.peer_addr().map(|a| a.ip()) else {
        return "unknown".into();
    };
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok());
    state.config.trust_proxy.client(peer, forwarded).to_string()
}

/// Waits at the login limits, or refuses with `429` while this address is locked out.
async fn pass_login_limits(state: &AppState, address: &str, account: &str) -> Result<(), ApiError> {
    match state.login_limiter.check(address, account) {
        LoginGate::Open => Ok(()),
        LoginGate::SlowDown(wait) => {
            tokio::time::sleep(wait).await;
            Ok(())
        }
        LoginGate::Locked(retry_after_secs) => Err(ApiError::TooManyRequests { retry_after_secs }),
    }
}

/// Starts a session (a login) for `user` and issues its first pair —
/// unless the account changed since its password was checked (a new
/// password, disabled, deleted): a login racing a password change must not
/// outlive it.
fn start_session(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    user: &UserRecord,
) -> Result<TokenPair, ApiError> {
    // A credential change waits for this login, and ends its session, or
    // this login waits for the change, and sees the new password.
    crate::db::backend::share_row(conn, "users", user.id)?;
    match User::find(conn, user.id) {
        Ok(now) if now.password_hash == user.password_hash && !now.disabled => {}
        Ok(_) | Err(diesel::result::Error::NotFound) => {
            return Err(ApiError::Unauthorized(LOGIN_FAILED.into()))
        }
        Err(e) => return Err(e.into()),
    }
    let at = now();
    RefreshToken::purge_expired(conn, at)?;
    Session::purge_finished(conn)?;
    let session = hex::encode(random_bytes(16));
    Session::start(conn, &session, user.id, at)?;
    issue_pair(state, conn, user, &session)
}

/// Issues a new pair for `user`, in session (refresh-token family) `family`.
fn issue_pair(
    state: &AppState,
    conn: &mut crate::db::DbConnection,
    user: &UserRecord,
    family: &str,
) -> Result<TokenPair, ApiError> {
    let (refresh_token, hash) = new_refresh_token();
    let at = now();
    RefreshToken::insert(
        conn,
        user.id,
        family,
        &hash,
        at + Duration::days(REFRESH_TOKEN_DAYS),
        at,
    )?;
    Ok(TokenPair {
        access_token: state.tokens.issue(user, family)?,
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        refresh_token,
        user: user.view(conn)?,
        session: family.to_string(),
    })
}

/// Log in with email and password.
#[utoipa::path(
    request_body = LoginRequest,
    responses(
        (status = 200, description = "A token pair", body = Item<TokenPair>),
        (status = 401, description = "Wrong email or password (the same answer for both)"),
        (status = 429, description = "Too many failures from this address or for this account; see `Retry-After`"),
    )
)]
#[post("/auth/login")]
pub async fn login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Reply {
    let pair = authenticate(&req, &state, body.into_inner()).await?;
    Ok(no_store(HttpResponse::Ok()).json(Item { data: pair }))
}

/// Checks an email and password (within the login limits) and starts a
/// session: what both logins (bearer and the studio's cookie) do.
pub(super) async fn authenticate(
    req: &HttpRequest,
    state: &web::Data<AppState>,
    LoginRequest { email, password }: LoginRequest,
) -> Result<TokenPair, ApiError> {
    // Longer than any account's: refused before it costs memory or hashing time.
    let mut checks = crate::routes::admin::Checks::default();
    checks.text("email", &email, 254);
    checks.text("password", &password, 1024);
    checks.finish()?;
    let account = email.trim().to_lowercase();
    let address = client_address(req, state);
    pass_login_limits(state, &address, &account).await?;
    let lookup = account.clone();
    let user = state
        .db
        .run(move |conn| Ok(User::find_by_email(conn, &lookup)?))
        .await?;
    let hash = user
        .as_ref()
        .filter(|u| !u.disabled)
        .and_then(|u| u.password_hash.clone());
    let verified = state.passwords.verify(hash, password).await?;
    let user = match user {
        Some(user) if verified => user,
        _ => {
            state.login_limiter.record_failure(&address, &account);
            tracing::info!(%address, "failed login");
            return Err(ApiError::Unauthorized(LOGIN_FAILED.into()));
        }
    };
    let app = state.clone();
    state
        .db
        .write(move |conn| start_session(&app, conn, &user))
        .await
}

/// Exchange a refresh token for a new pair. The old one stops working;
/// presenting a spent one revokes every token of its login.
#[utoipa::path(
    request_body = RefreshRequest,
    responses(
        (status = 200, description = "A new token pair", body = Item<TokenPair>),
        (status = 401, description = "Unknown, spent, revoked or expired refresh token"),
    )
)]
#[post("/auth/refresh")]
pub async fn refresh(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Reply {
    let pair = rotate(&state, body.refresh_token.trim()).await?;
    Ok(no_store(HttpResponse::Ok()).json(Item { data: pair }))
}

/// Spends a refresh token for a new pair; a spent one presented again
/// ends its session.
pub(super) async fn rotate(
    state: &web::Data<AppState>,
    presented: &str,
) -> Result<TokenPair, ApiError> {
    let hash = hash_refresh_token(presented);
    let app = state.clone();
    // Reuse is recorded (family revoked) even though the request fails, so
    // the revocation must commit: decide first, then answer.
    state
        .db
        .write(
            move |conn| -> Result<Result<TokenPair, ApiError>, ApiError> {
                let at = now();
                let invalid = || {
                    Ok(Err(ApiError::Unauthorized(
                        "the refresh token is not valid".into(),
                    )))
                };
                let Some(token) = RefreshToken::find_by_hash(conn, &hash)? else {
                    return invalid();
                };
                if token.revoked_at.is_some()
                    || token.expires_at <= at
                    || !Session::is_active(conn, &token.family, token.user_id)?
                {
                    return invalid();
                }
                if token.used_at.is_some() || !RefreshToken::spend(conn, token.id, at)? {
                    tracing::warn!(
                        user_id = token.user_id,
                        "refresh token reused: ending its session"
                    );
                    // Its access tokens too: whoever holds the stolen pair is out.
                    Session::end(conn, &token.family, at)?;
                    return invalid();
                }
                let user = match User::find(conn, token.user_id) {
                    Ok(user) if !user.disabled => user,
                    _ => return invalid(),
                };
                Ok(Ok(issue_pair(&app, conn, &user, &token.family)?))
            },
        )
        .await?
}

/// Log out: end the login of this refresh token — the token, every token
/// rotated from it, and the access tokens issued with them. Always `204`.
#[utoipa::path(
    request_body = RefreshRequest,
    responses((status = 204, description = "Revoked (or was not valid anyway)"))
)]
#[post("/auth/logout")]
pub async fn logout(state: web::Data<AppState>, body: Json<RefreshRequest>) -> Reply {
    end_session(&state, body.refresh_token.trim()).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Ends the session of a refresh token, if it names one.
pub(super) async fn end_session(
    state: &web::Data<AppState>,
    presented: &str,
) -> Result<(), ApiError> {
    let hash = hash_refresh_token(presented);
    state
        .db
        .write(move |conn| {
            if let Some(token) = RefreshToken::find_by_hash(conn, &hash)? {
                Session::end(conn, &token.family, now())?;
            }
            Ok(())
        })
        .await
}

/// The current user.
#[utoipa::path(
    security(("bearer" = [])),
    responses((status = 200, description = "The account behind the access token", body = Item<UserView>))
)]
#[get("/auth/me")]
pub async fn me(account: Allowed<can::SignedIn>) -> Reply {
    let id = account.user.id;
    let view = account
        .read(move |conn| Ok(User::find(conn, id)?.view(conn)?))
        .await?;
    Ok(no_store(HttpResponse::Ok()).json(Item { data: view }))
}

/// Change the signed-in account's password. Every session of the account
/// ends (other devices are signed out); the answer is a new token pair for
/// this one.
#[utoipa::path(
    request_body = PasswordChange,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Changed; a token pair of a new session", body = Item<TokenPair>),
        (status = 403, description = "`current_password` is not the account's password"),
        (status = 422, description = "The new password is too short or too long"),
        (status = 429, description = "Too many wrong current passwords; see `Retry-After`"),
    )
)]
#[post("/auth/password")]
pub async fn change_password(
    req: HttpRequest,
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<PasswordChange>,
) -> Reply {
    let PasswordChange {
        current_password,
        new_password,
    } = body.into_inner();
    let mut checks = crate::routes::admin::Checks::default();
    checks.text("current_password", &current_password, 1024);
    let new_password = Password::parse(&new_password)
        .map_err(|message| checks.fail("new_password", message))
        .ok();
    checks.finish()?;
    let Some(new_password) = new_password else {
        return Err(ApiError::invalid_field("new_password", "is not valid"));
    };
    let id = user.id;
    let record = state.db.run(move |conn| Ok(User::find(conn, id)?)).await?;
    // Guessing the current password with a stolen token is limited like a login.
    let address = client_address(&req, &state);
    pass_login_limits(&state, &address, &record.email).await?;
    let verified = state
        .passwords
        .verify(record.password_hash.clone(), current_password)
        .await?;
    if !verified {
        state.login_limiter.record_failure(&address, &record.email);
        // 403, not 401: the session is fine, this action was refused.
        return Err(ApiError::Forbidden(
            "current_password is not the account's password".into(),
        ));
    }
    let hash = state.passwords.hash(new_password).await?;
    let app = state.clone();
    let pair = state
        .db
        .write(move |conn| {
            let at = now();
            User::set_password(conn, id, &hash, at)?;
            Session::end_all_for_user(conn, id, at)?;
            Activity::record(conn, id, "changed password", "user", id, &record.email, at)?;
            let record = User::find(conn, id)?;
            start_session(&app, conn, &record)
        })
        .await?;
    Ok(no_store(HttpResponse::Ok()).json(Item { data: pair }))
}
