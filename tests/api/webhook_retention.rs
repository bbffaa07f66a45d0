//! The delivery log is pruned past `WEBHOOK_RETENTION_DAYS`: finished
//! deliveries go with their attempts; pending ones stay.

use diesel::RunQueryDsl;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::receiver::Receiver;
use crate::webhooks::webhook_app_with;

async fn node(database_url: Option<&str>, retention_days: &str) -> TestApp {
    let mut vars = vec![
        ("WEBHOOK_RETRY_SECS", "60"),
        ("WEBHOOK_RETENTION_DAYS", retention_days),
    ];
    if let Some(url) = database_url {
        vars.push(("DATABASE_URL", url));
    }
    webhook_app_with(&vars).await
}

/// An endpoint for `events`; the path of its delivery log.
async fn subscribe(app: &TestApp, token: &str, url: &str, events: Value) -> String {
    let (id, _) = crate::webhooks::subscribe(app, token, url, events).await;
    format!("/api/v1/admin/webhooks/{id}/deliveries")
}

#[tokio::test]
async fn finished_deliveries_are_pruned_past_the_retention_and_pending_ones_kept() {
    let first = node(None, "30").await;
    let token = first.admin_token().await;
    let healthy = Receiver::start().await;
    let failing = Receiver::start().await;
    failing.answer_with(&[500]);
    let healthy_log = subscribe(&first, &token, &healthy.url, json!(["tag.*"])).await;
    let failing_log = subscribe(&first, &token, &failing.url, json!(["article.*"])).await;
    let res = first
        .post(
            "/api/v1/admin/tags",
            &token,
            &json!({"name": "Kept a while"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, etag) = first.get_item("/api/v1/admin/articles/1", &token).await;
    let res = first
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"excerpt": "Retried"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    healthy.wait_for(1).await;
    failing.wait_for(1).await;
    let log = first.get_auth_json(&healthy_log, &token).await;
    assert_eq!(log["data"][0]["status"], "succeeded", "kept for 30 days");
    first.stop().await;
    // A long log: 2,500 finished deliveries, more than one pruning batch (1,000) deletes.
    let url = clinic_cms::config::DatabaseUrl::parse(&first.database_url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
    let copies = diesel::sql_query(
        "WITH RECURSIVE n (i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2499) \
         INSERT INTO webhook_deliveries (endpoint_id, event_id, status, attempts, \
         next_attempt_at, last_status, last_error, created_at, finished_at) \
         SELECT d.endpoint_id, d.event_id, d.status, d.attempts, d.next_attempt_at, \
         d.last_status, d.last_error, d.created_at, d.finished_at \
         FROM webhook_deliveries d, n WHERE d.status = 'succeeded'",
    )
    .execute(&mut conn)
    .unwrap();
    assert_eq!(copies, 2499);
    let total = |log: &Value| log["meta"]["total"].as_i64().unwrap();

    // A node keeping no finished delivery prunes as it starts, batch after batch.
    let second = node(Some(&first.database_url), "0").await;
    let mut left = -1;
    for _ in 0..200 {
        left = total(&second.get_auth_json(&healthy_log, &token).await);
        if left == 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(left, 0, "every succeeded delivery is pruned");
    // The pending one stays, its attempt logged, to be retried.
    let log = second.get_auth_json(&failing_log, &token).await;
    assert_eq!(log["data"][0]["status"], "pending", "{log}");
    assert_eq!(log["data"][0]["attempts"], 1, "{log}");
    assert_eq!(log["data"][0]["last_status"], 500, "{log}");
}
