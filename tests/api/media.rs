//! The media library over HTTP: uploads of each type and each refusal,
//! metadata stripped from every served byte, variants, serving headers,
//! who may see what.

use reqwest::StatusCode;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{assert_problem, spawn_app, spawn_app_with, TestApp};
use crate::images::*;

/// Every URL of an image object: its `src` and each `srcset` candidate.
fn image_urls(image: &Value) -> Vec<String> {
    let mut urls = vec![image["src"].as_str().unwrap().to_string()];
    for source in image["sources"].as_array().unwrap() {
        for candidate in source["srcset"].as_str().unwrap().split(", ") {
            urls.push(candidate.split(' ').next().unwrap().to_string());
        }
    }
    urls.sort();
    urls.dedup();
    urls
}

async fn fetch(app: &TestApp, url: &str, token: Option<&str>) -> reqwest::Response {
    let mut req = app.client.get(app.url(url));
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    req.send().await.unwrap()
}

async fn make_public(app: &TestApp, token: &str, id: i64) {
    let path = format!("/api/v1/admin/media/{id}");
    let (_, etag) = app.get_item(&path, token).await;
    let res = app
        .patch(&path, token, &etag, &json!({"public": true}))
        .await;
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_phone_photo_is_turned_upright_stripped_and_served_in_every_width() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let upload = phone_jpeg(1200, 800);
    let item = app.upload_ok(&token, "clinic.jpg", upload.clone()).await;

    // Orientation 6: stored 1200 × 800, shown 800 × 1200.
    assert_eq!(
        (item["width"].as_i64(), item["height"].as_i64()),
        (Some(800), Some(1200))
    );
    assert_eq!(item["type"], "image/jpeg");
    assert_eq!(item["hash"], hex::encode(Sha256::digest(&upload)));
    assert_eq!(item["filename"], "clinic.jpg");
    assert_eq!(item["needs_alt"], true);
    assert_eq!(item["focal_point"], json!({"x": 0.5, "y": 0.5}));
    let image = &item["image"];
    assert_eq!(image["sources"][0]["type"], "image/webp");
    assert_eq!(image["sources"][1]["type"], "image/jpeg");
    assert_eq!(
        image["sources"][0]["srcset"]
            .as_str()
            .unwrap()
            .matches("w, ")
            .count()
            + 1,
        3,
        "320, 640 and the full 800: never upscaled"
    );

    let urls = image_urls(image);
    assert!(urls.contains(&item["url"].as_str().unwrap().to_string()));
    assert_eq!(urls.len(), 6, "{urls:?}");
    for url in &urls {
        let res = fetch(&app, url, Some(&token)).await;
        assert_eq!(res.status(), StatusCode::OK, "{url}");
        let bytes = res.bytes().await.unwrap();
        assert!(!contains(&bytes, GPS_SECRET), "GPS left in {url}");
        assert!(!contains(&bytes, b"Exif\0\0"), "EXIF left in {url}");
        let (w, h) = dimensions(&bytes);
        let expected_width: u32 = url
            .rsplit('/')
            .next()
            .unwrap()
            .split('.')
            .next()
            .unwrap()
            .parse()
            .unwrap_or(800);
        assert_eq!(w, expected_width, "{url}");
        assert_eq!(h, expected_width * 3 / 2, "{url} keeps the aspect ratio");
    }
}

