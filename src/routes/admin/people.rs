//! `/api/v1/admin/people`: author profiles (editors and admins).

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{collection_routes, Collection};
use super::{double_option, Checks};
use crate::auth::{authorize, Action, AuthUser};
use crate::content::person::{People, Person, PersonFields, PersonFilter};
use crate::content::{now, PageRequest, Paged, WebUrl};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::{list_params, text};

const NAME_MAX: usize = 200;
const CREDENTIALS_MAX: usize = 100;
const JOB_TITLE_MAX: usize = 200;
const BIO_MAX: usize = 20_000;
const SAME_AS_MAX: usize = 10;
const URL_MAX: usize = 500;

list_params! {
    /// `page`, `per_page`, and what to look for.
    pub struct PeopleParams {
        /// Words in the name, credentials or job title.
        #[param(schema_with = text::optional::<200>)]
        pub q: Option<String>,
    }
}

/// A new author profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonCreate {
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// Made from the name when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    /// Post-nominal credentials, e.g. `LMT`, `DC`, `MD`.
    #[serde(default)]
    #[schema(schema_with = text::optional::<CREDENTIALS_MAX>)]
    pub credentials: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<JOB_TITLE_MAX>)]
    pub job_title: String,
    /// Markdown.
    #[serde(default)]
    #[schema(schema_with = text::optional::<BIO_MAX>)]
    pub bio: String,
    /// A media item's id; it must have alt text or be decorative.
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 1)]
    pub avatar: Option<i32>,
    /// Pages about the same person (licence registry, professional profile).
    #[serde(default)]
    #[schema(schema_with = text::url_list::<SAME_AS_MAX, URL_MAX>)]
    pub same_as: Vec<String>,
    /// The account linked to this profile (one profile per account).
    #[serde(default, deserialize_with = "super::optional_id")]
    #[schema(minimum = 1)]
    pub user_id: Option<i32>,
}

/// A JSON merge patch of an author profile.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonPatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// `null` makes it from the name again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[schema(schema_with = text::optional_or_null::<CREDENTIALS_MAX>)]
    pub credentials: Option<String>,
    #[schema(schema_with = text::optional_or_null::<JOB_TITLE_MAX>)]
    pub job_title: Option<String>,
    #[schema(schema_with = text::optional_or_null::<BIO_MAX>)]
    pub bio: Option<String>,
    /// `null` removes it.
    #[serde(default, deserialize_with = "super::patched_id")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub avatar: Option<Option<i32>>,
    #[schema(schema_with = text::url_list::<SAME_AS_MAX, URL_MAX>)]
    pub same_as: Option<Vec<String>>,
    /// `null` unlinks the account.
    #[serde(default, deserialize_with = "super::patched_id")]
    #[schema(value_type = Option<i32>, minimum = 1)]
    pub user_id: Option<Option<i32>>,
}

/// The author profiles, as a collection.
pub struct PeopleCollection;

fn same_as(checks: &mut Checks, urls: Vec<String>) -> Vec<String> {
    if urls.len() > SAME_AS_MAX {
        checks.fail("same_as", format!("at most {SAME_AS_MAX} links"));
    }
    let mut kept: Vec<String> = Vec::with_capacity(urls.len());
    for (i, url) in urls.iter().enumerate() {
        let text = checks.text("same_as", url, URL_MAX);
        if urls[..i].contains(url) {
            checks.fail("same_as", format!("{url} is listed twice"));
            continue;
        }
        match WebUrl::parse(&text) {
            Ok(url) => kept.push(url.into_inner()),
            Err(message) => checks.fail("same_as", message),
        }
    }
    kept
}

/// The profile's image and account must exist; the image must be fit to show.
fn check_links(conn: &mut DbConnection, fields: &PersonFields) -> Result<(), ApiError> {
    crate::content::image::check_public_image(conn, fields.avatar_id)?;
    if let Some(user) = fields.user_id {
        if crate::content::user::User::names(conn, &[user])?.is_empty() {
            return Err(ApiError::not_found(format!("no account has the id {user}")));
        }
    }
    Ok(())
}

fn taken(e: crate::content::ContentError) -> ApiError {
    match e {
        crate::content::ContentError::Db(diesel::result::Error::DatabaseError(
            diesel::result::DatabaseErrorKind::UniqueViolation,
            _,
        )) => ApiError::Conflict(
            "another profile has this slug, or this account is linked to another profile".into(),
        ),
        other => other.into(),
    }
}

impl Collection for PeopleCollection {
    type Item = Person;
    type Create = PersonCreate;
    type Patch = PersonPatch;
    type Params = PeopleParams;
    type Filter = PersonFilter;

