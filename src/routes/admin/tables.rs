//! `/api/v1/admin/massage-types` and `/api/v1/admin/treatments`: the rows
//! of the reusable tables, one definition for both (they differ in their
//! text columns and their words).

use actix_web::{delete, get, patch, post};

use crate::content::massage_type::{MassageType, MassageTypeFields};
use crate::content::treatment::{Treatment, TreatmentFields};
use crate::routes::PageParams;

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;
const DESCRIPTION_MAX: usize = 20_000;

/// A reusable table's rows (massage types, treatments) as a collection:
/// their create and patch bodies, made from the row's text columns, and
/// the `Collection` over the content type's `table_rows!` functions.
macro_rules! table_collection {
    (
        collection: $name:ident,
        row: $row:ident,
        fields: $fields:ident,
        create: $create:ident ($create_doc:literal),
        patch: $patch:ident ($patch_doc:literal),
        name_max: $name_max:ident,
        texts: { $($text:ident: $text_max:ident),* $(,)? },
        table: $table:literal,
        noun: ($noun:literal, $plural:literal),
        paths: ($list_path:literal, $item_path:literal),
        routes: ($list_fn:ident, $create_fn:ident, $find_fn:ident, $update_fn:ident, $delete_fn:ident),
        docs: ($list_doc:literal, $create_fn_doc:literal, $find_doc:literal, $update_doc:literal, $delete_doc:literal $(,)?) $(,)?
    ) => {
        #[doc = $create_doc]
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $create {
            #[schema(schema_with = crate::routes::text::required::<$name_max>)]
            pub name: String,
            /// Made from the name when not given.
            #[schema(schema_with = crate::routes::text::slug_or_null)]
            pub slug: Option<String>,
            $(
                #[serde(default)]
                #[schema(schema_with = crate::routes::text::optional::<$text_max>)]
                pub $text: String,
            )*
            /// After the last one when not given; an occupied position moves the others down.
            #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
            pub position: Option<f64>,
            /// A picture: the id of a media item with alt text (or decorative).
            #[serde(default, deserialize_with = "crate::routes::admin::optional_id")]
            #[schema(minimum = 1)]
            pub image: Option<i32>,
        }

        #[doc = $patch_doc]
        #[derive(Debug, serde::Deserialize, utoipa::ToSchema)]
        #[serde(deny_unknown_fields)]
        pub struct $patch {
            #[schema(schema_with = crate::routes::text::required_or_null::<$name_max>)]
            pub name: Option<String>,
            /// `null` makes it from the name again.
            #[serde(default, deserialize_with = "crate::routes::admin::double_option")]
            #[schema(schema_with = crate::routes::text::slug_or_null)]
            pub slug: Option<Option<String>>,
            $(
                #[schema(schema_with = crate::routes::text::optional_or_null::<$text_max>)]
                pub $text: Option<String>,
            )*
            #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
            pub position: Option<f64>,
            /// The picture's media id; `null` removes it.
            #[serde(default, deserialize_with = "crate::routes::admin::patched_id")]
            #[schema(value_type = Option<i32>, minimum = 1)]
            pub image: Option<Option<i32>>,
        }

        impl $create {
            fn fields(self, checks: &mut super::Checks) -> ($fields, Option<f64>) {
                let name = checks.required_text("name", &self.name, $name_max);
                let fields = $fields {
                    slug: checks.slug(self.slug.as_deref(), &name),
                    name,
                    $($text: checks.text(stringify!($text), &self.$text, $text_max),)*
                    position: 0,
                    image_id: self.image,
                };
                (fields, self.position)
            }
        }

        impl $patch {
            fn apply(self, fields: &mut $fields, checks: &mut super::Checks) {
                if let Some(name) = self.name {
                    fields.name = checks.required_text("name", &name, $name_max);
                }
                if let Some(slug) = self.slug {
                    fields.slug = checks.slug(slug.as_deref(), &fields.name);
                }
                $(
                    if let Some(v) = self.$text {
                        fields.$text = checks.text(stringify!($text), &v, $text_max);
                    }
                )*
                if let Some(p) = self.position {
                    fields.position = checks.position(p);
                }
                if let Some(image) = self.image {
                    fields.image_id = image;
                }
            }
        }

        /// The table's rows, as a collection.
        pub struct $name;

        impl crate::routes::admin::collection::Collection for $name {
            type Item = $row;
            type Create = $create;
            type Patch = $patch;
            type Params = crate::routes::PageParams;
            type Filter = ();

            const PATH: &'static str = concat!("/api/v1/admin", $list_path);
            const TABLE: &'static str = $table;
            const NOT_FOUND: &'static str = concat!("no ", $noun, " has this id");

            fn id(item: &$row) -> i32 {
                item.id
            }

            fn version(item: &$row) -> i32 {
                item.version
            }

            fn filter(
                params: &crate::routes::PageParams,
            ) -> Result<((), crate::content::PageRequest), crate::error::ApiError> {
                Ok(((), params.page_request()?))
            }

            fn list(
                conn: &mut crate::db::DbConnection,
                _: (),
                page: crate::content::PageRequest,
            ) -> Result<crate::content::Paged<$row>, crate::error::ApiError> {
                Ok($row::list(conn, page)?)
            }

            fn find(conn: &mut crate::db::DbConnection, id: i32) -> diesel::QueryResult<$row> {
                $row::find(conn, id)
            }

            fn create(
                conn: &mut crate::db::DbConnection,
                user: &crate::auth::AuthUser,
                body: $create,
            ) -> Result<i32, crate::error::ApiError> {
                let mut checks = super::Checks::default();
                let (mut fields, position) = body.fields(&mut checks);
                fields.position = match position {
                    Some(p) => checks.position(p),
                    None => $row::next_position(conn)?,
                };
                checks.finish()?;
                Ok($row::create(conn, &fields, user.id, crate::content::now())?)
            }

            fn update(
                conn: &mut crate::db::DbConnection,
                user: &crate::auth::AuthUser,
                current: $row,
                version: i32,
                patch: $patch,
            ) -> Result<(), crate::error::ApiError> {
                let mut fields = current.fields();
                let mut checks = super::Checks::default();
                patch.apply(&mut fields, &mut checks);
                checks.finish()?;
                Ok($row::update(
                    conn,
                    current.id,
                    version,
                    &fields,
                    user.id,
                    crate::content::now(),
                )?)
            }

            fn delete(
                conn: &mut crate::db::DbConnection,
                user: &crate::auth::AuthUser,
                current: $row,
                version: i32,
            ) -> Result<(), crate::error::ApiError> {
                Ok($row::delete(
                    conn,
                    current.id,
                    version,
                    user.id,
                    crate::content::now(),
                )?)
            }
        }

        super::collection::collection_routes! {
            collection: $name,
            item: $row,
            create: $create,
            patch: $patch,
            params: PageParams,
            paths: ($list_path, $item_path),
            id: concat!("The ", $noun, "'s id"),
            not_found: concat!("No ", $noun, " has this id"),
            forbidden: "Authors may not change collections",
            list: ($list_fn, $list_doc, concat!("A page of ", $plural)),
            create_fn: ($create_fn, $create_fn_doc, 409 => "The slug is taken"),
            find: ($find_fn, $find_doc, concat!("The ", $noun, "; `ETag` is its version")),
            update: ($update_fn, $update_doc, concat!("The changed ", $noun), 409 => "The slug is taken"),
            delete: ($delete_fn, $delete_doc),
        }
    };
}

