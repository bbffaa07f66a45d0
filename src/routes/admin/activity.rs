//! `GET /api/v1/admin/activity`.

use actix_web::get;

use crate::auth::can;
use crate::content::activity::{Activity, ActivityEntry};
use crate::routes::{Allowed, List, PageParams, Query, Reply};

/// Who did what to which item, newest first.
#[utoipa::path(
    params(PageParams),
    responses((status = 200, description = "A page of the activity log", body = List<ActivityEntry>))
)]
#[get("/activity")]
pub async fn list_activity(editor: Allowed<can::ReadContent>, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let paged = editor
        .read(move |conn| Ok(Activity::list(conn, page)?))
        .await?;
    Ok(editor.respond_list(paged))
}
