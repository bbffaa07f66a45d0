//! What feeds and the sitemap are made of: the newest public articles with
//! their bodies, every public article's address and date, the tags that
//! have public articles.

use super::*;
use crate::db::schema::tags;

impl Article {
    /// The newest public articles, of one tag when given, with their
    /// bodies' HTML; `None` when no tag has that slug.
    pub fn feed(
        conn: &mut DbConnection,
        tag: Option<&str>,
        limit: i64,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Vec<(ArticleSummary, String)>>> {
        let mut query = articles::table.filter(is_public(now)).into_boxed();
        if let Some(slug) = tag {
            let Some(tag_id) = tags::table
                .filter(tags::slug.eq(slug))
                .select(tags::id)
                .first::<i32>(conn)
                .optional()?
            else {
                return Ok(None);
            };
            query = query.filter(
                articles::id.eq_any(
                    article_tags::table
                        .filter(article_tags::tag_id.eq(tag_id))
                        .select(article_tags::article_id),
                ),
            );
        }
        let rows: Vec<(SummaryRow, String)> = query
            .order((articles::published_at.desc(), articles::id.desc()))
            .limit(limit)
            .select((SummaryRow::as_select(), articles::body_html))
            .load(conn)?;
        let (rows, bodies): (Vec<SummaryRow>, Vec<String>) = rows.into_iter().unzip();
        Ok(Some(
            summaries(conn, rows)?
                .into_iter()
                .map(Listed::public)
                .zip(bodies)
                .collect(),
        ))
    }

    /// How many articles are public now.
    pub fn public_count(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<i64> {
        articles::table
            .filter(is_public(now))
            .count()
            .get_result(conn)
    }

    /// One sitemap file's articles (`per_file` a file): slug and last
    /// change, oldest id first.
    pub fn sitemap_page(
        conn: &mut DbConnection,
        (page, per_file): (i64, i64),
        now: NaiveDateTime,
    ) -> QueryResult<Vec<(String, NaiveDateTime)>> {
        articles::table
            .filter(is_public(now))
            .order(articles::id)
            .limit(per_file)
            .offset(page * per_file)
            .select((articles::slug, articles::updated_at))
            .load(conn)
    }

    /// The tags with public articles (the first `limit` by slug), each with
    /// its newest article's change.
    pub fn public_tags(
        conn: &mut DbConnection,
        now: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<(String, Option<NaiveDateTime>)>> {
        article_tags::table
            .inner_join(articles::table)
            .inner_join(tags::table)
            .filter(is_public(now))
            .group_by(tags::slug)
            .order(tags::slug)
            .select((tags::slug, diesel::dsl::max(articles::updated_at)))
            .limit(limit)
            .load(conn)
    }
}
