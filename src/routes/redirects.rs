//! `GET /api/v1/redirects`: the map front ends build their redirects from.

use actix_web::get;

use super::{List, PageParams, Public, Query, Reply};
use crate::content::now;
use crate::content::redirect::{Redirect, Redirects};

/// Every redirect of the front end, by `from`: old article pages (to the
/// article's page now, one hop however often its slug changed) and the
/// redirects editors added.
#[utoipa::path(
    params(PageParams),
    responses((status = 200, description = "A page of redirects", body = List<Redirect>))
)]
#[get("/redirects")]
pub async fn list_redirects(public: Public, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let at = now();
    let map = public
        .read(move |conn| Ok(Redirects::map(conn, page, at)?))
        .await?;
    public.respond_list(&List::from(map))
}
