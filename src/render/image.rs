//! Images of the media library in bodies: `![alt](media:42)` in Markdown
//! becomes a `<picture>` (WebP first, the original's format as the
//! fallback `<img>` with `srcset`, `sizes`, `width`, `height`, lazy
//! loading) and an `image` block carrying the whole image object.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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

/// One format's candidates, for a `<source type srcset>`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ImageSource {
    /// The MIME type, e.g. `image/webp`.
    #[serde(rename = "type")]
    pub mime: String,
    /// Each width of this format: `"/media/…/320.webp 320w, /media/…/640.webp 640w"`.
    pub srcset: String,
}

/// An image as pages show it: everything an `<img>` or `<picture>` needs,
/// so a page reserves its space (`width`, `height`) and picks the best file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, ToSchema)]
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

/// The media id a Markdown image URL names: `media:42`.
pub fn media_id(url: &str) -> Option<i32> {
    let digits = url.trim().strip_prefix("media:")?;
    if digits.is_empty() || digits.starts_with('0') || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Every library image a Markdown body shows, in order, with the alt text
/// written beside it (empty when none).
pub fn media_refs(markdown: &str) -> Vec<(i32, String)> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut refs = Vec::new();
    let mut current: Option<(i32, String)> = None;
    for event in Parser::new_ext(markdown, super::options()) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                current = media_id(&dest_url).map(|id| (id, String::new()));
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some((_, alt)) = current.as_mut() {
                    alt.push_str(&text);
                }
            }
            Event::End(TagEnd::Image) => refs.extend(current.take()),
            _ => {}
        }
    }
    refs
}

impl Image {
    /// The alt text a use of the image shows: what the body wrote beside
    /// it, else the library's; nothing when the image is decorative.
    pub fn alt_for(&self, written: &str) -> String {
        if self.decorative {
            String::new()
        } else if written.trim().is_empty() {
            self.alt.clone()
        } else {
            written.trim().to_string()
        }
    }

    /// `sizes` for a body image: the full width of the column, at most the
    /// widest file.
    pub fn sizes(&self) -> String {
        let widest = self.widest();
        format!("(max-width: {widest}px) 100vw, {widest}px")
    }

    fn widest(&self) -> u32 {
        self.srcset
            .rsplit(", ")
            .next()
            .and_then(|last| last.rsplit(' ').next())
            .and_then(|w| w.strip_suffix('w'))
            .and_then(|w| w.parse().ok())
            .unwrap_or(u32::try_from(self.width).unwrap_or(1))
    }

    /// The `<picture>` of a body: every format's `srcset` (best first), the
    /// fallback `<img>` with its size, so the page does not shift, and lazy
    /// loading. Only our own URLs and escaped text go into it.
    pub fn to_html(&self, alt: &str) -> String {
        let sizes = self.sizes();
        let mut html = String::from("<picture>");
        for source in self.sources.iter().filter(|s| s.srcset != self.srcset) {
            html.push_str(&format!(
                r#"<source type="{}" srcset="{}" sizes="{}">"#,
                escape(&source.mime),
                escape(&source.srcset),
                sizes
            ));
        }
        html.push_str(&format!(
            r#"<img src="{}" srcset="{}" sizes="{}" width="{}" height="{}" alt="{}" loading="lazy" decoding="async"></picture>"#,
            escape(&self.src),
            escape(&self.srcset),
            sizes,
            self.width,
            self.height,
            escape(alt)
        ));
        html
    }
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// True for a `srcset` whose every candidate is a file of the media
/// library: the only `srcset` a sanitized body keeps.
pub(crate) fn is_library_srcset(value: &str) -> bool {
    value.split(',').all(|candidate| {
        let url = candidate.split_whitespace().next().unwrap_or_default();
        url.starts_with("/media/") && !url.contains("..") && !url.contains(':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_ids_are_read_from_markdown() {
        assert_eq!(media_id("media:42"), Some(42));
        for bad in [
            "media:",
            "media:042",
            "media:-1",
            "media:4x",
            "https://x/media:4",
            "media:99999999999",
        ] {
            assert_eq!(media_id(bad), None, "{bad}");
        }
        let refs =
            media_refs("Hi ![A *back*](media:7) and ![](media:9)\n\n![x](https://a.test/x.png)");
        assert_eq!(refs, vec![(7, "A back".to_string()), (9, String::new())]);
    }

    #[test]
    fn only_library_srcsets_survive() {
        assert!(is_library_srcset(
            "/media/ab/320.webp 320w, /media/ab/640.webp 640w"
        ));
        assert!(!is_library_srcset("https://tracker.test/x.png 1x"));
        assert!(!is_library_srcset(
            "/media/a/1.webp 1w, javascript:alert(1) 2w"
        ));
    }
}
