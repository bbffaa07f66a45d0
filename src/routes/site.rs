//! `GET /api/v1/site`.

use actix_web::{get, web, HttpRequest, HttpResponse};

use super::{public_json, Item};
use crate::app::AppState;
use crate::content::site::Site;
use crate::error::ApiError;

/// The site: name, location and description.
#[utoipa::path(
    tag = "site",
    responses(
        (status = 200, description = "The site", body = Item<Site>),
    )
)]
#[get("/site")]
pub async fn find_site(
    req: HttpRequest,
    state: web::Data<AppState>,
) -> Result<HttpResponse, ApiError> {
    let data = state.db.run(|conn| Ok(Site::find(conn)?)).await?;
    public_json(&req, &Item { data }, state.config.cache_max_age)
}
