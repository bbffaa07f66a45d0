//! The media library's rows: what an image is (its shape, its words for
//! readers: alt text or `decorative`, caption, credit, focal point), who
//! uses it, and the image object every public payload shows.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::article::is_public;
use super::change::{Action, By, Change, Item};
use super::versioned::{delete_at_version, update_at_version};
use super::{escape_like, lower, to_utc, ContentError, PageRequest, Paged};
use crate::db::insert_row;
use crate::db::schema::{article_media, articles, media, users};
use crate::db::DbConnection;
use crate::media::variant::{Format, Shape, Variant};

pub use super::image::{media_url, FocalPoint, Image};
pub use super::media_use::MediaUse;

/// A stored item, as its row holds it.
#[derive(Clone, Debug, Queryable, Selectable)]
#[diesel(table_name = media)]
pub struct MediaRow {
    pub id: i32,
    pub hash: String,
    pub format: Format,
    pub width: i32,
    pub height: i32,
    pub bytes: i64,
    pub animated: bool,
    pub filename: String,
    pub alt: String,
    pub decorative: bool,
    pub caption: String,
    pub credit: String,
    pub focal_x: f64,
    pub focal_y: f64,
    pub public: bool,
    pub version: i32,
    pub created_by: Option<i32>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

impl MediaRow {
    pub fn shape(&self) -> Shape {
        Shape {
            format: self.format,
            width: u32::try_from(self.width).unwrap_or(1),
            height: u32::try_from(self.height).unwrap_or(1),
            animated: self.animated,
        }
    }

    pub fn focal_point(&self) -> FocalPoint {
        FocalPoint {
            x: self.focal_x,
            y: self.focal_y,
        }
    }

    /// Alt text is required unless the image is marked decorative.
    pub fn lacks_alt(&self) -> bool {
        !self.decorative && self.alt.trim().is_empty()
    }
}

/// Someone who uploaded or changed an item.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Uploader {
    pub id: i32,
    pub name: String,
}

/// A media item as editors see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MediaItem {
    pub id: i32,
    /// SHA-256 of the uploaded bytes, in hex: identical uploads are one item.
    pub hash: String,
    /// The MIME type, decided by the bytes.
    #[serde(rename = "type")]
    pub mime: String,
    /// The original's width and height, upright.
    pub width: i32,
    pub height: i32,
    /// Size of the stored original (metadata stripped), in bytes.
    pub bytes: i64,
    pub animated: bool,
    /// The uploaded file's name, for finding it again.
    pub filename: String,
    pub alt: String,
    pub decorative: bool,
    pub caption: String,
    pub credit: String,
    pub focal_point: FocalPoint,
    /// Served to anyone even when no published content uses it.
    pub public: bool,
    /// True when neither alt text nor `decorative` is set: an article
    /// showing it cannot be published.
    pub needs_alt: bool,
    /// The stripped original's URL.
    pub url: String,
    /// The image object public payloads show for it.
    pub image: Image,
    /// Content that shows it; an item in use cannot be deleted.
    pub used_by: Vec<MediaUse>,
    pub uploaded_by: Option<Uploader>,
    /// Increases with every change; the `ETag` is made from it.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an upload gives, and what editors may set.
#[derive(Clone, Debug)]
pub struct MediaFields {
    pub filename: String,
    pub alt: String,
    pub decorative: bool,
    pub caption: String,
    pub credit: String,
    pub focal_point: FocalPoint,
    pub public: bool,
}

/// Which items a list shows.
#[derive(Clone, Debug, Default)]
pub struct MediaFilter {
    /// Words in the file name, alt text, caption or credit.
    pub q: Option<String>,
    /// Only items that need alt text.
    pub needs_alt: Option<bool>,
}

pub struct Media;

impl Media {
    pub fn find(conn: &mut DbConnection, id: i32) -> QueryResult<MediaItem> {
        let row = media::table
            .find(id)
            .select(MediaRow::as_select())
            .first(conn)?;
        Ok(Self::items(conn, vec![row])?.remove(0))
    }

    pub fn find_row(conn: &mut DbConnection, id: i32) -> QueryResult<MediaRow> {
        media::table
            .find(id)
            .select(MediaRow::as_select())
            .first(conn)
    }

