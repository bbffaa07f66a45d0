//! `/api/v1/admin/articles`: drafts, publishing, scheduling, revisions.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, HttpResponse};

use super::{created, item_response, no_content, IfMatch};
use crate::auth::{authorize, can, Action, AuthUser};
use crate::content::article::{AdminArticle, AdminArticleSummary, Article, StoredStatus};
use crate::content::article_state::{ArticleState, Stored};
use crate::content::article_write;
use crate::content::{now, ContentError};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::articles::{ArticleListParams, SortParam};
use crate::routes::{Allowed, Item, Json, List, OptionalJson, PathId, Query, Reply};

use super::article_input::{
    AdminArticleListParams, ArticleCreate, ArticlePatch, PublishRequest, ReviewFilter,
};
use crate::content::article::ArticleFilter;

/// Loads the article, checks the permission and, for writes, `If-Match`.
pub(super) fn load_for_change(
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

pub(super) fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no article has this id"),
        other => other.into(),
    }
}

pub(super) fn respond(status: StatusCode, article: &AdminArticle) -> HttpResponse {
    item_response(status, article, article.summary.version)
}

/// List every article, any status.
#[utoipa::path(
    params(AdminArticleListParams),
    responses((status = 200, description = "A page of articles", body = List<AdminArticleSummary>))
)]
#[get("/articles")]
pub async fn list_admin_articles(
    editor: Allowed<can::ReadContent>,
    params: Query<AdminArticleListParams>,
) -> Reply {
    let params = params.into_inner();
    let page = params.page_request()?;
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
    let at = now();
    let filter = ArticleFilter {
        overdue_on: (params.review == Some(ReviewFilter::Overdue)).then(|| at.date()),
        created_by: (params.mine == Some(true)).then_some(editor.user.id),
        credits: params
            .author
            .as_deref()
            .map(|raw| {
                crate::content::Slug::parse(raw)
                    .map(crate::content::Slug::into_inner)
                    .map_err(|m| ApiError::bad_query("author", m))
            })
            .transpose()?,
        ..public_params.filter()?
    };
    let status = params.status;
    let paged = editor
        .read(move |conn| Ok(Article::list_admin(conn, &filter, page, status, at)?))
        .await?;
    Ok(editor.respond_list(paged))
}

