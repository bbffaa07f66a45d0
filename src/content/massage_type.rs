//! Massage types: the rows of the reusable "Massage Type / Best For / Benefits" table.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::activity::Activity;
use super::collection::{rerender_articles, stale_or_missing};
use super::{ContentError, PageRequest, Paged};
use crate::db::schema::{article_massage_types, massage_types};
use crate::db::DbConnection;
use crate::render::EmbedTable;

#[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
#[diesel(table_name = massage_types)]
pub struct MassageType {
    pub id: i32,
    pub slug: String,
    pub name: String,
    /// Who or what this massage suits best.
    pub best_for: String,
    pub benefits: String,
    pub description: String,
    /// Editor-set order of the table.
    pub position: i32,
    /// Increases with every change; the admin `ETag` is made from it.
    pub version: i32,
    #[serde(serialize_with = "crate::content::serialize_utc")]
    #[schema(value_type = chrono::DateTime<chrono::Utc>)]
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = massage_types)]
pub struct NewMassageType<'a> {
    pub slug: &'a str,
    pub name: &'a str,
    pub best_for: &'a str,
    pub benefits: &'a str,
    pub description: &'a str,
    pub position: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MassageType {
    pub fn insert(conn: &mut DbConnection, new: &NewMassageType) -> QueryResult<i32> {
        diesel::insert_into(massage_types::table)
            .values(new)
            .execute(conn)?;
        massage_types::table
            .filter(massage_types::slug.eq(new.slug))
            .select(massage_types::id)
            .first(conn)
    }

    pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<MassageType>> {
        let total = massage_types::table.count().get_result(conn)?;
        let items = massage_types::table
            .order((massage_types::position, massage_types::id))
            .limit(page.limit())
            .offset(page.offset())
            .select(MassageType::as_select())
            .load(conn)?;
        Ok(Paged {
            items,
            total,
            page,
            next_cursor: None,
        })
    }

    pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<MassageType> {
        massage_types::table
            .filter(massage_types::slug.eq(slug))
            .select(MassageType::as_select())
            .first(conn)
    }

    /// The massage types an article presents, in the article's order.
    pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<MassageType>> {
        article_massage_types::table
            .inner_join(massage_types::table)
            .filter(article_massage_types::article_id.eq(article_id))
            .order(article_massage_types::position)
            .select(MassageType::as_select())
            .load(conn)
    }

    /// The table as a body embeds it with `{{massage-types}}`.
    pub fn embed_table(rows: &[MassageType]) -> EmbedTable {
        EmbedTable {
            columns: vec!["Massage Type".into(), "Best For".into(), "Benefits".into()],
            rows: rows
                .iter()
                .map(|m| vec![m.name.clone(), m.best_for.clone(), m.benefits.clone()])
                .collect(),
        }
    }
}

/// The writable fields, validated by the route before they get here.
#[derive(Clone, Debug, PartialEq)]
pub struct MassageTypeFields {
    pub slug: String,
    pub name: String,
    pub best_for: String,
    pub benefits: String,
    pub description: String,
    pub position: i32,
}

impl MassageType {
    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<MassageType> {
        massage_types::table
            .find(id)
            .select(MassageType::as_select())
            .first(conn)
    }

    pub fn fields(&self) -> MassageTypeFields {
        MassageTypeFields {
            slug: self.slug.clone(),
            name: self.name.clone(),
            best_for: self.best_for.clone(),
            benefits: self.benefits.clone(),
            description: self.description.clone(),
            position: self.position,
        }
    }

    /// The position after the last one, for a new row with none given.
    pub fn next_position(conn: &mut DbConnection) -> QueryResult<i32> {
        let max: Option<i32> = massage_types::table
            .select(diesel::dsl::max(massage_types::position))
            .first(conn)?;
        Ok(max.map_or(0, |m| m + 1))
    }

    /// Moves the rows at `position` and after it down one, so the row put
    /// there lands exactly where the editor asked (their versions change too).
    fn make_room(conn: &mut DbConnection, id: Option<i32>, position: i32) -> QueryResult<()> {
        let others = || {
            massage_types::table
                .filter(massage_types::id.ne(id.unwrap_or(0)))
                .into_boxed::<crate::db::backend::Db>()
        };
        let taken: i64 = others()
            .filter(massage_types::position.eq(position))
            .count()
            .get_result(conn)?;
        if taken > 0 {
            diesel::update(
                massage_types::table
                    .filter(massage_types::id.ne(id.unwrap_or(0)))
                    .filter(massage_types::position.ge(position)),
            )
            .set((
                massage_types::position.eq(massage_types::position + 1),
                massage_types::version.eq(massage_types::version + 1),
            ))
            .execute(conn)?;
        }
        Ok(())
    }

    pub fn create(
        conn: &mut DbConnection,
        fields: &MassageTypeFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        Self::make_room(conn, None, fields.position)?;
        diesel::insert_into(massage_types::table)
            .values((
                massage_types::slug.eq(&fields.slug),
                massage_types::name.eq(&fields.name),
                massage_types::best_for.eq(&fields.best_for),
                massage_types::benefits.eq(&fields.benefits),
                massage_types::description.eq(&fields.description),
                massage_types::position.eq(fields.position),
                massage_types::created_by.eq(user_id),
                massage_types::updated_by.eq(user_id),
                massage_types::created_at.eq(at),
                massage_types::updated_at.eq(at),
            ))
            .execute(conn)?;
        let id = massage_types::table
            .filter(massage_types::slug.eq(&fields.slug))
            .select(massage_types::id)
            .first(conn)?;
        Activity::record(
            conn,
            user_id,
            "created",
            "massage_type",
            id,
            &fields.name,
            at,
        )?;
        Ok(id)
    }

    /// Changes the row when still at `version`, and re-renders the articles embedding it.
    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &MassageTypeFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        if Self::find(conn, id)?.position != fields.position {
            Self::make_room(conn, Some(id), fields.position)?;
        }
        let updated = diesel::update(
            massage_types::table.filter(
                massage_types::id
                    .eq(id)
                    .and(massage_types::version.eq(version)),
            ),
        )
        .set((
            massage_types::slug.eq(&fields.slug),
            massage_types::name.eq(&fields.name),
            massage_types::best_for.eq(&fields.best_for),
            massage_types::benefits.eq(&fields.benefits),
            massage_types::description.eq(&fields.description),
            massage_types::position.eq(fields.position),
            massage_types::version.eq(version + 1),
            massage_types::updated_by.eq(user_id),
            massage_types::updated_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(stale_or_missing(Self::find(conn, id).is_ok(), version));
        }
        let articles = Self::linked_articles(conn, id)?;
        rerender_articles(conn, &articles)?;
        Activity::record(
            conn,
            user_id,
            "updated",
            "massage_type",
            id,
            &fields.name,
            at,
        )?;
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
            massage_types::table.filter(
                massage_types::id
                    .eq(id)
                    .and(massage_types::version.eq(version)),
            ),
        )
        .execute(conn)?;
        if deleted == 0 {
            return Err(stale_or_missing(true, version));
        }
        rerender_articles(conn, &articles)?;
        Activity::record(
            conn,
            user_id,
            "deleted",
            "massage_type",
            id,
            &current.name,
            at,
        )?;
        Ok(())
    }

    fn linked_articles(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<i32>> {
        article_massage_types::table
            .filter(article_massage_types::massage_type_id.eq(id))
            .select(article_massage_types::article_id)
            .load(conn)
    }
}
