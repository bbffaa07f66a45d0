//! Webhook endpoints: where events go, which events, and the secrets that
//! sign them. The outbox (`outbox`) writes events in the transaction of the
//! change that causes them; `delivery` is their queue and log.

pub mod delivery;
pub mod events;
pub mod outbox;
pub mod retention;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::versioned::{delete_at_version, update_at_version};
use super::{to_utc, ContentError, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::{webhook_deliveries, webhook_endpoints};
use crate::db::DbConnection;

/// An endpoint as admins see it: never its secrets.
#[derive(Debug, Serialize, ToSchema)]
pub struct Endpoint {
    pub id: i32,
    pub url: String,
    pub description: String,
    /// Event types and patterns (`*`: every public event; `article.*`).
    pub events: Vec<String>,
    pub enabled: bool,
    /// Why the server disabled it (`410 Gone`, failing for days); empty otherwise.
    pub disabled_reason: String,
    /// Since when every attempt has failed; null when the last one succeeded.
    pub failing_since: Option<DateTime<Utc>>,
    /// Until when the secret replaced last still signs too.
    pub previous_secret_until: Option<DateTime<Utc>>,
    /// Deliveries waiting to be sent (or retried).
    pub pending: i64,
    /// Deliveries that used up every attempt.
    pub failed: i64,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = webhook_endpoints)]
struct EndpointRow {
    id: i32,
    url: String,
    description: String,
    events: String,
    enabled: bool,
    disabled_reason: String,
    failing_since: Option<NaiveDateTime>,
    previous_until: Option<NaiveDateTime>,
    version: i32,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

/// What an admin sets on an endpoint.
#[derive(Clone, Debug)]
pub struct EndpointFields {
    pub url: String,
    pub description: String,
    pub events: Vec<String>,
    pub enabled: bool,
}

/// The secrets an endpoint's deliveries are signed with now: the current
/// one, and the one it replaced while its grace period lasts.
pub fn signing_secrets(
    conn: &mut DbConnection,
    id: i32,
    now: NaiveDateTime,
) -> QueryResult<Vec<String>> {
    let (secret, previous, until): (String, Option<String>, Option<NaiveDateTime>) =
        webhook_endpoints::table
            .find(id)
            .select((
                webhook_endpoints::secret,
                webhook_endpoints::previous_secret,
                webhook_endpoints::previous_until,
            ))
            .first(conn)?;
    let mut secrets = vec![secret];
    if let (Some(previous), Some(until)) = (previous, until) {
        if until > now {
            secrets.push(previous);
        }
    }
    Ok(secrets)
}

pub struct Endpoints;

impl Endpoints {
    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<Endpoint>> {
        let total = webhook_endpoints::table.count().get_result(conn)?;
        let rows: Vec<EndpointRow> = webhook_endpoints::table
            .order(webhook_endpoints::id)
            .limit(page.limit())
            .offset(page.offset())
            .select(EndpointRow::as_select())
            .load(conn)?;
        let items = with_counts(conn, rows)?;
        Ok(Paged::new(items, total, page))
    }

    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Endpoint> {
        let row: EndpointRow = webhook_endpoints::table
            .find(id)
            .select(EndpointRow::as_select())
            .first(conn)?;
        Ok(with_counts(conn, vec![row])?.remove(0))
    }

    /// A new endpoint signing with `secret`; its id.
    pub fn create(
        conn: &mut DbConnection,
        fields: &EndpointFields,
        secret: &str,
        user_id: i32,
        at: NaiveDateTime,
    ) -> QueryResult<i32> {
        let events = serde_json::to_string(&fields.events).unwrap_or_else(|_| "[]".into());
        insert_row!(webhook_endpoints:
            url = &fields.url,
            description = &fields.description,
            events = &events,
            enabled = fields.enabled,
            secret = secret,
            created_by = Some(user_id),
            created_at = at,
            updated_at = at)
        .returning(webhook_endpoints::id)
        .get_result(conn)
    }

    /// Replaces what an admin sets. Enabling an endpoint again clears why
    /// the server disabled it, and its failure streak.
    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &EndpointFields,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let events = serde_json::to_string(&fields.events).unwrap_or_else(|_| "[]".into());
        update_at_version!(
            conn,
            webhook_endpoints,
            id,
            version,
            (
                webhook_endpoints::url.eq(&fields.url),
                webhook_endpoints::description.eq(&fields.description),
                webhook_endpoints::events.eq(&events),
                webhook_endpoints::enabled.eq(fields.enabled),
                webhook_endpoints::updated_at.eq(at),
            )
        )?;
        if fields.enabled {
            diesel::update(webhook_endpoints::table.find(id))
                .set((
                    webhook_endpoints::disabled_reason.eq(""),
                    webhook_endpoints::failing_since.eq(None::<NaiveDateTime>),
                ))
                .execute(conn)?;
        }
        Ok(())
    }

    /// Signs with `secret` from now on; the secret it replaces signs too
    /// until `grace_until` (receivers then accept either while they switch).
    pub fn rotate(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        secret: &str,
        grace_until: NaiveDateTime,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let current: String = webhook_endpoints::table
            .find(id)
            .select(webhook_endpoints::secret)
            .first(conn)?;
        update_at_version!(
            conn,
            webhook_endpoints,
            id,
            version,
            (
                webhook_endpoints::secret.eq(secret),
                webhook_endpoints::previous_secret.eq(Some(current)),
                webhook_endpoints::previous_until.eq(Some(grace_until)),
                webhook_endpoints::updated_at.eq(at),
            )
        )
    }

    /// Deletes the endpoint with its deliveries and their log.
    pub fn delete(conn: &mut DbConnection, id: i32, version: i32) -> Result<(), ContentError> {
        delete_at_version!(conn, webhook_endpoints, id, version)
    }
}

fn with_counts(conn: &mut DbConnection, rows: Vec<EndpointRow>) -> QueryResult<Vec<Endpoint>> {
    let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
    let counts: Vec<(i32, String, i64)> = webhook_deliveries::table
        .filter(webhook_deliveries::endpoint_id.eq_any(&ids))
        .filter(webhook_deliveries::status.ne(delivery::DeliveryStatus::Succeeded))
        .group_by((webhook_deliveries::endpoint_id, webhook_deliveries::status))
        .select((
            webhook_deliveries::endpoint_id,
            webhook_deliveries::status,
            diesel::dsl::count_star(),
        ))
        .load(conn)?;
    let count = |id: i32, status: delivery::DeliveryStatus| {
        counts
            .iter()
            .filter(|(e, s, _)| *e == id && s == status.as_str())
            .map(|(_, _, n)| *n)
            .sum()
    };
    Ok(rows
        .into_iter()
        .map(|r| Endpoint {
            pending: count(r.id, delivery::DeliveryStatus::Pending),
            failed: count(r.id, delivery::DeliveryStatus::Failed),
            id: r.id,
            url: r.url,
            description: r.description,
            events: serde_json::from_str(&r.events).unwrap_or_default(),
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since: r.failing_since.map(to_utc),
            previous_secret_until: r.previous_until.map(to_utc),
            version: r.version,
            created_at: to_utc(r.created_at),
            updated_at: to_utc(r.updated_at),
        })
        .collect())
}
