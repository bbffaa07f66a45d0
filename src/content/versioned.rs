//! Optimistic concurrency: an item is changed or deleted only at the
//! version its editor read (`If-Match`), in one statement.

/// `Stale` when the row exists at another version, `NotFound` when it is gone.
pub fn stale_or_missing(exists: bool, version: i32) -> super::ContentError {
    if exists {
        super::ContentError::Stale(version)
    } else {
        super::ContentError::Db(diesel::result::Error::NotFound)
    }
}

/// Sets `$set` on row `$id` of `$table` and moves its version on, when it
/// is still at `$version`; else `Stale` (or `NotFound`). The module using
/// it imports `diesel::prelude::*`.
macro_rules! update_at_version {
    ($conn:expr, $table:ident, $id:expr, $version:expr, ($($set:expr),+ $(,)?)) => {{
        let (id, version): (i32, i32) = ($id, $version);
        let updated = diesel::update(
            $table::table.filter($table::id.eq(id).and($table::version.eq(version))),
        )
        .set(($($set,)+ $table::version.eq(version + 1)))
        .execute($conn)?;
        if updated == 0 {
            let exists: i64 = $table::table.find(id).count().get_result($conn)?;
            Err($crate::content::versioned::stale_or_missing(exists > 0, version))
        } else {
            Ok::<(), $crate::content::ContentError>(())
        }
    }};
}

/// Deletes row `$id` of `$table` when it is still at `$version`; else
/// `Stale` (the caller found it, and holds it locked).
macro_rules! delete_at_version {
    ($conn:expr, $table:ident, $id:expr, $version:expr) => {{
        let (id, version): (i32, i32) = ($id, $version);
        let deleted = diesel::delete(
            $table::table.filter($table::id.eq(id).and($table::version.eq(version))),
        )
        .execute($conn)?;
        if deleted == 0 {
            Err($crate::content::ContentError::Stale(version))
        } else {
            Ok::<(), $crate::content::ContentError>(())
        }
    }};
}

pub(crate) use {delete_at_version, update_at_version};
