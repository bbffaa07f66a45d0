//! The table-like collections editors manage (massage types, treatments,
//! tags, FAQs): one implementation of their five operations, and one macro
//! that declares the documented routes of each.

use actix_web::http::StatusCode;
use serde::Serialize;

use super::{created, item_response, no_content, IfMatch};
use crate::auth::{authorize, can, Action, AuthUser};
use crate::content::{PageRequest, Paged};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::routes::{Allowed, Reply};

/// What differs between the collections; everything else is here once.
pub trait Collection: 'static {
    /// An item as editors see it.
    type Item: Serialize + Send + 'static;
    /// The body of a create.
    type Create: Send + 'static;
    /// The body of a merge patch.
    type Patch: Send + 'static;
    /// The query of the list.
    type Params;
    /// What the list is narrowed to.
    type Filter: Send + 'static;

    /// Where items live: `{PATH}/{id}`.
    const PATH: &'static str;
    /// The table, whose row a write locks.
    const TABLE: &'static str;
    /// The `404` detail.
    const NOT_FOUND: &'static str;

    fn id(item: &Self::Item) -> i32;
    fn version(item: &Self::Item) -> i32;
    fn filter(params: &Self::Params) -> Result<(Self::Filter, PageRequest), ApiError>;
    fn list(
        conn: &mut DbConnection,
        filter: Self::Filter,
        page: PageRequest,
    ) -> Result<Paged<Self::Item>, ApiError>;
    fn find(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<Self::Item>;
    /// Whether `user` may change this collection at all, asked before
    /// anything else (editors and up by default).
    fn authorize_collection(user: &AuthUser) -> Result<(), ApiError> {
        authorize(user, Action::ChangeCollection)
    }
    /// Whether `user` may change this item of it; by default what
    /// `authorize_collection` said.
    fn authorize_change(
        _conn: &mut DbConnection,
        _user: &AuthUser,
        _item: &Self::Item,
    ) -> Result<(), ApiError> {
        Ok(())
    }
    /// Checks and creates; the id of the new item.
    fn create(
        conn: &mut DbConnection,
        user: &AuthUser,
        body: Self::Create,
    ) -> Result<i32, ApiError>;
    /// Applies the patch to `current`, at `version`.
    fn update(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Self::Item,
        version: i32,
        patch: Self::Patch,
    ) -> Result<(), ApiError>;
    fn delete(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: Self::Item,
        version: i32,
    ) -> Result<(), ApiError>;
}

fn find_or_404<C: Collection>(conn: &mut DbConnection, id: i32) -> Result<C::Item, ApiError> {
    C::find(conn, id).map_err(|e| match e {
        diesel::result::Error::NotFound => ApiError::not_found(C::NOT_FOUND),
        other => other.into(),
    })
}

/// The item to change, locked until the write ends, once `user` may
/// change it and `If-Match` names its version (which is returned).
fn lock_for_change<C: Collection>(
    conn: &mut DbConnection,
    user: &AuthUser,
    id: i32,
    if_match: &IfMatch,
) -> Result<(C::Item, i32), ApiError> {
    crate::db::backend::lock_row(conn, C::TABLE, id)?;
    let current = find_or_404::<C>(conn, id)?;
    C::authorize_change(conn, user, &current)?;
    let version = if_match.version(C::version(&current))?;
    Ok((current, version))
}

pub async fn list<C: Collection>(editor: Allowed<can::ReadContent>, params: &C::Params) -> Reply {
    let (filter, page) = C::filter(params)?;
    let paged = editor.read(move |conn| C::list(conn, filter, page)).await?;
    Ok(editor.respond_list(paged))
}

pub async fn find<C: Collection>(editor: Allowed<can::ReadContent>, id: i32) -> Reply {
    let item = editor.read(move |conn| find_or_404::<C>(conn, id)).await?;
    Ok(item_response(StatusCode::OK, &item, C::version(&item)))
}

pub async fn create<C: Collection>(editor: Allowed<can::SignedIn>, body: C::Create) -> Reply {
    C::authorize_collection(&editor.user)?;
    let item = editor
        .write(move |conn, user| {
            let id = C::create(conn, user, body)?;
            Ok(C::find(conn, id)?)
        })
        .await?;
    Ok(created(
        format!("{}/{}", C::PATH, C::id(&item)),
        &item,
        C::version(&item),
    ))
}

pub async fn update<C: Collection>(
    editor: Allowed<can::SignedIn>,
    id: i32,
    if_match: IfMatch,
    patch: C::Patch,
) -> Reply {
    C::authorize_collection(&editor.user)?;
    let item = editor
        .write(move |conn, user| {
            let (current, version) = lock_for_change::<C>(conn, user, id, &if_match)?;
            C::update(conn, user, current, version, patch)?;
            Ok(C::find(conn, id)?)
        })
        .await?;
    Ok(item_response(StatusCode::OK, &item, C::version(&item)))
}

