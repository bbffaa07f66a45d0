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
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
    )
)]
#[get("/tags")]
pub async fn list_tags(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    let page = params.parse()?;
    let at = now();
    let all = state
        .db
        .run(move |conn| Ok(Tag::list_with_counts(conn, at)?))
        .await?;
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let items = all
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.per_page as usize)
        .collect();
    public_json(
        &req,
        &List::from(Paged {
            items,
            total,
            page,
            next_cursor: None,
        }),
        state.config.cache_max_age,
    )
}
