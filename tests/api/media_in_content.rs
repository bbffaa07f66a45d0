//! Images in articles: a cover and library images in Markdown, shown to
//! readers as image objects, `<picture>`s, `image` blocks and JSON-LD;
//! alt text required at publication; images in use cannot be deleted.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, problem_fields, spawn_app, TestApp};
use crate::images::*;

async fn upload(app: &TestApp, token: &str, name: &str, bytes: Vec<u8>, alt: &str) -> i64 {
    let res = app.upload(token, name, bytes, &[("alt", alt)]).await;
    assert_eq!(res.status(), StatusCode::CREATED, "upload {name}");
    res.json::<Value>().await.unwrap()["data"]["id"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn an_article_shows_its_cover_and_body_images_to_readers() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let cover = upload(
        &app,
        &token,
        "cover.jpg",
        phone_jpeg(2400, 1600),
        "A therapist working on a client's shoulders",
    )
    .await;
    let inline = upload(&app, &token, "chart.png", png_with_alpha(900, 600), "").await;
    let body = format!("Posture matters.\n\n![Posture chart]( media:{inline} )\n\nMore text.");
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "Posture and images", "cover": cover, "body": {"markdown": body}}),
        )
        .await;

    // A draft's images stay private.
    let (item, _) = app
        .get_item(&format!("/api/v1/admin/media/{cover}"), &token)
        .await;
    let src = item["data"]["image"]["src"].as_str().unwrap().to_string();
    assert_eq!(app.get(&src).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(item["data"]["used_by"][0]["kind"], "article");

    let res = app.publish(&token, id, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let article = app.get_article("posture-and-images").await;

    let cover_image = &article["cover"];
    assert_eq!(cover_image["id"], cover);
    assert_eq!(
        (
            cover_image["width"].as_i64(),
            cover_image["height"].as_i64()
        ),
        (Some(1600), Some(2400))
    );
    assert_eq!(
        cover_image["alt"],
        "A therapist working on a client's shoulders"
    );
    assert_eq!(cover_image["focal_point"], json!({"x": 0.5, "y": 0.5}));
    assert!(cover_image["srcset"]
        .as_str()
        .unwrap()
        .contains("1280.jpg 1280w"));
    assert!(cover_image["sources"][0]["srcset"]
        .as_str()
        .unwrap()
        .contains("1600.webp 1600w"));

    let html = article["body"]["html"].as_str().unwrap();
    assert!(
        html.contains("<picture><source type=\"image/webp\""),
        "{html}"
    );
    assert!(html.contains("width=\"900\" height=\"600\" alt=\"Posture chart\" loading=\"lazy\" decoding=\"async\""), "{html}");
    assert!(!html.contains("media:"), "{html}");
    let block = article["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "image")
        .unwrap();
    assert_eq!(block["alt"], "Posture chart");
    assert_eq!(block["image"]["id"], inline);
    assert_eq!(block["image"]["width"], 900);
    assert_eq!(block["src"], block["image"]["src"]);
    let ld = &article["json_ld"]["@graph"][0];
    assert_eq!(ld["image"], cover_image["src"]);

    // Published, so public: anyone may fetch them now.
    assert_eq!(app.get(&src).await.status(), StatusCode::OK);
    let inline_src = block["src"].as_str().unwrap();
    assert_eq!(app.get(inline_src).await.status(), StatusCode::OK);

    // Lists show the cover too.
    let list = app.get_ok("/api/v1/articles").await;
    let listed = list["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["slug"] == "posture-and-images")
        .unwrap();
    assert_eq!(listed["cover"]["id"], cover);

    // A better description reaches the published page at once.
    let path = format!("/api/v1/admin/media/{inline}");
    let (_, etag) = app.get_item(&path, &token).await;
    let res = app
        .patch(
            &path,
            &token,
            &etag,
            &json!({"caption": "Good and poor posture"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let article = app.get_article("posture-and-images").await;
    let block = article["body"]["blocks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["type"] == "image")
        .unwrap();
    assert_eq!(block["image"]["caption"], "Good and poor posture");
}

#[tokio::test]
async fn publishing_needs_alt_text_or_decorative_on_every_image() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let bare = upload(&app, &token, "bare.webp", webp(400, 300), "").await;
    let (id, _) = app
        .create_article(
            &token,
            &json!({"title": "No alt", "body": {"markdown": format!("![](media:{bare})")}}),
        )
        .await;
    let res = app.publish(&token, id, None).await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem_fields(&problem), ["body.markdown"]);
    assert!(
        problem
            .to_string()
            .contains(&format!("media:{bare} (bare.webp)")),
        "{problem}"
    );
    assert_eq!(
        app.get("/api/v1/articles/no-alt").await.status(),
        StatusCode::NOT_FOUND
    );

    // A cover without alt text is refused the same way.
    let path = format!("/api/v1/admin/articles/{id}");
    let (_, etag) = app.get_item(&path, &token).await;
    let res = app
        .patch(
            &path,
            &token,
            &etag,
            &json!({"cover": bare, "status": "published"}),
        )
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert!(
        problem_fields(&problem).contains(&"cover".to_string()),
        "{problem}"
    );

    // Decorative is an answer: the image then has empty alt.
    let media = format!("/api/v1/admin/media/{bare}");
    let (_, etag) = app.get_item(&media, &token).await;
    let res = app
        .patch(&media, &token, &etag, &json!({"decorative": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let res = app.publish(&token, id, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = app.get_article("no-alt").await["body"]["html"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(html.contains("alt=\"\" loading=\"lazy\""), "{html}");

    // And cannot be taken back while a published article shows it.
    let (_, etag) = app.get_item(&media, &token).await;
    let res = app
        .patch(&media, &token, &etag, &json!({"decorative": false}))
        .await;
    let problem = assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(problem_fields(&problem), ["alt"]);
}

#[tokio::test]
async fn images_in_use_cannot_be_deleted_and_unknown_images_are_refused() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let cover = upload(&app, &token, "c.png", png_with_alpha(100, 100), "Logo").await;
    let (id, _) = app
        // An id written as JSON's `7.0` is the integer 7.
        .create_article(
            &token,
            &json!({"title": "Uses a cover", "cover": cover as f64}),
        )
        .await;

    let media = format!("/api/v1/admin/media/{cover}");
    let (_, etag) = app.get_item(&media, &token).await;
    let res = app.delete(&media, &token, &etag).await;
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("Uses a cover"),
        "{problem}"
    );

    for body in [
        json!({"cover": 999_999}),
        json!({"body": {"markdown": "![x](media:424242)"}}),
    ] {
        let path = format!("/api/v1/admin/articles/{id}");
        let (_, etag) = app.get_item(&path, &token).await;
        let res = app.patch(&path, &token, &etag, &body).await;
        assert_problem(res, StatusCode::NOT_FOUND).await;
    }

    // Once the article lets go of it, it can go.
    let path = format!("/api/v1/admin/articles/{id}");
    let (_, etag) = app.get_item(&path, &token).await;
    let res = app
        .patch(&path, &token, &etag, &json!({"cover": null}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, etag) = app.get_item(&media, &token).await;
    assert_eq!(
        app.delete(&media, &token, &etag).await.status(),
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn tables_and_bylines_show_their_pictures() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let photo = upload(
        &app,
        &token,
        "swedish.jpg",
        phone_jpeg(800, 600),
        "Long strokes on a client's back",
    )
    .await;
    let portrait = upload(
        &app,
        &token,
        "me.png",
        png_with_alpha(300, 300),
        "The clinic's admin",
    )
    .await;
    let bare = upload(&app, &token, "bare.webp", webp(64, 64), "").await;

    // A massage type with a picture: readers see the image object.
    let (row, etag) = app.get_item("/api/v1/admin/massage-types/1", &token).await;
    let slug = row["data"]["slug"].as_str().unwrap().to_string();
    let res = app
        .patch(
            "/api/v1/admin/massage-types/1",
            &token,
            &etag,
            &json!({"image": bare}),
        )
        .await;
    // Well formed, but the image is not ready to be shown: a conflict with its state.
    let problem = assert_problem(res, StatusCode::CONFLICT).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("alt text"),
        "{problem}"
    );
    let res = app
        .patch(
            "/api/v1/admin/massage-types/1",
            &token,
            &etag,
            &json!({"image": photo}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let public = app.get_ok(&format!("/api/v1/massage-types/{slug}")).await;
    assert_eq!(public["data"]["image"]["id"], photo);
    assert_eq!(
        public["data"]["image"]["alt"],
        "Long strokes on a client's back"
    );
    let src = public["data"]["image"]["src"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&src).await.status(),
        StatusCode::OK,
        "shown in a public table: public"
    );
    let article = app.get_article(crate::helpers::SAMPLE_SLUG).await;
    let shown = article["massage_types"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slug"] == slug.as_str())
        .unwrap();
    assert_eq!(shown["image"]["id"], photo);

    // The admin's picture beside the sample article's byline.
    let me: Value = app
        .get_auth("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    let me_path = format!("/api/v1/admin/users/{}", me["data"]["id"]);
    let (_, etag) = app.get_item(&me_path, &token).await;
    let res = app
        .patch(&me_path, &token, &etag, &json!({"avatar": portrait}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let me: Value = app
        .get_auth("/api/v1/auth/me", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["data"]["avatar"]["id"], portrait);
    let avatar_src = me["data"]["avatar"]["src"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&avatar_src).await.status(),
        StatusCode::NOT_FOUND,
        "no published byline yet"
    );
    let (id, _) = app
        .create_article(&token, &json!({"title": "By the admin"}))
        .await;
    assert_eq!(app.publish(&token, id, None).await.status(), StatusCode::OK);
    let article = app.get_article("by-the-admin").await;
    assert_eq!(article["author"]["avatar"]["id"], portrait);
    assert_eq!(
        app.get(&avatar_src).await.status(),
        StatusCode::OK,
        "a published author's picture is public"
    );

    // In use as a table picture and an avatar: not deletable.
    for id in [photo, portrait] {
        let path = format!("/api/v1/admin/media/{id}");
        let (_, etag) = app.get_item(&path, &token).await;
        assert_problem(app.delete(&path, &token, &etag).await, StatusCode::CONFLICT).await;
    }
}
