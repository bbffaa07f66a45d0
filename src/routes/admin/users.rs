//! `/api/v1/admin/users`: accounts, roles, disabling (admins only).

use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::{created, item_response, no_content, Checks, IfMatch};
use crate::auth::{can, Password};
use crate::content::account::{self, AccountChange};
use crate::content::now;
use crate::content::user::{Email, NewUser, Role, User, UserRecord, UserView};
use crate::error::ApiError;
use crate::routes::{text, Allowed, Item, Json, List, PageParams, PathId, Query, Reply};

const NAME_MAX: usize = 100;

/// A new account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    #[schema(schema_with = text::email)]
    pub email: String,
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// 12..=1024 characters; stored only as an Argon2id hash.
    #[schema(write_only, schema_with = text::password)]
    pub password: String,
    /// `author`, `editor` or `admin`.
    #[schema(value_type = Role)]
    pub role: String,
    #[serde(default)]
    pub disabled: bool,
}

/// A JSON merge patch of an account.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[schema(schema_with = text::email_or_null)]
    pub email: Option<String>,
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// A new password ends every session of the account.
    #[schema(write_only, schema_with = text::password_or_null)]
    pub password: Option<String>,
    #[schema(value_type = Option<Role>)]
    pub role: Option<String>,
    /// A disabled account cannot log in, and its tokens stop working at once.
    pub disabled: Option<bool>,
    /// The media id of the account's picture (alt text or decorative
    /// needed); `null` removes it.
    #[serde(default, deserialize_with = "super::patched_id")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub avatar: Option<Option<i32>>,
}

fn parse_role(checks: &mut Checks, raw: &str) -> Role {
    Role::parse(raw).unwrap_or_else(|| {
        checks.fail("role", "must be author, editor or admin");
        Role::Author
    })
}

fn parse_email(checks: &mut Checks, raw: &str) -> String {
    match Email::parse(raw) {
        Ok(email) => email.as_str().to_string(),
        Err(message) => {
            checks.fail("email", message);
            String::new()
        }
    }
}

fn parse_password(checks: &mut Checks, raw: &str) -> Option<Password> {
    match Password::parse(raw) {
        Ok(p) => Some(p),
        Err(message) => {
            checks.fail("password", message);
            None
        }
    }
}

fn not_found(e: diesel::result::Error) -> ApiError {
    match e {
        diesel::result::Error::NotFound => ApiError::not_found("no user has this id"),
        other => other.into(),
    }
}

/// The account to change, locked until the write ends, and the version
/// `If-Match` names.
fn lock_for_change(
    conn: &mut crate::db::DbConnection,
    id: i32,
    if_match: &IfMatch,
) -> Result<(UserRecord, i32), ApiError> {
    crate::db::backend::lock_row(conn, "users", id)?;
    let target = User::find(conn, id).map_err(not_found)?;
    let version = if_match.version(target.version)?;
    Ok((target, version))
}

/// List accounts.
#[utoipa::path(
    params(PageParams),
    responses(
        (status = 200, description = "A page of accounts", body = List<UserView>),
        (status = 403, description = "Admins only"),
    )
)]
#[get("/users")]
pub async fn list_users(admin: Allowed<can::Administer>, params: Query<PageParams>) -> Reply {
    let page = params.page_request()?;
    let paged = admin.read(move |conn| Ok(User::list(conn, page)?)).await?;
    Ok(admin.respond_list(paged))
}

/// Create an account.
#[utoipa::path(
    request_body = UserCreate,
    responses(
        (status = 201, description = "Created; `Location` names it", body = Item<UserView>),
        (status = 403, description = "Admins only"),
        (status = 409, description = "The email is taken"),
    )
)]
#[post("/users")]
pub async fn create_user(admin: Allowed<can::Administer>, body: Json<UserCreate>) -> Reply {
    let body = body.into_inner();
    let mut checks = Checks::default();
    let email = parse_email(&mut checks, &body.email);
    let name = checks.required_text("name", &body.name, NAME_MAX);
    let role = parse_role(&mut checks, &body.role);
    let password = parse_password(&mut checks, &body.password);
    checks.finish()?;
    let Some(password) = password else {
        return Err(ApiError::invalid_field("password", "is required"));
    };
    let hash = admin.passwords.hash(password).await?;
    let disabled = body.disabled;
    let created_user = admin
        .write(move |conn, user| {
            let at = now();
            let new = NewUser {
                email: &email,
                name: &name,
                role,
                password_hash: Some(&hash),
                created_at: at,
                updated_at: at,
            };
            let id = account::create(conn, user.id, &new, disabled)?;
            Ok(User::find(conn, id)?.view(conn)?)
        })
        .await?;
    Ok(created(
        format!("/api/v1/admin/users/{}", created_user.id),
        &created_user,
        created_user.version,
    ))
}

/// One account.
#[utoipa::path(
    params(("id" = i32, Path, description = "The user's id")),
    responses(
        (status = 200, description = "The account; `ETag` is its version", body = Item<UserView>),
        (status = 403, description = "Admins only"),
        (status = 404, description = "No user has this id"),
    )
)]
#[get("/users/{id}")]
pub async fn find_user(admin: Allowed<can::Administer>, PathId(id): PathId) -> Reply {
    let found = admin
        .read(move |conn| Ok(User::find(conn, id).map_err(not_found)?.view(conn)?))
        .await?;
    Ok(item_response(StatusCode::OK, &found, found.version))
}

/// Change an account: email, name, password, role, disabled; needs `If-Match`.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The user's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = UserPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed account", body = Item<UserView>),
        (status = 403, description = "Admins only"),
        (status = 404, description = "No user has this id"),
        (status = 409, description = "The email is taken, or this is the last admin"),
    )
)]
#[patch("/users/{id}")]
pub async fn update_user(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    if_match: IfMatch,
    body: Json<UserPatch>,
) -> Reply {
    let patch = body.into_inner();
    let mut checks = Checks::default();
    let email = patch.email.as_deref().map(|e| parse_email(&mut checks, e));
    let name = patch
        .name
        .as_deref()
        .map(|n| checks.required_text("name", n, NAME_MAX));
    let role = patch.role.as_deref().map(|r| parse_role(&mut checks, r));
    let password = patch
        .password
        .as_deref()
        .map(|p| parse_password(&mut checks, p));
    checks.finish()?;
    let password_hash = match password.flatten() {
        Some(p) => Some(admin.passwords.hash(p).await?),
        None => None,
    };
    let disabled = patch.disabled;
    let avatar_id = patch.avatar;
    let updated = admin
        .write(move |conn, user| {
            let (target, version) = lock_for_change(conn, id, &if_match)?;
            let change = AccountChange {
                email,
                name,
                role,
                password_hash,
                disabled,
                avatar_id,
            };
            account::update(conn, user.id, &target, version, change, now())?;
            Ok(User::find(conn, id)?.view(conn)?)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &updated, updated.version))
}

/// Delete an account; needs `If-Match`. Its articles stay, without a byline.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The user's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted"),
        (status = 403, description = "Admins only"),
        (status = 404, description = "No user has this id"),
        (status = 409, description = "This is the last admin"),
    )
)]
#[delete("/users/{id}")]
pub async fn delete_user(
    admin: Allowed<can::Administer>,
    PathId(id): PathId,
    if_match: IfMatch,
) -> Reply {
    admin
        .write(move |conn, user| {
            let (target, version) = lock_for_change(conn, id, &if_match)?;
            account::delete(conn, user.id, &target, version, now())?;
            Ok(())
        })
        .await?;
    Ok(no_content())
}