#[tokio::test]
async fn images_nobody_published_are_not_served_to_the_public() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let item = app
        .upload_ok(&token, "draft.png", png_with_alpha(400, 300))
        .await;
    let src = item["image"]["src"].as_str().unwrap().to_string();

    let res = fetch(&app, &src, None).await;
    assert_problem(res, StatusCode::NOT_FOUND).await;
    let private = fetch(&app, &src, Some(&token)).await;
    assert_eq!(private.status(), StatusCode::OK);
    assert_eq!(private.headers()["cache-control"], "private, no-store");

    make_public(&app, &token, item["id"].as_i64().unwrap()).await;
    let public = fetch(&app, &src, None).await;
    assert_eq!(public.status(), StatusCode::OK);
    // Unknown hashes and files the image does not have are simply not found.
    let other = format!("/media/{}/320.webp", "0".repeat(64));
    assert_eq!(
        fetch(&app, &other, None).await.status(),
        StatusCode::NOT_FOUND
    );
    let wider = src.replace("original.png", "1920.webp");
    assert_eq!(
        fetch(&app, &wider, None).await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn served_bytes_are_immutable_conditional_and_ranged() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let item = app.upload_ok(&token, "p.jpg", phone_jpeg(700, 500)).await;
    make_public(&app, &token, item["id"].as_i64().unwrap()).await;
    let url = image_urls(&item["image"])
        .into_iter()
        .find(|u| u.ends_with("320.webp"))
        .unwrap();

    let res = fetch(&app, &url, None).await;
    assert_eq!(res.status(), StatusCode::OK);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "image/webp");
    assert_eq!(
        headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(headers["accept-ranges"], "bytes");
    let etag = headers["etag"].to_str().unwrap().to_string();
    assert!(
        etag.starts_with('"') && !etag.starts_with("W/"),
        "strong: {etag}"
    );
    let body = res.bytes().await.unwrap();
    assert_eq!(&body[..4], b"RIFF");

    let not_modified = app
        .client
        .get(app.url(&url))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(not_modified.headers()["etag"], etag.as_str());

    let part = app
        .client
        .get(app.url(&url))
        .header("Range", "bytes=4-11")
        .send()
        .await
        .unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 4-11/{}", body.len()).as_str()
    );
    assert_eq!(part.bytes().await.unwrap(), body.slice(4..12));

    let past = app
        .client
        .get(app.url(&url))
        .header("Range", format!("bytes={}-", body.len() + 10))
        .send()
        .await
        .unwrap();
    assert_eq!(past.status(), StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(
        past.headers()["content-range"],
        format!("bytes */{}", body.len()).as_str()
    );

    let head = app.client.head(app.url(&url)).send().await.unwrap();
    assert_eq!(head.status(), StatusCode::OK);
    assert_eq!(head.headers()["etag"], etag.as_str());
    assert_eq!(
        head.headers()["content-length"],
        body.len().to_string().as_str()
    );
    assert!(head.bytes().await.unwrap().is_empty());
}

#[tokio::test]
async fn each_accepted_type_is_stored_with_its_variants() {
    let app = spawn_app().await;
    let token = app.admin_token().await;

    let png = app
        .upload_ok(&token, "logo.png", png_with_alpha(1000, 500))
        .await;
    assert_eq!(png["type"], "image/png");
    let urls = image_urls(&png["image"]);
    assert!(urls.iter().any(|u| u.ends_with("/640.png")), "{urls:?}");
    assert!(urls.iter().any(|u| u.ends_with("/1000.webp")), "{urls:?}");
    assert!(
        urls.iter().any(|u| u.ends_with("/original.png")),
        "{urls:?}"
    );

    let webp = app.upload_ok(&token, "photo.webp", webp(500, 400)).await;
    assert_eq!(webp["type"], "image/webp");
    assert_eq!(webp["image"]["sources"].as_array().unwrap().len(), 1);

    let gif = app
        .upload_ok(&token, "wave.gif", animated_gif(64, 48, 3))
        .await;
    assert_eq!(gif["type"], "image/gif");
    assert_eq!(gif["animated"], true);
    let urls = image_urls(&gif["image"]);
    assert_eq!(
        urls.len(),
        1,
        "an animation is served as its original: {urls:?}"
    );
    let res = fetch(&app, &urls[0], Some(&token)).await;
    let bytes = res.bytes().await.unwrap();
    assert!(!contains(&bytes, GIF_SECRET), "the comment block is gone");
    let mut options = gif::DecodeOptions::new();
    options.set_color_output(gif::ColorOutput::RGBA);
    let mut decoder = options.read_info(std::io::Cursor::new(&bytes[..])).unwrap();
    let mut frames = 0;
    while decoder.read_next_frame().unwrap().is_some() {
        frames += 1;
    }
    assert_eq!(frames, 3, "still animated");
}

#[tokio::test]
async fn identical_bytes_are_one_item() {
    let app = spawn_app().await;
    let token = app.admin_token().await;
    let bytes = png_with_alpha(50, 50);
    let first = app.upload_ok(&token, "a.png", bytes.clone()).await;
    let again = app.upload(&token, "b.png", bytes, &[]).await;
    assert_eq!(again.status(), StatusCode::OK);
    let again: Value = again.json().await.unwrap();
    assert_eq!(again["data"]["id"], first["id"]);
    let list = app
        .get_auth("/api/v1/admin/media", &token)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 1);
}

