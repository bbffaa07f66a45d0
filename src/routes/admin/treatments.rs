//! `/api/v1/admin/treatments`: the rows of the reusable treatment comparison.

use actix_web::{delete, get, patch, post};

use super::collection::{collection_routes, table_collection};
use crate::content::treatment::{Treatment, TreatmentFields};
use crate::routes::PageParams;

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;

table_collection! {
    collection: Treatments,
    row: Treatment,
    fields: TreatmentFields,
    create: TreatmentCreate ("A new treatment."),
    patch: TreatmentPatch ("A JSON merge patch of a treatment."),
    name_max: NAME_MAX,
    texts: { benefits: TEXT_MAX, limitations: TEXT_MAX },
    path: "/api/v1/admin/treatments",
    table: "treatments",
    not_found: "no treatment has this id",
}

collection_routes! {
    collection: Treatments,
    item: Treatment,
    create: TreatmentCreate,
    patch: TreatmentPatch,
    params: PageParams,
    paths: ("/treatments", "/treatments/{id}"),
    id: "The treatment's id",
    not_found: "No treatment has this id",
    forbidden: "Authors may not change collections",
    list: (list_admin_treatments, "List the treatments, in position order.", "A page of treatments"),
    create_fn: (create_treatment, "Create a treatment.", 409 => "The slug is taken"),
    find: (find_admin_treatment, "One treatment.", "The treatment; `ETag` is its version"),
    update: (update_treatment, "Change a treatment (JSON merge patch); needs `If-Match`. Articles\nembedding the table are re-rendered in the same transaction.", "The changed treatment", 409 => "The slug is taken"),
    delete: (delete_treatment, "Delete a treatment; needs `If-Match`. Articles lose it from their tables."),
}
