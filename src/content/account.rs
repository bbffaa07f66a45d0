//! The rules of managing accounts: one active admin always remains, a new
//! password, role or a disabled account ends every session of it, and a new
//! name is a content change (articles show it in their byline).

use chrono::NaiveDateTime;

use super::activity::Activity;
use super::change::{Action, By, Change, Item};
use super::session::Session;
use super::user::{NewUser, Role, User, UserChanges, UserRecord};
use super::ContentError;
use crate::db::DbConnection;

/// What an admin asked to change about an account (already valid).
#[derive(Debug, Default)]
pub struct AccountChange {
    pub email: Option<String>,
    pub name: Option<String>,
    pub role: Option<Role>,
    /// The new password's hash.
    pub password_hash: Option<String>,
    pub disabled: Option<bool>,
    /// A new picture (`Some(None)` removes it).
    pub avatar_id: Option<Option<i32>>,
}

/// A unique violation on an account is its email.
fn email_taken(e: diesel::result::Error) -> ContentError {
    match e {
        diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        ) => ContentError::Conflict("another account already has this email".into()),
        other => other.into(),
    }
}

/// Refuses a change that would leave no active admin.
fn keep_an_admin(
    conn: &mut DbConnection,
    target: &UserRecord,
    still_admin: bool,
) -> Result<(), ContentError> {
    let is_active_admin = target.role == Role::Admin && !target.disabled;
    if is_active_admin && !still_admin && User::active_admins(conn)? <= 1 {
        return Err(ContentError::Conflict(
            "this is the last active admin; make another admin first".into(),
        ));
    }
    Ok(())
}

/// Creates an account (disabled at once when asked); its id.
pub fn create(
    conn: &mut DbConnection,
    by: i32,
    new: &NewUser,
    disabled: bool,
) -> Result<i32, ContentError> {
    let id = User::insert(conn, new).map_err(email_taken)?;
    if disabled {
        let changes = UserChanges {
            disabled: Some(true),
            ..UserChanges::default()
        };
        User::update(conn, id, 1, &changes, new.created_at)?;
    }
    Activity::record(conn, by, "created", "user", id, new.email, new.created_at)?;
    Ok(id)
}

/// Applies `change` to `target` when it is still at `version`.
pub fn update(
    conn: &mut DbConnection,
    by: i32,
    target: &UserRecord,
    version: i32,
    change: AccountChange,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    let still_admin = change.role.unwrap_or(target.role) == Role::Admin
        && !change.disabled.unwrap_or(target.disabled);
    keep_an_admin(conn, target, still_admin)?;
    let ends_sessions = change.password_hash.is_some()
        || change.role.is_some_and(|r| r != target.role)
        || (change.disabled == Some(true) && !target.disabled);
    // Bylines show the name and the picture.
    let renamed = change.name.as_ref().is_some_and(|n| *n != target.name)
        || change.avatar_id.is_some_and(|a| a != target.avatar_id);
    if let Some(avatar) = change.avatar_id {
        super::image::check_public_image(conn, avatar)?;
    }
    let label = change.email.clone().unwrap_or_else(|| target.email.clone());
    let changes = UserChanges {
        email: change.email,
        name: change.name,
        role: change.role,
        password_hash: change.password_hash.map(Some),
        disabled: change.disabled,
        avatar_id: change.avatar_id,
    };
    if !User::update(conn, target.id, version, &changes, at).map_err(email_taken)? {
        return Err(ContentError::Stale(version));
    }
    if ends_sessions {
        Session::end_all_for_user(conn, target.id, at)?;
    }
    let by = By {
        user_id: by,
        label: &label,
        at,
    };
    if renamed {
        Change::record(conn, Item::Author(target.id), Action::Updated, Some(by))?;
    } else {
        Activity::record(conn, by.user_id, "updated", "user", target.id, by.label, at)?;
    }
    Ok(())
}

/// Deletes `target` when it is still at `version`; its articles stay,
/// without a byline.
pub fn delete(
    conn: &mut DbConnection,
    by: i32,
    target: &UserRecord,
    version: i32,
    at: NaiveDateTime,
) -> Result<(), ContentError> {
    keep_an_admin(conn, target, false)?;
    // Recorded first: an admin may delete their own account, and the
    // entry's user then becomes null with it (ON DELETE SET NULL).
    let by = By {
        user_id: by,
        label: &target.email,
        at,
    };
    Change::record(conn, Item::Author(target.id), Action::Deleted, Some(by))?;
    if !User::delete(conn, target.id, version)? {
        return Err(ContentError::Stale(version));
    }
    Ok(())
}
