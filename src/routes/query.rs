//! `Query<T>`, the query-string extractor: a value that does not parse is a `400` naming its parameter.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// The query string of a request as `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

super::wrapper!(Query);

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req.query_string()).map(Query))
    }
}

fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let parsed = serde_urlencoded::Deserializer::new(form_urlencoded(query));
    serde_path_to_error::deserialize(parsed).map_err(|e| super::invalid_at(&e, "the query string"))
}

fn form_urlencoded(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}

/// A free-text query parameter (`q`) as the document describes it: at most
/// `max` characters, no NUL; `400` naming it otherwise.
pub fn text_param<'a>(
    name: &str,
    value: Option<&'a str>,
    max: usize,
) -> Result<Option<&'a str>, crate::error::ApiError> {
    use crate::error::ApiError;
    match value {
        Some(text) if text.chars().count() > max => Err(ApiError::bad_query(
            name,
            format!("must be at most {max} characters"),
        )),
        Some(text) if text.contains('\0') => {
            Err(ApiError::bad_query(name, "must not contain NUL (U+0000)"))
        }
        other => Ok(other),
    }
}
