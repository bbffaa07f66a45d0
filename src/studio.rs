//! The studio, the editors' web app, compiled into the binary (`studio/`):
//! no npm, no bundler, no network at build or run time. `/studio/` is the
//! page (revalidated: `no-cache` with a strong ETag); its scripts and
//! styles are under `/studio/{version}/`, the version a hash of them all,
//! so they are cached for a year and a new build is a new URL (ES modules
//! import each other relatively, inside the version). Gzip and brotli are
//! made once, as the server starts, by the response cache's own encoder. A strict
//! Content-Security-Policy: scripts and styles of this origin only, no
//! inline script, requests to this origin only.

use std::collections::HashMap;
use std::sync::LazyLock;

use actix_web::http::header::{self, HeaderMap, HeaderValue};
use actix_web::{web, HttpRequest, HttpResponse};
use bytes::Bytes;
use sha2::{Digest, Sha256};

use crate::cache::{entry_from, Encoding, Entry};
use crate::error::ApiError;

/// What the studio may load and where it may connect: its own origin only.
const STUDIO_CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; \
     img-src 'self' blob: data:; connect-src 'self'; font-src 'self'; base-uri 'none'; \
     form-action 'none'; frame-ancestors 'none'";

/// The studio's files: name, bytes, content type.
const FILES: &[(&str, &[u8], &str)] = &[
    ("app.js", include_bytes!("../studio/app.js"), JS),
    ("api.js", include_bytes!("../studio/api.js"), JS),
    ("dom.js", include_bytes!("../studio/dom.js"), JS),
    ("editor.js", include_bytes!("../studio/editor.js"), JS),
    ("revisions.js", include_bytes!("../studio/revisions.js"), JS),
    ("controls.js", include_bytes!("../studio/controls.js"), JS),
    ("media.js", include_bytes!("../studio/media.js"), JS),
    ("faqs.js", include_bytes!("../studio/faqs.js"), JS),
    ("forms.js", include_bytes!("../studio/forms.js"), JS),
    ("merge.js", include_bytes!("../studio/merge.js"), JS),
    ("kept.js", include_bytes!("../studio/kept.js"), JS),
    (
        "collections.js",
        include_bytes!("../studio/collections.js"),
        JS,
    ),
    (
        "studio.css",
        include_bytes!("../studio/studio.css"),
        "text/css; charset=utf-8",
    ),
];
const JS: &str = "text/javascript; charset=utf-8";
const INDEX: &str = include_str!("../studio/index.html");

struct Studio {
    version: String,
    index: Entry,
    files: HashMap<&'static str, Entry>,
}

static STUDIO: LazyLock<Studio> = LazyLock::new(|| {
    let mut hasher = Sha256::new();
    for (name, bytes, _) in FILES {
        hasher.update(name.as_bytes());
        hasher.update(bytes);
    }
    hasher.update(INDEX.as_bytes());
    let version = hex::encode(&hasher.finalize()[..6]);
    // Every module announced at once: the browser fetches them in parallel
    // instead of discovering the import graph one level at a time.
    let preload: String = FILES
        .iter()
        .filter(|(name, _, content_type)| *content_type == JS && *name != "app.js")
        .map(|(name, ..)| {
            format!("<link rel=\"modulepreload\" href=\"/studio/{version}/{name}\">\n")
        })
        .collect();
    let page = INDEX
        .replace("{{preload}}", &preload)
        .replace("{{version}}", &version);
    let entry = |body: Vec<u8>, content_type: &str, cache_control: &str| {
        let etag = crate::routes::etag_for(&body);
        let mut headers = HeaderMap::new();
        for (name, value) in [
            (header::ETAG, etag.as_str()),
            (header::CACHE_CONTROL, cache_control),
            (header::CONTENT_TYPE, content_type),
        ] {
            if let Ok(value) = HeaderValue::from_str(value) {
                headers.insert(name, value);
            }
        }
        entry_from(&headers, Bytes::from(body), 0, None).expect("the studio's headers")
    };
    Studio {
        index: entry(page.into_bytes(), "text/html; charset=utf-8", "no-cache"),
        files: FILES
            .iter()
            .map(|(name, bytes, content_type)| {
                let cache = "public, max-age=31536000, immutable";
                (*name, entry(bytes.to_vec(), content_type, cache))
            })
            .collect(),
        version,
    }
});

/// Routes `/studio`, `/studio/` and `/studio/{version}/{file}`.
pub fn configure(cfg: &mut web::ServiceConfig) {
    // Hashed and compressed here, as the server starts, not at a first request.
    LazyLock::force(&STUDIO);
    cfg.service(web::redirect("/studio", "/studio/"))
        .route("/studio/", web::get().to(index))
        .route("/studio/{version}/{file}", web::get().to(file));
}

async fn index(req: HttpRequest) -> HttpResponse {
    answer(&req, &STUDIO.index)
}

async fn file(req: HttpRequest, path: web::Path<(String, String)>) -> HttpResponse {
    let (version, name) = path.into_inner();
    match STUDIO.files.get(name.as_str()) {
        Some(entry) if version == STUDIO.version => answer(&req, entry),
        _ => actix_web::ResponseError::error_response(&ApiError::not_found(
            "no such studio file (an older build's? load /studio/ again)",
        )),
    }
}

fn answer(req: &HttpRequest, entry: &Entry) -> HttpResponse {
    let condition = crate::conditional::if_none_match(req);
    let mut res = entry.respond(Encoding::preferred(req), condition.as_ref(), true);
    let headers = res.headers_mut();
    headers.remove("x-cache");
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(STUDIO_CSP),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file in `studio/` that is not embedded would 404 for every editor.
    #[test]
    fn every_studio_file_is_embedded() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/studio");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .expect("studio/")
            .map(|entry| {
                entry
                    .expect("entry")
                    .file_name()
                    .into_string()
                    .expect("utf-8")
            })
            .filter(|name| name != "index.html")
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = FILES.iter().map(|(name, ..)| name.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
