//! The image object every public payload shows (`src`, `srcset`,
//! `sources`, the size that reserves its space, its words for readers),
//! made from a media row.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::media::MediaRow;
use crate::media::variant::{Format, Variant};

/// Where the point of interest is, as fractions of the width and height
/// from the top left: crops keep it in frame.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocalPoint {
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub x: f64,
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub y: f64,
}

impl FocalPoint {
    pub const CENTER: Self = Self { x: 0.5, y: 0.5 };

    pub fn is_valid(&self) -> bool {
        (0.0..=1.0).contains(&self.x) && (0.0..=1.0).contains(&self.y)
    }
}

/// The public URL of one of an item's files: its content hash, then the
/// file (`/media/{hash}/640.webp`); never changes, so it is cached for a year.
pub fn media_url(hash: &str, file: &str) -> String {
    format!("/media/{hash}/{file}")
}

/// One format's candidates, for a `<source type srcset>`.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct ImageSource {
    /// The MIME type, e.g. `image/webp`.
    #[serde(rename = "type")]
    pub mime: String,
    /// Each width of this format: `"/media/…/320.webp 320w, /media/…/640.webp 640w"`.
    pub srcset: String,
}

/// An image as pages show it: everything an `<img>` or `<picture>` needs,
/// so a page reserves its space (`width`, `height`) and picks the best file.
#[derive(Clone, Debug, PartialEq, Serialize, ToSchema)]
pub struct Image {
    /// The media item's id.
    pub id: i32,
    /// The widest file in the original's format (at most 1920 pixels wide):
    /// the fallback `src`.
    pub src: String,
    /// Every width in the original's format, for `<img srcset>`.
    pub srcset: String,
    /// Every width per format, best first (WebP, then the original's).
    pub sources: Vec<ImageSource>,
    /// The original's width and height, in pixels (the aspect ratio).
    pub width: i32,
    pub height: i32,
    /// Empty when the image is decorative.
    pub alt: String,
    /// True: the image adds nothing a reader needs (`alt=""`).
    pub decorative: bool,
    pub caption: String,
    pub credit: String,
    pub focal_point: FocalPoint,
    /// The MIME type of `src`.
    #[serde(rename = "type")]
    pub mime: String,
    pub animated: bool,
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
