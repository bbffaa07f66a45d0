//! The medical review of articles: submit, approve, request changes, and
//! the queue of articles waiting for a reviewer.

use actix_web::http::StatusCode;
use actix_web::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::ToSchema;

use super::articles::{load_for_change, not_found, respond};
use super::{Checks, IfMatch};
use crate::auth::can;
use crate::content::article::{AdminArticleSummary, Article};
use crate::content::article_state::ArticleState;
use crate::content::person::People;
use crate::content::review::{self, Approval};
use crate::content::{now, Paged};
use crate::error::ApiError;
use crate::routes::{
    text, Allowed, Item, Json, List, OptionalJson, PageParams, PathId, Query, Reply,
};

const NOTE_MAX: usize = 2_000;

/// A note going with a submission.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubmitRequest {
    /// For the reviewer: what changed, what to look at.
    #[serde(default)]
    #[schema(schema_with = text::optional::<NOTE_MAX>)]
    pub note: String,
}

/// What an approval records.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApproveRequest {
    /// The profile (slug) shown as the medical reviewer; by default the
    /// approver's own profile (the one linked to their account).
    #[schema(schema_with = text::slug_or_null)]
    pub reviewed_by: Option<String>,
    /// When it is due again; by default the site's interval from today.
    pub next_review_due: Option<NaiveDate>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<NOTE_MAX>)]
    pub note: String,
}

/// A change request.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// What the author should change; shown to them on the article.
    #[schema(schema_with = text::required::<NOTE_MAX>)]
    pub note: String,
}

/// Submit an article for medical review (whoever may edit it).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    request_body(content = Option<SubmitRequest>, description = "Optional"),
    responses(
        (status = 200, description = "The article, now `in_review`", body = Item<crate::content::article::AdminArticle>),
        (status = 403, description = "The role may not change this article"),
        (status = 404, description = "No article has this id"),
        (status = 409, description = "It is in review or approved already"),
    )
)]
#[post("/articles/{id}/submit")]
pub async fn submit_article(
    editor: Allowed<can::SignedIn>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: OptionalJson<SubmitRequest>,
) -> Reply {
    let request = body.0.unwrap_or_default();
    let article = editor
        .write(move |conn, user| {
            let (_, stored) = load_for_change(conn, user, id)?;
            if_match.version_if_sent(stored.version)?;
            let mut checks = Checks::default();
            let note = checks.text("note", &request.note, NOTE_MAX);
            checks.finish()?;
            let at = now();
            review::submit(conn, id, user.id, &note, at)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// Approve an article as it is now (reviewers, editors, admins). A published
/// article may be approved again without a submission: a re-review, which
/// only moves its review dates.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    request_body(content = Option<ApproveRequest>, description = "Optional"),
    responses(
        (status = 200, description = "The article, `approved`", body = Item<crate::content::article::AdminArticle>),
        (status = 403, description = "Only reviewers, editors and admins approve"),
        (status = 404, description = "No article (or reviewer profile) has this id"),
        (status = 409, description = "It was not submitted, or changes were requested"),
    )
)]
#[post("/articles/{id}/approve")]
pub async fn approve_article(
    reviewer: Allowed<can::Review>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: OptionalJson<ApproveRequest>,
) -> Reply {
    let request = body.0.unwrap_or_default();
    let article = reviewer
        .write(move |conn, user| {
            lock_checked(conn, id, &if_match)?;
            let mut checks = Checks::default();
            let note = checks.text("note", &request.note, NOTE_MAX);
            let slug = request
                .reviewed_by
                .as_deref()
                .map(|s| checks.slug(Some(s), ""));
            checks.finish()?;
            let reviewer = match slug {
                Some(slug) => Some(People::id_by_slug(conn, &slug)?.ok_or_else(|| {
                    ApiError::not_found(format!("no profile has the slug {slug}"))
                })?),
                None => None,
            };
            let at = now();
            let approval = Approval {
                reviewer,
                next_review_due: request.next_review_due,
                note,
            };
            review::approve(conn, id, user.id, approval, at)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// Send an article back to its author with a note (reviewers, editors, admins).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    request_body = ChangeRequest,
    responses(
        (status = 200, description = "The article, `changes_requested`", body = Item<crate::content::article::AdminArticle>),
        (status = 403, description = "Only reviewers, editors and admins review"),
        (status = 404, description = "No article has this id"),
        (status = 409, description = "It is not in review or approved"),
    )
)]
#[post("/articles/{id}/request-changes")]
pub async fn request_article_changes(
    reviewer: Allowed<can::Review>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: Json<ChangeRequest>,
) -> Reply {
    let request = body.into_inner();
    let article = reviewer
        .write(move |conn, user| {
            lock_checked(conn, id, &if_match)?;
            let mut checks = Checks::default();
            let note = checks.required_text("note", &request.note, NOTE_MAX);
            checks.finish()?;
            let at = now();
            review::request_changes(conn, id, user.id, &note, at)?;
            Ok(Article::find_admin(conn, id, at)?)
        })
        .await?;
    Ok(respond(StatusCode::OK, &article))
}

/// Locks the article for a review step and checks `If-Match` when sent.
fn lock_checked(
    conn: &mut crate::db::DbConnection,
    id: i32,
    if_match: &IfMatch,
) -> Result<(), ApiError> {
    crate::db::backend::lock_row(conn, "articles", id)?;
    let (_, stored) = ArticleState::load(conn, id).map_err(not_found)?;
    if_match.version_if_sent(stored.version)?;
    Ok(())
}

/// Articles waiting for review, the longest-waiting first.
#[utoipa::path(
    params(PageParams),
    responses((status = 200, description = "A page of articles in review", body = List<AdminArticleSummary>))
)]
#[get("/review-queue")]
pub async fn review_queue(editor: Allowed<can::ReadContent>, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let paged = editor
        .read(move |conn| {
            let at = now();
            let ids = review::queue(conn, page)?;
            summaries(conn, ids, at)
        })
        .await?;
    Ok(editor.respond_list(paged))
}

/// The page of articles these ids name, as editors list them.
pub(super) fn summaries(
    conn: &mut crate::db::DbConnection,
    ids: Paged<i32>,
    at: chrono::NaiveDateTime,
) -> Result<Paged<AdminArticleSummary>, ApiError> {
    let items = Article::admin_summaries(conn, &ids.items, at)?;
    Ok(Paged::new(items, ids.total, ids.page))
}
