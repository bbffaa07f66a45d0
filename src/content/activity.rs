//! The activity log: who did what to which item, newest first.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::user::User;
use super::{to_utc, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::activity;
use crate::db::DbConnection;

/// One entry of the activity log.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityEntry {
    pub id: i32,
    /// `created`, `updated`, `deleted`, `published`, `scheduled`, `unpublished`, `restored`.
    pub action: String,
    /// `article`, `massage_type`, `treatment`, `faq`, `tag`, `user`, `site`.
    pub item_type: String,
    pub item_id: i32,
    /// The item's title or name at the time.
    pub item_label: String,
    /// Who did it; null when the account was deleted since.
    pub user: Option<ActivityUser>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ActivityUser {
    pub id: i32,
    pub name: String,
}

pub struct Activity;

impl Activity {
    pub fn record(
        conn: &mut DbConnection,
        user_id: i32,
        action: &str,
        item_type: &str,
        item_id: i32,
        item_label: &str,
        at: NaiveDateTime,
    ) -> QueryResult<()> {
        insert_row!(activity: user_id, action, item_type, item_id, item_label, created_at = at)
            .execute(conn)?;
        Ok(())
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<ActivityEntry>> {
        type Row = (i32, Option<i32>, String, String, i32, String, NaiveDateTime);
        let total = activity::table.count().get_result(conn)?;
        let rows: Vec<Row> = activity::table
            .order((activity::created_at.desc(), activity::id.desc()))
            .limit(page.limit())
            .offset(page.offset())
            .select((
                activity::id,
                activity::user_id,
                activity::action,
                activity::item_type,
                activity::item_id,
                activity::item_label,
                activity::created_at,
            ))
            .load(conn)?;
        let user_ids: Vec<i32> = rows.iter().filter_map(|r| r.1).collect();
        let names = User::names(conn, &user_ids)?;
        let items = rows
            .into_iter()
            .map(
                |(id, user_id, action, item_type, item_id, item_label, at)| ActivityEntry {
                    id,
                    action,
                    item_type,
                    item_id,
                    item_label,
                    user: user_id.and_then(|u| {
                        names.get(&u).map(|name| ActivityUser {
                            id: u,
                            name: name.clone(),
                        })
                    }),
                    created_at: to_utc(at),
                },
            )
            .collect();
        Ok(Paged::new(items, total, page))
    }
}
