//! `AppState` and the HTTP application, built the same way by `main` and the tests.

use std::sync::Arc;

use actix_web::dev::{ResourceDef, Server};
use actix_web::http::header::{self, HeaderValue};
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::{web, App, HttpRequest, HttpResponse, ResponseError};
use anyhow::Context;
use utoipa_actix_web::AppExt;

use crate::auth::{Passwords, TokenKeys};
use crate::cache::memo::Memo;
use crate::cache::{public_cache, ResponseCache};
use crate::config::Config;
use crate::db::DbPool;
use crate::error::{problem_for_bare_errors, problem_response, ApiError};
use crate::middleware::{
    body_deadline, catch_panic, connection_phase, head_as_get, request_span, security_headers,
    BodyDeadline,
};
use crate::rate_limit::LoginLimiter;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub db: DbPool<ApiError>,
    pub config: Arc<Config>,
    /// The OpenAPI document, rendered once at start.
    pub openapi_json: Arc<str>,
    /// Every documented path and the methods it allows, for `405 Allow`.
    pub routes: Arc<Vec<(ResourceDef, String)>>,
    pub tokens: TokenKeys,
    pub passwords: Passwords,
    pub login_limiter: Arc<LoginLimiter>,
    pub cache: Arc<ResponseCache>,
    /// What lists learnt and when the next publication is due.
    pub memo: Arc<Memo>,
    /// The media library's store, workers and served files.
    pub media: Arc<crate::media::Library>,
}

/// Argon2 threads (each holds 19 MiB and keeps a core busy while hashing).
const PASSWORD_WORKERS: usize = 2;

/// Largest request body accepted, JSON or otherwise.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

impl AppState {
    /// Opens the database, migrates it, creates the first admin when asked,
    /// and loads the sample content when it is empty.
    pub fn prepare(config: Config) -> anyhow::Result<Self> {
        let db = DbPool::connect(&config.database_url, &config.database_pool)?;
        {
            let mut conn = db.get()?;
            if let (Some(email), Some(password)) = (&config.admin_email, &config.admin_password) {
                crate::auth::create_first_admin(&mut conn, email, password.expose())
                    .context("creating the first admin from ADMIN_EMAIL/ADMIN_PASSWORD")?;
            }
            let rendered = crate::content::article::Article::render_stale(&mut conn)
                .context("rendering bodies made by an older renderer")?;
            if rendered > 0 {
                tracing::info!(
                    articles = rendered,
                    "rendered bodies again for this renderer version"
                );
            }
            crate::sample::seed_if_empty(&mut conn, &config.sample_content)
                .context("loading the sample content")?;
        }
        db.catch_up()?;
        let document = crate::openapi::document();
        Ok(Self {
            db,
            config: Arc::new(config.clone()),
            openapi_json: crate::openapi::document_json().into(),
            routes: Arc::new(documented_routes(&document)),
            tokens: TokenKeys::new(config.jwt_secret.as_ref()),
            passwords: Passwords::new(PASSWORD_WORKERS),
            login_limiter: Arc::new(LoginLimiter::default()),
            cache: Arc::new(ResponseCache::new(
                config.cache_max_bytes,
                crate::cache::query_names(&document),
            )),
            memo: Arc::new(Memo::default()),
            media: Arc::new(
                crate::media::Library::open(&config.media).context("opening the media store")?,
            ),
        })
    }
}

