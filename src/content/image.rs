//! The image object every public payload shows, made from a media row:
//! the URLs of its files (by content hash) and its words for readers.

use super::media::MediaRow;
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
            focal_point: FocalPoint {
                x: row.focal_x,
                y: row.focal_y,
            },
            mime: shape.format.mime().into(),
            animated: row.animated,
        }
    }
}
