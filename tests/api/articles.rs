//! The article list and article detail: envelopes, ordering, filters, pagination.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{assert_problem, slugs, spawn_app, SAMPLE_SLUG};

#[tokio::test]
async fn the_list_is_newest_first_in_the_list_envelope() {
    let app = spawn_app().await;
    let list = app.get_ok("/api/v1/articles").await;
    assert_eq!(
        list["meta"],
        json!({"page": 1, "per_page": 20, "total": 5, "total_pages": 1})
    );
    let dates: Vec<&str> = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["published_at"].as_str().unwrap())
        .collect();
    let mut sorted = dates.clone();
    sorted.sort_by(|a, b| b.cmp(a));
    assert_eq!(dates, sorted);
    assert_eq!(slugs(&list)[0], SAMPLE_SLUG);
    let first = &list["data"][0];
    for field in [
        "id",
        "slug",
        "title",
        "excerpt",
        "tags",
        "author",
        "published_at",
        "updated_at",
        "reading_time_minutes",
    ] {
        assert!(first.get(field).is_some(), "summary lacks {field}");
    }
    assert!(first.get("body").is_none(), "summaries carry no body");
    assert_eq!(
        first["tags"][0],
        json!({"slug": "massage-therapy", "name": "Massage Therapy"})
    );
    assert_eq!(first["published_at"], "2025-09-15T09:00:00Z");
}

#[tokio::test]
async fn every_sort_order_is_honoured() {
    let app = spawn_app().await;
    let newest = app.list_slugs("/api/v1/articles?sort=-published_at").await;
    let mut oldest = app.list_slugs("/api/v1/articles?sort=published_at").await;
    oldest.reverse();
    assert_eq!(newest, oldest);
    let titles = app.list_slugs("/api/v1/articles?sort=title").await;
    assert_eq!(
        titles[0],
        "4-healing-strategies-used-by-wound-care-specialists"
    );
    assert_eq!(titles[4], "the-role-of-nutrition-in-family-medicine");
    let mut reversed = app.list_slugs("/api/v1/articles?sort=-title").await;
    reversed.reverse();
    assert_eq!(titles, reversed);
}

#[tokio::test]
async fn pages_split_the_list_and_count_it() {
    let app = spawn_app().await;
    let all = app.list_slugs("/api/v1/articles").await;
    let p1 = app.get_ok("/api/v1/articles?per_page=2").await;
    let p3 = app.get_ok("/api/v1/articles?per_page=2&page=3").await;
    assert_eq!(p1["meta"]["page"], 1);
    assert_eq!(p1["meta"]["per_page"], 2);
    assert_eq!(p1["meta"]["total"], 5);
    assert_eq!(p1["meta"]["total_pages"], 3);
    assert!(
        p1["meta"]["next_cursor"].is_string(),
        "a next page has a cursor"
    );
    assert!(
        p3["meta"].get("next_cursor").is_none(),
        "the last page has none"
    );
    assert_eq!(slugs(&p1), all[..2]);
    assert_eq!(slugs(&p3), all[4..]);
    let past_end = app.get_ok("/api/v1/articles?per_page=2&page=4").await;
    assert_eq!(past_end["data"], json!([]));
    assert_eq!(past_end["meta"]["total"], 5);
    let max = app.get_ok("/api/v1/articles?per_page=100").await;
    assert_eq!(max["meta"]["per_page"], 100);
}

