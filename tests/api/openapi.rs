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

fn schema<'a>(doc: &'a Value, name: &str) -> &'a Value {
    &doc["components"]["schemas"][name]
}

/// What generators need of the document (each line a defect once found by
/// openapi-python-client, openapi-typescript, redocly or schemathesis).
#[test]
fn generators_get_named_unions_references_and_exact_types() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    // Unions are discriminated sets of named schemas, never inline.
    for (union, property, some_variant) in [
        ("Block", "type", "HeadingBlock"),
        ("JsonLdNode", "@type", "ArticleLd"),
    ] {
        let s = schema(&doc, union);
        assert_eq!(s["discriminator"]["propertyName"], property, "{union}");
        let variants = s["oneOf"].as_array().unwrap();
        assert!(
            variants.iter().all(|v| v.get("$ref").is_some()),
            "{union}: {s}"
        );
        assert!(variants
            .iter()
            .any(|v| v["$ref"].as_str().unwrap().ends_with(some_variant)));
    }
    // Envelopes reference their payload.
    assert_eq!(
        schema(&doc, "Item_Faq")["properties"]["data"]["$ref"],
        "#/components/schemas/Faq"
    );
    assert_eq!(
        schema(&doc, "List_ArticleSummary")["properties"]["data"]["items"]["$ref"],
        "#/components/schemas/ArticleSummary"
    );
    // Exact types: readers always get a publication time; a title is never null.
    let summary = schema(&doc, "ArticleSummary");
    assert!(summary["required"]
        .as_array()
        .unwrap()
        .contains(&Value::from("published_at")));
    assert_eq!(summary["properties"]["published_at"]["type"], "string");
    assert_eq!(
        schema(&doc, "ArticlePatch")["properties"]["title"]["type"],
        "string"
    );
    assert_eq!(
        schema(&doc, "ArticleContent")["properties"]["json_ld"]["$ref"],
        "#/components/schemas/JsonLd"
    );
    for enumerated in ["ArticleStatus", "Role", "ArticleSort"] {
        assert!(schema(&doc, enumerated)["enum"].is_array(), "{enumerated}");
    }
    assert_eq!(
        schema(&doc, "ArticleSort")["x-enum-varnames"][0],
        "PUBLISHED_AT_DESC"
    );
    // Slugs carry their pattern, required text a minimum length.
    let create = schema(&doc, "ArticleCreate");
    assert_eq!(
        create["properties"]["tags"]["items"]["pattern"],
        "^[a-z0-9]+(-[a-z0-9]+)*$"
    );
    assert_eq!(create["properties"]["title"]["minLength"], 1);
    // An optional body is the schema itself, not required.
    let publish = &doc["paths"]["/api/v1/admin/articles/{id}/publish"]["post"];
    assert_eq!(publish["requestBody"]["required"], false);
    assert_eq!(
        publish["requestBody"]["content"]["application/json"]["schema"]["$ref"],
        "#/components/schemas/PublishRequest"
    );
    assert!(publish["parameters"].to_string().contains("If-Match"));
    // Servers and a license generators and linters accept.
    assert!(doc["servers"][0]["url"].is_string());
    assert_eq!(doc["info"]["license"]["identifier"], "MIT");
}

#[test]
fn every_operation_declares_its_headers_statuses_and_security() {
    let doc: Value = serde_json::from_str(COMMITTED).unwrap();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let name = format!("{} {path}", method.to_uppercase());
            assert!(op["security"].is_array(), "{name}: security");
            let responses = op["responses"].as_object().unwrap();
            for (status, response) in responses {
                assert!(
                    response["headers"].get("X-Request-Id").is_some(),
                    "{name} {status}: X-Request-Id"
                );
                if status == "429" || status == "503" {
                    assert!(
                        response["headers"].get("Retry-After").is_some(),
                        "{name} {status}"
                    );
                }
                if status == "201" {
                    assert!(response["headers"].get("Location").is_some(), "{name}");
                }
            }
            if op.get("requestBody").is_some() {
                for status in ["400", "408", "413", "415", "422"] {
                    assert!(responses.contains_key(status), "{name}: {status}");
                }
            }
            if path.starts_with("/api/v1/preview/") {
                // A draft for a token's holder: anonymous to the document,
                // refused without the token, never conditional or cached.
                assert_eq!(op["security"], Value::Array(vec![]), "{name}");
                assert!(responses.contains_key("401"), "{name}: 401");
                assert!(!responses.contains_key("304"), "{name}: no 304");
                continue;
            }
            let public_read = method == "get"
                && !path.starts_with("/api/v1/admin")
                && !path.starts_with("/api/v1/auth")
                && !matches!(path.as_str(), "/healthz" | "/readyz");
            if public_read {
                // Images nobody published yet: an editor's token sees them.
                let security = if path.starts_with("/media/") {
                    serde_json::json!([{}, {"bearer": []}])
                } else {
                    Value::Array(vec![])
                };
                assert_eq!(op["security"], security, "{name}");
                assert!(responses.contains_key("304"), "{name}: 304");
                assert!(
                    responses["200"]["headers"].get("ETag").is_some(),
                    "{name}: ETag"
                );
                assert!(
                    op["parameters"].to_string().contains("If-None-Match"),
                    "{name}"
                );
            }
            if path.starts_with("/api/v1") {
                assert!(responses.contains_key("503"), "{name}: 503");
            }
        }
    }
    let login = &doc["paths"]["/api/v1/auth/login"]["post"]["responses"];
    assert!(login.get("429").is_some());
}
