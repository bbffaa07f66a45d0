//! `/api/v1/admin/site`: the site settings (admins).

use actix_web::http::StatusCode;
use actix_web::{get, patch};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{item_response, Checks, IfMatch};
use crate::auth::can;
use crate::content::now;
use crate::content::site::{AdminSite, Site, SiteChanges};
use crate::routes::{text, Allowed, Item, Json, Reply};

/// A JSON merge patch of the site.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SitePatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub location: Option<String>,
    #[schema(schema_with = text::optional_or_null::<DESCRIPTION_MAX>)]
    pub description: Option<String>,
    /// The public address of the site (`https://...`), for canonical URLs; empty for none.
    #[schema(schema_with = text::base_url_or_null::<BASE_URL_MAX>)]
    pub base_url: Option<String>,
    /// The medical disclaimer every article shows, in Markdown; empty for none.
    #[schema(schema_with = text::optional_or_null::<DISCLAIMER_MAX>)]
    pub disclaimer: Option<String>,
    /// Whether publishing needs an approved medical review.
    pub require_review: Option<bool>,
    /// Months from a review to the next one due, 1..=60.
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 1, maximum = 60)]
    pub review_interval_months: Option<i32>,
    /// The front end's preview route, an http(s) URL with `{token}` (and
    /// optionally `{slug}`, `{id}`) in it; empty for none.
    #[schema(schema_with = preview_url_schema)]
    pub preview_url: Option<String>,
    /// Where the front end shows an article: a path with `{slug}` in it,
    /// e.g. `/blog/{slug}`.
    #[schema(schema_with = article_path_schema)]
    pub article_path: Option<String>,
    /// Where the front end lists a tag's articles, e.g. `/topics/{slug}`;
    /// empty for none.
    #[schema(schema_with = tag_path_schema)]
    pub tag_path: Option<String>,
}

const NAME_MAX: usize = 200;
const DESCRIPTION_MAX: usize = 2_000;
const BASE_URL_MAX: usize = 500;
const DISCLAIMER_MAX: usize = 5_000;
const PATH_MAX: usize = 200;
const PATH_RULE: &str =
    "must be a path starting with / with {slug} once in it, of letters, digits and - . _ ~ /";
/// `PATH_RULE` as a pattern.
const PATH_PATTERN: &str = r"^/[A-Za-z0-9._~/-]*\{slug\}[A-Za-z0-9._~/-]*$";

/// A front-end page path: `/`, then safe characters with `{slug}` once.
fn is_page_path(path: &str) -> bool {
    let Some((before, after)) = path.split_once("{slug}") else {
        return false;
    };
    let safe = |part: &str| {
        part.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '~' | '/' | '-'))
    };
    before.starts_with('/') && safe(before) && safe(after)
}

fn article_path_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(PATH_MAX))
        .pattern(Some(PATH_PATTERN))
        .build()
}

fn tag_path_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(PATH_MAX))
        .pattern(Some(format!("^$|{}", &PATH_PATTERN)))
        .build()
}

/// The site settings.
#[utoipa::path(
    responses((status = 200, description = "The site; `ETag` is its version", body = Item<AdminSite>))
)]
#[get("/site")]
pub async fn find_admin_site(editor: Allowed<can::ReadContent>) -> Reply {
    let site = AdminSite::from(editor.read(|conn| Ok(Site::find(conn)?)).await?);
    Ok(item_response(StatusCode::OK, &site, site.site.version))
}