table_collection! {
    collection: MassageTypes,
    row: MassageType,
    fields: MassageTypeFields,
    create: MassageTypeCreate ("A new massage type."),
    patch: MassageTypePatch ("A JSON merge patch of a massage type."),
    name_max: NAME_MAX,
    texts: { best_for: TEXT_MAX, benefits: TEXT_MAX, description: DESCRIPTION_MAX },
    table: "massage_types",
    noun: ("massage type", "massage types"),
    paths: ("/massage-types", "/massage-types/{id}"),
    routes: (list_admin_massage_types, create_massage_type, find_admin_massage_type, update_massage_type, delete_massage_type),
    docs: (
        "List the massage types, in position order.",
        "Create a massage type.",
        "One massage type.",
        "Change a massage type (JSON merge patch); needs `If-Match`. Articles\nembedding the table are re-rendered in the same transaction.",
        "Delete a massage type; needs `If-Match`. Articles lose it from their tables.",
    ),
}

table_collection! {
    collection: Treatments,
    row: Treatment,
    fields: TreatmentFields,
    create: TreatmentCreate ("A new treatment."),
    patch: TreatmentPatch ("A JSON merge patch of a treatment."),
    name_max: NAME_MAX,
    texts: { benefits: TEXT_MAX, limitations: TEXT_MAX },
    table: "treatments",
    noun: ("treatment", "treatments"),
    paths: ("/treatments", "/treatments/{id}"),
    routes: (list_admin_treatments, create_treatment, find_admin_treatment, update_treatment, delete_treatment),
    docs: (
        "List the treatments, in position order.",
        "Create a treatment.",
        "One treatment.",
        "Change a treatment (JSON merge patch); needs `If-Match`. Articles\nembedding the table are re-rendered in the same transaction.",
        "Delete a treatment; needs `If-Match`. Articles lose it from their tables.",
    ),
}
