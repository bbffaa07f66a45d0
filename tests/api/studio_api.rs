//! What the studio asks of the server besides the editor API: a body
//! rendered without saving (the very body publishing makes) and the
//! difference between two versions.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::cache_writes::create;
use crate::helpers::{assert_problem, spawn_app, SAMPLE_SLUG};

const BODY: &str = "## Which massage?\n\n{{massage-types}}\n\nAsk us.\n\n<script>alert(1)</script>";

#[tokio::test]
async fn a_rendered_body_is_the_body_publishing_makes() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let choice = json!(["thai-massage", "swedish-massage"]);
    let res = app
        .post(
            "/api/v1/admin/render",
            &token,
            &json!({"markdown": BODY, "massage_types": choice}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let preview = res.json::<Value>().await.unwrap()["data"].take();
    let html = preview["html"].as_str().unwrap();
    assert!(!html.contains("<script"), "{html}");
    let thai = html.find("Thai Massage").expect("the chosen table rows");
    let swedish = html.find("Swedish Massage").unwrap();
    assert!(thai < swedish, "in the order chosen");
    assert!(!html.contains("Deep Tissue"), "only the chosen rows");
    let table = preview["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "table")
        .expect("a table block");
    assert_eq!(table["rows"].as_array().unwrap().len(), 2);
    assert_eq!(preview["reading_time_minutes"], 1);

    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "Choosing a massage", "body": {"markdown": BODY}, "massage_types": choice}),
        )
        .await;
    assert_eq!(app.publish(&token, id, None).await.status(), StatusCode::OK);
    let published = app.get_article("choosing-a-massage").await;
    assert_eq!(published["body"]["html"], preview["html"]);
    assert_eq!(published["body"]["blocks"], preview["blocks"]);
}

