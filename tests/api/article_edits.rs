//! An edit writes what it changes and keeps the rest: relations, references
//! and the rendered body of an article survive an edit of another field,
//! and change when their own field does.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

const PATH: &str = "/api/v1/admin/articles/1";

async fn edit(app: &TestApp, token: &str, body: Value) -> Value {
    let (_, etag) = app.get_item(PATH, token).await;
    let res = app.patch(PATH, token, &etag, &body).await;
    assert_eq!(res.status(), StatusCode::OK, "{body}");
    app.get_item(PATH, token).await.0["data"].take()
}

fn slugs(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|item| item["slug"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn an_edit_of_one_field_keeps_every_other_and_a_changed_list_renders_again() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let before = app.get_item(PATH, &token).await.0["data"].take();
    let kept = [
        "tags",
        "massage_types",
        "treatments",
        "related",
        "authors",
        "references",
        "body",
        "faqs",
    ];
    for field in kept {
        assert!(!before[field].is_null(), "the sample article has {field}");
    }
    assert!(before["references"]
        .as_array()
        .is_some_and(|r| !r.is_empty()));

    let after = edit(&app, &token, json!({"excerpt": "Shorter."})).await;
    assert_eq!(after["excerpt"], "Shorter.");
    for field in kept {
        assert_eq!(after[field], before[field], "{field} kept");
    }

    // Reordering the massage types renders the embedded table again.
    let mut order = slugs(&before["massage_types"]);
    order.reverse();
    let after = edit(&app, &token, json!({"massage_types": order})).await;
    assert_eq!(slugs(&after["massage_types"]), order);
    let table = after["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["source"] == "massage-types")
        .expect("the body embeds the massage types")
        .clone();
    let first_name = after["massage_types"][0]["name"].as_str().unwrap();
    assert_eq!(table["rows"][0][0], first_name);
    assert_ne!(after["body"], before["body"]);
    assert_eq!(after["tags"], before["tags"]);

    // Emptying one list leaves the others.
    let after = edit(&app, &token, json!({"references": [], "tags": []})).await;
    assert_eq!(after["references"], json!([]));
    assert_eq!(after["tags"], json!([]));
    assert_eq!(after["authors"], before["authors"]);
    assert_eq!(after["treatments"], before["treatments"]);
    let public = app.get_article(before["slug"].as_str().unwrap()).await;
    assert_eq!(public["references"], json!([]));
    assert_eq!(public["tags"], json!([]));
}
