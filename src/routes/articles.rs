//! `GET /api/v1/articles` and `GET /api/v1/articles/{slug}`.

use actix_web::get;
use actix_web::http::header;
use serde::Deserialize;
use utoipa::ToSchema;

use super::{etag_for, text, Item, List, PathSlug, Public, Reply};
use crate::content::article::search::SearchWords;
use crate::content::article::{
    Article, ArticleFilter, ArticleSort, ArticleSummary, Cursor, PublicArticle, Search,
};
use crate::content::document::Document;
use crate::content::redirect::Redirects;
use crate::content::{now, Slug};
use crate::error::ApiError;
use crate::routes::{list_params, Query};

/// Orders of the article list: its values, and a name for each that
/// generated clients use (`x-enum-varnames`: `-published_at` and
/// `published_at` would otherwise both become `PUBLISHED_AT`, or `VALUE_0`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortParam {
    #[default]
    PublishedDesc,
    PublishedAsc,
    TitleAsc,
    TitleDesc,
    /// Most recently changed first.
    UpdatedDesc,
    UpdatedAsc,
    /// Best match first (with `q`; without it, newest first).
    Relevance,
}

impl SortParam {
    const ALL: [(Self, &'static str, &'static str); 7] = [
        (Self::PublishedDesc, "-published_at", "PUBLISHED_AT_DESC"),
        (Self::PublishedAsc, "published_at", "PUBLISHED_AT_ASC"),
        (Self::TitleAsc, "title", "TITLE_ASC"),
        (Self::TitleDesc, "-title", "TITLE_DESC"),
        (Self::UpdatedDesc, "-updated_at", "UPDATED_AT_DESC"),
        (Self::UpdatedAsc, "updated_at", "UPDATED_AT_ASC"),
        (Self::Relevance, "relevance", "RELEVANCE"),
    ];
}

impl<'de> Deserialize<'de> for SortParam {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = std::borrow::Cow::<'de, str>::deserialize(d)?;
        Self::ALL
            .iter()
            .find(|(_, value, _)| *value == raw)
            .map(|(sort, _, _)| *sort)
            .ok_or_else(|| {
                let values: Vec<&str> = Self::ALL.iter().map(|(_, v, _)| *v).collect();
                serde::de::Error::custom(format!("expected one of {}", values.join(", ")))
            })
    }
}

impl utoipa::PartialSchema for SortParam {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        let names: Vec<&str> = Self::ALL.iter().map(|(_, _, name)| *name).collect();
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("The order of an article list; `-` means descending."))
            .enum_values(Some(Self::ALL.iter().map(|(_, value, _)| *value)))
            .extensions(Some(
                utoipa::openapi::extensions::ExtensionsBuilder::new()
                    .add("x-enum-varnames", names)
                    .build(),
            ))
            .into()
    }
}

impl ToSchema for SortParam {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("ArticleSort")
    }
}

list_params! {
    pub struct ArticleListParams {
        /// Only articles with this tag (a tag slug).
        #[param(
            pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
            min_length = 1,
            max_length = 120
        )]
        pub tag: Option<String>,
        /// Full-text search over title, excerpt and body; every word must match,
        /// the last one as a prefix.
        #[param(schema_with = text::optional::<200>)]
        pub q: Option<String>,
        /// `-published_at` (newest first, the default), `published_at`, `title`,
        /// `-title`, `-updated_at`, `updated_at`, or `relevance` (with `q`: best
        /// matches first, title above excerpt above body).
        pub sort: Option<SortParam>,
        /// Keyset paging: `meta.next_cursor` of the previous page. Deep pages
        /// cost what the first does. With a cursor `page` is ignored; with
        /// `sort=relevance` the cursor is (relevance pages by `page`). A cursor
        /// made for another `sort` starts that order from its beginning.
        #[param(schema_with = text::cursor)]
        pub cursor: Option<String>,
    }
}

