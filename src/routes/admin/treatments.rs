//! `/api/v1/admin/treatments`: the rows of the reusable treatment comparison.

use actix_web::{delete, get, patch, post};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{collection_routes, table_collection};
use super::{double_option, Checks};
use crate::content::treatment::{Treatment, TreatmentFields};
use crate::routes::{text, PageParams};

const NAME_MAX: usize = 200;
const TEXT_MAX: usize = 2_000;

/// A new treatment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentCreate {
    #[schema(schema_with = text::required::<NAME_MAX>)]
    pub name: String,
    /// Made from the name when not given.
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<String>,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub benefits: String,
    #[serde(default)]
    #[schema(schema_with = text::optional::<TEXT_MAX>)]
    pub limitations: String,
    /// After the last one when not given; an occupied position moves the others down.
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

/// A JSON merge patch of a treatment.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TreatmentPatch {
    #[schema(schema_with = text::required_or_null::<NAME_MAX>)]
    pub name: Option<String>,
    /// `null` makes it from the name again.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(schema_with = text::slug_or_null)]
    pub slug: Option<Option<String>>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub benefits: Option<String>,
    #[schema(schema_with = text::optional_or_null::<TEXT_MAX>)]
    pub limitations: Option<String>,
    #[schema(value_type = Option<i32>, minimum = 0, maximum = 1000000)]
    pub position: Option<f64>,
}

impl TreatmentCreate {
    fn fields(self, checks: &mut Checks) -> (TreatmentFields, Option<f64>) {
        let name = checks.required_text("name", &self.name, NAME_MAX);
        let fields = TreatmentFields {
            slug: checks.slug(self.slug.as_deref(), &name),
            name,
            benefits: checks.text("benefits", &self.benefits, TEXT_MAX),
            limitations: checks.text("limitations", &self.limitations, TEXT_MAX),
            position: 0,
        };
        (fields, self.position)
    }
}

impl TreatmentPatch {
    fn apply(self, fields: &mut TreatmentFields, checks: &mut Checks) {
        if let Some(name) = self.name {
            fields.name = checks.required_text("name", &name, NAME_MAX);
        }
        if let Some(slug) = self.slug {
            fields.slug = checks.slug(slug.as_deref(), &fields.name);
        }
        if let Some(v) = self.benefits {
            fields.benefits = checks.text("benefits", &v, TEXT_MAX);
        }
        if let Some(v) = self.limitations {
            fields.limitations = checks.text("limitations", &v, TEXT_MAX);
        }
        if let Some(p) = self.position {
            fields.position = checks.position(p);
        }
    }
}

/// The treatment comparison table, as a collection.
pub struct Treatments;

table_collection!(
    Treatments,
    Treatment,
    TreatmentCreate,
    TreatmentPatch,
    "/api/v1/admin/treatments",
    "treatments",
    "no treatment has this id"
);

collection_routes! {
    collection: Treatments,
    tag: "admin: treatments",
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
