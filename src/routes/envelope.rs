//! The envelopes every response shares: `{"data": ...}` and `{"data": [...], "meta": {...}}`.

use std::borrow::Cow;

use serde::Serialize;
use utoipa::__dev::ComposeSchema;
use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Schema};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{PartialSchema, ToSchema};

use crate::content::Paged;

/// One item: `{"data": ...}`.
#[derive(Debug, Serialize)]
pub struct Item<T> {
    pub data: T,
}

/// A page of a list: `{"data": [...], "meta": {...}}`.
#[derive(Debug, Serialize)]
pub struct List<T> {
    pub data: Vec<T>,
    pub meta: ListMeta,
}

// Written out rather than derived: utoipa's derive copies a generic
// argument's whole schema into every wrapper (`Item_Faq.data` a second
// `Faq`), where generated clients want a reference to the one `Faq`.
// (`ComposeSchema` is how utoipa's path macro builds generic schemas.)
impl<T: ToSchema> ComposeSchema for Item<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(r#"One item: `{"data": ...}`."#))
            .property("data", Ref::from_schema_name(T::name()))
            .required("data")
            .into()
    }
}

impl<T: ToSchema> ToSchema for Item<T> {
    // The path macro names a use `Item_<T>` itself, from this prefix.
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("Item")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
    }
}

impl<T: ToSchema> ComposeSchema for List<T> {
    fn compose(_: Vec<RefOr<Schema>>) -> RefOr<Schema> {
        ObjectBuilder::new()
            .description(Some(
                r#"A page of a list: `{"data": [...], "meta": {...}}`."#,
            ))
            .property(
                "data",
                ArrayBuilder::new().items(Ref::from_schema_name(T::name())),
            )
            .required("data")
            .property("meta", Ref::from_schema_name(ListMeta::name()))
            .required("meta")
            .into()
    }
}

impl<T: ToSchema> ToSchema for List<T> {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("List")
    }

    fn schemas(schemas: &mut Vec<(String, RefOr<Schema>)>) {
        schemas.push((T::name().into_owned(), T::schema()));
        T::schemas(schemas);
        schemas.push((ListMeta::name().into_owned(), ListMeta::schema()));
    }
}

/// Where this page sits in the whole list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListMeta {
    /// 1-based; 0 on a page reached by `cursor` (keyset pages are not numbered).
    pub page: u32,
    pub per_page: u32,
    /// Items over all pages.
    pub total: i64,
    pub total_pages: i64,
    /// Pass as `cursor` for the next page (article lists; absent on the last
    /// page). Keyset paging: a deep page costs what the first does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

impl<T> From<Paged<T>> for List<T> {
    fn from(paged: Paged<T>) -> Self {
        let per_page = i64::from(paged.page.per_page);
        List {
            meta: ListMeta {
                page: paged.page.page,
                per_page: paged.page.per_page,
                total: paged.total,
                total_pages: (paged.total + per_page - 1) / per_page,
                next_cursor: paged.next_cursor,
            },
            data: paged.items,
        }
    }
}

/// The `Link` header of a list page (RFC 8288): `rel="next"` (the next
/// page, or the next cursor) and `rel="prev"`, each the request's own path
/// and query with only the page (or cursor) changed; `None` on a lone page.
pub fn link_header(
    req: &actix_web::HttpRequest,
    meta: &ListMeta,
) -> Option<actix_web::http::header::HeaderValue> {
    let kept: Vec<(String, String)> = form_urlencoded::parse(req.query_string().as_bytes())
        .filter(|(k, _)| k != "page" && k != "cursor")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let url = |change: (&str, String)| {
        let mut query = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &kept {
            query.append_pair(k, v);
        }
        query.append_pair(change.0, &change.1);
        format!("<{}?{}>", req.path(), query.finish())
    };
    let mut links = Vec::new();
    if let Some(cursor) = &meta.next_cursor {
        links.push(format!("{}; rel=\"next\"", url(("cursor", cursor.clone()))));
    } else if meta.page >= 1 && i64::from(meta.page) < meta.total_pages {
        links.push(format!(
            "{}; rel=\"next\"",
            url(("page", (meta.page + 1).to_string()))
        ));
    }
    if meta.page > 1 {
        links.push(format!(
            "{}; rel=\"prev\"",
            url(("page", (meta.page - 1).to_string()))
        ));
    }
    if links.is_empty() {
        return None;
    }
    actix_web::http::header::HeaderValue::from_str(&links.join(", ")).ok()
}
