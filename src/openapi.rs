//! The OpenAPI document: info and tags here, paths and schemas from the handlers.

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clinic-cms",
        description = "A headless CMS serving a health clinic's articles, massage types, \
treatments, FAQs and tags as structured JSON. Public reads need no authentication and \
return only published content. Lists are `{\"data\": [...], \"meta\": {...}}`, items \
`{\"data\": {...}}`, errors RFC 9457 problem+json.",
        license(name = "MIT")
    ),
    // Reached only through the recursive Block schema, which utoipa does not walk.
    components(schemas(crate::render::Block, crate::render::ListItem, crate::render::Span, crate::render::Mark)),
    tags(
        (name = "articles", description = "Published articles, with bodies as Markdown, sanitized HTML and typed blocks"),
        (name = "massage-types", description = "The reusable massage types table"),
        (name = "treatments", description = "The reusable treatment comparison table"),
        (name = "faqs", description = "Frequently asked questions"),
        (name = "tags", description = "Tags and their article counts"),
        (name = "site", description = "The site itself"),
        (name = "operations", description = "Health, readiness and this document")
    )
)]
struct ApiDoc;

/// The whole document, as the routes declare it.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    api
}

/// The document as served at `/openapi.json` and committed in `openapi/openapi.json`.
pub fn document_json() -> String {
    let mut json = document()
        .to_pretty_json()
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    json.push('\n');
    json
}
