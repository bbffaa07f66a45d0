//! Webhooks over HTTP, with a real receiver on loopback: signed as Standard
//! Webhooks has it, one event per public change and none for drafts,
//! retried in order and logged, disabled by `410`, replayed, announced
//! once across two nodes, delivered after a restart, never sent to
//! addresses it may not reach.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, Mac};
use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::Sha256;

use crate::helpers::{assert_problem, spawn_app_with, TestApp};
use crate::receiver::{Received, Receiver};

const SAMPLE: &str = "/api/v1/admin/articles/1";

/// An app that may send to loopback over plain HTTP, looking for work every
/// 50 ms, with `vars` besides.
pub async fn webhook_app_with(vars: &[(&str, &str)]) -> TestApp {
    let mut all = vec![
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("WEBHOOK_ALLOW_HTTP", "true"),
        ("WEBHOOK_POLL_MS", "50"),
    ];
    all.extend_from_slice(vars);
    spawn_app_with(&all).await
}

/// `webhook_app_with`, retrying after `retry_secs`.
pub async fn webhook_app(retry_secs: &str) -> TestApp {
    webhook_app_with(&[("WEBHOOK_RETRY_SECS", retry_secs)]).await
}

/// Registers an endpoint; its id and secret.
pub async fn subscribe(app: &TestApp, token: &str, url: &str, events: Value) -> (i64, String) {
    let res = app
        .post(
            "/api/v1/admin/webhooks",
            token,
            &json!({"url": url, "events": events}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let data = res.json::<Value>().await.unwrap()["data"].take();
    (
        data["id"].as_i64().unwrap(),
        data["secret"].as_str().unwrap().to_string(),
    )
}

/// The Standard Webhooks verification, written here from the specification.
fn verifies(secret: &str, got: &Received) -> bool {
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap())
        .unwrap();
    let signed = format!(
        "{}.{}.{}",
        got.headers["webhook-id"], got.headers["webhook-timestamp"], got.body
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).unwrap();
    mac.update(signed.as_bytes());
    let expected = format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()));
    got.headers["webhook-signature"]
        .split(' ')
        .any(|s| s == expected)
}

pub async fn edit_sample(app: &TestApp, token: &str, body: Value) {
    app.patch_ok(SAMPLE, token, &body).await;
}

fn types(got: &[Received]) -> Vec<String> {
    got.iter().map(Received::event_type).collect()
}

#[tokio::test]
async fn an_event_is_signed_as_standard_webhooks_verify_it_and_a_changed_byte_fails() {
    let app = webhook_app("1").await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    let (_, secret) = subscribe(&app, &token, &receiver.url, json!(["*"])).await;
    edit_sample(&app, &token, json!({"excerpt": "Signed."})).await;
    let got = receiver.wait_for(1).await.remove(0);
    assert!(verifies(&secret, &got), "{got:?}");
    let now = chrono::Utc::now().timestamp();
    let stamp: i64 = got.headers["webhook-timestamp"].parse().unwrap();
    assert!((now - stamp).abs() < 60);
    assert!(got.headers["webhook-id"].starts_with("msg_"));
    assert_eq!(got.headers["content-type"], "application/json");
    let event = got.json();
    assert_eq!(event["type"], "article.updated");
    assert_eq!(event["data"]["object"]["excerpt"], "Signed.");
    let slug = event["data"]["object"]["slug"]
        .as_str()
        .unwrap()
        .to_string();
    let api = event["data"]["urls"]["api"].as_array().unwrap();
    assert!(
        api.contains(&json!(format!("/api/v1/articles/{slug}"))),
        "{api:?}"
    );
    // One byte changed, or another secret: no longer verifies.
    let mut tampered = got.clone();
    tampered.body = got.body.replacen("Signed.", "Signed!", 1);
    assert!(!verifies(&secret, &tampered));
    let other = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    assert!(!verifies(other, &got));
}

