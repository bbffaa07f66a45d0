//! Sends webhook deliveries: each node leases endpoints whose queue head is
//! due, sends their deliveries in order, signed (Standard Webhooks), with
//! timeouts, a response cap and no redirects, to addresses the guard
//! allows; retries with exponential backoff and jitter; and announces
//! scheduled articles as they fall due.

pub mod guard;
pub mod sign;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;

use crate::content::now;
use crate::content::webhook::delivery::{AttemptRecord, Deliveries, Next, Outgoing};
use crate::content::webhook::{outbox, retention, signing_secrets};
use crate::db::DbPool;
use crate::error::ApiError;

/// How webhooks are sent (`WEBHOOK_*` settings).
#[derive(Clone, Debug)]
pub struct WebhookSettings {
    /// Whether endpoints may resolve to loopback or private addresses
    /// (development and tests only).
    pub allow_private: bool,
    /// Whether `http://` endpoints are allowed (else `https://` only).
    pub allow_http: bool,
    /// The waits before each retry; one attempt more than there are waits.
    pub retry_schedule: Vec<Duration>,
    /// An endpoint whose every attempt failed this long is disabled.
    pub disable_after: Duration,
    pub connect_timeout: Duration,
    /// The whole attempt, answer included.
    pub timeout: Duration,
    /// How often a node looks for work it was not told of (other nodes'
    /// events, retries falling due).
    pub poll: Duration,
    /// Finished deliveries, their attempts and their events are kept this
    /// long, then pruned (pending ones never are); zero keeps none past the
    /// next hourly prune.
    pub retention: Duration,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            allow_http: false,
            retry_schedule: [5, 300, 1800, 7200, 18000, 36000, 36000]
                .map(Duration::from_secs)
                .to_vec(),
            disable_after: Duration::from_secs(5 * 24 * 3600),
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(15),
            poll: Duration::from_secs(1),
            retention: Duration::from_secs(30 * 86_400),
        }
    }
}

/// The most of an answer's body read (the rest is not waited for).
const MAX_RESPONSE_BYTES: usize = 64 * 1024;
/// The most of it kept in the log.
const EXCERPT_BYTES: usize = 2048;
/// How often a node prunes the delivery log.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// How many endpoints a node sends to at once.
const CLAIM_LIMIT: i64 = 16;

/// Why a URL is refused before anything is sent; `None` when it may be used.
pub fn url_error(url: &str, settings: &WebhookSettings) -> Option<String> {
    let Ok(parsed) = reqwest::Url::parse(url) else {
        return Some("is not a URL".into());
    };
    match parsed.scheme() {
        "https" => {}
        "http" if settings.allow_http => {}
        "http" => {
            return Some("must be https:// (plain http is allowed only when the server is configured to: WEBHOOK_ALLOW_HTTP)".into())
        }
        _ => return Some("must be an https:// URL".into()),
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Some("must not carry credentials".into());
    }
    let Some(host) = parsed.host_str() else {
        return Some("has no host".into());
    };
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    match bare.parse::<std::net::IpAddr>() {
        Ok(ip) if !settings.allow_private && !guard::is_public(ip) => Some(
            "names an address webhooks may not reach (loopback, private, link-local or reserved)"
                .into(),
        ),
        _ => None,
    }
}

/// The sender of one node.
#[derive(Clone)]
pub struct Dispatcher {
    db: DbPool<ApiError>,
    settings: Arc<WebhookSettings>,
    client: reqwest::Client,
    node: Arc<str>,
    wake: Arc<tokio::sync::Notify>,
}

