//! `GET /api/v1/massage-types` and `GET /api/v1/massage-types/{slug}`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{path_slug, public_json, Item, List, PageParams};
use crate::app::AppState;
use crate::content::massage_type::MassageType;
use crate::error::ApiError;
use crate::routes::Query;

/// List the massage types, in the editor-set `position` order.
#[utoipa::path(
    tag = "massage-types",
    params(PageParams),
    responses(
        (status = 200, description = "A page of massage types", body = List<MassageType>),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
    )
)]
#[get("/massage-types")]
pub async fn list_massage_types(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.parse()?;
    let paged = state
        .db
        .run(move |conn| Ok(MassageType::list(conn, page)?))
        .await?;
    public_json(&req, &List::from(paged), state.config.cache_max_age)
}

/// One massage type.
#[utoipa::path(
    tag = "massage-types",
    params(("slug" = String, Path, description = "The massage type's slug", pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 120)),
    responses(
        (status = 200, description = "The massage type", body = Item<MassageType>),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
        (status = 404, description = "No massage type has this slug"),
    )
)]
#[get("/massage-types/{slug}")]
pub async fn find_massage_type(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let slug = path_slug(&slug)?;
    let data = state
        .db
        .run(move |conn| Ok(MassageType::find_by_slug(conn, &slug)?))
        .await?;
    public_json(&req, &Item { data }, state.config.cache_max_age)
}
