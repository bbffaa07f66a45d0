//! The content types, each owning its queries, and the small domain types they share.

pub mod account;
pub mod activity;
pub mod article;
pub mod article_state;
pub mod article_write;
pub mod change;
pub mod collection;
pub mod document;

pub mod faq;
pub mod image;
pub mod massage_type;
pub mod media;
pub mod media_use;
pub mod meta;
pub mod person;
pub mod preview;
pub mod redirect;
pub mod reference;
pub mod refresh_token;
pub mod review;
pub mod revision;
pub mod revision_diff;
pub mod session;
pub mod site;
pub mod tag;
pub mod treatment;
pub mod user;
pub mod versioned;
pub mod webhook;

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};
use serde::Serialize;
use utoipa::ToSchema;

/// An enum of named values, each with its text (the variant's name in
/// lowercase, which serde writes too; a test holds them equal): what JSON
/// carries and what a `Text` column of either backend stores; the domain
/// type is what queries bind and rows hold.
macro_rules! text_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $($(#[$variant_meta:meta])* $variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        #[derive(
            Clone,
            Copy,
            Debug,
            PartialEq,
            Eq,
            serde::Serialize,
            serde::Deserialize,
            utoipa::ToSchema,
            diesel::expression::AsExpression,
            diesel::deserialize::FromSqlRow,
        )]
        #[diesel(sql_type = diesel::sql_types::Text)]
        #[serde(rename_all = "snake_case")]
        $(#[$meta])*
        pub enum $name {
            $($(#[$variant_meta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            #[cfg(test)]
            pub const ALL: &[Self] = &[$(Self::$variant),+];
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text,)+
                }
            }

            pub fn parse(raw: &str) -> Option<Self> {
                match raw {
                    $($text => Some(Self::$variant),)+
                    _ => None,
                }
            }
        }

        impl<DB> diesel::serialize::ToSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            str: diesel::serialize::ToSql<diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut diesel::serialize::Output<'b, '_, DB>,
            ) -> diesel::serialize::Result {
                self.as_str().to_sql(out)
            }
        }

        impl<DB> diesel::deserialize::FromSql<diesel::sql_types::Text, DB> for $name
        where
            DB: diesel::backend::Backend,
            String: diesel::deserialize::FromSql<diesel::sql_types::Text, DB>,
        {
            fn from_sql(bytes: DB::RawValue<'_>) -> diesel::deserialize::Result<Self> {
                let raw = String::from_sql(bytes)?;
                Self::parse(&raw)
                    .ok_or_else(|| format!("unknown {} {raw:?}", stringify!($name)).into())
            }
        }
    };
}
pub(crate) use text_enum;

/// One field of the request and what is wrong with it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Why a write was refused; nothing was changed.
#[derive(Debug, thiserror::Error)]
pub enum ContentError {
    #[error(transparent)]
    Db(#[from] diesel::result::Error),
    /// Values that cannot be stored, by field.
    #[error("invalid values")]
    Invalid(Vec<FieldError>),
    /// Slugs that name nothing, by field (and nothing else wrong).
    #[error("references to missing items")]
    UnknownReferences(Vec<FieldError>),
    /// The item changed since the version the writer saw.
    #[error("the item has changed since version {0}")]
    Stale(i32),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Forbidden(String),
}

impl ContentError {
    pub fn invalid(field: &str, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }
}

/// The current time as stored: UTC, truncated to microseconds so that SQLite
/// and PostgreSQL round-trip the same value.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored UTC time as the API shows it.
pub fn to_utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Serializes a stored UTC time as RFC 3339 with `Z`.
pub fn serialize_utc<S: serde::Serializer>(t: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    serde::Serialize::serialize(&to_utc(*t), s)
}

/// Serde for an optional stored time as RFC 3339 with `Z` (reads it back,
/// and the bare form older snapshots may hold).
pub mod utc_opt {
    use chrono::{DateTime, NaiveDateTime, Utc};
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        t.map(|t| t.and_utc()).serialize(s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let Some(raw) = Option::<String>::deserialize(d)? else {
            return Ok(None);
        };
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc).naive_utc())
            .or_else(|_| raw.parse::<NaiveDateTime>())
            .map(Some)
            .map_err(serde::de::Error::custom)
    }
}

