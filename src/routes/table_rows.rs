//! The public routes of a reusable table's rows (massage types,
//! treatments): a page in the editors' order, and one row by slug.

/// Declares `list` and `find` for the rows of `$row` (which has
/// `list(conn, page)` and `find_by_slug(conn, slug)`); only their words
/// differ. The module using it imports actix's `get` (utoipa reads it by
/// name).
macro_rules! public_table_routes {
    (
        row: $row:ident,
        tag: $tag:literal,
        paths: ($list_path:literal, $item_path:literal),
        list: ($list_fn:ident, $list_doc:literal, $list_200:literal),
        find: ($find_fn:ident, $find_doc:literal, $slug_doc:literal, $find_200:literal, $not_found:literal),
    ) => {
        #[doc = $list_doc]
        #[utoipa::path(
            tag = $tag,
            params(crate::routes::PageParams),
            responses((status = 200, description = $list_200, body = crate::routes::List<$row>))
        )]
        #[get($list_path)]
        pub async fn $list_fn(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<crate::app::AppState>,
            params: crate::routes::Query<crate::routes::PageParams>,
        ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
            let page = params.page_request()?;
            let paged = state.db.run(move |conn| Ok($row::list(conn, page)?)).await?;
            crate::routes::public_json(
                &req,
                &crate::routes::List::from(paged),
                state.config.cache_max_age,
            )
        }

        #[doc = $find_doc]
        #[utoipa::path(
            tag = $tag,
            params(("slug" = String, Path, description = $slug_doc, pattern = r"^[a-z0-9]+(-[a-z0-9]+)*$", min_length = 1, max_length = 120)),
            responses(
                (status = 200, description = $find_200, body = crate::routes::Item<$row>),
                (status = 404, description = $not_found),
            )
        )]
        #[get($item_path)]
        pub async fn $find_fn(
            req: actix_web::HttpRequest,
            state: actix_web::web::Data<crate::app::AppState>,
            slug: actix_web::web::Path<String>,
        ) -> Result<actix_web::HttpResponse, crate::error::ApiError> {
            let slug = crate::routes::path_slug(&slug)?;
            let data = state
                .db
                .run(move |conn| Ok($row::find_by_slug(conn, &slug)?))
                .await?;
            crate::routes::public_json(
                &req,
                &crate::routes::Item { data },
                state.config.cache_max_age,
            )
        }
    };
}

pub(crate) use public_table_routes;
