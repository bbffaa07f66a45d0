//! Redirects: an article's old slugs answer 301 to its slug now (chains
//! collapse), `/api/v1/redirects` lists them with the editors' own; list
//! pages carry `Link` headers.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, TestApp};

const SAMPLE: &str = "/api/v1/admin/articles/1";
const OLD: &str = "massage-benefits-for-back-pain-and-posture";

async fn rename(app: &TestApp, token: &str, path: &str, slug: &str) {
    let (_, etag) = app.get_item(path, token).await;
    let res = app.patch(path, token, &etag, &json!({"slug": slug})).await;
    assert_eq!(res.status(), StatusCode::OK);
}

fn location(res: &reqwest::Response) -> String {
    res.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn an_old_slug_redirects_to_the_article_in_one_hop() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    rename(&app, &token, SAMPLE, "massage-for-back-pain").await;
    let res = app.get(&format!("/api/v1/articles/{OLD}")).await;
    assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY);
    assert_eq!(location(&res), "/api/v1/articles/massage-for-back-pain");

    // Renamed again: both old slugs lead straight to the newest.
    rename(&app, &token, SAMPLE, "massage-and-posture").await;
    for old in [OLD, "massage-for-back-pain"] {
        let res = app.get(&format!("/api/v1/articles/{old}")).await;
        assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{old}");
        assert_eq!(location(&res), "/api/v1/articles/massage-and-posture");
    }
    let map = app.get_ok("/api/v1/redirects").await;
    let froms: Vec<(Value, Value)> = map["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["from"].clone(), r["to"].clone()))
        .collect();
    assert!(froms.contains(&(
        json!(format!("/articles/{OLD}")),
        json!("/articles/massage-and-posture")
    )));
    assert!(froms.contains(&(
        json!("/articles/massage-for-back-pain"),
        json!("/articles/massage-and-posture")
    )));
    assert_eq!(map["data"][0]["kind"], "article");

    // A new article may take an old slug: it is served, not redirected.
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "Reuse", "slug": "massage-for-back-pain"}),
        )
        .await;
    assert_eq!(app.publish(&token, id, None).await.status(), StatusCode::OK);
    assert_eq!(
        app.get("/api/v1/articles/massage-for-back-pain")
            .await
            .status(),
        StatusCode::OK
    );

    // A draft's renames leave nothing behind; an unpublished article's old
    // slug redirects nowhere.
    let (draft, _) = app
        .create_article(&token, &json!({"title": "Draft name"}))
        .await;
    rename(
        &app,
        &token,
        &format!("/api/v1/admin/articles/{draft}"),
        "draft-renamed",
    )
    .await;
    assert_eq!(
        app.get("/api/v1/articles/draft-name").await.status(),
        StatusCode::NOT_FOUND
    );
    let res = app
        .post(&format!("{SAMPLE}/unpublish"), &token, &json!({}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.get(&format!("/api/v1/articles/{OLD}")).await.status(),
        StatusCode::NOT_FOUND
    );
    assert!(!app
        .get_ok("/api/v1/redirects")
        .await
        .to_string()
        .contains("massage-and-posture"));
}

#[tokio::test]
async fn editors_add_and_delete_redirects_and_bad_ones_change_nothing() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let res = app
        .post(
            "/api/v1/admin/redirects",
            &token,
            &json!({"from": "/old-page", "to": "/blog/new-page"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let created = res.json::<Value>().await.unwrap()["data"].take();
    assert_eq!(created["status"], 301);
    let listed = app.get_ok("/api/v1/redirects").await;
    assert!(listed["data"].as_array().unwrap().contains(&json!(
        {"from": "/old-page", "to": "/blog/new-page", "status": 301, "kind": "manual"}
    )));

    for (body, status) in [
        (
            json!({"from": "/old-page", "to": "/elsewhere"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"from": "/blog/new-page", "to": "/old-page"}),
            StatusCode::CONFLICT,
        ),
        (
            json!({"from": "old-page", "to": "/x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"from": "/a b", "to": "/x"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"from": "/a", "to": "javascript:alert(1)"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            json!({"from": "/a", "to": "//evil.example"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (json!({"from": "/a", "to": "/a"}), StatusCode::CONFLICT),
        (
            json!({"from": "/a", "to": "/b", "status": 200}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let res = app.post("/api/v1/admin/redirects", &token, &body).await;
        assert_problem(res, status).await;
    }
    let (_, author) = app.user_with_role("author").await;
    let res = app
        .post(
            "/api/v1/admin/redirects",
            &author,
            &json!({"from": "/b", "to": "/c"}),
        )
        .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let all = app.get_auth_json("/api/v1/admin/redirects", &token).await;
    assert_eq!(all["meta"]["total"], 1, "nothing else was made");

    let path = format!("/api/v1/admin/redirects/{}", created["id"]);
    assert_eq!(
        app.delete(&path, &token, &etag).await.status(),
        StatusCode::NO_CONTENT
    );
    assert!(!app
        .get_ok("/api/v1/redirects")
        .await
        .to_string()
        .contains("/old-page"));
}

#[tokio::test]
async fn list_pages_carry_link_headers() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let link = |res: &reqwest::Response| {
        res.headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string())
    };
    let first = app.get("/api/v1/tags?per_page=2").await;
    assert_eq!(
        link(&first).unwrap(),
        "</api/v1/tags?per_page=2&page=2>; rel=\"next\""
    );
    let second = app.get("/api/v1/tags?per_page=2&page=2").await;
    let both = link(&second).unwrap();
    assert!(
        both.contains("page=3>; rel=\"next\"") && both.contains("page=1>; rel=\"prev\""),
        "{both}"
    );
    let again = app.get("/api/v1/tags?per_page=2&page=2").await;
    assert_eq!(again.headers()["x-cache"], "HIT");
    assert_eq!(link(&again).unwrap(), both, "the cache keeps it");
    let last = app.get("/api/v1/tags?per_page=100").await;
    assert_eq!(link(&last), None, "one page: no link");

    // Newest first pages by cursor: the next page is the next cursor.
    let newest = app.get("/api/v1/articles?per_page=2").await;
    let next = link(&newest).unwrap();
    assert!(
        next.starts_with("</api/v1/articles?per_page=2&cursor="),
        "{next}"
    );
    let path = next
        .trim_start_matches('<')
        .split('>')
        .next()
        .unwrap()
        .to_string();
    assert_eq!(app.get(&path).await.status(), StatusCode::OK);
    let admin = app
        .get_auth("/api/v1/admin/articles?per_page=1", &token)
        .await;
    assert!(link(&admin).unwrap().contains("rel=\"next\""));
}
