//! Preview links for front ends: mint one for an article, list and revoke them.

use actix_web::http::StatusCode;
use actix_web::{get, post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::articles::not_found;
use super::no_content;
use crate::auth::can;
use crate::auth::preview::PreviewClaims;
use crate::content::article_state::ArticleState;
use crate::content::preview::{NewLink, PreviewLink, Previews};
use crate::content::site::Site;
use crate::content::{now, to_utc, PageRequest, Paged};
use crate::error::ApiError;
use crate::routes::{Allowed, Item, List, OptionalJson, PathId, Reply};

/// A preview link lives an hour unless asked otherwise, and a week at most.
const DEFAULT_SECONDS: i64 = 3_600;
const MAX_SECONDS: i64 = 7 * 24 * 3_600;

/// What a preview link is made with.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Seconds it stays valid: 60 to 604800 (a week); 3600 by default.
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 60, maximum = 604800)]
    pub expires_in: Option<i32>,
    /// Pin it to the article's current version: it shows nothing (`409`)
    /// once the article changes. Otherwise it shows the article as it is
    /// when read.
    #[serde(default)]
    pub pin_version: bool,
}

/// A new preview link: the token (shown this once) and the ready URL.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewToken {
    #[serde(flatten)]
    pub link: PreviewLink,
    /// Send as `Authorization: Preview <token>` (or `?token=`) to
    /// `GET /api/v1/preview/articles/{id}`.
    pub token: String,
    /// The site's `preview_url` with `{token}`, `{slug}` and `{id}` filled
    /// in; null when the site has none.
    pub url: Option<String>,
}

/// Make a preview link for an article (any signed-in role).
#[utoipa::path(
    params(("id" = i32, Path, description = "The article's id")),
    request_body(content = Option<PreviewRequest>, description = "Optional"),
    responses(
        (status = 201, description = "The link and its token", body = Item<PreviewToken>),
        (status = 404, description = "No article has this id"),
    )
)]
#[post("/articles/{id}/preview")]
pub async fn create_preview(
    editor: Allowed<can::ReadContent>,
    PathId(id): PathId,
    body: OptionalJson<PreviewRequest>,
) -> Reply {
    let request = body.0.unwrap_or_default();
    let seconds = request.expires_in.map_or(DEFAULT_SECONDS, i64::from);
    if !(60..=MAX_SECONDS).contains(&seconds) {
        return Err(ApiError::invalid_field(
            "expires_in",
            format!("must be 60 to {MAX_SECONDS} seconds"),
        ));
    }
    let keys = editor.tokens.clone();
    let made = editor
        .write(move |conn, user| {
            let (state, stored) = ArticleState::load(conn, id).map_err(not_found)?;
            let at = now();
            let link_id = hex::encode(crate::auth::random_bytes(16));
            let expires_at = at + chrono::Duration::seconds(seconds);
            let version = request.pin_version.then_some(stored.version);
            Previews::create(
                conn,
                &NewLink {
                    id: &link_id,
                    article_id: id,
                    version,
                    created_by: user.id,
                    created_at: at,
                    expires_at,
                },
            )?;
            let claims = PreviewClaims::new(
                link_id.clone(),
                id,
                version,
                to_utc(at).timestamp(),
                to_utc(expires_at).timestamp(),
            );
            let token = keys.issue_preview(&claims)?;
            let template = Site::find(conn)?.editorial.preview_url;
            let url = (!template.is_empty()).then(|| {
                template
                    .replace("{token}", &token)
                    .replace("{slug}", &state.slug)
                    .replace("{id}", &id.to_string())
            });
            let link = PreviewLink {
                id: link_id,
                article_id: id,
                version,
                created_by: Some(user.id),
                created_at: to_utc(at),
                expires_at: to_utc(expires_at),
                revoked_at: None,
            };
            Ok(PreviewToken { link, token, url })
        })
        .await?;
    let location = format!("/api/v1/admin/articles/{id}/previews");
    Ok(HttpResponse::build(StatusCode::CREATED)
        .insert_header(("Location", location))
        .insert_header(("Cache-Control", "no-store"))
        .json(Item { data: made }))
}

/// An article's preview links, newest first (their tokens are not shown again).
#[utoipa::path(
    params(("id" = i32, Path, description = "The article's id")),
    responses(
        (status = 200, description = "Its links", body = List<PreviewLink>),
        (status = 404, description = "No article has this id"),
    )
)]
#[get("/articles/{id}/previews")]
pub async fn list_previews(editor: Allowed<can::ReadContent>, PathId(id): PathId) -> Reply {
    let links = editor
        .read(move |conn| {
            ArticleState::load(conn, id).map_err(not_found)?;
            Ok(Previews::list(conn, id)?)
        })
        .await?;
    let total = i64::try_from(links.len()).unwrap_or(i64::MAX);
    let per_page = u32::try_from(links.len().max(1)).unwrap_or(u32::MAX);
    let page = PageRequest { page: 1, per_page };
    Ok(editor.respond_list(Paged::new(links, total, page)))
}

/// Revoke a preview link: its token reads nothing from now on.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The article's id"),
        ("preview" = String, Path, description = "The link's id"),
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 404, description = "The article has no such link"),
    )
)]
#[post("/articles/{id}/previews/{preview}/revoke")]
pub async fn revoke_preview(
    editor: Allowed<can::ReadContent>,
    path: web::Path<(String, String)>,
) -> Reply {
    let id = PathId::parse(&path.0)?;
    let preview = path.1.clone();
    editor
        .write(move |conn, _| {
            if Previews::revoke(conn, id, &preview, now())? {
                Ok(())
            } else {
                Err(ApiError::not_found("this article has no such preview link"))
            }
        })
        .await?;
    Ok(no_content())
}
