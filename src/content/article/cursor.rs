//! Keyset cursors of the article list: what a page ends at, encoded opaque.

use super::*;

/// A position in a sorted article list: the sort key and id of the last
/// article of a page. Opaque to clients (hex), tied to its sort order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cursor {
    sort: ArticleSort,
    key: CursorKey,
    id: i32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum CursorKey {
    Time(NaiveDateTime),
    Title(String),
}

/// A `cursor` that is not of the shape `encode` makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MalformedCursor;

/// What a cursor looks like (for the OpenAPI document): published time,
/// updated time (microseconds: 18 digits reach the years 0 to 9999 that
/// `publish_at` takes), id, title (UTF-8 as hex), any of the keys empty.
pub const CURSOR_PATTERN: &str =
    r"^(-?[0-9]{1,18})?\.(-?[0-9]{1,18})?\.[0-9]{1,10}\.([0-9a-f]{2}){0,800}$";

fn hex_encode(text: &str) -> String {
    hex::encode(text)
}

/// Lowercase hex into text (bytes that are not UTF-8 replaced): any even
/// run of lowercase hex digits is a title to compare with.
fn hex_decode(digits: &str) -> Option<String> {
    let lowercase = digits
        .bytes()
        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if !lowercase || digits.len() > 1600 {
        return None;
    }
    let bytes = hex::decode(digits).ok()?;
    Some(String::from_utf8_lossy(&bytes).into_owned())
}

impl Cursor {
    /// The cursor after `row` in `sort` order (none for relevance).
    pub(super) fn after(sort: ArticleSort, row: &SummaryRow) -> Option<Self> {
        let key = match sort {
            ArticleSort::PublishedDesc | ArticleSort::PublishedAsc => {
                CursorKey::Time(row.published_at?)
            }
            ArticleSort::TitleAsc | ArticleSort::TitleDesc => CursorKey::Title(row.title.clone()),
            ArticleSort::UpdatedDesc | ArticleSort::UpdatedAsc => CursorKey::Time(row.updated_at),
            ArticleSort::Relevance => return None,
        };
        Some(Self {
            sort,
            key,
            id: row.id,
        })
    }

    /// `published.updated.id.title`: the article's key in each order (only
    /// the one of its own order filled in), so that every string of this
    /// shape is a position in any order (see `CURSOR_PATTERN`).
    pub fn encode(&self) -> String {
        let micros = |t: &NaiveDateTime| t.and_utc().timestamp_micros().to_string();
        let (published, updated, title) = match (&self.key, self.sort) {
            (CursorKey::Time(t), ArticleSort::PublishedDesc | ArticleSort::PublishedAsc) => {
                (micros(t), String::new(), String::new())
            }
            (CursorKey::Time(t), _) => (String::new(), micros(t), String::new()),
            (CursorKey::Title(title), _) => (String::new(), String::new(), hex_encode(title)),
        };
        format!("{published}.{updated}.{}.{title}", self.id)
    }

    /// The position `encoded` names in `sort` order. `Err` when it is not of
    /// the cursor's shape; `Ok(None)` when it holds no key for this order
    /// (a cursor of another order): the list then starts at its beginning.
    pub fn decode(encoded: &str, sort: ArticleSort) -> Result<Option<Self>, MalformedCursor> {
        let mut parts = encoded.split('.');
        let (Some(published), Some(updated), Some(id), Some(title), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(MalformedCursor);
        };
        let time = |raw: &str| -> Result<Option<NaiveDateTime>, MalformedCursor> {
            if raw.is_empty() {
                return Ok(None);
            }
            if raw.trim_start_matches('-').len() > 18 {
                return Err(MalformedCursor);
            }
            let micros: i64 = raw.parse().map_err(|_| MalformedCursor)?;
            Ok(Some(
                chrono::DateTime::from_timestamp_micros(micros)
                    .ok_or(MalformedCursor)?
                    .naive_utc(),
            ))
        };
        if id.is_empty() || id.len() > 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
            return Err(MalformedCursor);
        }
        // Ids past i32 come after every real one.
        let id = id
            .parse::<i64>()
            .map_err(|_| MalformedCursor)?
            .min(i64::from(i32::MAX)) as i32;
        let published = time(published)?;
        let updated = time(updated)?;
        let title = hex_decode(title).ok_or(MalformedCursor)?;
        let key = match sort {
            ArticleSort::PublishedDesc | ArticleSort::PublishedAsc => {
                published.map(CursorKey::Time)
            }
            ArticleSort::UpdatedDesc | ArticleSort::UpdatedAsc => updated.map(CursorKey::Time),
            ArticleSort::TitleAsc | ArticleSort::TitleDesc => {
                Some(title).filter(|t| !t.is_empty()).map(CursorKey::Title)
            }
            ArticleSort::Relevance => None,
        };
        Ok(key.map(|key| Self { sort, key, id }))
    }

    /// The public list visible "now" and after a newest-first cursor is the
    /// list visible at the cursor's time: one upper bound the index can seek
    /// to, where two (`<= now` and `<= cursor`) made SQLite scan from now.
    pub(super) fn narrow(&self, scope: Scope) -> Scope {
        match (scope, &self.key, self.sort) {
            (Scope::Public(now), CursorKey::Time(t), ArticleSort::PublishedDesc) => {
                Scope::Public(now.min(*t))
            }
            (other, _, _) => other,
        }
    }

    /// Articles strictly after the cursor (ties broken by id, descending, as
    /// the list is). Written `key <= k AND (key < k OR id < i)` rather than
    /// with a bare OR, so the index on the key bounds the scan.
    pub(super) fn condition(
        &self,
    ) -> Box<
        dyn diesel::BoxableExpression<
            articles::table,
            backend::Db,
            SqlType = diesel::sql_types::Nullable<diesel::sql_types::Bool>,
        >,
    > {
        let id = self.id;
        match (&self.key, self.sort) {
            (CursorKey::Time(t), ArticleSort::PublishedDesc) => Box::new(
                articles::published_at.le(*t).and(
                    articles::published_at
                        .lt(*t)
                        .or(articles::id.lt(id).nullable()),
                ),
            ),
            (CursorKey::Time(t), ArticleSort::PublishedAsc) => Box::new(
                articles::published_at.ge(*t).and(
                    articles::published_at
                        .gt(*t)
                        .or(articles::id.lt(id).nullable()),
                ),
            ),
            (CursorKey::Time(t), ArticleSort::UpdatedAsc) => Box::new(
                articles::updated_at
                    .ge(*t)
                    .and(articles::updated_at.gt(*t).or(articles::id.lt(id)))
                    .nullable(),
            ),
            (CursorKey::Time(t), _) => Box::new(
                articles::updated_at
                    .le(*t)
                    .and(articles::updated_at.lt(*t).or(articles::id.lt(id)))
                    .nullable(),
            ),
            (CursorKey::Title(title), ArticleSort::TitleDesc) => Box::new(
                articles::title
                    .le(title.clone())
                    .and(articles::title.lt(title.clone()).or(articles::id.lt(id)))
                    .nullable(),
            ),
            (CursorKey::Title(title), _) => Box::new(
                articles::title
                    .ge(title.clone())
                    .and(articles::title.gt(title.clone()).or(articles::id.lt(id)))
                    .nullable(),
            ),
        }
    }
}
