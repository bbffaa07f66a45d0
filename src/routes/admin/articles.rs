//! `/api/v1/admin/articles`: drafts, publishing, scheduling, revisions.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{
    created, double_option, item_response, no_content, object_double_option, object_or_null,
    parse_id, Checks, IfMatch,
};
use crate::app::AppState;
use crate::auth::{authorize, Action, AuthUser};
use crate::content::article::{
    AdminArticle, AdminArticleSummary, Article, ArticleStatus, StatusRequest, StoredStatus,
};
use crate::content::article_write::{self, ArticleState, Stored};
use crate::content::revision::{self, Revision};
use crate::content::{now, ContentError, WebUrl};
use crate::db::DbConnection;
use crate::error::{ApiError, FieldError};
use crate::routes::articles::{ArticleListParams, SortParam};
use crate::routes::Query;
use crate::routes::{page_request, text, Item, Json, List, OptionalJson};

/// Markdown as editors send it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownInput {
    #[schema(schema_with = text::any)]
    pub markdown: String,
}

/// SEO fields; in a patch `null` resets one to its default (title, excerpt, site URL).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SeoInput {
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<SEO_MAX>)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<SEO_MAX>)]
    pub description: Option<Option<String>>,
    /// An http(s) URL.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::url_or_null::<SEO_MAX>)]
    pub canonical_url: Option<Option<String>>,
}

/// A new article. Relations are ordered lists of slugs that must exist.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticleCreate {
    /// 1..=200 characters.
    #[schema(schema_with = text::required::<TITLE_MAX>)]
    pub title: String,
    /// Made from the title when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<EXCERPT_MAX>)]
    pub excerpt: String,
    #[serde(default, deserialize_with = "object_or_null")]
    pub body: Option<MarkdownInput>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub tags: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub massage_types: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub treatments: Vec<String>,
    #[serde(default)]
    #[schema(schema_with = text::slug_list)]
    pub related: Vec<String>,
    #[serde(default, deserialize_with = "object_or_null")]
    pub seo: Option<SeoInput>,
    /// `draft` (the default); `published` or `archived` need the editor role.
    pub status: Option<StoredStatus>,
    /// With `status: published`, when it goes public (now when absent; in
    /// the future it is `scheduled`). With `draft`, a planned date that
    /// does not make it public; with `archived`, the date it had. Setting
    /// it needs the editor role.
    pub publish_at: Option<DateTime<Utc>>,
}

/// A JSON merge patch of an article: absent fields stay, `null` clears.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ArticlePatch {
    /// 1..=200 characters; cannot be `null`.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::required::<TITLE_MAX>)]
    pub title: Option<Option<String>>,
    /// `null` makes it from the title again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::optional_or_null::<EXCERPT_MAX>)]
    pub excerpt: Option<Option<String>>,
    #[serde(default, deserialize_with = "object_double_option")]
    #[schema(value_type = Option<MarkdownInput>)]
    pub body: Option<Option<MarkdownInput>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub tags: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub massage_types: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub treatments: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_list_or_null)]
    pub related: Option<Option<Vec<String>>>,
    #[serde(default, deserialize_with = "object_double_option")]
    #[schema(value_type = Option<SeoInput>)]
    pub seo: Option<Option<SeoInput>>,
    /// A status change needs the editor role.
    pub status: Option<StoredStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub publish_at: Option<Option<DateTime<Utc>>>,
}

/// `publish` options.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRequest {
    /// When the article goes public; now when absent. In the future: `scheduled`.
    pub publish_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminArticleListParams {
    /// 1-based page number.
    #[param(minimum = 1, default = 1)]
    pub page: Option<i32>,
    /// Items per page, 1..=100.
    #[param(minimum = 1, maximum = 100, default = 20)]
    pub per_page: Option<i32>,
    /// Only this status.
    pub status: Option<ArticleStatus>,
    /// Only articles with this tag (a tag slug).
    #[param(
        pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$",
        min_length = 1,
        max_length = 120
    )]
    pub tag: Option<String>,
    /// Full-text search over title, excerpt and body.
    #[param(schema_with = text::optional::<200>)]
    pub q: Option<String>,
    /// As the public list; `-updated_at` is the default here.
    pub sort: Option<SortParam>,
    /// Keyset paging: `meta.next_cursor` of the previous page.
    #[param(schema_with = text::cursor)]
    pub cursor: Option<String>,
}

