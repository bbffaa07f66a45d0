//! `/media/{hash}/{file}`: the bytes of images, at URLs that change when
//! the image does (the content hash), so they are cached for a year.
//! Anyone may fetch an image that published content shows (or that is
//! marked public); any other answers `404` unless an editor's bearer token
//! or a preview token for an article that shows it comes with the request
//! (then privately, never stored by caches).

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{get, web, FromRequest, HttpRequest, HttpResponse};

use crate::app::AppState;
use crate::auth::AuthUser;
use crate::conditional::{if_none_match, not_modified};
use crate::content::image::{is_hash, rewrite_media_urls};
use crate::content::media::Media;
use crate::content::now;
use crate::content::preview::Previews;
use crate::error::ApiError;
use crate::media::variant::Shape;
use crate::media::Served;
use crate::routes::preview::{token_of, PreviewParams};
use crate::routes::Reply;

/// The bytes of an image file.
pub struct ImageBytes;

impl utoipa::PartialSchema for ImageBytes {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .format(Some(SchemaFormat::KnownFormat(KnownFormat::Binary)))
            .description(Some("The bytes of an image file"))
            .into()
    }
}

impl utoipa::ToSchema for ImageBytes {}

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

fn not_found() -> ApiError {
    ApiError::not_found("no image is published at this address")
}

/// One file of an image: the stripped original (`original.jpg`) or a
/// variant (`640.webp`, `640.jpg`).
///
/// `ETag` is strong, `304` answers `If-None-Match`, `Range` gets `206` (one
/// range; `416` when it lies past the end), `HEAD` the headers alone.
#[utoipa::path(
    params(
        ("hash" = String, Path, description = "The image's content hash (64 hex digits), from an image object's URLs", pattern = "^[0-9a-f]{64}$"),
        ("file" = String, Path, description = "`original.{ext}` or `{width}.{ext}`: a width of the image's `srcset` and `webp` or the original's extension", pattern = "^(original|[1-9][0-9]*)\\.(jpg|png|gif|webp)$"),
        ("Range" = Option<String>, Header, description = "One byte range, e.g. `bytes=0-1023`"),
        PreviewParams,
    ),
    responses(
        (status = 200, description = "The image's bytes; `Cache-Control: public, max-age=31536000, immutable`", content(
            (ImageBytes = "image/webp"), (ImageBytes = "image/jpeg"), (ImageBytes = "image/png"), (ImageBytes = "image/gif"),
        )),
        (status = 206, description = "The requested range of the bytes (`Content-Range` says which)", content(
            (ImageBytes = "image/webp"), (ImageBytes = "image/jpeg"), (ImageBytes = "image/png"), (ImageBytes = "image/gif"),
        )),
        (status = 304, description = "The client holds these bytes (`If-None-Match`)"),
        (status = 404, description = "No image anyone may see is at this address"),
        (status = 416, description = "The range lies outside the file"),
    )
)]
#[get("/media/{hash}/{file}")]
pub async fn media_file(req: HttpRequest) -> Reply {
    let state = req
        .app_data::<web::Data<AppState>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal(anyhow::anyhow!("no app state")))?;
    let hash = req.match_info().get("hash").unwrap_or_default();
    if !is_hash(hash) {
        return Err(not_found());
    }
    let generation = state.db.generation();
    let (shape, public) = match state.media.known_public(hash, generation) {
        Some(shape) => (shape, true),
        None => {
            let lookup = hash.to_string();
            let found: Option<(Shape, bool)> = state
                .db
                .run(move |conn| {
                    let Some(row) = Media::by_hash(conn, &lookup)? else {
                        return Ok(None);
                    };
                    let visible = Media::is_visible(conn, &row, now(), None)?;
                    Ok(Some((row.shape(), visible)))
                })
                .await?;
            let (shape, public) = found.ok_or_else(not_found)?;
            if public {
                state.media.remember_public(hash, generation, shape);
            }
            (shape, public)
        }
    };
    // Only an image nobody published asks who is asking: an editor, or the
    // holder of a preview link for an article that shows it.
    if !public
        && AuthUser::from_request(&req, &mut Payload::None)
            .await
            .is_err()
        && !previewed(&req, &state, hash).await?
    {
        return Err(not_found());
    }
    let file = req.match_info().get("file").unwrap_or_default();
    let variant = shape.parse_file(file).ok_or_else(not_found)?;
    // A file has one name (`parse_file` takes no other), so the URL's is the key.
    let served = match state.media.cached(hash, file) {
        Some(served) => served,
        None => state
            .media
            .file(hash, shape, variant)
            .await?
            .ok_or_else(not_found)?,
    };
    let cache_control = if public {
        IMMUTABLE
    } else {
        "private, no-store"
    };
    Ok(respond(
        &req,
        &served,
        shape.format_of(variant).mime(),
        cache_control,
    ))
}

/// `text` with `?token={token}` after every image file URL in it, or
/// `None` when it names none: a preview payload's images then load in a
/// browser, whose `<img>` sends no header. A token is URL-, HTML- and
/// `srcset`-safe (`[A-Za-z0-9_.-]`), so the text needs no other change.
pub fn with_preview_token(text: &str, token: &str) -> Option<String> {
    rewrite_media_urls(text, |_, url| format!("{url}?token={token}"))
}

