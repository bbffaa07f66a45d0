//! `/api/v1/admin/webhooks/{id}/deliveries`: the delivery log of an
//! endpoint, each attempt, and replays; `/api/v1/admin/webhook-events`:
//! the event types (admins only).

use actix_web::{get, post, web};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::webhooks::{accepted, find_or_404};
use crate::auth::can;
use crate::content::now;
use crate::content::webhook::delivery::{Deliveries, Delivery, DeliveryDetail, DeliveryStatus};
use crate::content::webhook::events::EVENT_TYPES;
use crate::error::ApiError;
use crate::routes::{list_params, Allowed, Item, Json, PathId, Query, Reply};

/// Which failed deliveries to send again.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayFailed {
    /// Every failed delivery made since then.
    pub since: DateTime<Utc>,
}

/// How many deliveries a replay queued.
#[derive(Debug, Serialize, ToSchema)]
pub struct Replayed {
    pub replayed: usize,
}

/// The event types an endpoint can take.
#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypes {
    /// Every type; `review.*` reach only endpoints that name them.
    pub types: Vec<&'static str>,
}

list_params! {
    /// `page`, `per_page`, and which deliveries.
    pub struct DeliveryParams {
        /// Only deliveries in this state.
        pub status: Option<DeliveryStatus>,
    }
}

/// The endpoint and delivery ids of `/webhooks/{id}/deliveries/{delivery}`.
fn ids(path: &(String, String)) -> Result<(i32, i64), ApiError> {
    let id = PathId::parse(&path.0)?;
    let delivery = path
        .1
        .parse::<i64>()
        .ok()
        .filter(|d| *d > 0)
        .ok_or_else(|| ApiError::not_found(format!("no delivery has the id {:?}", path.1)))?;
    Ok((id, delivery))
}

fn delivery_not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => {
            ApiError::not_found("this endpoint has no such delivery")
        }
        other => other.into(),
    }
}

/// The endpoint's deliveries, newest first.
#[utoipa::path(
    params(("id" = i32, Path, description = "The endpoint's id"), DeliveryParams),
    responses(
        (status = 200, description = "The deliveries", body = crate::routes::List<Delivery>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
    )
)]
#[get("/webhooks/{id}/deliveries")]
pub async fn list_webhook_deliveries(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    params: Query<DeliveryParams>,
) -> Reply {
    let page = params.page_request()?;
    let status = params.status;
    let paged = admin
        .read(move |conn| {
            find_or_404(conn, id)?;
            Ok(Deliveries::list(conn, id, status, page)?)
        })
        .await?;
    Ok(admin.respond_list(paged))
}

/// One delivery: the body sent and every attempt (headers, status, the
/// start of the answer, duration, error).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The endpoint's id"),
        ("delivery" = i64, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 200, description = "The delivery", body = Item<DeliveryDetail>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No such endpoint, or no such delivery of it"),
    )
)]
#[get("/webhooks/{id}/deliveries/{delivery}")]
pub async fn find_webhook_delivery(
    admin: Allowed<can::Administer>,
    path: web::Path<(String, String)>,
) -> Reply {
    let (id, delivery) = ids(&path)?;
    let detail = admin
        .read(move |conn| Deliveries::detail(conn, id, delivery).map_err(delivery_not_found))
        .await?;
    Ok(actix_web::HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(Item { data: detail }))
}

/// Sends a delivery's event again, as a new delivery at the end of the
/// endpoint's queue (same `webhook-id`: receivers that saw it know it).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The endpoint's id"),
        ("delivery" = i64, Path, description = "The delivery's id"),
    ),
    responses(
        (status = 202, description = "Queued", body = Item<Delivery>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No such endpoint, or no such delivery of it"),
    )
)]
#[post("/webhooks/{id}/deliveries/{delivery}/replay")]
pub async fn replay_webhook_delivery(
    admin: Allowed<can::Administer>,
    path: web::Path<(String, String)>,
) -> Reply {
    let (id, delivery) = ids(&path)?;
    let queued = admin
        .write(move |conn, _| {
            let new = Deliveries::replay(conn, id, delivery, now()).map_err(delivery_not_found)?;
            Ok(Deliveries::detail(conn, id, new)?.delivery)
        })
        .await?;
    admin.db.changed().notify_one();
    Ok(accepted(&queued))
}

/// Sends every failed delivery of the endpoint made since a time again,
/// in their order.
#[utoipa::path(
    params(("id" = i32, Path, description = "The endpoint's id")),
    request_body = ReplayFailed,
    responses(
        (status = 202, description = "Queued", body = Item<Replayed>),
        (status = 403, description = "Only admins manage webhooks"),
        (status = 404, description = "No endpoint has this id"),
    )
)]
#[post("/webhooks/{id}/replay")]
pub async fn replay_failed_webhooks(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    body: Json<ReplayFailed>,
) -> Reply {
    let since = body.since.naive_utc();
    let replayed = admin
        .write(move |conn, _| {
            find_or_404(conn, id)?;
            Ok(Deliveries::replay_failed(conn, id, since, now())?)
        })
        .await?;
    admin.db.changed().notify_one();
    Ok(accepted(&Replayed { replayed }))
}

/// The event types webhooks carry.
#[utoipa::path(
    responses(
        (status = 200, description = "The types", body = Item<EventTypes>),
        (status = 403, description = "Only admins manage webhooks"),
    )
)]
#[get("/webhook-events")]
pub async fn list_webhook_events(_admin: Allowed<can::Administer>) -> Reply {
    Ok(actix_web::HttpResponse::Ok().json(Item {
        data: EventTypes {
            types: EVENT_TYPES.to_vec(),
        },
    }))
}
