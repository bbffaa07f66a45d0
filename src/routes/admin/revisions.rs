//! `/api/v1/admin/articles/{id}/revisions`: every saved version, what
//! changed between two, and restoring one.

use actix_web::http::StatusCode;
use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::IfMatch;
use crate::auth::can;
use crate::content::article::{AdminArticle, Article};
use crate::content::article_state::ArticleState;
use crate::content::article_write;
use crate::content::now;
use crate::content::revision::{self, Revision};
use crate::content::revision_diff::{diff, FieldDiff};
use crate::error::ApiError;
use crate::routes::{Allowed, Item, List, PathId, Query, Reply};

use super::articles::{load_for_change, not_found, respond, slug_conflict};

/// The saved versions of an article, newest first.
#[utoipa::path(
    params(("id" = i32, Path, description = "The article's id")),
    responses(
        (status = 200, description = "Its revisions, newest first", body = List<Revision>),
        (status = 404, description = "No article has this id"),
    )
)]
#[get("/articles/{id}/revisions")]
pub async fn list_article_revisions(
    editor: Allowed<can::ReadContent>,
    PathId(id): PathId,
) -> Reply {
    let revisions = editor
        .read(move |conn| {
            ArticleState::load(conn, id).map_err(not_found)?;
            Ok(revision::revisions(conn, id)?)
        })
        .await?;
    let total = i64::try_from(revisions.len()).unwrap_or(i64::MAX);
    let per_page = u32::try_from(revisions.len().max(1)).unwrap_or(u32::MAX);
    let page = crate::content::PageRequest { page: 1, per_page };
    Ok(editor.respond_list(crate::content::Paged::new(revisions, total, page)))
}

/// Which two versions to compare.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    /// The older version.
    #[param(minimum = 1)]
    pub from: i32,
    /// The newer version (default: the current one).
    #[param(minimum = 1)]
    pub to: Option<i32>,
}

/// What changed from one version to another.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDiff {
    pub from: i32,
    pub to: i32,
    /// Only the fields that differ.
    pub fields: Vec<FieldDiff>,
}

/// What changed between two saved versions, field by field (the studio
/// shows it for revisions and for a save that met another editor's).
#[utoipa::path(
    params(("id" = i32, Path, description = "The article's id"), DiffParams),
    responses(
        (status = 200, description = "The changed fields", body = Item<RevisionDiff>),
        (status = 404, description = "No such article, or it has no such version"),
    )
)]
#[get("/articles/{id}/revisions/diff")]
pub async fn diff_article_revisions(
    editor: Allowed<can::ReadContent>,
    PathId(id): PathId,
    params: Query<DiffParams>,
) -> Reply {
    let DiffParams { from, to } = params.into_inner();
    let (before, after, to) = editor
        .read(move |conn| {
            let (current, stored) = ArticleState::load(conn, id).map_err(not_found)?;
            let saved = |conn: &mut _, version| {
                revision::revision_state(conn, id, version)?.ok_or_else(|| {
                    ApiError::not_found(format!("article {id} has no version {version}"))
                })
            };
            // The current version is the article as it is now (with links
            // gone since left out), whether or not a revision saved it.
            let to = to.unwrap_or(stored.version);
            let before = if from == stored.version {
                current.clone()
            } else {
                saved(conn, from)?
            };
            let after = if to == stored.version {
                current
            } else {
                saved(conn, to)?
            };
            Ok((before, after, to))
        })
        .await?;
    // Compared off the connection pool (a diff of long bodies takes time).
    let compared = RevisionDiff {
        from,
        to,
        fields: diff(&before, &after),
    };
    Ok(crate::routes::no_store(actix_web::HttpResponse::Ok()).json(Item { data: compared }))
}

/// Make an earlier version current again (itself a new version). Content is
/// restored; the publication status stays as it is now.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("revision" = i32, Path, description = "The version to restore"),
        ("If-Match" = Option<String>, Header, description = "Optional here: when sent, the ETag last read (`412` when stale)"),
    ),
    responses(
        (status = 200, description = "The article with that version's content", body = Item<AdminArticle>),
        (status = 403, description = "The role may not change this article"),
        (status = 404, description = "No such article or revision"),
        (status = 409, description = "The old slug is now another article's"),
    )
)]
#[post("/articles/{id}/revisions/{revision}/restore")]
pub async fn restore_article_revision(
    editor: Allowed<can::SignedIn>,
    path: web::Path<(String, String)>,
    if_match: IfMatch,
) -> Reply {
    let id = PathId::parse(&path.0)?;
    let revision = PathId::parse(&path.1)?;
    let article = editor
        .write(move |conn, user| {
            let (current, stored) = load_for_change(conn, user, id)?;
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
                (&stored, &current),
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
