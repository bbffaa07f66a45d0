//! `GET /api/v1/authors` and `/api/v1/authors/{slug}`: the people published
//! articles credit, with their articles.

use actix_web::get;
use serde::Serialize;
use utoipa::ToSchema;

use super::{Item, List, ListMeta, PageParams, PathSlug, Public, Query, Reply};
use crate::content::article::{Article, ArticleSummary};
use crate::content::now;
use crate::content::person::{People, PublicPerson};
use crate::error::ApiError;

/// A person and a page of the published articles crediting them.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuthorPage {
    #[serde(flatten)]
    pub person: PublicPerson,
    /// Published articles they wrote or reviewed, newest first: the page
    /// `page` and `per_page` ask for.
    pub articles: Vec<ArticleSummary>,
    pub articles_meta: ListMeta,
}

/// List the people published articles credit (as authors or reviewers), by name.
#[utoipa::path(
    params(PageParams),
    responses((status = 200, description = "A page of people", body = List<PublicPerson>))
)]
#[get("/authors")]
pub async fn list_authors(public: Public, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let at = now();
    let paged = public
        .read(move |conn| Ok(People::list_public(conn, page, at)?))
        .await?;
    public.respond_list(&List::from(paged))
}

/// One person with their published articles (paged by `page` and `per_page`).
#[utoipa::path(
    params(("slug" = String, Path, description = "The person's slug"), PageParams),
    responses(
        (status = 200, description = "The person and a page of their articles", body = Item<AuthorPage>),
        (status = 404, description = "No published article credits a person with this slug"),
    )
)]
#[get("/authors/{slug}")]
pub async fn find_author(
    public: Public,
    PathSlug(slug): PathSlug,
    params: Query<PageParams>,
) -> Reply {
    let page = params.page_request()?;
    let at = now();
    let data = public
        .read(move |conn| {
            let (id, person) = People::find_public(conn, &slug, at).map_err(|e| match e {
                diesel::result::Error::NotFound => {
                    ApiError::not_found("no published article credits a person with this slug")
                }
                other => other.into(),
            })?;
            let List { data, meta } = List::from(Article::by_person(conn, id, page, at)?);
            Ok(AuthorPage {
                person,
                articles: data,
                articles_meta: meta,
            })
        })
        .await?;
    public.respond(&Item { data })
}