pub async fn delete<C: Collection>(
    editor: Allowed<can::SignedIn>,
    id: i32,
    if_match: IfMatch,
) -> Reply {
    C::authorize_collection(&editor.user)?;
    editor
        .write(move |conn, user| {
            let (current, version) = lock_for_change::<C>(conn, user, id, &if_match)?;
            C::delete(conn, user, current, version)
        })
        .await?;
    Ok(no_content())
}

/// The five documented routes of a collection, each a call of the generic
/// operation above; only their words differ. The module using it imports
/// actix's `get`, `post`, `patch` and `delete` (utoipa reads them by name).
macro_rules! collection_routes {
    (
        collection: $c:ident,
        item: $item:ident,
        create: $create:ident,
        patch: $patch:ident,
        params: $params:ident,
        paths: ($list_path:literal, $item_path:literal),
        id: $id_doc:expr,
        not_found: $not_found:expr,
        forbidden: $forbidden:expr,
        list: ($list_fn:ident, $list_doc:expr, $list_200:expr),
        create_fn: ($create_fn:ident, $create_doc:expr $(, $create_status:literal => $create_text:expr)*),
        find: ($find_fn:ident, $find_doc:expr, $find_200:expr),
        update: ($update_fn:ident, $update_doc:expr, $update_200:expr $(, $update_status:literal => $update_text:expr)*),
        delete: ($delete_fn:ident, $delete_doc:expr $(, $delete_status:literal => $delete_text:expr)*),
    ) => {
        #[doc = $list_doc]
        #[utoipa::path(
            params($params),
            responses((status = 200, description = $list_200, body = crate::routes::List<$item>))
        )]
        #[get($list_path)]
        pub async fn $list_fn(
            editor: crate::routes::Allowed<crate::auth::can::ReadContent>,
            params: crate::routes::Query<$params>,
        ) -> crate::routes::Reply {
            super::collection::list::<$c>(editor, &params).await
        }

        #[doc = $create_doc]
        #[utoipa::path(
            request_body = $create,
            responses(
                (status = 201, description = "Created; `Location` names it", body = crate::routes::Item<$item>),
                (status = 403, description = $forbidden),
                $((status = $create_status, description = $create_text),)*
            )
        )]
        #[post($list_path)]
        pub async fn $create_fn(
            editor: crate::routes::Allowed<crate::auth::can::SignedIn>,
            body: crate::routes::Json<$create>,
        ) -> crate::routes::Reply {
            super::collection::create::<$c>(editor, body.into_inner()).await
        }

        #[doc = $find_doc]
        #[utoipa::path(
            params(("id" = i32, Path, description = $id_doc)),
            responses(
                (status = 200, description = $find_200, body = crate::routes::Item<$item>),
                (status = 404, description = $not_found),
            )
        )]
        #[get($item_path)]
        pub async fn $find_fn(
            editor: crate::routes::Allowed<crate::auth::can::ReadContent>,
            id: crate::routes::PathId,
        ) -> crate::routes::Reply {
            super::collection::find::<$c>(editor, id.0).await
        }

        #[doc = $update_doc]
        #[utoipa::path(
            params(
                ("id" = i32, Path, description = $id_doc),
                ("If-Match" = String, Header, description = "The ETag last read"),
            ),
            request_body(content = $patch, content_type = "application/merge-patch+json"),
            responses(
                (status = 200, description = $update_200, body = crate::routes::Item<$item>),
                (status = 403, description = $forbidden),
                (status = 404, description = $not_found),
                $((status = $update_status, description = $update_text),)*
            )
        )]
        #[patch($item_path)]
        pub async fn $update_fn(
            editor: crate::routes::Allowed<crate::auth::can::SignedIn>,
            id: crate::routes::PathId,
            if_match: super::IfMatch,
            body: crate::routes::Json<$patch>,
        ) -> crate::routes::Reply {
            super::collection::update::<$c>(editor, id.0, if_match, body.into_inner()).await
        }

        #[doc = $delete_doc]
        #[utoipa::path(
            params(
                ("id" = i32, Path, description = $id_doc),
                ("If-Match" = String, Header, description = "The ETag last read"),
            ),
            responses(
                (status = 204, description = "Deleted"),
                (status = 403, description = $forbidden),
                (status = 404, description = $not_found),
                $((status = $delete_status, description = $delete_text),)*
            )
        )]
        #[delete($item_path)]
        pub async fn $delete_fn(
            editor: crate::routes::Allowed<crate::auth::can::SignedIn>,
            id: crate::routes::PathId,
            if_match: super::IfMatch,
        ) -> crate::routes::Reply {
            super::collection::delete::<$c>(editor, id.0, if_match).await
        }
    };
}

pub(crate) use collection_routes;
