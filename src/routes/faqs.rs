//! `GET /api/v1/faqs`.

use actix_web::{get, web, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{page_request, public_json, List};
use crate::app::AppState;
use crate::content::faq::{Faq, FaqFilter};
use crate::content::{now, Slug};
use crate::error::ApiError;
use crate::routes::Query;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FaqListParams {
    /// 1-based page number.
    #[param(minimum = 1, default = 1)]
    pub page: Option<i32>,
    /// Items per page, 1..=100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i32>,
    /// Only the FAQs of this article (an article slug), in the article's order.
    #[param(
        pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 120
    )]
    pub article: Option<String>,
}

/// List FAQs: standalone ones and those of published articles.
#[utoipa::path(
    tag = "faqs",
    params(FaqListParams),
    responses(
        (status = 200, description = "A page of FAQs", body = List<Faq>),
        (status = 304, description = "Not modified: the `If-None-Match` ETag is current"),
    )
)]
#[get("/faqs")]
pub async fn list_faqs(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: Query<FaqListParams>,
) -> Result<HttpResponse, ApiError> {
    let page = page_request(params.page, params.per_page)?;
    let article = match &params.article {
        Some(raw) => Some(
            Slug::parse(raw)
                .map_err(|m| ApiError::bad_query("article", m))?
                .into_inner(),
        ),
        None => None,
    };
    let filter = FaqFilter { article };
    let at = now();
    let paged = state
        .db
        .run(move |conn| Ok(Faq::list_public(conn, &filter, page, at)?))
        .await?;
    public_json(&req, &List::from(paged), state.config.cache_max_age)
}