/// Change the site settings (admins); needs `If-Match`.
#[utoipa::path(
    params(("If-Match" = String, Header, description = "The ETag last read")),
    request_body(content = SitePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed site", body = Item<AdminSite>),
        (status = 403, description = "Only admins change settings"),
    )
)]
#[patch("/site")]
pub async fn update_site(
    admin: Allowed<can::Administer>,
    if_match: IfMatch,
    body: Json<SitePatch>,
) -> Reply {
    let patch = body.into_inner();
    let site = admin
        .write(move |conn, user| {
            let current = Site::find(conn)?;
            let version = if_match.version(current.version)?;
            let mut checks = Checks::default();
            let name = match &patch.name {
                Some(v) => checks.required_text("name", v, NAME_MAX),
                None => current.name.clone(),
            };
            let location = match &patch.location {
                Some(v) => checks.required_text("location", v, NAME_MAX),
                None => current.location.clone(),
            };
            let description = match &patch.description {
                Some(v) => checks.text("description", v, DESCRIPTION_MAX),
                None => current.description.clone(),
            };
            let base_url = match &patch.base_url {
                Some(v) if v.is_empty() => String::new(),
                Some(v) => {
                    match crate::content::WebUrl::parse(&checks.text("base_url", v, BASE_URL_MAX)) {
                        Ok(url) => url.into_inner(),
                        Err(message) => {
                            checks.fail("base_url", message);
                            String::new()
                        }
                    }
                }
                None => current.base_url.clone(),
            };
            let disclaimer = match &patch.disclaimer {
                Some(v) => {
                    let text = checks.text("disclaimer", v, DISCLAIMER_MAX);
                    checks.markdown("disclaimer", text)
                }
                None => current.disclaimer.markdown.clone(),
            };
            let review_interval_months = match patch.review_interval_months {
                Some(months) if !(1..=60).contains(&months) => {
                    checks.fail("review_interval_months", "must be 1 to 60 months");
                    months
                }
                Some(months) => months,
                None => current.editorial.review_interval_months,
            };
            let preview_url = match &patch.preview_url {
                Some(v) if v.is_empty() => String::new(),
                Some(v) => {
                    let template = checks.text("preview_url", v, BASE_URL_MAX);
                    if let Err(message) = check_preview_url(&template) {
                        checks.fail("preview_url", message);
                    }
                    template
                }
                None => current.editorial.preview_url.clone(),
            };
            let article_path = match &patch.article_path {
                Some(v) => {
                    let path = checks.text("article_path", v, PATH_MAX);
                    if !is_page_path(&path) {
                        checks.fail("article_path", PATH_RULE);
                    }
                    path
                }
                None => current.article_path.clone(),
            };
            let tag_path = match &patch.tag_path {
                Some(v) => {
                    let path = checks.text("tag_path", v, PATH_MAX);
                    if !path.is_empty() && !is_page_path(&path) {
                        checks.fail("tag_path", PATH_RULE);
                    }
                    path
                }
                None => current.tag_path.clone(),
            };
            checks.finish()?;
            let disclaimer_html =
                crate::render::render_markdown(&disclaimer, &crate::render::Embeds::new()).html;
            let changes = SiteChanges {
                name: &name,
                location: &location,
                description: &description,
                base_url: &base_url,
                article_path: &article_path,
                tag_path: &tag_path,
                disclaimer_markdown: &disclaimer,
                disclaimer_html: &disclaimer_html,
                require_review: patch
                    .require_review
                    .unwrap_or(current.editorial.require_review),
                review_interval_months,
                preview_url: &preview_url,
                updated_at: now(),
            };
            Site::update(conn, version, &changes, user.id)?;
            Ok(AdminSite::from(Site::find(conn)?))
        })
        .await?;
    Ok(item_response(StatusCode::OK, &site, site.site.version))
}

/// A preview route: an http(s) URL once its placeholders are filled, with
/// `{token}` among them (the front end needs the token).
fn check_preview_url(template: &str) -> Result<(), String> {
    if !template.contains("{token}") {
        return Err("must contain {token}, where the preview token goes".into());
    }
    let filled = template
        .replace("{token}", "t")
        .replace("{slug}", "s")
        .replace("{id}", "1");
    if filled.contains('{') || filled.contains('}') {
        return Err("the placeholders are {token}, {slug} and {id}".into());
    }
    crate::content::WebUrl::parse(&filled)
        .map(|_| ())
        .map_err(str::to_string)
}

/// `preview_url` as `check_preview_url` takes it: empty, or an http(s) URL
/// whose only braces are the placeholders, `{token}` among them.
fn preview_url_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    const C: &str = r"\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000{}";
    let part = format!(r"(?:[^{C}]|\{{(?:token|slug|id)\}})");
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(BASE_URL_MAX))
        .pattern(Some(format!(r"^(https?://{part}*\{{token\}}{part}*)?$")))
        .build()
}
