//! Pruning the delivery log: finished deliveries (succeeded or given up),
//! their attempts, and events no delivery refers to any more are deleted
//! once older than the retention. Pending deliveries are never pruned.

use chrono::NaiveDateTime;
use diesel::dsl::{exists, not};
use diesel::prelude::*;

use super::delivery::DeliveryStatus;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_events};
use crate::db::DbConnection;

/// How many deliveries one pruning write deletes: each batch is a short
/// write of its own, so editors' saves and deliveries go between them.
pub const BATCH: i64 = 1000;

/// Deletes up to `BATCH` deliveries finished before `before`, with their
/// attempts, and the events left with no delivery; the number of deliveries
/// deleted (less than `BATCH`: nothing older is left).
pub fn prune(conn: &mut DbConnection, before: NaiveDateTime) -> QueryResult<usize> {
    let batch: Vec<i64> = webhook_deliveries::table
        .filter(webhook_deliveries::status.ne(DeliveryStatus::Pending))
        .filter(webhook_deliveries::finished_at.lt(before))
        .order(webhook_deliveries::id)
        .limit(BATCH)
        .select(webhook_deliveries::id)
        .load(conn)?;
    diesel::delete(webhook_attempts::table.filter(webhook_attempts::delivery_id.eq_any(&batch)))
        .execute(conn)?;
    let deleted =
        diesel::delete(webhook_deliveries::table.filter(webhook_deliveries::id.eq_any(&batch)))
            .execute(conn)?;
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
