//! `GET /api/v1/treatments` and `GET /api/v1/treatments/{slug}`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{path_slug, public_json, Item, List, PageParams};
use crate::app::AppState;
use crate::content::treatment::Treatment;
use crate::error::ApiError;
use crate::routes::Query;

/// List the treatments of the comparison table, in `position` order.
#[utoipa::path(
    tag = "treatments",
    params(PageParams),
    responses(
        (status = 200, description = "A page of treatments", body = List<Treatment>),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
    )
)]
#[get("/treatments")]
pub async fn list_treatments(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.parse()?;
    let paged = state
        .db
        .run(move |conn| Ok(Treatment::list(conn, page)?))
        .await?;
    public_json(&req, &List::from(paged), state.config.cache_max_age)
}

/// One treatment.
#[utoipa::path(
    tag = "treatments",
    params(("slug" = String, Path, description = "The treatment's slug", pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 120)),
    responses(
        (status = 200, description = "The treatment", body = Item<Treatment>),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
        (status = 404, description = "No treatment has this slug"),
    )
)]
#[get("/treatments/{slug}")]
pub async fn find_treatment(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path_slug(&slug)?;
    let data = state
        .db
        .run(move |conn| Ok(Treatment::find_by_slug(conn, &slug)?))
        .await?;
    public_json(&req, &Item { data }, state.config.cache_max_age)
}
