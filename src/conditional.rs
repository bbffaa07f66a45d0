//! Conditional requests, read with actix's typed headers: `If-None-Match`
//! on public reads (weak comparison: `304`) and `If-Match` on editor writes
//! (strong comparison with the item's version: `412`, or `428` when a
//! precondition is required and missing).

use actix_web::http::header::{self, EntityTag, Header};
use actix_web::{HttpMessage, HttpRequest};

use crate::error::ApiError;

/// The request's `If-None-Match`, every header line as one list (RFC 9110
/// 5.3); `None` when absent or not a valid list, which is then ignored.
pub fn if_none_match(req: &impl HttpMessage) -> Option<header::IfNoneMatch> {
    if !req.headers().contains_key(header::IF_NONE_MATCH) {
        return None;
    }
    header::IfNoneMatch::parse(req).ok()
}

/// True when `condition` names `etag` (or `*`): the client holds these bytes.
pub fn not_modified(condition: Option<&header::IfNoneMatch>, etag: &str) -> bool {
    let Ok(etag) = etag.parse::<EntityTag>() else {
        return false;
    };
    match condition {
        Some(header::IfNoneMatch::Any) => true,
        Some(header::IfNoneMatch::Items(tags)) => tags.iter().any(|tag| tag.weak_eq(&etag)),
        None => false,
    }
}

/// The `ETag` of an editor item at `version`.
pub fn version_etag(version: i32) -> String {
    format!("\"v{version}\"")
}

/// The `If-Match` header of a write, taken before the work moves to the
/// blocking pool (a request cannot travel there). Never refused here: the
/// caller must be authenticated before its precondition is judged.
#[derive(Clone, Debug)]
pub enum IfMatch {
    Absent,
    /// Sent with no entity tag in it: no usable precondition.
    Empty,
    /// Sent, and not a valid list of entity tags: matches nothing.
    Invalid(String),
    Sent(header::IfMatch),
}

impl actix_web::FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let value = match req.headers().get(header::IF_MATCH) {
            None => IfMatch::Absent,
            Some(raw) if raw.as_bytes().iter().all(u8::is_ascii_whitespace) => IfMatch::Empty,
            // Entity tags it cannot read are left out of the list by actix:
            // a list that comes out empty named nothing valid.
            Some(raw) => match header::IfMatch::parse(req) {
                Ok(header::IfMatch::Items(tags)) if tags.is_empty() => {
                    IfMatch::Invalid(String::from_utf8_lossy(raw.as_bytes()).into_owned())
                }
                Ok(condition) => IfMatch::Sent(condition),
                Err(_) => IfMatch::Invalid(String::from_utf8_lossy(raw.as_bytes()).into_owned()),
            },
        };
        std::future::ready(Ok(value))
    }
}

impl IfMatch {
    /// The version the write was based on: `428` without `If-Match` (or
    /// with an empty one), `412` when it names another version. `*` means
    /// whatever is current.
    pub fn version(&self, current: i32) -> Result<i32, ApiError> {
        match self {
            IfMatch::Absent | IfMatch::Empty => Err(ApiError::PreconditionRequired(
                "send If-Match with the ETag you last read (e.g. If-Match: \"v3\"), so no \
                 change is overwritten silently"
                    .into(),
            )),
            _ => self.check(current),
        }
    }

    /// Like `version`, but a missing header means the current version (an
    /// empty one matches nothing: `412`).
    pub fn version_if_sent(&self, current: i32) -> Result<i32, ApiError> {
        match self {
            IfMatch::Absent => Ok(current),
            _ => self.check(current),
        }
    }

    fn check(&self, current: i32) -> Result<i32, ApiError> {
        let current_etag = version_etag(current);
        let matches = match self {
            IfMatch::Sent(header::IfMatch::Any) => true,
            IfMatch::Sent(header::IfMatch::Items(tags)) => {
                let current = EntityTag::new_strong(format!("v{current}"));
                tags.iter().any(|tag| tag.strong_eq(&current))
            }
            _ => false,
        };
        if matches {
            Ok(current)
        } else {
            Err(ApiError::PreconditionFailed(format!(
                "the item is at {current_etag}, not {}; fetch it again and reapply your change",
                self.sent()
            )))
        }
    }

    /// What the client sent, for the message.
    fn sent(&self) -> String {
        match self {
            IfMatch::Absent | IfMatch::Empty => String::new(),
            IfMatch::Invalid(raw) => raw.clone(),
            IfMatch::Sent(condition) => condition.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use actix_web::test::TestRequest;
    use actix_web::FromRequest;

    use super::*;

    fn if_match(value: Option<&str>) -> IfMatch {
        let mut req = TestRequest::default();
        if let Some(value) = value {
            req = req.insert_header((header::IF_MATCH, value));
        }
        let (req, mut payload) = req.to_http_parts();
        IfMatch::from_request(&req, &mut payload)
            .into_inner()
            .unwrap()
    }

    #[test]
    fn if_match_compares_strongly_with_the_version() {
        assert_eq!(if_match(Some("\"v3\"")).version(3).unwrap(), 3);
        assert_eq!(if_match(Some("*")).version(3).unwrap(), 3);
        assert_eq!(if_match(Some("\"v1\", \"v3\"")).version(3).unwrap(), 3);
        let refused = |value, status| {
            let error = if_match(value).version(3).unwrap_err();
            assert_eq!(
                actix_web::ResponseError::status_code(&error),
                status,
                "{value:?}"
            );
        };
        use actix_web::http::StatusCode;
        refused(Some("W/\"v3\""), StatusCode::PRECONDITION_FAILED);
        refused(Some("\"v2\""), StatusCode::PRECONDITION_FAILED);
        refused(Some("v3"), StatusCode::PRECONDITION_FAILED);
        refused(Some(" "), StatusCode::PRECONDITION_REQUIRED);
        refused(None, StatusCode::PRECONDITION_REQUIRED);
        assert_eq!(if_match(None).version_if_sent(3).unwrap(), 3);
        assert!(if_match(Some(" ")).version_if_sent(3).is_err());
    }

    #[test]
    fn if_none_match_compares_weakly_over_every_line() {
        let req = TestRequest::default()
            .append_header((header::IF_NONE_MATCH, "\"a\""))
            .append_header((header::IF_NONE_MATCH, "W/\"b\""))
            .to_http_request();
        let condition = if_none_match(&req);
        assert!(not_modified(condition.as_ref(), "\"a\""));
        assert!(not_modified(condition.as_ref(), "\"b\""));
        assert!(!not_modified(condition.as_ref(), "\"c\""));
        let any = TestRequest::default()
            .insert_header((header::IF_NONE_MATCH, "*"))
            .to_http_request();
        assert!(not_modified(if_none_match(&any).as_ref(), "\"c\""));
        let none = TestRequest::default().to_http_request();
        assert!(!not_modified(if_none_match(&none).as_ref(), "\"a\""));
    }
}
