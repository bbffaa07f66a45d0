//! `Json<T>`, the one request-body extractor: JSON media types only, a size bound, no NUL in any string.

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{FromRequest, HttpRequest};
use futures_util::future::LocalBoxFuture;
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::app::MAX_BODY_BYTES;
use crate::error::{ApiError, FieldError};
use crate::middleware::payload_error;

/// A JSON request body of type `T`.
///
/// Accepted: `Content-Type: application/json` or
/// `application/merge-patch+json`, optionally with `charset=utf-8`, up to
/// `MAX_BODY_BYTES`. A string anywhere in it holding U+0000 is refused
/// (`422`, naming where): no field of the API has a use for it, and
/// PostgreSQL cannot store it.
#[derive(Debug)]
pub struct Json<T>(pub T);

super::wrapper!(Json);

impl<T: DeserializeOwned + 'static> FromRequest for Json<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let body = read_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Err(ApiError::bad_request(
                    "the body is empty; send a JSON object",
                ));
            }
            parse(&bytes).map(Json)
        })
    }
}

/// An optional JSON body: none (or an empty one, or `null`) is `None`.
#[derive(Debug)]
pub struct OptionalJson<T>(pub Option<T>);

impl<T: DeserializeOwned + 'static> FromRequest for OptionalJson<T> {
    type Error = ApiError;
    type Future = LocalBoxFuture<'static, Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let has_body = req.headers().contains_key(header::CONTENT_TYPE)
            || req.headers().contains_key(header::TRANSFER_ENCODING)
            || req
                .headers()
                .get(header::CONTENT_LENGTH)
                .is_some_and(|v| v.as_bytes() != b"0");
        if !has_body {
            return Box::pin(async { Ok(OptionalJson(None)) });
        }
        let body = read_body(req, payload);
        Box::pin(async move {
            let bytes = body.await?;
            if bytes.iter().all(u8::is_ascii_whitespace) {
                return Ok(OptionalJson(None));
            }
            parse::<T>(&bytes).map(|value| OptionalJson(Some(value)))
        })
    }
}

/// The whole body, after its media type is checked; bounded in size (and,
/// through `middleware::body_deadline`, in time).
fn read_body(
    req: &HttpRequest,
    payload: &mut Payload,
) -> LocalBoxFuture<'static, Result<Vec<u8>, ApiError>> {
    let checked = check_media_type(req);
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    let mut payload = payload.take();
    Box::pin(async move {
        checked?;
        if declared.is_some_and(|n| n > MAX_BODY_BYTES) {
            return Err(ApiError::PayloadTooLarge(format!(
                "the body is over {MAX_BODY_BYTES} bytes"
            )));
        }
        let mut body = Vec::with_capacity(declared.unwrap_or(1024).min(MAX_BODY_BYTES));
        while let Some(chunk) = payload.next().await {
            let chunk = chunk.map_err(|e| payload_error(&e))?;
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(ApiError::PayloadTooLarge(format!(
                    "the body is over {MAX_BODY_BYTES} bytes"
                )));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    })
}

const MEDIA_TYPE_HINT: &str =
    "send the body as JSON with Content-Type: application/json (or application/merge-patch+json for PATCH), charset utf-8 if any";

/// `application/json` or `application/merge-patch+json`, with no parameter
/// but `charset=utf-8` (RFC 9110: case-insensitive, optional whitespace
/// around `;`, a quoted value allowed).
fn check_media_type(req: &HttpRequest) -> Result<(), ApiError> {
    let unsupported = || ApiError::UnsupportedMediaType(MEDIA_TYPE_HINT.into());
    let value = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(unsupported)?
        .to_ascii_lowercase();
    let mut parts = value.split(';');
    let essence = parts.next().unwrap_or_default().trim();
    let is_json = matches!(essence, "application/json" | "application/merge-patch+json");
    let params_ok = parts.all(|parameter| {
        parameter.split_once('=').is_some_and(|(name, value)| {
            name.trim() == "charset" && value.trim().trim_matches('"') == "utf-8"
        })
    });
    if is_json && params_ok {
        Ok(())
    } else {
        Err(unsupported())
    }
}

/// JSON text into `T`: `400` for malformed JSON or the wrong shape, `422`
/// for NUL characters (naming every place).
fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::bad_request(format!("the JSON body is invalid: {e}")))?;
    // Every body of the API is an object, also an optional one (it is
    // absent, or empty, when not sent: `null` is not an object); serde
    // alone would build a struct from an array.
    if !value.is_object() {
        return Err(ApiError::bad_request("the JSON body must be an object"));
    }
    let mut errors = Vec::new();
    find_nul(&value, &mut String::new(), &mut errors);
    if !errors.is_empty() {
        return Err(ApiError::invalid(errors));
    }
    serde_path_to_error::deserialize(value).map_err(|e| super::invalid_at(&e, "the JSON body"))
}

/// Every string (or key) holding U+0000, by path (`tags[2]`, `body.markdown`).
fn find_nul(value: &Value, path: &mut String, errors: &mut Vec<FieldError>) {
    let here = |path: &str| {
        if path.is_empty() {
            "body".to_string()
        } else {
            path.to_string()
        }
    };
    match value {
        Value::String(s) if s.contains('\0') => {
            errors.push(FieldError::new(here(path), "must not contain NUL (U+0000)"));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                find_nul(item, path, errors);
                path.truncate(len);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                if key.contains('\0') {
                    errors.push(FieldError::new(here(path), "must not contain NUL (U+0000)"));
                }
                find_nul(item, path, errors);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_characters_are_found_wherever_they_are() {
        let value: Value = serde_json::from_str(
            r#"{"title":"a\u0000b","tags":["ok","x\u0000"],"body":{"markdown":"\u0000"},"fine":"\\u0000"}"#,
        )
        .unwrap();
        let mut errors = Vec::new();
        find_nul(&value, &mut String::new(), &mut errors);
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.sort_unstable();
        assert_eq!(fields, ["body.markdown", "tags[1]", "title"]);
    }
}
