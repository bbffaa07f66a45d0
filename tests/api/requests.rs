//! Hostile and sloppy requests: media types, NUL, floods of bad values, slow bodies, and the headers every answer carries.

use std::time::{Duration, Instant};

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{assert_problem, problem_fields, spawn_app, spawn_app_with, SAMPLE_SLUG};

#[tokio::test]
async fn only_json_media_types_in_utf_8_are_accepted() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let post = |content_type: &'static str| {
        app.client
            .post(app.url("/api/v1/admin/tags"))
            .bearer_auth(&token)
            .header("Content-Type", content_type)
            .body(r#"{"name": "Media"}"#)
            .send()
    };
    for refused in [
        "application/json; charset=utf-16",
        "application/json; charset=latin1",
        "application/json; version=2",
        "text/json",
        "application/vnd.api+json",
        "application/x-www-form-urlencoded",
        "text/plain",
    ] {
        let problem = assert_problem(
            post(refused).await.unwrap(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        )
        .await;
        assert!(
            problem["detail"]
                .as_str()
                .unwrap()
                .contains("application/json"),
            "{refused}: {problem}"
        );
    }
    // None was stored meanwhile.
    let tags = app.get_ok("/api/v1/tags").await;
    assert!(!tags.to_string().contains("Media"));
    let res = post("application/json; charset=UTF-8").await.unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = app
        .client
        .post(app.url("/api/v1/admin/tags"))
        .bearer_auth(&token)
        .body(r#"{"name": "No type"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
}

#[tokio::test]
async fn nul_characters_are_refused_wherever_they_hide() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "A\u{0}B", "body": {"markdown": "x\u{0}"}, "tags": ["posture"]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let mut fields = problem_fields(&problem);
    fields.sort_unstable();
    assert_eq!(fields, ["body.markdown", "title"]);
    // Logins too (a NUL is nobody's email).
    let res = app.login("admin\u{0}@clinic.test", "x").await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let admin = app.get_auth("/api/v1/admin/articles", &token).await;
    assert_eq!(
        admin.json::<Value>().await.unwrap()["meta"]["total"],
        5,
        "nothing was created"
    );
}

#[tokio::test]
async fn a_flood_of_bad_values_gets_a_bounded_answer() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let tags: Vec<String> = (0..100).map(|i| format!("Bad Tag {i}")).collect();
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "Flood", "tags": tags}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 50);
    assert_eq!(problem["more_errors"], 50);
    // Past the list bound the list itself is the error, not each entry.
    let tags: Vec<String> = (0..50_000).map(|i| format!("no-such-tag-{i}")).collect();
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "Flood", "tags": tags}),
        )
        .await;
    let body = res.bytes().await.unwrap();
    assert!(body.len() < 10_000, "{} bytes", body.len());
    let problem: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(problem["status"], 422);
    assert_eq!(problem["errors"][0]["field"], "tags");
}

