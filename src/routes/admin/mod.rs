//! The editor API under `/api/v1/admin`: what its handlers share.

pub mod activity;
mod article_input;
pub mod articles;
mod collection;
pub mod faqs;
pub mod media;
pub mod people;
pub mod previews;
pub mod redirects;
pub mod render;
pub mod review;
pub mod revisions;
pub mod site;
pub mod tables;
pub mod tags;
mod upload;
pub mod users;
pub mod webhook_log;
pub mod webhooks;

use actix_web::http::header::{self, HeaderValue};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::{Deserialize, Deserializer, Serialize};

use crate::content::Slug;
use crate::error::{ApiError, FieldError};

pub use crate::conditional::{version_etag, IfMatch};

/// An item response for editors: `ETag` from the version, never cached.
pub fn item_response<T: Serialize>(status: StatusCode, data: &T, version: i32) -> HttpResponse {
    let mut res = HttpResponse::build(status)
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .json(super::Item { data });
    if let Ok(v) = HeaderValue::from_str(&version_etag(version)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

/// A page of a list for editors, never cached.
pub fn list_response<T: Serialize>(
    req: &actix_web::HttpRequest,
    paged: crate::content::Paged<T>,
) -> HttpResponse {
    let list = super::List::from(paged);
    let mut res = HttpResponse::Ok();
    res.insert_header((header::CACHE_CONTROL, "no-store"));
    if let Some(link) = super::envelope::link_header(req, &list.meta) {
        res.insert_header((header::LINK, link));
    }
    res.json(list)
}

/// `201 Created` with `Location`.
pub fn created<T: Serialize>(location: String, data: &T, version: i32) -> HttpResponse {
    let mut res = item_response(StatusCode::CREATED, data, version);
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

pub fn no_content() -> HttpResponse {
    HttpResponse::NoContent().finish()
}

/// An item id as JSON may write it: an integer, or a number with no
/// fraction (`7.0` is the integer 7 to JSON Schema).
fn whole_id<E: serde::de::Error>(n: f64) -> Result<i32, E> {
    if n.fract() == 0.0 && n >= f64::from(i32::MIN) && n <= f64::from(i32::MAX) {
        Ok(n as i32)
    } else {
        Err(E::custom("must be a whole number"))
    }
}

/// `Option<i32>` of an id (or another whole-number) field, written either way `whole_id` takes.
pub fn optional_id<'de, D: Deserializer<'de>>(de: D) -> Result<Option<i32>, D::Error> {
    Option::<f64>::deserialize(de)?.map(whole_id).transpose()
}

/// `optional_id` for a merge patch: absent `None`, `null` `Some(None)`.
pub fn patched_id<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Option<i32>>, D::Error> {
    Ok(Some(
        Option::<f64>::deserialize(de)?.map(whole_id).transpose()?,
    ))
}

/// For JSON merge patch: absent is `None`, `null` is `Some(None)`, a value is `Some(Some(v))`.
pub fn double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// The largest position an editor may give (far from `i32::MAX`, so rows
/// moved down to make room never overflow).
pub const MAX_POSITION: i32 = 1_000_000;

/// The most entries a relation list (tags, related articles, …) may hold.
pub const MAX_SLUG_LIST: usize = 100;

/// A nested object field. serde would also build a struct from a JSON
/// array (`"seo": [null, null]`); the document says object, so only an
/// object is taken (errors inside keep their path: `seo.title`).
pub fn object<'de, T, D>(de: D) -> Result<T, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    T::deserialize(ObjectOnly(de))
}

/// `object`, or `null` (`None`).
pub fn object_or_null<'de, T, D>(de: D) -> Result<Option<T>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<ViaObject<T>>::deserialize(de).map(|found| found.map(|ViaObject(value)| value))
}

/// `object_or_null` for a merge patch: absent is `None`, `null` is `Some(None)`.
pub fn object_double_option<'de, T, D>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    object_or_null(de).map(Some)
}

/// A deserializer that reads a struct only from a map.
struct ObjectOnly<D>(D);

impl<'de, D: Deserializer<'de>> Deserializer<'de> for ObjectOnly<D> {
    type Error = D::Error;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, visitor: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(visitor)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
        byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map
        struct enum identifier ignored_any
    }
}

struct ViaObject<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ViaObject<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        object(de).map(ViaObject)
    }
}

/// Collects field errors while a request body is turned into domain values.
#[derive(Default)]
pub struct Checks {
    pub errors: Vec<FieldError>,
}

impl Checks {
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        self.errors.push(FieldError::new(field, message));
    }

    /// Text of 1..=`max` characters as given, not all whitespace; kept trimmed.
    pub fn required_text(&mut self, field: &str, value: &str, max: usize) -> String {
        let trimmed = value.trim();
        if trimmed.is_empty() {
            self.fail(field, "must not be empty");
        } else if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        trimmed.to_string()
    }

    /// Markdown the renderer takes at a bounded cost (`render::Shape`).
    pub fn markdown(&mut self, field: &str, value: String) -> String {
        if let Some(problem) = crate::render::Shape::of(&value).problem() {
            self.fail(field, problem);
        }
        value
    }

    /// Text of at most `max` characters (may be empty).
    pub fn text(&mut self, field: &str, value: &str, max: usize) -> String {
        if value.chars().count() > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        value.to_string()
    }

    /// A given slug, or one made from `source` (a title or name).
    pub fn slug(&mut self, given: Option<&str>, source: &str) -> String {
        match given {
            Some(raw) => match Slug::parse(raw) {
                Ok(slug) => slug.into_inner(),
                Err(message) => {
                    self.fail("slug", message);
                    String::new()
                }
            },
            // A title with no a-z0-9 in it (say, in another script) still
            // gets a unique, valid slug; the editor can change it later.
            None => Slug::from_title(source)
                .map(Slug::into_inner)
                .unwrap_or_else(|| format!("item-{}", hex::encode(crate::auth::random_bytes(4)))),
        }
    }

    /// Each entry of a slug list must be a valid slug (existence is checked
    /// later), and there are at most `MAX_SLUG_LIST` of them.
    pub fn slug_list(&mut self, field: &str, values: &[String]) -> Vec<Slug> {
        if values.len() > MAX_SLUG_LIST {
            self.fail(field, format!("must list at most {MAX_SLUG_LIST} slugs"));
            return Vec::new();
        }
        let mut slugs: Vec<Slug> = Vec::with_capacity(values.len());
        for value in values {
            match Slug::parse(value) {
                // A list names each at most once (the schemas say `uniqueItems`).
                Ok(slug) if slugs.contains(&slug) => {
                    self.fail(field, format!("{slug} is listed twice"));
                }
                Ok(slug) => slugs.push(slug),
                Err(_) => self.fail(field, format!("{value:?} is not a valid slug")),
            }
        }
        slugs
    }

    /// A whole number in 0..=`MAX_POSITION` (`3.0` is taken as 3, as JSON
    /// does not tell them apart).
    pub fn position(&mut self, value: f64) -> i32 {
        if value.fract() == 0.0 && (0.0..=f64::from(MAX_POSITION)).contains(&value) {
            value as i32
        } else {
            self.fail(
                "position",
                format!("must be a whole number from 0 to {MAX_POSITION}"),
            );
            0
        }
    }

    pub fn finish(self) -> Result<(), ApiError> {
        if self.errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::invalid(self.errors))
        }
    }
}
