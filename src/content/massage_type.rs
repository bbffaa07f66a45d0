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
    NewMassageType,
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
