//! What the contract says of every operation, written into the document once: headers, statuses, security.
//!
//! Handlers declare what is theirs (bodies, parameters, the statuses of
//! their own rules); what holds for every operation of a kind — every
//! response has `X-Request-Id`, every body can be too large or too slow,
//! every public read answers `304` — is declared here, so it cannot be
//! forgotten on one of them.

use utoipa::openapi::header::{Header, HeaderBuilder};
use utoipa::openapi::path::{Operation, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::RequestBody;
use utoipa::openapi::response::{Response, ResponseBuilder};
use utoipa::openapi::schema::{Schema, Type};
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{Content, ObjectBuilder, OpenApi, RefOr, Required};
use utoipa::Modify;

use crate::error::PROBLEM_JSON;

pub struct Contract;

impl Modify for Contract {
    fn modify(&self, api: &mut OpenApi) {
        for (path, item) in api.paths.paths.iter_mut() {
            let kind = Kind::of(path);
            let tag = tag_of(path);
            let operations = [
                (&mut item.get, Method::Get),
                (&mut item.post, Method::Write),
                (&mut item.patch, Method::Write),
                (&mut item.put, Method::Write),
                (&mut item.delete, Method::Write),
            ];
            for (operation, method) in operations {
                if let Some(operation) = operation.as_mut() {
                    operation.tags = Some(vec![tag.clone()]);
                    apply(operation, kind, method);
                }
            }
        }
    }
}

/// An operation's group is its resource, the path's first segment after
/// `/api/v1` (after `/api/v1/admin` for editors): `articles`,
/// `admin: massage types`; what is outside the API is `operations`.
fn tag_of(path: &str) -> String {
    let resource = |rest: &str| rest.split('/').next().unwrap_or_default().to_string();
    if let Some(rest) = path.strip_prefix("/api/v1/admin/") {
        format!("admin: {}", resource(rest).replace('-', " "))
    } else if let Some(rest) = path.strip_prefix("/api/v1/") {
        resource(rest)
    } else {
        "operations".into()
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// `/healthz`, `/openapi.json`: no database involved.
    Process,
    /// `/readyz`.
    Readiness,
    /// Public reads: cached, conditional.
    Public,
    /// `/media/...`: image bytes, conditional, public or to an editor's token.
    Media,
    /// `/auth/...`: tokens, no items.
    Auth,
    /// `/preview/...`: a draft for the holder of a preview token; never cached.
    Preview,
    /// `/admin/...`: items with versions.
    Admin,
}

impl Kind {
    fn of(path: &str) -> Self {
        match path {
            "/healthz" => Self::Process,
            "/openapi.json" => Self::Public,
            "/readyz" => Self::Readiness,
            p if p.starts_with("/api/v1/admin/") => Self::Admin,
            p if p.starts_with("/api/v1/auth/") => Self::Auth,
            p if p.starts_with("/api/v1/preview/") => Self::Preview,
            p if p.starts_with("/media/") => Self::Media,
            _ => Self::Public,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Method {
    Get,
    Write,
}

fn apply(operation: &mut Operation, kind: Kind, method: Method) {
    // Every admin operation takes a bearer token. No requirement at all
    // (`security: []`) says "public" to generators, where a missing one
    // would inherit a global default.
    if operation.security.is_none() {
        operation.security = Some(match kind {
            Kind::Admin => vec![SecurityRequirement::new("bearer", Vec::<String>::new())],
            // Anonymous, or an editor's token for images nobody published.
            Kind::Media => vec![
                SecurityRequirement::default(),
                SecurityRequirement::new("bearer", Vec::<String>::new()),
            ],
            _ => Vec::new(),
        });
    }
    describe_if_match(operation);
    add_shared_problems(operation);
    if let Some(body) = operation.request_body.as_mut() {
        optional_body_by_ref(body);
        if kind == Kind::Admin && method == Method::Write {
            add_problem(
                operation,
                404,
                "The item in the path, or an item a slug in the body names, does not exist (`errors` names the fields)",
            );
        }
        for (status, description) in [
            (400, "Malformed JSON, or a body of the wrong shape (an unknown field, a wrong type)"),
            (408, "The body did not arrive in time (`REQUEST_TIMEOUT_SECS`)"),
            (413, "The body is over 1 MiB"),
            (415, "The body is not `application/json` (or `application/merge-patch+json`)"),
            (422, "Invalid values; `errors` names each field (at most 50, `more_errors` counts the rest)"),
        ] {
            add_problem(operation, status, description);
        }
    }
    if kind != Kind::Process && kind != Kind::Readiness && !is_document(operation) {
        add_problem(
            operation,
            503,
            "The database cannot serve the request now; retry after `Retry-After` seconds",
        );
    }
    let is_public_read = matches!(kind, Kind::Public | Kind::Media) && method == Method::Get;
    if is_public_read {
        add_parameter_if_none_match(operation);
        operation
            .responses
            .responses
            .entry("304".into())
            .or_insert_with(|| {
                ResponseBuilder::new()
                    .description("Not modified: the `If-None-Match` ETag is current")
                    .into()
            });
    }
    let admin = kind == Kind::Admin;
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        add_headers(
            response,
            status,
            is_public_read,
            kind == Kind::Public,
            admin,
        );
    }
}

/// `If-Match` is `*` or a list of entity tags (`"v3"`): an empty one is
/// no precondition (`428` where one is required).
fn describe_if_match(operation: &mut Operation) {
    for parameter in operation.parameters.iter_mut().flatten() {
        if parameter.name == "If-Match" && parameter.parameter_in == ParameterIn::Header {
            parameter.schema = Some(RefOr::T(Schema::Object(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .pattern(Some(
                        r#"^(\*|(W/)?"[\x21\x23-\x7e]*"(\s*,\s*(W/)?"[\x21\x23-\x7e]*")*)$"#,
                    ))
                    .examples([serde_json::json!("\"v3\"")])
                    .build(),
            )));
        }
    }
}

/// The problems every operation of a kind can answer: a bearer token
/// missing or expired, a precondition, a query value out of range. And
/// every error status a handler names without a body gets problem+json.
fn add_shared_problems(operation: &mut Operation) {
    let bearer = operation
        .security
        .iter()
        .flatten()
        .filter_map(|requirement| serde_json::to_value(requirement).ok())
        .any(|requirement| requirement.as_object().is_some_and(|o| !o.is_empty()));
    if bearer {
        add_problem(operation, 401, "Missing, invalid or expired token");
    }
    let parameters = operation.parameters.clone().unwrap_or_default();
    if let Some(if_match) = parameters
        .iter()
        .find(|p| p.name == "If-Match" && p.parameter_in == ParameterIn::Header)
    {
        if if_match.required == Required::True {
            add_problem(operation, 412, "`If-Match` names an older version");
            add_problem(operation, 428, "`If-Match` is missing");
        } else {
            add_problem(
                operation,
                412,
                "`If-Match`, when sent, names an older version",
            );
        }
    }
    if parameters
        .iter()
        .any(|p| p.parameter_in == ParameterIn::Query)
    {
        add_problem(operation, 400, "A query value is invalid");
    }
    for (status, response) in operation.responses.responses.iter_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if response.content.is_empty() && (status.starts_with('4') || status.starts_with('5')) {
            response.content.insert(
                PROBLEM_JSON.to_string(),
                Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                    "Problem",
                )))),
            );
        }
    }
}

