//! Reading a multipart upload as it streams in: one `file` part, whose
//! type is decided from its first bytes (a wrong type is refused before
//! the rest is read) and whose size is counted as it arrives (refused past
//! the limit), and a few small text parts beside it.

use std::collections::HashMap;

use actix_multipart::{Multipart, MultipartError};
use bytes::{Bytes, BytesMut};
use futures_util::TryStreamExt;
use utoipa::ToSchema;

use crate::error::ApiError;
use crate::media::process::sniff;
use crate::routes::text;

/// An upload: one image and, optionally, its words. (The multipart body's
/// schema; `read_upload` reads it part by part.)
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MediaUpload {
    /// The image: JPEG, PNG, WebP or GIF (still or animated), decided by
    /// its bytes; its name is kept as `filename`.
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
    /// What the image shows, for readers who cannot see it.
    #[schema(schema_with = text::optional::<{ super::media::ALT_MAX }>)]
    pub alt: Option<String>,
    /// `true` when the image is decorative (no alt text needed).
    pub decorative: Option<bool>,
    #[schema(schema_with = text::optional::<{ super::media::CAPTION_MAX }>)]
    pub caption: Option<String>,
    #[schema(schema_with = text::optional::<{ super::media::CREDIT_MAX }>)]
    pub credit: Option<String>,
    /// `true` to serve it to anyone even before published content uses it.
    pub public: Option<bool>,
}

/// The text parts an upload may carry.
pub const TEXT_PARTS: [&str; 5] = ["alt", "decorative", "caption", "credit", "public"];

/// Longest text part read, in bytes.
const MAX_TEXT_BYTES: usize = 8 * 1024;

/// Bytes read before the type is judged.
const SNIFF_BYTES: usize = 512;

pub struct Upload {
    pub bytes: Bytes,
    /// The name the client gave the file (only to find it again).
    pub filename: String,
    pub text: HashMap<String, String>,
}

fn multipart_error(e: MultipartError) -> ApiError {
    match e {
        MultipartError::ContentTypeMissing
        | MultipartError::ContentTypeParse
        | MultipartError::ContentTypeIncompatible
        | MultipartError::BoundaryMissing => ApiError::UnsupportedMediaType(
            "send the image as multipart/form-data with one part named `file`".into(),
        ),
        other => ApiError::bad_request(format!("the multipart body cannot be read: {other}")),
    }
}

/// Reads the parts; at most one file is ever held, and never more than
/// `max_bytes` of it.
pub async fn read_upload(mut multipart: Multipart, max_bytes: usize) -> Result<Upload, ApiError> {
    let mut file: Option<(Bytes, String)> = None;
    let mut text = HashMap::new();
    while let Some(mut part) = multipart.try_next().await.map_err(multipart_error)? {
        let name = part.name().unwrap_or_default().to_string();
        if name == "file" {
            if file.is_some() {
                return Err(ApiError::bad_request(
                    "send one image per upload (a second `file` part was found)",
                ));
            }
            let filename = part
                .content_disposition()
                .and_then(|cd| cd.get_filename())
                .unwrap_or("upload")
                .to_string();
            let mut bytes = BytesMut::new();
            let mut sniffed = false;
            while let Some(chunk) = part.try_next().await.map_err(multipart_error)? {
                if bytes.len() + chunk.len() > max_bytes {
                    return Err(ApiError::PayloadTooLarge(format!(
                        "the image is larger than the limit of {} MB",
                        max_bytes / (1024 * 1024)
                    )));
                }
                bytes.extend_from_slice(&chunk);
                if !sniffed && bytes.len() >= SNIFF_BYTES {
                    sniff(&bytes).map_err(crate::media::MediaError::from)?;
                    sniffed = true;
                }
            }
            file = Some((bytes.freeze(), filename));
        } else if TEXT_PARTS.contains(&name.as_str()) {
            let mut value = BytesMut::new();
            while let Some(chunk) = part.try_next().await.map_err(multipart_error)? {
                if value.len() + chunk.len() > MAX_TEXT_BYTES {
                    return Err(ApiError::invalid_field(&name, "is too long"));
                }
                value.extend_from_slice(&chunk);
            }
            let value = String::from_utf8(value.to_vec())
                .ok()
                .filter(|v| !v.contains('\0'))
                .ok_or_else(|| ApiError::invalid_field(&name, "must be UTF-8 text without NUL"))?;
            text.insert(name, value);
        } else {
            return Err(ApiError::bad_request(format!(
                "unknown part {name:?}; an upload has `file` and optionally {}",
                TEXT_PARTS.join(", ")
            )));
        }
    }
    let Some((bytes, filename)) = file else {
        return Err(ApiError::bad_request(
            "the upload has no part named `file` holding the image",
        ));
    };
    if bytes.is_empty() {
        return Err(ApiError::UnsupportedMediaType("the file is empty".into()));
    }
    Ok(Upload {
        bytes,
        filename,
        text,
    })
}
