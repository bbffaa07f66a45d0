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

/// A content hash as URLs carry it: 64 lowercase hex digits.
pub fn is_hash(raw: &str) -> bool {
    raw.len() == 64 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// `text` with every image file URL in it (`/media/{hash}/{file}`, not
/// followed by a query already) replaced by `rewrite(relative, url)`, where
/// `relative` says the URL starts there (nothing but a quote, a space or a
/// comma before it); `None` when it names none.
pub fn rewrite_media_urls(text: &str, rewrite: impl Fn(bool, &str) -> String) -> Option<String> {
    const PREFIX: &str = "/media/";
    let mut out = String::new();
    let mut rest = text;
    let mut changed = false;
    while let Some(at) = rest.find(PREFIX) {
        let after = &rest[at + PREFIX.len()..];
        let file_len = after
            .get(65..)
            .filter(|_| after.get(..64).is_some_and(is_hash) && after.as_bytes()[64] == b'/')
            .map(|file| {
                file.bytes()
                    .take_while(|b| b.is_ascii_alphanumeric() || *b == b'.')
                    .count()
            })
            .unwrap_or(0);
        let end = at + PREFIX.len() + if file_len > 0 { 65 + file_len } else { 0 };
        if file_len > 0 && !rest[end..].starts_with('?') {
            let relative = rest[..at]
                .chars()
                .next_back()
                .is_none_or(|c| matches!(c, '"' | '\'' | ' ' | ',' | '\n' | '('));
            out.push_str(&rest[..at]);
            out.push_str(&rewrite(relative, &rest[at..end]));
            changed = true;
        } else {
            out.push_str(&rest[..end]);
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    changed.then_some(out)
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
