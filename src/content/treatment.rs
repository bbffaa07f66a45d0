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
    NewTreatment,
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
