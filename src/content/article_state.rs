//! An article's editable state: what a revision keeps and a write
//! replaces, loaded from its rows, and what checks need of the stored row.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::article::StoredStatus;
use super::reference::{Reference, References};
use super::Slug;
use crate::db::schema::{
    article_massage_types, article_people, article_related, article_tags, article_treatments,
    articles, massage_types, people, tags, treatments,
};
use crate::db::DbConnection;

/// Everything an editor can change about an article: what a revision keeps.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArticleState {
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    /// The Markdown body.
    pub body: String,
    #[schema(value_type = Vec<String>)]
    pub tags: Vec<Slug>,
    #[schema(value_type = Vec<String>)]
    pub massage_types: Vec<Slug>,
    #[schema(value_type = Vec<String>)]
    pub treatments: Vec<Slug>,
    #[schema(value_type = Vec<String>)]
    pub related: Vec<Slug>,
    pub seo_title: Option<String>,
    pub seo_description: Option<String>,
    pub canonical_url: Option<String>,
    pub status: StoredStatus,
    #[serde(default, with = "crate::content::utc_opt")]
    #[schema(value_type = Option<DateTime<Utc>>)]
    pub published_at: Option<NaiveDateTime>,
    pub author_id: Option<i32>,
    /// The cover image: a media item's id.
    #[serde(default)]
    pub cover: Option<i32>,
    /// The people credited as authors, in order (profile slugs).
    #[serde(default)]
    #[schema(value_type = Vec<String>)]
    pub authors: Vec<Slug>,
    /// The sources backing the article, in order.
    #[serde(default)]
    pub references: Vec<Reference>,
}

impl ArticleState {
    /// True when both render the same body: what rendering is made of —
    /// the Markdown, the cover, the embedded tables' rows — is the same (a
    /// change to an embedded image renders its articles again by itself).
    pub fn renders_as(&self, other: &ArticleState) -> bool {
        (
            &self.body,
            self.cover,
            &self.massage_types,
            &self.treatments,
        ) == (
            &other.body,
            other.cover,
            &other.massage_types,
            &other.treatments,
        )
    }

    /// Whether `other` differs in content: anything but when and whether it
    /// is public (what a medical review approves).
    pub fn content_differs(&self, other: &ArticleState) -> bool {
        let unpublished = |s: &ArticleState| ArticleState {
            status: StoredStatus::Draft,
            published_at: None,
            ..s.clone()
        };
        unpublished(self) != unpublished(other)
    }
}

/// What the permission check and `If-Match` need to know of the stored article.
#[derive(Clone, Debug)]
pub struct Stored {
    pub version: i32,
    pub created_by: Option<i32>,
    pub status: StoredStatus,
    pub published_at: Option<NaiveDateTime>,
}

impl Stored {
    pub fn is_draft(&self) -> bool {
        self.status == StoredStatus::Draft
    }
}

type StateRow = (
    (String, String, String, String),
    (Option<String>, Option<String>, Option<String>),
    (
        StoredStatus,
        Option<NaiveDateTime>,
        Option<i32>,
        i32,
        Option<i32>,
        Option<i32>,
    ),
);

impl ArticleState {
    /// The current state of an article and what is stored about it.
    pub fn load(conn: &mut DbConnection, id: i32) -> QueryResult<(ArticleState, Stored)> {
        let (
            (title, slug, excerpt, body),
            (seo_title, seo_description, canonical_url),
            (status, published_at, author_id, version, created_by, cover),
        ): StateRow = articles::table
            .find(id)
            .select((
                (
                    articles::title,
                    articles::slug,
                    articles::excerpt,
                    articles::body_markdown,
                ),
                (
                    articles::seo_title,
                    articles::seo_description,
                    articles::canonical_url,
                ),
                (
                    articles::status,
                    articles::published_at,
                    articles::author_id,
                    articles::version,
                    articles::created_by,
                    articles::cover_id,
                ),
            ))
            .first(conn)?;
        let state = ArticleState {
            title,
            slug,
            excerpt,
            body,
            tags: linked_slugs(conn, id, Link::Tags)?,
            massage_types: linked_slugs(conn, id, Link::MassageTypes)?,
            treatments: linked_slugs(conn, id, Link::Treatments)?,
            related: linked_slugs(conn, id, Link::Related)?,
            authors: linked_slugs(conn, id, Link::People)?,
            references: References::for_article(conn, id)?,
            seo_title,
            seo_description,
            canonical_url,
            status,
            published_at,
            author_id,
            cover,
        };
        Ok((
            state,
            Stored {
                version,
                created_by,
                status,
                published_at,
            },
        ))
    }
}

#[derive(Clone, Copy)]
pub(super) enum Link {
    Tags,
    MassageTypes,
    Treatments,
    Related,
    People,
}

fn linked_slugs(conn: &mut DbConnection, id: i32, link: Link) -> QueryResult<Vec<Slug>> {
    let stored: Vec<String> = match link {
        Link::Tags => article_tags::table
            .inner_join(tags::table)
            .filter(article_tags::article_id.eq(id))
            .order(article_tags::position)
            .select(tags::slug)
            .load(conn)?,
        Link::MassageTypes => article_massage_types::table
            .inner_join(massage_types::table)
            .filter(article_massage_types::article_id.eq(id))
            .order(article_massage_types::position)
            .select(massage_types::slug)
            .load(conn)?,
        Link::Treatments => article_treatments::table
            .inner_join(treatments::table)
            .filter(article_treatments::article_id.eq(id))
            .order(article_treatments::position)
            .select(treatments::slug)
            .load(conn)?,
        Link::Related => articles::table
            .inner_join(article_related::table.on(article_related::related_id.eq(articles::id)))
            .filter(article_related::article_id.eq(id))
            .order(article_related::position)
            .select(articles::slug)
            .load(conn)?,
        Link::People => article_people::table
            .inner_join(people::table)
            .filter(article_people::article_id.eq(id))
            .order(article_people::position)
            .select(people::slug)
            .load(conn)?,
    };
    // Stored slugs were valid when written.
    Ok(stored.iter().filter_map(|s| Slug::parse(s).ok()).collect())
}
