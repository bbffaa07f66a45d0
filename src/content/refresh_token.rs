//! Refresh tokens, stored only as hashes, rotated on every use, revoked by family.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use diesel::sql_types::Bool;

use crate::db::backend::Db;
use crate::db::insert_row;
use crate::db::schema::refresh_tokens;
use crate::db::DbConnection;

/// Whose refresh tokens a revocation ends.
#[derive(Clone, Copy, Debug)]
pub enum Whose<'a> {
    /// The tokens of one login.
    Family(&'a str),
    /// Every login of a user.
    User(i32),
}

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
pub struct RefreshToken {
    pub id: i32,
    pub user_id: i32,
    pub family: String,
    pub expires_at: NaiveDateTime,
    pub used_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}

impl RefreshToken {
    pub fn insert(
        conn: &mut DbConnection,
        user_id: i32,
        family: &str,
        token_hash: &str,
        expires_at: NaiveDateTime,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        insert_row!(refresh_tokens: user_id, family, token_hash, expires_at, created_at = at)
            .execute(conn)?;
        Ok(())
    }

    pub fn find_by_hash(
        conn: &mut DbConnection,
        token_hash: &str,
    ) -> QueryResult<Option<RefreshToken>> {
        refresh_tokens::table
            .filter(refresh_tokens::token_hash.eq(token_hash))
            .select(RefreshToken::as_select())
            .first(conn)
            .optional()
    }

    /// Marks the token spent; false when someone spent it first (a reuse).
    pub fn spend(conn: &mut DbConnection, id: i32, at: NaiveDateTime) -> QueryResult<bool> {
        let updated = diesel::update(
            refresh_tokens::table
                .filter(refresh_tokens::id.eq(id))
                .filter(refresh_tokens::used_at.is_null())
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::used_at.eq(at))
        .execute(conn)?;
        Ok(updated == 1)
    }

    /// Revokes the tokens of a login (`Whose::Family`) or of every login
    /// of a user (`Whose::User`) that are not revoked yet.
    pub fn revoke(conn: &mut DbConnection, whose: Whose, at: NaiveDateTime) -> QueryResult<()> {
        let owned: Box<dyn BoxableExpression<refresh_tokens::table, Db, SqlType = Bool>> =
            match whose {
                Whose::Family(family) => Box::new(refresh_tokens::family.eq(family.to_string())),
                Whose::User(user_id) => Box::new(refresh_tokens::user_id.eq(user_id)),
            };
        diesel::update(
            refresh_tokens::table
                .filter(owned)
                .filter(refresh_tokens::revoked_at.is_null()),
        )
        .set(refresh_tokens::revoked_at.eq(at))
        .execute(conn)?;
        Ok(())
    }

    /// Forgets tokens past their expiry; spent ones are kept until then so a
    /// reuse is still recognised.
    pub fn purge_expired(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<usize> {
        diesel::delete(refresh_tokens::table.filter(refresh_tokens::expires_at.lt(now)))
            .execute(conn)
    }
}
