//! The OpenAPI document: info and tags here, paths and schemas from the handlers.

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::AppExt;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "clinic-cms",
        description = "A headless CMS serving a health clinic's articles, massage types, \
treatments, FAQs and tags as structured JSON. Public reads need no authentication and \
return only published content. Lists are `{\"data\": [...], \"meta\": {...}}`, items \
`{\"data\": {...}}`, errors RFC 9457 problem+json.",
        license(name = "MIT", identifier = "MIT")
    ),
    servers((url = "/", description = "The server that serves this document")),
    modifiers(&BearerAuth),
    // Reached only through the recursive Block schema, which utoipa does not walk.
    // ArticleSort is named by query parameters, whose schemas utoipa does not collect.
    components(schemas(crate::error::Problem, crate::render::Block, crate::render::ListItem, crate::render::Span, crate::render::Mark, crate::routes::articles::SortParam)),
    tags(
        (name = "articles", description = "Published articles, with bodies as Markdown, sanitized HTML and typed blocks"),
        (name = "massage-types", description = "The reusable massage types table"),
        (name = "treatments", description = "The reusable treatment comparison table"),
        (name = "faqs", description = "Frequently asked questions"),
        (name = "tags", description = "Tags and their article counts"),
        (name = "site", description = "The site itself"),
        (name = "auth", description = "Log in, refresh and log out; tokens for the editor API"),
        (name = "admin: articles", description = "Drafts, publishing, scheduling and revisions"),
        (name = "admin: massage types", description = "Editing the massage types table"),
        (name = "admin: treatments", description = "Editing the treatment comparison"),
        (name = "admin: faqs", description = "Editing FAQs"),
        (name = "admin: tags", description = "Editing tags"),
        (name = "admin: users", description = "Accounts and roles (admins)"),
        (name = "admin: site", description = "Site settings (admins)"),
        (name = "admin: activity", description = "Who did what, newest first"),
        (name = "operations", description = "Health, readiness and this document")
    )
)]
struct ApiDoc;

/// The `bearer` scheme the editor endpoints name: an access token from `/auth/login`.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("An access token from POST /api/v1/auth/login"))
                    .build(),
            ),
        );
    }
}

/// The whole document, as the routes declare it, with what the contract
/// says of every operation (applied after the routes are in).
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::routes::configure)
        .split_for_parts();
    crate::openapi_contract::Contract.modify(&mut api);
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
