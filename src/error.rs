//! `ApiError`, the one error type of the HTTP layer, rendered as RFC 9457 problem+json.

use actix_web::body::{BoxBody, EitherBody};
use actix_web::dev::ServiceResponse;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::middleware::ErrorHandlerResponse;
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// An RFC 9457 problem details document: the body of every error response.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank", "title": "Bad Request", "status": 400,
    "detail": "query parameter per_page must be between 1 and 100",
    "errors": [{"field": "per_page", "message": "must be between 1 and 100"}]
}))]
pub struct Problem {
    /// A URI naming the problem type; `about:blank` means the status says it all.
    #[serde(rename = "type")]
    pub problem_type: String,
    /// The HTTP status phrase.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong with this request, in words meant for the developer.
    pub detail: String,
    /// The fields at fault, when the request named some: at most
    /// `MAX_FIELD_ERRORS` of them, the rest counted in `more_errors`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// How many more field errors there were than `errors` lists.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, minimum = 1)]
    pub more_errors: Option<usize>,
}

/// Field errors listed in one problem; a request with more gets a count of the rest.
pub const MAX_FIELD_ERRORS: usize = 50;

pub use crate::content::FieldError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A request body named items that do not exist (`errors` says which).
    #[error("{detail}")]
    MissingReferences {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{detail}")]
    Unprocessable {
        detail: String,
        errors: Vec<FieldError>,
    },
    #[error("{0}")]
    PreconditionRequired(String),
    #[error("too many failed attempts; try again in {retry_after_secs} s")]
    TooManyRequests { retry_after_secs: u64 },
    /// The request was not received whole in time.
    #[error("{0}")]
    RequestTimeout(String),
    /// The database or the blocking pool could not serve the request now.
    #[error("service unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Something other than the database is full for now: `detail` says what.
    #[error("{detail}")]
    ServiceUnavailable {
        detail: String,
        retry_after_secs: u64,
    },
    /// Anything else: the cause goes to the log, never to the client.
    #[error("internal error")]
    Internal(#[source] anyhow::Error),
}

impl ApiError {
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::BadRequest {
            detail: detail.into(),
            errors: Vec::new(),
        }
    }

    /// A `400` for one bad query parameter, named in `errors`.
    pub fn bad_query(field: &str, message: impl Into<String>) -> Self {
        let message = message.into();
        Self::BadRequest {
            detail: format!("query parameter {field} {message}"),
            errors: vec![FieldError::new(field, message)],
        }
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::NotFound(what.into())
    }

    /// A `422` naming the fields at fault (each field once in `detail`, the
    /// first few; every error in `errors`, up to the bound).
    pub fn invalid(errors: Vec<FieldError>) -> Self {
        let mut fields: Vec<&str> = Vec::new();
        for e in &errors {
            if !fields.contains(&e.field.as_str()) {
                fields.push(&e.field);
            }
        }
        let shown = fields.len().min(10);
        let mut detail = format!("invalid values: {}", fields[..shown].join(", "));
        if fields.len() > shown {
            detail.push_str(&format!(" and {} more fields", fields.len() - shown));
        }
        Self::Unprocessable { detail, errors }
    }

    /// A `404` for slugs in a request body that name nothing.
    pub fn unknown_references(errors: Vec<FieldError>) -> Self {
        let mut fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        fields.dedup();
        Self::MissingReferences {
            detail: format!("nothing has these slugs: {}", fields.join(", ")),
            errors,
        }
    }

    /// A `422` for one field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::invalid(vec![FieldError::new(field, message)])
    }

    fn detail(&self) -> String {
        match self {
            Self::Unavailable(_) => "the database is not available; try again shortly".into(),
            Self::ServiceUnavailable { detail, .. } => detail.clone(),
            Self::Internal(_) => "the server could not complete the request".into(),
            other => other.to_string(),
        }
    }

    fn field_errors(&self) -> &[FieldError] {
        match self {
            Self::BadRequest { errors, .. }
            | Self::Unprocessable { errors, .. }
            | Self::MissingReferences { errors, .. } => errors,
            _ => &[],
        }
    }
}