/// Starts serving on `listener`; the returned server stops gracefully on SIGTERM/SIGINT.
pub fn serve(state: AppState, listener: std::net::TcpListener) -> anyhow::Result<Server> {
    // The response cache and the remembered list facts both follow it.
    tokio::spawn(state.db.clone().watch_changes(state.config.cache_poll));
    // Webhook deliveries, and scheduled articles announced as they fall
    // due; it stops with the server (the server's app factory holds `serving`).
    let serving = Arc::new(());
    let dispatcher =
        crate::webhooks::Dispatcher::new(state.db.clone(), state.config.webhooks.clone())?;
    tokio::spawn(dispatcher.run(Arc::downgrade(&serving)));
    let head_timeout = std::time::Duration::from_secs(5);
    let server = crate::server::serve(listener, head_timeout, 10, move || {
        let _serving = &serving;
        let state = state.clone();
        App::new()
            .into_utoipa_app()
            .app_data(web::Data::new(state.clone()))
            .app_data(path_config())
            .app_data(web::PayloadConfig::new(MAX_BODY_BYTES))
            .configure(crate::routes::configure)
            .into_app()
            .service(web::redirect("/docs", "/docs/"))
            .route("/docs/{tail:.*}", web::get().to(docs))
            .configure(crate::studio::configure)
            .default_service(web::to(unknown_route))
            .app_data(BodyDeadline(state.config.request_timeout))
            .wrap(from_fn(catch_panic))
            .wrap(from_fn(public_cache))
            .wrap(from_fn(crate::routes::media::media_hits))
            .wrap(from_fn(head_as_get))
            .wrap(cors(&state.config.cors_allowed_origins))
            .wrap(ErrorHandlers::new().default_handler(problem_for_bare_errors))
            .wrap(from_fn(security_headers))
            // Outside everything that answers, so every answer holds an unread body.
            .wrap(from_fn(body_deadline))
            .wrap(from_fn(connection_phase))
            .wrap(from_fn(request_span))
    })
    .context("listening")?;
    Ok(server)
}

fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err, _req| ApiError::not_found(format!("no such resource: {err}")).into())
}

fn cors(origins: &[String]) -> actix_cors::Cors {
    let base = actix_cors::Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::LOCATION, header::RETRY_AFTER])
        .max_age(3600);
    if origins.iter().any(|o| o == "*") {
        return base.allow_any_origin();
    }
    origins
        .iter()
        .fold(base, |cors, origin| cors.allowed_origin(origin))
}

/// Path patterns of the document (actix and OpenAPI share the `{name}` syntax)
/// with their methods, so a wrong method is told apart from an unknown path.
fn documented_routes(document: &utoipa::openapi::OpenApi) -> Vec<(ResourceDef, String)> {
    document
        .paths
        .paths
        .iter()
        .map(|(path, item)| {
            let methods = [
                (item.get.is_some(), "GET"),
                (item.get.is_some(), "HEAD"),
                (item.post.is_some(), "POST"),
                (item.put.is_some(), "PUT"),
                (item.patch.is_some(), "PATCH"),
                (item.delete.is_some(), "DELETE"),
            ];
            let allow: Vec<&str> = methods
                .iter()
                .filter(|(has, _)| *has)
                .map(|(_, m)| *m)
                .collect();
            (ResourceDef::new(path.as_str()), allow.join(", "))
        })
        .collect()
}

/// No route matched: `405` with `Allow` when the path exists under another
/// method, else `404`.
async fn unknown_route(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let path = req.path();
    if let Some((_, allow)) = state.routes.iter().find(|(def, _)| def.is_match(path)) {
        let mut res = problem_response(
            actix_web::http::StatusCode::METHOD_NOT_ALLOWED,
            format!("{} is not allowed on {path}; use {allow}", req.method()),
            Vec::new(),
        );
        if let Ok(value) = HeaderValue::from_str(allow) {
            res.headers_mut().insert(header::ALLOW, value);
        }
        return res;
    }
    problem_response(
        actix_web::http::StatusCode::NOT_FOUND,
        format!("no resource at {path}"),
        Vec::new(),
    )
}

/// What the docs may load: their own scripts, styles and images (Swagger
/// UI's icons are `data:` images), requests to this server, nothing else.
/// The one hash is the `<style>` element Swagger UI 5.17 inserts itself
/// (scripts/check-browser.sh fails, naming the new hash, if it changes).
const DOCS_CSP: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self' 'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='; \
     img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// Swagger UI, served from assets compiled into the binary (works offline).
async fn docs(path: web::Path<String>) -> HttpResponse {
    // No call to the public validator service (a badge loaded from another origin).
    let config = Arc::new(utoipa_swagger_ui::Config::from("/openapi.json").validator_url("none"));
    match utoipa_swagger_ui::serve(&path.into_inner(), config) {
        Ok(Some(file)) => HttpResponse::Ok()
            .content_type(file.content_type)
            .insert_header((header::CONTENT_SECURITY_POLICY, DOCS_CSP))
            .body(file.bytes.to_vec()),
        Ok(None) => problem_response(
            actix_web::http::StatusCode::NOT_FOUND,
            "no such documentation file".into(),
            Vec::new(),
        ),
        Err(e) => ApiError::Internal(anyhow::anyhow!("swagger ui: {e}")).error_response(),
    }
}
