//! `/api/v1/admin/tags`.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{created, double_option, item_response, no_content, parse_id, Checks, IfMatch};
use crate::app::AppState;
use crate::auth::{authorize, Action, AuthUser};
use crate::content::tag::{Tag, TagFields, TagWithCount};
use crate::content::{now, Paged};
use crate::error::ApiError;
use crate::routes::Query;
use crate::routes::{text, Item, Json, List, PageParams};

const NAME_MAX: usize = 100;

/// A new tag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagCreate {
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// Made from the name when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
}

/// A JSON merge patch of a tag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagPatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// `null` makes it from the name again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
}

fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no tag has this id"),
        other => other.into(),
    }
}

/// List tags with their published-article counts.
#[utoipa::path(
    tag = "admin: tags",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of tags", body = List<TagWithCount>),
    )
)]
#[get("/tags")]
pub async fn list_admin_tags(
    user: AuthUser,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let page = params.parse()?;
    let at = now();
    let all = state
        .db
        .run(move |conn| Ok(Tag::list_with_counts(conn, at)?))
        .await?;
    let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
    let items = all
        .into_iter()
        .skip(usize::try_from(page.offset()).unwrap_or(usize::MAX))
        .take(page.per_page as usize)
        .collect();
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(List::from(Paged {
            items,
            total,
            page,
            next_cursor: None,
        })))
}

/// Create a tag.
#[utoipa::path(
    tag = "admin: tags",
    request_body = TagCreate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item<TagWithCount>),
        (status = 403, description = "Authors may not change tags"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[post("/tags")]
pub async fn create_tag(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<TagCreate>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ChangeCollection)?;
    let body = body.into_inner();
    let mut checks = Checks::default();
    let name = checks.required_text("name", &body.name, NAME_MAX);
    let fields = TagFields {
        slug: checks.slug(body.slug.as_deref(), &name),
        name,
    };
    checks.finish()?;
    let item = state
        .db
        .write(move |conn| {
            let at = now();
            let id = Tag::create(conn, &fields, user.id, at)?;
            Ok(Tag::find(conn, id, at)?)
        })
        .await?;
    Ok(created(
        format!("/api/v1/admin/tags/{}", item.id),
        &item,
        item.version,
    ))
}

/// One tag.
#[utoipa::path(
    tag = "admin: tags",
    params(("id" = i32, Path, description = "The tag's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The tag; `ETag` is its version", body = Item<TagWithCount>),
        (status = 404, description = "No tag has this id"),
    )
)]
#[get("/tags/{id}")]
pub async fn find_admin_tag(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let id = parse_id(&id)?;
    let item = state
        .db
        .run(move |conn| Tag::find(conn, id, now()).map_err(not_found))
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Rename a tag or change its slug (JSON merge patch); needs `If-Match`.
#[utoipa::path(
    tag = "admin: tags",
    params(
        ("id" = i32, Path, description = "The tag's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = TagPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed tag", body = Item<TagWithCount>),
        (status = 403, description = "Authors may not change tags"),
        (status = 404, description = "No tag has this id"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[patch("/tags/{id}")]
pub async fn update_tag(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Json<TagPatch>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ChangeCollection)?;
    let id = parse_id(&id)?;
    let patch = body.into_inner();
    let item = state
        .db
        .write(move |conn| {
            let at = now();
            crate::db::backend::lock_row(conn, "tags", id)?;
            let current = Tag::find(conn, id, at).map_err(not_found)?;
            let version = if_match.version(current.version)?;
            let mut checks = Checks::default();
            let name = match patch.name {
                Some(n) => checks.required_text("name", &n, NAME_MAX),
                None => current.name,
            };
            let slug = match patch.slug {
                Some(given) => checks.slug(given.as_deref(), &name),
                None => current.slug,
            };
            checks.finish()?;
            Tag::update(conn, id, version, &TagFields { slug, name }, user.id, at)?;
            Ok(Tag::find(conn, id, at)?)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Delete a tag; needs `If-Match`. Articles simply lose it.
#[utoipa::path(
    tag = "admin: tags",
    params(
        ("id" = i32, Path, description = "The tag's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Authors may not change tags"),
        (status = 404, description = "No tag has this id"),
    )
)]
#[delete("/tags/{id}")]
pub async fn delete_tag(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ChangeCollection)?;
    let id = parse_id(&id)?;
    state
        .db
        .write(move |conn| {
            crate::db::backend::lock_row(conn, "tags", id)?;
            let current = Tag::find(conn, id, now()).map_err(not_found)?;
            let version = if_match.version(current.version)?;
            Tag::delete(conn, id, version, user.id, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
