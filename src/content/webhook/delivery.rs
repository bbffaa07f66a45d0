//! Deliveries: each endpoint's queue, sent in event order by the one node
//! holding the endpoint's lease, and the log of every attempt.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Integer, Text, Timestamp};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::content::{to_utc, PageRequest, Paged};
use crate::db::backend::Kind;
use crate::db::insert_row;
use crate::db::schema::{webhook_attempts, webhook_deliveries, webhook_endpoints, webhook_events};
use crate::db::DbConnection;

crate::content::text_enum! {
    /// Where a delivery is.
    pub enum DeliveryStatus {
        /// Waiting for its first attempt or its next retry.
        Pending = "pending",
        /// The endpoint answered 2xx.
        Succeeded = "succeeded",
        /// Every attempt failed, or the endpoint answered `410 Gone`.
        Failed = "failed",
    }
}

/// A delivery as the log lists it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Delivery {
    pub id: i64,
    pub event_id: i64,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: i32,
    /// When it is tried next (pending deliveries).
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The status code of the last answer; null when none came.
    pub last_status: Option<i32>,
    pub last_error: String,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// One attempt: what was sent and what came back.
#[derive(Debug, Serialize, ToSchema)]
pub struct Attempt {
    pub attempted_at: DateTime<Utc>,
    /// The request's headers (signature included: it proves nothing without the secret).
    pub request_headers: BTreeMap<String, String>,
    pub response_status: Option<i32>,
    /// The start of the response's body (at most 2 KiB).
    pub response_excerpt: String,
    pub duration_ms: i32,
    /// Why no answer came (refused address, timeout, connection error).
    pub error: String,
}

/// A delivery with the event's body and every attempt, oldest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: Delivery,
    /// The body sent, byte for byte the same at every attempt.
    #[schema(value_type = Object)]
    pub payload: Value,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<Attempt>,
}

/// The head of an endpoint's queue, ready to send.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub delivery_id: i64,
    pub endpoint_id: i32,
    pub url: String,
    pub event_id: i64,
    pub payload: String,
    /// Attempts made before this one.
    pub attempts: i32,
}

/// What one attempt did.
#[derive(Debug, Clone)]
pub struct AttemptRecord {
    pub headers: BTreeMap<String, String>,
    pub status: Option<u16>,
    pub excerpt: String,
    pub duration_ms: i32,
    pub error: String,
}

/// What follows an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Delivered.
    Done,
    /// Try again then.
    RetryAt(NaiveDateTime),
    /// No attempt is left.
    GiveUp,
    /// `410 Gone`: the receiver is gone for good; disable the endpoint.
    Gone,
}

type Row = (
    i64,
    i64,
    String,
    DeliveryStatus,
    i32,
    NaiveDateTime,
    Option<i32>,
    String,
    NaiveDateTime,
    Option<NaiveDateTime>,
);

fn delivery_of(r: Row) -> Delivery {
    let (id, event_id, event_type, status, attempts, next, last_status, last_error, created, done) =
        r;
    Delivery {
        id,
        event_id,
        event_type,
        status,
        attempts,
        next_attempt_at: (status == DeliveryStatus::Pending).then(|| to_utc(next)),
        last_status,
        last_error,
        created_at: to_utc(created),
        finished_at: done.map(to_utc),
    }
}

macro_rules! delivery_columns {
    () => {
        (
            webhook_deliveries::id,
            webhook_deliveries::event_id,
            webhook_events::event_type,
            webhook_deliveries::status,
            webhook_deliveries::attempts,
            webhook_deliveries::next_attempt_at,
            webhook_deliveries::last_status,
            webhook_deliveries::last_error,
            webhook_deliveries::created_at,
            webhook_deliveries::finished_at,
        )
    };
}

#[derive(QueryableByName)]
struct Claimed {
    #[diesel(sql_type = Integer)]
    id: i32,
}

pub struct Deliveries;

