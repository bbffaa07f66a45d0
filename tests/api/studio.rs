//! The studio is served from the binary: the page revalidated with a
//! strong ETag, its files under a version (cached for a year, compressed),
//! all under a strict Content-Security-Policy. (Its behaviour is tested in
//! a real browser: clients/browser/studio.mjs.)

use reqwest::StatusCode;

use crate::helpers::spawn_app;

const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

#[tokio::test]
async fn the_studio_is_served_versioned_cached_and_under_a_strict_policy() {
    let app = spawn_app().await;
    let res = app.get("/studio/").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-security-policy"], CSP);
    assert_eq!(res.headers()["cache-control"], "no-cache");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert!(etag.starts_with('"'), "strong: {etag}");
    let page = res.text().await.unwrap();
    assert!(
        !page.contains("<script>") && !page.contains("style="),
        "nothing inline"
    );
    let script = page
        .split('"')
        .find(|s| s.starts_with("/studio/") && s.ends_with("/app.js"))
        .expect("the versioned app.js")
        .to_string();

    let again = app
        .client
        .get(app.url("/studio/"))
        .header("If-None-Match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    let js = app
        .client
        .get(app.url(&script))
        .header("Accept-Encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(js.status(), StatusCode::OK);
    assert_eq!(
        js.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(js.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    assert_eq!(js.headers()["content-security-policy"], CSP);
    assert_eq!(js.headers()["content-encoding"], "gzip");
    // Every module the app imports is served beside it.
    let body = app.get(&script).await.text().await.unwrap();
    for module in ["./api.js", "./dom.js", "./editor.js"] {
        assert!(body.contains(module), "{module}");
        let path = script.replace("/app.js", &module[1..]);
        assert_eq!(app.get(&path).await.status(), StatusCode::OK, "{path}");
    }
    // Another build's files are not this one's.
    let old = "/studio/000000000000/app.js";
    assert_eq!(app.get(old).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&script.replace("app.js", "nothing.js"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}
