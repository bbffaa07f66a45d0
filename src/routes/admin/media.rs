//! `/api/v1/admin/media`: the media library. An upload is processed on
//! the library's bounded workers and answered once every variant is
//! stored (`201`, or `200` with the existing item for identical bytes).

use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{delete, get, patch, post, HttpRequest};
use serde::Deserialize;
use utoipa::ToSchema;

use super::collection::{self, Collection};
use super::upload::{read_upload, MediaUpload, Upload};
use super::{created, item_response, Checks, IfMatch};
use crate::auth::{authorize, can, Action, AuthUser};
use crate::content::media::{FocalPoint, Media, MediaFields, MediaFilter, MediaItem};
use crate::content::{now, PageRequest, Paged};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::media::variant::Shape;
use crate::media::Library;
use crate::routes::{list_params, text, Allowed, Json, PathId, Query, Reply};

pub const FILENAME_MAX: usize = 255;
pub const ALT_MAX: usize = 1000;
pub const CAPTION_MAX: usize = 2000;
pub const CREDIT_MAX: usize = 300;

list_params! {
    /// `page`, `per_page`, and what to look for.
    pub struct MediaParams {
        /// Words in the file name, alt text, caption or credit.
        #[param(schema_with = text::optional::<200>)]
        pub q: Option<String>,
        /// `true`: only images that need alt text (neither alt nor decorative).
        pub needs_alt: Option<bool>,
    }
}

/// A JSON merge patch of a media item's words.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MediaPatch {
    #[schema(schema_with = text::required_or_null::<FILENAME_MAX>)]
    pub filename: Option<String>,
    /// What the image shows; empty when unknown (publishing an article
    /// that shows it is then refused, unless it is decorative).
    #[schema(schema_with = text::optional_or_null::<ALT_MAX>)]
    pub alt: Option<String>,
    pub decorative: Option<bool>,
    #[schema(schema_with = text::optional_or_null::<CAPTION_MAX>)]
    pub caption: Option<String>,
    #[schema(schema_with = text::optional_or_null::<CREDIT_MAX>)]
    pub credit: Option<String>,
    pub focal_point: Option<FocalPoint>,
    pub public: Option<bool>,
}

/// An upload once processed and stored: what its row records.
pub struct NewMedia {
    hash: String,
    shape: Shape,
    bytes: i64,
    fields: MediaFields,
}

/// The name a client gave a file, as a plain label: its last path
/// segment, without control characters, at most 255 characters.
fn clean_filename(raw: &str) -> String {
    let last = raw.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last
        .chars()
        .filter(|c| !c.is_control())
        .take(FILENAME_MAX)
        .collect();
    if clean.trim().is_empty() {
        "upload".into()
    } else {
        clean.trim().to_string()
    }
}

fn flag(checks: &mut Checks, field: &str, raw: Option<&String>) -> bool {
    match raw.map(|v| v.trim()) {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            checks.fail(field, "must be true or false");
            false
        }
    }
}

impl Upload {
    /// The words sent beside the file, checked.
    fn fields(&self) -> Result<MediaFields, ApiError> {
        let mut checks = Checks::default();
        let text = |name: &str| self.text.get(name).map(String::as_str).unwrap_or_default();
        let fields = MediaFields {
            filename: clean_filename(&self.filename),
            alt: checks
                .text("alt", text("alt").trim(), ALT_MAX)
                .trim()
                .to_string(),
            decorative: flag(&mut checks, "decorative", self.text.get("decorative")),
            caption: checks.text("caption", text("caption").trim(), CAPTION_MAX),
            credit: checks.text("credit", text("credit").trim(), CREDIT_MAX),
            focal_point: FocalPoint::CENTER,
            public: flag(&mut checks, "public", self.text.get("public")),
        };
        checks.finish()?;
        Ok(fields)
    }
}

/// The media library, as a collection.
pub struct MediaLibrary;

impl Collection for MediaLibrary {
    type Item = MediaItem;
    type Create = NewMedia;
    type Patch = MediaPatch;
    type Params = MediaParams;
    type Filter = MediaFilter;

    const PATH: &'static str = "/api/v1/admin/media";
    const TABLE: &'static str = "media";
    const NOT_FOUND: &'static str = "no media item has this id";

    fn id(item: &MediaItem) -> i32 {
        item.id
    }

    fn version(item: &MediaItem) -> i32 {
        item.version
    }

    fn filter(params: &MediaParams) -> Result<(MediaFilter, PageRequest), ApiError> {
        crate::routes::query::text_param("q", params.q.as_deref(), 200)?;
        let filter = MediaFilter {
            q: params.q.clone(),
            needs_alt: params.needs_alt,
        };
        Ok((filter, params.page_request()?))
    }

