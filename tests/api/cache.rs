//! The public response cache: hits, invalidation on every kind of write,
//! scheduled articles through a warm cache, compression, Vary, the bound.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::cache_writes::content_writes;
use crate::helpers::{spawn_app, spawn_app_with, TestApp, SAMPLE_SLUG};

async fn x_cache(app: &TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    res.headers()["x-cache"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn a_second_read_is_served_from_the_cache_with_the_same_bytes() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/articles",
        &format!("/api/v1/articles/{SAMPLE_SLUG}"),
        "/api/v1/tags",
        "/api/v1/site",
        "/api/v1/faqs?article=massage-benefits-for-back-pain-and-posture",
    ] {
        let first = app.get(path).await;
        assert_eq!(first.headers()["x-cache"], "MISS", "{path}");
        let etag = first.headers()["etag"].clone();
        let first_body = first.bytes().await.unwrap();
        let second = app.get(path).await;
        assert_eq!(second.headers()["x-cache"], "HIT", "{path}");
        assert_eq!(second.headers()["etag"], etag);
        assert_eq!(second.bytes().await.unwrap(), first_body);
        let revalidated = app
            .client
            .get(app.url(path))
            .header("If-None-Match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(revalidated.status(), StatusCode::NOT_MODIFIED);
    }
    // A conditional request on a cold cache still gets its 304 (and fills the cache):
    // a write elsewhere empties it without changing the treatments.
    let etag = app.get("/api/v1/treatments").await.headers()["etag"].clone();
    let token = app.admin_token().await;
    let res = app
        .patch(
            "/api/v1/admin/site",
            &token,
            "*",
            &json!({"description": "Cold cache"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let cold = app
        .client
        .get(app.url("/api/v1/treatments"))
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(cold.headers()["x-cache"], "MISS");
    assert_eq!(cold.status(), StatusCode::NOT_MODIFIED);
}

/// Writes each kind of content on `writer` and checks that `reader` shows
/// it: at once when they are one node, within the poll interval otherwise.
async fn assert_every_write_invalidates(writer: &TestApp, reader: &TestApp) {
    let token = writer.admin_token().await;
    for (method, path, body, read) in content_writes(writer, &token).await {
        let before = reader.get(&read).await.text().await.unwrap();
        assert_eq!(x_cache(reader, &read).await, "HIT", "{read} is warm");
        let body = (!body.is_null()).then_some(&body);
        let res = writer
            .send(method.clone(), &path, Some(&token), Some("*"), body)
            .await;
        assert!(
            res.status().is_success(),
            "{method} {path}: {}",
            res.status()
        );
        let started = std::time::Instant::now();
        loop {
            let after = reader.get(&read).await;
            let cache = after.headers()["x-cache"].to_str().unwrap().to_string();
            let text = after.text().await.unwrap();
            if text != before {
                assert_eq!(cache, "MISS", "{method} {path} invalidated {read}");
                break;
            }
            assert!(
                !std::ptr::eq(writer, reader) && started.elapsed() < Duration::from_millis(1500),
                "{read} does not show {method} {path} ({cache})"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

#[tokio::test]
async fn every_kind_of_content_write_invalidates_at_once() {
    let app = spawn_app().await;
    assert_every_write_invalidates(&app, &app).await;
}

#[tokio::test]
async fn every_kind_of_content_write_reaches_another_node() {
    let first = spawn_app().await;
    let second = spawn_app_with(&[
        ("DATABASE_URL", &first.database_url),
        ("CACHE_POLL_MS", "200"),
    ])
    .await;
    assert_every_write_invalidates(&first, &second).await;
}

#[tokio::test]
async fn a_scheduled_article_appears_when_due_through_a_warm_cache() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (id, _) = app
        .create_article(&token, &json!({"title": "Right On Time"}))
        .await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/publish"),
            Some(&token),
            None,
            Some(&json!({"publish_at": due.to_rfc3339()})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    // Warm the cache while it is still scheduled.
    assert!(!app
        .list_slugs("/api/v1/articles")
        .await
        .contains(&"right-on-time".to_string()));
    assert_eq!(x_cache(&app, "/api/v1/articles").await, "HIT");
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(50);
    tokio::time::sleep(wait).await;
    assert_eq!(
        app.list_slugs("/api/v1/articles").await[0],
        "right-on-time",
        "no write happened, only the clock"
    );
}

#[tokio::test]
async fn compressed_variants_are_negotiated_with_their_own_etags_and_vary() {
    let app = spawn_app().await;
    let path = format!("/api/v1/articles/{SAMPLE_SLUG}");
    let plain = app
        .client
        .get(app.url(&path))
        .header("Accept-Encoding", "identity")
        .send()
        .await
        .unwrap();
    let vary = |res: &reqwest::Response| res.headers()["vary"].to_str().unwrap().to_string();
    assert!(vary(&plain).contains("Accept-Encoding"));
    assert!(plain.headers().get("content-encoding").is_none());
    let plain_etag = plain.headers()["etag"].to_str().unwrap().to_string();
    let plain_body = plain.bytes().await.unwrap();
    for (accept, encoding) in [("gzip", "gzip"), ("gzip, deflate, br", "br")] {
        let res = app
            .client
            .get(app.url(&path))
            .header("Accept-Encoding", accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["content-encoding"], encoding);
        assert!(vary(&res).contains("Accept-Encoding"));
        let etag = res.headers()["etag"].to_str().unwrap().to_string();
        assert_ne!(
            etag, plain_etag,
            "each representation has its own strong ETag"
        );
        let compressed = res.bytes().await.unwrap();
        assert!(
            compressed.len() * 3 < plain_body.len(),
            "{encoding}: {} vs {}",
            compressed.len(),
            plain_body.len()
        );
        let again = app
            .client
            .get(app.url(&path))
            .header("Accept-Encoding", accept)
            .header("If-None-Match", &etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    }
    // The gzip body really is the JSON.
    let res = app
        .client
        .get(app.url(&path))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    let mut decoded = String::new();
    use std::io::Read;
    flate2::read::GzDecoder::new(&res.bytes().await.unwrap()[..])
        .read_to_string(&mut decoded)
        .unwrap();
    assert_eq!(decoded.as_bytes(), &plain_body[..]);
}

#[tokio::test]
async fn the_cache_stays_within_its_bound() {
    // 1 MiB: the article's three variants fit; 300 lists of ~5 kB do not.
    let app = spawn_app_with(&[("CACHE_MAX_MB", "1")]).await;
    let path = format!("/api/v1/articles/{SAMPLE_SLUG}");
    app.get(&path).await;
    assert_eq!(x_cache(&app, &path).await, "HIT");
    // Distinct keys (sizes and orders of the whole list) of ~5 kB each: over 1 MiB in all.
    let sorts = ["-published_at", "published_at", "title", "-title"];
    for n in 0..300 {
        let (per_page, sort) = (5 + n % 96, sorts[n / 96]);
        let res = app
            .get(&format!("/api/v1/articles?per_page={per_page}&sort={sort}"))
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    // A scan of entries read once does not push out one read again (the
    // cache weighs how often entries are read, not only how recently).
    assert_eq!(x_cache(&app, &path).await, "HIT", "the article stays");
    // Not every list fits: some were evicted to stay within the bound.
    let mut evicted = 0;
    for n in 0..300 {
        let (per_page, sort) = (5 + n % 96, sorts[n / 96]);
        let read = format!("/api/v1/articles?per_page={per_page}&sort={sort}");
        if x_cache(&app, &read).await == "MISS" {
            evicted += 1;
        }
    }
    assert!(evicted >= 50, "only {evicted} of 300 lists were evicted");
    let off = spawn_app_with(&[("CACHE_MAX_MB", "0")]).await;
    off.get("/api/v1/site").await;
    assert!(
        off.get("/api/v1/site")
            .await
            .headers()
            .get("x-cache")
            .is_none(),
        "CACHE_MAX_MB=0 turns it off"
    );
}

#[tokio::test]
async fn remembered_list_totals_follow_writes_even_with_the_cache_off() {
    let app = spawn_app_with(&[("CACHE_MAX_MB", "0")]).await;
    let token = app.admin_token().await;
    assert_eq!(
        app.get_ok("/api/v1/articles?tag=posture").await["meta"]["total"],
        1
    );
    assert_eq!(
        app.get_ok("/api/v1/articles?tag=posture&per_page=1").await["meta"]["total"],
        1
    );
    app.create_article(
        &token,
        &json!({"title": "Also Posture", "tags": ["posture"], "status": "published"}),
    )
    .await;
    let list = app.get_ok("/api/v1/articles?tag=posture").await;
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(list["data"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn parameters_no_handler_reads_share_the_entry_and_cannot_churn_the_cache() {
    let app = spawn_app().await;
    assert_eq!(x_cache(&app, "/api/v1/articles?per_page=2").await, "MISS");
    for junk in 0..50 {
        let path = format!("/api/v1/articles?utm_source=mail&per_page=2&_={junk}");
        assert_eq!(x_cache(&app, &path).await, "HIT", "{path}");
    }
    // A name spelled with escapes is the parameter it decodes to: not the
    // entry of another page.
    let escaped = app.get_ok("/api/v1/articles?per_page=2&p%61ge=2").await;
    let second = app.get_ok("/api/v1/articles?per_page=2&page=2").await;
    assert_eq!(escaped["meta"]["page"], 2);
    assert_eq!(escaped["data"], second["data"]);
}

/// Signing in, refreshing and signing out change no content: readers' cached
/// answers stay warm (they used to be thrown away on every node, by anyone
/// sending a made-up refresh token).
#[tokio::test]
async fn logins_refreshes_and_logouts_leave_the_cache_warm() {
    let app = spawn_app().await;
    let path = format!("/api/v1/articles/{SAMPLE_SLUG}");
    assert_eq!(x_cache(&app, &path).await, "MISS");
    assert_eq!(x_cache(&app, &path).await, "HIT");
    let pair = app
        .login_ok(crate::helpers::ADMIN_EMAIL, crate::helpers::ADMIN_PASSWORD)
        .await;
    let res = app.refresh(pair["refresh_token"].as_str().unwrap()).await;
    assert_eq!(res.status(), StatusCode::OK);
    let rotated: Value = res.json().await.unwrap();
    assert_eq!(
        app.refresh("bogus").await.status(),
        StatusCode::UNAUTHORIZED
    );
    let res = app
        .send(
            Method::POST,
            "/api/v1/auth/logout",
            None,
            None,
            Some(&json!({"refresh_token": rotated["data"]["refresh_token"]})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let _ = app
        .login(crate::helpers::ADMIN_EMAIL, "a wrong password")
        .await;
    assert_eq!(x_cache(&app, &path).await, "HIT");
    // A content write still invalidates.
    let token = app.admin_token().await;
    let (_, etag) = app.get_item("/api/v1/admin/tags/1", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/tags/1",
            &token,
            &etag,
            &json!({"name": "Renamed"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(x_cache(&app, &path).await, "MISS");
}