#[tokio::test]
async fn every_bad_field_is_named_in_one_answer() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "", "tags": ["no-such-tag"], "related": ["no-such-article"]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields = problem_fields(&problem);
    for field in ["title", "tags", "related"] {
        assert!(
            fields.iter().any(|f| f == field),
            "{field} missing in {problem}"
        );
    }
    // The same in a patch.
    let path = "/api/v1/admin/articles/1";
    let (_, etag) = app.get_item(path, &token).await;
    let res = app
        .patch(
            path,
            &token,
            &etag,
            &json!({"title": " ", "massage_types": ["nope"]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let text = problem["errors"].to_string();
    assert!(
        text.contains("title") && text.contains("massage_types"),
        "{problem}"
    );
}

/// Sends a request head promising `length` bytes of body, then `sent` of them, and waits.
async fn stall(address: &str, path: &str, length: usize, sent: &str) -> tokio::net::TcpStream {
    let host = address.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {length}\r\n\r\n{sent}"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

#[tokio::test]
async fn a_body_that_stalls_is_answered_408_and_the_connection_closed() {
    let app = spawn_app_with(&[("REQUEST_TIMEOUT_SECS", "1")]).await;
    let started = Instant::now();
    let mut stream = stall(&app.address, "/api/v1/auth/login", 200, r#"{"email": "#).await;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer))
        .await
        .expect("the server answers and closes within the deadline")
        .unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("application/problem+json"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    // Readers are unaffected.
    assert_eq!(app.get("/api/v1/site").await.status(), StatusCode::OK);
}

/// Reads until the server closes the connection (or `limit` passes).
async fn read_until_closed(stream: &mut tokio::net::TcpStream, limit: Duration) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(limit, stream.read_to_end(&mut answer))
        .await
        .expect("the server closes the connection in time")
        .unwrap();
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test]
async fn a_chunked_body_that_stalls_is_answered_and_its_connection_closed() {
    let app = spawn_app_with(&[("REQUEST_TIMEOUT_SECS", "1")]).await;
    let host = app.address.trim_start_matches("http://").to_string();
    // actix drains a chunked body nobody reads, for as long as it trickles.
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    stream
        .write_all(
            b"POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"ema\r\n",
        )
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // A body no handler reads (a cached public GET) does not keep it open either.
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    stream
        .write_all(b"GET /api/v1/site HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10)).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn the_head_of_a_later_request_on_a_connection_has_a_deadline_too() {
    let app = spawn_app().await;
    let host = app.address.trim_start_matches("http://").to_string();
    let mut stream = tokio::net::TcpStream::connect(&host).await.unwrap();
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 15];
    stream.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200 OK");
    // The next request's head never completes: the connection is closed
    // (actix-http alone bounds only a connection's first head).
    stream
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    read_until_closed(&mut stream, Duration::from_secs(15)).await;
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/site",
        &format!("/api/v1/articles/{SAMPLE_SLUG}"),
        "/api/v1/nope",
        "/api/v1/admin/articles",
        "/healthz",
        "/openapi.json",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "no-referrer", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(
            csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"),
            "{path}: {csp}"
        );
    }
    // The docs get a policy that lets them load their own assets, and only those.
    let res = app.get("/docs/").await;
    let csp = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_string();
    for part in [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "frame-ancestors 'none'",
    ] {
        assert!(csp.contains(part), "{part} missing in {csp}");
    }
    assert!(
        !csp.contains("unsafe-eval") && !csp.contains("script-src 'self' 'unsafe-inline'"),
        "{csp}"
    );
}

#[tokio::test]
async fn a_refused_browser_origin_is_told_what_to_set() {
    let app = spawn_app().await;
    let res = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/articles"))
        .header("Origin", "http://localhost:5173")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    let detail = problem["detail"].as_str().unwrap();
    assert!(
        detail.contains("CORS_ALLOWED_ORIGINS") && detail.contains("http://localhost:5173"),
        "{detail}"
    );
}

#[tokio::test]
async fn a_cursor_wins_over_page_and_any_well_formed_cursor_is_a_place() {
    let app = spawn_app().await;
    let first = app.get_ok("/api/v1/articles?per_page=2").await;
    let cursor = first["meta"]["next_cursor"].as_str().unwrap().to_string();
    let by_cursor = app
        .list_slugs(&format!("/api/v1/articles?per_page=2&cursor={cursor}"))
        .await;
    let with_page = app
        .list_slugs(&format!(
            "/api/v1/articles?per_page=2&page=7&cursor={cursor}"
        ))
        .await;
    assert_eq!(by_cursor, with_page);
    assert_eq!(by_cursor.len(), 2);
    // Shapes the document allows, whatever their origin: a cursor of
    // another order, one naming no article, relevance with a cursor.
    for path in [
        format!("/api/v1/articles?sort=title&cursor={cursor}"),
        "/api/v1/articles?cursor=.0.1.".to_string(),
        "/api/v1/articles?cursor=9999999999999999..2147483648.ff".to_string(),
        format!("/api/v1/articles?q=massage&sort=relevance&cursor={cursor}"),
    ] {
        assert_eq!(app.get(&path).await.status(), StatusCode::OK, "{path}");
    }
    let problem = assert_problem(
        app.get("/api/v1/articles?cursor=garbage").await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(problem["errors"][0]["field"], "cursor");
}

#[tokio::test]
async fn an_empty_if_match_is_no_precondition_and_never_comes_before_the_token() {
    let app = spawn_app().await;
    let res = app
        .client
        .patch(app.url("/api/v1/admin/tags/1"))
        .header("If-Match", "")
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"name": "x"}"#)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let token = app.admin_token().await;
    let res = app
        .patch("/api/v1/admin/tags/1", &token, "", &json!({"name": "x"}))
        .await;
    assert_problem(res, StatusCode::PRECONDITION_REQUIRED).await;
}

#[tokio::test]
async fn objects_must_be_objects() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for body in [
        json!({"title": "T", "seo": [null, null]}),
        json!({"title": "T", "body": ["# heading"]}),
        json!(["T"]),
        json!("T"),
    ] {
        let res = app.post("/api/v1/admin/articles", &token, &body).await;
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
    let res = app
        .post(
            "/api/v1/admin/faqs",
            &token,
            &json!({"question": "Q", "answer": ["A"]}),
        )
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    // An optional body is absent or an object; `null` is neither (found by
    // schemathesis). Nothing is published by the refused request.
    for body in [json!(null), json!([])] {
        let res = app
            .post("/api/v1/admin/articles/3/publish", &token, &body)
            .await;
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
    let res = app
        .send(
            Method::POST,
            "/api/v1/admin/articles/3/publish",
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK, "no body at all is fine");
}

/// Quotes and lists nested thousands deep once overflowed the stack of the
/// renderer's recursion and took the whole server down.
#[tokio::test]
async fn markdown_nested_too_deep_is_refused_and_the_server_stays_up() {
    let app = spawn_app().await;
    let (_, author) = app.user_with_role("author").await;
    for markdown in [
        format!("{} deep", ">".repeat(1500)),
        format!("{}deep", "- ".repeat(5000)),
    ] {
        let res = app
            .post(
                "/api/v1/admin/articles",
                &author,
                &json!({"title": "Deep", "body": {"markdown": markdown}}),
            )
            .await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        assert_eq!(problem_fields(&problem), ["body.markdown"]);
    }
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/faqs",
            &admin,
            &json!({"question": "Deep?", "answer": {"markdown": format!("{}x", ">".repeat(40))}}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // Sanitizing nested raw HTML costs time in the square of its tags.
    let res = app
        .post(
            "/api/v1/admin/articles",
            &author,
            &json!({"title": "Divs", "body": {"markdown": "<div>".repeat(6000)}}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("raw HTML"));
    // Sixteen deep is fine.
    let res = app
        .post(
            "/api/v1/admin/articles",
            &author,
            &json!({"title": "Deep enough", "body": {"markdown": format!("{} ok", ">".repeat(16))}}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn values_of_the_wrong_shape_are_named_and_nothing_is_echoed_at_length() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for (body, field) in [
        (json!({"title": "T", "excerpt": 123}), "excerpt"),
        (
            json!({"title": "T", "publish_at": "yesterday"}),
            "publish_at",
        ),
        (json!({"title": "T", "status": "bogus"}), "status"),
        (json!({"title": "T", "seo": {"title": 5}}), "seo.title"),
    ] {
        let res = app.post("/api/v1/admin/articles", &token, &body).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem_fields(&problem), [field], "{body}");
    }
    let res = app.get("/api/v1/articles?page=2147483648").await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem_fields(&problem), ["page"]);
    let res = app.get("/api/v1/articles?q=a%00b").await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    // A megabyte key is not sent back a megabyte long.
    let key = "k".repeat(900_000);
    let res = app
        .post("/api/v1/admin/tags", &token, &json!({ key: 1 }))
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(res.bytes().await.unwrap().len() < 5_000);
}

#[tokio::test]
async fn header_syntax_rfc_9110_allows_is_understood() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .client
        .post(app.url("/api/v1/admin/tags"))
        .bearer_auth(&token)
        .header("Content-Type", "Application/JSON ; Charset=\"UTF-8\"")
        .body(r#"{"name": "Spaced"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CREATED);
    // If-None-Match on two lines is one list.
    let etag = app.get("/api/v1/site").await.headers()["etag"].clone();
    let res = app
        .client
        .get(app.url("/api/v1/site"))
        .header("If-None-Match", "\"nope\"")
        .header("If-None-Match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
}
