//! `Query<T>`, the query-string extractor: a value that does not parse is a `400` naming its parameter.

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpRequest};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// The query string of a request as `T`.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<T> Query<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T> std::ops::Deref for Query<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: DeserializeOwned> FromRequest for Query<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse(req.query_string()).map(Query))
    }
}

fn parse<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    let parsed = serde_urlencoded::Deserializer::new(form_urlencoded(query));
    serde_path_to_error::deserialize(parsed).map_err(|e| {
        let field = e.path().to_string();
        let message = e.inner().to_string();
        if field == "." {
            ApiError::bad_request(format!("the query string is invalid: {message}"))
        } else {
            ApiError::BadRequest {
                detail: format!("query parameter {field} is invalid: {message}"),
                errors: vec![FieldError::new(field, message)],
            }
        }
    })
}

fn form_urlencoded(query: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(query.as_bytes())
}
