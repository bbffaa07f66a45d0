//! `/api/v1/admin/redirects`: the redirects editors add (editors and admins).

use actix_web::http::StatusCode;
use actix_web::{delete, get, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{created, item_response, no_content, Checks, IfMatch};
use crate::auth::{authorize, can, Action};
use crate::content::change::{Action as Did, By, Change, Item as Changed};
use crate::content::redirect::{ManualRedirect, Redirects};
use crate::content::{now, WebUrl};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::{list_params, text, Allowed, Item, Json, PathId, Query, Reply};

const PATH_MAX: usize = 500;

/// A new redirect.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RedirectCreate {
    /// The old path of the front end, e.g. `/old-page`.
    #[schema(schema_with = text::page_path::<PATH_MAX>)]
    pub from: String,
    /// A path of the front end (not `//…`), or an absolute http(s) URL.
    #[schema(schema_with = text::path_or_url::<PATH_MAX>)]
    pub to: String,
    /// 301 (default), 302, 307 or 308.
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(schema_with = status_schema)]
    pub status: Option<i32>,
}

list_params! {
    /// `page` and `per_page`.
    pub struct RedirectParams {}
}

/// A redirect's status: 301, 302, 307 or 308, or `null` (301).
fn status_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new()
        .schema_type(SchemaType::from_iter([Type::Integer, Type::Null]))
        .enum_values(Some([Some(301), Some(302), Some(307), Some(308), None]))
        .build()
}

fn find_or_404(conn: &mut DbConnection, id: i32) -> Result<ManualRedirect, ApiError> {
    Redirects::find(conn, id).map_err(|e| match e {
        diesel::result::Error::NotFound => ApiError::not_found("no redirect has this id"),
        other => other.into(),
    })
}

/// The redirects editors added, by `from`.
#[utoipa::path(
    params(RedirectParams),
    responses((status = 200, description = "The redirects", body = crate::routes::List<ManualRedirect>))
)]
#[get("/redirects")]
pub async fn list_admin_redirects(
    editor: Allowed<can::ReadContent>,
    params: Query<RedirectParams>,
) -> Reply {
    let page = params.page_request()?;
    let paged = editor
        .read(move |conn| Ok(Redirects::list(conn, page)?))
        .await?;
    Ok(editor.respond_list(paged))
}

/// Adds a redirect to the front end's map.
#[utoipa::path(
    request_body = RedirectCreate,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item<ManualRedirect>),
        (status = 403, description = "Only editors and admins add redirects"),
        (status = 409, description = "`from` redirects already, or the redirect would loop (to itself too)"),
        (status = 422, description = "A bad path, URL or status"),
    )
)]
#[post("/redirects")]
pub async fn create_redirect(editor: Allowed<can::SignedIn>, body: Json<RedirectCreate>) -> Reply {
    authorize(&editor.user, Action::ChangeCollection)?;
    let body = body.into_inner();
    let mut checks = Checks::default();
    let from = checks.required_text("from", &body.from, PATH_MAX);
    let spaced = |text: &str| text.chars().any(|c| c.is_whitespace() || c.is_control());
    if !from.starts_with('/') || spaced(&from) {
        checks.fail("from", "must be a path starting with /, without spaces");
    }
    let to = checks.required_text("to", &body.to, PATH_MAX);
    let to_is_path = to.starts_with('/') && !to.starts_with("//") && !spaced(&to);
    if !to_is_path && WebUrl::parse(&to).is_err() {
        checks.fail(
            "to",
            "must be a path starting with / (not //) or an http(s) URL, without spaces",
        );
    }
    let status = body.status.unwrap_or(301);
    if ![301, 302, 307, 308].contains(&status) {
        checks.fail("status", "must be 301, 302, 307 or 308");
    }
    checks.finish()?;
    let redirect = editor
        .write(move |conn, user| {
            let at = now();
            let id = Redirects::create(conn, (&from, &to, status), user.id, at)?;
            Change::record(
                conn,
                Changed::Redirect(id),
                Did::Created,
                By::new(user.id, &from, at),
            )?;
            find_or_404(conn, id)
        })
        .await?;
    let location = format!("/api/v1/admin/redirects/{}", redirect.id);
    let version = redirect.version;
    Ok(created(location, &redirect, version))
}

/// One redirect.
#[utoipa::path(
    params(("id" = i32, Path, description = "The redirect's id")),
    responses(
        (status = 200, description = "The redirect", body = Item<ManualRedirect>),
        (status = 404, description = "No redirect has this id"),
    )
)]
#[get("/redirects/{id}")]
pub async fn find_redirect(editor: Allowed<can::ReadContent>, PathId(id): PathId) -> Reply {
    let redirect = editor.read(move |conn| find_or_404(conn, id)).await?;
    Ok(item_response(StatusCode::OK, &redirect, redirect.version))
}

/// Deletes a redirect.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The redirect's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Only editors and admins delete redirects"),
        (status = 404, description = "No redirect has this id"),
    )
)]
#[delete("/redirects/{id}")]
pub async fn delete_redirect(
    editor: Allowed<can::SignedIn>,
    PathId(id): PathId,
    if_match: IfMatch,
) -> Reply {
    authorize(&editor.user, Action::ChangeCollection)?;
    editor
        .write(move |conn, user| {
            crate::db::backend::lock_row(conn, "redirects", id)?;
            let current = find_or_404(conn, id)?;
            let version = if_match.version(current.version)?;
            let at = now();
            Change::record(
                conn,
                Changed::Redirect(id),
                Did::Deleted,
                By::new(user.id, &current.from, at),
            )?;
            Ok(Redirects::delete(conn, id, version)?)
        })
        .await?;
    Ok(no_content())
}
