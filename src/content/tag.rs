//! Tags: labels an article is filed under, with their published-article counts.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::versioned::{delete_at_version, update_at_version};
use super::ContentError;
use crate::content::article::is_public;
use crate::db::insert_row;
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
    /// Published articles filed under this tag.
    pub article_count: i64,
    pub version: i32,
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

    pub fn id_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Option<i32>> {
        tags::table
            .filter(tags::slug.eq(slug))
            .select(tags::id)
            .first(conn)
            .optional()
    }

    /// Every tag, by name, with its count of articles visible at `now`.
    pub fn list_with_counts(
        conn: &mut DbConnection,
        now: NaiveDateTime,
    ) -> QueryResult<Vec<TagWithCount>> {
        let all: Vec<(i32, String, String, i32)> = tags::table
            .order((tags::name.asc(), tags::id.asc()))
            .select((tags::id, tags::slug, tags::name, tags::version))
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
            .map(|(id, slug, name, version)| TagWithCount {
                article_count: counts.get(&id).copied().unwrap_or(0),
                id,
                slug,
                name,
                version,
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

/// The writable fields of a tag.
#[derive(Clone, Debug, PartialEq)]
pub struct TagFields {
    pub slug: String,
    pub name: String,
}

impl Tag {
    /// One tag with its count of articles visible at `now`.
    pub fn find(conn: &mut DbConnection, id: i32, now: NaiveDateTime) -> QueryResult<TagWithCount> {
        let (slug, name, version): (String, String, i32) = tags::table
            .find(id)
            .select((tags::slug, tags::name, tags::version))
            .first(conn)?;
        let article_count = article_tags::table
            .inner_join(articles::table)
            .filter(article_tags::tag_id.eq(id))
            .filter(is_public(now))
            .count()
            .get_result(conn)?;
        Ok(TagWithCount {
            id,
            slug,
            name,
            article_count,
            version,
        })
    }

    pub fn create(
        conn: &mut DbConnection,
        fields: &TagFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        insert_row!(tags:
            slug = &fields.slug, name = &fields.name,
            created_by = user_id, updated_by = user_id, created_at = at, updated_at = at)
        .execute(conn)?;
        let id = tags::table
            .filter(tags::slug.eq(&fields.slug))
            .select(tags::id)
            .first(conn)?;
        let by = By::new(user_id, &fields.name, at);
        Change::record(conn, Item::Tag(id), Action::Created, by)?;
        Ok(id)
    }

    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &TagFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        update_at_version!(
            conn,
            tags,
            id,
            version,
            (
                tags::slug.eq(&fields.slug),
                tags::name.eq(&fields.name),
                tags::updated_by.eq(user_id),
                tags::updated_at.eq(at),
            )
        )?;
        let by = By::new(user_id, &fields.name, at);
        Change::record(conn, Item::Tag(id), Action::Updated, by)?;
        Ok(())
    }

    /// Deletes the tag when still at `version`; articles simply lose it.
    pub fn delete(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let name: String = tags::table.find(id).select(tags::name).first(conn)?;
        let by = By::new(user_id, &name, at);
        Change::record(conn, Item::Tag(id), Action::Deleted, by)?;
        delete_at_version!(conn, tags, id, version)?;
        Ok(())
    }
}
