//! Treatments: the rows of the reusable "Treatment / Benefits / Limitations" comparison.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::collection::{rerender_articles, table_rows};
use super::versioned::{delete_at_version, update_at_version};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_treatments, treatments};
use crate::db::DbConnection;
use crate::render::EmbedTable;

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
    /// A row of the treatment comparison.
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
        /// Editor-set order of the comparison.
        position: i32,
    }
);