impl Deliveries {
    /// Leases up to `limit` enabled endpoints whose queue head is due to
    /// `node` until `until`: only that node sends their deliveries, in
    /// order, until the lease ends (a node killed mid-send loses it then,
    /// and another node sends the delivery again: at least once, the same
    /// `webhook-id`). PostgreSQL skips endpoints another node is claiming.
    pub fn claim(
        conn: &mut DbConnection,
        node: &str,
        now: NaiveDateTime,
        until: NaiveDateTime,
        limit: i64,
    ) -> QueryResult<Vec<i32>> {
        let (p, skip) = match Kind::of(conn) {
            Kind::Postgres => ("$", " FOR UPDATE SKIP LOCKED"),
            Kind::Sqlite => ("?", ""),
        };
        let sql = format!(
            "UPDATE webhook_endpoints SET lease_until = {p}1, leased_by = {p}2 \
             WHERE id IN (SELECT e.id FROM webhook_endpoints e \
             WHERE e.enabled AND (e.lease_until IS NULL OR e.lease_until < {p}3) \
             AND (SELECT d.next_attempt_at FROM webhook_deliveries d \
             WHERE d.endpoint_id = e.id AND d.status = 'pending' ORDER BY d.id LIMIT 1) <= {p}3 \
             ORDER BY e.id LIMIT {p}4{skip}) RETURNING id"
        );
        Ok(diesel::sql_query(sql)
            .bind::<Timestamp, _>(until)
            .bind::<Text, _>(node)
            .bind::<Timestamp, _>(now)
            .bind::<BigInt, _>(limit)
            .load::<Claimed>(conn)?
            .into_iter()
            .map(|c| c.id)
            .collect())
    }

