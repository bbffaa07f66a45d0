//! `/api/v1/auth/cookie/*`: sessions for the studio (or any browser app
//! served by this server) that a script cannot steal. The access token is
//! answered in the body, for memory only; the refresh token is set as an
//! `HttpOnly`, `SameSite=Strict` cookie scoped to these paths (`Secure`
//! over HTTPS), never readable by a script. Refresh and logout, which the
//! cookie authenticates, also need `X-CSRF-Token`: a keyed hash of the
//! session only the server can make, answered in the body and in a
//! `clinic_csrf` cookie a page of this origin can read (`SameSite=Strict`,
//! not `HttpOnly`), so another site can neither send the cookie nor know
//! the value. A request
//! whose `Origin` is another site is refused. Bearer clients are untouched.

use actix_web::cookie::{time::Duration as CookieDuration, Cookie, SameSite};
use actix_web::http::header;
use actix_web::{post, web, HttpRequest, HttpResponse};
use serde::Serialize;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use super::auth::{authenticate, end_session, rotate, LoginRequest, TokenPair};
use crate::app::AppState;
use crate::auth::{hash_refresh_token, REFRESH_TOKEN_DAYS};
use crate::content::refresh_token::RefreshToken;
use crate::content::user::UserView;
use crate::error::ApiError;
use crate::routes::{no_store, Item, Json, Reply};

const REFRESH_COOKIE: &str = "clinic_refresh";
const CSRF_COOKIE: &str = "clinic_csrf";
const CSRF_HEADER: &str = "x-csrf-token";
const COOKIE_PATH: &str = "/api/v1/auth/cookie";

/// An access token for memory, and the CSRF value for refresh and logout.
#[derive(Debug, Serialize, ToSchema)]
pub struct BrowserSession {
    /// A JWT for `Authorization: Bearer`; lives `expires_in` seconds.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    pub expires_in: i64,
    /// Send as `X-CSRF-Token` to `/auth/cookie/refresh` and `/auth/cookie/logout`
    /// (also in the `clinic_csrf` cookie, for a page opened again).
    pub csrf_token: String,
    pub user: UserView,
}

/// Log in; the refresh token is set as an `HttpOnly` cookie.
#[utoipa::path(
    request_body = LoginRequest,
    responses(
        (status = 200, description = "Signed in: an access token; `Set-Cookie` holds the refresh token", body = Item<BrowserSession>),
        (status = 401, description = "Wrong email or password (the same answer for both)"),
        (status = 403, description = "The request came from a page of another site (`Origin`)"),
        (status = 429, description = "Too many failures from this address or for this account; see `Retry-After`"),
    )
)]
#[post("/auth/cookie/login")]
pub async fn cookie_login(
    req: HttpRequest,
    state: web::Data<AppState>,
    body: Json<LoginRequest>,
) -> Reply {
    same_origin(&req, &state)?;
    let pair = authenticate(&req, &state, body.into_inner()).await?;
    // A login over a live cookie session ends that one: one session a browser.
    if let Some(old) = req.cookie(REFRESH_COOKIE).filter(|c| !c.value().is_empty()) {
        end_session(&state, old.value()).await?;
    }
    Ok(signed_in(&req, &state, pair))
}

/// A new access token for the session of the refresh cookie (which turns).
#[utoipa::path(
    params(
        ("X-CSRF-Token" = String, Header, description = "The `csrf_token` of the session"),
        ("clinic_refresh" = Option<String>, Cookie, description = "Set by `/auth/cookie/login`"),
    ),
    responses(
        (status = 200, description = "A new access token; `Set-Cookie` turns the refresh token", body = Item<BrowserSession>),
        (status = 401, description = "No session cookie, or its refresh token is unknown, spent, revoked or expired"),
        (status = 403, description = "`X-CSRF-Token` is missing or wrong, or the request came from another site"),
    )
)]
#[post("/auth/cookie/refresh")]
pub async fn cookie_refresh(req: HttpRequest, state: web::Data<AppState>) -> Reply {
    same_origin(&req, &state)?;
    let presented = presented(&req, &state).await?;
    let pair = rotate(&state, &presented).await?;
    Ok(signed_in(&req, &state, pair))
}

