//! FAQs: questions with Markdown answers, standalone or tied to an article, in order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::is_public;
use super::change::{Action, By, Change, Item};
use super::versioned::{delete_at_version, update_at_version};
use super::{ContentError, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::{articles, faqs};
use crate::db::DbConnection;

/// Markdown and the sanitized HTML rendered from it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RichText {
    pub markdown: String,
    pub html: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Faq {
    pub id: i32,
    pub question: String,
    pub answer: RichText,
    /// The slug of the article this FAQ belongs to, or null for a standalone FAQ.
    pub article: Option<String>,
    pub position: i32,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
}

type FaqRow = (i32, String, String, String, i32, i32, Option<String>);

impl From<FaqRow> for Faq {
    fn from((id, question, markdown, html, position, version, article): FaqRow) -> Self {
        Faq {
            id,
            question,
            answer: RichText { markdown, html },
            article,
            position,
            version,
        }
    }
}

#[derive(Debug, Insertable)]
#[diesel(table_name = faqs)]
pub struct NewFaq<'a> {
    pub article_id: Option<i32>,
    pub question: &'a str,
    pub answer_markdown: &'a str,
    pub answer_html: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// Which FAQs a public list shows.
#[derive(Clone, Debug, Default)]
pub struct FaqFilter {
    /// Only this article's FAQs.
    pub article: Option<String>,
}

impl Faq {
    pub fn insert(conn: &mut DbConnection, new: &NewFaq) -> QueryResult<()> {
        diesel::insert_into(faqs::table).values(new).execute(conn)?;
        Ok(())
    }

    /// FAQs readers may see at `now` (standalone ones and those of visible
    /// articles), or every FAQ for editors (`None`); an article's FAQs in
    /// its order, the rest after them.
    pub fn list(
        conn: &mut DbConnection,
        filter: &FaqFilter,
        page: PageRequest,
        public_at: Option<NaiveDateTime>,
    ) -> QueryResult<Paged<Faq>> {
        let query = || {
            let mut q = faqs::table
                .left_join(articles::table)
                .into_boxed::<crate::db::backend::Db>();
            if let Some(now) = public_at {
                q = q.filter(faqs::article_id.is_null().or(is_public(now).nullable()));
            }
            if let Some(slug) = &filter.article {
                q = q.filter(articles::slug.nullable().eq(slug.clone()));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let items = query()
            .order((
                faqs::article_id.is_null(),
                faqs::article_id,
                faqs::position,
                faqs::id,
            ))
            .limit(page.limit())
            .offset(page.offset())
            .select(columns())
            .load::<FaqRow>(conn)?
            .into_iter()
            .map(Faq::from)
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// One article's FAQs, in order.
    pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<Faq>> {
        Ok(faqs::table
            .left_join(articles::table)
            .filter(faqs::article_id.eq(article_id))
            .order((faqs::position, faqs::id))
            .select(columns())
            .load::<FaqRow>(conn)?
            .into_iter()
            .map(Faq::from)
            .collect())
    }
}

#[allow(clippy::type_complexity)]
fn columns() -> (
    faqs::id,
    faqs::question,
    faqs::answer_markdown,
    faqs::answer_html,
    faqs::position,
    faqs::version,
    diesel::dsl::Nullable<articles::slug>,
) {
    (
        faqs::id,
        faqs::question,
        faqs::answer_markdown,
        faqs::answer_html,
        faqs::position,
        faqs::version,
        articles::slug.nullable(),
    )
}

/// The writable fields of a FAQ; `answer_html` is rendered from the Markdown here.
#[derive(Clone, Debug, PartialEq)]
pub struct FaqFields {
    pub question: String,
    pub answer_markdown: String,
    pub article_id: Option<i32>,
    pub position: i32,
}

impl Faq {
    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Faq> {
        faqs::table
            .left_join(articles::table)
            .filter(faqs::id.eq(id))
            .select(columns())
            .first::<FaqRow>(conn)
            .map(Faq::from)
    }

    /// The article a FAQ belongs to, for the permission check.
    pub fn article_id(conn: &mut DbConnection, id: i32) -> QueryResult<Option<i32>> {
        faqs::table.find(id).select(faqs::article_id).first(conn)
    }

    /// The position after the last FAQ of the same article (or of the standalone ones).
    pub fn next_position(conn: &mut DbConnection, article_id: Option<i32>) -> QueryResult<i32> {
        let max: Option<i32> = match article_id {
            Some(a) => faqs::table
                .filter(faqs::article_id.eq(a))
                .select(diesel::dsl::max(faqs::position))
                .first(conn)?,
            None => faqs::table
                .filter(faqs::article_id.is_null())
                .select(diesel::dsl::max(faqs::position))
                .first(conn)?,
        };
        Ok(max.map_or(0, |m| m.saturating_add(1)))
    }

    /// Moves the FAQs of the same list (the article's, or the standalone
    /// ones) at `position` and after it down one, so the FAQ put there
    /// lands exactly where the editor asked, as the collections do (their
    /// versions change too).
    fn make_room(
        conn: &mut DbConnection,
        (article_id, id): (Option<i32>, Option<i32>),
        position: i32,
    ) -> QueryResult<()> {
        let list = faqs::table
            .filter(faqs::id.ne(id.unwrap_or(0)))
            .filter(faqs::position.ge(position))
            .into_boxed::<crate::db::backend::Db>();
        let list = match article_id {
            Some(a) => list.filter(faqs::article_id.eq(a)),
            None => list.filter(faqs::article_id.is_null()),
        };
        let after: Vec<(i32, i32)> = list.select((faqs::id, faqs::position)).load(conn)?;
        if !after.iter().any(|(_, p)| *p == position) {
            return Ok(());
        }
        let ids: Vec<i32> = after.iter().map(|(id, _)| *id).collect();
        // Their article's document shows their positions.
        for moved in &ids {
            Change::forget_documents(conn, Item::Faq(*moved))?;
        }
        diesel::update(faqs::table.filter(faqs::id.eq_any(&ids)))
            .set((
                faqs::position.eq(faqs::position + 1),
                faqs::version.eq(faqs::version + 1),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn create(
        conn: &mut DbConnection,
        fields: &FaqFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        Self::make_room(conn, (fields.article_id, None), fields.position)?;
        let html = render_answer(&fields.answer_markdown);
        let id: i32 = insert_row!(faqs:
            article_id = fields.article_id, question = &fields.question,
            answer_markdown = &fields.answer_markdown, answer_html = &html,
            position = fields.position, created_by = user_id, updated_by = user_id,
            created_at = at, updated_at = at)
        .returning(faqs::id)
        .get_result(conn)?;
        let by = By::new(user_id, &fields.question, at);
        Change::record(conn, Item::Faq(id), Action::Created, by)?;
        Ok(id)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &FaqFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let html = render_answer(&fields.answer_markdown);
        // The article it leaves no longer shows it.
        Change::forget_documents(conn, Item::Faq(id))?;
        let place: (i32, Option<i32>) = faqs::table
            .find(id)
            .select((faqs::position, faqs::article_id))
            .first(conn)?;
        if place != (fields.position, fields.article_id) {
            Self::make_room(conn, (fields.article_id, Some(id)), fields.position)?;
        }
        update_at_version!(
            conn,
            faqs,
            id,
            version,
            (
                faqs::article_id.eq(fields.article_id),
                faqs::question.eq(&fields.question),
                faqs::answer_markdown.eq(&fields.answer_markdown),
                faqs::answer_html.eq(&html),
                faqs::position.eq(fields.position),
                faqs::updated_by.eq(user_id),
                faqs::updated_at.eq(at),
            )
        )?;
        let by = By::new(user_id, &fields.question, at);
        Change::record(conn, Item::Faq(id), Action::Updated, by)?;
        Ok(())
    }

    pub fn delete(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let current = Self::find(conn, id)?;
        let by = By::new(user_id, &current.question, at);
        Change::record(conn, Item::Faq(id), Action::Deleted, by)?;
        delete_at_version!(conn, faqs, id, version)?;
        Ok(())
    }
}

fn render_answer(markdown: &str) -> String {
    crate::render::render_markdown(markdown, &crate::render::Embeds::new()).html
}
