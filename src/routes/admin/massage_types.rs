//! `/api/v1/admin/massage-types`: the rows of the reusable massage types table.

use actix_web::{delete, get, patch, post};

use super::collection::{collection_routes, table_collection};
use crate::content::massage_type::{MassageType, MassageTypeFields};
use crate::routes::PageParams;

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;
const DESCRIPTION_MAX: usize = 20_000;

table_collection! {
    collection: MassageTypes,
    row: MassageType,
    fields: MassageTypeFields,
    create: MassageTypeCreate ("A new massage type."),
    patch: MassageTypePatch ("A JSON merge patch of a massage type."),
    name_max: NAME_MAX,
    texts: { best_for: TEXT_MAX, benefits: TEXT_MAX, description: DESCRIPTION_MAX },
    path: "/api/v1/admin/massage-types",
    table: "massage_types",
    not_found: "no massage type has this id",
}

collection_routes! {
    collection: MassageTypes,
    item: MassageType,
    create: MassageTypeCreate,
    patch: MassageTypePatch,
    params: PageParams,
    paths: ("/massage-types", "/massage-types/{id}"),
    id: "The massage type's id",
    not_found: "No massage type has this id",
    forbidden: "Authors may not change collections",
    list: (list_admin_massage_types, "List the massage types, in position order.", "A page of massage types"),
    create_fn: (create_massage_type, "Create a massage type.", 409 => "The slug is taken"),
    find: (find_admin_massage_type, "One massage type.", "The massage type; `ETag` is its version"),
    update: (update_massage_type, "Change a massage type (JSON merge patch); needs `If-Match`. Articles\nembedding the table are re-rendered in the same transaction.", "The changed massage type", 409 => "The slug is taken"),
    delete: (delete_massage_type, "Delete a massage type; needs `If-Match`. Articles lose it from their tables."),
}
