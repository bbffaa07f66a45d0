//! The site: its name, location and description, one row.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::change::{Action, By, Change, Item};
use super::faq::RichText;
use super::versioned::update_at_version;
use crate::db::schema::site;
use crate::db::DbConnection;

#[derive(Clone, Debug, Serialize, ToSchema)]
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
    /// Where the front end shows an article, below `base_url`, e.g.
    /// `/blog/{slug}` (feeds, the sitemap, webhooks and redirects link there).
    pub article_path: String,
    /// Where the front end lists a tag's articles, e.g. `/topics/{slug}`;
    /// empty when it has no such pages (the sitemap then lists none).
    pub tag_path: String,
    /// The medical disclaimer every article shows; empty Markdown when none.
    pub disclaimer: RichText,
    #[serde(skip)]
    pub updated_at: chrono::NaiveDateTime,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
    /// Settings editors see and readers do not.
    #[serde(skip)]
    pub editorial: Editorial,
}

/// How the site's articles are reviewed and previewed.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Editorial {
    /// Whether an article needs an approved medical review before it is
    /// published or scheduled.
    pub require_review: bool,
    /// How long a review holds: `next_review_due` is this many months after it.
    pub review_interval_months: i32,
    /// The front end's preview route, e.g.
    /// `https://www.example-clinic.com/api/draft?token={token}&slug={slug}`:
    /// preview links are made from it; empty when not set.
    pub preview_url: String,
}

/// The site as editors see it: what readers see and the editorial settings.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminSite {
    #[serde(flatten)]
    pub site: Site,
    #[serde(flatten)]
    pub editorial: Editorial,
}

impl From<Site> for AdminSite {
    fn from(site: Site) -> Self {
        let editorial = site.editorial.clone();
        Self { site, editorial }
    }
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = site)]
struct SiteRow {
    id: i32,
    name: String,
    location: String,
    description: String,
    base_url: String,
    article_path: String,
    tag_path: String,
    disclaimer_markdown: String,
    disclaimer_html: String,
    updated_at: chrono::NaiveDateTime,
    version: i32,
    require_review: bool,
    review_interval_months: i32,
    preview_url: String,
}

#[derive(Debug, Insertable, AsChangeset)]
#[diesel(table_name = site)]
pub struct SiteChanges<'a> {
    pub name: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    pub article_path: &'a str,
    pub tag_path: &'a str,
    pub disclaimer_markdown: &'a str,
    pub disclaimer_html: &'a str,
    pub require_review: bool,
    pub review_interval_months: i32,
    pub preview_url: &'a str,
    pub updated_at: chrono::NaiveDateTime,
}

impl Site {
    pub fn find(conn: &mut DbConnection) -> QueryResult<Site> {
        let row = site::table
            .find(1)
            .select(SiteRow::as_select())
            .first(conn)?;
        Ok(Site {
            id: row.id,
            name: row.name,
            location: row.location,
            description: row.description,
            base_url: row.base_url,
            article_path: row.article_path,
            tag_path: row.tag_path,
            disclaimer: RichText {
                markdown: row.disclaimer_markdown,
                html: row.disclaimer_html,
            },
            updated_at: row.updated_at,
            version: row.version,
            editorial: Editorial {
                require_review: row.require_review,
                review_interval_months: row.review_interval_months,
                preview_url: row.preview_url,
            },
        })
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
