//! Massage types, treatments, FAQs, tags and the site.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, slugs, spawn_app, SAMPLE_SLUG};

#[tokio::test]
async fn massage_types_are_listed_in_position_order_and_found_by_slug() {
    let app = spawn_app().await;
    let list = app.get_ok("/api/v1/massage-types").await;
    assert_eq!(
        list["meta"],
        json!({"page": 1, "per_page": 20, "total": 5, "total_pages": 1})
    );
    let positions: Vec<i64> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["position"].as_i64().unwrap())
        .collect();
    assert_eq!(positions, vec![0, 1, 2, 3, 4]);
    let one = app.get_ok("/api/v1/massage-types/thai-massage").await;
    assert_eq!(one["data"]["name"], "Thai Massage");
    assert_eq!(one["data"]["best_for"], "Stiffness and posture problems");
    for field in [
        "id",
        "slug",
        "name",
        "best_for",
        "benefits",
        "description",
        "position",
    ] {
        assert!(
            one["data"].get(field).is_some(),
            "massage type lacks {field}"
        );
    }
    let page2 = app.get_ok("/api/v1/massage-types?per_page=2&page=2").await;
    assert_eq!(
        slugs(&page2),
        vec!["trigger-point-therapy", "sports-massage"]
    );
}

#[tokio::test]
async fn treatments_are_listed_in_position_order_and_found_by_slug() {
    let app = spawn_app().await;
    let list = app.get_ok("/api/v1/treatments").await;
    assert_eq!(
        slugs(&list),
        vec![
            "massage-therapy",
            "chiropractic-adjustments",
            "physical-therapy",
            "medication"
        ]
    );
    let one = app.get_ok("/api/v1/treatments/physical-therapy").await;
    assert_eq!(one["data"]["limitations"], "Requires consistent exercises");
    for field in ["id", "slug", "name", "benefits", "limitations", "position"] {
        assert!(one["data"].get(field).is_some(), "treatment lacks {field}");
    }
    let res = app.get("/api/v1/treatments?per_page=500").await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
}

#[tokio::test]
async fn faqs_list_all_or_one_articles_in_order() {
    let app = spawn_app().await;
    let all = app.get_ok("/api/v1/faqs").await;
    assert_eq!(all["meta"]["total"], 5);
    let faq = &all["data"][0];
    for field in ["id", "question", "answer", "article", "position"] {
        assert!(faq.get(field).is_some(), "faq lacks {field}");
    }
    assert_eq!(faq["article"], SAMPLE_SLUG);
    assert!(faq["answer"]["html"].as_str().unwrap().starts_with("<p>"));
    let of_article = app
        .get_ok(&format!("/api/v1/faqs?article={SAMPLE_SLUG}"))
        .await;
    assert_eq!(of_article["data"], all["data"]);
    let none = app
        .get_ok("/api/v1/faqs?article=best-practices-for-prevention-and-care-of-sports-injuries")
        .await;
    assert_eq!(none["data"], json!([]));
    let res = app.get("/api/v1/faqs?article=BAD!").await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "article");
}

#[tokio::test]
async fn tags_count_their_published_articles() {
    let app = spawn_app().await;
    let tags = app.get_ok("/api/v1/tags").await;
    assert_eq!(tags["meta"]["total"], 8);
    let posture = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["slug"] == "posture")
        .unwrap();
    assert_eq!(posture["name"], "Posture");
    assert_eq!(posture["article_count"], 1);
    let names: Vec<&str> = tags["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted, "tags come by name");
    let page = app.get_ok("/api/v1/tags?per_page=3&page=3").await;
    assert_eq!(page["data"].as_array().unwrap().len(), 2);
    assert_eq!(page["meta"]["total_pages"], 3);
}

#[tokio::test]
async fn the_site_is_one_item() {
    let app = spawn_app().await;
    let site = app.get_ok("/api/v1/site").await;
    assert_eq!(site["data"]["location"], "Pasadena 100369, United States");
    assert_eq!(site["data"]["name"], "Pasadena Clinic");
}
