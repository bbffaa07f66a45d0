//! Tags: labels an article is filed under, with their published-article counts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use crate::content::article::is_public;
use crate::db::schema::{article_tags, articles, tags};
use crate::db::DbConnection;

/// A tag as it appears on an article.
#[derive(Clone, Debug, PartialEq, Eq, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = tags)]
pub struct TagRef {
    pub slug: String,
    pub name: String,
}

/// A tag with the number of published articles filed under it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TagWithCount {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub article_count: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = tags)]
pub struct NewTag<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

pub struct Tag;

impl Tag {
    pub fn insert(conn: &mut DbConnection, new: &NewTag) -> QueryResult<i32> {
        diesel::insert_into(tags::table).values(new).execute(conn)?;
        tags::table
            .filter(tags::slug.eq(new.slug))
            .select(tags::id)
            .first(conn)
    }

    /// Every tag, by name, with its count of articles visible at `now`.
    pub fn list_with_counts(
        conn: &mut DbConnection,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<TagWithCount>> {
        let all: Vec<(i32, String, String)> = tags::table
            .order((tags::name.asc(), tags::id.asc()))
            .select((tags::id, tags::slug, tags::name))
            .load(conn)?;
        let counts: HashMap<i32, i64> = article_tags::table
            .inner_join(articles::table)
            .filter(is_public(now))
            .group_by(article_tags::tag_id)
            .select((article_tags::tag_id, diesel::dsl::count_star()))
            .load::<(i32, i64)>(conn)?
            .into_iter()
            .collect();
        Ok(all
            .into_iter()
            .map(|(id, slug, name)| TagWithCount {
                article_count: counts.get(&id).copied().unwrap_or(0),
                id,
                slug,
                name,
            })
            .collect())
    }

    /// The tags of each given article, in the order the editor set.
    pub fn for_articles(
        conn: &mut DbConnection,
        article_ids: &[i32],
    ) -> QueryResult<HashMap<i32, Vec<TagRef>>> {
        let rows: Vec<(i32, TagRef)> = article_tags::table
            .inner_join(tags::table)
            .filter(article_tags::article_id.eq_any(article_ids))
            .order((article_tags::article_id, article_tags::position))
            .select((article_tags::article_id, TagRef::as_select()))
            .load(conn)?;
        let mut map: HashMap<i32, Vec<TagRef>> = HashMap::new();
        for (article_id, tag) in rows {
            map.entry(article_id).or_default().push(tag);
        }
        Ok(map)
    }
}
