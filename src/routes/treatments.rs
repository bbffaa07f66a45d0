//! `GET /api/v1/treatments` and `GET /api/v1/treatments/{slug}`.

use actix_web::get;

use super::table_rows::public_table_routes;
use crate::content::treatment::Treatment;

public_table_routes! {
    row: Treatment,
    paths: ("/treatments", "/treatments/{slug}"),
    list: (list_treatments, "List the treatments of the comparison table, in `position` order.", "A page of treatments"),
    find: (find_treatment, "One treatment.", "The treatment's slug", "The treatment", "No treatment has this slug"),
}
