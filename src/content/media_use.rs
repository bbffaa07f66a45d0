//! Where media items are used (articles, massage types, treatments,
//! avatars), and so whether anyone may see one.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::is_public;
use super::media::{Media, MediaRow};
use crate::db::schema::{
    article_media, article_people, articles, massage_types, people, treatments, users,
};
use crate::db::DbConnection;

/// Where an item is used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct MediaUse {
    /// `article`, `massage_type`, `treatment`, `user` or `person`.
    pub kind: String,
    pub id: i32,
    /// The article's title, the table row's or the account's name.
    pub label: String,
}

impl std::fmt::Display for MediaUse {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {} ({:?})",
            self.kind.replace('_', " "),
            self.id,
            self.label
        )
    }
}

impl Media {
    /// True when anyone may see the item at `now`: marked public, or shown
    /// by published content (an article, a massage type or treatment, the
    /// avatar of a published article's author account or of a profile a
    /// published article credits). With `previewing`, also when that
    /// article shows it in any status: the holder of its preview link sees
    /// the images the draft will publish.
    pub fn is_visible(
        conn: &mut DbConnection,
        row: &MediaRow,
        now: NaiveDateTime,
        previewing: Option<i32>,
    ) -> QueryResult<bool> {
        if row.public {
            return Ok(true);
        }
        let id = row.id;
        // `id = NULL` is never true, so without a preview only `is_public` counts.
        let shown = || is_public(now).or(articles::id.nullable().eq(previewing));
        let in_article: i64 = article_media::table
            .inner_join(articles::table)
            .filter(article_media::media_id.eq(id))
            .filter(shown())
            .count()
            .get_result(conn)?;
        if in_article > 0 {
            return Ok(true);
        }
        let in_tables: i64 = massage_types::table
            .filter(massage_types::image_id.eq(id))
            .count()
            .get_result::<i64>(conn)?
            + treatments::table
                .filter(treatments::image_id.eq(id))
                .count()
                .get_result::<i64>(conn)?;
        if in_tables > 0 {
            return Ok(true);
        }
        let authors: i64 = users::table
            .inner_join(articles::table.on(articles::author_id.eq(users::id.nullable())))
            .filter(users::avatar_id.eq(id))
            .filter(shown())
            .count()
            .get_result(conn)?;
        if authors > 0 {
            return Ok(true);
        }
        let credited: i64 = article_people::table
            .inner_join(people::table)
            .inner_join(articles::table)
            .filter(people::avatar_id.eq(id))
            .filter(shown())
            .count()
            .get_result(conn)?;
        let reviewers: i64 = articles::table
            .inner_join(people::table.on(articles::reviewed_by.eq(people::id.nullable())))
            .filter(people::avatar_id.eq(id))
            .filter(shown())
            .count()
            .get_result(conn)?;
        Ok(credited + reviewers > 0)
    }

    /// Where each of `ids` is used.
    pub fn uses(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, Vec<MediaUse>>> {
        let mut map: HashMap<i32, Vec<MediaUse>> = HashMap::new();
        if ids.is_empty() {
            return Ok(map);
        }
        let mut add = |rows: Vec<(i32, i32, String)>, kind: &str| {
            for (media_id, id, label) in rows {
                map.entry(media_id).or_default().push(MediaUse {
                    kind: kind.into(),
                    id,
                    label,
                });
            }
        };
        add(
            article_media::table
                .inner_join(articles::table)
                .filter(article_media::media_id.eq_any(ids))
                .order(articles::id)
                .select((article_media::media_id, articles::id, articles::title))
                .load(conn)?,
            "article",
        );
        add(
            massage_types::table
                .filter(massage_types::image_id.eq_any(ids))
                .order(massage_types::id)
                .select((
                    massage_types::image_id.assume_not_null(),
                    massage_types::id,
                    massage_types::name,
                ))
                .load(conn)?,
            "massage_type",
        );
        add(
            treatments::table
                .filter(treatments::image_id.eq_any(ids))
                .order(treatments::id)
                .select((
                    treatments::image_id.assume_not_null(),
                    treatments::id,
                    treatments::name,
                ))
                .load(conn)?,
            "treatment",
        );
        add(
            users::table
                .filter(users::avatar_id.eq_any(ids))
                .order(users::id)
                .select((users::avatar_id.assume_not_null(), users::id, users::name))
                .load(conn)?,
            "user",
        );
        add(
            people::table
                .filter(people::avatar_id.eq_any(ids))
                .order(people::id)
                .select((
                    people::avatar_id.assume_not_null(),
                    people::id,
                    people::name,
                ))
                .load(conn)?,
            "person",
        );
        Ok(map)
    }
}
