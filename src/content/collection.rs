//! What the reusable collections share when written: re-rendering the articles that embed them.

use diesel::prelude::*;

use super::article::Article;
use crate::db::DbConnection;

/// Re-renders the bodies of these articles, so an embedded table shows a
/// massage type or treatment as it is now.
pub fn rerender_articles(conn: &mut DbConnection, article_ids: &[i32]) -> QueryResult<()> {
    for id in article_ids {
        Article::render_body(conn, *id)?;
    }
    Ok(())
}

/// A reusable table's rows (massage types, treatments): the row as
/// served, its `…Fields` (what an editor writes), and insert / list /
/// find_by_slug / for_article / find / fields / next_position / create /
/// update / delete, with positions kept distinct and embedding articles
/// re-rendered. One definition for both tables, which differ only in their
/// text columns.
macro_rules! table_rows {
    (
        $(#[$ty_meta:meta])*
        $ty:ident, $fields_ty:ident, $table:ident, $links:ident, $link_col:ident, $item:path,
        { $($(#[$field_meta:meta])* $field:ident : $field_ty:ty),+ $(,)? }
    ) => {
        $(#[$ty_meta])*
        #[derive(Clone, Debug, Queryable, Selectable, Serialize, ToSchema)]
        #[diesel(table_name = $table)]
        pub struct $ty {
            pub id: i32,
            $($(#[$field_meta])* pub $field: $field_ty,)+
            /// A picture of it, from the media library.
            #[diesel(column_name = image_id, deserialize_as = crate::content::image::ImageSlot)]
            pub image: Option<crate::content::image::Image>,
            /// Increases with every change; the admin `ETag` is made from it.
            pub version: i32,
            #[serde(serialize_with = "crate::content::serialize_utc")]
            #[schema(value_type = chrono::DateTime<chrono::Utc>)]
            pub updated_at: NaiveDateTime,
        }

        /// The writable fields, validated by the route before they get here.
        #[derive(Clone, Debug, PartialEq)]
        pub struct $fields_ty {
            $(pub $field: $field_ty,)+
            /// The media id of its picture.
            pub image_id: Option<i32>,
        }

        impl $ty {
            /// Inserts a row as loaded from a content file (no change recorded:
            /// the loader runs on an empty database).
            pub fn insert(conn: &mut DbConnection, fields: &$fields_ty, at: NaiveDateTime) -> QueryResult<i32> {
                Self::insert_row(conn, fields, None, at)
            }

            fn insert_row(
                conn: &mut DbConnection,
                fields: &$fields_ty,
                user_id: Option<i32>,
                at: NaiveDateTime,
            ) -> QueryResult<i32> {
                diesel::insert_into($table::table)
                    .values((
                        $($table::$field.eq(&fields.$field),)+
                        $table::image_id.eq(fields.image_id),
                        $table::created_by.eq(user_id),
                        $table::updated_by.eq(user_id),
                        $table::created_at.eq(at),
                        $table::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                $table::table
                    .filter($table::slug.eq(&fields.slug))
                    .select($table::id)
                    .first(conn)
            }

            /// A page of the rows, in the editors' order.
            pub fn list(conn: &mut DbConnection, page: PageRequest) -> QueryResult<Paged<$ty>> {
                let total = $table::table.count().get_result(conn)?;
                let items = $table::table
                    .order(($table::position, $table::id))
                    .limit(page.limit())
                    .offset(page.offset())
                    .select($ty::as_select())
                    .load(conn)?;
                Ok(Paged::new(Self::pictured(conn, items)?, total, page))
            }

            /// The rows with their pictures filled in.
            fn pictured(conn: &mut DbConnection, mut rows: Vec<$ty>) -> QueryResult<Vec<$ty>> {
                crate::content::image::resolve_images(conn, rows.iter_mut().map(|r| &mut r.image))?;
                Ok(rows)
            }

            fn one_pictured(conn: &mut DbConnection, row: $ty) -> QueryResult<$ty> {
                Ok(Self::pictured(conn, vec![row])?.remove(0))
            }

            pub fn find_by_slug(conn: &mut DbConnection, slug: &str) -> QueryResult<$ty> {
                let row = $table::table
                    .filter($table::slug.eq(slug))
                    .select($ty::as_select())
                    .first(conn)?;
                Self::one_pictured(conn, row)
            }

            /// The rows of these slugs, in their order (unknown ones left out).
            pub fn by_slugs(conn: &mut DbConnection, slugs: &[String]) -> QueryResult<Vec<$ty>> {
                let mut rows = $table::table
                    .filter($table::slug.eq_any(slugs))
                    .select($ty::as_select())
                    .load(conn)?;
                rows.sort_by_key(|r: &$ty| slugs.iter().position(|s| *s == r.slug));
                Self::pictured(conn, rows)
            }

            /// The rows an article shows, in the article's order.
            pub fn for_article(conn: &mut DbConnection, article_id: i32) -> QueryResult<Vec<$ty>> {
                let rows = $links::table
                    .inner_join($table::table)
                    .filter($links::article_id.eq(article_id))
                    .order($links::position)
                    .select($ty::as_select())
                    .load(conn)?;
                Self::pictured(conn, rows)
            }

            pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<$ty> {
                let row = $table::table.find(id).select($ty::as_select()).first(conn)?;
                Self::one_pictured(conn, row)
            }

            pub fn fields(&self) -> $fields_ty {
                $fields_ty {
                    $($field: self.$field.clone(),)+
                    image_id: self.image.as_ref().map(|i| i.id),
                }
            }

            /// The position after the last one, for a new row with none given.
            pub fn next_position(conn: &mut DbConnection) -> QueryResult<i32> {
                let max: Option<i32> = $table::table
                    .select(diesel::dsl::max($table::position))
                    .first(conn)?;
                Ok(max.map_or(0, |m| m.saturating_add(1)))
            }

            /// Moves the rows at `position` and after it down one, so the row put
            /// there lands exactly where the editor asked (their versions change too).
            fn make_room(conn: &mut DbConnection, id: Option<i32>, position: i32) -> QueryResult<()> {
                let others = $table::id.ne(id.unwrap_or(0));
                let taken: i64 = $table::table
                    .filter(others)
                    .filter($table::position.eq(position))
                    .count()
                    .get_result(conn)?;
                if taken > 0 {
                    let moved = $table::table.filter(others).filter($table::position.ge(position));
                    // Their articles' documents show their positions.
                    for moved_id in moved.select($table::id).load::<i32>(conn)? {
                        Change::forget_documents(conn, $item(moved_id))?;
                    }
                    diesel::update(moved)
                        .set((
                            $table::position.eq($table::position + 1),
                            $table::version.eq($table::version + 1),
                        ))
                        .execute(conn)?;
                }
                Ok(())
            }

            pub fn create(
                conn: &mut DbConnection,
                fields: &$fields_ty,
                user_id: i32,
                at: NaiveDateTime,
            ) -> Result<i32, ContentError> {
                crate::content::image::check_public_image(conn, fields.image_id)?;
                Self::make_room(conn, None, fields.position)?;
                let id = Self::insert_row(conn, fields, Some(user_id), at)?;
                Change::record(conn, $item(id), Action::Created, By::new(user_id, &fields.name, at))?;
                Ok(id)
            }

            /// Changes the row when still at `version`, and re-renders the articles embedding it.
            pub fn update(
                conn: &mut DbConnection,
                id: i32,
                version: i32,
                fields: &$fields_ty,
                user_id: i32,
                at: NaiveDateTime,
            ) -> Result<(), ContentError> {
                crate::content::image::check_public_image(conn, fields.image_id)?;
                if Self::find(conn, id)?.position != fields.position {
                    Self::make_room(conn, Some(id), fields.position)?;
                }
                update_at_version!(conn, $table, id, version, (
                    $($table::$field.eq(&fields.$field),)+
                    $table::image_id.eq(fields.image_id),
                    $table::updated_by.eq(user_id),
                    $table::updated_at.eq(at),
                ))?;
                let articles = Self::linked_articles(conn, id)?;
                rerender_articles(conn, &articles)?;
                Change::record(conn, $item(id), Action::Updated, By::new(user_id, &fields.name, at))?;
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
                Change::record(conn, $item(id), Action::Deleted, By::new(user_id, &current.name, at))?;
                delete_at_version!(conn, $table, id, version)?;
                rerender_articles(conn, &articles)?;
                Ok(())
            }

            fn linked_articles(conn: &mut DbConnection, id: i32) -> QueryResult<Vec<i32>> {
                $links::table
                    .filter($links::$link_col.eq(id))
                    .select($links::article_id)
                    .load(conn)
            }
        }
    };
}

pub(crate) use table_rows;
