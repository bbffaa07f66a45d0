//! `GET /api/v1/massage-types` and `GET /api/v1/massage-types/{slug}`.

use actix_web::get;

use super::table_rows::public_table_routes;
use crate::content::massage_type::MassageType;

public_table_routes! {
    row: MassageType,
    paths: ("/massage-types", "/massage-types/{slug}"),
    list: (list_massage_types, "List the massage types, in the editor-set `position` order.", "A page of massage types"),
    find: (find_massage_type, "One massage type.", "The massage type's slug", "The massage type", "No massage type has this slug"),
}