    /// Whether any enabled endpoint's queue head is due (a read: a node
    /// claims, which writes, only when there is something to send). One
    /// index lookup per enabled endpoint, however many deliveries wait.
    pub fn any_due(conn: &mut DbConnection, now: NaiveDateTime) -> QueryResult<bool> {
        let head_due = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(webhook_endpoints::id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
            .order(webhook_deliveries::id)
            .select(webhook_deliveries::next_attempt_at)
            .limit(1)
            .single_value();
        let due: Option<i32> = webhook_endpoints::table
            .filter(webhook_endpoints::enabled.eq(true))
            // Leased ones are being served: nothing to claim there.
            .filter(
                webhook_endpoints::lease_until
                    .is_null()
                    .or(webhook_endpoints::lease_until.lt(now)),
            )
            .filter(head_due.le(now))
            .select(webhook_endpoints::id)
            .first(conn)
            .optional()?;
        Ok(due.is_some())
    }

    /// Extends `node`'s lease of the endpoint; false when it lost it.
    pub fn renew(
        conn: &mut DbConnection,
        endpoint_id: i32,
        node: &str,
        until: NaiveDateTime,
    ) -> QueryResult<bool> {
        Ok(diesel::update(
            webhook_endpoints::table
                .filter(webhook_endpoints::id.eq(endpoint_id))
                .filter(webhook_endpoints::leased_by.eq(node)),
        )
        .set(webhook_endpoints::lease_until.eq(until))
        .execute(conn)?
            > 0)
    }

    /// Ends `node`'s lease of the endpoint.
    pub fn release(conn: &mut DbConnection, endpoint_id: i32, node: &str) -> QueryResult<()> {
        diesel::update(
            webhook_endpoints::table
                .filter(webhook_endpoints::id.eq(endpoint_id))
                .filter(webhook_endpoints::leased_by.eq(node)),
        )
        .set((
            webhook_endpoints::lease_until.eq(None::<NaiveDateTime>),
            webhook_endpoints::leased_by.eq(None::<String>),
        ))
        .execute(conn)?;
        Ok(())
    }

    /// The endpoint's oldest pending delivery when it is due and the
    /// endpoint is enabled; later ones wait behind it (event order).
    pub fn head(
        conn: &mut DbConnection,
        endpoint_id: i32,
        now: NaiveDateTime,
    ) -> QueryResult<Option<Outgoing>> {
        let head: Option<(i64, i64, i32, NaiveDateTime, String, String, bool)> =
            webhook_deliveries::table
                .inner_join(webhook_endpoints::table)
                .inner_join(webhook_events::table)
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .filter(webhook_deliveries::status.eq(DeliveryStatus::Pending))
                .order(webhook_deliveries::id)
                .select((
                    webhook_deliveries::id,
                    webhook_deliveries::event_id,
                    webhook_deliveries::attempts,
                    webhook_deliveries::next_attempt_at,
                    webhook_endpoints::url,
                    webhook_events::payload,
                    webhook_endpoints::enabled,
                ))
                .first(conn)
                .optional()?;
        Ok(head.filter(|h| h.3 <= now && h.6).map(
            |(delivery_id, event_id, attempts, _, url, payload, _)| Outgoing {
                delivery_id,
                endpoint_id,
                url,
                event_id,
                payload,
                attempts,
            },
        ))
    }

    /// Logs an attempt and moves the delivery and its endpoint on: a
    /// success ends the endpoint's failure streak; a failure starts or
    /// continues it, and disables the endpoint once it is older than
    /// `disable_after`; `410 Gone` disables it at once.
    pub fn record_attempt(
        conn: &mut DbConnection,
        sent: &Outgoing,
        attempt: &AttemptRecord,
        next: Next,
        disable_after: chrono::Duration,
        now: NaiveDateTime,
    ) -> QueryResult<()> {
        let headers = serde_json::to_string(&attempt.headers).unwrap_or_else(|_| "{}".into());
        insert_row!(webhook_attempts:
            delivery_id = sent.delivery_id,
            attempted_at = now,
            request_headers = &headers,
            response_status = attempt.status.map(i32::from),
            response_excerpt = &attempt.excerpt,
            duration_ms = attempt.duration_ms,
            error = &attempt.error)
        .execute(conn)?;
        let (status, next_at, finished) = match next {
            Next::Done => (DeliveryStatus::Succeeded, now, Some(now)),
            Next::RetryAt(at) => (DeliveryStatus::Pending, at, None),
            Next::GiveUp | Next::Gone => (DeliveryStatus::Failed, now, Some(now)),
        };
        diesel::update(webhook_deliveries::table.find(sent.delivery_id))
            .set((
                webhook_deliveries::status.eq(status),
                webhook_deliveries::attempts.eq(sent.attempts + 1),
                webhook_deliveries::next_attempt_at.eq(next_at),
                webhook_deliveries::last_status.eq(attempt.status.map(i32::from)),
                webhook_deliveries::last_error.eq(&attempt.error),
                webhook_deliveries::finished_at.eq(finished),
            ))
            .execute(conn)?;
        let endpoint = webhook_endpoints::table.find(sent.endpoint_id);
        if next == Next::Done {
            diesel::update(endpoint)
                .set(webhook_endpoints::failing_since.eq(None::<NaiveDateTime>))
                .execute(conn)?;
            return Ok(());
        }
        let since: Option<NaiveDateTime> = endpoint
            .select(webhook_endpoints::failing_since)
            .first(conn)?;
        let since = since.unwrap_or(now);
        let reason = if next == Next::Gone {
            Some(format!(
                "the endpoint answered 410 Gone at {}",
                to_utc(now).to_rfc3339()
            ))
        } else if now - since >= disable_after {
            Some(format!(
                "every attempt has failed since {} (last: {})",
                to_utc(since).to_rfc3339(),
                attempt
                    .status
                    .map_or(attempt.error.clone(), |s| format!("status {s}"))
            ))
        } else {
            None
        };
        diesel::update(endpoint)
            .set(webhook_endpoints::failing_since.eq(Some(since)))
            .execute(conn)?;
        if let Some(reason) = reason {
            diesel::update(endpoint)
                .set((
                    webhook_endpoints::enabled.eq(false),
                    webhook_endpoints::disabled_reason.eq(reason),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// An endpoint's deliveries, newest first, optionally of one status.
    pub fn list(
        conn: &mut DbConnection,
        endpoint_id: i32,
        status: Option<DeliveryStatus>,
        page: PageRequest,
    ) -> QueryResult<Paged<Delivery>> {
        let query = || {
            let mut q = webhook_deliveries::table
                .inner_join(webhook_events::table)
                .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
                .into_boxed();
            if let Some(status) = status {
                q = q.filter(webhook_deliveries::status.eq(status));
            }
            q
        };
        let total = query().count().get_result(conn)?;
        let rows: Vec<Row> = query()
            .order(webhook_deliveries::id.desc())
            .limit(page.limit())
            .offset(page.offset())
            .select(delivery_columns!())
            .load(conn)?;
        Ok(Paged::new(
            rows.into_iter().map(delivery_of).collect(),
            total,
            page,
        ))
    }

    /// One delivery of the endpoint with its body and attempts.
    pub fn detail(
        conn: &mut DbConnection,
        endpoint_id: i32,
        id: i64,
    ) -> QueryResult<DeliveryDetail> {
        let (row, payload): (Row, String) = webhook_deliveries::table
            .inner_join(webhook_events::table)
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::id.eq(id))
            .select((delivery_columns!(), webhook_events::payload))
            .first(conn)?;
        type AttemptRow = (NaiveDateTime, String, Option<i32>, String, i32, String);
        let attempts: Vec<AttemptRow> = webhook_attempts::table
            .filter(webhook_attempts::delivery_id.eq(id))
            .order(webhook_attempts::id)
            .select((
                webhook_attempts::attempted_at,
                webhook_attempts::request_headers,
                webhook_attempts::response_status,
                webhook_attempts::response_excerpt,
                webhook_attempts::duration_ms,
                webhook_attempts::error,
            ))
            .load(conn)?;
        Ok(DeliveryDetail {
            delivery: delivery_of(row),
            payload: serde_json::from_str(&payload).unwrap_or(Value::Null),
            attempt_log: attempts
                .into_iter()
                .map(
                    |(at, headers, status, excerpt, duration_ms, error)| Attempt {
                        attempted_at: to_utc(at),
                        request_headers: serde_json::from_str(&headers).unwrap_or_default(),
                        response_status: status,
                        response_excerpt: excerpt,
                        duration_ms,
                        error,
                    },
                )
                .collect(),
        })
    }

    /// Sends the event of delivery `id` again, as a new delivery at the end
    /// of the endpoint's queue; its id.
    pub fn replay(
        conn: &mut DbConnection,
        endpoint_id: i32,
        id: i64,
        now: NaiveDateTime,
    ) -> QueryResult<i64> {
        let event_id: i64 = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::id.eq(id))
            .select(webhook_deliveries::event_id)
            .first(conn)?;
        insert_row!(webhook_deliveries:
            endpoint_id = endpoint_id,
            event_id = event_id,
            status = DeliveryStatus::Pending,
            next_attempt_at = now,
            created_at = now)
        .returning(webhook_deliveries::id)
        .get_result(conn)
    }

    /// Replays every failed delivery of the endpoint made since `since`, in
    /// their order; how many.
    pub fn replay_failed(
        conn: &mut DbConnection,
        endpoint_id: i32,
        since: NaiveDateTime,
        now: NaiveDateTime,
    ) -> QueryResult<usize> {
        let failed: Vec<i64> = webhook_deliveries::table
            .filter(webhook_deliveries::endpoint_id.eq(endpoint_id))
            .filter(webhook_deliveries::status.eq(DeliveryStatus::Failed))
            .filter(webhook_deliveries::created_at.ge(since))
            .order(webhook_deliveries::id)
            .select(webhook_deliveries::id)
            .load(conn)?;
        for id in &failed {
            Self::replay(conn, endpoint_id, *id, now)?;
        }
        Ok(failed.len())
    }
}
