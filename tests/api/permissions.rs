//! The permission matrix of the contract, walked role by role.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::{spawn_app, TestApp};

/// What each role gets for one action: (author, reviewer, editor, admin).
struct Row {
    action: &'static str,
    expect: [u16; 4],
}

async fn attempt(
    app: &TestApp,
    action: &str,
    (token, admin): (&str, &str),
    own_id: i64,
    admin_draft: i64,
    n: usize,
) -> u16 {
    let unique = format!("{action}-{n}").replace(' ', "-");
    let res = match action {
        "list articles" => app.get_auth("/api/v1/admin/articles", token).await,
        "read an article" => {
            app.get_auth(&format!("/api/v1/admin/articles/{admin_draft}"), token)
                .await
        }
        "create a draft" => {
            app.post("/api/v1/admin/articles", token, &json!({"title": unique}))
                .await
        }
        "create published" => {
            app.post(
                "/api/v1/admin/articles",
                token,
                &json!({"title": unique, "status": "published"}),
            )
            .await
        }
        "edit own draft" => {
            app.patch(
                &format!("/api/v1/admin/articles/{own_id}"),
                token,
                "*",
                &json!({"excerpt": unique}),
            )
            .await
        }
        "edit another's draft" => {
            app.patch(
                &format!("/api/v1/admin/articles/{admin_draft}"),
                token,
                "*",
                &json!({"excerpt": unique}),
            )
            .await
        }
        "publish" => {
            app.send(
                Method::POST,
                &format!("/api/v1/admin/articles/{own_id}/publish"),
                Some(token),
                None,
                None,
            )
            .await
        }
        "unpublish" => {
            app.send(
                Method::POST,
                "/api/v1/admin/articles/1/unpublish",
                Some(token),
                None,
                None,
            )
            .await
        }
        "edit a published article" => {
            app.patch(
                "/api/v1/admin/articles/2",
                token,
                "*",
                &json!({"excerpt": unique}),
            )
            .await
        }
        "delete another's draft" => {
            app.delete(&format!("/api/v1/admin/articles/{admin_draft}"), token, "*")
                .await
        }
        "create a massage type" => {
            app.post(
                "/api/v1/admin/massage-types",
                token,
                &json!({"name": unique}),
            )
            .await
        }
        "create a treatment" => {
            app.post("/api/v1/admin/treatments", token, &json!({"name": unique}))
                .await
        }
        "create a tag" => {
            app.post("/api/v1/admin/tags", token, &json!({"name": unique}))
                .await
        }
        "create a standalone faq" => {
            app.post(
                "/api/v1/admin/faqs",
                token,
                &json!({"question": unique, "answer": {"markdown": "A."}}),
            )
            .await
        }
        "read activity" => app.get_auth("/api/v1/admin/activity", token).await,
        "list users" => app.get_auth("/api/v1/admin/users", token).await,
        "create a user" => {
            let body = json!({"email": format!("{unique}@clinic.test"), "name": "N", "password": "a long enough password", "role": "author"});
            app.post("/api/v1/admin/users", token, &body).await
        }
        "change the site" => {
            app.patch(
                "/api/v1/admin/site",
                token,
                "*",
                &json!({"description": unique}),
            )
            .await
        }
        "submit own draft" => {
            let path = format!("/api/v1/admin/articles/{own_id}/submit");
            app.post(&path, token, &json!({})).await
        }
        "approve a submitted article" | "request changes" => {
            let submit = format!("/api/v1/admin/articles/{admin_draft}/submit");
            assert_eq!(app.post(&submit, admin, &json!({})).await.status(), 200);
            let (step, body) = match action {
                "request changes" => ("request-changes", json!({"note": "Cite it."})),
                _ => ("approve", json!({})),
            };
            let path = format!("/api/v1/admin/articles/{admin_draft}/{step}");
            app.post(&path, token, &body).await
        }
        "read the review queue" => app.get_auth("/api/v1/admin/review-queue", token).await,
        "create a profile" => {
            app.post("/api/v1/admin/people", token, &json!({"name": unique}))
                .await
        }
        "make a preview link" => {
            let path = format!("/api/v1/admin/articles/{admin_draft}/preview");
            app.post(&path, token, &json!({})).await
        }
        other => panic!("unknown action {other}"),
    };
    res.status().as_u16()
}

