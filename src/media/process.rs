//! What is made of an upload: its format from its bytes, a decompression
//! bomb refused from its header, then the image decoded, turned upright
//! (EXIF orientation) and encoded again — which leaves every metadata
//! block behind (EXIF, GPS, XMP, IPTC, comments) — at full size and at
//! each responsive width. Pure functions; the workers run them.

use std::io::Cursor;

use fast_image_resize::{FilterType, ResizeAlg, ResizeOptions, Resizer};
use image::codecs::gif::GifEncoder;
use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, PngEncoder};
use image::{DynamicImage, ImageDecoder, ImageEncoder, ImageReader};

use super::variant::{Format, Shape, Variant};

/// Why an upload is not taken.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// Not an image type the library takes (`415`).
    #[error("{0}")]
    Unsupported(String),
    /// Larger than the limits (`413`).
    #[error("{0}")]
    TooLarge(String),
    /// Its type is right but its bytes cannot be decoded (`422`).
    #[error("{0}")]
    Unreadable(String),
}

/// How large an image may be once decoded.
#[derive(Clone, Copy, Debug)]
pub struct PixelLimit(pub u64);

/// Quality of the lossy encodings: the stored original is kept close to
/// the upload; variants are sized for pages.
const ORIGINAL_QUALITY: u8 = 90;
const VARIANT_QUALITY: u8 = 82;
const WEBP_QUALITY: f32 = 80.0;

/// The format of an upload, from its first bytes (a few hundred are
/// enough); the name and declared type are never asked.
pub fn sniff(head: &[u8]) -> Result<Format, Refusal> {
    let text = String::from_utf8_lossy(&head[..head.len().min(512)]).to_ascii_lowercase();
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('<') && (text.contains("<svg") || text.contains("<!doctype svg")) {
        return Err(Refusal::Unsupported(
            "SVG is not accepted: it can carry scripts and external references; upload a PNG \
             or WebP export of it"
                .into(),
        ));
    }
    match image::guess_format(head) {
        Ok(image::ImageFormat::Jpeg) => Ok(Format::Jpeg),
        Ok(image::ImageFormat::Png) => Ok(Format::Png),
        Ok(image::ImageFormat::Gif) => Ok(Format::Gif),
        Ok(image::ImageFormat::WebP) => Ok(Format::Webp),
        Ok(image::ImageFormat::Avif) => Err(Refusal::Unsupported(
            "AVIF uploads are not accepted: no decoder in this build; upload a JPEG, PNG, \
             WebP or GIF"
                .into(),
        )),
        Ok(other) => Err(Refusal::Unsupported(format!(
            "{other:?} images are not accepted; upload a JPEG, PNG, WebP or GIF"
        ))),
        Err(_) => Err(Refusal::Unsupported(
            "the file is not an image the library takes (JPEG, PNG, WebP or GIF), whatever \
             its name or declared type"
                .into(),
        )),
    }
}

/// Every file of an item: the shape, and the bytes of each variant (the
/// original first).
pub struct Made {
    pub shape: Shape,
    pub files: Vec<(Variant, Vec<u8>)>,
}

/// Makes the stripped original and every variant of an upload.
pub fn make(upload: &[u8], limit: PixelLimit) -> Result<Made, Refusal> {
    let format = sniff(upload)?;
    if format == Format::Gif {
        if let Some(made) = animated_gif(upload, limit)? {
            return Ok(made);
        }
    }
    if format == Format::Webp && webp_is_animated(upload)? {
        return Err(Refusal::Unsupported(
            "animated WebP is not accepted; upload the animation as a GIF".into(),
        ));
    }
    let decoded = decode(upload, format, limit)?;
    let shape = Shape {
        format,
        width: decoded.image.width(),
        height: decoded.image.height(),
        animated: false,
    };
    let lossless = format == Format::Webp && webp_is_lossless(upload);
    let mut files = vec![(
        Variant::Original,
        encode(
            &decoded.image,
            format,
            Quality::Original,
            decoded.icc.as_deref(),
        )?,
    )];
    // Widest first, each made from the one before: sharp enough, and far
    // cheaper than resizing the full image every time.
    let mut source = decoded.image;
    for width in shape.widths().into_iter().rev() {
        if width != source.width() {
            source = resize(&source, width, shape.height_at(width))?;
        }
        for variant_format in shape.formats() {
            let variant = Variant::Sized {
                width,
                format: variant_format,
            };
            if shape.parse_file(&shape.file_name(variant)).is_none() {
                continue; // the full-width original's own format: the original
            }
            let quality = if lossless {
                Quality::Lossless
            } else {
                Quality::Variant
            };
            files.push((
                variant,
                encode(&source, variant_format, quality, decoded.icc.as_deref())?,
            ));
        }
    }
    Ok(Made { shape, files })
}

