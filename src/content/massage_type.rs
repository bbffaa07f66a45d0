//! Massage types: the rows of the reusable "Massage Type / Best For / Benefits" table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::collection::{rerender_articles, stale_or_missing, table_rows};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_massage_types, massage_types};
use crate::db::DbConnection;
use crate::render::EmbedTable;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = massage_types)]
pub struct MassageType {
    pub id: i32,
    pub slug: String,
    pub name: String,
    /// Who or what this massage suits best.
    pub best_for: String,
    pub benefits: String,
    pub description: String,
    /// Editor-set order of the table.
    pub position: i32,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
    #[serde(serialize_with = "crate::content::serialize_utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = massage_types)]
pub struct NewMassageType<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub best_for: &'a str,
    pub benefits: &'a str,
    pub description: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MassageType {
    pub fn insert(conn: &mut DbConnection, new: &NewMassageType) -> QueryResult<i32> {
        diesel::insert_into(massage_types::table)
            .values(new)
            .execute(conn)?;
        massage_types::table
            .filter(massage_types::slug.eq(new.slug))
            .select(massage_types::id)
            .first(conn)
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<MassageType>> {
        let total = massage_types::table.count().get_result(conn)?;
        let items = massage_types::table
            .order((massage_types::position, massage_types::id))
            .limit(page.limit())
            .offset(page.offset())
            .select(MassageType::as_select())
            .load(conn)?;
        Ok(Paged::new(items, total, page))
    }

    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<MassageType> {
        massage_types::table
            .filter(massage_types::slug.eq(slug))
            .select(MassageType::as_select())
            .first(conn)
    }

    /// The massage types an article presents, in the article's order.
    pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<MassageType>> {
        article_massage_types::table
            .inner_join(massage_types::table)
            .filter(article_massage_types::article_id.eq(article_id))
            .order(article_massage_types::position)
            .select(MassageType::as_select())
            .load(conn)
    }

    /// The table as a body embeds it with `{{massage-types}}`.
    pub fn embed_table(rows: &[MassageType]) -> EmbedTable {
        EmbedTable {
            columns: vec!["Massage Type".into(), "Best For".into(), "Benefits".into()],
            rows: rows
                .iter()
                .map(|m| vec![m.name.clone(), m.best_for.clone(), m.benefits.clone()])
                .collect(),
        }
    }
}

table_rows!(
    MassageType,
    MassageTypeFields,
    massage_types,
    article_massage_types,
    massage_type_id,
    Item::MassageType,
    {
        slug: String,
        name: String,
        best_for: String,
        benefits: String,
        description: String,
        position: i32,
    }
);
