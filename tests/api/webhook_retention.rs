//! The delivery log is pruned past `WEBHOOK_RETENTION_DAYS`: finished
//! deliveries go with their attempts; pending ones stay.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app_with, TestApp};
use crate::receiver::Receiver;

async fn node(database_url: Option<&str>, retention_days: &str) -> TestApp {
    let mut vars = vec![
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("WEBHOOK_ALLOW_HTTP", "true"),
        ("WEBHOOK_RETRY_SECS", "60"),
        ("WEBHOOK_POLL_MS", "50"),
        ("WEBHOOK_RETENTION_DAYS", retention_days),
    ];
    if let Some(url) = database_url {
        vars.push(("DATABASE_URL", url));
    }
    spawn_app_with(&vars).await
}

async fn subscribe(app: &TestApp, token: &str, url: &str, events: Value) -> String {
    let body = json!({"url": url, "events": events});
    let res = app.post("/api/v1/admin/webhooks", token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let id = res.json::<Value>().await.unwrap()["data"]["id"].clone();
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

    // A node keeping no finished delivery prunes as it starts.
    let second = node(Some(&first.database_url), "0").await;
    let mut pruned = false;
    for _ in 0..100 {
        let log = second.get_auth_json(&healthy_log, &token).await;
        if log["data"].as_array().unwrap().is_empty() {
            pruned = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(pruned, "the succeeded delivery is pruned");
    // The pending one stays, its attempt logged, to be retried.
    let log = second.get_auth_json(&failing_log, &token).await;
    assert_eq!(log["data"][0]["status"], "pending", "{log}");
    assert_eq!(log["data"][0]["attempts"], 1, "{log}");
    assert_eq!(log["data"][0]["last_status"], 500, "{log}");
}
