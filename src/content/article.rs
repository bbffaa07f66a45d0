//! Articles: their public queries, their relations, and rendering their bodies on write.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::change::{Action, Change, Item};
use super::faq::Faq;
use super::massage_type::MassageType;
use super::site::Site;
use super::tag::{Tag, TagRef};
use super::treatment::Treatment;
use super::user::User;
use super::{to_utc, PageRequest, Paged};
use crate::db::backend::{self, Drive};
use crate::db::schema::{
    article_massage_types, article_related, article_tags, article_treatments, articles,
};
use crate::db::DbConnection;
use crate::json_ld::{
    self, AnswerLd, ArticleLd, FaqPageLd, JsonLd, JsonLdNode, OrganizationLd, PersonLd, QuestionLd,
};
use crate::render::{render_markdown, Block, Embeds};

pub const STATUS_DRAFT: &str = "draft";
pub const STATUS_PUBLISHED: &str = "published";
pub const STATUS_ARCHIVED: &str = "archived";

pub type IsPublic = diesel::dsl::And<
    diesel::dsl::Eq<articles::status, &'static str>,
    diesel::dsl::LtEq<articles::published_at, NaiveDateTime>,
>;

/// Readers see an article when it is published and its time has come; a
/// scheduled article needs no job to appear, only the clock.
pub fn is_public(now: NaiveDateTime) -> IsPublic {
    articles::status
        .eq(STATUS_PUBLISHED)
        .and(articles::published_at.le(now))
}

/// How a list of articles is ordered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ArticleSort {
    #[default]
    PublishedDesc,
    PublishedAsc,
    TitleAsc,
    TitleDesc,
    UpdatedDesc,
    UpdatedAsc,
    /// Best full-text match first; only with a search.
    Relevance,
}

/// An article's state as editors see it; `scheduled` is `published` with a
/// `published_at` still in the future.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ArticleStatus {
    Draft,
    Scheduled,
    Published,
    Archived,
}

impl ArticleStatus {
    pub fn of(stored: &str, published_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Self {
        match stored {
            STATUS_PUBLISHED if published_at.is_some_and(|p| p > now) => Self::Scheduled,
            STATUS_PUBLISHED => Self::Published,
            STATUS_ARCHIVED => Self::Archived,
            _ => Self::Draft,
        }
    }
}

/// Which articles a query may see.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Readers: published and due at this time.
    Public(NaiveDateTime),
    /// Editors: every article, optionally one status, judged at this time.
    Admin(Option<ArticleStatus>, NaiveDateTime),
}

/// What a reader asked the article list for.
#[derive(Clone, Debug, Default)]
pub struct ArticleFilter {
    pub tag: Option<String>,
    pub search: Option<Search>,
    pub sort: ArticleSort,
    /// Keyset paging: only articles after this one in `sort` order.
    pub after: Option<Cursor>,
}

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
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

/// Lowercase hex into text (bytes that are not UTF-8 replaced): any even
/// run of hex digits is a title to compare with.
fn hex_decode(hex: &str) -> Option<String> {
    if !hex.len().is_multiple_of(2) || hex.len() > 1600 {
        return None;
    }
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            let pair = hex.get(i..i + 2)?;
            pair.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
                .then(|| u8::from_str_radix(pair, 16).ok())?
        })
        .collect();
    Some(String::from_utf8_lossy(&bytes?).into_owned())
}

