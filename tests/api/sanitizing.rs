//! Untrusted Markdown loses every script, handler and dangerous URL on the way in.

use serde_json::json;

use crate::helpers::{article, content_file, spawn_app_with_content};

const HOSTILE: &str = r#"Intro with <script>alert('x')</script> inline.

<script>document.cookie</script>

<img src="x.png" onerror="alert(1)">

<a href="javascript:alert(1)" onclick="steal()">click</a> and [md link](javascript:alert(2)) and [data](data:text/html;base64,PHNjcmlwdD4=)

<iframe src="https://evil.example"></iframe>

![pixel](javascript:alert(3))

[fine](https://example.com/ok)
"#;

#[tokio::test]
async fn scripts_handlers_and_javascript_urls_never_reach_readers() {
    let mut hostile = article("hostile", "Hostile", HOSTILE);
    hostile["faqs"] = json!([{"question": "Q?", "answer": "<script>x()</script>\n\n[a](javascript:y()) <b onmouseover=\"z()\">b</b>"}]);
    let app = spawn_app_with_content(&content_file(vec![hostile])).await;
    let article = app.get_article("hostile").await;
    let html = article["body"]["html"].as_str().unwrap();
    let blocks = article["body"]["blocks"].to_string();
    let faq_html = article["faqs"][0]["answer"]["html"].as_str().unwrap();
    for rendered in [html, blocks.as_str(), faq_html] {
        let lower = rendered.to_lowercase();
        for bad in [
            "<script",
            "onerror",
            "onclick",
            "javascript:",
            "data:text",
            "<iframe",
            "alert(1)",
            "onmouseover",
        ] {
            assert!(!lower.contains(bad), "{bad} survived in {rendered}");
        }
    }
    assert!(html.contains(r#"href="https://example.com/ok""#), "{html}");
    assert!(html.contains("rel=\"noopener noreferrer\""), "{html}");
    // The author's Markdown is kept as written, for editing; only the output is cleaned.
    assert!(article["body"]["markdown"]
        .as_str()
        .unwrap()
        .contains("<script>"));
}
