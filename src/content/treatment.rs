//! Treatments: the rows of the reusable "Treatment / Benefits / Limitations" comparison.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::activity::Activity;
use super::collection::{rerender_articles, stale_or_missing};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_treatments, treatments};
use crate::db::DbConnection;
use crate::render::EmbedTable;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = treatments)]
pub struct Treatment {
    pub id: i32,
    pub slug: String,
    pub name: String,
    pub benefits: String,
    pub limitations: String,
    /// Editor-set order of the comparison.
    pub position: i32,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
    #[serde(serialize_with = "crate::content::serialize_utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = treatments)]
pub struct NewTreatment<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub benefits: &'a str,
    pub limitations: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl Treatment {
    pub fn insert(conn: &mut DbConnection, new: &NewTreatment) -> QueryResult<i32> {
        diesel::insert_into(treatments::table)
            .values(new)
            .execute(conn)?;
        treatments::table
            .filter(treatments::slug.eq(new.slug))
            .select(treatments::id)
            .first(conn)
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<Treatment>> {
        let total = treatments::table.count().get_result(conn)?;
        let items = treatments::table
            .order((treatments::position, treatments::id))
            .limit(page.limit())
            .offset(page.offset())
            .select(Treatment::as_select())
            .load(conn)?;
        Ok(Paged {
            items,
            total,
            page,
            next_cursor: None,
        })
    }

    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<Treatment> {
        treatments::table
            .filter(treatments::slug.eq(slug))
            .select(Treatment::as_select())
            .first(conn)
    }

    /// The treatments an article compares, in the article's order.
    pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<Treatment>> {
        article_treatments::table
            .inner_join(treatments::table)
            .filter(article_treatments::article_id.eq(article_id))
            .order(article_treatments::position)
            .select(Treatment::as_select())
            .load(conn)
    }

    /// The table as a body embeds it with `{{treatments}}`.
    pub fn embed_table(rows: &[Treatment]) -> EmbedTable {
        EmbedTable {
            columns: vec!["Treatment".into(), "Benefits".into(), "Limitations".into()],
            rows: rows
                .iter()
                .map(|t| vec![t.name.clone(), t.benefits.clone(), t.limitations.clone()])
                .collect(),
        }
    }
}

/// The writable fields, validated by the route before they get here.
#[derive(Clone, Debug, PartialEq)]
pub struct TreatmentFields {
    pub slug: String,
    pub name: String,
    pub benefits: String,
    pub limitations: String,
    pub position: i32,
}

impl Treatment {
    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<Treatment> {
        treatments::table
            .find(id)
            .select(Treatment::as_select())
            .first(conn)
    }

    pub fn fields(&self) -> TreatmentFields {
        TreatmentFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            benefits: self.benefits.clone(),
            limitations: self.limitations.clone(),
            position: self.position,
        }
    }

    /// The position after the last one, for a new row with none given.
    pub fn next_position(conn: &mut DbConnection) -> QueryResult<i32> {
        let max: Option<i32> = treatments::table
            .select(diesel::dsl::max(treatments::position))
            .first(conn)?;
        Ok(max.map_or(0, |m| m + 1))
    }

    /// Moves the rows at `position` and after it down one, so the row put
    /// there lands exactly where the editor asked (their versions change too).
    fn make_room(conn: &mut DbConnection, id: Option<i32>, position: i32) -> QueryResult<()> {
        let others = || {
            treatments::table
                .filter(treatments::id.ne(id.unwrap_or(0)))
                .into_boxed::<crate::db::backend::Db>()
        };
        let taken: i64 = others()
            .filter(treatments::position.eq(position))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            diesel::update(
                treatments::table
                    .filter(treatments::id.ne(id.unwrap_or(0)))
                    .filter(treatments::position.ge(position)),
            )
            .set((
                treatments::position.eq(treatments::position + 1),
                treatments::version.eq(treatments::version + 1),
            ))
            .execute(conn)?;
        }
        Ok(())
    }

    pub fn create(
        conn: &mut DbConnection,
        fields: &TreatmentFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        Self::make_room(conn, None, fields.position)?;
        diesel::insert_into(treatments::table)
            .values((
                treatments::slug.eq(&fields.slug),
                treatments::name.eq(&fields.name),
                treatments::benefits.eq(&fields.benefits),
                treatments::limitations.eq(&fields.limitations),
                treatments::position.eq(fields.position),
                treatments::created_by.eq(user_id),
                treatments::updated_by.eq(user_id),
                treatments::created_at.eq(at),
                treatments::updated_at.eq(at),
            ))
            .execute(conn)?;
        let id = treatments::table
            .filter(treatments::slug.eq(&fields.slug))
            .select(treatments::id)
            .first(conn)?;
        Activity::record(conn, user_id, "created", "treatment", id, &fields.name, at)?;
        Ok(id)
    }

    /// Changes the row when still at `version`, and re-renders the articles embedding it.
    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &TreatmentFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        if Self::find(conn, id)?.position != fields.position {
            Self::make_room(conn, Some(id), fields.position)?;
        }
        let updated = diesel::update(
            treatments::table.filter(treatments::id.eq(id).and(treatments::version.eq(version))),
        )
        .set((
            treatments::slug.eq(&fields.slug),
            treatments::name.eq(&fields.name),
            treatments::benefits.eq(&fields.benefits),
            treatments::limitations.eq(&fields.limitations),
            treatments::position.eq(fields.position),
            treatments::version.eq(version + 1),
            treatments::updated_by.eq(user_id),
            treatments::updated_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(stale_or_missing(Self::find(conn, id).is_ok(), version));
        }
        let articles = Self::linked_articles(conn, id)?;
        rerender_articles(conn, &articles)?;
        Activity::record(conn, user_id, "updated", "treatment", id, &fields.name, at)?;
        Ok(())
    }

    /// Deletes the row when still at `version`; the articles that embedded it are re-rendered.
    pub fn delete(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let current = Self::find(conn, id)?;
        let articles = Self::linked_articles(conn, id)?;
        let deleted = diesel::delete(
            treatments::table.filter(treatments::id.eq(id).and(treatments::version.eq(version))),
        )
        .execute(conn)?;
        if deleted == 0 {
            return Err(stale_or_missing(true, version));
        }
        rerender_articles(conn, &articles)?;
        Activity::record(conn, user_id, "deleted", "treatment", id, &current.name, at)?;
        Ok(())
    }

    fn linked_articles(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<i32>> {
        article_treatments::table
            .filter(article_treatments::treatment_id.eq(id))
            .select(article_treatments::article_id)
            .load(conn)
    }
}
