//! Users: the authors shown on articles and the editors who write them.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::schema::users;
use crate::db::DbConnection;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Author,
    Editor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Author => "author",
            Role::Editor => "editor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "author" => Some(Role::Author),
            "editor" => Some(Role::Editor),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: &'a str,
    pub password_hash: Option<&'a str>,
    pub created_at: chrono::NaiveDateTime,
    pub updated_at: chrono::NaiveDateTime,
}

pub struct User;

impl User {
    /// Inserts a user; the email is stored lowercased so it is unique case-insensitively.
    pub fn insert(conn: &mut DbConnection, new: &NewUser) -> QueryResult<i32> {
        let email = new.email.trim().to_lowercase();
        let row = NewUser {
            email: &email,
            ..*new
        };
        diesel::insert_into(users::table)
            .values(&row)
            .execute(conn)?;
        users::table
            .filter(users::email.eq(&email))
            .select(users::id)
            .first(conn)
    }

    pub fn id_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<i32>> {
        users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(users::id)
            .first(conn)
            .optional()
    }

    /// Display names of the given users, for bylines.
    pub fn names(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, String>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect())
    }
}
