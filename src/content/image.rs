//! The image object every public payload shows, made from a media row:
//! the URLs of its files (by content hash) and its words for readers.

use std::collections::HashMap;

use diesel::sql_types::{Integer, Nullable};

use super::media::{Media, MediaRow};
use crate::db::DbConnection;
use crate::media::variant::{Format, Variant};
pub use crate::render::{FocalPoint, Image, ImageSource};

/// The public URL of one of an item's files: its content hash, then the
/// file (`/media/{hash}/640.webp`); never changes, so it is cached for a year.
pub fn media_url(hash: &str, file: &str) -> String {
    format!("/media/{hash}/{file}")
}

impl Image {
    pub fn of(row: &MediaRow) -> Self {
        let shape = row.shape();
        let widths = shape.widths();
        let srcset_of = |format: Format| {
            widths
                .iter()
                .map(|&width| {
                    let variant = shape.file_variant(Variant::Sized { width, format });
                    format!(
                        "{} {width}w",
                        media_url(&row.hash, &shape.file_name(variant))
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        };
        let widest = widths.last().copied().unwrap_or(shape.width);
        let src_variant = shape.file_variant(Variant::Sized {
            width: widest,
            format: shape.format,
        });
        Self {
            id: row.id,
            src: media_url(&row.hash, &shape.file_name(src_variant)),
            srcset: srcset_of(shape.format),
            sources: shape
                .formats()
                .into_iter()
                .map(|format| ImageSource {
                    mime: format.mime().into(),
                    srcset: srcset_of(format),
                })
                .collect(),
            width: row.width,
            height: row.height,
            alt: if row.decorative {
                String::new()
            } else {
                row.alt.clone()
            },
            decorative: row.decorative,
            caption: row.caption.clone(),
            credit: row.credit.clone(),
            focal_point: row.focal_point(),
            mime: shape.format.mime().into(),
            animated: row.animated,
        }
    }
}

/// An image column (`image_id`) as a row loads it: the id alone, which
/// `resolve_images` turns into the image object before the row is shown.
pub struct ImageSlot(Option<i32>);

impl<DB: diesel::backend::Backend> diesel::deserialize::Queryable<Nullable<Integer>, DB>
    for ImageSlot
where
    Option<i32>: diesel::deserialize::FromSql<Nullable<Integer>, DB>,
{
    type Row = Option<i32>;

    fn build(id: Option<i32>) -> diesel::deserialize::Result<Self> {
        Ok(Self(id))
    }
}

impl From<ImageSlot> for Option<Image> {
    fn from(slot: ImageSlot) -> Self {
        slot.0.map(Image::unresolved)
    }
}

impl Image {
    /// An image known by id only, until `resolve_images` fills it in.
    pub(crate) fn unresolved(id: i32) -> Self {
        Self {
            id,
            src: String::new(),
            srcset: String::new(),
            sources: Vec::new(),
            width: 0,
            height: 0,
            alt: String::new(),
            decorative: false,
            caption: String::new(),
            credit: String::new(),
            focal_point: FocalPoint::CENTER,
            mime: String::new(),
            animated: false,
        }
    }
}

/// Fills in the images that rows loaded by id (one query for them all).
pub fn resolve_images<'a>(
    conn: &mut DbConnection,
    slots: impl IntoIterator<Item = &'a mut Option<Image>>,
) -> diesel::QueryResult<()> {
    let slots: Vec<&mut Option<Image>> = slots.into_iter().collect();
    let ids: Vec<i32> = slots
        .iter()
        .filter_map(|s| s.as_ref().map(|i| i.id))
        .collect();
    let rows: HashMap<i32, MediaRow> = Media::rows(conn, &ids)?;
    for slot in slots {
        *slot = slot.as_ref().and_then(|i| rows.get(&i.id)).map(Image::of);
    }
    Ok(())
}

/// An image shown at once to everyone (a table row's picture, an avatar):
/// it must exist and have alt text or be decorative.
pub fn check_public_image(
    conn: &mut DbConnection,
    image_id: Option<i32>,
) -> Result<(), super::ContentError> {
    let Some(id) = image_id else {
        return Ok(());
    };
    match Media::rows(conn, &[id])?.remove(&id) {
        None => Err(super::ContentError::UnknownReferences(vec![
            super::FieldError::new("image", format!("no media item has the id {id}")),
        ])),
        // The request is well formed; the image it names is not ready to be
        // shown (a conflict with that image's state, fixed there).
        Some(row) if row.lacks_alt() => Err(super::ContentError::Conflict(format!(
            "image: media:{id} ({}) has no alt text: describe it, or mark it decorative, \
             before it is shown",
            row.filename
        ))),
        Some(_) => Ok(()),
    }
}