/// Sign out: the session ends and both cookies are removed.
#[utoipa::path(
    params(
        ("X-CSRF-Token" = String, Header, description = "The `csrf_token` of the session"),
        ("clinic_refresh" = Option<String>, Cookie, description = "Set by `/auth/cookie/login`"),
    ),
    responses(
        (status = 204, description = "Signed out; the cookies are removed"),
        (status = 401, description = "No session cookie"),
        (status = 403, description = "`X-CSRF-Token` is missing or wrong, or the request came from another site"),
    )
)]
#[post("/auth/cookie/logout")]
pub async fn cookie_logout(req: HttpRequest, state: web::Data<AppState>) -> Reply {
    same_origin(&req, &state)?;
    let presented = presented(&req, &state).await?;
    end_session(&state, &presented).await?;
    let mut res = no_store(HttpResponse::NoContent()).finish();
    for cookie in [
        refresh_cookie(&req, &state, ""),
        csrf_cookie(&req, &state, ""),
    ] {
        let mut cookie = cookie;
        cookie.make_removal();
        let _ = res.add_cookie(&cookie);
    }
    Ok(res)
}

/// The CSRF value of a session: only this server can make it (a keyed
/// hash of the session), and it stays the same while the refresh token
/// turns, so every tab of the session keeps a valid one.
fn csrf_of(state: &AppState, session: &str) -> String {
    state.tokens.tag(&format!("csrf:{session}"))
}

/// The refresh token of the cookie, when `X-CSRF-Token` is its session's.
async fn presented(req: &HttpRequest, state: &web::Data<AppState>) -> Result<String, ApiError> {
    let token = req
        .cookie(REFRESH_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| !v.is_empty())
        .ok_or_else(|| ApiError::Unauthorized("no session cookie".into()))?;
    let hash = hash_refresh_token(&token);
    let session = state
        .db
        .run(move |conn| Ok(RefreshToken::find_by_hash(conn, &hash)?.map(|t| t.family)))
        .await?
        .ok_or_else(|| ApiError::Unauthorized("the session cookie is not valid".into()))?;
    let sent = req
        .headers()
        .get(CSRF_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    // Compared as digests: no timing tells how much of it was right.
    if Sha256::digest(sent) != Sha256::digest(csrf_of(state, &session)) {
        return Err(ApiError::Forbidden(
            "X-CSRF-Token is missing or does not match the session".into(),
        ));
    }
    Ok(token)
}

/// Refuses a request a page of another site sent (browsers send `Origin`
/// on every cross-site POST): the origin must be `PUBLIC_URL`'s, or name
/// the host the request was sent to.
fn same_origin(req: &HttpRequest, state: &AppState) -> Result<(), ApiError> {
    let Some(origin) = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|o| o.to_str().ok())
    else {
        return Ok(());
    };
    let public = state.config.public_url.trim_end_matches('/');
    let host = req.connection_info().host().to_string();
    let same = origin == public
        || origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority == host);
    if same {
        Ok(())
    } else {
        Err(ApiError::Forbidden(
            "sessions by cookie are for pages of this server".into(),
        ))
    }
}

fn signed_in(req: &HttpRequest, state: &AppState, pair: TokenPair) -> HttpResponse {
    let csrf = csrf_of(state, &pair.session);
    let mut res = no_store(HttpResponse::Ok());
    res.cookie(refresh_cookie(req, state, &pair.refresh_token));
    res.cookie(csrf_cookie(req, state, &csrf));
    res.json(Item {
        data: BrowserSession {
            access_token: pair.access_token,
            token_type: pair.token_type,
            expires_in: pair.expires_in,
            csrf_token: csrf,
            user: pair.user,
        },
    })
}

fn secure(req: &HttpRequest, state: &AppState) -> bool {
    req.connection_info().scheme() == "https" || state.config.public_url.starts_with("https://")
}

fn refresh_cookie(req: &HttpRequest, state: &AppState, value: &str) -> Cookie<'static> {
    Cookie::build(REFRESH_COOKIE, value.to_string())
        .path(COOKIE_PATH)
        .http_only(true)
        .secure(secure(req, state))
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::days(REFRESH_TOKEN_DAYS))
        .finish()
}

fn csrf_cookie(req: &HttpRequest, state: &AppState, value: &str) -> Cookie<'static> {
    Cookie::build(CSRF_COOKIE, value.to_string())
        .path("/")
        .secure(secure(req, state))
        .same_site(SameSite::Strict)
        .max_age(CookieDuration::days(REFRESH_TOKEN_DAYS))
        .finish()
}
