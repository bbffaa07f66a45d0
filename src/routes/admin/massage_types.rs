//! `/api/v1/admin/massage-types`: the rows of the reusable massage types table.

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{collection_routes, table_collection};
use super::{double_option, Checks};
use crate::content::massage_type::{MassageType, MassageTypeFields};
use crate::routes::{text, PageParams};

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;
const DESCRIPTION_MAX: usize = 20_000;

/// A new massage type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MassageTypeCreate {
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// Made from the name when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub best_for: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub benefits: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<DESCRIPTION_MAX>)]
    pub description: String,
    /// After the last one when not given; an occupied position moves the others down.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

/// A JSON merge patch of a massage type.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MassageTypePatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// `null` makes it from the name again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub best_for: Option<String>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub benefits: Option<String>,
    #[schema(schema_with = text::optional_or_null::<DESCRIPTION_MAX>)]
    pub description: Option<String>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

impl MassageTypeCreate {
    fn fields(self, checks: &mut Checks) -> (MassageTypeFields, Option<f64>) {
        let name = checks.required_text("name", &self.name, NAME_MAX);
        let fields = MassageTypeFields {
            slug: checks.slug(self.slug.as_deref(), &name),
            name,
            best_for: checks.text("best_for", &self.best_for, TEXT_MAX),
            benefits: checks.text("benefits", &self.benefits, TEXT_MAX),
            description: checks.text("description", &self.description, DESCRIPTION_MAX),
            position: 0,
        };
        (fields, self.position)
    }
}

impl MassageTypePatch {
    fn apply(self, fields: &mut MassageTypeFields, checks: &mut Checks) {
        if let Some(name) = self.name {
            fields.name = checks.required_text("name", &name, NAME_MAX);
        }
        if let Some(slug) = self.slug {
            fields.slug = checks.slug(slug.as_deref(), &fields.name);
        }
        if let Some(v) = self.best_for {
            fields.best_for = checks.text("best_for", &v, TEXT_MAX);
        }
        if let Some(v) = self.benefits {
            fields.benefits = checks.text("benefits", &v, TEXT_MAX);
        }
        if let Some(v) = self.description {
            fields.description = checks.text("description", &v, DESCRIPTION_MAX);
        }
        if let Some(p) = self.position {
            fields.position = checks.position(p);
        }
    }
}

/// The massage types table, as a collection.
pub struct MassageTypes;

table_collection!(
    MassageTypes,
    MassageType,
    MassageTypeCreate,
    MassageTypePatch,
    "/api/v1/admin/massage-types",
    "massage_types",
    "no massage type has this id"
);

collection_routes! {
    collection: MassageTypes,
    tag: "admin: massage types",
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
