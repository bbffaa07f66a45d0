//! The public routes of a reusable table's rows (massage types,
//! treatments): a page in the editors' order, and one row by slug.

/// Declares `list` and `find` for the rows of `$row` (which has
/// `list(conn, page)` and `find_by_slug(conn, slug)`); only their words
/// differ. The module using it imports actix's `get` (utoipa reads it by
/// name).
macro_rules! public_table_routes {
    (
        row: $row:ident,
        paths: ($list_path:literal, $item_path:literal),
        list: ($list_fn:ident, $list_doc:literal, $list_200:literal),
        find: ($find_fn:ident, $find_doc:literal, $slug_doc:literal, $find_200:literal, $not_found:literal),
    ) => {
        #[doc = $list_doc]
        #[utoipa::path(
            params(crate::routes::PageParams),
            responses((status = 200, description = $list_200, body = crate::routes::List<$row>))
        )]
        #[get($list_path)]
        pub async fn $list_fn(
            public: crate::routes::Public,
            params: crate::routes::Query<crate::routes::PageParams>,
        ) -> crate::routes::Reply {
            let page = params.page_request()?;
            let paged = public.read(move |conn| Ok($row::list(conn, page)?)).await?;
            public.respond(&crate::routes::List::from(paged))
        }

        #[doc = $find_doc]
        #[utoipa::path(
            params(("slug" = String, Path, description = $slug_doc, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 120)),
            responses(
                (status = 200, description = $find_200, body = crate::routes::Item<$row>),
                (status = 404, description = $not_found),
            )
        )]
        #[get($item_path)]
        pub async fn $find_fn(
            public: crate::routes::Public,
            crate::routes::PathSlug(slug): crate::routes::PathSlug,
        ) -> crate::routes::Reply {
            let data = public.read(move |conn| Ok($row::find_by_slug(conn, &slug)?)).await?;
            public.respond(&crate::routes::Item { data })
        }
    };
}

pub(crate) use public_table_routes;
