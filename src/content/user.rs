//! Users: the authors shown on articles and the editors who write them.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::image::{resolve_images, Image};
use super::{to_utc, PageRequest, Paged};
use crate::db::schema::users;
use crate::db::DbConnection;

super::text_enum! {
    /// What a user may do: author < editor < admin, each including the one
    /// below it; a reviewer reads and reviews (see `auth::authorize`).
    #[derive(PartialOrd, Ord)]
    pub enum Role {
        /// Writes drafts, edits and deletes their own drafts; cannot publish.
        Author = "author",
        /// A medical reviewer: reads everything under `/admin`, approves
        /// articles or requests changes; writes no content.
        Reviewer = "reviewer",
        /// Creates, edits, publishes, unpublishes and deletes all content.
        Editor = "editor",
        /// All of that, plus users and settings.
        Admin = "admin",
    }
}

/// A valid email address, lowercased (emails are unique case-insensitively).
///
/// The RFC 5321 mailbox as JSON Schema's `email` format means it, less
/// quoted local parts and address literals: a dot-atom of at most 64
/// characters, `@`, and a host name of letter-digit-hyphen labels.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        const INVALID: &str = "must be an email address like name@example.com";
        let email = raw.trim().to_lowercase();
        let (local, domain) = email.rsplit_once('@').ok_or(INVALID)?;
        let atext = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c);
        let local_ok = (1..=64).contains(&local.len())
            && local
                .split('.')
                .all(|atom| !atom.is_empty() && atom.chars().all(atext));
        let label_ok = |label: &str| {
            (1..=63).contains(&label.len())
                && !label.starts_with('-')
                && !label.ends_with('-')
                && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        };
        let domain_ok = (1..=253).contains(&domain.len()) && domain.split('.').all(label_ok);
        if local_ok && domain_ok && email.len() <= 254 {
            Ok(Self(email))
        } else {
            Err(INVALID)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A user as stored, password hash included: never serialized.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct UserRecord {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub password_hash: Option<String>,
    pub disabled: bool,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// The media id of the account's picture.
    pub avatar_id: Option<i32>,
}

/// A user as the API shows it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub disabled: bool,
    /// Whether the account has a password (bylines from a content file have none).
    pub can_log_in: bool,
    /// The account's picture, shown beside its byline.
    pub avatar: Option<Image>,
    pub version: i32,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

impl UserRecord {
    pub fn role(&self) -> Role {
        // The column has a CHECK constraint; anything else is the least privilege.
        self.role
    }

    /// The account as the API shows it, its avatar read.
    pub fn view(&self, conn: &mut DbConnection) -> QueryResult<UserView> {
        let mut avatar = self.avatar_id.map(Image::unresolved);
        resolve_images(conn, [&mut avatar])?;
        Ok(self.view_with(avatar))
    }

    fn view_with(&self, avatar: Option<Image>) -> UserView {
        UserView {
            id: self.id,
            email: self.email.clone(),
            name: self.name.clone(),
            role: self.role(),
            disabled: self.disabled,
            can_log_in: self.password_hash.is_some(),
            avatar,
            version: self.version,
            created_at: to_utc(self.created_at),
            updated_at: to_utc(self.updated_at),
        }
    }
}

#[derive(Clone, Copy, Debug, Insertable)]
#[diesel(table_name = users)]
pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub role: Role,
    pub password_hash: Option<&'a str>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Default, AsChangeset)]
#[diesel(table_name = users)]
pub struct UserChanges {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    pub password_hash: Option<Option<String>>,
    pub disabled: Option<bool>,
    pub avatar_id: Option<Option<i32>>,
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

    pub fn count(conn: &mut DbConnection) -> QueryResult<i64> {
        users::table.count().get_result(conn)
    }

    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<UserRecord> {
        users::table
            .find(id)
            .select(UserRecord::as_select())
            .first(conn)
    }

    pub fn find_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<UserRecord>> {
        users::table
            .filter(users::email.eq(email.trim().to_lowercase()))
            .select(UserRecord::as_select())
            .first(conn)
            .optional()
    }

    pub fn id_by_email(conn: &mut DbConnection, email: &str) -> QueryResult<Option<i32>> {
        Ok(Self::find_by_email(conn, email)?.map(|u| u.id))
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<UserView>> {
        let total = users::table.count().get_result(conn)?;
        let items = users::table
            .order(users::id)
            .limit(page.limit())
            .offset(page.offset())
            .select(UserRecord::as_select())
            .load::<UserRecord>(conn)?;
        let mut avatars: Vec<Option<Image>> = items
            .iter()
            .map(|u| u.avatar_id.map(Image::unresolved))
            .collect();
        resolve_images(conn, avatars.iter_mut())?;
        let views = items
            .iter()
            .zip(avatars)
            .map(|(user, avatar)| user.view_with(avatar))
            .collect();
        Ok(Paged::new(views, total, page))
    }

    /// Applies changes when the stored version is `version`; false when it is not.
    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        changes: &UserChanges,
        at: NaiveDateTime,
    ) -> QueryResult<bool> {
        let updated =
            diesel::update(users::table.filter(users::id.eq(id).and(users::version.eq(version))))
                .set((
                    changes,
                    users::version.eq(version + 1),
                    users::updated_at.eq(at),
                ))
                .execute(conn)?;
        Ok(updated == 1)
    }

    /// Sets a new password hash (the owner changing it: no `If-Match` to check).
    pub fn set_password(
        conn: &mut DbConnection,
        id: i32,
        password_hash: &str,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        diesel::update(users::table.find(id))
            .set((
                users::password_hash.eq(password_hash),
                users::version.eq(users::version + 1),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        Ok(())
    }

    pub fn delete(conn: &mut DbConnection, id: i32, version: i32) -> QueryResult<bool> {
        let deleted =
            diesel::delete(users::table.filter(users::id.eq(id).and(users::version.eq(version))))
                .execute(conn)?;
        Ok(deleted == 1)
    }

    /// Admins that are not disabled; the last one may not be demoted, disabled or deleted.
    pub fn active_admins(conn: &mut DbConnection) -> QueryResult<i64> {
        users::table
            .filter(users::role.eq(Role::Admin))
            .filter(users::disabled.eq(false))
            .count()
            .get_result(conn)
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

    /// Names and pictures of accounts, as bylines show them; the pictures
    /// unresolved, for the caller to resolve with its other images.
    pub fn bylines(
        conn: &mut DbConnection,
        ids: &[i32],
    ) -> QueryResult<HashMap<i32, (String, Option<Image>)>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<(i32, String, Option<i32>)> = users::table
            .filter(users::id.eq_any(ids))
            .select((users::id, users::name, users::avatar_id))
            .load(conn)?;
        Ok(rows
            .into_iter()
            .map(|(id, name, avatar)| (id, (name, avatar.map(Image::unresolved))))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_and_lowercased() {
        assert_eq!(
            Email::parse(" Ann@Example.COM ").unwrap().as_str(),
            "ann@example.com"
        );
        // What JSON Schema's `email` format accepts, we accept.
        for good in ["x@b", "o'neil+tag@clinic.example", "a.b@c-d.example"] {
            assert!(Email::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "ann",
            "ann@",
            "@example.com",
            "a b@example.com",
            "a@b@c.com",
            "ann@.com",
            "a..b@example.com",
            ".a@example.com",
            "a@-example.com",
            "a@exa_mple.com",
            "#'8j}m#wny@8dxl2.omyz1.net*",
            "\"quoted\"@example.com",
            "ann@example.com\u{0}",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn roles_order_by_privilege() {
        assert!(Role::Admin > Role::Editor && Role::Editor > Role::Author);
        assert_eq!(Role::parse("editor"), Some(Role::Editor));
        assert_eq!(Role::parse("root"), None);
    }
}
