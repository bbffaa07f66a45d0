//! `/api/v1/admin/webhooks`: endpoints, their secrets, their delivery log,
//! replays and pings (admins only).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

use super::{created, double_option, item_response, no_content, Checks, IfMatch};
use crate::auth::can;
use crate::content::webhook::delivery::{Deliveries, Delivery};
use crate::content::webhook::events::{pattern_error, EVENT_TYPES, PING};
use crate::content::webhook::{outbox, Endpoint, EndpointFields, Endpoints};
use crate::content::{now, PageRequest};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::{list_params, text, Allowed, Item, Json, PathId, Query, Reply};
use crate::webhooks::{sign, url_error};

const URL_MAX: usize = 2000;
const DESCRIPTION_MAX: usize = 500;
const EVENTS_MAX: usize = 50;
/// The longest a replaced secret keeps signing: a week.
const GRACE_MAX: i64 = 7 * 24 * 3600;

/// A new endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointCreate {
    /// Where events are POSTed: `https://` (plain `http://` only when the
    /// server allows it; `409` when it does not, or for an address webhooks
    /// may not reach).
    #[schema(schema_with = text::url_no_at::<URL_MAX, false>)]
    pub url: String,
    /// Event types (`article.published`), kinds (`article.*`) or `*` (every
    /// public event; `review.*` only when named). Default `["*"]`.
    #[schema(schema_with = events_schema::<true>)]
    pub events: Option<Vec<String>>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<DESCRIPTION_MAX>)]
    pub description: String,
    /// Default true.
    pub enabled: Option<bool>,
}

/// A JSON merge patch of an endpoint.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointPatch {
    #[schema(schema_with = text::url_no_at::<URL_MAX, true>)]
    pub url: Option<String>,
    #[schema(schema_with = events_schema::<true>)]
    pub events: Option<Vec<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<DESCRIPTION_MAX>)]
    pub description: Option<Option<String>>,
    /// Enabling a disabled endpoint clears why it was disabled.
    pub enabled: Option<bool>,
}

/// An endpoint with its secret, shown this once.
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: Endpoint,
    /// `whsec_…`: give it to the receiver's Standard Webhooks library.
    pub secret: String,
}

/// A new secret, and how long the one it replaces keeps signing.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RotateSecret {
    /// Seconds the old secret keeps signing beside the new one (default a
    /// day, at most a week; 0 ends it now).
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 0, maximum = 604800)]
    pub grace_seconds: Option<i32>,
}

list_params! {
    /// `page` and `per_page`.
    pub struct EndpointParams {}
}

/// The subscription list as `check_events` takes it: 1 to 50 distinct
/// entries, each `*`, a kind (`article.*`) or a type; `null` too.
fn events_schema<const NULL: bool>() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, SchemaType, Type};
    let mut names: Vec<String> = vec!["*".into()];
    for event in EVENT_TYPES {
        let kind = format!("{}.*", event.split('.').next().unwrap_or_default());
        if !names.contains(&kind) {
            names.push(kind);
        }
        names.push((*event).to_string());
    }
    let kind = if NULL {
        SchemaType::from_iter([Type::Array, Type::Null])
    } else {
        SchemaType::new(Type::Array)
    };
    ArrayBuilder::new()
        .schema_type(kind)
        .items(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .enum_values(Some(names)),
        )
        .min_items(Some(1))
        .max_items(Some(EVENTS_MAX))
        .unique_items(true)
        .build()
}

/// The URL as the document takes it (an http(s) URL without `@`): `422`
/// otherwise. What this server refuses of such a URL is a `409` (`refused`).
fn check_url(checks: &mut Checks, url: &str) -> String {
    let url = checks.required_text("url", url, URL_MAX);
    if crate::content::WebUrl::parse(&url).is_err() || url.contains('@') {
        checks.fail(
            "url",
            "must be an http(s) URL without spaces or credentials",
        );
    }
    url
}

/// `409` when this server will not send to `url` (plain http, an address
/// webhooks may not reach, a host it cannot parse).
fn refused(url: &str, settings: &crate::webhooks::WebhookSettings) -> Result<(), ApiError> {
    match url_error(url, settings) {
        Some(problem) => Err(ApiError::Conflict(format!("url: the URL {problem}"))),
        None => Ok(()),
    }
}