impl Cursor {
    /// The cursor after `row` in `sort` order (none for relevance).
    fn after(sort: ArticleSort, row: &SummaryRow) -> Option<Self> {
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
    fn narrow(&self, scope: Scope) -> Scope {
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
    fn condition(
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

impl ArticleFilter {
    /// What `meta.total` depends on (not the order, page or cursor).
    pub fn count_key(&self) -> String {
        format!("{:?}|{:?}", self.tag, self.search)
    }
}

/// A full-text search: plain words, or text with none (which matches nothing).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Search {
    Words(backend::SearchWords),
    MatchNothing,
}

/// What a public list learns about its filter that holds until the next
/// write (or due time), for callers to remember: counting 100,000 matches,
/// or expanding a prefix, costs more than the page itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ListFacts {
    /// `meta.total`.
    pub total: Option<i64>,
    /// On SQLite, what the search's last word expands to, once looked up.
    pub prefix_terms: Option<backend::PrefixTerms>,
}

/// The byline of an article.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Author {
    pub name: String,
}

/// The fields every article listing shows, declared once for the public
/// summary (published: `published_at` always there) and the editors' (a
/// draft has none), so each has an exact, flat schema.
macro_rules! article_summary {
    (
        $(#[$meta:meta])* $name:ident,
        $(#[$published_meta:meta])* published_at: $published:ty
        $(, $(#[$field_meta:meta])* $field:ident : $field_ty:ty)* $(,)?
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, Serialize, ToSchema)]
        pub struct $name {
            pub id: i32,
            pub slug: String,
            pub title: String,
            pub excerpt: String,
            pub tags: Vec<TagRef>,
            /// Null when the author's account was removed.
            pub author: Option<Author>,
            $(#[$published_meta])*
            pub published_at: $published,
            pub updated_at: DateTime<Utc>,
            pub reading_time_minutes: i32,
            $($(#[$field_meta])* pub $field: $field_ty,)*
        }

        impl $name {
            fn from_listed(
                listed: Listed,
                published_at: $published
                $(, $field: $field_ty)*
            ) -> Self {
                Self {
                    id: listed.id,
                    slug: listed.slug,
                    title: listed.title,
                    excerpt: listed.excerpt,
                    tags: listed.tags,
                    author: listed.author,
                    published_at,
                    updated_at: to_utc(listed.updated_at),
                    reading_time_minutes: listed.reading_time_minutes,
                    $($field,)*
                }
            }
        }
    };
}

article_summary!(
    /// What a list of published articles shows of each.
    ArticleSummary,
    /// When it went public.
    published_at: DateTime<Utc>,
);

article_summary!(
    /// An article in the editors' lists, in any status.
    AdminArticleSummary,
    /// When it goes or went public; on a draft, a planned date or null.
    published_at: Option<DateTime<Utc>>,
    status: ArticleStatus,
    /// Increases with every change; the `ETag` is made from it.
    version: i32,
);

/// An article as listed, before it is shown to readers or to editors.
#[derive(Clone, Debug)]
struct Listed {
    id: i32,
    slug: String,
    title: String,
    excerpt: String,
    tags: Vec<TagRef>,
    author: Option<Author>,
    published_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
    reading_time_minutes: i32,
    status: String,
    version: i32,
}

impl Listed {
    /// As readers see it (only public articles are ever shown to them, and
    /// those have a publication time).
    fn public(self) -> ArticleSummary {
        let published_at = to_utc(self.published_at.unwrap_or(self.updated_at));
        ArticleSummary::from_listed(self, published_at)
    }

    /// As editors see it, with its status at `now`.
    fn admin(self, now: NaiveDateTime) -> AdminArticleSummary {
        let status = ArticleStatus::of(&self.status, self.published_at, now);
        let (published_at, version) = (self.published_at.map(to_utc), self.version);
        AdminArticleSummary::from_listed(self, published_at, status, version)
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = articles)]
struct SummaryRow {
    id: i32,
    slug: String,
    title: String,
    excerpt: String,
    published_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
    reading_time_minutes: i32,
    author_id: Option<i32>,
    status: String,
    version: i32,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = articles)]
struct BodyRow {
    body_markdown: String,
    body_html: String,
    body_blocks: String,
    seo_title: Option<String>,
    seo_description: Option<String>,
    canonical_url: Option<String>,
}

/// An article body in the three forms a front end may want.
#[derive(Debug, Serialize, ToSchema)]
pub struct Body {
    pub markdown: String,
    /// Rendered from the Markdown and sanitized.
    pub html: String,
    /// The same document as typed blocks.
    #[schema(value_type = Vec<Block>)]
    pub blocks: Box<RawValue>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Seo {
    pub title: String,
    pub description: String,
    pub canonical_url: Option<String>,
}

/// What a whole article shows besides its summary and related articles,
/// the same to readers and editors.
#[derive(Debug, Serialize, ToSchema)]
pub struct ArticleContent {
    pub body: Body,
    /// The massage types this article presents, in order.
    pub massage_types: Vec<MassageType>,
    /// The treatment comparison this article presents, in order.
    pub treatments: Vec<Treatment>,
    pub faqs: Vec<Faq>,
    pub seo: Seo,
    /// schema.org JSON-LD ready to embed in `<script type="application/ld+json">`:
    /// an `Article` and, with FAQs, a `FAQPage`. Every `<`, `>` and `&` in it
    /// is written as a `\u` escape, so its bytes can sit inside the script as is.
    #[schema(value_type = JsonLd)]
    pub json_ld: Box<RawValue>,
}

/// A whole published article as readers get it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicArticle {
    #[serde(flatten)]
    pub summary: ArticleSummary,
    #[serde(flatten)]
    pub content: ArticleContent,
    /// "More from the blog": related published articles.
    pub related: Vec<ArticleSummary>,
}

/// A whole article as editors see it: what readers get plus its state.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminArticle {
    #[serde(flatten)]
    pub summary: AdminArticleSummary,
    #[serde(flatten)]
    pub content: ArticleContent,
    /// Related articles in any status (readers see only the public ones).
    pub related: Vec<AdminArticleSummary>,
    pub created_at: DateTime<Utc>,
    /// The id of the user who created it.
    pub created_by: Option<i32>,
    /// The id of the user who changed it last.
    pub updated_by: Option<i32>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = articles)]
struct MetaRow {
    created_at: NaiveDateTime,
    created_by: Option<i32>,
    updated_by: Option<i32>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = articles)]
pub struct NewArticle<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub excerpt: &'a str,
    pub body_markdown: &'a str,
    pub status: &'a str,
    pub published_at: Option<NaiveDateTime>,
    pub author_id: Option<i32>,
    pub seo_title: Option<&'a str>,
    pub seo_description: Option<&'a str>,
    pub canonical_url: Option<&'a str>,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The ordered relations of an article, as ids.
#[derive(Clone, Debug, Default)]
pub struct ArticleLinks {
    pub tags: Vec<i32>,
    pub massage_types: Vec<i32>,
    pub treatments: Vec<i32>,
    pub related: Vec<i32>,
}

pub struct Article;

impl Article {
    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        articles::table.count().get_result(conn)
    }

    /// When the next scheduled article becomes public, if one is waiting.
    pub fn next_due(
        conn: &mut DbConnection,
        now: NaiveDateTime,
    ) -> QueryResult<Option<NaiveDateTime>> {
        articles::table
            .filter(articles::status.eq(STATUS_PUBLISHED))
            .filter(articles::published_at.gt(now))
            .select(diesel::dsl::min(articles::published_at))
            .first(conn)
    }

    pub fn id_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i32>> {
        articles::table
            .filter(articles::slug.eq(slug))
            .select(articles::id)
            .first(conn)
            .optional()
    }

    /// One page of the articles readers may see at `now`, and what was
    /// learnt about the filter; `known` (remembered by the caller) saves
    /// learning it again.
    pub fn list_public(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        now: NaiveDateTime,
        known: ListFacts,
    ) -> QueryResult<(Paged<ArticleSummary>, ListFacts)> {
        let (paged, facts) = Self::list(conn, filter, page, Scope::Public(now), known)?;
        Ok((paged.map(Listed::public), facts))
    }

    /// One page of every article, for editors.
    pub fn list_admin(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        status: Option<ArticleStatus>,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<AdminArticleSummary>> {
        let (paged, _) = Self::list(
            conn,
            filter,
            page,
            Scope::Admin(status, now),
            ListFacts::default(),
        )?;
        Ok(paged.map(|listed| listed.admin(now)))
    }

    fn list(
        conn: &mut DbConnection,
        filter: &ArticleFilter,
        page: PageRequest,
        scope: Scope,
        known: ListFacts,
    ) -> QueryResult<(Paged<Listed>, ListFacts)> {
        let kind = backend::Kind::of(conn);
        let mut prefix_terms = known.prefix_terms;
        // Counted by walking the index against the set of matches: about
        // 10 ms at 100,000 articles, once per write (callers remember it).
        let total = match known.total {
            Some(total) => total,
            None => scoped_query(filter, scope, kind, Drive::Walk)
                .count()
                .get_result(conn)?,
        };
        // Keyset pages are not numbered: finding the number would count
        // every article before the cursor, which is what cursors avoid.
        let mut page = page;
        let offset = match filter.after {
            Some(_) => {
                page.page = 0;
                0
            }
            None => page.offset(),
        };
        // One more than the page, to know whether another follows.
        let limit = page.limit() + 1;
        let rows = match (scope, filter.sort, &filter.search) {
            (Scope::Public(_), _, _) if total == 0 => Vec::new(),
            (Scope::Public(now), ArticleSort::Relevance, Some(Search::Words(words))) => {
                let ids = backend::relevance_page(
                    conn,
                    words,
                    filter.tag.as_deref(),
                    now,
                    limit,
                    offset,
                )?;
                let mut rows: Vec<SummaryRow> = articles::table
                    .filter(articles::id.eq_any(&ids))
                    .select(SummaryRow::as_select())
                    .load(conn)?;
                rows.sort_by_key(|row| ids.iter().position(|id| *id == row.id));
                rows
            }
            _ => {
                let mut article_count = None;
                let sizes = (offset + limit, total);
                let mut drive = drive_for(conn, filter, scope, sizes, &mut article_count)?;
                // Public lists only: they remember the expansion.
                let expanded = match (scope, drive) {
                    (Scope::Admin(..), _) | (_, Drive::Collect) => None,
                    (Scope::Public(_), _) => expand_prefix(conn, filter, &mut prefix_terms)?,
                };
                let filter = match &expanded {
                    Some(expanded) => {
                        drive = drive_for(conn, expanded, scope, sizes, &mut article_count)?;
                        expanded
                    }
                    None => filter,
                };
                let filtered = || match &filter.after {
                    Some(cursor) => scoped_query(filter, cursor.narrow(scope), kind, drive)
                        .filter(cursor.condition()),
                    None => scoped_query(filter, scope, kind, drive),
                };
                let mut query = filtered();
                if drive == Drive::Collect && kind == backend::Kind::Postgres {
                    // PostgreSQL prepares a generic plan that walks the date
                    // index for any search: collect the few ids first, then
                    // sort those.
                    let ids: Vec<i32> = filtered().select(articles::id).load(conn)?;
                    query = articles::table
                        .into_boxed()
                        .filter(articles::id.eq_any(ids));
                }
                query = match (filter.sort, &filter.search) {
                    (ArticleSort::Relevance, Some(Search::Words(words))) => query
                        .order(backend::fulltext_rank(kind, words).asc())
                        .then_order_by(articles::published_at.desc()),
                    (ArticleSort::PublishedAsc, _) => query.order(articles::published_at.asc()),
                    (ArticleSort::TitleAsc, _) => query.order(articles::title.asc()),
                    (ArticleSort::TitleDesc, _) => query.order(articles::title.desc()),
                    (ArticleSort::UpdatedDesc, _) => query.order(articles::updated_at.desc()),
                    (ArticleSort::UpdatedAsc, _) => query.order(articles::updated_at.asc()),
                    _ => query.order(articles::published_at.desc()),
                };
                query
                    .then_order_by(articles::id.desc())
                    .limit(limit)
                    .offset(offset)
                    .select(SummaryRow::as_select())
                    .load(conn)?
            }
        };
        let mut rows = rows;
        let has_next = rows.len() > page.per_page as usize;
        rows.truncate(page.per_page as usize);
        let next_cursor = rows
            .last()
            .filter(|_| has_next)
            .and_then(|row| Cursor::after(filter.sort, row))
            .map(|c| c.encode());
        let items = summaries(conn, rows)?;
        let facts = ListFacts {
            total: Some(total),
            prefix_terms,
        };
        Ok((
            Paged {
                items,
                total,
                page,
                next_cursor,
            },
            facts,
        ))
    }

    /// The whole article readers see at `slug`, with every relation resolved.
    pub fn find_public(
        conn: &mut DbConnection,
        slug: &str,
        now: NaiveDateTime,
    ) -> QueryResult<PublicArticle> {
        let (row, body): (SummaryRow, BodyRow) = articles::table
            .filter(articles::slug.eq(slug))
            .filter(is_public(now))
            .select((SummaryRow::as_select(), BodyRow::as_select()))
            .first(conn)?;
        let (listed, content, related) = assemble(conn, row, body, Some(now))?;
        Ok(PublicArticle {
            summary: listed.public(),
            content,
            related: related.into_iter().map(Listed::public).collect(),
        })
    }

    /// One article in any status, with its state, for editors.
    pub fn find_admin(
        conn: &mut DbConnection,
        id: i32,
        now: NaiveDateTime,
    ) -> QueryResult<AdminArticle> {
        let (row, body, meta): (SummaryRow, BodyRow, MetaRow) = articles::table
            .find(id)
            .select((
                SummaryRow::as_select(),
                BodyRow::as_select(),
                MetaRow::as_select(),
            ))
            .first(conn)?;
        let (listed, content, related) = assemble(conn, row, body, None)?;
        Ok(AdminArticle {
            summary: listed.admin(now),
            content,
            related: related.into_iter().map(|r| r.admin(now)).collect(),
            created_at: to_utc(meta.created_at),
            created_by: meta.created_by,
            updated_by: meta.updated_by,
        })
    }

    pub fn insert(conn: &mut DbConnection, new: &NewArticle) -> QueryResult<i32> {
        diesel::insert_into(articles::table)
            .values(new)
            .execute(conn)?;
        articles::table
            .filter(articles::slug.eq(new.slug))
            .select(articles::id)
            .first(conn)
    }

    /// Replaces every ordered relation of an article.
    pub fn set_links(conn: &mut DbConnection, id: i32, links: &ArticleLinks) -> QueryResult<()> {
        diesel::delete(article_tags::table.filter(article_tags::article_id.eq(id)))
            .execute(conn)?;
        diesel::delete(
            article_massage_types::table.filter(article_massage_types::article_id.eq(id)),
        )
        .execute(conn)?;
        diesel::delete(article_treatments::table.filter(article_treatments::article_id.eq(id)))
            .execute(conn)?;
        diesel::delete(article_related::table.filter(article_related::article_id.eq(id)))
            .execute(conn)?;
        // One row at a time: multi-row inserts do not compile for a MultiConnection.
        for (position, tag_id) in (0..).zip(&links.tags) {
            diesel::insert_into(article_tags::table)
                .values((
                    article_tags::article_id.eq(id),
                    article_tags::tag_id.eq(tag_id),
                    article_tags::position.eq(position),
                ))
                .execute(conn)?;
        }
        for (position, massage_type_id) in (0..).zip(&links.massage_types) {
            diesel::insert_into(article_massage_types::table)
                .values((
                    article_massage_types::article_id.eq(id),
                    article_massage_types::massage_type_id.eq(massage_type_id),
                    article_massage_types::position.eq(position),
                ))
                .execute(conn)?;
        }
        for (position, treatment_id) in (0..).zip(&links.treatments) {
            diesel::insert_into(article_treatments::table)
                .values((
                    article_treatments::article_id.eq(id),
                    article_treatments::treatment_id.eq(treatment_id),
                    article_treatments::position.eq(position),
                ))
                .execute(conn)?;
        }
        for (position, related_id) in (0..).zip(&links.related) {
            diesel::insert_into(article_related::table)
                .values((
                    article_related::article_id.eq(id),
                    article_related::related_id.eq(related_id),
                    article_related::position.eq(position),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Renders the stored Markdown, with the tables it embeds, into HTML,
    /// blocks and search text. Called after every change to the body or to
    /// what it embeds, never on a read.
    pub fn render_body(conn: &mut DbConnection, id: i32) -> QueryResult<()> {
        let markdown: String = articles::table
            .find(id)
            .select(articles::body_markdown)
            .first(conn)?;
        let mut embeds = Embeds::new();
        embeds.insert(
            "massage-types".into(),
            MassageType::embed_table(&MassageType::for_article(conn, id)?),
        );
        embeds.insert(
            "treatments".into(),
            Treatment::embed_table(&Treatment::for_article(conn, id)?),
        );
        let rendered = render_markdown(&markdown, &embeds);
        diesel::update(articles::table.find(id))
            .set((
                articles::body_html.eq(&rendered.html),
                articles::body_blocks.eq(rendered.blocks_json()),
                articles::body_text.eq(&rendered.text),
                articles::reading_time_minutes.eq(rendered.reading_time_minutes()),
            ))
            .execute(conn)?;
        Ok(())
    }
}

/// The `app_meta` key of the renderer version stored bodies were made with.
const RENDER_VERSION_KEY: &str = "render_version";

impl Article {
    /// Renders every stored body again when they were made by an older
    /// renderer (a security fix to what bodies may hold must reach content
    /// written before it); the number of bodies rendered.
    pub fn render_stale(conn: &mut DbConnection) -> QueryResult<usize> {
        let stored = super::meta::Meta::get(conn, RENDER_VERSION_KEY)?
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0);
        if stored >= crate::render::VERSION {
            return Ok(0);
        }
        let ids: Vec<i32> = articles::table.select(articles::id).load(conn)?;
        // In batches, each a write of its own: other nodes keep serving
        // (and see the new bodies) while a large site is rendered.
        for batch in ids.chunks(500) {
            backend::transaction(conn, |conn| {
                batch
                    .iter()
                    .try_for_each(|id| Article::render_body(conn, *id))?;
                Change::record(conn, Item::Everything, Action::Rendered, None)
            })?;
        }
        super::meta::Meta::set(
            conn,
            RENDER_VERSION_KEY,
            &crate::render::VERSION.to_string(),
        )?;
        Ok(ids.len())
    }

    /// Forgets which renderer made the stored bodies (an import brings
    /// bodies made elsewhere): `render_stale` renders them all again.
    pub fn mark_bodies_stale(conn: &mut DbConnection) -> QueryResult<()> {
        super::meta::Meta::set(conn, RENDER_VERSION_KEY, "0")
    }
}

/// The full article from its rows: relations resolved, related articles
/// limited to the visible ones when `visible_at` is given.
fn assemble(
    conn: &mut DbConnection,
    row: SummaryRow,
    body: BodyRow,
    visible_at: Option<NaiveDateTime>,
) -> QueryResult<(Listed, ArticleContent, Vec<Listed>)> {
    let id = row.id;
    let slug = row.slug.clone();

    let summary = summaries(conn, vec![row])?
        .pop()
        .ok_or(diesel::result::Error::NotFound)?;
    let mut related_query = articles::table
        .inner_join(article_related::table.on(article_related::related_id.eq(articles::id)))
        .filter(article_related::article_id.eq(id))
        .into_boxed();
    if let Some(now) = visible_at {
        related_query = related_query.filter(is_public(now));
    }
    let related_rows = related_query
        .order(article_related::position)
        .select(SummaryRow::as_select())
        .load(conn)?;
    let faqs = Faq::for_article(conn, id)?;
    let site = Site::find(conn).optional()?;
    let seo = Seo {
        title: body.seo_title.unwrap_or_else(|| summary.title.clone()),
        description: body
            .seo_description
            .unwrap_or_else(|| summary.excerpt.clone()),
        canonical_url: body
            .canonical_url
            .or_else(|| site.as_ref().and_then(|s| s.article_url(&slug))),
    };
    let json_ld = article_json_ld(&summary, &seo, &faqs, site.as_ref()).to_embeddable();
    let content = ArticleContent {
        body: Body {
            markdown: body.body_markdown,
            html: body.body_html,
            blocks: RawValue::from_string(body.body_blocks)
                .map_err(|e| diesel::result::Error::DeserializationError(e.into()))?,
        },
        massage_types: MassageType::for_article(conn, id)?,
        treatments: Treatment::for_article(conn, id)?,
        faqs,
        seo,
        json_ld,
    };
    Ok((summary, content, summaries(conn, related_rows)?))
}

/// How to drive a public list (see `backend::Drive`): by the sort index
/// when a page of matches turns up sooner walking it than collecting all
/// `total` matches would take. PostgreSQL plans the walking itself; only
/// collecting is done differently there. `article_count` holds the number
/// of articles once looked up, for a second choice in the same list.
fn drive_for(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    scope: Scope,
    (window, total): (i64, i64),
    article_count: &mut Option<i64>,
) -> QueryResult<Drive> {
    if !matches!(scope, Scope::Public(_)) {
        return Ok(Drive::Walk);
    }
    let mut cost = backend::FilterCost::default();
    if filter.tag.is_some() {
        cost = cost.plus(backend::FilterCost::TAG);
    }
    if let Some(Search::Words(words)) = &filter.search {
        cost = cost.plus(backend::FilterCost::fulltext(words));
    }
    if cost == backend::FilterCost::default() {
        return Ok(Drive::Walk);
    }
    let articles = match article_count {
        Some(count) => *count,
        None => {
            // Ids are never reused, so the highest is about how many articles there are.
            let highest: Option<i32> = articles::table
                .select(diesel::dsl::max(articles::id))
                .first(conn)?;
            *article_count.insert(i64::from(highest.unwrap_or(0)))
        }
    };
    Ok(Drive::choose(window, articles, total, cost))
}

/// On SQLite, a search whose last word starts many matches, with that word
/// expanded to the terms it starts (`known`, or looked up and kept there):
/// walking the date index then tests each article with a seek per term,
/// where a prefix made FTS5 merge the prefix's doclists at every test (1 ms).
/// `None` when there is nothing to expand or too much.
fn expand_prefix(
    conn: &mut DbConnection,
    filter: &ArticleFilter,
    known: &mut Option<backend::PrefixTerms>,
) -> QueryResult<Option<ArticleFilter>> {
    let Some(Search::Words(words)) = &filter.search else {
        return Ok(None);
    };
    let Some(prefix) = words.expandable_prefix() else {
        return Ok(None);
    };
    // PostgreSQL keeps the prefix (`prefix_terms`): its GIN index serves it.
    let terms = match known {
        Some(terms) => terms.clone(),
        None => known.insert(backend::prefix_terms(conn, prefix)?).clone(),
    };
    Ok(match terms {
        backend::PrefixTerms::Terms(terms) => Some(ArticleFilter {
            search: Some(Search::Words(words.with_last_terms(terms))),
            ..filter.clone()
        }),
        backend::PrefixTerms::Keep => None,
    })
}

/// The filtered query, before ordering; built twice (count, page) because
/// boxed queries cannot be cloned.
fn scoped_query(
    filter: &ArticleFilter,
    scope: Scope,
    kind: backend::Kind,
    drive: Drive,
) -> articles::BoxedQuery<'static, backend::Db> {
    let mut query = articles::table.into_boxed();
    query = match scope {
        Scope::Public(now) => query.filter(backend::public_at(kind, now, drive)),
        Scope::Admin(None, _) => query,
        Scope::Admin(Some(ArticleStatus::Draft), _) => {
            query.filter(articles::status.eq(STATUS_DRAFT))
        }
        Scope::Admin(Some(ArticleStatus::Archived), _) => {
            query.filter(articles::status.eq(STATUS_ARCHIVED))
        }
        Scope::Admin(Some(ArticleStatus::Published), now) => query.filter(is_public(now)),
        Scope::Admin(Some(ArticleStatus::Scheduled), now) => query
            .filter(articles::status.eq(STATUS_PUBLISHED))
            .filter(articles::published_at.gt(now)),
    };
    if let Some(tag) = &filter.tag {
        query = query.filter(backend::has_tag(tag, drive));
    }
    match &filter.search {
        Some(Search::Words(words)) => {
            query = query.filter(backend::matches_fulltext(kind, words, drive))
        }
        Some(Search::MatchNothing) => {
            query = query.filter(diesel::dsl::sql::<diesel::sql_types::Bool>("1 = 0"))
        }
        None => {}
    }
    query
}

/// Resolves tags and authors for a batch of rows: two queries whatever the batch size.
fn summaries(conn: &mut DbConnection, rows: Vec<SummaryRow>) -> QueryResult<Vec<Listed>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let mut tags = Tag::for_articles(conn, &ids)?;
    let author_ids: Vec<i32> = rows.iter().filter_map(|r| r.author_id).collect();
    let names = User::names(conn, &author_ids)?;
    Ok(rows
        .into_iter()
        .map(|r| Listed {
            tags: tags.remove(&r.id).unwrap_or_default(),
            author: r
                .author_id
                .and_then(|a| names.get(&a))
                .map(|name| Author { name: name.clone() }),
            id: r.id,
            slug: r.slug,
            title: r.title,
            excerpt: r.excerpt,
            published_at: r.published_at,
            updated_at: r.updated_at,
            reading_time_minutes: r.reading_time_minutes,
            status: r.status,
            version: r.version,
        })
        .collect())
}

fn article_json_ld(summary: &Listed, seo: &Seo, faqs: &[Faq], site: Option<&Site>) -> JsonLd {
    let article = ArticleLd {
        kind: json_ld::ArticleType,
        headline: summary.title.clone(),
        description: seo.description.clone(),
        date_published: summary.published_at.map(to_utc),
        date_modified: to_utc(summary.updated_at),
        author: summary.author.as_ref().map(|a| PersonLd {
            kind: json_ld::PersonType,
            name: a.name.clone(),
        }),
        keywords: summary.tags.iter().map(|t| t.name.clone()).collect(),
        publisher: site.map(|site| OrganizationLd {
            kind: json_ld::OrganizationType,
            name: site.name.clone(),
        }),
        main_entity_of_page: seo.canonical_url.clone(),
    };
    let mut graph = vec![JsonLdNode::Article(article)];
    if !faqs.is_empty() {
        graph.push(JsonLdNode::FaqPage(FaqPageLd {
            kind: json_ld::FaqPageType,
            main_entity: faqs
                .iter()
                .map(|f| QuestionLd {
                    kind: json_ld::QuestionType,
                    name: f.question.clone(),
                    accepted_answer: AnswerLd {
                        kind: json_ld::AnswerType,
                        text: f.answer.html.clone(),
                    },
                })
                .collect(),
        }));
    }
    JsonLd {
        context: json_ld::SchemaOrg,
        graph,
    }
}

/// Ids of the given slugs of one collection, in order; the first unknown slug is the error.
pub fn ids_for_slugs(slugs: &[String], lookup: &HashMap<String, i32>) -> Result<Vec<i32>, String> {
    slugs
        .iter()
        .map(|s| lookup.get(s).copied().ok_or_else(|| s.clone()))
        .collect()
}
