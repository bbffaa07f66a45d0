//! An article's references: the sources backing health content, in order.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::insert_row;
use crate::db::schema::article_references;
use crate::db::DbConnection;

/// One source: a study, a guideline, a reference work.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = article_references)]
pub struct Reference {
    pub title: String,
    /// An http(s) URL.
    pub url: String,
    /// e.g. `Annals of Internal Medicine`; empty when not given.
    #[serde(default)]
    pub publisher: String,
    /// When the source was published.
    #[serde(default)]
    pub published: Option<NaiveDate>,
    /// A DOI such as `10.7326/M16-2367`.
    #[serde(default)]
    pub doi: Option<String>,
    /// A PubMed id such as `28192789`.
    #[serde(default)]
    pub pmid: Option<String>,
}

impl Reference {
    /// The URLs that name the same work (its DOI and PubMed pages), for JSON-LD `sameAs`.
    pub fn identifiers(&self) -> Vec<String> {
        let doi = self.doi.iter().map(|d| format!("https://doi.org/{d}"));
        let pmid = self
            .pmid
            .iter()
            .map(|p| format!("https://pubmed.ncbi.nlm.nih.gov/{p}/"));
        doi.chain(pmid).collect()
    }
}

pub struct References;

impl References {
    /// The references of each given article, in order.
    pub fn for_articles(
        conn: &mut DbConnection,
        article_ids: &[i32],
    ) -> QueryResult<HashMap<i32, Vec<Reference>>> {
        let rows: Vec<(i32, Reference)> = article_references::table
            .filter(article_references::article_id.eq_any(article_ids))
            .order((article_references::article_id, article_references::position))
            .select((article_references::article_id, Reference::as_select()))
            .load(conn)?;
        let mut map: HashMap<i32, Vec<Reference>> = HashMap::new();
        for (article_id, reference) in rows {
            map.entry(article_id).or_default().push(reference);
        }
        Ok(map)
    }

    pub fn for_article(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<Reference>> {
        Ok(Self::for_articles(conn, &[id])?
            .remove(&id)
            .unwrap_or_default())
    }

    /// Replaces an article's references.
    pub fn set(conn: &mut DbConnection, id: i32, references: &[Reference]) -> QueryResult<()> {
        diesel::delete(article_references::table.filter(article_references::article_id.eq(id)))
            .execute(conn)?;
        // One row at a time: multi-row inserts do not compile for a MultiConnection.
        for (position, r) in (0..).zip(references) {
            insert_row!(article_references:
                article_id = id, position, title = &r.title, url = &r.url,
                publisher = &r.publisher, published = r.published, doi = &r.doi, pmid = &r.pmid)
            .execute(conn)?;
        }
        Ok(())
    }
}