fn check_fields(checks: &mut Checks, url: &str, events: &[String]) -> String {
    let url = check_url(checks, url);
    check_events(checks, events);
    url
}

/// The endpoint, or `404`.
pub(super) fn find_or_404(conn: &mut DbConnection, id: i32) -> Result<Endpoint, ApiError> {
    Endpoints::find(conn, id).map_err(|e| match e {
        diesel::result::Error::NotFound => ApiError::not_found("no webhook endpoint has this id"),
        other => other.into(),
    })
}

/// The endpoint, locked for a change that `If-Match` allows; its version.
fn lock(conn: &mut DbConnection, id: i32, if_match: &IfMatch) -> Result<(Endpoint, i32), ApiError> {
    crate::db::backend::lock_row(conn, "webhook_endpoints", id)?;
    let current = find_or_404(conn, id)?;
    let version = if_match.version(current.version)?;
    Ok((current, version))
}

/// The webhook endpoints, oldest first, without their secrets.
#[utoipa::path(
    params(EndpointParams),
    responses(
        (status = 200, description = "The endpoints", body = crate::routes::List<Endpoint>),
        (status = 403, description = "Only admins manage webhooks"),
    )
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    admin: Allowed<can::Administer>,
    params: Query<EndpointParams>,
) -> Reply {
    let page = params.page_request()?;
    let paged = admin
        .read(move |conn| Ok(Endpoints::list(conn, page)?))
        .await?;
    Ok(admin.respond_list(paged))
}

/// Registers an endpoint; its secret is in this answer only.
#[utoipa::path(
    request_body = EndpointCreate,
    responses(
        (status = 201, description = "Created; `Location` names it; `secret` is shown this once", body = Item<EndpointWithSecret>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 409, description = "A URL this server will not send to: plain http (unless allowed), an address webhooks may not reach"),
        (status = 422, description = "Not an http(s) URL, or an unknown event"),
    )
)]
#[post("/webhooks")]
pub async fn create_webhook(admin: Allowed<can::Administer>, body: Json<EndpointCreate>) -> Reply {
    let body = body.into_inner();
    let mut checks = Checks::default();
    let events = body.events.unwrap_or_else(|| vec!["*".into()]);
    let url = check_fields(&mut checks, &body.url, &events);
    let description = checks.text("description", &body.description, DESCRIPTION_MAX);
    checks.finish()?;
    refused(&url, &admin.config.webhooks)?;
    let fields = EndpointFields {
        url,
        description,
        events,
        enabled: body.enabled.unwrap_or(true),
    };
    let secret = sign::new_secret();
    let signing = secret.clone();
    let endpoint = admin
        .write(move |conn, user| {
            let id = Endpoints::create(conn, &fields, &signing, user.id, now())?;
            find_or_404(conn, id)
        })
        .await?;
    let location = format!("/api/v1/admin/webhooks/{}", endpoint.id);
    let version = endpoint.version;
    Ok(created(
        location,
        &EndpointWithSecret { endpoint, secret },
        version,
    ))
}

/// One endpoint, without its secret.
#[utoipa::path(
    params(("id" = i32, Path, description = "The endpoint's id")),
    responses(
        (status = 200, description = "The endpoint", body = Item<Endpoint>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
    )
)]
#[get("/webhooks/{id}")]
pub async fn find_webhook(admin: Allowed<can::Administer>, PathId(id): PathId) -> Reply {
    let endpoint = admin.read(move |conn| find_or_404(conn, id)).await?;
    Ok(item_response(StatusCode::OK, &endpoint, endpoint.version))
}

/// Changes an endpoint (a JSON merge patch).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The endpoint's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = EndpointPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed endpoint", body = Item<Endpoint>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
        (status = 409, description = "A URL this server will not send to: plain http (unless allowed), an address webhooks may not reach"),
        (status = 422, description = "Not an http(s) URL, or an unknown event"),
    )
)]
#[patch("/webhooks/{id}")]
pub async fn update_webhook(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: Json<EndpointPatch>,
) -> Reply {
    let patch = body.into_inner();
    let settings_check = admin.config.webhooks.clone();
    let endpoint = admin
        .write(move |conn, _| {
            let (current, version) = lock(conn, id, &if_match)?;
            let mut checks = Checks::default();
            let events = patch.events.unwrap_or(current.events);
            let url = patch.url.unwrap_or(current.url);
            let url = check_fields(&mut checks, &url, &events);
            let description = match patch.description {
                Some(given) => {
                    checks.text("description", &given.unwrap_or_default(), DESCRIPTION_MAX)
                }
                None => current.description,
            };
            checks.finish()?;
            refused(&url, &settings_check)?;
            let fields = EndpointFields {
                url,
                description,
                events,
                enabled: patch.enabled.unwrap_or(current.enabled),
            };
            Endpoints::update(conn, id, version, &fields, now())?;
            find_or_404(conn, id)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &endpoint, endpoint.version))
}

