//! `/api/v1/admin/tags`.

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{collection_routes, Collection};
use super::{double_option, Checks};
use crate::auth::AuthUser;
use crate::content::tag::{Tag, TagFields, TagWithCount};
use crate::content::{now, PageRequest, Paged};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::{text, PageParams};

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

/// The tags, as a collection.
pub struct Tags;

impl Collection for Tags {
    type Item = TagWithCount;
    type Create = TagCreate;
    type Patch = TagPatch;
    type Params = PageParams;
    type Filter = ();

    const PATH: &'static str = "/api/v1/admin/tags";
    const TABLE: &'static str = "tags";
    const NOT_FOUND: &'static str = "no tag has this id";

    fn id(item: &TagWithCount) -> i32 {
        item.id
    }

    fn version(item: &TagWithCount) -> i32 {
        item.version
    }

    fn filter(params: &PageParams) -> Result<((), PageRequest), ApiError> {
        Ok(((), params.page_request()?))
    }

    /// Every tag with its count, paged here: there are few.
    fn list(
        conn: &mut DbConnection,
        _: (),
        page: PageRequest,
    ) -> Result<Paged<TagWithCount>, ApiError> {
        let all = Tag::list_with_counts(conn, now())?;
        Ok(Paged::slice(all, page))
    }

    fn find(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<TagWithCount> {
        Tag::find(conn, id, now())
    }

    fn create(conn: &mut DbConnection, user: &AuthUser, body: TagCreate) -> Result<i32, ApiError> {
        let mut checks = Checks::default();
        let name = checks.required_text("name", &body.name, NAME_MAX);
        let fields = TagFields {
            slug: checks.slug(body.slug.as_deref(), &name),
            name,
        };
        checks.finish()?;
        Ok(Tag::create(conn, &fields, user.id, now())?)
    }

    fn update(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: TagWithCount,
        version: i32,
        patch: TagPatch,
    ) -> Result<(), ApiError> {
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
        let fields = TagFields { slug, name };
        Ok(Tag::update(
            conn,
            current.id,
            version,
            &fields,
            user.id,
            now(),
        )?)
    }

    fn delete(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: TagWithCount,
        version: i32,
    ) -> Result<(), ApiError> {
        Ok(Tag::delete(conn, current.id, version, user.id, now())?)
    }
}

collection_routes! {
    collection: Tags,
    item: TagWithCount,
    create: TagCreate,
    patch: TagPatch,
    params: PageParams,
    paths: ("/tags", "/tags/{id}"),
    id: "The tag's id",
    not_found: "No tag has this id",
    forbidden: "Authors may not change tags",
    list: (list_admin_tags, "List tags with their published-article counts.", "A page of tags"),
    create_fn: (create_tag, "Create a tag.", 409 => "The slug is taken"),
    find: (find_admin_tag, "One tag.", "The tag; `ETag` is its version"),
    update: (update_tag, "Rename a tag or change its slug (JSON merge patch); needs `If-Match`.", "The changed tag", 409 => "The slug is taken"),
    delete: (delete_tag, "Delete a tag; needs `If-Match`. Articles simply lose it."),
}