#[tokio::test]
async fn uploads_that_are_not_images_we_take_are_refused_and_change_nothing() {
    let app = spawn_app_with(&[("MEDIA_MAX_MB", "1")]).await;
    let token = app.admin_token().await;

    for (name, bytes, status) in [
        (
            "x.jpg",
            b"hello, I am text".to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        (
            "x.svg",
            SVG_WITH_SCRIPT.to_vec(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ),
        ("bomb.png", png_bomb(), StatusCode::PAYLOAD_TOO_LARGE),
        (
            "cut.jpg",
            phone_jpeg(64, 64)[..700].to_vec(),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    ] {
        let res = app.upload(&token, name, bytes, &[]).await;
        let problem = assert_problem(res, status).await;
        assert!(problem["detail"].as_str().is_some(), "{name}: {problem}");
    }
    // Too big: refused as soon as the limit is passed; the server then
    // closes the connection, so a client still sending may see that first.
    let big: Vec<u8> = phone_jpeg(16, 16)
        .into_iter()
        .chain(vec![0u8; 1_100_000])
        .collect();
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(big).file_name("big.jpg"),
    );
    match app
        .client
        .post(app.url("/api/v1/admin/media"))
        .bearer_auth(&token)
        .multipart(form)
        .send()
        .await
    {
        Ok(res) => {
            assert_problem(res, StatusCode::PAYLOAD_TOO_LARGE).await;
        }
        Err(e) => assert!(e.is_request(), "{e}"),
    }
    // AVIF: an `ftyp avif` box.
    let mut avif = vec![0, 0, 0, 0x1c];
    avif.extend_from_slice(b"ftypavif\0\0\0\0avifmif1miaf");
    avif.resize(600, 0);
    let res = app.upload(&token, "a.avif", avif, &[]).await;
    let problem = assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    assert!(
        problem["detail"].as_str().unwrap().contains("AVIF"),
        "{problem}"
    );

    // Not multipart at all.
    let res = app
        .post("/api/v1/admin/media", &token, &json!({"file": "x"}))
        .await;
    assert_problem(res, StatusCode::UNSUPPORTED_MEDIA_TYPE).await;
    // Two files, an unknown part, no file.
    let two = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(webp(8, 8)).file_name("a.webp"),
        )
        .part(
            "file",
            reqwest::multipart::Part::bytes(webp(9, 9)).file_name("b.webp"),
        );
    let res = app
        .client
        .post(app.url("/api/v1/admin/media"))
        .bearer_auth(&token)
        .multipart(two)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let res = app
        .upload(&token, "a.webp", webp(8, 8), &[("colour", "red")])
        .await;
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    let res = app
        .upload(&token, "a.webp", webp(8, 8), &[("decorative", "maybe")])
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let none = reqwest::multipart::Form::new().text("alt", "nothing");
    let res = app
        .client
        .post(app.url("/api/v1/admin/media"))
        .bearer_auth(&token)
        .multipart(none)
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::BAD_REQUEST).await;
    // Anonymous uploads never reach the body.
    let res = app
        .client
        .post(app.url("/api/v1/admin/media"))
        .multipart(
            reqwest::multipart::Form::new()
                .part("file", reqwest::multipart::Part::bytes(webp(8, 8))),
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, StatusCode::UNAUTHORIZED).await;

    let list: Value = app
        .get_auth("/api/v1/admin/media", &token)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0, "nothing was stored");
}

