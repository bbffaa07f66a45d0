//! What an item's stored files are called: its stripped original and its
//! variants, one per responsive width in WebP and in the original's format.
//! Derived from the item's shape, never stored: a URL names a file by
//! width and extension, and the shape says whether the item has it.

use crate::content::text_enum;

text_enum! {
    /// An image format the library accepts, decided by the bytes.
    pub enum Format {
        Jpeg = "jpeg",
        Png = "png",
        Gif = "gif",
        Webp = "webp",
    }
}

impl Format {
    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Gif => "image/gif",
            Format::Webp => "image/webp",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Gif => "gif",
            Format::Webp => "webp",
        }
    }

    fn from_extension(ext: &str) -> Option<Self> {
        [Format::Jpeg, Format::Png, Format::Gif, Format::Webp]
            .into_iter()
            .find(|f| f.extension() == ext)
    }
}

/// The responsive widths variants are made at; never wider than the original.
pub const WIDTHS: [u32; 5] = [320, 640, 960, 1280, 1920];

/// What the variants of an item depend on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shape {
    pub format: Format,
    pub width: u32,
    pub height: u32,
    /// Animated images are served as their (stripped) original only.
    pub animated: bool,
}

/// One stored file of an item.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Variant {
    /// The uploaded image, oriented and stripped of metadata, full size.
    Original,
    /// The image `width` pixels wide in `format`.
    Sized { width: u32, format: Format },
}

impl Shape {
    /// The widths a page can choose from, narrowest first: the standard
    /// widths below the original's, and the original's own when it is not
    /// wider than the widest standard one. An animation has only its own.
    pub fn widths(&self) -> Vec<u32> {
        if self.animated {
            return vec![self.width];
        }
        let mut widths: Vec<u32> = WIDTHS.into_iter().filter(|w| *w < self.width).collect();
        if self.width <= WIDTHS[WIDTHS.len() - 1] {
            widths.push(self.width);
        }
        widths
    }

    /// `widths().contains(&width)`, without making the list (read on every
    /// request for a file).
    fn has_width(&self, width: u32) -> bool {
        if self.animated || width == self.width {
            return width == self.width;
        }
        width < self.width && WIDTHS.contains(&width)
    }

    fn has_format(&self, format: Format) -> bool {
        format == self.format || (!self.animated && format == Format::Webp)
    }

    /// The formats a page can choose from, best first: WebP, then the
    /// original's (one, when they are the same or the item is animated).
    pub fn formats(&self) -> Vec<Format> {
        if self.animated || self.format == Format::Webp {
            vec![self.format]
        } else {
            vec![Format::Webp, self.format]
        }
    }

    /// The height at `width`, keeping the aspect ratio (at least 1).
    pub fn height_at(&self, width: u32) -> u32 {
        let h = (u64::from(self.height) * u64::from(width) + u64::from(self.width) / 2)
            / u64::from(self.width.max(1));
        u32::try_from(h).unwrap_or(u32::MAX).max(1)
    }

    /// Every file the item has, the original first.
    pub fn variants(&self) -> Vec<Variant> {
        let mut all = vec![Variant::Original];
        for width in self.widths() {
            for format in self.formats() {
                let variant = self.file_variant(Variant::Sized { width, format });
                if !all.contains(&variant) {
                    all.push(variant);
                }
            }
        }
        all
    }

    /// The full-width variant in the original's format is the original.
    pub fn file_variant(&self, variant: Variant) -> Variant {
        match variant {
            Variant::Sized { width, format } if width == self.width && format == self.format => {
                Variant::Original
            }
            other => other,
        }
    }

    /// The file a URL's last segment names (`original.jpg`, `640.webp`),
    /// when the item has it.
    pub fn parse_file(&self, file: &str) -> Option<Variant> {
        let (stem, ext) = file.split_once('.')?;
        let format = Format::from_extension(ext)?;
        let variant = if stem == "original" {
            (format == self.format).then_some(Variant::Original)?
        } else {
            // Digits only: no sign, no leading zero, so one file has one name.
            if stem.starts_with('0') || !stem.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let width: u32 = stem.parse().ok()?;
            let sized = self.file_variant(Variant::Sized { width, format });
            let exists = self.has_width(width) && self.has_format(format);
            if sized == Variant::Original || !exists {
                return None;
            }
            sized
        };
        Some(variant)
    }

    /// The variant's file name, as URLs and the store name it.
    pub fn file_name(&self, variant: Variant) -> String {
        match variant {
            Variant::Original => format!("original.{}", self.format.extension()),
            Variant::Sized { width, format } => format!("{width}.{}", format.extension()),
        }
    }

    /// The variant's format.
    pub fn format_of(&self, variant: Variant) -> Format {
        match variant {
            Variant::Original => self.format,
            Variant::Sized { format, .. } => format,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(format: Format, width: u32, animated: bool) -> Shape {
        Shape {
            format,
            width,
            height: width / 2,
            animated,
        }
    }

    #[test]
    fn widths_never_upscale() {
        assert_eq!(shape(Format::Jpeg, 4000, false).widths(), WIDTHS.to_vec());
        assert_eq!(
            shape(Format::Jpeg, 1000, false).widths(),
            [320, 640, 960, 1000]
        );
        assert_eq!(shape(Format::Jpeg, 320, false).widths(), [320]);
        assert_eq!(shape(Format::Png, 100, false).widths(), [100]);
        assert_eq!(shape(Format::Gif, 4000, true).widths(), [4000]);
    }

    #[test]
    fn files_are_named_once_and_only_when_they_exist() {
        let s = shape(Format::Jpeg, 1000, false);
        assert_eq!(s.parse_file("original.jpg"), Some(Variant::Original));
        assert_eq!(
            s.parse_file("640.webp"),
            Some(Variant::Sized {
                width: 640,
                format: Format::Webp
            })
        );
        for bad in [
            "1000.jpg",
            "original.png",
            "1280.jpg",
            "0640.jpg",
            "+640.jpg",
            "640.png",
            "640",
            "x.jpg",
        ] {
            assert_eq!(s.parse_file(bad), None, "{bad}");
        }
        let animated = shape(Format::Gif, 800, true);
        assert_eq!(animated.variants(), [Variant::Original]);
        assert_eq!(animated.parse_file("320.webp"), None);
        // 4 widths × 2 formats, the full-width JPEG being the original.
        assert_eq!(s.variants().len(), 8);
        for variant in s.variants() {
            assert_eq!(s.parse_file(&s.file_name(variant)), Some(variant));
        }
    }

    #[test]
    fn heights_keep_the_aspect_ratio() {
        let s = Shape {
            format: Format::Jpeg,
            width: 4000,
            height: 3000,
            animated: false,
        };
        assert_eq!(s.height_at(320), 240);
        assert_eq!(s.height_at(1), 1);
    }
}