#[tokio::test]
async fn each_role_gets_exactly_what_the_contract_allows() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, author) = app.user_with_role("author").await;
    let (_, reviewer) = app.user_with_role("reviewer").await;
    let (_, editor) = app.user_with_role("editor").await;
    let tokens = [author, reviewer, editor, admin.clone()];
    let rows = [
        Row {
            action: "list articles",
            expect: [200, 200, 200, 200],
        },
        Row {
            action: "read an article",
            expect: [200, 200, 200, 200],
        },
        Row {
            action: "create a draft",
            expect: [201, 403, 201, 201],
        },
        Row {
            action: "create published",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "edit own draft",
            expect: [200, 403, 200, 200],
        },
        Row {
            action: "edit another's draft",
            expect: [403, 403, 200, 200],
        },
        Row {
            action: "edit a published article",
            expect: [403, 403, 200, 200],
        },
        Row {
            action: "publish",
            expect: [403, 403, 200, 200],
        },
        Row {
            action: "unpublish",
            expect: [403, 403, 200, 200],
        },
        Row {
            action: "create a massage type",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "create a treatment",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "create a tag",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "create a standalone faq",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "read activity",
            expect: [200, 200, 200, 200],
        },
        Row {
            action: "list users",
            expect: [403, 403, 403, 200],
        },
        Row {
            action: "create a user",
            expect: [403, 403, 403, 201],
        },
        Row {
            action: "change the site",
            expect: [403, 403, 403, 200],
        },
        Row {
            action: "submit own draft",
            expect: [200, 403, 200, 200],
        },
        Row {
            action: "approve a submitted article",
            expect: [403, 200, 200, 200],
        },
        Row {
            action: "request changes",
            expect: [403, 200, 200, 200],
        },
        Row {
            action: "read the review queue",
            expect: [200, 200, 200, 200],
        },
        Row {
            action: "create a profile",
            expect: [403, 403, 201, 201],
        },
        Row {
            action: "make a preview link",
            expect: [201, 201, 201, 201],
        },
        Row {
            action: "delete another's draft",
            expect: [403, 403, 204, 204],
        },
    ];
    let mut n = 0;
    for row in &rows {
        for (role, (token, expected)) in ["author", "reviewer", "editor", "admin"]
            .iter()
            .zip(tokens.iter().zip(row.expect))
        {
            n += 1;
            // Fresh articles per attempt so one role's change never decides
            // another's. A reviewer writes no article: its "own" is the admin's.
            let (admin_draft, _) = app
                .create_article(&admin, &json!({"title": format!("admin's {n}")}))
                .await;
            let own_id = if *role == "reviewer" {
                app.create_article(&admin, &json!({"title": format!("own {n}")}))
                    .await
                    .0
            } else {
                app.create_article(token, &json!({"title": format!("own {n}")}))
                    .await
                    .0
            };
            let got = attempt(&app, row.action, (token, &admin), own_id, admin_draft, n).await;
            assert_eq!(got, expected, "{role}: {}", row.action);
        }
    }
}

#[tokio::test]
async fn authors_write_faqs_only_on_their_own_drafts_and_cannot_delete_published_work() {
    let app = spawn_app().await;
    let (_, author) = app.user_with_role("author").await;
    let (_, editor) = app.user_with_role("editor").await;
    let (own, _) = app
        .create_article(&author, &json!({"title": "Author draft"}))
        .await;
    let slug: Value = app
        .get_auth(&format!("/api/v1/admin/articles/{own}"), &author)
        .await
        .json()
        .await
        .unwrap();
    let slug = slug["data"]["slug"].as_str().unwrap().to_string();
    let faq = json!({"question": "Q?", "answer": {"markdown": "A."}, "article": slug});
    assert_eq!(
        app.post("/api/v1/admin/faqs", &author, &faq).await.status(),
        StatusCode::CREATED
    );
    let sample_faq = json!({"question": "Q?", "answer": {"markdown": "A."}, "article": crate::helpers::SAMPLE_SLUG});
    assert_eq!(
        app.post("/api/v1/admin/faqs", &author, &sample_faq)
            .await
            .status(),
        StatusCode::FORBIDDEN
    );

    // Once an editor publishes it, the author can no longer change or delete it.
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/admin/articles/{own}/publish"),
            Some(&editor),
            None,
            None,
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        app.delete(&format!("/api/v1/admin/articles/{own}"), &author, "*")
            .await
            .status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        app.post("/api/v1/admin/faqs", &author, &faq).await.status(),
        StatusCode::FORBIDDEN
    );
}
