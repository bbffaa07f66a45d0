//! FAQs: questions with Markdown answers, standalone or tied to an article, in order.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::is_public;
use super::{PageRequest, Paged};
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
}

type FaqRow = (i32, String, String, String, i32, Option<String>);

impl From<FaqRow> for Faq {
    fn from((id, question, markdown, html, position, article): FaqRow) -> Self {
        Faq {
            id,
            question,
            answer: RichText { markdown, html },
            article,
            position,
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

    /// FAQs readers may see at `now`: standalone ones and those of visible
    /// articles; an article's FAQs in its order, the rest after them.
    pub fn list_public(
        conn: &mut DbConnection,
        filter: &FaqFilter,
        page: PageRequest,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<Faq>> {
        let query = || {
            let mut q = faqs::table
                .left_join(articles::table)
                .filter(faqs::article_id.is_null().or(is_public(now).nullable()))
                .into_boxed::<crate::db::backend::Db>();
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
        Ok(Paged { items, total, page })
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
    diesel::dsl::Nullable<articles::slug>,
) {
    (
        faqs::id,
        faqs::question,
        faqs::answer_markdown,
        faqs::answer_html,
        faqs::position,
        articles::slug.nullable(),
    )
}
