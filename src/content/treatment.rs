//! Treatments: the rows of the reusable "Treatment / Benefits / Limitations" comparison.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::collection::{rerender_articles, stale_or_missing, table_rows};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_treatments, treatments};
use crate::db::DbConnection;
use crate::render::EmbedTable;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = treatments)]
pub struct Treatment {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub benefits: String,
    pub limitations: String,
    /// Editor-set order of the comparison.
    pub position: i32,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
    #[serde(serialize_with = "crate::content::serialize_utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = treatments)]
pub struct NewTreatment<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub benefits: &'a str,
    pub limitations: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Treatment {
    pub fn insert(conn: &mut DbConnection, new: &NewTreatment) -> QueryResult<i32> {
        diesel::insert_into(treatments::table)
            .values(new)
            .execute(conn)?;
        treatments::table
            .filter(treatments::slug.eq(new.slug))
            .select(treatments::id)
            .first(conn)
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<Treatment>> {
        let total = treatments::table.count().get_result(conn)?;
        let items = treatments::table
            .order((treatments::position, treatments::id))
            .limit(page.limit())
            .offset(page.offset())
            .select(Treatment::as_select())
            .load(conn)?;
        Ok(Paged::new(items, total, page))
    }

    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Treatment> {
        treatments::table
            .filter(treatments::slug.eq(slug))
            .select(Treatment::as_select())
            .first(conn)
    }

    /// The treatments an article compares, in the article's order.
    pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<Treatment>> {
        article_treatments::table
            .inner_join(treatments::table)
            .filter(article_treatments::article_id.eq(article_id))
            .order(article_treatments::position)
            .select(Treatment::as_select())
            .load(conn)
    }

    /// The table as a body embeds it with `{{treatments}}`.
    pub fn embed_table(rows: &[Treatment]) -> EmbedTable {
        EmbedTable {
            columns: vec!["Treatment".into(), "Benefits".into(), "Limitations".into()],
            rows: rows
                .iter()
                .map(|t| vec![t.name.clone(), t.benefits.clone(), t.limitations.clone()])
                .collect(),
        }
    }
}

table_rows!(
    Treatment,
    TreatmentFields,
    treatments,
    article_treatments,
    treatment_id,
    Item::Treatment,
    {
        slug: String,
        name: String,
        benefits: String,
        limitations: String,
        position: i32,
    }
);