const TITLE_MAX: usize = 200;
const EXCERPT_MAX: usize = 2_000;
const SEO_MAX: usize = 500;

fn seo_field(checks: &mut Checks, field: &str, value: Option<String>) -> Option<String> {
    value.map(|v| checks.text(field, &v, SEO_MAX))
}

fn apply_seo(checks: &mut Checks, seo: SeoInput, state: &mut ArticleState) {
    if let Some(v) = seo.title {
        state.seo_title = seo_field(checks, "seo.title", v);
    }
    if let Some(v) = seo.description {
        state.seo_description = seo_field(checks, "seo.description", v);
    }
    if let Some(v) = seo.canonical_url {
        state.canonical_url = match v.map(|url| checks.text("seo.canonical_url", &url, SEO_MAX)) {
            Some(url) => match WebUrl::parse(&url) {
                Ok(url) => Some(url.into_inner()),
                Err(message) => {
                    checks.fail("seo.canonical_url", message);
                    None
                }
            },
            None => None,
        };
    }
}

/// Applies a status request (the rules are `StatusRequest`'s); one that
/// touches publication needs the right to publish.
fn apply_status(
    user: &AuthUser,
    state: &mut ArticleState,
    status: Option<StoredStatus>,
    publish_at: Option<Option<DateTime<Utc>>>,
) -> Result<(), ApiError> {
    let request = StatusRequest {
        status,
        publish_at: publish_at.map(|t| t.map(|t| t.naive_utc())),
    };
    if request.apply(&mut state.status, &mut state.published_at, now()) {
        authorize(user, Action::Publish)?;
    }
    Ok(())
}

impl ArticleCreate {
    /// The state to write, and the field errors found in it (the write adds
    /// those only the database can tell, then refuses with all of them).
    fn into_state(self, user: &AuthUser) -> Result<(ArticleState, Vec<FieldError>), ApiError> {
        let mut checks = Checks::default();
        let title = checks.required_text("title", &self.title, TITLE_MAX);
        let mut state = ArticleState {
            slug: checks.slug(self.slug.as_deref(), &title),
            title,
            excerpt: checks.text("excerpt", &self.excerpt, EXCERPT_MAX),
            body: checks.markdown(
                "body.markdown",
                self.body.map(|b| b.markdown).unwrap_or_default(),
            ),
            tags: checks.slug_list("tags", &self.tags),
            massage_types: checks.slug_list("massage_types", &self.massage_types),
            treatments: checks.slug_list("treatments", &self.treatments),
            related: checks.slug_list("related", &self.related),
            status: StoredStatus::Draft,
            author_id: Some(user.id),
            ..ArticleState::default()
        };
        if let Some(seo) = self.seo {
            apply_seo(&mut checks, seo, &mut state);
        }
        apply_status(user, &mut state, self.status, self.publish_at.map(Some))?;
        Ok((state, checks.errors))
    }
}

impl ArticlePatch {
    /// Applies the patch; the field errors found, as `ArticleCreate::into_state`.
    fn apply(self, user: &AuthUser, state: &mut ArticleState) -> Result<Vec<FieldError>, ApiError> {
        let mut checks = Checks::default();
        match self.title {
            Some(Some(title)) => state.title = checks.required_text("title", &title, TITLE_MAX),
            Some(None) => checks.fail("title", "must not be null"),
            None => {}
        }
        if let Some(given) = self.slug {
            state.slug = checks.slug(given.as_deref(), &state.title);
        }
        if let Some(excerpt) = self.excerpt {
            state.excerpt = checks.text("excerpt", &excerpt.unwrap_or_default(), EXCERPT_MAX);
        }
        if let Some(body) = self.body {
            state.body = checks.markdown(
                "body.markdown",
                body.map(|b| b.markdown).unwrap_or_default(),
            );
        }
        let lists = [
            ("tags", self.tags, &mut state.tags),
            (
                "massage_types",
                self.massage_types,
                &mut state.massage_types,
            ),
            ("treatments", self.treatments, &mut state.treatments),
            ("related", self.related, &mut state.related),
        ];
        for (field, value, target) in lists {
            if let Some(value) = value {
                *target = checks.slug_list(field, &value.unwrap_or_default());
            }
        }
        match self.seo {
            Some(Some(seo)) => apply_seo(&mut checks, seo, state),
            Some(None) => {
                state.seo_title = None;
                state.seo_description = None;
                state.canonical_url = None;
            }
            None => {}
        }
        apply_status(user, state, self.status, self.publish_at)?;
        Ok(checks.errors)
    }
}

