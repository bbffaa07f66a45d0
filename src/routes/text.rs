//! The exact shapes of text fields in request bodies, for the OpenAPI document (`#[schema(schema_with = ...)]`).
//!
//! A request valid by the document must not be refused for its shape, and
//! one the document calls invalid must be: these schemas say precisely what
//! `Checks` and `Json` accept. No string may hold NUL (the `Json` extractor
//! refuses it anywhere); required text must hold something besides
//! whitespace (it is trimmed, and Rust's whitespace is listed out, since
//! regex engines disagree about `\s`); lengths count characters as given.

use utoipa::openapi::schema::{ArrayBuilder, Object, ObjectBuilder, Schema, SchemaType, Type};
use utoipa::openapi::RefOr;

use crate::content::Slug;

/// Any text without NUL.
pub const NO_NUL: &str = r"^[^\u0000]*$";
/// Text with at least one character that is neither whitespace nor NUL.
pub const NOT_BLANK: &str = r"^[^\u0000]*[^\u0000\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000]*$";
/// An absolute http(s) URL with no whitespace or control character (as
/// `content::WebUrl` takes it).
pub const WEB_URL: &str = r"^https?://[^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$";
/// Lowercase `a-z0-9` words joined by single hyphens.
pub const SLUG: &str = r"^[a-z0-9]+(-[a-z0-9]+)*$";
/// A path of the front end: `/`, then no whitespace or control character.
pub const PAGE_PATH: &str = r"^/[^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$";
/// A front-end path (not `//…`) or an http(s) URL, without whitespace or controls.
pub const PATH_OR_URL: &str = r"^(/|/[^/\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*|https?://[^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)$";
/// An http(s) URL without credentials (no `@`), whitespace or controls.
pub const WEB_URL_NO_AT: &str = r"^https?://[^@\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$";

fn string(min: usize, max: Option<usize>, pattern: &str, nullable: bool) -> Object {
    let kind = if nullable {
        SchemaType::from_iter([Type::String, Type::Null])
    } else {
        SchemaType::new(Type::String)
    };
    ObjectBuilder::new()
        .schema_type(kind)
        .min_length((min > 0).then_some(min))
        .max_length(max)
        .pattern(Some(pattern))
        .build()
}

/// Required text of 1..=`MAX` characters, not all whitespace.
pub fn required<const MAX: usize>() -> Object {
    string(1, Some(MAX), NOT_BLANK, false)
}

/// `required`, or `null` (which leaves the field as it is).
pub fn required_or_null<const MAX: usize>() -> Object {
    string(1, Some(MAX), NOT_BLANK, true)
}

/// Text of at most `MAX` characters, possibly empty.
pub fn optional<const MAX: usize>() -> Object {
    string(0, Some(MAX), NO_NUL, false)
}

/// `optional`, or `null`.
pub fn optional_or_null<const MAX: usize>() -> Object {
    string(0, Some(MAX), NO_NUL, true)
}

/// Text of any length (bounded by the body size), possibly empty.
pub fn any() -> Object {
    string(0, None, NO_NUL, false)
}

/// `any`, or `null`.
pub fn any_or_null() -> Object {
    string(0, None, NO_NUL, true)
}

/// A slug.
pub fn slug() -> Object {
    string(1, Some(Slug::MAX_LEN), SLUG, false)
}

/// A slug, or `null`.
pub fn slug_or_null() -> Object {
    string(1, Some(Slug::MAX_LEN), SLUG, true)
}

/// An ordered list of distinct slugs (each must exist).
pub fn slug_list() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(slug())
        .max_items(Some(crate::routes::admin::MAX_SLUG_LIST))
        .unique_items(true)
        .into()
}

/// `slug_list`, or `null` (an empty list).
pub fn slug_list_or_null() -> RefOr<Schema> {
    ArrayBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Array, Type::Null]))
        .items(slug())
        .max_items(Some(crate::routes::admin::MAX_SLUG_LIST))
        .unique_items(true)
        .into()
}

/// An email address as accepted for accounts.
pub fn email() -> Object {
    email_of(SchemaType::new(Type::String))
}

/// `email`, or `null`.
pub fn email_or_null() -> Object {
    email_of(SchemaType::from_iter([Type::String, Type::Null]))
}

fn email_of(kind: SchemaType) -> Object {
    ObjectBuilder::new()
        .schema_type(kind)
        .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(
            utoipa::openapi::KnownFormat::Email,
        )))
        .min_length(Some(3))
        .max_length(Some(254))
        .pattern(Some(NO_NUL))
        .build()
}

/// A new password: 12..=1024 characters, kept as given.
pub fn password() -> Object {
    string(12, Some(1024), NO_NUL, false)
}

/// `password`, or `null`.
pub fn password_or_null() -> Object {
    string(12, Some(1024), NO_NUL, true)
}

/// An http(s) URL of at most `MAX` characters.
pub fn url<const MAX: usize>() -> Object {
    string(1, Some(MAX), WEB_URL, false)
}

/// A list of at most `ITEMS` distinct http(s) URLs of at most `MAX` characters each.
pub fn url_list<const ITEMS: usize, const MAX: usize>() -> RefOr<Schema> {
    ArrayBuilder::new()
        .items(url::<MAX>())
        .max_items(Some(ITEMS))
        .unique_items(true)
        .into()
}

/// A front-end path of at most `MAX` characters.
pub fn page_path<const MAX: usize>() -> Object {
    string(1, Some(MAX), PAGE_PATH, false)
}

/// A front-end path or an http(s) URL of at most `MAX` characters.
pub fn path_or_url<const MAX: usize>() -> Object {
    string(1, Some(MAX), PATH_OR_URL, false)
}

/// An http(s) URL without `@` of at most `MAX` characters (`null` too when `NULL`).
pub fn url_no_at<const MAX: usize, const NULL: bool>() -> Object {
    string(1, Some(MAX), WEB_URL_NO_AT, NULL)
}

/// An http(s) URL of at most `MAX` characters, or `null`.
pub fn url_or_null<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(MAX))
        .pattern(Some(WEB_URL))
        .build()
}

/// An http(s) URL of at most `MAX` characters, empty for none, or `null`.
pub fn base_url_or_null<const MAX: usize>() -> Object {
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .max_length(Some(MAX))
        .pattern(Some(r"^(https?://[^\u0000-\u0020\u007f-\u009f\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+)?$"))
        .build()
}

/// An article-list cursor (`meta.next_cursor`).
pub fn cursor() -> Object {
    string(
        0,
        Some(1700),
        crate::content::article::CURSOR_PATTERN,
        false,
    )
}

#[cfg(test)]
mod tests {
    /// The character class of `NOT_BLANK` is exactly what `str::trim` removes.
    #[test]
    fn not_blank_lists_rusts_whitespace() {
        let listed = |c: char| {
            matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200a}'
                | '\u{2028}' | '\u{2029}' | '\u{202f}' | '\u{205f}' | '\u{3000}')
        };
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(listed(c), c.is_whitespace(), "{:?}", c);
        }
    }
}
