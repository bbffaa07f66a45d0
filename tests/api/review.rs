//! Medical review on a site that requires it (the sample as shipped): every
//! transition per role, publishing refused without an approval of the
//! current version, edits after approval, re-review, overdue listing.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, spawn_app_as_shipped, TestApp, SAMPLE_SLUG};

async fn step(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> reqwest::Response {
    app.post(
        &format!("/api/v1/admin/articles/{id}/{action}"),
        token,
        &body,
    )
    .await
}

async fn step_ok(app: &TestApp, token: &str, id: i64, action: &str, body: Value) -> Value {
    let res = step(app, token, id, action, body).await;
    assert_eq!(res.status(), StatusCode::OK, "{action}");
    res.json::<Value>().await.unwrap()["data"].take()
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now().date_naive()
}

#[tokio::test]
async fn an_article_goes_through_review_before_it_is_published() {
    let app = spawn_app_as_shipped().await;
    let admin = app.admin_token().await;
    let (_, author) = app.user_with_role("author").await;
    let (_, reviewer) = app.user_with_role("reviewer").await;

    // Published at once: refused, the site requires review.
    let res = app
        .post(
            "/api/v1/admin/articles",
            &admin,
            &json!({"title": "Straight out", "status": "published"}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(problem["detail"]
        .as_str()
        .unwrap()
        .contains("medical review"));

    let (id, _) = app
        .create_article(
            &author,
            &json!({"title": "Heat or ice?", "body": {"markdown": "Ice first."}}),
        )
        .await;
    let res = app.publish(&admin, id, None).await;
    assert_problem(res, StatusCode::CONFLICT).await;
    // Nobody approves what was not submitted.
    assert_problem(
        step(&app, &reviewer, id, "approve", json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;

    // The author submits; it waits in the queue.
    let article = step_ok(&app, &author, id, "submit", json!({"note": "First draft"})).await;
    assert_eq!(article["workflow"]["state"], "in_review");
    assert_problem(
        step(&app, &author, id, "submit", json!({})).await,
        StatusCode::CONFLICT,
    )
    .await;
    let queue = app
        .get_auth("/api/v1/admin/review-queue", &reviewer)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(queue["data"][0]["id"], id);
    assert_eq!(queue["meta"]["total"], 1);

    // Only reviewers, editors and admins review; a change request needs a note.
    let res = step(&app, &author, id, "approve", json!({})).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = step(
        &app,
        &reviewer,
        id,
        "request-changes",
        json!({"note": "  "}),
    )
    .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let article = step_ok(
        &app,
        &reviewer,
        id,
        "request-changes",
        json!({"note": "Cite a source."}),
    )
    .await;
    assert_eq!(article["workflow"]["state"], "changes_requested");
    assert_eq!(article["workflow"]["change_request"], "Cite a source.");
    let (seen, etag) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &author)
        .await;
    assert_eq!(
        seen["data"]["workflow"]["change_request"], "Cite a source.",
        "the author sees the note"
    );

    // The author edits and submits again; the reviewer approves, naming the profile.
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{id}"),
            &author,
            &etag,
            &json!({"references": [{"title": "A guideline", "url": "https://example.org/guideline"}]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    step_ok(&app, &author, id, "submit", json!({})).await;
    let article = step_ok(
        &app,
        &reviewer,
        id,
        "approve",
        json!({"reviewed_by": "ana-ruiz"}),
    )
    .await;
    let workflow = &article["workflow"];
    assert_eq!(workflow["state"], "approved");
    let approved = workflow["approved_version"].as_i64().unwrap();
    assert_eq!(
        approved + 1,
        article["version"].as_i64().unwrap(),
        "the step made a version"
    );
    let steps: Vec<&str> = workflow["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap())
        .collect();
    assert_eq!(
        steps,
        ["submitted", "changes_requested", "submitted", "approved"]
    );
    assert_eq!(workflow["steps"][3]["reviewer"], "ana-ruiz");
    assert_eq!(workflow["steps"][0]["note"], "First draft");
    assert!(app
        .get_auth("/api/v1/admin/review-queue", &reviewer)
        .await
        .json::<Value>()
        .await
        .unwrap()["data"]
        .as_array()
        .unwrap()
        .is_empty());

    // An author still cannot publish; an editor now can.
    assert_problem(app.publish(&author, id, None).await, StatusCode::FORBIDDEN).await;
    let res = app.publish(&admin, id, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let public = app.get_article("heat-or-ice").await;
    let review = &public["review"];
    assert_eq!(review["reviewed_by"]["slug"], "ana-ruiz");
    assert_eq!(review["last_reviewed"], today().to_string());
    let due = today().checked_add_months(chrono::Months::new(12)).unwrap();
    assert_eq!(review["next_review_due"], due.to_string());
    assert_eq!(public["references"][0]["title"], "A guideline");
    assert_eq!(
        public["json_ld"]["@graph"][1]["lastReviewed"],
        today().to_string()
    );

    // The revisions show each step; an edit after approval reopens the review
    // (the published article stays published).
    let revisions = app
        .get_auth(&format!("/api/v1/admin/articles/{id}/revisions"), &admin)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let with_steps: Vec<&str> = revisions["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["review_step"]["step"].as_str())
        .collect();
    assert_eq!(
        with_steps,
        ["approved", "submitted", "changes_requested", "submitted"]
    );
    let (_, etag) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &admin)
        .await;
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{id}"),
            &admin,
            &etag,
            &json!({"excerpt": "Changed after review"}),
        )
        .await;
    let edited = res.json::<Value>().await.unwrap()["data"].take();
    assert_eq!(edited["workflow"]["state"], "in_review");
    assert_eq!(edited["status"], "published");
    assert_eq!(edited["workflow"]["steps"][4]["step"], "reopened");
    let queue = app
        .get_auth("/api/v1/admin/review-queue", &reviewer)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(queue["data"][0]["id"], id);
}

#[tokio::test]
async fn the_reviewer_role_reads_and_reviews_and_writes_nothing() {
    let app = spawn_app_as_shipped().await;
    let (_, reviewer) = app.user_with_role("reviewer").await;
    for path in [
        "/api/v1/admin/articles",
        "/api/v1/admin/people",
        "/api/v1/admin/site",
        "/api/v1/admin/review-queue",
    ] {
        assert_eq!(
            app.get_auth(path, &reviewer).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    let refused = [
        ("/api/v1/admin/articles", json!({"title": "Mine"})),
        ("/api/v1/admin/people", json!({"name": "Someone"})),
        ("/api/v1/admin/tags", json!({"name": "A tag"})),
        (
            "/api/v1/admin/users",
            json!({"email": "x@clinic.test", "name": "X", "password": "long enough password", "role": "admin"}),
        ),
        ("/api/v1/admin/articles/1/publish", json!({})),
        ("/api/v1/admin/articles/1/submit", json!({})),
    ];
    for (path, body) in refused {
        assert_problem(
            app.post(path, &reviewer, &body).await,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let res = app.get_auth("/api/v1/admin/users", &reviewer).await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_re_review_of_a_published_article_only_moves_its_dates() {
    let app = spawn_app_as_shipped().await;
    let (_, reviewer) = app.user_with_role("reviewer").await;
    let before = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(before["review"]["last_reviewed"], "2026-03-02");
    let article = step_ok(
        &app,
        &reviewer,
        1,
        "approve",
        json!({"note": "Still accurate"}),
    )
    .await;
    assert_eq!(article["workflow"]["state"], "approved");
    let after = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(after["review"]["last_reviewed"], today().to_string());
    assert_eq!(
        after["review"]["reviewed_by"]["slug"], "ana-ruiz",
        "the reviewer of record stays"
    );
    assert_eq!(
        after["published_at"], before["published_at"],
        "no new publication"
    );
    assert_eq!(after["updated_at"], before["updated_at"]);
    assert_eq!(after["body"], before["body"]);
    let activity = app
        .get_auth("/api/v1/admin/activity", &app.admin_token().await)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(activity["data"][0]["action"], "approved");
}

#[tokio::test]
async fn overdue_reviews_are_listed() {
    let app = spawn_app_as_shipped().await;
    let admin = app.admin_token().await;
    let list = |query: &'static str| {
        let (app, admin) = (&app, admin.clone());
        async move {
            app.get_auth(&format!("/api/v1/admin/articles?{query}"), &admin)
                .await
        }
    };
    let none = list("review=overdue").await.json::<Value>().await.unwrap();
    assert_eq!(none["meta"]["total"], 0, "the sample is due in 2027");
    step_ok(
        &app,
        &admin,
        1,
        "approve",
        json!({"next_review_due": "2020-01-31"}),
    )
    .await;
    let overdue = list("review=overdue").await.json::<Value>().await.unwrap();
    assert_eq!(overdue["meta"]["total"], 1);
    assert_eq!(overdue["data"][0]["slug"], SAMPLE_SLUG);
    let with_words = list("review=overdue&q=posture")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        with_words["meta"]["total"], 1,
        "it combines with the other filters"
    );
    let drafts = list("review=overdue&status=draft")
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        drafts["meta"]["total"], 0,
        "only published articles are overdue"
    );
    assert_problem(list("review=stale").await, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn an_approved_scheduled_article_cannot_be_edited_into_publication_unreviewed() {
    let app = spawn_app_as_shipped().await;
    let admin = app.admin_token().await;
    let (id, _) = app.create_article(&admin, &json!({"title": "Later"})).await;
    step_ok(&app, &admin, id, "submit", json!({})).await;
    step_ok(&app, &admin, id, "approve", json!({})).await;
    let res = app
        .publish(
            &admin,
            id,
            Some(json!({"publish_at": "2099-01-01T09:00:00Z"})),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{id}"),
            &admin,
            &etag,
            &json!({"title": "Later, changed"}),
        )
        .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let (article, _) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &admin)
        .await;
    assert_eq!(article["data"]["title"], "Later", "nothing changed");
    assert_eq!(article["data"]["status"], "scheduled");
}

#[tokio::test]
async fn references_are_validated_and_shown_in_order() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/articles",
            &admin,
            &json!({"title": "Cited", "references": [
                {"title": "", "url": "javascript:alert(1)", "doi": "11.1/x", "pmid": "12a"},
            ]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields = crate::helpers::problem_fields(&problem);
    for field in [
        "references[0].title",
        "references[0].url",
        "references[0].doi",
        "references[0].pmid",
    ] {
        assert!(fields.iter().any(|f| f == field), "{field} in {fields:?}");
    }
    let refs = json!([
        {"title": "Second? No, first", "url": "https://example.org/a", "publisher": "A", "published": "2020-02-29", "doi": "10.1000/xyz-1", "pmid": "123"},
        {"title": "Then this", "url": "http://example.org/b"},
    ]);
    let (id, _) = app
        .create_article(
            &admin,
            &json!({"title": "Cited", "references": refs, "status": "published"}),
        )
        .await;
    let article = app.get_article("cited").await;
    assert_eq!(article["references"][0]["published"], "2020-02-29");
    assert_eq!(article["references"][1]["title"], "Then this");
    assert_eq!(article["references"][1]["doi"], Value::Null);
    let (_, etag) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &admin)
        .await;
    let res = app
        .patch(
            &format!("/api/v1/admin/articles/{id}"),
            &admin,
            &etag,
            &json!({"references": null}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(app.get_article("cited").await["references"], json!([]));
}

#[tokio::test]
async fn people_are_managed_by_editors_and_public_once_credited() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (author_id, author) = app.user_with_role("author").await;
    let bad = app
        .post("/api/v1/admin/people", &admin, &json!({"name": "Dr. X", "same_as": ["ftp://x", "https://a.example", "https://a.example"]}))
        .await;
    let problem = assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"].as_array().unwrap().len(), 2, "{problem}");
    assert_problem(
        app.post("/api/v1/admin/people", &author, &json!({"name": "Me"}))
            .await,
        StatusCode::FORBIDDEN,
    )
    .await;
    let res = app
        .post(
            "/api/v1/admin/people",
            &admin,
            &json!({"name": "Sam Lee", "credentials": "PT", "job_title": "Physical Therapist",
                    "bio": "Sam <script>x</script> **treats** backs.", "user_id": author_id}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let sam = res.json::<Value>().await.unwrap()["data"].take();
    assert_eq!(sam["slug"], "sam-lee");
    assert!(!sam["bio"]["html"].as_str().unwrap().contains("<script"));
    let dup = app
        .post("/api/v1/admin/people", &admin, &json!({"name": "Sam Lee"}))
        .await;
    assert_problem(dup, StatusCode::CONFLICT).await;
    let twice = app
        .post(
            "/api/v1/admin/people",
            &admin,
            &json!({"name": "Other", "user_id": author_id}),
        )
        .await;
    assert_problem(twice, StatusCode::CONFLICT).await;

    // The linked account's drafts credit Sam; a draft keeps Sam private.
    let (id, _) = app
        .create_article(&author, &json!({"title": "Stretching"}))
        .await;
    let (draft, _) = app
        .get_item(&format!("/api/v1/admin/articles/{id}"), &author)
        .await;
    assert_eq!(draft["data"]["authors"][0]["slug"], "sam-lee");
    assert_eq!(
        app.get("/api/v1/authors/sam-lee").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app.publish(&admin, id, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let page = app.get_ok("/api/v1/authors/sam-lee").await;
    assert_eq!(page["data"]["articles"][0]["slug"], "stretching");
    assert_eq!(page["data"]["credentials"], "PT");
    assert_eq!(
        app.get_article("stretching").await["author"]["name"],
        "Sam Lee"
    );

    // A credited profile is not deleted.
    let (_, etag) = app
        .get_item(&format!("/api/v1/admin/people/{}", sam["id"]), &admin)
        .await;
    let res = app
        .delete(
            &format!("/api/v1/admin/people/{}", sam["id"]),
            &admin,
            &etag,
        )
        .await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(problem["detail"].as_str().unwrap().contains("Stretching"));
}
