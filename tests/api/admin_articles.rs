//! Editors writing articles: drafts, publishing, scheduling, If-Match, validation, revisions.

use std::time::Duration;

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, SAMPLE_SLUG};

#[tokio::test]
async fn a_draft_is_invisible_until_published_and_again_after_unpublishing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = json!({"title": "Stretching at Your Desk", "excerpt": "Five stretches.", "body": {"markdown": "## Neck\n\nTilt **slowly**."}, "tags": ["posture"]});
    let res = app.post("/api/v1/admin/articles", &token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(res.headers()["etag"], "\"v1\"");
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    let id = created["data"]["id"].as_i64().unwrap();
    assert_eq!(location, format!("/api/v1/admin/articles/{id}"));
    assert_eq!(created["data"]["slug"], "stretching-at-your-desk");
    assert_eq!(created["data"]["status"], "draft");
    assert_eq!(created["data"]["body"]["blocks"][0]["anchor"], "neck");

    assert_problem(
        app.get("/api/v1/articles/stretching-at-your-desk").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert!(!app
        .list_slugs("/api/v1/articles?tag=posture")
        .await
        .contains(&"stretching-at-your-desk".to_string()));

    let res = app.publish(&token, id, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let published: Value = res.json().await.unwrap();
    assert_eq!(published["data"]["status"], "published");
    assert_eq!(published["data"]["version"], 2);
    let public = app.get_article("stretching-at-your-desk").await;
    assert_eq!(
        public["body"]["html"],
        "<h2 id=\"neck\">Neck</h2>\n<p>Tilt <strong>slowly</strong>.</p>\n"
    );
    assert!(app
        .list_slugs("/api/v1/articles?tag=posture")
        .await
        .contains(&"stretching-at-your-desk".to_string()));
    assert!(app
        .list_slugs("/api/v1/articles?q=stretches")
        .await
        .contains(&"stretching-at-your-desk".to_string()));

    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/articles/{id}/unpublish"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_problem(
        app.get("/api/v1/articles/stretching-at-your-desk").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let drafts = app
        .get_auth("/api/v1/admin/articles?status=draft", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert!(drafts["data"]
        .as_array()
        .unwrap()
        .iter()
        .any(|a| a["id"] == id));
}

#[tokio::test]
async fn a_scheduled_article_becomes_public_exactly_when_due() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (id, _) = app
        .create_article(&token, &json!({"title": "Coming Soon"}))
        .await;
    let due = chrono::Utc::now() + chrono::Duration::milliseconds(1500);
    let res = app
        .publish(&token, id, Some(json!({"publish_at": due.to_rfc3339()})))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let scheduled: Value = res.json().await.unwrap();
    assert_eq!(scheduled["data"]["status"], "scheduled");
    let listed = app
        .get_auth("/api/v1/admin/articles?status=scheduled", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["id"], id);

    assert_problem(
        app.get("/api/v1/articles/coming-soon").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let wait = (due - chrono::Utc::now()).to_std().unwrap_or_default() + Duration::from_millis(100);
    tokio::time::sleep(wait).await;
    let public = app.get_article("coming-soon").await;
    assert_eq!(public["title"], "Coming Soon");
    assert_eq!(
        app.list_slugs("/api/v1/articles?per_page=1").await,
        vec!["coming-soon"]
    );
}

#[tokio::test]
async fn patch_and_delete_need_a_current_if_match() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/articles/1";
    let no_header = app
        .send(
            Method::PATCH,
            path,
            Some(&token),
            None,
            Some(&json!({"title": "X"})),
        )
        .await;
    assert_problem(no_header, StatusCode::PRECONDITION_REQUIRED).await;
    assert_problem(
        app.patch(path, &token, "\"v0\"", &json!({"title": "X"}))
            .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_problem(
        app.send(Method::DELETE, path, Some(&token), None, None)
            .await,
        StatusCode::PRECONDITION_REQUIRED,
    )
    .await;

    let (_, etag) = app.get_item(path, &token).await;
    let res = app
        .patch(
            path,
            &token,
            &etag,
            &json!({"title": "Massage for Back Pain"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"], "\"v2\"");
    // The public read reflects the write at once.
    assert_eq!(
        app.get_article(SAMPLE_SLUG).await["title"],
        "Massage for Back Pain"
    );
    // The old ETag is now stale.
    assert_problem(
        app.patch(path, &token, &etag, &json!({"title": "Lost"}))
            .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_problem(
        app.delete(path, &token, &etag).await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    assert_eq!(
        app.get_article(SAMPLE_SLUG).await["title"],
        "Massage for Back Pain"
    );
}

#[tokio::test]
async fn of_two_concurrent_writes_with_the_same_if_match_exactly_one_wins() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    for round in 0..5 {
        let (_, etag) = app.get_item("/api/v1/admin/articles/1", &token).await;
        let a = json!({"excerpt": format!("A{round}")});
        let b = json!({"excerpt": format!("B{round}")});
        let (ra, rb) = tokio::join!(
            app.patch("/api/v1/admin/articles/1", &token, &etag, &a),
            app.patch("/api/v1/admin/articles/1", &token, &etag, &b),
        );
        let mut statuses = [ra.status().as_u16(), rb.status().as_u16()];
        statuses.sort();
        assert_eq!(statuses, [200, 412], "round {round}");
        let winner = if ra.status() == StatusCode::OK {
            format!("A{round}")
        } else {
            format!("B{round}")
        };
        assert_eq!(
            app.get_article(SAMPLE_SLUG).await["excerpt"],
            winner.as_str()
        );
    }
}

#[tokio::test]
async fn invalid_values_are_422_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/articles/1";
    let (before, etag) = app.get_item(path, &token).await;
    let cases = [
        (json!({"title": ""}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"title": null}), "title"),
        (json!({"slug": "Not A Slug"}), "slug"),
        (json!({"tags": ["posture", "posture"]}), "tags"),
        (
            json!({"seo": {"canonical_url": "javascript:alert(1)"}}),
            "seo.canonical_url",
        ),
        // An unknown slug beside an invalid value: both named, 422.
        (json!({"title": "", "tags": ["no-such-tag"]}), "tags"),
    ];
    for (body, field) in cases {
        let res = app.patch(path, &token, &etag, &body).await;
        let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{body}: {fields:?}");
    }
    // Several bad fields at once are all named.
    let res = app
        .patch(
            path,
            &token,
            &etag,
            &json!({"title": "", "slug": "BAD", "tags": ["nope"]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(problem["errors"].as_array().unwrap().len() >= 2);

    let (after, etag_after) = app.get_item(path, &token).await;
    assert_eq!(etag_after, etag, "nothing was written");
    assert_eq!(after, before);
}

#[tokio::test]
async fn slugs_that_name_nothing_are_404_by_field_and_change_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/articles/1";
    let (before, etag) = app.get_item(path, &token).await;
    for (body, field) in [
        (json!({"tags": ["no-such-tag"]}), "tags"),
        (
            json!({"massage_types": ["no-such-massage"]}),
            "massage_types",
        ),
        (json!({"treatments": ["no-such-treatment"]}), "treatments"),
        (json!({"related": ["no-such-article"]}), "related"),
    ] {
        let res = app.patch(path, &token, &etag, &body).await;
        let problem = assert_problem(res, StatusCode::NOT_FOUND).await;
        assert_eq!(problem["errors"][0]["field"], field, "{body}");
        assert!(problem["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("no-such"));
    }
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "T", "related": ["no-such-article"]}),
        )
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let (after, etag_after) = app.get_item(path, &token).await;
    assert_eq!((after, etag_after), (before, etag), "nothing was written");
}

#[tokio::test]
async fn an_article_related_to_itself_is_a_409() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let path = "/api/v1/admin/articles/1";
    let (_, etag) = app.get_item(path, &token).await;
    let res = app
        .patch(path, &token, &etag, &json!({"related": [SAMPLE_SLUG]}))
        .await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(problem["detail"].as_str().unwrap().contains("itself"));
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "Loop", "slug": "loop", "related": ["loop"]}),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT).await;
}

#[tokio::test]
async fn a_date_given_with_draft_or_archived_is_kept_without_making_it_public() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "Planned", "publish_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    let path = format!("/api/v1/admin/articles/{id}");
    let (article, _) = app.get_item(&path, &token).await;
    assert_eq!(article["data"]["status"], "draft");
    assert_eq!(article["data"]["published_at"], "2030-01-01T00:00:00Z");
    assert_eq!(
        app.get(&format!(
            "/api/v1/articles/{}",
            article["data"]["slug"].as_str().unwrap()
        ))
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
    // Publishing without a time means now, not the planned date.
    let res = app
        .send(
            reqwest::Method::POST,
            &format!("{path}/publish"),
            Some(&token),
            None,
            None,
        )
        .await;
    let published: serde_json::Value = res.json().await.unwrap();
    assert_eq!(published["data"]["status"], "published");
    assert_ne!(published["data"]["published_at"], "2030-01-01T00:00:00Z");
}

#[tokio::test]
async fn malformed_unknown_oversized_and_non_json_bodies_are_refused() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let url = app.url("/api/v1/admin/articles");
    let send = |body: Vec<u8>, content_type: &'static str| {
        app.client
            .post(&url)
            .bearer_auth(&token)
            .header("Content-Type", content_type)
            .body(body)
            .send()
    };
    assert_problem(
        send(b"{\"title\": ".to_vec(), "application/json")
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    let unknown = assert_problem(
        send(
            br#"{"title": "T", "titel": "typo"}"#.to_vec(),
            "application/json",
        )
        .await
        .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(unknown["detail"].as_str().unwrap().contains("titel"));
    assert_problem(
        send(br#"{"title": "T", "id": 5}"#.to_vec(), "application/json")
            .await
            .unwrap(),
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_problem(
        send(br#"{"title": "T"}"#.to_vec(), "text/plain")
            .await
            .unwrap(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
    )
    .await;
    let huge = format!(
        r#"{{"title": "T", "body": {{"markdown": "{}"}}}}"#,
        "x".repeat(1024 * 1024 + 10)
    );
    assert_problem(
        send(huge.into_bytes(), "application/json").await.unwrap(),
        StatusCode::PAYLOAD_TOO_LARGE,
    )
    .await;
    let merge = app
        .client
        .patch(app.url("/api/v1/admin/articles/1"))
        .bearer_auth(&token)
        .header("If-Match", "*")
        .header("Content-Type", "application/merge-patch+json")
        .body(r#"{"excerpt": "merge patch type"}"#)
        .send()
        .await
        .unwrap();
    assert_eq!(merge.status(), StatusCode::OK);
    let list = app
        .get_auth("/api/v1/admin/articles?per_page=100", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        list["meta"]["total"], 5,
        "no refused request created anything"
    );
}

#[tokio::test]
async fn a_taken_slug_is_409_and_slugs_come_from_titles() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/articles",
            &token,
            &json!({"title": "Massage Benefits for Back Pain and Posture"}),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let (id, etag) = app
        .create_article(
            &token,
            &json!({"title": "Another One", "slug": "another-one"}),
        )
        .await;
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{id}"),
            &token,
            &etag,
            &json!({"slug": SAMPLE_SLUG}),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let (article, _) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &token)
        .await;
    assert_eq!(article["data"]["slug"], "another-one");
}

#[tokio::test]
async fn revisions_are_listed_newest_first_and_restoring_one_is_a_new_version() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (id, mut etag) = app
        .create_article(
            &token,
            &json!({"title": "First Title", "body": {"markdown": "one"}, "tags": ["posture"]}),
        )
        .await;
    let path = format!("/api/v1/admin/articles/{id}");
    for (title, body) in [("Second Title", "two"), ("Third Title", "three")] {
        let res = app
            .patch(
                &path,
                &token,
                &etag,
                &json!({"title": title, "body": {"markdown": body}, "tags": []}),
            )
            .await;
        assert_eq!(res.status(), StatusCode::OK);
        etag = res.headers()["etag"].to_str().unwrap().to_string();
    }
    let revisions = app
        .get_auth(&format!("{path}/revisions"), &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let versions: Vec<i64> = revisions["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["version"].as_i64().unwrap())
        .collect();
    assert_eq!(versions, vec![3, 2, 1]);
    assert_eq!(revisions["data"][2]["state"]["title"], "First Title");
    assert_eq!(revisions["data"][0]["created_by_name"], "admin");

    let res = app
        .send(
            Method::POST,
            &format!("{path}/revisions/1/restore"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let restored: Value = res.json().await.unwrap();
    assert_eq!(restored["data"]["title"], "First Title");
    assert_eq!(restored["data"]["body"]["markdown"], "one");
    assert_eq!(restored["data"]["tags"][0]["slug"], "posture");
    assert_eq!(restored["data"]["version"], 4);
    let revisions = app
        .get_auth(&format!("{path}/revisions"), &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(revisions["data"].as_array().unwrap().len(), 4);
    let missing = app
        .send(
            Method::POST,
            &format!("{path}/revisions/99/restore"),
            Some(&token),
            None,
            None,
        )
        .await;
    assert_problem(missing, StatusCode::NOT_FOUND).await;
    // The sample articles start with their first revision.
    let sample = app
        .get_auth("/api/v1/admin/articles/1/revisions", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(sample["data"][0]["version"], 1);
}

#[tokio::test]
async fn deleting_an_article_keeps_its_faqs_detached() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (_, etag) = app.get_item("/api/v1/admin/articles/1", &token).await;
    assert_eq!(
        app.delete("/api/v1/admin/articles/1", &token, &etag)
            .await
            .status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get_auth("/api/v1/admin/articles/1", &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get(&format!("/api/v1/articles/{SAMPLE_SLUG}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    let faqs = app.get_ok("/api/v1/faqs").await;
    assert_eq!(
        faqs["meta"]["total"], 5,
        "the FAQs survive as standalone ones"
    );
    assert_eq!(faqs["data"][0]["article"], Value::Null);
    let activity = app
        .get_auth("/api/v1/admin/activity", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(activity["data"][0]["action"], "deleted");
    assert_eq!(
        activity["data"][0]["item_label"],
        "Massage Benefits for Back Pain and Posture"
    );
    assert_eq!(activity["data"][0]["user"]["name"], "admin");
}

#[tokio::test]
async fn hostile_markdown_from_an_editor_is_sanitized() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let markdown = "<script>alert(1)</script>\n\n<img src=x onerror=alert(2)>\n\n[a](javascript:alert(3)) [b](data:text/html;base64,PHNjcmlwdD4=) <a href=\"jAvAsCrIpT:alert(4)\">c</a>\n\n<div onclick=\"y()\" style=\"background:url(javascript:z)\">raw</div>\n\n<iframe src=\"https://evil.example\"></iframe>";
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "XSS", "body": {"markdown": markdown}, "status": "published"}),
        )
        .await;
    let article = app.get_article("xss").await;
    let html = article["body"]["html"].as_str().unwrap().to_lowercase();
    let blocks = article["body"]["blocks"].to_string().to_lowercase();
    for bad in [
        "<script",
        "onerror",
        "onclick",
        "javascript:",
        "data:text",
        "<iframe",
        "style=",
    ] {
        assert!(!html.contains(bad), "{bad} in {html}");
        assert!(!blocks.contains(bad), "{bad} in {blocks}");
    }
    let faq = app.post("/api/v1/admin/faqs", &token, &json!({"question": "Q", "answer": {"markdown": "<script>x</script>[y](javascript:z())"}, "article": "xss"})).await;
    assert_eq!(faq.status(), StatusCode::CREATED);
    let faq: Value = faq.json().await.unwrap();
    assert!(!faq["data"]["answer"]["html"]
        .as_str()
        .unwrap()
        .contains("<script"));
    let _ = id;
}

#[tokio::test]
async fn editing_a_massage_type_rerenders_the_articles_that_embed_it() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let list = app
        .get_auth("/api/v1/admin/massage-types", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let thai = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == "thai-massage")
        .unwrap()
        .clone();
    let path = format!("/api/v1/admin/massage-types/{}", thai["id"]);
    let res = app
        .patch(
            &path,
            &token,
            &format!("\"v{}\"", thai["version"]),
            &json!({"best_for": "Stiff shoulders"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let article = app.get_article(SAMPLE_SLUG).await;
    assert!(article["body"]["html"]
        .as_str()
        .unwrap()
        .contains("<td>Stiff shoulders</td>"));
    let table = article["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["source"] == "massage-types")
        .unwrap()
        .clone();
    assert_eq!(table["rows"][4][1], "Stiff shoulders");
    assert_eq!(article["massage_types"][4]["best_for"], "Stiff shoulders");
}

#[tokio::test]
async fn the_admin_list_filters_by_status_and_sees_every_status() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    app.create_article(&token, &json!({"title": "Draft One"}))
        .await;
    let all = app
        .get_auth("/api/v1/admin/articles", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(all["meta"]["total"], 6);
    assert_eq!(
        all["data"][0]["slug"], "draft-one",
        "most recently changed first"
    );
    assert_eq!(all["data"][0]["status"], "draft");
    let published = app
        .get_auth("/api/v1/admin/articles?status=published", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(published["meta"]["total"], 5);
    let res = app
        .get_auth("/api/v1/admin/articles?status=gone", &token)
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_problem(
        app.get_auth("/api/v1/admin/articles/abc", &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(
        app.get_auth("/api/v1/admin/articles/999", &token).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}
