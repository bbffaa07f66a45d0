//! Editors writing massage types, treatments, tags, FAQs, users and the site.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, SAMPLE_SLUG};

#[tokio::test]
async fn massage_types_are_created_changed_and_deleted_with_if_match() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app.post("/api/v1/admin/massage-types", &token, &json!({"name": "Hot Stone Massage", "best_for": "Deep relaxation", "benefits": "Warmth eases muscles"})).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["data"]["slug"], "hot-stone-massage");
    assert_eq!(created["data"]["position"], 5, "after the last one");
    let public = app.get_ok("/api/v1/massage-types/hot-stone-massage").await;
    assert_eq!(public["data"]["best_for"], "Deep relaxation");

    let (_, etag) = app.get_item(&location, &token).await;
    let res = app
        .patch(
            &location,
            &token,
            &etag,
            &json!({"position": 0, "description": "Smooth heated stones."}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.list_slugs("/api/v1/massage-types").await[0],
        "hot-stone-massage"
    );

    assert_problem(
        app.patch(&location, &token, &etag, &json!({"name": "Stale"}))
            .await,
        StatusCode::PRECONDITION_FAILED,
    )
    .await;
    let res = app
        .patch(&location, &token, "*", &json!({"name": ""}))
        .await;
    assert_eq!(
        assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await["errors"][0]["field"],
        "name"
    );
    let res = app
        .patch(&location, &token, "*", &json!({"slug": "swedish-massage"}))
        .await;
    assert_problem(res, StatusCode::CONFLICT).await;
    let res = app
        .patch(&location, &token, "*", &json!({"position": -1}))
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    let (_, etag) = app.get_item(&location, &token).await;
    assert_eq!(
        app.delete(&location, &token, &etag).await.status(),
        StatusCode::NO_CONTENT
    );
    assert_problem(
        app.get("/api/v1/massage-types/hot-stone-massage").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_problem(app.get_auth(&location, &token).await, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn deleting_a_treatment_removes_it_from_the_articles_table() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let list = app
        .get_auth("/api/v1/admin/treatments", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let medication = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "medication")
        .unwrap()
        .clone();
    let path = format!("/api/v1/admin/treatments/{}", medication["id"]);
    assert_eq!(
        app.delete(&path, &token, "\"v1\"").await.status(),
        StatusCode::NO_CONTENT
    );
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(article["treatments"].as_array().unwrap().len(), 3);
    let table = article["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["source"] == "treatments")
        .unwrap()
        .clone();
    assert_eq!(table["rows"].as_array().unwrap().len(), 3);
    assert!(!article["body"]["html"]
        .as_str()
        .unwrap()
        .contains("Medication"));

    let res = app
        .post(
            "/api/v1/admin/treatments",
            &token,
            &json!({"name": "Acupuncture", "benefits": "May ease pain", "limitations": "Needles"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    assert_eq!(
        app.get_ok("/api/v1/treatments/acupuncture").await["data"]["limitations"],
        "Needles"
    );
}

#[tokio::test]
async fn tags_are_managed_and_articles_follow() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/tags",
            &token,
            &json!({"name": "Pain Relief"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let tag: Value = res.json().await.unwrap();
    assert_eq!(tag["data"]["slug"], "pain-relief");
    assert_eq!(tag["data"]["article_count"], 0);
    assert_problem(
        app.post(
            "/api/v1/admin/tags",
            &token,
            &json!({"name": "Pain Relief"}),
        )
        .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.post("/api/v1/admin/tags", &token, &json!({"name": "  "}))
            .await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;

    let (_, etag) = app.get_item("/api/v1/admin/articles/1", &token).await;
    let res = app
        .patch(
            "/api/v1/admin/articles/1",
            &token,
            &etag,
            &json!({"tags": ["pain-relief", "posture"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.list_slugs("/api/v1/articles?tag=pain-relief").await,
        vec![SAMPLE_SLUG]
    );

    let posture = app.get_ok("/api/v1/tags").await["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "posture")
        .unwrap()
        .clone();
    let path = format!("/api/v1/admin/tags/{}", posture["id"]);
    let res = app
        .patch(&path, &token, "*", &json!({"name": "Good Posture"}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_article(SAMPLE_SLUG).await["tags"][1]["name"],
        "Good Posture"
    );
    assert_eq!(
        app.delete(&path, &token, "*").await.status(),
        StatusCode::NO_CONTENT
    );
    let tags: Vec<String> = app.get_article(SAMPLE_SLUG).await["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["slug"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(tags, vec!["pain-relief"]);
}

#[tokio::test]
async fn faqs_are_managed_per_article() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let body = json!({"question": "Is massage safe in pregnancy?", "answer": {"markdown": "Ask your **doctor** first."}, "article": SAMPLE_SLUG});
    let res = app.post("/api/v1/admin/faqs", &token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let faq: Value = res.json().await.unwrap();
    assert_eq!(faq["data"]["position"], 5);
    assert_eq!(
        faq["data"]["answer"]["html"],
        "<p>Ask your <strong>doctor</strong> first.</p>\n"
    );
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(article["faqs"].as_array().unwrap().len(), 6);
    assert_eq!(
        article["json_ld"]["@graph"][2]["mainEntity"]
            .as_array()
            .unwrap()
            .len(),
        6
    );

    // Moved to the top: it lands there and the others move down one, in order.
    let questions = |article: &Value| -> Vec<String> {
        article["faqs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["question"].as_str().unwrap().to_string())
            .collect()
    };
    let before = questions(&app.get_article(SAMPLE_SLUG).await);
    let path = format!("/api/v1/admin/faqs/{}", faq["data"]["id"]);
    let res = app
        .patch(&path, &token, "\"v1\"", &json!({"position": 0}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let after = questions(&app.get_article(SAMPLE_SLUG).await);
    assert_eq!(after[0], "Is massage safe in pregnancy?");
    assert_eq!(after[1..], before[..5]);
    let res = app
        .patch(
            &path,
            &token,
            "\"v2\"",
            &json!({"article": null, "position": 0}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get_article(SAMPLE_SLUG).await["faqs"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
    let bad = app
        .post(
            "/api/v1/admin/faqs",
            &token,
            &json!({"question": "Q", "answer": {"markdown": "A"}, "article": "no-such-article"}),
        )
        .await;
    assert_eq!(
        assert_problem(bad, StatusCode::NOT_FOUND).await["errors"][0]["field"],
        "article"
    );
    let empty = app
        .post(
            "/api/v1/admin/faqs",
            &token,
            &json!({"question": "", "answer": {"markdown": ""}}),
        )
        .await;
    assert_eq!(
        assert_problem(empty, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.delete(&path, &token, "\"v3\"").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(app.get_ok("/api/v1/faqs").await["meta"]["total"], 5);
}

#[tokio::test]
async fn accounts_are_validated_unique_and_the_last_admin_is_kept() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let cases = [
        (
            json!({"email": "not-an-email", "name": "N", "password": "a long enough password", "role": "editor"}),
            "email",
        ),
        (
            json!({"email": "ok@clinic.test", "name": "N", "password": "short", "role": "editor"}),
            "password",
        ),
        (
            json!({"email": "ok@clinic.test", "name": "N", "password": "a long enough password", "role": "root"}),
            "role",
        ),
        (
            json!({"email": "ok@clinic.test", "name": "", "password": "a long enough password", "role": "editor"}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let problem = assert_problem(
            app.post("/api/v1/admin/users", &token, &body).await,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        assert_eq!(problem["errors"][0]["field"], field);
    }
    let users = app
        .get_auth("/api/v1/admin/users", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(
        users["meta"]["total"], 2,
        "admin and the sample byline only"
    );

    let body = json!({"email": "Ed@Clinic.test", "name": "Ed", "password": "a long enough password", "role": "editor"});
    let res = app.post("/api/v1/admin/users", &token, &body).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let ed: Value = res.json().await.unwrap();
    assert_eq!(ed["data"]["email"], "ed@clinic.test");
    assert!(ed["data"].get("password").is_none() && ed["data"].get("password_hash").is_none());
    let dup = json!({"email": "ED@clinic.test", "name": "Ed 2", "password": "a long enough password", "role": "author"});
    assert_problem(
        app.post("/api/v1/admin/users", &token, &dup).await,
        StatusCode::CONFLICT,
    )
    .await;

    let me: Value = app
        .get_auth("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let admin_path = format!("/api/v1/admin/users/{}", me["data"]["id"]);
    assert_problem(
        app.patch(&admin_path, &token, "*", &json!({"role": "editor"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.patch(&admin_path, &token, "*", &json!({"disabled": true}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert_problem(
        app.delete(&admin_path, &token, "*").await,
        StatusCode::CONFLICT,
    )
    .await;

    // A new password works at the next login.
    let ed_path = format!("/api/v1/admin/users/{}", ed["data"]["id"]);
    let res = app
        .patch(
            &ed_path,
            &token,
            "\"v1\"",
            &json!({"password": "a brand new password"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    app.login_ok("ed@clinic.test", "a brand new password").await;
    assert_problem(
        app.login("ed@clinic.test", "a long enough password").await,
        StatusCode::UNAUTHORIZED,
    )
    .await;
}

#[tokio::test]
async fn admins_change_the_site_and_readers_see_it() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (site, etag) = app.get_item("/api/v1/admin/site", &token).await;
    assert_eq!(site["data"]["location"], "Pasadena 100369, United States");
    let res = app
        .patch(
            "/api/v1/admin/site",
            &token,
            &etag,
            &json!({"base_url": "https://clinic.example"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let article = app.get_article(SAMPLE_SLUG).await;
    assert_eq!(
        article["seo"]["canonical_url"],
        format!("https://clinic.example/blog/{SAMPLE_SLUG}")
    );
    assert_eq!(
        article["json_ld"]["@graph"][0]["mainEntityOfPage"],
        article["seo"]["canonical_url"]
    );
    let bad = app
        .patch(
            "/api/v1/admin/site",
            &token,
            "*",
            &json!({"base_url": "ftp://x", "name": ""}),
        )
        .await;
    assert_eq!(
        assert_problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await["errors"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        app.get_ok("/api/v1/site").await["data"]["name"],
        "Pasadena Clinic"
    );
}

#[tokio::test]
async fn an_admin_may_delete_their_own_account_when_another_admin_remains() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (_, other_admin) = app.user_with_role("admin").await;
    let me: Value = app
        .get_auth("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/api/v1/admin/users/{}", me["data"]["id"]);
    assert_eq!(
        app.delete(&path, &token, "*").await.status(),
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        app.get_auth("/api/v1/auth/me", &token).await.status(),
        StatusCode::UNAUTHORIZED
    );
    let activity: Value = app
        .get_auth("/api/v1/admin/activity", &other_admin)
        .await
        .json()
        .await
        .unwrap();
    let entry = &activity["data"][0];
    assert_eq!(entry["action"], "deleted");
    assert_eq!(entry["item_type"], "user");
    assert_eq!(entry["user"], Value::Null, "the actor's account is gone");
}
