//! Pruning the delivery log: finished deliveries (succeeded or given up),
//! their attempts, and events no delivery refers to any more are deleted
//! once older than the retention. Pending deliveries are never pruned.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::delivery::DeliveryStatus;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_events};
use crate::db::DbConnection;

/// Deletes what finished before `before`; the number of deliveries deleted.
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    let finished = || {
        webhook_deliveries::table
            .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending))
            .filter(webhook_deliveries::finished_at.lt(before))
    };
    diesel::delete(
        webhook_attempts::table.filter(
            webhook_attempts::delivery_id.eq_any(finished().select(webhook_deliveries::id)),
        ),
    )
    .execute(conn)?;
    let deleted = diesel::delete(finished()).execute(conn)?;
    diesel::delete(
        webhook_events::table
            .filter(webhook_events::created_at.lt(before))
            .filter(not(exists(
                webhook_deliveries::table
                    .filter(webhook_deliveries::event_id.eq(webhook_events::id)),
            ))),
    )
    .execute(conn)?;
    Ok(deleted)
}