#[tokio::test]
async fn editors_describe_search_and_delete_media_and_authors_only_their_own() {
    let app = spawn_app().await;
    let admin = app.admin_token().await;
    let (_, author) = app.user_with_role("author").await;
    let (_, other_author) = app.user_with_role("author").await;
    let res = app
        .upload(
            &author,
            "Back stretch.jpg",
            phone_jpeg(300, 200),
            &[
                ("alt", "A therapist stretching a client's back"),
                ("credit", "Clinic staff"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let item: Value = res.json().await.unwrap();
    let item = &item["data"];
    assert_eq!(item["needs_alt"], false);
    assert_eq!(item["uploaded_by"]["name"], "A author");
    let path = format!("/api/v1/admin/media/{}", item["id"]);
    assert_eq!(location, path);

    // Search by alt text and credit, case-insensitively; `%` is literal.
    for (q, total) in [
        ("STRETCHING", 1),
        ("clinic staff", 1),
        ("knee", 0),
        ("%", 0),
    ] {
        let list: Value = app
            .get_auth(&format!("/api/v1/admin/media?q={}", urlencode(q)), &admin)
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(list["meta"]["total"], total, "q={q}");
    }

    let (_, etag) = app.get_item(&path, &admin).await;
    let res = app
        .patch(&path, &other_author, &etag, &json!({"caption": "mine now"}))
        .await;
    assert_problem(res, StatusCode::FORBIDDEN).await;
    let res = app
        .patch(
            &path,
            &author,
            &etag,
            &json!({"focal_point": {"x": 1.5, "y": 0.2}}),
        )
        .await;
    assert_problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = app
        .patch(
            &path,
            &author,
            &etag,
            &json!({"focal_point": {"x": 0.25, "y": 0.75}, "decorative": true}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(
        changed["data"]["image"]["focal_point"],
        json!({"x": 0.25, "y": 0.75})
    );
    assert_eq!(
        changed["data"]["image"]["alt"], "",
        "a decorative image has empty alt"
    );
    let res = app
        .patch(&path, &author, &etag, &json!({"caption": "stale"}))
        .await;
    assert_problem(res, StatusCode::PRECONDITION_FAILED).await;

    let (_, etag) = app.get_item(&path, &admin).await;
    let original = item["url"].as_str().unwrap().to_string();
    assert_eq!(
        fetch(&app, &original, Some(&admin)).await.status(),
        StatusCode::OK
    );
    let res = app.delete(&path, &admin, &etag).await;
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        app.get_auth(&path, &admin).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        fetch(&app, &original, Some(&admin)).await.status(),
        StatusCode::NOT_FOUND
    );
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// The server killed (`kill -9`) while it processes an upload: after a
/// restart no row names the image, no half-written file is left, and the
/// same upload then succeeds from scratch.
#[tokio::test]
async fn a_kill_during_an_upload_leaves_nothing_dangling() {
    use std::io::{BufRead, BufReader};
    use std::process::{Child, Command, Stdio};

    let dir = tempfile::tempdir().unwrap();
    let database_url = match crate::helpers::postgres_server() {
        Some(server) => crate::helpers::fresh_postgres_database(&server),
        None => format!("sqlite://{}", dir.path().join("crash.db").display()),
    };
    let media_dir = dir.path().join("media");
    let start = || -> (Child, String) {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut command = Command::new(env!("CARGO_BIN_EXE_clinic-cms"));
        command
            .env_clear()
            .env("DATABASE_URL", &database_url)
            .env("MEDIA_DIR", &media_dir)
            .env("BIND_ADDR", format!("127.0.0.1:{port}"))
            .env("ADMIN_EMAIL", crate::helpers::ADMIN_EMAIL)
            .env("ADMIN_PASSWORD", crate::helpers::ADMIN_PASSWORD)
            .env("JWT_SECRET", crate::helpers::JWT_SECRET)
            .env("RUST_LOG", "info")
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("start clinic-cms");
        let stderr = child.stderr.take().unwrap();
        let mut lines = BufReader::new(stderr).lines();
        assert!(
            lines
                .by_ref()
                .map_while(Result::ok)
                .any(|line| line.contains("clinic-cms is serving")),
            "the server never said it was serving"
        );
        std::thread::spawn(move || lines.for_each(drop));
        (child, format!("http://127.0.0.1:{port}"))
    };
    let client = reqwest::Client::new();
    let token = |base: String| {
        let client = client.clone();
        async move {
            let res = client
                .post(format!("{base}/api/v1/auth/login"))
                .json(&json!({"email": crate::helpers::ADMIN_EMAIL, "password": crate::helpers::ADMIN_PASSWORD}))
                .send()
                .await
                .unwrap();
            res.json::<Value>().await.unwrap()["data"]["access_token"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let photo = phone_jpeg(3000, 2000);
    let upload = |base: String, token: String| {
        let client = client.clone();
        let photo = photo.clone();
        async move {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(photo).file_name("big.jpg"),
            );
            client
                .post(format!("{base}/api/v1/admin/media"))
                .bearer_auth(token)
                .multipart(form)
                .send()
                .await
        }
    };

    let (mut child, base) = start();
    let admin = token(base.clone()).await;
    let pending = tokio::spawn(upload(base.clone(), admin));
    // The body is sent in a moment; the variants take far longer.
    tokio::time::sleep(std::time::Duration::from_millis(600)).await;
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(pending.await.unwrap().is_err(), "the upload was cut off");

    let (mut child, base) = start();
    let admin = token(base.clone()).await;
    let list: Value = client
        .get(format!("{base}/api/v1/admin/media"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["meta"]["total"], 0, "no row names the cut-off image");
    if media_dir.exists() {
        for folder in std::fs::read_dir(&media_dir).unwrap() {
            for file in std::fs::read_dir(folder.unwrap().path()).unwrap() {
                let name = file.unwrap().file_name().to_string_lossy().into_owned();
                assert!(!name.contains('#'), "a half-written file is left: {name}");
            }
        }
    }
    let res = upload(base.clone(), admin).await.unwrap();
    assert_eq!(
        res.status(),
        StatusCode::CREATED,
        "the same upload now succeeds"
    );
    child.kill().unwrap();
    child.wait().unwrap();
}
