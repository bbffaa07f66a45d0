//! `GET /api/v1/tags`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{public_json, List, PageParams};
use crate::app::AppState;
use crate::content::tag::{Tag, TagWithCount};
use crate::content::{now, Paged};
use crate::error::ApiError;
use crate::routes::Query;

/// List tags by name, each with its count of published articles.
#[utoipa::path(
    tag = "tags",
    params(PageParams),
    responses(
        (status = 200, description = "A page of tags", body = List<TagWithCount>),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.page_request()?;
    let at = now();
    let all = state
        .db
        .run(move |conn| Ok(Tag::list_with_counts(conn, at)?))
        .await?;
    public_json(
        &req,
        &List::from(Paged::slice(all, page)),
        state.config.cache_max_age,
    )
}