#[tokio::test]
async fn rendering_is_for_editors_and_refuses_what_a_body_may_not_be() {
    let app = spawn_app().await;
    let res = app
        .send(
            reqwest::Method::POST,
            "/api/v1/admin/render",
            None,
            None,
            Some(&json!({"markdown": "Hi"})),
        )
        .await;
    assert_problem(res, StatusCode::UNAUTHORIZED).await;
    let token = app.admin_token().await;
    let res = app
        .post("/api/v1/admin/render", &token, &json!({"markdown": 7}))
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let many: Vec<String> = (0..1000).map(|n| format!("type-{n}")).collect();
    let res = app
        .post(
            "/api/v1/admin/render",
            &token,
            &json!({"markdown": "x", "massage_types": many}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    // A slug named twice: refused as an article write refuses it (the schema says uniqueItems).
    let res = app
        .post(
            "/api/v1/admin/render",
            &token,
            &json!({"markdown": "x", "treatments": ["massage-therapy", "massage-therapy"]}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem["errors"][0]["field"], "treatments");
    assert_eq!(
        problem["errors"][0]["message"],
        "massage-therapy is listed twice"
    );
    // Unknown slugs embed nothing rather than fail: the preview is a draft.
    let res = app
        .post(
            "/api/v1/admin/render",
            &token,
            &json!({"markdown": "{{treatments}}", "treatments": ["no-such-thing"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn two_versions_differ_field_by_field() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let (id, etag) = app
        .create_article(
            &token,
            &json!({"title": "Posture at work", "body": {"markdown": "Sit up.\n\nTake breaks.\n"}}),
        )
        .await;
    let path = format!("/api/v1/admin/articles/{id}");
    let res = app
        .patch(
            &path,
            &token,
            &etag,
            &json!({"title": "Posture at the desk", "body": {"markdown": "Sit up.\n\nTake short breaks.\n"}, "tags": ["posture"]}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);

    let diff = app
        .get_auth_json(&format!("{path}/revisions/diff?from=1"), &token)
        .await["data"]
        .take();
    assert_eq!(
        (diff["from"].as_i64(), diff["to"].as_i64()),
        (Some(1), Some(2))
    );
    let fields: Vec<&str> = diff["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["title", "body", "tags"]);
    let title = &diff["fields"][0];
    assert_eq!(title["before"], "Posture at work");
    assert_eq!(title["after"], "Posture at the desk");
    let spans: Vec<(String, String)> = title["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["op"].as_str().unwrap().into(),
                s["text"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        spans.contains(&("delete".into(), "work".into())),
        "{spans:?}"
    );
    assert!(
        spans.contains(&("insert".into(), "the desk".into())),
        "{spans:?}"
    );
    let body = &diff["fields"][1]["changes"];
    assert!(body
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["op"] == "insert" && s["text"] == "Take short breaks.\n"));
    assert_eq!(diff["fields"][2]["after"], "posture");

    // Back to itself: nothing differs.
    let same = app
        .get_auth_json(&format!("{path}/revisions/diff?from=2&to=2"), &token)
        .await;
    assert_eq!(same["data"]["fields"], json!([]));
    let res = app
        .get_auth(&format!("{path}/revisions/diff?from=1&to=9"), &token)
        .await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let res = app
        .get_auth(&format!("{path}/revisions/diff"), &token)
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn the_current_version_is_compared_as_it_is_now_on_either_side() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let tag_id = create(
        &app,
        &token,
        "/api/v1/admin/tags",
        json!({"name": "Short-lived", "slug": "short-lived"}),
    )
    .await;
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "Diffed", "tags": ["short-lived", "posture"]}),
        )
        .await;
    let path = format!("/api/v1/admin/articles/{id}");
    // Publishing makes a version of its own; the tag is then deleted (its links go with it).
    assert_eq!(app.publish(&token, id, None).await.status(), StatusCode::OK);
    app.delete_ok(&format!("/api/v1/admin/tags/{tag_id}"), &token)
        .await;
    let (article, _) = app.get_item(&path, &token).await;
    let current = article["data"]["version"].as_i64().unwrap();
    assert!(current > 1);

    // From the first version to now: the tag deleted since is gone from "now".
    let diff = app
        .get_auth_json(&format!("{path}/revisions/diff?from=1"), &token)
        .await["data"]
        .take();
    assert_eq!(diff["to"].as_i64(), Some(current));
    let tags = diff["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["field"] == "tags")
        .expect("the tags differ");
    assert_eq!(tags["before"], "short-lived\nposture");
    assert_eq!(tags["after"], "posture");
    // The current version on either side, named or not, is the article now (not its revision row).
    for query in [
        format!("from={current}"),
        format!("from={current}&to={current}"),
    ] {
        let same = app
            .get_auth_json(&format!("{path}/revisions/diff?{query}"), &token)
            .await;
        assert_eq!(same["data"]["fields"], json!([]), "{query}");
    }
    let back = app
        .get_auth_json(
            &format!("{path}/revisions/diff?from={current}&to=1"),
            &token,
        )
        .await;
    assert_eq!(back["data"]["from"].as_i64(), Some(current));
    assert!(back["data"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["field"] == "tags" && f["after"] == "short-lived\nposture"));
}

#[tokio::test]
async fn lists_filter_by_who_created_and_who_is_credited() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, author) = app.user_with_role("author").await;
    let (mine, _) = app
        .create_article(&author, &json!({"title": "An author's own draft"}))
        .await;
    app.create_article(&admin, &json!({"title": "The admin's draft"}))
        .await;
    let ids = |list: &Value| -> Vec<i64> {
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect()
    };
    let own = app
        .get_auth_json("/api/v1/admin/articles?mine=true&status=draft", &author)
        .await;
    assert_eq!(ids(&own), [mine]);
    assert_eq!(own["meta"]["total"], 1);
    let credited = app
        .get_auth_json("/api/v1/admin/articles?author=maya-chen", &admin)
        .await;
    let slugs: Vec<&str> = credited["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["slug"].as_str().unwrap())
        .collect();
    assert!(slugs.contains(&SAMPLE_SLUG), "{slugs:?}");
    assert!(credited["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|a| a["authors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["slug"] == "maya-chen")));
    let nobody = app
        .get_auth_json("/api/v1/admin/articles?author=nobody-here", &admin)
        .await;
    assert_eq!(nobody["data"], json!([]));
    for bad in ["mine=perhaps", "author=Not%20A%20Slug"] {
        let res = app
            .get_auth(&format!("/api/v1/admin/articles?{bad}"), &admin)
            .await;
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
}