/// Makes one variant again from the stored original (a store that lost it).
pub fn remake(
    original: &[u8],
    shape: Shape,
    variant: Variant,
    limit: PixelLimit,
) -> Result<Vec<u8>, Refusal> {
    let decoded = decode(original, shape.format, limit)?;
    match variant {
        Variant::Original => Ok(original.to_vec()),
        Variant::Sized { width, format } => {
            let image = if width == decoded.image.width() {
                decoded.image
            } else {
                resize(&decoded.image, width, shape.height_at(width))?
            };
            encode(&image, format, Quality::Variant, decoded.icc.as_deref())
        }
    }
}

struct Decoded {
    image: DynamicImage,
    icc: Option<Vec<u8>>,
}

/// Decodes within the pixel limit, judged from the header before a pixel
/// is decoded, and turns the image upright.
fn decode(bytes: &[u8], format: Format, limit: PixelLimit) -> Result<Decoded, Refusal> {
    let unreadable = |e: image::ImageError| match e {
        image::ImageError::Limits(_) => too_many_pixels(limit),
        other => Refusal::Unreadable(format!("the image cannot be decoded: {other}")),
    };
    let mut reader = ImageReader::with_format(Cursor::new(bytes), image_format(format));
    let mut limits = image::Limits::default();
    // RGBA at 8 bits per channel, twice over for the decoder's own buffers.
    limits.max_alloc = Some(limit.0.saturating_mul(8));
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if u64::from(width) * u64::from(height) > limit.0 {
        return Err(too_many_pixels_at(limit, width, height));
    }
    if width == 0 || height == 0 {
        return Err(Refusal::Unreadable("the image has no pixels".into()));
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let icc = decoder.icc_profile().ok().flatten();
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    // 8 bits per channel, RGB or RGBA: what every encoder here takes.
    let image = if image.color().has_alpha() {
        DynamicImage::ImageRgba8(image.into_rgba8())
    } else {
        DynamicImage::ImageRgb8(image.into_rgb8())
    };
    Ok(Decoded { image, icc })
}

fn too_many_pixels(limit: PixelLimit) -> Refusal {
    Refusal::TooLarge(format!(
        "the image has more pixels than the limit of {} megapixels",
        limit.0 / 1_000_000
    ))
}

fn too_many_pixels_at(limit: PixelLimit, width: u32, height: u32) -> Refusal {
    Refusal::TooLarge(format!(
        "the image is {width} × {height} pixels ({} megapixels); the limit is {} megapixels",
        u64::from(width) * u64::from(height) / 1_000_000,
        limit.0 / 1_000_000
    ))
}

fn image_format(format: Format) -> image::ImageFormat {
    match format {
        Format::Jpeg => image::ImageFormat::Jpeg,
        Format::Png => image::ImageFormat::Png,
        Format::Gif => image::ImageFormat::Gif,
        Format::Webp => image::ImageFormat::WebP,
    }
}

fn resize(image: &DynamicImage, width: u32, height: u32) -> Result<DynamicImage, Refusal> {
    let mut resized = DynamicImage::new(width, height, image.color());
    let options = ResizeOptions::new().resize_alg(ResizeAlg::Convolution(FilterType::Lanczos3));
    Resizer::new()
        .resize(image, &mut resized, &options)
        .map_err(|e| Refusal::Unreadable(format!("the image cannot be resized: {e}")))?;
    Ok(resized)
}

#[derive(Clone, Copy)]
enum Quality {
    Original,
    Variant,
    /// A lossless upload (WebP) stays lossless.
    Lossless,
}

/// Encodes with nothing but the pixels and their colour profile.
fn encode(
    image: &DynamicImage,
    format: Format,
    quality: Quality,
    icc: Option<&[u8]>,
) -> Result<Vec<u8>, Refusal> {
    let failed = |e: &dyn std::fmt::Display| Refusal::Unreadable(format!("encoding failed: {e}"));
    let mut out = Vec::new();
    let (width, height) = (image.width(), image.height());
    match format {
        Format::Jpeg => {
            let q = match quality {
                Quality::Original => ORIGINAL_QUALITY,
                _ => VARIANT_QUALITY,
            };
            let mut encoder = JpegEncoder::new_with_quality(&mut out, q);
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            let rgb = image.to_rgb8();
            encoder
                .write_image(&rgb, width, height, image::ExtendedColorType::Rgb8)
                .map_err(|e| failed(&e))?;
        }
        Format::Png => {
            let mut encoder = PngEncoder::new_with_quality(
                &mut out,
                CompressionType::Fast,
                image::codecs::png::FilterType::Adaptive,
            );
            if let Some(icc) = icc {
                let _ = encoder.set_icc_profile(icc.to_vec());
            }
            encoder
                .write_image(image.as_bytes(), width, height, image.color().into())
                .map_err(|e| failed(&e))?;
        }
        Format::Gif => {
            let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
            encoder
                .encode_frame(image::Frame::new(image.to_rgba8()))
                .map_err(|e| failed(&e))?;
        }
        Format::Webp => {
            let encoder = if image.color().has_alpha() {
                webp::Encoder::from_rgba(image.as_bytes(), width, height)
            } else {
                webp::Encoder::from_rgb(image.as_bytes(), width, height)
            };
            let lossless = matches!(quality, Quality::Lossless);
            let quality = match quality {
                Quality::Original => f32::from(ORIGINAL_QUALITY),
                _ => WEBP_QUALITY,
            };
            let encoded = encoder
                .encode_simple(lossless, quality)
                .map_err(|e| failed(&format!("{e:?}")))?;
            out = encoded.to_vec();
        }
    }
    Ok(out)
}

/// An animated GIF, kept animated: its frames copied as they are into a
/// new file (no comment, application or XMP block survives; the loop count
/// does). `None` for a single-frame GIF, which is treated as a still.
fn animated_gif(upload: &[u8], limit: PixelLimit) -> Result<Option<Made>, Refusal> {
    let unreadable =
        |e: gif::DecodingError| Refusal::Unreadable(format!("the GIF cannot be read: {e}"));
    let mut options = gif::DecodeOptions::new();
    options.skip_frame_decoding(true);
    options.set_memory_limit(gif::MemoryLimit::Bytes(
        std::num::NonZeroU64::new(limit.0.saturating_mul(4)).unwrap_or(std::num::NonZeroU64::MIN),
    ));
    let count_frames = || -> Result<usize, Refusal> {
        let mut decoder = options
            .clone()
            .read_info(Cursor::new(upload))
            .map_err(unreadable)?;
        let mut frames = 0;
        while frames < 2 && decoder.next_frame_info().map_err(unreadable)?.is_some() {
            frames += 1;
        }
        Ok(frames)
    };
    if count_frames()? < 2 {
        return Ok(None);
    }
    let mut decoder = options.read_info(Cursor::new(upload)).map_err(unreadable)?;
    let (width, height) = (u32::from(decoder.width()), u32::from(decoder.height()));
    if u64::from(width) * u64::from(height) > limit.0 {
        return Err(too_many_pixels_at(limit, width, height));
    }
    let palette = decoder.global_palette().unwrap_or_default().to_vec();
    let mut out = Vec::with_capacity(upload.len());
    {
        let failed =
            |e: gif::EncodingError| Refusal::Unreadable(format!("the GIF cannot be copied: {e}"));
        let mut encoder = gif::Encoder::new(&mut out, decoder.width(), decoder.height(), &palette)
            .map_err(failed)?;
        encoder.set_repeat(decoder.repeat()).map_err(failed)?;
        while let Some(frame) = decoder.read_next_frame().map_err(unreadable)? {
            encoder.write_lzw_pre_encoded_frame(frame).map_err(failed)?;
        }
    }
    let shape = Shape {
        format: Format::Gif,
        width,
        height,
        animated: true,
    };
    Ok(Some(Made {
        shape,
        files: vec![(Variant::Original, out)],
    }))
}

fn webp_is_animated(upload: &[u8]) -> Result<bool, Refusal> {
    let decoder = image::codecs::webp::WebPDecoder::new(Cursor::new(upload))
        .map_err(|e| Refusal::Unreadable(format!("the WebP image cannot be read: {e}")))?;
    Ok(decoder.has_animation())
}

/// A WebP made losslessly (its first chunk is `VP8L`, or follows `VP8X`).
fn webp_is_lossless(upload: &[u8]) -> bool {
    upload.get(12..16) == Some(b"VP8L")
        || (upload.get(12..16) == Some(b"VP8X")
            && upload.windows(4).take(4096).any(|w| w == b"VP8L"))
}