/// A URL-safe identifier: lowercase `a-z0-9` words joined by single hyphens,
/// 1..=120 characters. Holding one means it is valid.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    pub const MAX_LEN: usize = 120;

    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        if raw.is_empty() || raw.len() > Self::MAX_LEN {
            return Err("must be 1 to 120 characters");
        }
        let valid_words = raw.split('-').all(|w| {
            !w.is_empty()
                && w.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !valid_words {
            return Err("must be lowercase letters a-z, digits and single hyphens between words");
        }
        Ok(Self(raw.to_string()))
    }

    /// Derives a slug from a title: ASCII letters and digits kept (accents
    /// folded where simple), everything else a word break.
    pub fn from_title(title: &str) -> Option<Self> {
        let mut out = String::new();
        for c in title.chars().flat_map(char::to_lowercase) {
            let c = fold_accent(c);
            if c.is_ascii_alphanumeric() {
                out.push(c);
            } else if c == '\'' || c == '\u{2019}' {
                // "it's" -> "its", not "it-s"
            } else if !out.is_empty() && !out.ends_with('-') {
                out.push('-');
            }
        }
        let mut slug = out.trim_end_matches('-').to_string();
        if slug.len() > Self::MAX_LEN {
            slug.truncate(Self::MAX_LEN);
            slug = slug.trim_end_matches('-').to_string();
        }
        Self::parse(&slug).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

fn fold_accent(c: char) -> char {
    match c {
        'à'..='å' => 'a',
        'ç' => 'c',
        'è'..='ë' => 'e',
        'ì'..='ï' => 'i',
        'ñ' => 'n',
        'ò'..='ö' | 'ø' => 'o',
        'ù'..='ü' => 'u',
        'ý' | 'ÿ' => 'y',
        other => other,
    }
}

impl AsRef<str> for Slug {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<&str> for Slug {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

impl Serialize for Slug {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> serde::Deserialize<'de> for Slug {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Slug::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl std::fmt::Display for Slug {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// An absolute web address (`http://` or `https://` and something after
/// it, no whitespace or control characters), kept with attribute-breaking
/// characters percent-encoded. Holding one means it is valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebUrl(String);

impl WebUrl {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const INVALID: &str =
            "must be an http(s) URL without spaces, e.g. https://clinic.example/a";
        let rest = raw
            .strip_prefix("https://")
            .or_else(|| raw.strip_prefix("http://"))
            .ok_or(INVALID)?;
        if rest.is_empty() || raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(INVALID);
        }
        Ok(Self(crate::render::escape_url(raw)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A 1-based page of a list; `per_page` is 1..=100.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRequest {
    pub page: u32,
    pub per_page: u32,
}

impl PageRequest {
    pub const DEFAULT_PER_PAGE: u32 = 20;
    pub const MAX_PER_PAGE: u32 = 100;

    pub fn offset(&self) -> i64 {
        i64::from(self.page - 1) * i64::from(self.per_page)
    }

    pub fn limit(&self) -> i64 {
        i64::from(self.per_page)
    }
}

/// One page of items and the total count over all pages.
#[derive(Debug)]
pub struct Paged<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: PageRequest,
    /// Where the next page starts, for lists that page by key.
    pub next_cursor: Option<String>,
}

impl<T> Paged<T> {
    /// A page of a list paged by number (no cursor).
    pub fn new(items: Vec<T>, total: i64, page: PageRequest) -> Self {
        Self {
            items,
            total,
            page,
            next_cursor: None,
        }
    }

    /// The page of `all`, a whole list held in memory.
    pub fn slice(all: Vec<T>, page: PageRequest) -> Self {
        let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
        let items = all
            .into_iter()
            .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
            .take(page.per_page as usize)
            .collect();
        Self::new(items, total, page)
    }

    /// The same page with each item turned into something else.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Paged<U> {
        Paged {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            next_cursor: self.next_cursor,
        }
    }
}

diesel::define_sql_function!(
    /// SQL `lower`, for case-insensitive `LIKE` on both backends.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text
);

/// `%`, `_` and `\` taken literally in a `LIKE … ESCAPE '\'` pattern.
pub(crate) fn escape_like(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for c in raw.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_enums_write_the_same_text_to_json_and_to_the_database() {
        use super::article::StoredStatus;
        use super::user::Role;
        fn check<T: Copy + Serialize + std::fmt::Debug>(all: &[T], text: fn(T) -> &'static str) {
            for value in all {
                let json = serde_json::to_value(value).unwrap();
                assert_eq!(json, serde_json::json!(text(*value)), "{value:?}");
            }
        }
        check(StoredStatus::ALL, StoredStatus::as_str);
        check(Role::ALL, Role::as_str);
        check(
            super::review::ReviewState::ALL,
            super::review::ReviewState::as_str,
        );
        check(
            super::review::StepKind::ALL,
            super::review::StepKind::as_str,
        );
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(StoredStatus::parse("Draft"), None);
    }

    #[test]
    fn slugs_follow_the_contract() {
        for good in [
            "a",
            "massage-benefits",
            "4-healing-strategies",
            &"x".repeat(120),
        ] {
            assert!(Slug::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "A",
            "a--b",
            "-a",
            "a-",
            "a b",
            "é",
            "a_b",
            &"x".repeat(121),
        ] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn slugs_from_titles() {
        let s = |t: &str| Slug::from_title(t).map(Slug::into_inner);
        assert_eq!(
            s("Massage vs. Other Treatments").as_deref(),
            Some("massage-vs-other-treatments")
        );
        assert_eq!(s("It’s Café Time!").as_deref(), Some("its-cafe-time"));
        assert_eq!(s("!!!"), None);
        assert_eq!(s(&"word ".repeat(40)).map(|s| s.len() <= 120), Some(true));
    }
}
