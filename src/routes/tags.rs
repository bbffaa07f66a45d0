//! `GET /api/v1/tags`.

use actix_web::get;

use super::{List, PageParams, Public, Query, Reply};
use crate::content::tag::{Tag, TagWithCount};
use crate::content::{now, Paged};

/// List tags by name, each with its count of published articles.
#[utoipa::path(
    params(PageParams),
    responses((status = 200, description = "A page of tags", body = List<TagWithCount>))
)]
#[get("/tags")]
pub async fn list_tags(public: Public, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let at = now();
    let all = public
        .read(move |conn| Ok(Tag::list_with_counts(conn, at)?))
        .await?;
    public.respond_list(&List::from(Paged::slice(all, page)))
}