#[tokio::test]
async fn each_public_change_sends_its_event_drafts_send_none_and_review_goes_where_named() {
    let app = webhook_app("1").await;
    let token = app.admin_token().await;
    let public = Receiver::start().await;
    let editorial = Receiver::start().await;
    subscribe(&app, &token, &public.url, json!(["*"])).await;
    subscribe(&app, &token, &editorial.url, json!(["review.*"])).await;

    let (id, etag) = app
        .create_article(&token, &json!({"title": "Hidden draft"}))
        .await;
    let path = format!("/api/v1/admin/articles/{id}");
    let res = app
        .patch(&path, &token, &etag, &json!({"excerpt": "Still hidden"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&format!("{path}/submit"), &token, &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let review = editorial.wait_for(1).await;
    assert_eq!(types(&review), ["review.submitted"]);
    assert_eq!(review[0].json()["data"]["object"]["title"], "Hidden draft");
    assert!(
        public.settled().await.is_empty(),
        "a draft sends nothing public"
    );

    assert_eq!(app.publish(&token, id, None).await.status(), StatusCode::OK);
    let (_, etag) = app.get_item(&path, &token).await;
    let res = app
        .patch(&path, &token, &etag, &json!({"excerpt": "Shown"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app
        .post(&format!("{path}/unpublish"), &token, &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Unpublished: its edits are a draft's again; deleting it tells nobody.
    let (_, etag) = app.get_item(&path, &token).await;
    assert_eq!(
        app.delete(&path, &token, &etag).await.status(),
        StatusCode::NO_CONTENT
    );
    let res = app
        .post("/api/v1/admin/tags", &token, &json!({"name": "Sleep"}))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let (_, etag) = app.get_item("/api/v1/admin/site", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/site",
            &token,
            &etag,
            &json!({"description": "New words"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let got = public.wait_for(5).await;
    assert_eq!(
        types(&public.settled().await),
        [
            "article.published",
            "article.updated",
            "article.unpublished",
            "tag.created",
            "site.updated"
        ]
    );
    let unpublished = got[2].json();
    assert_eq!(
        unpublished["data"]["object"],
        json!({"id": id, "slug": "hidden-draft"})
    );
    assert_eq!(got[4].json()["data"]["urls"]["everything"], true);
    assert_eq!(types(&editorial.settled().await), ["review.submitted"]);
}

#[tokio::test]
async fn failures_are_retried_in_event_order_and_every_attempt_is_logged() {
    let app = webhook_app("0,0,0").await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(&[500, 503]);
    let (endpoint, _) = subscribe(&app, &token, &receiver.url, json!(["article.*"])).await;
    edit_sample(&app, &token, json!({"excerpt": "First"})).await;
    edit_sample(&app, &token, json!({"excerpt": "Second"})).await;
    let got = receiver.wait_for(4).await;
    let excerpts: Vec<Value> = got
        .iter()
        .map(|r| r.json()["data"]["object"]["excerpt"].clone())
        .collect();
    assert_eq!(
        excerpts,
        [
            json!("First"),
            json!("First"),
            json!("First"),
            json!("Second")
        ]
    );
    assert_eq!(got[0].headers["webhook-id"], got[2].headers["webhook-id"]);

    let log = app
        .get_auth_json(
            &format!("/api/v1/admin/webhooks/{endpoint}/deliveries"),
            &token,
        )
        .await;
    let first = log["data"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(first["status"], "succeeded");
    assert_eq!(first["attempts"], 3);
    let detail = app
        .get_auth_json(
            &format!(
                "/api/v1/admin/webhooks/{endpoint}/deliveries/{}",
                first["id"]
            ),
            &token,
        )
        .await;
    let statuses: Vec<Value> = detail["data"]["attempt_log"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["response_status"].clone())
        .collect();
    assert_eq!(statuses, [json!(500), json!(503), json!(200)]);
    let attempt = &detail["data"]["attempt_log"][0];
    assert_eq!(attempt["response_excerpt"], "ok");
    assert!(attempt["request_headers"]["webhook-signature"]
        .as_str()
        .unwrap()
        .starts_with("v1,"));
    assert_eq!(
        detail["data"]["payload"]["data"]["object"]["excerpt"],
        "First"
    );

    // Filtered by status.
    let pending = app
        .get_auth_json(
            &format!("/api/v1/admin/webhooks/{endpoint}/deliveries?status=failed"),
            &token,
        )
        .await;
    assert_eq!(pending["data"], json!([]));
}

#[tokio::test]
async fn gone_disables_the_endpoint_and_replays_send_again() {
    let app = webhook_app("0").await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(&[500, 500]);
    let (endpoint, _) = subscribe(&app, &token, &receiver.url, json!(["*"])).await;
    let path = format!("/api/v1/admin/webhooks/{endpoint}");
    edit_sample(&app, &token, json!({"excerpt": "Fails twice"})).await;
    let failed = receiver.wait_for(2).await;
    assert_eq!(
        types(&receiver.settled().await).len(),
        2,
        "no attempt is left"
    );
    let (item, _) = app.get_item(&path, &token).await;
    assert_eq!(item["data"]["failed"], 1);

    // Every failed delivery since then, again: it gets through now.
    let since = (chrono::Utc::now() - chrono::Duration::hours(1)).to_rfc3339();
    let res = app
        .post(&format!("{path}/replay"), &token, &json!({"since": since}))
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(res.json::<Value>().await.unwrap()["data"]["replayed"], 1);
    let got = receiver.wait_for(3).await;
    assert_eq!(
        got[2].headers["webhook-id"],
        failed[0].headers["webhook-id"]
    );

    // One delivery replayed; then a 410 disables the endpoint, and says why.
    let log = app.get_auth(&format!("{path}/deliveries"), &token).await;
    let newest = log.json::<Value>().await.unwrap()["data"][0]["id"].clone();
    receiver.answer_with(&[410]);
    let res = app
        .post(
            &format!("{path}/deliveries/{newest}/replay"),
            &token,
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    receiver.wait_for(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let (item, etag) = app.get_item(&path, &token).await;
    assert_eq!(item["data"]["enabled"], false);
    assert!(item["data"]["disabled_reason"]
        .as_str()
        .unwrap()
        .contains("410"));
    edit_sample(&app, &token, json!({"excerpt": "Nobody hears"})).await;
    assert_eq!(
        receiver.settled().await.len(),
        4,
        "a disabled endpoint gets nothing"
    );

    // Enabled again by an admin: the reason is gone, and a ping reaches it.
    let res = app
        .patch(&path, &token, &etag, &json!({"enabled": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.json::<Value>().await.unwrap()["data"]["disabled_reason"],
        ""
    );
    let res = app.post(&format!("{path}/ping"), &token, &json!({})).await;
    assert_eq!(res.status(), StatusCode::ACCEPTED);
    assert_eq!(receiver.wait_for(5).await[4].event_type(), "ping");
}

#[tokio::test]
async fn addresses_webhooks_may_not_reach_are_refused() {
    let app = spawn_app_with(&[("WEBHOOK_POLL_MS", "50")]).await;
    let token = app.admin_token().await;
    let conflict = StatusCode::CONFLICT;
    let malformed = StatusCode::UNPROCESSABLE_ENTITY;
    for (url, status, why) in [
        ("https://127.0.0.1/hook", conflict, "may not reach"),
        ("https://[::1]/hook", conflict, "may not reach"),
        (
            "https://169.254.169.254/latest/meta-data",
            conflict,
            "may not reach",
        ),
        ("https://10.0.0.8/hook", conflict, "may not reach"),
        ("http://example.com/hook", conflict, "https://"),
        ("ftp://example.com/hook", malformed, "http(s) URL"),
        ("https://user:pw@example.com/hook", malformed, "credentials"),
        ("not a url", malformed, "http(s) URL"),
    ] {
        let res = app
            .post("/api/v1/admin/webhooks", &token, &json!({"url": url}))
            .await;
        let problem = assert_problem(res, status).await;
        assert!(problem.to_string().contains(why), "{url}: {problem}");
    }
    let res = app
        .post(
            "/api/v1/admin/webhooks",
            &token,
            &json!({"url": "https://example.com/h", "events": ["article.gone"]}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(
        app.get_auth_json("/api/v1/admin/webhooks", &token).await["data"],
        json!([]),
        "nothing was made"
    );
    // A name is checked when sending, after DNS: localhost is loopback.
    let (endpoint, _) = subscribe(&app, &token, "https://localhost:9/hook", json!(["*"])).await;
    edit_sample(&app, &token, json!({"excerpt": "To nowhere"})).await;
    let path = format!("/api/v1/admin/webhooks/{endpoint}/deliveries");
    let mut error = String::new();
    for _ in 0..200 {
        let log = app.get_auth_json(&path, &token).await;
        error = log["data"][0]["last_error"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if !error.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(error.contains("may not reach"), "{error}");
}

#[tokio::test]
async fn only_admins_manage_webhooks() {
    let app = webhook_app("1").await;
    let (_, editor) = app.user_with_role("editor").await;
    let res = app.get_auth("/api/v1/admin/webhooks", &editor).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app
        .post(
            "/api/v1/admin/webhooks",
            &editor,
            &json!({"url": "https://example.com/h"}),
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
}

/// A second app on the same database: another node.
async fn second_node(first: &TestApp, retry_secs: &str) -> TestApp {
    spawn_app_with(&[
        ("DATABASE_URL", &first.database_url),
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("WEBHOOK_ALLOW_HTTP", "true"),
        ("WEBHOOK_RETRY_SECS", retry_secs),
        ("WEBHOOK_POLL_MS", "50"),
    ])
    .await
}

#[tokio::test]
async fn a_scheduled_article_is_announced_once_by_one_of_two_nodes() {
    let a = webhook_app("1").await;
    let b = second_node(&a, "1").await;
    let token = a.admin_token().await;
    let receiver = Receiver::start().await;
    subscribe(&a, &token, &receiver.url, json!(["*"])).await;
    let (id, _) = a
        .create_article(&token, &json!({"title": "Coming Soon"}))
        .await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let res = a
        .publish(&token, id, Some(json!({"publish_at": due.to_rfc3339()})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(
        receiver.settled().await.is_empty(),
        "nothing before it is due"
    );
    let got = receiver.wait_for(1).await;
    assert!(chrono::Utc::now() >= due);
    assert_eq!(got[0].event_type(), "article.published");
    assert_eq!(got[0].json()["data"]["object"]["slug"], "coming-soon");
    tokio::time::sleep(std::time::Duration::from_millis(1000)).await;
    assert_eq!(
        types(&receiver.received()),
        ["article.published"],
        "once, by one node"
    );
    for node in [&a, &b] {
        assert_eq!(
            node.get("/api/v1/articles/coming-soon").await.status(),
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn pending_deliveries_are_sent_after_a_restart() {
    let first = webhook_app("1").await;
    let token = first.admin_token().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(&[500]);
    let (endpoint, _) = subscribe(&first, &token, &receiver.url, json!(["*"])).await;
    edit_sample(&first, &token, json!({"excerpt": "Survives"})).await;
    let failed = receiver.wait_for(1).await;
    first.stop().await;
    let second = second_node(&first, "1").await;
    let got = receiver.wait_for(2).await;
    assert_eq!(
        got[1].headers["webhook-id"],
        failed[0].headers["webhook-id"]
    );
    assert_eq!(got[1].body, failed[0].body, "the same bytes");
    let log = second
        .get_auth_json(
            &format!("/api/v1/admin/webhooks/{endpoint}/deliveries"),
            &token,
        )
        .await;
    assert_eq!(log["data"][0]["status"], "succeeded");
    assert_eq!(log["data"][0]["attempts"], 2);
}

#[tokio::test]
async fn two_nodes_never_send_a_delivery_twice() {
    let a = webhook_app("1").await;
    let b = second_node(&a, "1").await;
    let token = a.admin_token().await;
    let receiver = Receiver::start().await;
    subscribe(&a, &token, &receiver.url, json!(["*"])).await;
    // Writes on both nodes; each node's dispatcher wakes on its own writes.
    // (Two nodes on one SQLite file take turns at its one write lock: a
    // write that finds it busy is 503 with Retry-After, and is sent again.)
    for n in 0..10 {
        let node = if n % 2 == 0 { &a } else { &b };
        let body = json!({"excerpt": format!("Edit {n}")});
        for attempt in 0.. {
            let (_, etag) = node.get_item(SAMPLE, &token).await;
            let res = node.patch(SAMPLE, &token, &etag, &body).await;
            if res.status() == StatusCode::SERVICE_UNAVAILABLE && attempt < 20 {
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                continue;
            }
            assert_eq!(res.status(), StatusCode::OK);
            break;
        }
    }
    let got = receiver.wait_for(10).await;
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    let got_all = receiver.received();
    assert_eq!(
        got_all.len(),
        10,
        "each delivery once: {:?}",
        types(&got_all)
    );
    let mut ids: Vec<&String> = got.iter().map(|r| &r.headers["webhook-id"]).collect();
    ids.dedup();
    assert_eq!(ids.len(), 10);
    let excerpts: Vec<String> = got_all
        .iter()
        .map(|r| {
            r.json()["data"]["object"]["excerpt"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    let expected: Vec<String> = (0..10).map(|n| format!("Edit {n}")).collect();
    assert_eq!(excerpts, expected, "in event order");
}

#[tokio::test]
async fn an_endpoint_failing_for_too_long_is_disabled_with_its_reason() {
    let app = spawn_app_with(&[
        ("WEBHOOK_ALLOW_PRIVATE", "true"),
        ("WEBHOOK_ALLOW_HTTP", "true"),
        ("WEBHOOK_RETRY_SECS", "1,1,1"),
        ("WEBHOOK_DISABLE_AFTER_SECS", "1"),
        ("WEBHOOK_POLL_MS", "50"),
    ])
    .await;
    let token = app.admin_token().await;
    let receiver = Receiver::start().await;
    receiver.answer_with(&[500, 500, 500, 500]);
    let (endpoint, _) = subscribe(&app, &token, &receiver.url, json!(["*"])).await;
    edit_sample(&app, &token, json!({"excerpt": "Never heard"})).await;
    receiver.wait_for(2).await;
    let path = format!("/api/v1/admin/webhooks/{endpoint}");
    let mut item = Value::Null;
    for _ in 0..100 {
        item = app.get_auth_json(&path, &token).await["data"].take();
        if item["enabled"] == false {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(item["enabled"], false, "{item}");
    let reason = item["disabled_reason"].as_str().unwrap();
    assert!(
        reason.contains("every attempt has failed since") && reason.contains("500"),
        "{reason}"
    );
    assert!(item["failing_since"].is_string());
    let seen = receiver.received().len();
    assert_eq!(
        receiver.settled().await.len(),
        seen,
        "nothing more once disabled"
    );
}
