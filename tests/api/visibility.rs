//! Only published articles whose time has come are ever visible.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{article, assert_problem, content_file, slugs, spawn_app_with_content};

fn mixed_content() -> serde_json::Value {
    let mut public = article("public-post", "Public Post", "Visible words here.");
    public["related"] = json!(["draft-post", "future-post", "other-public"]);
    public["faqs"] = json!([{"question": "Public question?", "answer": "Yes."}]);
    let mut draft = article("draft-post", "Draft Post", "Secret zebra words.");
    draft["status"] = json!("draft");
    draft["tags"] = json!(["beta"]);
    draft["faqs"] = json!([{"question": "Draft question?", "answer": "Hidden."}]);
    let mut future = article("future-post", "Future Post", "Embargoed zebra words.");
    future["published_at"] = json!("2999-01-01T00:00:00Z");
    future["tags"] = json!(["beta"]);
    future["faqs"] = json!([{"question": "Future question?", "answer": "Hidden."}]);
    let mut archived = article("archived-post", "Archived Post", "Old zebra words.");
    archived["status"] = json!("archived");
    let other = article("other-public", "Other Public", "More visible words.");
    let mut content = content_file(vec![public, draft, future, archived, other]);
    content["faqs"] = json!([{"question": "Standalone?", "answer": "Always visible."}]);
    content
}

#[tokio::test]
async fn drafts_scheduled_and_archived_articles_are_invisible() {
    let app = spawn_app_with_content(&mixed_content()).await;
    let list = app.get_ok("/api/v1/articles?per_page=100").await;
    let mut listed = slugs(&list);
    listed.sort();
    assert_eq!(listed, vec!["other-public", "public-post"]);
    assert_eq!(list["meta"]["total"], 2);
    for hidden in ["draft-post", "future-post", "archived-post"] {
        let res = app.get(&format!("/api/v1/articles/{hidden}")).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn hidden_articles_stay_out_of_relations_counts_faqs_and_search() {
    let app = spawn_app_with_content(&mixed_content()).await;
    let public = app.get_article("public-post").await;
    let related: Vec<&str> = public["related"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["slug"].as_str().unwrap())
        .collect();
    assert_eq!(related, vec!["other-public"]);

    let tags = app.get_ok("/api/v1/tags").await;
    let beta = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "beta")
        .unwrap();
    assert_eq!(beta["article_count"], 0);
    assert!(app.list_slugs("/api/v1/articles?tag=beta").await.is_empty());

    let faqs = app.get_ok("/api/v1/faqs").await;
    let questions: Vec<&str> = faqs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["question"].as_str().unwrap())
        .collect();
    assert_eq!(questions, vec!["Public question?", "Standalone?"]);
    assert_eq!(
        app.get_ok("/api/v1/faqs?article=draft-post").await["data"],
        json!([])
    );
    let standalone = faqs["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["question"] == "Standalone?")
        .unwrap();
    assert_eq!(standalone["article"], json!(null));

    assert!(app.list_slugs("/api/v1/articles?q=zebra").await.is_empty());
}