/// Create an article: a draft, unless an editor asks for `published`.
#[utoipa::path(
    request_body = ArticleCreate,
    responses(
        (status = 201, description = "Created; `Location` names it, `ETag` is its version", body = Item<AdminArticle>),
        (status = 403, description = "The role may not publish"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[post("/articles")]
pub async fn create_article(
    author: Allowed<can::CreateArticle>,
    body: Json<ArticleCreate>,
) -> Reply {
    let body = body.into_inner();
    let default_authors = body.authors.is_none();
    let (mut article_state, errors) = body.into_state(&author.user)?;
    let article = author
        .write(move |conn, user| {
            let at = now();
            if default_authors {
                article_state.authors = own_profile(conn, user.id)?;
            }
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

/// The profile linked to an account, as an article's default authors.
fn own_profile(
    conn: &mut DbConnection,
    user_id: i32,
) -> Result<Vec<crate::content::Slug>, ApiError> {
    let slug = crate::content::person::People::slug_for_user(conn, user_id)?;
    // Stored slugs were valid when written.
    Ok(slug
        .and_then(|s| crate::content::Slug::parse(&s).ok())
        .into_iter()
        .collect())
}

pub(super) fn slug_conflict(e: ContentError) -> ApiError {
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
    params(("id" = i32, Path, description = "The article's id")),
    responses(
        (status = 200, description = "The article; `ETag` is its version", body = Item<AdminArticle>),
        (status = 404, description = "No article has this id"),
    )
)]
#[get("/articles/{id}")]
pub async fn find_admin_article(editor: Allowed<can::ReadContent>, PathId(id): PathId) -> Reply {
    let article = editor
        .read(move |conn| Article::find_admin(conn, id, now()).map_err(not_found))
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// Change an article (JSON merge patch); needs `If-Match`.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = String, Header, description = "The ETag last read, e.g. \"v3\""),
    ),
    request_body(content = ArticlePatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed article", body = Item<AdminArticle>),
        (status = 403, description = "The role may not change this article"),
        (status = 404, description = "No article has this id"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[patch("/articles/{id}")]
pub async fn update_article(
    editor: Allowed<can::SignedIn>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: Json<ArticlePatch>,
) -> Reply {
    apply_patch(
        &editor,
        id,
        Precondition::Required(if_match),
        body.into_inner(),
    )
    .await
}

/// Delete an article; needs `If-Match`. Its FAQs are kept, detached.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "The role may not delete this article"),
        (status = 404, description = "No article has this id"),
    )
)]
#[delete("/articles/{id}")]
pub async fn delete_article(
    editor: Allowed<can::SignedIn>,
    PathId(id): PathId,
    if_match: IfMatch,
) -> Reply {
    editor
        .write(move |conn, user| {
            let (article_state, stored) = load_for_change(conn, user, id)?;
            let version = if_match.version(stored.version)?;
            article_write::delete(conn, id, version, &article_state.title, user.id, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}

/// Publish now, or schedule with `publish_at` (status `scheduled` until then).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    request_body(content = Option<PublishRequest>, description = "Optional; empty publishes now"),
    responses(
        (status = 200, description = "The article, published or scheduled", body = Item<AdminArticle>),
        (status = 403, description = "The role may not publish"),
        (status = 404, description = "No article has this id"),
        (status = 409, description = "The site requires an approved medical review of this version first"),
    )
)]
#[post("/articles/{id}/publish")]
pub async fn publish_article(
    editor: Allowed<can::Publish>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: OptionalJson<PublishRequest>,
) -> Reply {
    // No body, an empty one, or `null`: publish now.
    let request = body.0.unwrap_or_default();
    let patch = ArticlePatch {
        status: Some(StoredStatus::Published),
        publish_at: Some(request.publish_at),
        ..ArticlePatch::default()
    };
    apply_patch(&editor, id, Precondition::IfSent(if_match), patch).await
}

/// Take an article back to `draft`.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    responses(
        (status = 200, description = "The article, now a draft", body = Item<AdminArticle>),
        (status = 403, description = "The role may not unpublish"),
        (status = 404, description = "No article has this id"),
    )
)]
#[post("/articles/{id}/unpublish")]
pub async fn unpublish_article(
    editor: Allowed<can::Publish>,
    PathId(id): PathId,
    if_match: IfMatch,
) -> Reply {
    let patch = ArticlePatch {
        status: Some(StoredStatus::Draft),
        ..ArticlePatch::default()
    };
    apply_patch(&editor, id, Precondition::IfSent(if_match), patch).await
}

/// Whether a change needs `If-Match`: `PATCH` does; `publish` and
/// `unpublish` check it when sent.
enum Precondition {
    Required(IfMatch),
    IfSent(IfMatch),
}

/// Applies a patch to an article in one write: the permission, the
/// precondition, the patch's own checks, then the write with its revision.
async fn apply_patch<P>(
    editor: &Allowed<P>,
    id: i32,
    precondition: Precondition,
    patch: ArticlePatch,
) -> Reply {
    let article = editor
        .write(move |conn, user| {
            let (before, stored) = load_for_change(conn, user, id)?;
            let version = match &precondition {
                Precondition::Required(if_match) => if_match.version(stored.version)?,
                Precondition::IfSent(if_match) => if_match.version_if_sent(stored.version)?,
            };
            let mut article_state = before.clone();
            let mut patch = patch;
            let next_review_due = patch.next_review_due.take();
            if next_review_due.is_some() {
                authorize(user, Action::Publish)?;
            }
            let errors = patch.apply(user, &mut article_state)?;
            let action = article_write::action_for(&stored, &article_state);
            let at = now();
            article_write::update(
                conn,
                id,
                version,
                (&stored, &before),
                &article_state,
                errors,
                user.id,
                action,
                at,
            )
            .map_err(slug_conflict)?;
            if let Some(due) = next_review_due {
                crate::content::review::set_next_review_due(conn, id, due)?;
            }
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}
