//! Redirects: the old slugs of articles (kept when a public article's slug
//! changes, pointing at the article, so chains collapse) and the redirects
//! editors add for the front end's redirect map.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::is_public;
use super::versioned::delete_at_version;
use super::{to_utc, ContentError, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::{articles, redirects, site, slug_history};
use crate::db::DbConnection;

/// A redirect as front ends build their map from it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Redirect {
    /// The old path (a front-end page).
    pub from: String,
    /// Where it goes now: a path, or an absolute URL.
    pub to: String,
    /// 301, 302, 307 or 308.
    pub status: i32,
    /// `article`: an article's old slug; `manual`: added by an editor.
    pub kind: String,
}

/// A redirect an editor added.
#[derive(Debug, Serialize, ToSchema)]
pub struct ManualRedirect {
    pub id: i32,
    pub from: String,
    pub to: String,
    pub status: i32,
    pub version: i32,
    pub created_at: DateTime<Utc>,
}

type ManualRow = (i32, String, String, i32, i32, NaiveDateTime);

fn manual(r: ManualRow) -> ManualRedirect {
    ManualRedirect {
        id: r.0,
        from: r.1,
        to: r.2,
        status: r.3,
        version: r.4,
        created_at: to_utc(r.5),
    }
}

macro_rules! manual_columns {
    () => {
        (
            redirects::id,
            redirects::from_path,
            redirects::to_path,
            redirects::status_code,
            redirects::version,
            redirects::created_at,
        )
    };
}

pub struct Redirects;

impl Redirects {
    /// After an article's slug changed from `old`: `old` leads to it when
    /// readers could reach it there; its new slug is nobody's old one now.
    pub fn slug_changed(
        conn: &mut DbConnection,
        article_id: i32,
        (old, new): (&str, &str),
        was_public: bool,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::delete(slug_history::table.find(new)).execute(conn)?;
        if was_public && old != new {
            diesel::delete(slug_history::table.find(old)).execute(conn)?;
            insert_row!(slug_history: slug = old, article_id = article_id, created_at = at)
                .execute(conn)?;
        }
        Ok(())
    }

    /// The slugs `article_id` left in the write made at `at`: their pages
    /// answer with a redirect now.
    pub fn left_at(
        conn: &mut DbConnection,
        article_id: i32,
        at: NaiveDateTime,
    ) -> QueryResult<Vec<String>> {
        slug_history::table
            .filter(slug_history::article_id.eq(article_id))
            .filter(slug_history::created_at.eq(at))
            .select(slug_history::slug)
            .load(conn)
    }

    /// A new article takes `slug`: no old slug leads elsewhere any more.
    pub fn slug_taken(conn: &mut DbConnection, slug: &str) -> QueryResult<()> {
        diesel::delete(slug_history::table.find(slug)).execute(conn)?;
        Ok(())
    }

    /// The slug now of the public article that once had `slug`.
    pub fn current_slug(
        conn: &mut DbConnection,
        slug: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Option<String>> {
        slug_history::table
            .inner_join(articles::table)
            .filter(slug_history::slug.eq(slug))
            .filter(is_public(now))
            .select(articles::slug)
            .first(conn)
            .optional()
    }

    /// Every redirect front ends need: old article pages (to public
    /// articles only) and the editors' own, by `from`.
    pub fn map(
        conn: &mut DbConnection,
        page: PageRequest,
        now: NaiveDateTime,
    ) -> QueryResult<Paged<Redirect>> {
        let path: String = site::table
            .find(1)
            .select(site::article_path)
            .first(conn)
            .optional()?
            .unwrap_or_else(|| "/articles/{slug}".into());
        let page_of = |slug: &str| path.replace("{slug}", slug);
        let old: Vec<(String, String)> = slug_history::table
            .inner_join(articles::table)
            .filter(is_public(now))
            .select((slug_history::slug, articles::slug))
            .load(conn)?;
        let mut all: Vec<Redirect> = old
            .into_iter()
            .map(|(from, to)| Redirect {
                from: page_of(&from),
                to: page_of(&to),
                status: 301,
                kind: "article".into(),
            })
            .collect();
        let added: Vec<ManualRow> = redirects::table.select(manual_columns!()).load(conn)?;
        all.extend(added.into_iter().map(|r| Redirect {
            from: r.1,
            to: r.2,
            status: r.3,
            kind: "manual".into(),
        }));
        all.sort_by(|a, b| a.from.cmp(&b.from));
        Ok(Paged::slice(all, page))
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<ManualRedirect>> {
        let total = redirects::table.count().get_result(conn)?;
        let rows: Vec<ManualRow> = redirects::table
            .order(redirects::from_path)
            .limit(page.limit())
            .offset(page.offset())
            .select(manual_columns!())
            .load(conn)?;
        Ok(Paged::new(
            rows.into_iter().map(manual).collect(),
            total,
            page,
        ))
    }

    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<ManualRedirect> {
        redirects::table
            .find(id)
            .select(manual_columns!())
            .first(conn)
            .map(manual)
    }

    /// Adds a redirect; `Conflict` when `from` has one already or `to`
    /// leads back to `from` through the others.
    pub fn create(
        conn: &mut DbConnection,
        (from, to, status): (&str, &str, i32),
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        let mut next = to.to_string();
        for _ in 0..20 {
            if next == from {
                return Err(ContentError::Conflict(format!(
                    "{from} would redirect to itself through the redirects already there"
                )));
            }
            match redirects::table
                .filter(redirects::from_path.eq(&next))
                .select(redirects::to_path)
                .first::<String>(conn)
                .optional()?
            {
                Some(further) => next = further,
                None => break,
            }
        }
        let taken: i64 = redirects::table
            .filter(redirects::from_path.eq(from))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            return Err(ContentError::Conflict(format!("{from} redirects already")));
        }
        Ok(insert_row!(redirects:
            from_path = from,
            to_path = to,
            status_code = status,
            created_by = Some(user_id),
            created_at = at)
        .returning(redirects::id)
        .get_result(conn)?)
    }

    pub fn delete(conn: &mut DbConnection, id: i32, version: i32) -> Result<(), ContentError> {
        delete_at_version!(conn, redirects, id, version)
    }
}