impl From<crate::db::PoolError> for ApiError {
    fn from(e: crate::db::PoolError) -> Self {
        use crate::db::PoolError;
        match e {
            PoolError::Unavailable(e) => Self::Unavailable(e),
            PoolError::Failed(e) => Self::Internal(e),
            PoolError::Query(e) => e.into(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => Self::not_found("no such item"),
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                Self::Conflict("a unique field of this item is already taken".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _) => {
                Self::Unavailable(e_into(e))
            }
            ref other if crate::db::backend::is_busy(other) => Self::Unavailable(e_into(e)),
            other => Self::Internal(other.into()),
        }
    }
}

fn e_into(e: diesel::result::Error) -> anyhow::Error {
    e.into()
}

impl From<crate::content::ContentError> for ApiError {
    fn from(e: crate::content::ContentError) -> Self {
        use crate::content::ContentError as C;
        match e {
            C::Db(e) => e.into(),
            C::Invalid(errors) => Self::invalid(errors),
            C::UnknownReferences(errors) => Self::unknown_references(errors),
            C::Stale(version) => Self::PreconditionFailed(format!(
                "the item has changed since version {version}; fetch it again and reapply your change"
            )),
            C::Conflict(detail) => Self::Conflict(detail),
            C::Forbidden(detail) => Self::Forbidden(detail),
        }
    }
}

impl From<crate::media::MediaError> for ApiError {
    fn from(e: crate::media::MediaError) -> Self {
        use crate::media::{MediaError as M, Refusal as R};
        match e {
            M::Refused(R::Unsupported(detail)) => Self::UnsupportedMediaType(detail),
            M::Refused(R::TooLarge(detail)) => Self::PayloadTooLarge(detail),
            M::Refused(R::Unreadable(detail)) => Self::Unprocessable {
                detail,
                errors: Vec::new(),
            },
            M::Store(e) => {
                tracing::error!(error = %e, "the media store failed");
                Self::ServiceUnavailable {
                    detail: "the media store cannot be reached; try again shortly".into(),
                    retry_after_secs: 5,
                }
            }
            M::Worker(detail) => Self::Internal(anyhow::anyhow!(detail)),
            M::Busy { waiting } => Self::ServiceUnavailable {
                detail: format!(
                    "{waiting} images are waiting to be processed; try again in a few seconds"
                ),
                retry_after_secs: 5,
            },
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            Self::BadRequest { .. } => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) => StatusCode::FORBIDDEN,
            Self::NotFound(_) | Self::MissingReferences { .. } => StatusCode::NOT_FOUND,
            Self::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            Self::PreconditionRequired(_) => StatusCode::PRECONDITION_REQUIRED,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::RequestTimeout(_) => StatusCode::REQUEST_TIMEOUT,
            Self::ServiceUnavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
            Self::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Self::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            Self::Unavailable(cause) => tracing::warn!(error = ?cause, "database unavailable"),
            Self::Internal(cause) => tracing::error!(error = ?cause, "internal error"),
            _ => {}
        }
        let mut res = problem_response(
            self.status_code(),
            self.detail(),
            self.field_errors().to_vec(),
        );
        let extra = match self {
            Self::Unauthorized(_) => Some((header::WWW_AUTHENTICATE, "Bearer".to_string())),
            Self::TooManyRequests { retry_after_secs }
            | Self::ServiceUnavailable {
                retry_after_secs, ..
            } => Some((header::RETRY_AFTER, retry_after_secs.to_string())),
            Self::Unavailable(_) => Some((header::RETRY_AFTER, UNAVAILABLE_RETRY_SECS.to_string())),
            Self::RequestTimeout(_) => Some((header::CONNECTION, "close".to_string())),
            _ => None,
        };
        if let Some((name, value)) = extra {
            if let Ok(value) = HeaderValue::from_str(&value) {
                res.headers_mut().insert(name, value);
            }
        }
        res
    }
}

/// `text` cut to at most `max` characters, marked with `…` when cut.
fn shorten(text: String, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text,
    }
}

/// What a client is told to wait before retrying when the database did not answer.
const UNAVAILABLE_RETRY_SECS: u64 = 2;

/// Builds a problem+json response; every error leaving the server goes through here.
pub fn problem_response(
    status: StatusCode,
    detail: String,
    mut errors: Vec<FieldError>,
) -> HttpResponse {
    let more_errors = errors
        .len()
        .checked_sub(MAX_FIELD_ERRORS)
        .filter(|more| *more > 0);
    errors.truncate(MAX_FIELD_ERRORS);
    // What a client sent can be echoed in messages: never at full length.
    let detail = shorten(detail, 1000);
    for error in &mut errors {
        error.field = shorten(std::mem::take(&mut error.field), 200);
        error.message = shorten(std::mem::take(&mut error.message), 500);
    }
    let problem = Problem {
        problem_type: "about:blank".into(),
        title: status.canonical_reason().unwrap_or("Error").into(),
        status: status.as_u16(),
        detail,
        errors,
        more_errors,
    };
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    HttpResponse::build(status)
        .insert_header((header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON)))
        .insert_header((header::CACHE_CONTROL, HeaderValue::from_static("no-store")))
        .body(body)
}

/// A browser asking whether it may call the API from another origin.
fn is_cors_preflight(req: &actix_web::HttpRequest) -> bool {
    req.method() == actix_web::http::Method::OPTIONS
        && req.headers().contains_key(header::ORIGIN)
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD)
}

/// What to do about a refused preflight: usually, allow the origin.
fn cors_hint(req: &actix_web::HttpRequest) -> String {
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("this origin");
    format!(
        "the browser origin {origin} may not call this API: list it in the server's \
         CORS_ALLOWED_ORIGINS (comma-separated, e.g. CORS_ALLOWED_ORIGINS={origin}, or * for any) \
         and restart it. Allowed methods: GET, HEAD, POST, PATCH, DELETE; allowed request \
         headers: Authorization, Content-Type, If-Match, If-None-Match"
    )
}

/// `ErrorHandlers` default: turns any error response that is not already
/// problem+json (actix's own 404/405/413 and friends) into one, keeping the
/// headers that matter to clients.
pub fn problem_for_bare_errors<B>(
    res: ServiceResponse<B>,
) -> actix_web::Result<ErrorHandlerResponse<B>> {
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
    if is_problem {
        return Ok(ErrorHandlerResponse::Response(res.map_into_left_body()));
    }
    let status = res.status();
    let (req, old) = res.into_parts();
    let detail = match status {
        StatusCode::BAD_REQUEST if is_cors_preflight(&req) => cors_hint(&req),
        StatusCode::NOT_FOUND => format!("no resource at {}", req.path()),
        StatusCode::METHOD_NOT_ALLOWED => {
            format!("{} is not allowed on {}", req.method(), req.path())
        }
        _ => status
            .canonical_reason()
            .unwrap_or("the request failed")
            .to_string(),
    };
    let mut new: HttpResponse<BoxBody> = problem_response(status, detail, Vec::new());
    for name in [header::ALLOW, header::RETRY_AFTER, header::WWW_AUTHENTICATE] {
        if let Some(value) = old.headers().get(&name) {
            new.headers_mut().insert(name, value.clone());
        }
    }
    let res: ServiceResponse<EitherBody<B, BoxBody>> =
        ServiceResponse::new(req, new).map_into_right_body();
    Ok(ErrorHandlerResponse::Response(res))
}
