//! `GET /api/v1/faqs`.

use actix_web::get;

use super::{list_params, List, Public, Query, Reply};
use crate::content::faq::{Faq, FaqFilter};
use crate::content::{now, PageRequest, Slug};
use crate::error::ApiError;

list_params! {
    pub struct FaqListParams {
        /// Only the FAQs of this article (an article slug), in the article's order.
        #[param(
            pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
            min_length = 1,
            max_length = 120
        )]
        pub article: Option<String>,
    }
}

impl FaqListParams {
    /// The article named (a valid slug) and the page.
    pub fn filter(&self) -> Result<(FaqFilter, PageRequest), ApiError> {
        let article = match &self.article {
            Some(raw) => Some(
                Slug::parse(raw)
                    .map_err(|m| ApiError::bad_query("article", m))?
                    .into_inner(),
            ),
            None => None,
        };
        Ok((FaqFilter { article }, self.page_request()?))
    }
}

/// List FAQs: standalone ones and those of published articles.
#[utoipa::path(
    params(FaqListParams),
    responses((status = 200, description = "A page of FAQs", body = List<Faq>))
)]
#[get("/faqs")]
pub async fn list_faqs(public: Public, params: Query<FaqListParams>) -> Reply {
    let (filter, page) = params.filter()?;
    let at = now();
    let paged = public
        .read(move |conn| Ok(Faq::list(conn, &filter, page, Some(at))?))
        .await?;
    public.respond_list(&List::from(paged))
}
