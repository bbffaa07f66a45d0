//! Full-text search over title, excerpt and body (SQLite FTS5).

use serde_json::json;

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
    let mut newer = article(
        "body-mention",
        "Something Else",
        "This text mentions kinesiology once.",
    );
    newer["published_at"] = json!("2025-06-01T00:00:00Z");
    let content = content_file(vec![
        newer,
        article("title-mention", "Kinesiology Basics", "An introduction."),
    ]);
    let app = spawn_app_with_content(&content).await;
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology&sort=relevance")
            .await,
        vec!["title-mention", "body-mention"]
    );
    // The contract's default order holds with a search too: newest first.
    assert_eq!(
        app.list_slugs("/api/v1/articles?q=kinesiology").await,
        vec!["body-mention", "title-mention"]
    );
    // Relevance pages, with a tag: one match a page, in rank order.
    for (page, slug) in [(1, "title-mention"), (2, "body-mention")] {
        let list = app
            .get_ok(&format!(
                "/api/v1/articles?q=kinesiology&tag=alpha&sort=relevance&per_page=1&page={page}"
            ))
            .await;
        assert_eq!(crate::helpers::slugs(&list), vec![slug], "page {page}");
        assert_eq!(list["meta"]["total"], 2);
    }
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

/// SQLite drives a filtered list either by the sort index (dense matches)
/// or from the matches (sparse): both must give the same pages.
#[tokio::test]
async fn dense_and_sparse_filters_page_alike_whichever_way_they_are_driven() {
    let articles = (0..40)
        .map(|i| {
            let rare = i % 10 == 0;
            let mut a = article(
                &format!("post-{i:02}"),
                &format!("Post {i:02}"),
                if rare {
                    "common words and a zygote"
                } else {
                    "common words"
                },
            );
            a["published_at"] = json!(format!("2025-01-{:02}T00:00:00Z", i % 28 + 1));
            a["tags"] = if rare {
                json!(["alpha", "beta"])
            } else {
                json!(["alpha"])
            };
            a
        })
        .collect();
    let app = spawn_app_with_content(&content_file(articles)).await;
    let all = app.list_slugs("/api/v1/articles?per_page=100").await;
    assert_eq!(all.len(), 40);
    let rare: Vec<String> = all.iter().filter(|s| s.ends_with('0')).cloned().collect();
    assert_eq!(rare.len(), 4);
    for (query, expected) in [
        ("tag=alpha", &all),
        ("q=common", &all),
        ("q=common&tag=alpha", &all),
        ("tag=beta", &rare),
        ("q=zygote", &rare),
        ("q=zygote&tag=alpha", &rare),
    ] {
        // A whole page at once, and one article a page by cursor (a window
        // of two makes walking the index the cheaper drive for dense matches).
        let whole = app
            .list_slugs(&format!("/api/v1/articles?{query}&per_page=100"))
            .await;
        assert_eq!(&whole, expected, "{query}");
        let mut walked = Vec::new();
        let mut next = format!("/api/v1/articles?{query}&per_page=1");
        loop {
            let list = app.get_ok(&next).await;
            walked.extend(crate::helpers::slugs(&list));
            assert_eq!(list["meta"]["total"], expected.len(), "{query}");
            match list["meta"]["next_cursor"].as_str() {
                Some(cursor) => {
                    next = format!("/api/v1/articles?{query}&per_page=1&cursor={cursor}")
                }
                None => break,
            }
        }
        assert_eq!(&walked, expected, "{query}, by cursor");
    }
}

/// With many matches, a last word is tested as the exact terms it starts
/// (remembered until the next write) instead of as a prefix: the matches
/// must be the prefix's own, on every page, and follow writes at once.
#[tokio::test]
async fn a_last_word_matches_every_term_it_starts_even_when_expanded() {
    let articles = (0..240)
        .map(|i| {
            let body = match i % 40 {
                0 => "a commonplace remark",
                1 => "an uncommon remark",
                2 => "COMMONER and Common-sense",
                _ => "common words",
            };
            let mut a = article(&format!("post-{i:03}"), &format!("Post {i:03}"), body);
            a["published_at"] = json!(format!("2025-01-{:02}T00:00:{:02}Z", i % 28 + 1, i % 60));
            a
        })
        .collect();
    let app = spawn_app_with_content(&content_file(articles)).await;
    let all = app.list_slugs("/api/v1/articles?per_page=100&page=1").await;
    let mut all = [
        all,
        app.list_slugs("/api/v1/articles?per_page=100&page=2").await,
        app.list_slugs("/api/v1/articles?per_page=100&page=3").await,
    ]
    .concat();
    assert_eq!(all.len(), 240);
    let uncommon: Vec<String> = (0..240)
        .filter(|i| i % 40 == 1)
        .map(|i| format!("post-{i:03}"))
        .collect();
    all.retain(|slug| !uncommon.contains(slug));
    // The first pages one article at a time (the window that makes testing
    // each article the cheapest drive), then the rest by offset pages.
    let mut walked = Vec::new();
    let mut next = "/api/v1/articles?q=common&per_page=1".to_string();
    for _ in 0..12 {
        let list = app.get_ok(&next).await;
        assert_eq!(list["meta"]["total"], all.len());
        walked.extend(crate::helpers::slugs(&list));
        let cursor = list["meta"]["next_cursor"].as_str().unwrap();
        next = format!("/api/v1/articles?q=common&per_page=1&cursor={cursor}");
    }
    assert_eq!(walked, all[..12]);
    let mut paged = Vec::new();
    for page in 1..=3 {
        paged.extend(
            app.list_slugs(&format!(
                "/api/v1/articles?q=common&per_page=100&page={page}"
            ))
            .await,
        );
    }
    assert_eq!(paged, all);
    // A term the index did not hold when the prefix was expanded.
    let token = app.admin_token().await;
    app.create_article(
        &token,
        &json!({"title": "Newest", "body": {"markdown": "The commonwealth of clinics."}, "status": "published"}),
    )
    .await;
    let list = app.get_ok("/api/v1/articles?q=common&per_page=1").await;
    assert_eq!(list["meta"]["total"], all.len() + 1);
    assert_eq!(crate::helpers::slugs(&list), vec!["newest"]);
}
