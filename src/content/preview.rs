//! Preview links: the rows that list and revoke preview tokens, and the
//! article a token shows, as readers would get it if it were published now.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::to_utc;
use crate::db::insert_row;
use crate::db::schema::preview_tokens;
use crate::db::DbConnection;

/// A preview link as editors list it (the token itself is shown once, when made).
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewLink {
    pub id: String,
    pub article_id: i32,
    /// The version it shows; null: the article as it is when read.
    pub version: Option<i32>,
    /// The account that made it.
    pub created_by: Option<i32>,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = preview_tokens)]
struct LinkRow {
    id: String,
    article_id: i32,
    version: Option<i32>,
    created_by: Option<i32>,
    created_at: NaiveDateTime,
    expires_at: NaiveDateTime,
    revoked_at: Option<NaiveDateTime>,
}

/// A new link's row.
pub struct NewLink<'a> {
    pub id: &'a str,
    pub article_id: i32,
    pub version: Option<i32>,
    pub created_by: i32,
    pub created_at: NaiveDateTime,
    pub expires_at: NaiveDateTime,
}

/// Why a token shows nothing.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    /// Unknown, revoked or expired.
    Invalid,
    /// Its article was deleted since.
    Gone,
}

pub struct Previews;

impl Previews {
    pub fn create(conn: &mut DbConnection, link: &NewLink) -> QueryResult<()> {
        insert_row!(preview_tokens:
            id = link.id, article_id = link.article_id, version = link.version,
            created_by = link.created_by, created_at = link.created_at,
            expires_at = link.expires_at)
        .execute(conn)?;
        Ok(())
    }

    /// An article's links, newest first.
    pub fn list(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<PreviewLink>> {
        let rows = preview_tokens::table
            .filter(preview_tokens::article_id.eq(article_id))
            .order((preview_tokens::created_at.desc(), preview_tokens::id.desc()))
            .select(LinkRow::as_select())
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|r| PreviewLink {
                id: r.id,
                article_id: r.article_id,
                version: r.version,
                created_by: r.created_by,
                created_at: to_utc(r.created_at),
                expires_at: to_utc(r.expires_at),
                revoked_at: r.revoked_at.map(to_utc),
            })
            .collect())
    }

    /// Revokes a link of the article (once: a second revoke keeps the
    /// first time); false when the article has no such link.
    pub fn revoke(
        conn: &mut DbConnection,
        article_id: i32,
        id: &str,
        at: NaiveDateTime,
    ) -> QueryResult<bool> {
        let of_article = preview_tokens::table
            .filter(preview_tokens::id.eq(id))
            .filter(preview_tokens::article_id.eq(article_id));
        let exists: i64 = of_article.count().get_result(conn)?;
        diesel::update(of_article.filter(preview_tokens::revoked_at.is_null()))
            .set(preview_tokens::revoked_at.eq(at))
            .execute(conn)?;
        Ok(exists > 0)
    }

    /// Whether the link `id` (its token's signature already verified) still
    /// shows its article at `now`.
    pub fn check(
        conn: &mut DbConnection,
        id: &str,
        now: NaiveDateTime,
    ) -> QueryResult<Result<(), Refused>> {
        let row: Option<(Option<NaiveDateTime>, NaiveDateTime)> = preview_tokens::table
            .find(id)
            .select((preview_tokens::revoked_at, preview_tokens::expires_at))
            .first(conn)
            .optional()?;
        Ok(match row {
            // The row goes with its article (ON DELETE CASCADE).
            None => Err(Refused::Gone),
            Some((Some(_), _)) => Err(Refused::Invalid),
            Some((None, expires)) if expires <= now => Err(Refused::Invalid),
            Some(_) => Ok(()),
        })
    }
}

/// When a link made at `at` for `seconds` expires, as a time.
pub fn expiry(at: NaiveDateTime, seconds: i64) -> DateTime<Utc> {
    to_utc(at + chrono::Duration::seconds(seconds))
}