impl Dispatcher {
    pub fn new(db: DbPool<ApiError>, settings: WebhookSettings) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.timeout)
            .user_agent(concat!("clinic-cms-webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(Arc::new(guard::GuardedResolver {
                allow_private: settings.allow_private,
            }))
            .build()?;
        let node = format!(
            "{}-{}",
            std::process::id(),
            hex::encode(crate::auth::random_bytes(4))
        );
        Ok(Self {
            wake: db.changed(),
            db,
            settings: Arc::new(settings),
            client,
            node: node.into(),
        })
    }

    /// Runs while `serving` lives: woken by this node's writes, else every
    /// `poll`, or sooner when a scheduled article falls due before then.
    pub async fn run(self, serving: std::sync::Weak<()>) {
        let mut pruned_at: Option<Instant> = None;
        while serving.strong_count() > 0 {
            if pruned_at.is_none_or(|t| t.elapsed() >= PRUNE_EVERY) {
                pruned_at = Some(Instant::now());
                self.prune();
            }
            let next_due = match self.round().await {
                Ok(next_due) => next_due,
                Err(e) => {
                    tracing::warn!(error = %e, "webhook round failed");
                    None
                }
            };
            let wait = next_due
                .and_then(|due| (due - now()).to_std().ok())
                .map_or(self.settings.poll, |until| until.min(self.settings.poll));
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }

    /// Forgets the log older than the retention, a batch a write, in a task
    /// of its own (every node may; deleting twice deletes nothing more).
    fn prune(&self) {
        let Ok(keep) = chrono::Duration::from_std(self.settings.retention) else {
            return;
        };
        let db = self.db.clone();
        tokio::spawn(async move {
            let before = now() - keep;
            let mut pruned = 0;
            loop {
                match db
                    .write(move |conn| Ok(retention::prune(conn, before)?))
                    .await
                {
                    Ok(n) => {
                        pruned += n;
                        if i64::try_from(n).unwrap_or(0) < retention::BATCH {
                            break;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "could not prune the webhook delivery log");
                        break;
                    }
                }
            }
            if pruned > 0 {
                tracing::info!(deliveries = pruned, "pruned the webhook delivery log");
            }
        });
    }

    /// Announces what fell due, then leases and serves the endpoints due;
    /// when the next scheduled article falls due.
    async fn round(&self) -> Result<Option<NaiveDateTime>, ApiError> {
        let at = now();
        let mut due = self.db.run(move |conn| Ok(outbox::next_due(conn)?)).await?;
        if due.is_some_and(|d| d <= at) {
            due = self
                .db
                .write(move |conn| {
                    outbox::announce_due(conn, now())?;
                    Ok(outbox::next_due(conn)?)
                })
                .await?;
        }
        if !self
            .db
            .run(move |conn| Ok(Deliveries::any_due(conn, at)?))
            .await?
        {
            return Ok(due);
        }
        let node = self.node.clone();
        let lease = self.lease();
        let claimed = self
            .db
            .write(move |conn| {
                let at = now();
                Ok(Deliveries::claim(conn, &node, at, at + lease, CLAIM_LIMIT)?)
            })
            .await?;
        for endpoint in claimed {
            let this = self.clone();
            tokio::spawn(async move {
                if let Err(e) = this.serve_endpoint(endpoint).await {
                    tracing::warn!(error = %e, endpoint, "webhook delivery failed");
                }
                // What arrived while it was leased is looked at now.
                this.wake.notify_one();
            });
        }
        Ok(due)
    }

    fn lease(&self) -> chrono::Duration {
        chrono::Duration::from_std(self.settings.timeout * 4)
            .unwrap_or(chrono::Duration::minutes(1))
    }

    /// Sends the endpoint's due deliveries in order until one fails (the
    /// rest wait behind it) or none is due, then gives the lease back.
    async fn serve_endpoint(&self, endpoint: i32) -> Result<(), ApiError> {
        let mut leased_until = now() + self.lease();
        loop {
            let at = now();
            let head = self
                .db
                .run(move |conn| {
                    let Some(head) = Deliveries::head(conn, endpoint, at)? else {
                        return Ok(None);
                    };
                    Ok(Some((head, signing_secrets(conn, endpoint, at)?)))
                })
                .await?;
            let Some((head, secrets)) = head else { break };
            let needed =
                at + chrono::Duration::from_std(self.settings.timeout * 2).unwrap_or_default();
            if leased_until < needed {
                let (node, until) = (self.node.clone(), at + self.lease());
                let kept = self
                    .db
                    .write(move |conn| Ok(Deliveries::renew(conn, endpoint, &node, until)?))
                    .await?;
                if !kept {
                    return Ok(());
                }
                leased_until = until;
            }
            let attempt = self.send(&head, &secrets).await;
            let next = self.next_after(&head, &attempt);
            let disable_after = chrono::Duration::from_std(self.settings.disable_after)
                .unwrap_or(chrono::Duration::days(5));
            let sent = head.clone();
            self.db
                .write(move |conn| {
                    Ok(Deliveries::record_attempt(
                        conn,
                        &sent,
                        &attempt,
                        next,
                        disable_after,
                        now(),
                    )?)
                })
                .await?;
            if next != Next::Done {
                break;
            }
        }
        let node = self.node.clone();
        self.db
            .write(move |conn| Ok(Deliveries::release(conn, endpoint, &node)?))
            .await
    }

    /// What follows an attempt: done on 2xx; the endpoint gone on 410;
    /// else the next retry (the schedule's wait, ±20 % jitter) or none.
    fn next_after(&self, head: &Outgoing, attempt: &AttemptRecord) -> Next {
        match attempt.status {
            Some(s) if (200..300).contains(&s) => return Next::Done,
            Some(410) => return Next::Gone,
            _ => {}
        }
        let made = head.attempts as usize + 1;
        match self.settings.retry_schedule.get(made - 1) {
            None => Next::GiveUp,
            Some(wait) => {
                let jitter = f64::from(crate::auth::random_bytes(1)[0]) / 255.0 * 0.4 + 0.8;
                let wait = wait.mul_f64(jitter);
                Next::RetryAt(now() + chrono::Duration::from_std(wait).unwrap_or_default())
            }
        }
    }

    /// One signed POST, and what came of it.
    async fn send(&self, head: &Outgoing, secrets: &[String]) -> AttemptRecord {
        let id = format!("msg_{}", head.event_id);
        let timestamp = chrono::Utc::now().timestamp();
        let signature = secrets
            .iter()
            .map(|s| sign::signature(s, &id, timestamp, &head.payload))
            .collect::<Vec<_>>()
            .join(" ");
        let headers: BTreeMap<String, String> = [
            ("content-type", "application/json".to_string()),
            ("webhook-id", id),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        let started = Instant::now();
        let mut record = AttemptRecord {
            headers: headers.clone(),
            status: None,
            excerpt: String::new(),
            duration_ms: 0,
            error: String::new(),
        };
        if let Some(problem) = url_error(&head.url, &self.settings) {
            record.error = format!("the URL {problem}");
            return record;
        }
        let mut request = self.client.post(&head.url).body(head.payload.clone());
        for (name, value) in &headers {
            request = request.header(name, value);
        }
        match request.send().await {
            Ok(mut response) => {
                record.status = Some(response.status().as_u16());
                let mut body = Vec::new();
                loop {
                    match response.chunk().await {
                        Ok(Some(chunk)) => {
                            body.extend_from_slice(&chunk);
                            if body.len() >= MAX_RESPONSE_BYTES {
                                break;
                            }
                        }
                        Ok(None) => break,
                        Err(e) => {
                            record.error = describe(&e);
                            break;
                        }
                    }
                }
                body.truncate(EXCERPT_BYTES);
                record.excerpt = String::from_utf8_lossy(&body).into_owned();
            }
            Err(e) => record.error = describe(&e),
        }
        record.duration_ms = i32::try_from(started.elapsed().as_millis()).unwrap_or(i32::MAX);
        record
    }
}

/// An error with its causes: reqwest's own message says little.
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
