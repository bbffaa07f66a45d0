//! Full-text search over title, excerpt and body (SQLite FTS5).

use crate::helpers::{article, content_file, spawn_app, spawn_app_with_content, SAMPLE_SLUG};

#[tokio::test]
async fn search_finds_words_in_title_excerpt_and_body() {
    let app = spawn_app().await;
    // Title.
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=Spravato").await,
        vec!["spravato-and-its-mechanism-of-action-in-depression-treatment"]
    );
    // Body only: the table cells embedded in the body are searchable too.
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=hamstrings").await,
        vec![SAMPLE_SLUG]
    );
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=trigger%20point").await,
        vec![SAMPLE_SLUG]
    );
    // Excerpt, and case does not matter.
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=HOLISTIC").await,
        vec!["the-role-of-nutrition-in-family-medicine"]
    );
    // Every word must match; the last is a prefix.
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=wound%20spec").await,
        vec!["4-healing-strategies-used-by-wound-care-specialists"]
    );
    let list = app.get_ok("/api/v1/articles?q=massage").await;
    assert_eq!(list["meta"]["total"], 1);
}

#[tokio::test]
async fn search_misses_and_hostile_queries_return_empty_lists() {
    let app = spawn_app().await;
    for q in [
        "xylophone",
        "massage%20xylophone",
        "%22",
        "*",
        "NEAR(a%20b)",
        "%27%20OR%201%3D1%20--",
        "-",
        "%E2%80%94",
    ] {
        let list = app.get_ok(&format!("/api/v1/articles?q={q}")).await;
        assert!(list["data"].as_array().unwrap().is_empty(), "q={q}");
        assert_eq!(list["meta"]["total"], 0, "q={q}");
    }
    // An empty q is no filter at all.
    assert_eq!(app.get_ok("/api/v1/articles?q=").await["meta"]["total"], 5);
}

#[tokio::test]
async fn search_combines_with_tags_and_ranks_title_matches_first() {
    let content = content_file(vec![
        article(
            "body-mention",
            "Something Else",
            "This text mentions kinesiology once.",
        ),
        article("title-mention", "Kinesiology Basics", "An introduction."),
    ]);
    let app = spawn_app_with_content(&content).await;
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology").await,
        vec!["title-mention", "body-mention"]
    );
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology&tag=beta")
            .await,
        Vec::<String>::new()
    );
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology&tag=alpha&sort=title")
            .await,
        vec!["title-mention", "body-mention"]
    );
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology&sort=-title")
            .await,
        vec!["body-mention", "title-mention"]
    );
}