fn check_events(checks: &mut Checks, events: &[String]) {
    if events.is_empty() {
        checks.fail("events", "name at least one event, or \"*\"");
    }
    if events.len() > EVENTS_MAX {
        checks.fail("events", format!("at most {EVENTS_MAX} entries"));
    }
    for (i, pattern) in events.iter().enumerate() {
        if let Some(problem) = pattern_error(pattern) {
            checks.fail(&format!("events[{i}]"), problem);
        } else if events[..i].contains(pattern) {
            checks.fail(
                &format!("events[{i}]"),
                format!("{pattern} is listed twice"),
            );
        }
    }
}

/// Deletes an endpoint with its deliveries and their log.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The endpoint's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
    )
)]
#[delete("/webhooks/{id}")]
pub async fn delete_webhook(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    if_match: IfMatch,
) -> Reply {
    admin
        .write(move |conn, _| {
            let (_, version) = lock(conn, id, &if_match)?;
            Ok(Endpoints::delete(conn, id, version)?)
        })
        .await?;
    Ok(no_content())
}

/// Gives the endpoint a new secret; the old one keeps signing beside it
/// for the grace period (each delivery then carries two signatures).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The endpoint's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body = RotateSecret,
    responses(
        (status = 200, description = "The endpoint and its new secret, shown this once", body = Item<EndpointWithSecret>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
        (status = 422, description = "A grace period past a week"),
    )
)]
#[post("/webhooks/{id}/rotate-secret")]
pub async fn rotate_webhook_secret(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: Json<RotateSecret>,
) -> Reply {
    let grace = i64::from(body.grace_seconds.unwrap_or(24 * 3600));
    let mut checks = Checks::default();
    if !(0..=GRACE_MAX).contains(&grace) {
        checks.fail("grace_seconds", "must be 0 to 604800 (a week)");
    }
    checks.finish()?;
    let secret = sign::new_secret();
    let signing = secret.clone();
    let endpoint = admin
        .write(move |conn, _| {
            let (_, version) = lock(conn, id, &if_match)?;
            let at = now();
            Endpoints::rotate(
                conn,
                id,
                version,
                &signing,
                at + chrono::Duration::seconds(grace),
                at,
            )?;
            find_or_404(conn, id)
        })
        .await?;
    let version = endpoint.version;
    Ok(item_response(
        StatusCode::OK,
        &EndpointWithSecret { endpoint, secret },
        version,
    ))
}

/// Queues a `ping` event for this endpoint only, behind its other
/// deliveries (a disabled endpoint sends it once enabled again).
#[utoipa::path(
    params(("id" = i32, Path, description = "The endpoint's id")),
    responses(
        (status = 202, description = "Queued; the delivery, to follow in the log", body = Item<Delivery>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
    )
)]
#[post("/webhooks/{id}/ping")]
pub async fn ping_webhook(admin: Allowed<can::Administer>, PathId(id): PathId) -> Reply {
    let delivery = admin
        .write(move |conn, user| {
            let endpoint = find_or_404(conn, id)?;
            let at = now();
            let data = json!({"endpoint": endpoint.id, "by": user.id});
            outbox::enqueue(conn, PING, data, &[id], at)?;
            let page = PageRequest {
                page: 1,
                per_page: 1,
            };
            Ok(Deliveries::list(conn, id, None, page)?.items.remove(0))
        })
        .await?;
    admin.db.changed().notify_one();
    Ok(accepted(&delivery))
}

/// `202 Accepted` with the queued item.
pub fn accepted<T: Serialize>(data: &T) -> actix_web::HttpResponse {
    actix_web::HttpResponse::Accepted()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Item { data })
}
