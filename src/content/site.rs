//! The site: its name, location and description, one row.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::versioned::update_at_version;
use crate::db::schema::site;
use crate::db::DbConnection;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = site)]
pub struct Site {
    #[serde(skip)]
    pub id: i32,
    /// The clinic's name.
    pub name: String,
    /// Where the clinic is, e.g. `Pasadena 100369, United States`.
    pub location: String,
    pub description: String,
    /// The public web address of the site, used for canonical URLs; empty when not set.
    pub base_url: String,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = site)]
pub struct SiteChanges<'a> {
    pub name: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub updated_at: chrono::NaiveDateTime,
}

impl Site {
    pub fn find(conn: &mut DbConnection) -> QueryResult<Site> {
        site::table.find(1).select(Site::as_select()).first(conn)
    }

    /// Changes the site when still at `version`.
    pub fn update(
        conn: &mut DbConnection,
        version: i32,
        changes: &SiteChanges,
        user_id: i32,
    ) -> Result<(), crate::content::ContentError> {
        update_at_version!(conn, site, 1, version, (changes,))?;
        let by = By::new(user_id, changes.name, changes.updated_at);
        Change::record(conn, Item::Site, Action::Updated, by)?;
        Ok(())
    }

    /// Writes the one site row, creating it when missing.
    pub fn save(conn: &mut DbConnection, changes: &SiteChanges) -> QueryResult<()> {
        let updated = diesel::update(site::table.find(1))
            .set(changes)
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(site::table)
                .values((site::id.eq(1), changes))
                .execute(conn)?;
        }
        Ok(())
    }

    /// The canonical address of an article, when the site's address is known.
    pub fn article_url(&self, slug: &str) -> Option<String> {
        let base = self.base_url.trim_end_matches('/');
        (!base.is_empty()).then(|| format!("{base}/blog/{slug}"))
    }
}
