//! Operations: `/healthz`, `/readyz` and `/openapi.json`.

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use super::{public_bytes, Reply};
use crate::app::AppState;
use crate::error::ApiError;

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok`
    pub status: &'static str,
}

/// The process is running.
#[utoipa::path(
    responses((status = 200, description = "The process runs", body = Health))
)]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(Health { status: "ok" })
}

/// Ready to serve: the database answers and can take writes.
#[utoipa::path(
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "The database does not answer, or cannot take writes now; `detail` says which"),
    )
)]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Reply {
    match state.db.readiness().await {
        Ok(()) => Ok(HttpResponse::Ok()
            .insert_header((header::CACHE_CONTROL, "no-store"))
            .json(Health { status: "ok" })),
        Err(why) => Err(ApiError::ServiceUnavailable {
            detail: why.into(),
            retry_after_secs: 5,
        }),
    }
}

/// This OpenAPI 3.1 document.
#[utoipa::path(
    responses((status = 200, description = "The OpenAPI document", body = Object))
)]
#[get("/openapi.json")]
pub async fn openapi_json(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    public_bytes(
        &req,
        state.openapi_json.as_bytes().to_vec(),
        state.config.cache_max_age,
    )
}