/// Loads the article, checks the permission and, for writes, `If-Match`.
fn load_for_change(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i32,
) -> Result<(ArticleState, Stored), ApiError> {
    crate::db::backend::lock_row(conn, "articles", id)?;
    let (state, stored) = ArticleState::load(conn, id).map_err(not_found)?;
    authorize(
        user,
        Action::ChangeArticle {
            created_by: stored.created_by,
            is_draft: stored.is_draft(),
        },
    )?;
    Ok((state, stored))
}

fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no article has this id"),
        other => other.into(),
    }
}

fn respond(status: StatusCode, article: &AdminArticle) -> HttpResponse {
    item_response(status, article, article.summary.version)
}

/// List every article, any status.
#[utoipa::path(
    tag = "admin: articles",
    params(AdminArticleListParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of articles", body = List<AdminArticleSummary>),
    )
)]
#[get("/articles")]
pub async fn list_admin_articles(
    user: AuthUser,
    state: web::Data<AppState>,
    params: Query<AdminArticleListParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let params = params.into_inner();
    let page = page_request(params.page, params.per_page)?;
    // Editors see the most recently changed first, unless they search or sort.
    let sort = match (params.sort, &params.q) {
        (None, None) => Some(SortParam::UpdatedDesc),
        (sort, _) => sort,
    };
    let public_params = ArticleListParams {
        page: params.page,
        per_page: params.per_page,
        tag: params.tag,
        q: params.q,
        sort,
        cursor: params.cursor,
    };
    let filter = public_params.filter()?;
    let status = params.status;
    let at = now();
    let paged = state
        .db
        .run(move |conn| Ok(Article::list_admin(conn, &filter, page, status, at)?))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(List::from(paged)))
}

/// Create an article: a draft, unless an editor asks for `published`.
#[utoipa::path(
    tag = "admin: articles",
    request_body = ArticleCreate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `Location` names it, `ETag` is its version", body = Item<AdminArticle>),
        (status = 403, description = "The role may not publish"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<ArticleCreate>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::CreateArticle)?;
    let (article_state, errors) = body.into_inner().into_state(&user)?;
    let article = state
        .db
        .write(move |conn| {
            let at = now();
            let id = article_write::create(conn, &article_state, errors, user.id, at)
                .map_err(slug_conflict)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(created(
        format!("/api/v1/admin/articles/{}", article.summary.id),
        &article,
        article.summary.version,
    ))
}

fn slug_conflict(e: ContentError) -> ApiError {
    match e {
        ContentError::Db(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => ApiError::Conflict("another article already has this slug".into()),
        other => other.into(),
    }
}

/// One article in any status, with `status` and `version`.
#[utoipa::path(
    tag = "admin: articles",
    params(("id" = i32, Path, description = "The article's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article; `ETag` is its version", body = Item<AdminArticle>),
        (status = 404, description = "No article has this id"),
    )
)]
#[get("/articles/{id}")]
pub async fn find_admin_article(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let id = parse_id(&id)?;
    let article = state
        .db
        .run(move |conn| Article::find_admin(conn, id, now()).map_err(not_found))
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// Change an article (JSON merge patch); needs `If-Match`.
#[utoipa::path(
    tag = "admin: articles",
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"v3\""),
    ),
    request_body(content = ArticlePatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed article", body = Item<AdminArticle>),
        (status = 403, description = "The role may not change this article"),
        (status = 404, description = "No article has this id"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Json<ArticlePatch>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    let patch = body.into_inner();
    apply_patch(Precondition::Required(if_match), user, state, id, patch).await
}

/// Delete an article; needs `If-Match`. Its FAQs are kept, detached.
#[utoipa::path(
    tag = "admin: articles",
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this article"),
        (status = 404, description = "No article has this id"),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let id = parse_id(&id)?;
    state
        .db
        .write(move |conn| {
            let (article_state, stored) = load_for_change(conn, &user, id)?;
            let version = if_match.version(stored.version)?;
            article_write::delete(conn, id, version, &article_state.title, user.id, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}

/// Publish now, or schedule with `publish_at` (status `scheduled` until then).
#[utoipa::path(
    tag = "admin: articles",
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    request_body(content = Option<PublishRequest>, description = "Optional; empty publishes now"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article, published or scheduled", body = Item<AdminArticle>),
        (status = 403, description = "The role may not publish"),
        (status = 404, description = "No article has this id"),
    )
)]
#[post("/articles/{id}/publish")]
pub async fn publish_article(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: OptionalJson<PublishRequest>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::Publish)?;
    let id = parse_id(&id)?;
    // No body, an empty one, or `null`: publish now.
    let request = body.0.unwrap_or_default();
    let patch = ArticlePatch {
        status: Some(StoredStatus::Published),
        publish_at: Some(request.publish_at),
        ..ArticlePatch::default()
    };
    apply_patch(Precondition::IfSent(if_match), user, state, id, patch).await
}