    fn list(
        conn: &mut DbConnection,
        filter: MediaFilter,
        page: PageRequest,
    ) -> Result<Paged<MediaItem>, ApiError> {
        Ok(Media::list(conn, &filter, page)?)
    }

    fn find(conn: &mut DbConnection, id: i32) -> diesel::QueryResult<MediaItem> {
        Media::find(conn, id)
    }

    /// Every role uploads: authors need images for their drafts.
    fn authorize_collection(user: &AuthUser) -> Result<(), ApiError> {
        authorize(user, Action::UploadMedia)
    }

    /// Editors change any item; authors the ones they uploaded.
    fn authorize_change(
        _conn: &mut DbConnection,
        user: &AuthUser,
        item: &MediaItem,
    ) -> Result<(), ApiError> {
        let own = item.uploaded_by.as_ref().is_some_and(|u| u.id == user.id);
        authorize(user, Action::ChangeMedia { own })
    }

    fn create(conn: &mut DbConnection, user: &AuthUser, new: NewMedia) -> Result<i32, ApiError> {
        Ok(Media::create(
            conn,
            &new.hash,
            new.shape,
            new.bytes,
            &new.fields,
            user.id,
            now(),
        )?)
    }

    fn update(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: MediaItem,
        version: i32,
        patch: MediaPatch,
    ) -> Result<(), ApiError> {
        let mut checks = Checks::default();
        let focal_point = patch.focal_point.unwrap_or(current.focal_point);
        if !focal_point.is_valid() {
            checks.fail("focal_point", "x and y must be between 0 and 1");
        }
        let fields = MediaFields {
            filename: match patch.filename {
                Some(name) => checks.required_text("filename", &name, FILENAME_MAX),
                None => current.filename,
            },
            alt: patch
                .alt
                .map_or(current.alt, |alt| checks.text("alt", alt.trim(), ALT_MAX)),
            decorative: patch.decorative.unwrap_or(current.decorative),
            caption: patch.caption.map_or(current.caption, |c| {
                checks.text("caption", c.trim(), CAPTION_MAX)
            }),
            credit: patch.credit.map_or(current.credit, |c| {
                checks.text("credit", c.trim(), CREDIT_MAX)
            }),
            focal_point,
            public: patch.public.unwrap_or(current.public),
        };
        checks.finish()?;
        Ok(Media::update(
            conn,
            current.id,
            version,
            &fields,
            user.id,
            now(),
        )?)
    }

    fn delete(
        conn: &mut DbConnection,
        user: &AuthUser,
        current: MediaItem,
        version: i32,
    ) -> Result<(), ApiError> {
        let row = Media::find_row(conn, current.id)?;
        Ok(Media::delete(conn, &row, version, user.id, now())?)
    }
}

