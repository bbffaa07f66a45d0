//! `app_meta`: facts about what the server derived from content, such as the renderer version bodies were made with.

use diesel::prelude::*;

use crate::db::schema::app_meta;
use crate::db::DbConnection;

pub struct Meta;

impl Meta {
    pub fn get(conn: &mut DbConnection, key: &str) -> QueryResult<Option<String>> {
        app_meta::table
            .find(key)
            .select(app_meta::value)
            .first(conn)
            .optional()
    }

    pub fn set(conn: &mut DbConnection, key: &str, value: &str) -> QueryResult<()> {
        let updated = diesel::update(app_meta::table.find(key))
            .set(app_meta::value.eq(value))
            .execute(conn)?;
        if updated == 0 {
            diesel::insert_into(app_meta::table)
                .values((app_meta::key.eq(key), app_meta::value.eq(value)))
                .execute(conn)?;
        }
        Ok(())
    }
}
