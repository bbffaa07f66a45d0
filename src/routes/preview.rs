//! `GET /api/v1/preview/articles/{id}`: a draft as readers would get it if
//! it were published now, for the holder of a preview token. Never cached.

use actix_web::http::header;
use actix_web::{get, HttpRequest, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{Item, PathId, Public, Query, Reply};
use crate::content::article::{Article, PublicArticle};
use crate::content::now;
use crate::content::preview::{Previews, Refused};
use crate::error::ApiError;
use crate::routes::media::with_preview_token;

/// The token, when it comes in the query rather than a header.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewParams {
    /// The preview token, when it cannot go in `Authorization: Preview
    /// <token>` (the header is better: a URL is kept in logs and history).
    #[param(max_length = 2000, pattern = r"^[A-Za-z0-9_.-]+$")]
    pub token: Option<String>,
}

/// The token of `Authorization: Preview <token>`, else of `?token=`.
pub fn token_of(req: &HttpRequest, query: &PreviewParams) -> Result<String, ApiError> {
    let header = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Preview "))
        .map(str::trim);
    header
        .map(str::to_string)
        .or_else(|| query.token.clone())
        .ok_or_else(|| {
            ApiError::Unauthorized(
                "a preview token is needed: Authorization: Preview <token>, or ?token=".into(),
            )
        })
}

/// An article as the public endpoint would show it if it were published
/// now, for the holder of its preview token.
#[utoipa::path(
    params(("id" = i32, Path, description = "The article's id"), PreviewParams),
    responses(
        (status = 200, description = "The article as it would be published; `Cache-Control: private, no-store`", body = Item<PublicArticle>),
        (status = 401, description = "No token, or one that is invalid, expired, revoked or for another article"),
        (status = 404, description = "The article was deleted"),
        (status = 409, description = "The link is pinned to a version and the article has changed since"),
    )
)]
#[get("/preview/articles/{id}")]
pub async fn preview_article(
    public: Public,
    req: HttpRequest,
    PathId(id): PathId,
    params: Query<PreviewParams>,
) -> Reply {
    let token = token_of(&req, &params)?;
    let claims = public.tokens.verify_preview(&token)?;
    if claims.art != id {
        return Err(ApiError::Unauthorized(
            "this preview token is for another article".into(),
        ));
    }
    let at = now();
    let article = public
        .read(move |conn| {
            match Previews::check(conn, &claims.sub, at)? {
                Ok(()) => {}
                Err(Refused::Invalid) => {
                    return Err(ApiError::Unauthorized(
                        "the preview token is invalid, expired or revoked".into(),
                    ))
                }
                Err(Refused::Gone) => return Err(ApiError::not_found("the article was deleted")),
            }
            let (version, article) = Article::find_preview(conn, id, at).map_err(|e| match e {
                diesel::result::Error::NotFound => ApiError::not_found("the article was deleted"),
                other => other.into(),
            })?;
            match claims.ver {
                Some(pinned) if pinned != version => Err(ApiError::Conflict(format!(
                    "this preview link shows version {pinned}; the article is at version \
                     {version} now: make a new link"
                ))),
                _ => Ok(article),
            }
        })
        .await?;
    let mut payload =
        serde_json::to_value(Item { data: article }).map_err(|e| ApiError::Internal(e.into()))?;
    sign_media_urls(&mut payload, &token);
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .insert_header(("Referrer-Policy", "no-referrer"))
        .json(payload))
}

/// Gives every image URL in the payload the preview token (see
/// [`with_preview_token`]), so the draft's images that are not public yet
/// load where the preview is shown.
fn sign_media_urls(value: &mut serde_json::Value, token: &str) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Some(signed) = with_preview_token(text, token) {
                *text = signed;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| sign_media_urls(v, token)),
        Value::Object(fields) => fields.values_mut().for_each(|v| sign_media_urls(v, token)),
        _ => {}
    }
}