    /// The rows of `ids` that exist, by id.
    pub fn rows(conn: &mut DbConnection, ids: &[i32]) -> QueryResult<HashMap<i32, MediaRow>> {
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        let rows: Vec<MediaRow> = media::table
            .filter(media::id.eq_any(ids))
            .select(MediaRow::as_select())
            .load(conn)?;
        Ok(rows.into_iter().map(|r| (r.id, r)).collect())
    }

    /// The item stored under `hash`, if any.
    pub fn by_hash(conn: &mut DbConnection, hash: &str) -> QueryResult<Option<MediaRow>> {
        media::table
            .filter(media::hash.eq(hash))
            .select(MediaRow::as_select())
            .first(conn)
            .optional()
    }

    /// The editors' view of `rows`, in their order (uses and uploaders in
    /// two queries, whatever the count).
    fn items(conn: &mut DbConnection, rows: Vec<MediaRow>) -> QueryResult<Vec<MediaItem>> {
        let ids: Vec<i32> = rows.iter().map(|r| r.id).collect();
        let mut uses = Self::uses(conn, &ids)?;
        let uploader_ids: Vec<i32> = rows.iter().filter_map(|r| r.created_by).collect();
        let names: HashMap<i32, String> = users::table
            .filter(users::id.eq_any(&uploader_ids))
            .select((users::id, users::name))
            .load::<(i32, String)>(conn)?
            .into_iter()
            .collect();
        Ok(rows
            .into_iter()
            .map(|row| {
                let shape = row.shape();
                MediaItem {
                    id: row.id,
                    mime: row.format.mime().into(),
                    width: row.width,
                    height: row.height,
                    bytes: row.bytes,
                    animated: row.animated,
                    needs_alt: row.lacks_alt(),
                    url: media_url(&row.hash, &shape.file_name(Variant::Original)),
                    image: Image::of(&row),
                    used_by: uses.remove(&row.id).unwrap_or_default(),
                    uploaded_by: row.created_by.and_then(|id| {
                        names.get(&id).map(|name| Uploader {
                            id,
                            name: name.clone(),
                        })
                    }),
                    focal_point: row.focal_point(),
                    version: row.version,
                    created_at: to_utc(row.created_at),
                    updated_at: to_utc(row.updated_at),
                    hash: row.hash,
                    filename: row.filename,
                    alt: row.alt,
                    decorative: row.decorative,
                    caption: row.caption,
                    credit: row.credit,
                    public: row.public,
                }
            })
            .collect())
    }

