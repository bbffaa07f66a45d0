//! Articles: their public queries, their relations, and rendering their bodies on write.

mod assemble;
mod body;
mod cursor;
mod list;
pub mod search;
mod status;
mod syndication;

use assemble::{assemble, summaries};
pub use cursor::{Cursor, MalformedCursor, CURSOR_PATTERN};
pub use list::{ArticleFilter, FactsKey, ListFacts, Search};
pub use status::{ArticleStatus, StatusRequest, StoredStatus};

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::change::{Action, Change, Item};
use super::faq::{Faq, RichText};
use super::massage_type::MassageType;
use super::media::{Image, Media};
use super::person::{People, PersonRef};
use super::reference::{Reference, References};
use super::review::{MedicalReview, ReviewWorkflow};
use super::site::Site;
use super::tag::{Tag, TagRef};
use super::treatment::Treatment;
use super::user::User;
use super::{to_utc, PageRequest, Paged};
use crate::db::backend;
use crate::db::insert_row;
use crate::db::schema::{
    article_massage_types, article_media, article_people, article_related, article_tags,
    article_treatments, articles,
};
use crate::db::DbConnection;
use crate::json_ld::{
    self, AnswerLd, ArticleLd, CreativeWorkLd, FaqPageLd, JsonLd, JsonLdNode, MedicalWebPageLd,
    NodeRef, OrganizationLd, PersonLd, QuestionLd,
};
use crate::render::{render_markdown, Block, Embeds};
use search::Drive;

pub type IsPublic = diesel::dsl::And<
    diesel::dsl::Eq<articles::status, StoredStatus>,
    diesel::dsl::LtEq<articles::published_at, NaiveDateTime>,
>;

/// Readers see an article when it is published and its time has come; a
/// scheduled article needs no job to appear, only the clock.
pub fn is_public(now: NaiveDateTime) -> IsPublic {
    articles::status
        .eq(StoredStatus::Published)
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

/// Which articles a query may see.
#[derive(Clone, Copy, Debug)]
pub enum Scope {
    /// Readers: published and due at this time.
    Public(NaiveDateTime),
    /// Editors: every article, optionally one status, judged at this time.
    Admin(Option<ArticleStatus>, NaiveDateTime),
}

/// The byline of an article.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Author {
    pub name: String,
    /// The author's picture, when the account has one.
    pub avatar: Option<Image>,
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
            /// The byline old clients read: the first of `authors`; without
            /// profiles, the account that wrote it (null when removed).
            pub author: Option<Author>,
            /// The people credited as authors, in order.
            pub authors: Vec<PersonRef>,
            /// The cover image, when the article has one.
            pub cover: Option<Image>,
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
                    authors: listed.authors,
                    cover: listed.cover,
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
    authors: Vec<PersonRef>,
    cover: Option<Image>,
    published_at: Option<NaiveDateTime>,
    updated_at: NaiveDateTime,
    reading_time_minutes: i32,
    status: StoredStatus,
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
        let status = ArticleStatus::of(self.status, self.published_at, now);
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
    status: StoredStatus,
    version: i32,
    cover_id: Option<i32>,
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
    reviewed_by: Option<i32>,
    last_reviewed: Option<chrono::NaiveDate>,
    next_review_due: Option<chrono::NaiveDate>,
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
    /// Who medically reviewed it, when, and when it is due again.
    pub review: MedicalReview,
    /// The sources backing it, in order.
    pub references: Vec<Reference>,
    /// The site's medical disclaimer, when it has one.
    pub disclaimer: Option<RichText>,
    pub seo: Seo,
    /// schema.org JSON-LD ready to embed in `<script type="application/ld+json">`:
    /// a `MedicalWebPage` (with its review) whose main entity is the
    /// `Article` (authors, citations) and, with FAQs, a `FAQPage`. Every
    /// `<`, `>` and `&` in it is written as a `\u` escape, so its bytes can
    /// sit inside the script as is.
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
    /// Its medical review workflow: state, open change request, steps.
    pub workflow: ReviewWorkflow,
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
    pub status: StoredStatus,
    pub published_at: Option<NaiveDateTime>,
    pub author_id: Option<i32>,
    pub seo_title: Option<&'a str>,
    pub seo_description: Option<&'a str>,
    pub canonical_url: Option<&'a str>,
    pub cover_id: Option<i32>,
    pub created_by: Option<i32>,
    pub updated_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// The ordered relations of an article, as ids; `None`: as stored.
#[derive(Clone, Debug, Default)]
pub struct ArticleLinks {
    pub tags: Option<Vec<i32>>,
    pub massage_types: Option<Vec<i32>>,
    pub treatments: Option<Vec<i32>>,
    pub related: Option<Vec<i32>>,
    /// The people credited as authors.
    pub people: Option<Vec<i32>>,
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
            .filter(articles::status.eq(StoredStatus::Published))
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

    /// An article in any status as readers would get it if it were
    /// published now (a preview): related articles only the public ones;
    /// `published_at` its own when it is public already, else now.
    pub fn find_preview(
        conn: &mut DbConnection,
        id: i32,
        now: NaiveDateTime,
    ) -> QueryResult<(i32, PublicArticle)> {
        let (mut row, body): (SummaryRow, BodyRow) = articles::table
            .find(id)
            .select((SummaryRow::as_select(), BodyRow::as_select()))
            .first(conn)?;
        let version = row.version;
        if ArticleStatus::of(row.status, row.published_at, now) != ArticleStatus::Published {
            row.published_at = Some(now);
        }
        let (listed, content, related) = assemble(conn, row, body, Some(now))?;
        let article = PublicArticle {
            summary: listed.public(),
            content,
            related: related.into_iter().map(Listed::public).collect(),
        };
        Ok((version, article))
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
            workflow: super::review::workflow(conn, id)?,
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

    /// Replaces the ordered relations of an article that `links` gives
    /// (`Some`); the others stay as stored.
    pub fn set_links(conn: &mut DbConnection, id: i32, links: &ArticleLinks) -> QueryResult<()> {
        // One row at a time: multi-row inserts do not compile for a MultiConnection.
        macro_rules! replace {
            ($ids:expr, $table:ident, $column:ident) => {
                if let Some(ids) = $ids {
                    diesel::delete($table::table.filter($table::article_id.eq(id)))
                        .execute(conn)?;
                    for (position, $column) in (0..).zip(ids) {
                        insert_row!($table: article_id = id, $column, position).execute(conn)?;
                    }
                }
            };
        }
        replace!(&links.tags, article_tags, tag_id);
        replace!(&links.massage_types, article_massage_types, massage_type_id);
        replace!(&links.treatments, article_treatments, treatment_id);
        replace!(&links.related, article_related, related_id);
        replace!(&links.people, article_people, person_id);
        Ok(())
    }
}

/// Ids of the given slugs of one collection, in order; the first unknown slug is the error.
pub fn ids_for_slugs(slugs: &[String], lookup: &HashMap<String, i32>) -> Result<Vec<i32>, String> {
    slugs
        .iter()
        .map(|s| lookup.get(s).copied().ok_or_else(|| s.clone()))
        .collect()
}
