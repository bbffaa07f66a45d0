//! `GET /api/v1/feed.atom`, `/api/v1/feed.json` (optionally `?tag=`),
//! `/api/v1/sitemap.xml` and its files: public, cached like every public
//! read (strong `ETag`, `304`), made again after any change.

use actix_web::{get, HttpRequest};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Public, Query, Reply};
use crate::content::article::{Article, ArticleSummary};
use crate::content::site::Site;
use crate::content::{now, Slug};
use crate::error::ApiError;
use crate::feeds::json_feed::{json_feed, JsonFeed};
use crate::feeds::{atom::atom, sitemap, Links, FEED_ITEMS};

/// Which articles a feed shows.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FeedParams {
    /// Only articles with this tag (a tag slug).
    #[param(
        pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 120
    )]
    pub tag: Option<String>,
}

/// An XML document's bytes (a feed, a sitemap): generated clients hand
/// them over as they came.
pub struct XmlBytes;

impl utoipa::PartialSchema for XmlBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("An XML document"))
            .into()
    }
}

impl utoipa::ToSchema for XmlBytes {}

const ATOM: &str = "application/atom+xml";
const JSON_FEED: &str = "application/feed+json";
const XML: &str = "application/xml";

type FeedData = (Site, Vec<(ArticleSummary, String)>);

/// The site and the newest articles (of the tag); `404` for a tag nobody has.
async fn feed_data(
    public: &Public,
    params: &FeedParams,
) -> Result<(FeedData, Option<String>), ApiError> {
    let tag = match &params.tag {
        Some(raw) => Some(
            Slug::parse(raw)
                .map_err(|m| ApiError::bad_query("tag", m))?
                .into_inner(),
        ),
        None => None,
    };
    let wanted = tag.clone();
    let at = now();
    let data = public
        .read(move |conn| {
            let site = Site::find(conn)?;
            let articles = Article::feed(conn, wanted.as_deref(), FEED_ITEMS, at)?
                .ok_or_else(|| ApiError::not_found("no tag has this slug"))?;
            Ok((site, articles))
        })
        .await?;
    Ok((data, tag))
}

/// The newest published articles as an Atom feed (RFC 4287): summaries,
/// bodies, covers, authors, tags, absolute links.
#[utoipa::path(
    params(FeedParams),
    responses(
        (status = 200, description = "The Atom feed", content_type = "application/atom+xml", body = XmlBytes),
        (status = 304, description = "The client holds this feed (`If-None-Match`)"),
        (status = 404, description = "No tag has this slug"),
    )
)]
#[get("/feed.atom")]
pub async fn atom_feed(public: Public, params: Query<FeedParams>) -> Reply {
    let ((site, articles), tag) = feed_data(&public, &params).await?;
    let links = Links {
        site: &site,
        api: &public.config.public_url,
    };
    Ok(public.respond_typed(atom(&links, &articles, tag.as_deref()), ATOM))
}

/// The newest published articles as a JSON Feed 1.1.
#[utoipa::path(
    params(FeedParams),
    responses(
        (status = 200, description = "The JSON Feed", content_type = "application/feed+json", body = JsonFeed),
        (status = 304, description = "The client holds this feed (`If-None-Match`)"),
        (status = 404, description = "No tag has this slug"),
    )
)]
#[get("/feed.json")]
pub async fn json_feed_route(public: Public, params: Query<FeedParams>) -> Reply {
    let ((site, articles), tag) = feed_data(&public, &params).await?;
    let links = Links {
        site: &site,
        api: &public.config.public_url,
    };
    let feed = json_feed(&links, &articles, tag.as_deref());
    let body = serde_json::to_vec(&feed).map_err(|e| ApiError::Internal(e.into()))?;
    Ok(public.respond_typed(body, JSON_FEED))
}

/// Every public article's page (and the site's tag pages, when it has
/// them) with its last change; past 50,000 pages, an index of files.
#[utoipa::path(
    responses(
        (status = 200, description = "A sitemap (`urlset`) or a sitemap index", content_type = "application/xml", body = XmlBytes),
        (status = 304, description = "The client holds this sitemap (`If-None-Match`)"),
    )
)]
#[get("/sitemap.xml")]
pub async fn sitemap_xml(public: Public) -> Reply {
    let at = now();
    let per_file = public.config.sitemap_urls;
    let (site, pages, articles, tags) = public
        .read(move |conn| {
            let site = Site::find(conn)?;
            // One file's worth at most (the protocol's limit): file 0 is the only one for tags.
            let tags = Article::public_tags(conn, at, per_file)?;
            let count = Article::public_count(conn, at)?;
            let tag_pages = if site.tag_path.is_empty() {
                0
            } else {
                tags.len() as i64
            };
            if count + tag_pages <= per_file {
                Ok((
                    site,
                    Vec::new(),
                    Article::sitemap_page(conn, (0, per_file), at)?,
                    tags,
                ))
            } else {
                // File 0 holds the tag pages, when there are any (a file
                // may not be empty); files 1… the articles.
                let first = if tag_pages > 0 { 0 } else { 1 };
                let files = (first..=(count + per_file - 1) / per_file).collect();
                Ok((site, files, Vec::new(), Vec::new()))
            }
        })
        .await?;
    let links = Links {
        site: &site,
        api: &public.config.public_url,
    };
    let body = if !pages.is_empty() {
        sitemap::index(&links, &pages)
    } else {
        sitemap::urlset(&links, &articles, &tags)
    };
    Ok(public.respond_typed(body, XML))
}

/// One file of a sitemap index: `0` the tag pages (when there are any; the
/// first 50,000 by slug), `1` on the articles, 50,000 each
/// (`SITEMAP_URLS_PER_FILE`).
#[utoipa::path(
    params(("page" = i64, Path, description = "The file's number, from 0", minimum = 0)),
    responses(
        (status = 200, description = "One sitemap file (`urlset`)", content_type = "application/xml", body = XmlBytes),
        (status = 304, description = "The client holds this file (`If-None-Match`)"),
        (status = 404, description = "No such file"),
    )
)]
#[get("/sitemap-{page}.xml")]
pub async fn sitemap_file(public: Public, req: HttpRequest) -> Reply {
    let page: i64 = req
        .match_info()
        .get("page")
        .and_then(|p| p.parse().ok())
        .filter(|p| *p >= 0 && *p < 1_000_000)
        .ok_or_else(|| ApiError::not_found("no such sitemap file"))?;
    let at = now();
    let per_file = public.config.sitemap_urls;
    let (site, articles, tags) = public
        .read(move |conn| {
            let site = Site::find(conn)?;
            if page == 0 {
                let tags = Article::public_tags(conn, at, per_file)?;
                if site.tag_path.is_empty() || tags.is_empty() {
                    return Err(ApiError::not_found("no such sitemap file"));
                }
                return Ok((site, Vec::new(), tags));
            }
            let articles = Article::sitemap_page(conn, (page - 1, per_file), at)?;
            if articles.is_empty() {
                return Err(ApiError::not_found("no such sitemap file"));
            }
            Ok((site, articles, Vec::new()))
        })
        .await?;
    let links = Links {
        site: &site,
        api: &public.config.public_url,
    };
    Ok(public.respond_typed(sitemap::urlset(&links, &articles, &tags), XML))
}
