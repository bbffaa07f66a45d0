//! Massage types: the rows of the reusable "Massage Type / Best For / Benefits" table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::collection::{rerender_articles, table_rows};
use super::versioned::{delete_at_version, update_at_version};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_massage_types, massage_types};
use crate::db::DbConnection;
use crate::render::EmbedTable;

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
    /// A row of the massage types table.
    MassageType,
    MassageTypeFields,
    massage_types,
    article_massage_types,
    massage_type_id,
    Item::MassageType,
    {
        slug: String,
        name: String,
        /// Who or what this massage suits best.
        best_for: String,
        benefits: String,
        description: String,
        /// Editor-set order of the table.
        position: i32,
    }
);