/// Take an article back to `draft`.
#[utoipa::path(
    tag = "admin: articles",
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article, now a draft", body = Item<AdminArticle>),
        (status = 403, description = "The role may not unpublish"),
        (status = 404, description = "No article has this id"),
    )
)]
#[post("/articles/{id}/unpublish")]
pub async fn unpublish_article(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::Publish)?;
    let id = parse_id(&id)?;
    let patch = ArticlePatch {
        status: Some(StoredStatus::Draft),
        ..ArticlePatch::default()
    };
    apply_patch(Precondition::IfSent(if_match), user, state, id, patch).await
}

/// Whether a change needs `If-Match`: `PATCH` does; `publish` and
/// `unpublish` check it when sent.
enum Precondition {
    Required(IfMatch),
    IfSent(IfMatch),
}

/// Applies a patch to an article in one write: the permission, the
/// precondition, the patch's own checks, then the write with its revision.
async fn apply_patch(
    precondition: Precondition,
    user: AuthUser,
    state: web::Data<AppState>,
    id: i32,
    patch: ArticlePatch,
) -> Result<HttpResponse, ApiError> {
    let article = state
        .db
        .write(move |conn| {
            let (mut article_state, stored) = load_for_change(conn, &user, id)?;
            let version = match &precondition {
                Precondition::Required(if_match) => if_match.version(stored.version)?,
                Precondition::IfSent(if_match) => if_match.version_if_sent(stored.version)?,
            };
            let errors = patch.apply(&user, &mut article_state)?;
            let action = article_write::action_for(&stored, &article_state);
            let at = now();
            article_write::update(
                conn,
                id,
                version,
                &article_state,
                errors,
                user.id,
                action,
                at,
            )
            .map_err(slug_conflict)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// The saved versions of an article, newest first.
#[utoipa::path(
    tag = "admin: articles",
    params(("id" = i32, Path, description = "The article's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Its revisions, newest first", body = List<Revision>),
        (status = 404, description = "No article has this id"),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_article_revisions(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let id = parse_id(&id)?;
    let revisions = state
        .db
        .run(move |conn| {
            ArticleState::load(conn, id).map_err(not_found)?;
            Ok(revision::revisions(conn, id)?)
        })
        .await?;
    let total = i64::try_from(revisions.len()).unwrap_or(i64::MAX);
    let per_page = u32::try_from(revisions.len().max(1)).unwrap_or(u32::MAX);
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(List::from(crate::content::Paged {
            items: revisions,
            total,
            page: crate::content::PageRequest { page: 1, per_page },
            next_cursor: None,
        })))
}

/// Make an earlier version current again (itself a new version). Content is
/// restored; the publication status stays as it is now.
#[utoipa::path(
    tag = "admin: articles",
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("revision" = i32, Path, description = "The version to restore"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The article with that version's content", body = Item<AdminArticle>),
        (status = 403, description = "The role may not change this article"),
        (status = 404, description = "No such article or revision"),
        (status = 409, description = "The old slug is now another article's"),
    )
)]
#[post("/articles/{id}/revisions/{revision}/restore")]
pub async fn restore_article_revision(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> Result<HttpResponse, ApiError> {
    let (id, revision) = path.into_inner();
    let id = parse_id(&id)?;
    let revision = parse_id(&revision)?;
    let article = state
        .db
        .write(move |conn| {
            let (current, stored) = load_for_change(conn, &user, id)?;
            let version = if_match.version_if_sent(stored.version)?;
            let saved = revision::revision_state(conn, id, revision)?.ok_or_else(|| {
                ApiError::not_found(format!("article {id} has no revision {revision}"))
            })?;
            let restored = ArticleState {
                status: current.status,
                published_at: current.published_at,
                ..revision::without_missing_links(conn, saved)?
            };
            let at = now();
            article_write::update(
                conn,
                id,
                version,
                &restored,
                Vec::new(),
                user.id,
                crate::content::change::Action::Restored,
                at,
            )
            .map_err(slug_conflict)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}
