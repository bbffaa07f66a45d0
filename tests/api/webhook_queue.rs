//! Which endpoints a node looks at for work: an enabled endpoint whose
//! queue head is due and that no other node holds a live lease on. A node
//! finding none claims nothing (claiming is a write).

use chrono::Utc;
use diesel::RunQueryDsl;
use serde_json::json;

use clinic_cms::content::webhook::delivery::Deliveries;

use crate::receiver::Receiver;
use crate::webhooks::{edit_sample, subscribe, webhook_app};

#[tokio::test]
async fn work_is_looked_for_only_at_enabled_unleased_endpoints_with_a_due_head() {
    let app = webhook_app("600").await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(&[500]);
    subscribe(&app, &token, &receiver.url, json!(["*"])).await;
    edit_sample(&app, &token, json!({"excerpt": "Queued"})).await;
    receiver.wait_for(1).await;
    app.stop().await;

    let url = clinic_cms::config::DatabaseUrl::parse(&app.database_url).unwrap();
    let mut conn =
        clinic_cms::db::backend::connect(&url, std::time::Duration::from_secs(5)).unwrap();
    let mut then = |statement: &str| {
        if !statement.is_empty() {
            diesel::sql_query(statement).execute(&mut conn).unwrap();
        }
        Deliveries::any_due(&mut conn, Utc::now().naive_utc()).unwrap()
    };
    // The failed delivery waits ten minutes for its retry: nothing due yet.
    assert!(!then(""), "the retry is not due yet");
    assert!(
        then("UPDATE webhook_deliveries SET next_attempt_at = '2000-01-01 00:00:00'"),
        "the retry is due"
    );
    // Another node holds the endpoint: its queue is that node's to serve.
    assert!(
        !then("UPDATE webhook_endpoints SET leased_by = 'another-node', lease_until = '2999-01-01 00:00:00'"),
        "a live lease elsewhere"
    );
    // That node died: its lease ran out, the queue is anyone's.
    assert!(
        then("UPDATE webhook_endpoints SET lease_until = '2000-01-01 00:00:01'"),
        "an expired lease"
    );
    // A disabled endpoint is never served, however much waits for it.
    assert!(
        !then("UPDATE webhook_endpoints SET enabled = false"),
        "a disabled endpoint"
    );
}