fn is_document(operation: &Operation) -> bool {
    operation.operation_id.as_deref() == Some("openapi_json")
}

/// An optional body declared as `Option<T>` comes out as `oneOf [null, T]`,
/// which generators choke on: it is `T`, not required.
fn optional_body_by_ref(body: &mut RequestBody) {
    for content in body.content.values_mut() {
        let RefOr::T(Schema::OneOf(one_of)) = &content.schema.clone().unwrap_or_default() else {
            continue;
        };
        let not_null: Vec<&RefOr<Schema>> =
            one_of.items.iter().filter(|item| !is_null(item)).collect();
        if let ([only], true) = (not_null.as_slice(), one_of.items.len() == 2) {
            content.schema = Some((*only).clone());
            body.required = Some(Required::False);
        }
    }
}

fn is_null(schema: &RefOr<Schema>) -> bool {
    matches!(schema, RefOr::T(Schema::Object(object))
        if object.schema_type == utoipa::openapi::schema::SchemaType::new(Type::Null))
}

fn add_problem(operation: &mut Operation, status: u16, description: &str) {
    operation
        .responses
        .responses
        .entry(status.to_string())
        .or_insert_with(|| {
            ResponseBuilder::new()
                .description(description)
                .content(
                    PROBLEM_JSON,
                    Content::new(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                        "Problem",
                    )))),
                )
                .into()
        });
}

fn add_parameter_if_none_match(operation: &mut Operation) {
    let parameters = operation.parameters.get_or_insert_with(Vec::new);
    if parameters.iter().any(|p| p.name == "If-None-Match") {
        return;
    }
    parameters.push(
        ParameterBuilder::new()
            .name("If-None-Match")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "An `ETag` of an earlier response: `304` without a body when it is still current",
            ))
            .schema(Some(string()))
            .build(),
    );
}

fn string() -> RefOr<Schema> {
    RefOr::T(Schema::Object(
        ObjectBuilder::new().schema_type(Type::String).build(),
    ))
}

fn header(description: &str) -> Header {
    HeaderBuilder::new()
        .schema(string())
        .description(Some(description))
        .build()
}

/// The headers a response of this kind carries.
fn add_headers(
    response: &mut Response,
    status: &str,
    public_read: bool,
    response_cached: bool,
    admin: bool,
) {
    let mut headers = vec![
        (
            "X-Request-Id",
            "The id of this request, as in the server's log line",
        ),
        (
            "Cache-Control",
            "`public, max-age=…` on public reads, `no-store` on everything else",
        ),
    ];
    let success = status.starts_with('2') || status == "304";
    let is_item = response.content.values().any(|c| {
        matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location.rsplit('/').next().is_some_and(|n| n.starts_with("Item_")))
    });
    if success && (public_read || (admin && is_item && status != "204")) {
        headers.push((
            "ETag",
            "A strong validator: of the bytes on public reads (send it in `If-None-Match`), \
             of the version (`\"v3\"`) on editor items (send it in `If-Match`)",
        ));
    }
    if response_cached && success {
        headers.push((
            "X-Cache",
            "`HIT` when answered from the response cache, `MISS` when not",
        ));
    }
    match status {
        "201" => headers.push(("Location", "The path of the created item")),
        "401" => headers.push((
            "WWW-Authenticate",
            "`Bearer`: the scheme to authenticate with",
        )),
        "429" | "503" => headers.push(("Retry-After", "Seconds to wait before trying again")),
        _ => {}
    }
    for (name, description) in headers {
        response
            .headers
            .entry(name.to_string())
            .or_insert_with(|| header(description));
    }
}