    const PATH: &'static str = "/api/v1/admin/people";
    const TABLE: &'static str = "people";
    const NOT_FOUND: &'static str = "no profile has this id";

    fn id(item: &Person) -> i32 {
        item.id
    }

    fn version(item: &Person) -> i32 {
        item.version
    }

    fn filter(params: &PeopleParams) -> Result<(PersonFilter, PageRequest), ApiError> {
        crate::routes::query::text_param("q", params.q.as_deref(), 200)?;
        Ok((
            PersonFilter {
                q: params.q.clone(),
            },
            params.page_request()?,
        ))
    }

    fn list(
        conn: &mut DbConnection,
        filter: PersonFilter,
        page: PageRequest,
    ) -> Result<Paged<Person>, ApiError> {
        Ok(People::list(conn, &filter, page)?)
    }

    fn find(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<Person> {
        People::find(conn, id)
    }

    fn authorize_collection(user: &AuthUser) -> Result<(), ApiError> {
        authorize(user, Action::ChangePeople)
    }

    fn create(
        conn: &mut DbConnection,
        user: &AuthUser,
        body: PersonCreate,
    ) -> Result<i32, ApiError> {
        let mut checks = Checks::default();
        let name = checks.required_text("name", &body.name, NAME_MAX);
        let bio = checks.text("bio", &body.bio, BIO_MAX);
        let fields = PersonFields {
            slug: checks.slug(body.slug.as_deref(), &name),
            credentials: checks.text("credentials", &body.credentials, CREDENTIALS_MAX),
            job_title: checks.text("job_title", &body.job_title, JOB_TITLE_MAX),
            bio: checks.markdown("bio", bio),
            avatar_id: body.avatar,
            same_as: same_as(&mut checks, body.same_as),
            user_id: body.user_id,
            name,
        };
        checks.finish()?;
        check_links(conn, &fields)?;
        People::create(conn, &fields, user.id, now()).map_err(taken)
    }

    fn update(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Person,
        version: i32,
        patch: PersonPatch,
    ) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        let was = current.public.person;
        let name = match patch.name {
            Some(n) => checks.required_text("name", &n, NAME_MAX),
            None => was.name,
        };
        let slug = match patch.slug {
            Some(given) => checks.slug(given.as_deref(), &name),
            None => was.slug,
        };
        let bio = match patch.bio {
            Some(bio) => {
                let text = checks.text("bio", &bio, BIO_MAX);
                checks.markdown("bio", text)
            }
            None => current.public.bio.markdown,
        };
        let fields = PersonFields {
            slug,
            name,
            credentials: match patch.credentials {
                Some(v) => checks.text("credentials", &v, CREDENTIALS_MAX),
                None => was.credentials,
            },
            job_title: match patch.job_title {
                Some(v) => checks.text("job_title", &v, JOB_TITLE_MAX),
                None => was.job_title,
            },
            bio,
            avatar_id: match patch.avatar {
                Some(avatar) => avatar,
                None => was.avatar.map(|a| a.id),
            },
            same_as: match patch.same_as {
                Some(urls) => same_as(&mut checks, urls),
                None => was.same_as,
            },
            user_id: patch.user_id.unwrap_or(current.user_id),
        };
        checks.finish()?;
        check_links(conn, &fields)?;
        People::update(conn, current.id, version, &fields, user.id, now()).map_err(taken)
    }

    fn delete(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Person,
        version: i32,
    ) -> Result<(), ApiError> {
        Ok(People::delete(conn, current.id, version, user.id, now())?)
    }
}

collection_routes! {
    collection: PeopleCollection,
    item: Person,
    create: PersonCreate,
    patch: PersonPatch,
    params: PeopleParams,
    paths: ("/people", "/people/{id}"),
    id: "The profile's id",
    not_found: "No profile has this id",
    forbidden: "Only editors and admins manage profiles",
    list: (list_admin_people, "List author profiles by name.", "A page of profiles"),
    create_fn: (create_person, "Create an author profile.", 404 => "The avatar or account named does not exist", 409 => "The slug is taken, the account has a profile, or the avatar has no alt text"),
    find: (find_admin_person, "One author profile.", "The profile; `ETag` is its version"),
    update: (update_person, "Change an author profile (JSON merge patch); needs `If-Match`.", "The changed profile", 404 => "The avatar or account named does not exist", 409 => "The slug is taken, the account has a profile, or the avatar has no alt text"),
    delete: (delete_person, "Delete an author profile no article credits; needs `If-Match`.", 409 => "Articles credit this profile (named in the detail)"),
}