impl ArticleListParams {
    pub fn filter(&self) -> Result<ArticleFilter, ApiError> {
        let tag = match &self.tag {
            Some(raw) => Some(
                Slug::parse(raw)
                    .map_err(|m| ApiError::bad_query("tag", m))?
                    .into_inner(),
            ),
            None => None,
        };
        let q = super::query::text_param("q", self.q.as_deref(), 200)?;
        let search = match q.map(str::trim) {
            Some("") | None => None,
            // Text with no searchable word matches nothing rather than everything.
            Some(q) => Some(SearchWords::parse(q).map_or(Search::MatchNothing, Search::Words)),
        };
        let sort = match (self.sort, &search) {
            // Without a search there is no relevance: the default order.
            (Some(SortParam::Relevance), None) => ArticleSort::PublishedDesc,
            (Some(SortParam::Relevance), Some(_)) => ArticleSort::Relevance,
            (None | Some(SortParam::PublishedDesc), _) => ArticleSort::PublishedDesc,
            (Some(SortParam::PublishedAsc), _) => ArticleSort::PublishedAsc,
            (Some(SortParam::TitleAsc), _) => ArticleSort::TitleAsc,
            (Some(SortParam::TitleDesc), _) => ArticleSort::TitleDesc,
            (Some(SortParam::UpdatedDesc), _) => ArticleSort::UpdatedDesc,
            (Some(SortParam::UpdatedAsc), _) => ArticleSort::UpdatedAsc,
        };
        // With a cursor, `page` is ignored; by relevance, the cursor is.
        let after = match &self.cursor {
            None => None,
            Some(_) if sort == ArticleSort::Relevance => None,
            Some(raw) => Cursor::decode(raw, sort).map_err(|_| {
                ApiError::bad_query(
                    "cursor",
                    "is not a cursor: pass meta.next_cursor as it came",
                )
            })?,
        };
        Ok(ArticleFilter {
            tag,
            search,
            sort,
            after,
            overdue_on: None,
            created_by: None,
            credits: None,
        })
    }
}

/// List published articles, newest first.
#[utoipa::path(
    params(ArticleListParams),
    responses((status = 200, description = "A page of article summaries", body = List<ArticleSummary>))
)]
#[get("/articles")]
pub async fn list_articles(public: Public, params: Query<ArticleListParams>) -> Reply {
    let page = params.page_request()?;
    let filter = params.filter()?;
    let at = now();
    let facts_key = filter.facts_key();
    let generation = public.db.generation();
    let memo = public.memo.clone();
    let key = facts_key.clone();
    let (paged, facts) = public
        .read(move |conn| {
            // The remembered facts hold only until the next scheduled article is due.
            memo.next_due(conn, generation, at)?;
            let known = memo.facts(&key, generation, at);
            Ok(Article::list_public(conn, &filter, page, at, known)?)
        })
        .await?;
    public.memo.put_facts(facts_key, generation, facts);
    public.respond_list(&List::from(paged))
}

/// One published article, with its body, tables, FAQs, related articles, SEO and JSON-LD.
#[utoipa::path(
    params(("slug" = String, Path, description = "The article's slug", pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 120)),
    responses(
        (status = 200, description = "The article", body = Item<PublicArticle>),
        (status = 301, description = "The article had this slug once: `Location` names its slug now (chains collapse to one hop)"),
        (status = 404, description = "No published article has this slug"),
    )
)]
#[get("/articles/{slug}")]
pub async fn find_article(public: Public, PathSlug(slug): PathSlug) -> Reply {
    let at = now();
    let found = public
        .read(move |conn| {
            if let Some(document) = Document::find_current(conn, &slug, at)? {
                return Ok(Found::Stored(document));
            }
            // The version first: what is rendered below is at least this new.
            let version = crate::db::latest_change(conn)?;
            match Article::find_public(conn, &slug, at) {
                Err(diesel::result::Error::NotFound) => {
                    match Redirects::current_slug(conn, &slug, at)? {
                        Some(now_at) => Ok(Found::Moved(now_at)),
                        None => Err(ApiError::not_found(format!(
                            "no published article has the slug {slug}"
                        ))),
                    }
                }
                other => Ok(Found::Rendered(version, Box::new(other?))),
            }
        })
        .await?;
    let (version, article) = match found {
        Found::Stored(document) => {
            return Ok(public.respond_tagged(document.body.into_bytes(), &document.etag))
        }
        Found::Moved(slug) => {
            return Ok(actix_web::HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, format!("/api/v1/articles/{slug}")))
                .insert_header((
                    header::CACHE_CONTROL,
                    format!("public, max-age={}", public.config.cache_max_age),
                ))
                .finish())
        }
        Found::Rendered(version, article) => (version, article),
    };
    let id = article.summary.id;
    let body = serde_json::to_string(&Item { data: *article })
        .map_err(|e| ApiError::Internal(e.into()))?;
    let etag = etag_for(body.as_bytes());
    // Stored for the next read; skipped (and rendered again next time) when
    // a write is under way or came in between.
    let (stored_body, stored_etag) = (body.clone(), etag.clone());
    let stored = public
        .db
        .store_derived(move |conn| {
            Ok(Document::store(
                conn,
                id,
                version,
                at,
                &stored_etag,
                &stored_body,
            )?)
        })
        .await;
    if let Err(e) = stored {
        tracing::debug!(error = %e, "article document not stored");
    }
    Ok(public.respond_tagged(body.into_bytes(), &etag))
}

/// What `find_article` found: a stored document, or an article it rendered
/// from the content as of a version.
enum Found {
    Stored(Document),
    Rendered(i64, Box<PublicArticle>),
    /// An old slug: the article's slug now.
    Moved(String),
}