/// Upload an image (multipart/form-data, one part named `file`, and
/// optionally `alt`, `decorative`, `caption`, `credit`, `public`).
///
/// The type is decided by the bytes (JPEG, PNG, WebP, GIF); SVG and AVIF are
/// refused. The image is turned upright, stripped of all metadata (EXIF,
/// GPS, XMP, comments) and stored with its variants (320–1920 pixels wide,
/// never wider than the original, in WebP and the original's format)
/// before the answer. Identical bytes are one item: uploading them again
/// answers `200` with the existing item.
#[utoipa::path(
    request_body(content = MediaUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored with its variants; `Location` names it", body = crate::routes::Item<MediaItem>),
        (status = 200, description = "These bytes are in the library already: the existing item", body = crate::routes::Item<MediaItem>),
        (status = 413, description = "Larger than the upload limit (bytes or pixels)"),
        (status = 415, description = "Not multipart, or not a JPEG, PNG, WebP or GIF (SVG and AVIF included)"),
        (status = 422, description = "An image of an accepted type that cannot be decoded"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    editor: Allowed<can::SignedIn>,
    req: HttpRequest,
    multipart: Multipart,
) -> Reply {
    MediaLibrary::authorize_collection(&editor.user)?;
    refuse_declared_size(&req, editor.media.max_bytes)?;
    let upload = read_upload(multipart, editor.media.max_bytes).await?;
    let fields = upload.fields()?;
    // Hashing megabytes takes milliseconds: not on the request thread.
    let hash = {
        let bytes = upload.bytes.clone();
        actix_web::web::block(move || Library::hash(&bytes))
            .await
            .map_err(|e| ApiError::Internal(anyhow::anyhow!("hashing an upload: {e}")))?
    };
    let existing = {
        let hash = hash.clone();
        editor
            .read(move |conn| {
                Ok(match Media::by_hash(conn, &hash)? {
                    Some(row) => Some(Media::find(conn, row.id)?),
                    None => None,
                })
            })
            .await?
    };
    if let Some(item) = existing {
        return Ok(item_response(StatusCode::OK, &item, item.version));
    }
    let (shape, bytes) = editor.media.make_and_store(&hash, upload.bytes).await?;
    let new = NewMedia {
        hash,
        shape,
        bytes,
        fields,
    };
    let item = editor
        .write(move |conn, user| {
            let id = MediaLibrary::create(conn, user, new)?;
            Ok(Media::find(conn, id)?)
        })
        .await?;
    Ok(created(
        format!("{}/{}", MediaLibrary::PATH, item.id),
        &item,
        item.version,
    ))
}

/// A body that says up front it is larger than any upload may be (the
/// file's limit and room for the form around it) is refused unread.
fn refuse_declared_size(req: &HttpRequest, max_bytes: usize) -> Result<(), ApiError> {
    const FORM_ROOM: u64 = 64 * 1024;
    let declared = req
        .headers()
        .get(actix_web::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > max_bytes as u64 + FORM_ROOM => {
            Err(ApiError::PayloadTooLarge(format!(
                "the upload is larger than the limit of {} MB",
                max_bytes / (1024 * 1024)
            )))
        }
        _ => Ok(()),
    }
}

/// List the media library, newest first; `q` searches names, alt text,
/// captions and credits.
#[utoipa::path(
    params(MediaParams),
    responses((status = 200, description = "A page of media items", body = crate::routes::List<MediaItem>))
)]
#[get("/media")]
pub async fn list_media(editor: Allowed<can::ReadContent>, params: Query<MediaParams>) -> Reply {
    collection::list::<MediaLibrary>(editor, &params).await
}

/// One media item, with where it is used.
#[utoipa::path(
    params(("id" = i32, Path, description = "The media item's id")),
    responses(
        (status = 200, description = "The item; `ETag` is its version", body = crate::routes::Item<MediaItem>),
        (status = 404, description = "No media item has this id"),
    )
)]
#[get("/media/{id}")]
pub async fn find_media(editor: Allowed<can::ReadContent>, id: PathId) -> Reply {
    collection::find::<MediaLibrary>(editor, id.0).await
}

/// Change a media item's alt text, decorative flag, caption, credit,
/// focal point, file name or public flag (JSON merge patch); needs
/// `If-Match`. Articles showing it are rendered again.
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The media item's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    request_body(content = MediaPatch, content_type = "application/merge-patch+json"),
    responses(
        (status = 200, description = "The changed item", body = crate::routes::Item<MediaItem>),
        (status = 403, description = "Authors may change only images they uploaded"),
        (status = 404, description = "No media item has this id"),
    )
)]
#[patch("/media/{id}")]
pub async fn update_media(
    editor: Allowed<can::SignedIn>,
    id: PathId,
    if_match: IfMatch,
    body: Json<MediaPatch>,
) -> Reply {
    collection::update::<MediaLibrary>(editor, id.0, if_match, body.into_inner()).await
}

/// Delete a media item and its stored files; needs `If-Match`. An item
/// that content uses is refused (`409`, naming where).
#[utoipa::path(
    params(
        ("id" = i32, Path, description = "The media item's id"),
        ("If-Match" = String, Header, description = "The ETag last read"),
    ),
    responses(
        (status = 204, description = "Deleted, with its files"),
        (status = 403, description = "Authors may delete only images they uploaded"),
        (status = 404, description = "No media item has this id"),
        (status = 409, description = "Content uses the image; the detail names where"),
    )
)]
#[delete("/media/{id}")]
pub async fn delete_media(editor: Allowed<can::SignedIn>, id: PathId, if_match: IfMatch) -> Reply {
    let id = id.0;
    let row = editor
        .read(move |conn| Ok(Media::find_row(conn, id).ok()))
        .await?;
    let library = editor.media.clone();
    let reply = collection::delete::<MediaLibrary>(editor, id, if_match).await?;
    if let Some(row) = row {
        // The row is gone: its files go too (a failure leaves files no row
        // names, which the next identical upload uses again).
        if let Err(e) = library.remove(&row.hash, row.shape()).await {
            tracing::warn!(error = %e, hash = row.hash, "removing a deleted image's files");
        }
    }
    Ok(reply)
}
