//! The OpenAPI document comes from the code, is committed, served, and cannot drift.

use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::spawn_app;

const COMMITTED: &str = include_str!("../../openapi/openapi.json");

#[test]
fn the_committed_document_matches_the_code() {
    let generated = clinic_cms::openapi::document_json();
    assert!(
        generated == COMMITTED,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
}

#[test]
fn the_openapi_command_prints_the_committed_document() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_clinic-cms"))
        .arg("openapi")
        .env("RUST_LOG", "off")
        .output()
        .expect("run clinic-cms openapi");
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), COMMITTED);
}

#[tokio::test]
async fn the_served_document_is_the_committed_one() {
    let app = spawn_app().await;
    let res = app.get("/openapi.json").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.text().await.unwrap(), COMMITTED);
}

#[test]
fn the_document_is_openapi_3_1_and_describes_every_public_endpoint() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for (path, operation_id) in [
        ("/api/v1/articles", "list_articles"),
        ("/api/v1/articles/{slug}", "find_article"),
        ("/api/v1/massage-types", "list_massage_types"),
        ("/api/v1/massage-types/{slug}", "find_massage_type"),
        ("/api/v1/treatments", "list_treatments"),
        ("/api/v1/treatments/{slug}", "find_treatment"),
        ("/api/v1/faqs", "list_faqs"),
        ("/api/v1/tags", "list_tags"),
        ("/api/v1/site", "find_site"),
        ("/healthz", "healthz"),
        ("/readyz", "readyz"),
        ("/openapi.json", "openapi_json"),
    ] {
        let get = &paths[path]["get"];
        assert_eq!(get["operationId"], operation_id, "{path}");
        for (status, response) in get["responses"].as_object().unwrap() {
            assert!(
                response["description"].as_str().is_some(),
                "{path} {status} has no description"
            );
        }
    }
    let params: Vec<&str> = paths["/api/v1/articles"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    for name in ["page", "per_page", "tag", "q", "sort"] {
        assert!(params.contains(&name), "list_articles lacks {name}");
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for schema in [
        "Problem",
        "Block",
        "PublicArticle",
        "ArticleSummary",
        "MassageType",
        "Treatment",
        "Faq",
    ] {
        assert!(schemas.contains_key(schema), "no {schema} schema");
    }
}

#[tokio::test]
async fn interactive_docs_are_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.get("/docs").await;
    assert!(res.status().is_redirection());
    let page = app.get("/docs/").await;
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains("swagger-ui"), "{html}");
    assert!(
        !html.contains("cdn"),
        "the docs must not load assets from a CDN"
    );
    let init = app.get("/docs/swagger-initializer.js").await;
    assert_eq!(init.status(), StatusCode::OK);
    assert!(init.text().await.unwrap().contains("/openapi.json"));
    let bundle = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.unwrap().len() > 100_000);
}

fn collect_refs(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r.clone());
            }
            map.values().for_each(|v| collect_refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}

#[test]
fn every_schema_reference_resolves() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(!refs.is_empty());
    for r in refs {
        let name = r
            .strip_prefix("#/components/schemas/")
            .expect("a schema ref");
        assert!(
            doc["components"]["schemas"].get(name).is_some(),
            "{r} does not resolve"
        );
    }
}
