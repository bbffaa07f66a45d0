//! Sessions: one per login, named by every token issued for it, ended by logout or a credential change.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::refresh_token::{RefreshToken, Whose};
use crate::db::insert_row;
use crate::db::schema::{refresh_tokens, sessions};
use crate::db::DbConnection;

pub struct Session;

impl Session {
    /// Records a new login of `user_id` under `id` (its refresh-token family).
    pub fn start(
        conn: &mut DbConnection,
        id: &str,
        user_id: i32,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        insert_row!(sessions: id, user_id, created_at = at).execute(conn)?;
        Ok(())
    }

    /// True while session `id` of `user_id` has not been ended.
    pub fn is_active(conn: &mut DbConnection, id: &str, user_id: i32) -> QueryResult<bool> {
        let found: Option<Option<NaiveDateTime>> = sessions::table
            .find(id)
            .filter(sessions::user_id.eq(user_id))
            .select(sessions::revoked_at)
            .first(conn)
            .optional()?;
        Ok(matches!(found, Some(None)))
    }

    /// Ends one session: its access tokens stop working and its refresh tokens are revoked.
    pub fn end(conn: &mut DbConnection, id: &str, at: NaiveDateTime) -> QueryResult<()> {
        diesel::update(
            sessions::table
                .find(id)
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(at))
        .execute(conn)?;
        RefreshToken::revoke(conn, Whose::Family(id), at)
    }

    /// Ends every session of a user (a new password, role or status); the
    /// number of sessions that were still active.
    pub fn end_all_for_user(
        conn: &mut DbConnection,
        user_id: i32,
        at: NaiveDateTime,
    ) -> QueryResult<usize> {
        let ended = diesel::update(
            sessions::table
                .filter(sessions::user_id.eq(user_id))
                .filter(sessions::revoked_at.is_null()),
        )
        .set(sessions::revoked_at.eq(at))
        .execute(conn)?;
        RefreshToken::revoke(conn, Whose::User(user_id), at)?;
        Ok(ended)
    }

    /// Forgets sessions none of whose refresh tokens is left (they expired
    /// and were purged): nothing can name them any more.
    pub fn purge_finished(conn: &mut DbConnection) -> QueryResult<usize> {
        diesel::delete(sessions::table.filter(diesel::dsl::not(diesel::dsl::exists(
            refresh_tokens::table.filter(refresh_tokens::family.eq(sessions::id)),
        ))))
        .execute(conn)
    }
}
