//! `GET /api/v1/site`.

use actix_web::get;

use super::{Item, Public, Reply};
use crate::content::site::Site;

/// The site: name, location and description.
#[utoipa::path(
    responses((status = 200, description = "The site", body = Item<Site>))
)]
#[get("/site")]
pub async fn find_site(public: Public) -> Reply {
    let data = public.read(|conn| Ok(Site::find(conn)?)).await?;
    public.respond(&Item { data })
}