    /// A page of items, newest first.
    pub fn list(
        conn: &mut DbConnection,
        filter: &MediaFilter,
        page: PageRequest,
    ) -> QueryResult<Paged<MediaItem>> {
        let query = || {
            let mut query = media::table.into_boxed();
            if let Some(q) = filter.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
                let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
                query = query.filter(
                    lower(media::filename)
                        .like(pattern.clone())
                        .escape('\\')
                        .or(lower(media::alt).like(pattern.clone()).escape('\\'))
                        .or(lower(media::caption).like(pattern.clone()).escape('\\'))
                        .or(lower(media::credit).like(pattern).escape('\\')),
                );
            }
            match filter.needs_alt {
                Some(true) => {
                    query = query.filter(media::decorative.eq(false).and(media::alt.eq("")))
                }
                Some(false) => {
                    query = query.filter(media::decorative.eq(true).or(media::alt.ne("")))
                }
                None => {}
            }
            query
        };
        let total: i64 = query().count().get_result(conn)?;
        let rows: Vec<MediaRow> = query()
            .order((media::created_at.desc(), media::id.desc()))
            .offset(page.offset())
            .limit(page.limit())
            .select(MediaRow::as_select())
            .load(conn)?;
        Ok(Paged::new(Self::items(conn, rows)?, total, page))
    }

    /// Records a new item, whose files are stored already.
    pub fn create(
        conn: &mut DbConnection,
        hash: &str,
        shape: Shape,
        bytes: i64,
        fields: &MediaFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<i32, ContentError> {
        let id: i32 = insert_row!(media:
            hash = hash,
            format = shape.format,
            width = i32::try_from(shape.width).unwrap_or(i32::MAX),
            height = i32::try_from(shape.height).unwrap_or(i32::MAX),
            bytes = bytes,
            animated = shape.animated,
            filename = &fields.filename,
            alt = &fields.alt,
            decorative = fields.decorative,
            caption = &fields.caption,
            credit = &fields.credit,
            focal_x = fields.focal_point.x,
            focal_y = fields.focal_point.y,
            public = fields.public,
            created_by = user_id,
            updated_by = user_id,
            created_at = at,
            updated_at = at)
        .returning(media::id)
        .get_result(conn)?;
        let by = By::new(user_id, &fields.filename, at);
        Change::record(conn, Item::Media(id), Action::Created, by)?;
        Ok(id)
    }

    /// Changes an item's words, at the version its editor read; the
    /// bodies showing it are rendered again (their `<img>` carry them).
    pub fn update(
        conn: &mut DbConnection,
        id: i32,
        version: i32,
        fields: &MediaFields,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        if !fields.decorative && fields.alt.trim().is_empty() {
            // Articles that would show it with no alt text: as their cover,
            // or in the body with none written beside it.
            let showing: Vec<(String, Option<i32>, String)> = article_media::table
                .inner_join(articles::table)
                .filter(article_media::media_id.eq(id))
                .filter(is_public(at))
                .select((articles::title, articles::cover_id, articles::body_markdown))
                .load(conn)?;
            let shown: Vec<String> = showing
                .into_iter()
                .filter(|(_, cover, body)| {
                    *cover == Some(id)
                        || crate::render::media_refs(body)
                            .iter()
                            .any(|(m, alt)| *m == id && alt.trim().is_empty())
                })
                .map(|(title, _, _)| title)
                .chain(
                    Self::uses(conn, &[id])?
                        .remove(&id)
                        .unwrap_or_default()
                        .into_iter()
                        .filter(|u| u.kind != "article")
                        .map(|u| u.to_string()),
                )
                .collect();
            if !shown.is_empty() {
                return Err(ContentError::invalid(
                    "alt",
                    format!(
                        "readers are shown this image ({}): it needs alt text or \
                         `decorative`",
                        shown.join("; ")
                    ),
                ));
            }
        }
        update_at_version!(
            conn,
            media,
            id,
            version,
            (
                media::filename.eq(&fields.filename),
                media::alt.eq(&fields.alt),
                media::decorative.eq(fields.decorative),
                media::caption.eq(&fields.caption),
                media::credit.eq(&fields.credit),
                media::focal_x.eq(fields.focal_point.x),
                media::focal_y.eq(fields.focal_point.y),
                media::public.eq(fields.public),
                media::updated_by.eq(user_id),
                media::updated_at.eq(at),
            )
        )?;
        let showing: Vec<i32> = article_media::table
            .filter(article_media::media_id.eq(id))
            .select(article_media::article_id)
            .load(conn)?;
        for article_id in showing {
            super::article::Article::render_body(conn, article_id)?;
        }
        let by = By::new(user_id, &fields.filename, at);
        Change::record(conn, Item::Media(id), Action::Updated, by)?;
        Ok(())
    }

    /// Deletes an item no content uses (else `Conflict` naming the users),
    /// at the version its editor read.
    pub fn delete(
        conn: &mut DbConnection,
        row: &MediaRow,
        version: i32,
        user_id: i32,
        at: NaiveDateTime,
    ) -> Result<(), ContentError> {
        let uses = Self::uses(conn, &[row.id])?
            .remove(&row.id)
            .unwrap_or_default();
        if !uses.is_empty() {
            let names: Vec<String> = uses.iter().map(ToString::to_string).collect();
            return Err(ContentError::Conflict(format!(
                "the image is in use by {}; remove it there first",
                names.join(", ")
            )));
        }
        let by = By::new(user_id, &row.filename, at);
        Change::record(conn, Item::Media(row.id), Action::Deleted, by)?;
        delete_at_version!(conn, media, row.id, version)?;
        Ok(())
    }
}