/// True when the request carries a live preview token (`?token=`, as an
/// `<img>` sends no header, or `Authorization: Preview`) for an article that
/// shows the image. Any failure is a plain no: the answer is `404` either way.
async fn previewed(req: &HttpRequest, state: &AppState, hash: &str) -> Result<bool, ApiError> {
    let query = web::Query::<PreviewParams>::from_query(req.query_string())
        .map(web::Query::into_inner)
        .unwrap_or_default();
    let Some(claims) = token_of(req, &query)
        .and_then(|token| state.tokens.verify_preview(&token))
        .ok()
    else {
        return Ok(false);
    };
    let lookup = hash.to_string();
    let at = now();
    state
        .db
        .run(move |conn| {
            if Previews::check(conn, &claims.sub, at)?.is_err() {
                return Ok(false);
            }
            match Media::by_hash(conn, &lookup)? {
                Some(row) => Ok(Media::is_visible(conn, &row, at, Some(claims.art))?),
                None => Ok(false),
            }
        })
        .await
}

/// Answers a request for a public file held in memory before it is routed
/// (as the response cache answers JSON): the common case then costs no
/// database, extractor or handler. Anything else goes on to `media_file`.
pub async fn media_hits(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    if req.method() == actix_web::http::Method::GET {
        if let Some(res) = req
            .app_data::<web::Data<AppState>>()
            .and_then(|state| answer_from_memory(req.request(), state))
        {
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    Ok(next.call(req).await?.map_into_left_body())
}

fn answer_from_memory(req: &HttpRequest, state: &AppState) -> Option<HttpResponse> {
    let (hash, file) = req.path().strip_prefix("/media/")?.split_once('/')?;
    if !is_hash(hash) {
        return None;
    }
    let shape = state.media.known_public(hash, state.db.generation())?;
    let variant = shape.parse_file(file)?;
    let served = state.media.cached(hash, file)?;
    Some(respond(
        req,
        &served,
        shape.format_of(variant).mime(),
        IMMUTABLE,
    ))
}

/// The file as the request asks for it: whole, a range of it, or `304`.
fn respond(
    req: &HttpRequest,
    served: &Served,
    mime: &'static str,
    cache_control: &'static str,
) -> HttpResponse {
    let builder = |status: StatusCode| {
        let mut res = HttpResponse::build(status);
        res.insert_header((header::ETAG, served.etag.clone()))
            .insert_header((
                header::CACHE_CONTROL,
                HeaderValue::from_static(cache_control),
            ))
            .insert_header((header::ACCEPT_RANGES, HeaderValue::from_static("bytes")))
            .insert_header((
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ));
        res
    };
    let etag = served.etag.to_str().unwrap_or_default();
    if not_modified(if_none_match(req).as_ref(), etag) {
        return builder(StatusCode::NOT_MODIFIED).finish();
    }
    let len = served.bytes.len() as u64;
    match requested_range(req, etag, len) {
        Range::Whole => builder(StatusCode::OK)
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(mime)))
            .body(served.bytes.clone()),
        Range::Part(start, end) => builder(StatusCode::PARTIAL_CONTENT)
            .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(mime)))
            .insert_header((header::CONTENT_RANGE, format!("bytes {start}-{end}/{len}")))
            .body(served.bytes.slice(start as usize..=end as usize)),
        Range::Unsatisfiable => {
            let mut res = crate::error::problem_response(
                StatusCode::RANGE_NOT_SATISFIABLE,
                format!("the range lies outside the file of {len} bytes"),
                Vec::new(),
            );
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{len}")) {
                res.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            res
        }
    }
}

enum Range {
    Whole,
    Part(u64, u64),
    Unsatisfiable,
}

/// One satisfiable range is served as such; several ranges, a malformed
/// header or an `If-Range` naming other bytes get the whole file (as RFC
/// 9110 allows); a range wholly past the end is `416`.
fn requested_range(req: &HttpRequest, etag: &str, len: u64) -> Range {
    let Some(raw) = req
        .headers()
        .get(header::RANGE)
        .and_then(|v| v.to_str().ok())
    else {
        return Range::Whole;
    };
    if let Some(if_range) = req.headers().get(header::IF_RANGE) {
        if if_range.as_bytes() != etag.as_bytes() {
            return Range::Whole;
        }
    }
    let Ok(parsed) = http_range_header::parse_range_header(raw) else {
        return Range::Whole;
    };
    if parsed.len() != 1 {
        return Range::Whole;
    }
    match parsed.validate(len) {
        Ok(ranges) => ranges
            .first()
            .map_or(Range::Whole, |r| Range::Part(*r.start(), *r.end())),
        Err(_) => Range::Unsatisfiable,
    }
}

#[cfg(test)]
mod tests {
    use super::with_preview_token;

    #[test]
    fn only_image_file_urls_get_the_token() {
        let hash = "ab".repeat(32);
        let text = format!(
            "<img src=\"/media/{hash}/640.webp\" srcset=\"/media/{hash}/320.webp 320w, \
             https://cdn.example/media/{hash}/640.webp 640w\">"
        );
        let signed = with_preview_token(&text, "t.k-n").unwrap();
        assert_eq!(signed.matches("?token=t.k-n").count(), 3, "{signed}");
        assert!(signed.contains("320.webp?token=t.k-n 320w"));
        // Already signed, not an image URL, a short hash, a cut-off string.
        assert_eq!(with_preview_token(&signed, "x"), None);
        assert_eq!(with_preview_token("/media/ab/1.webp", "x"), None);
        assert_eq!(with_preview_token("see /media/ and more", "x"), None);
        assert_eq!(with_preview_token(&format!("/media/{hash}/"), "x"), None);
        assert_eq!(
            with_preview_token(&format!("/media/{}é/1.jpg", "a".repeat(63)), "x"),
            None
        );
    }
}