#[tokio::test]
async fn bad_paging_values_are_400_problems_naming_the_field() {
    let app = spawn_app().await;
    for (query, field) in [
        ("page=0", "page"),
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
    ] {
        let res = app.get(&format!("/api/v1/articles?{query}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["errors"][0]["field"], field, "{query}");
    }
    for query in [
        "page=abc",
        "page=-1",
        "per_page=1.5",
        "page=99999999999999",
        "sort=newest",
        "page=1&page=2",
    ] {
        let res = app.get(&format!("/api/v1/articles?{query}")).await;
        assert_problem(res, StatusCode::BAD_REQUEST).await;
    }
}

#[tokio::test]
async fn the_tag_filter_narrows_the_list() {
    let app = spawn_app().await;
    assert_eq!(
        app.list_slugs("/api/v1/articles?tag=posture").await,
        vec![SAMPLE_SLUG]
    );
    assert_eq!(
        app.list_slugs("/api/v1/articles?tag=wound-care").await,
        vec!["4-healing-strategies-used-by-wound-care-specialists"]
    );
    assert!(app
        .list_slugs("/api/v1/articles?tag=no-such-tag")
        .await
        .is_empty());
    let res = app.get("/api/v1/articles?tag=Not%20A%20Slug").await;
    let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
    assert_eq!(problem["errors"][0]["field"], "tag");
}

#[tokio::test]
async fn one_article_has_every_part_a_front_end_renders() {
    let app = spawn_app().await;
    let article = app.get_article(SAMPLE_SLUG).await;
    for field in [
        "body",
        "massage_types",
        "treatments",
        "faqs",
        "related",
        "seo",
        "json_ld",
    ] {
        assert!(article.get(field).is_some(), "article lacks {field}");
    }
    let body = &article["body"];
    assert!(body["markdown"]
        .as_str()
        .unwrap()
        .starts_with("Back pain is one of"));
    assert!(body["html"]
        .as_str()
        .unwrap()
        .starts_with("<p>Back pain is one of"));
    let blocks = body["blocks"].as_array().unwrap();
    let heading = blocks.iter().find(|b| b["type"] == "heading").unwrap();
    assert_eq!(
        heading,
        &json!({"type": "heading", "level": 2, "text": "Why Back Pain and Posture Go Hand in Hand", "anchor": "why-back-pain-and-posture-go-hand-in-hand"})
    );
    let benefits = blocks
        .iter()
        .find(|b| b["type"] == "list" && b["ordered"] == true)
        .unwrap();
    assert_eq!(benefits["items"][0]["text"], "Reduces Muscle Tension");
    assert_eq!(benefits["items"][0]["spans"][0]["marks"], json!(["strong"]));
    assert_eq!(benefits["items"].as_array().unwrap().len(), 5);
    assert_eq!(article["massage_types"][0]["slug"], "swedish-massage");
    assert_eq!(article["treatments"][3]["slug"], "medication");
}

#[tokio::test]
async fn unknown_and_malformed_slugs_are_404_problems() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/articles/no-such-article",
        "/api/v1/articles/Not%20a%20slug",
        "/api/v1/articles/%F0%9F%92%A5",
        "/api/v1/massage-types/no-such-type",
        "/api/v1/treatments/no-such-treatment",
    ] {
        assert_problem(app.get(path).await, StatusCode::NOT_FOUND).await;
    }
}

#[tokio::test]
async fn cursors_walk_the_list_in_the_same_order_as_pages() {
    let app = spawn_app().await;
    for sort in [
        "-published_at",
        "published_at",
        "title",
        "-title",
        "-updated_at",
    ] {
        let all = app
            .list_slugs(&format!("/api/v1/articles?sort={sort}"))
            .await;
        let mut walked = Vec::new();
        let mut path = format!("/api/v1/articles?sort={sort}&per_page=2");
        let mut pages = Vec::new();
        loop {
            let page = app.get_ok(&path).await;
            walked.extend(slugs(&page));
            pages.push(page["meta"]["page"].as_i64().unwrap());
            match page["meta"].get("next_cursor").and_then(|c| c.as_str()) {
                Some(cursor) => {
                    path = format!("/api/v1/articles?sort={sort}&per_page=2&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(walked, all, "sort {sort}");
        assert_eq!(
            pages,
            vec![1, 0, 0],
            "sort {sort}: keyset pages are not numbered"
        );
    }
}

#[tokio::test]
async fn malformed_cursors_are_400_problems() {
    let app = spawn_app().await;
    for query in [
        "cursor=zz".to_string(),
        "cursor=7033".to_string(),
        "cursor=..1.f".to_string(),
        "cursor=1.2.3.4.5".to_string(),
        "cursor=9999999999999999999..1.".to_string(),
    ] {
        let res = app.get(&format!("/api/v1/articles?{query}")).await;
        let problem = assert_problem(res, StatusCode::BAD_REQUEST).await;
        assert_eq!(problem["errors"][0]["field"], "cursor", "{query}");
    }
}
