//! `GET /api/v1/admin/activity`.

use actix_web::{get, web, HttpResponse};

use crate::app::AppState;
use crate::auth::{authorize, Action, AuthUser};
use crate::content::activity::{Activity, ActivityEntry};
use crate::error::ApiError;
use crate::routes::Query;
use crate::routes::{List, PageParams};

/// Who did what to which item, newest first.
#[utoipa::path(
    tag = "admin: activity",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of the activity log", body = List<ActivityEntry>),
    )
)]
#[get("/activity")]
pub async fn list_activity(
    user: AuthUser,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let page = params.page_request()?;
    let paged = state
        .db
        .run(move |conn| Ok(Activity::list(conn, page)?))
        .await?;
    Ok(super::list_response(paged))
}
