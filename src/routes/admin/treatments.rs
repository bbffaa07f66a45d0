//! `/api/v1/admin/treatments`: the rows of the reusable treatment comparison.

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{created, double_option, item_response, no_content, parse_id, Checks, IfMatch};
use crate::app::AppState;
use crate::auth::{authorize, Action, AuthUser};
use crate::content::now;
use crate::content::treatment::{Treatment, TreatmentFields};
use crate::error::ApiError;
use crate::routes::Query;
use crate::routes::{text, Item, Json, List, PageParams};

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;

/// A new treatment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentCreate {
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// Made from the name when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub benefits: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub limitations: String,
    /// After the last one when not given; an occupied position moves the others down.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

/// A JSON merge patch of a treatment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentPatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// `null` makes it from the name again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub benefits: Option<String>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub limitations: Option<String>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

impl TreatmentCreate {
    fn fields(self, checks: &mut Checks) -> (TreatmentFields, Option<f64>) {
        let name = checks.required_text("name", &self.name, NAME_MAX);
        let fields = TreatmentFields {
            slug: checks.slug(self.slug.as_deref(), &name),
            name,
            benefits: checks.text("benefits", &self.benefits, TEXT_MAX),
            limitations: checks.text("limitations", &self.limitations, TEXT_MAX),
            position: 0,
        };
        (fields, self.position)
    }
}

impl TreatmentPatch {
    fn apply(self, fields: &mut TreatmentFields, checks: &mut Checks) {
        if let Some(name) = self.name {
            fields.name = checks.required_text("name", &name, NAME_MAX);
        }
        if let Some(slug) = self.slug {
            fields.slug = checks.slug(slug.as_deref(), &fields.name);
        }
        if let Some(v) = self.benefits {
            fields.benefits = checks.text("benefits", &v, TEXT_MAX);
        }
        if let Some(v) = self.limitations {
            fields.limitations = checks.text("limitations", &v, TEXT_MAX);
        }
        if let Some(p) = self.position {
            fields.position = checks.position(p);
        }
    }
}

fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no treatment has this id"),
        other => other.into(),
    }
}

/// List the treatments, in position order.
#[utoipa::path(
    tag = "admin: treatments",
    params(PageParams),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A page of treatments", body = List<Treatment>),
    )
)]
#[get("/treatments")]
pub async fn list_admin_treatments(
    user: AuthUser,
    state: web::Data<AppState>,
    params: Query<PageParams>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let page = params.parse()?;
    let paged = state
        .db
        .run(move |conn| Ok(Treatment::list(conn, page)?))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .json(List::from(paged)))
}

/// Create a treatment.
#[utoipa::path(
    tag = "admin: treatments",
    request_body = TreatmentCreate,
    security(("bearer" = [])),
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item<Treatment>),
        (status = 403, description = "Authors may not change collections"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[post("/treatments")]
pub async fn create_treatment(
    user: AuthUser,
    state: web::Data<AppState>,
    body: Json<TreatmentCreate>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ChangeCollection)?;
    let mut checks = Checks::default();
    let (mut fields, position) = body.into_inner().fields(&mut checks);
    if let Some(p) = position {
        fields.position = checks.position(p);
    }
    checks.finish()?;
    let item = state
        .db
        .write(move |conn| {
            if position.is_none() {
                fields.position = Treatment::next_position(conn)?;
            }
            let id = Treatment::create(conn, &fields, user.id, now())?;
            Ok(Treatment::find(conn, id)?)
        })
        .await?;
    Ok(created(
        format!("/api/v1/admin/treatments/{}", item.id),
        &item,
        item.version,
    ))
}

/// One treatment.
#[utoipa::path(
    tag = "admin: treatments",
    params(("id" = i32, Path, description = "The treatment's id")),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The treatment; `ETag` is its version", body = Item<Treatment>),
        (status = 404, description = "No treatment has this id"),
    )
)]
#[get("/treatments/{id}")]
pub async fn find_admin_treatment(
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ReadContent)?;
    let id = parse_id(&id)?;
    let item = state
        .db
        .run(move |conn| Treatment::find(conn, id).map_err(not_found))
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Change a treatment (JSON merge patch); needs `If-Match`. Articles
/// embedding the table are re-rendered in the same transaction.
#[utoipa::path(
    tag = "admin: treatments",
    params(
        ("id" = i32, Path, description = "The treatment's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = TreatmentPatch, content_type = "application/merge-patch+json"),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The changed treatment", body = Item<Treatment>),
        (status = 403, description = "Authors may not change collections"),
        (status = 404, description = "No treatment has this id"),
        (status = 409, description = "The slug is taken"),
    )
)]
#[patch("/treatments/{id}")]
pub async fn update_treatment(
    if_match: IfMatch,
    user: AuthUser,
    state: web::Data<AppState>,
    id: web::Path<String>,
    body: Json<TreatmentPatch>,
) -> Result<HttpResponse, ApiError> {
    authorize(&user, Action::ChangeCollection)?;
    let id = parse_id(&id)?;
    let patch = body.into_inner();
    let item = state
        .db
        .write(move |conn| {
            crate::db::backend::lock_row(conn, "treatments", id)?;
            let current = Treatment::find(conn, id).map_err(not_found)?;
            let version = if_match.version(current.version)?;
            let mut fields = current.fields();
            let mut checks = Checks::default();
            patch.apply(&mut fields, &mut checks);
            checks.finish()?;
            Treatment::update(conn, id, version, &fields, user.id, now())?;
            Ok(Treatment::find(conn, id)?)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &item, item.version))
}

/// Delete a treatment; needs `If-Match`. Articles lose it from their tables.
#[utoipa::path(
    tag = "admin: treatments",
    params(
        ("id" = i32, Path, description = "The treatment's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Authors may not change collections"),
        (status = 404, description = "No treatment has this id"),
    )
)]
#[delete("/treatments/{id}")]
pub async fn delete_treatment(
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
            crate::db::backend::lock_row(conn, "treatments", id)?;
            let current = Treatment::find(conn, id).map_err(not_found)?;
            let version = if_match.version(current.version)?;
            Treatment::delete(conn, id, version, user.id, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
