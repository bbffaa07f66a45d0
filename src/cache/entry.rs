//! One cached response: its bytes in every encoding, with their strong
//! ETags, and the answer it gives a request (`304` included).

use std::io::Write;

use actix_web::http::header::{
    self, AcceptEncoding, Encoding as Coding, Header, HeaderMap, HeaderName, HeaderValue,
    Preference, Quality,
};
use actix_web::web::Bytes;
use actix_web::{HttpMessage, HttpResponse};
use chrono::NaiveDateTime;

/// Bodies smaller than this are not worth compressing.
const COMPRESS_MIN_BYTES: usize = 1024;
/// Bookkeeping per entry beyond its bytes, for the memory bound.
const ENTRY_OVERHEAD: usize = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    Identity,
    Gzip,
    Brotli,
}

impl Encoding {
    /// The encoding the client ranks highest (RFC 9110 12.5.3, as actix's
    /// typed `Accept-Encoding` parses it): `br;q=0.1, gzip` gets gzip. On
    /// a tie, brotli (the smaller body); identity when neither is acceptable.
    pub fn preferred(req: &impl HttpMessage) -> Self {
        let Ok(AcceptEncoding(items)) = AcceptEncoding::parse(req) else {
            return Self::Identity;
        };
        let quality = |coding: Coding| {
            items
                .iter()
                .find(|i| matches!(&i.item, Preference::Specific(c) if *c == coding))
                .or_else(|| items.iter().find(|i| i.item == Preference::Any))
                .map(|i| i.quality)
                .filter(|q| *q > Quality::ZERO)
        };
        [
            (Self::Gzip, Coding::gzip()),
            (Self::Brotli, Coding::brotli()),
        ]
        .into_iter()
        .filter_map(|(encoding, coding)| quality(coding).map(|q| (q, encoding)))
        // The last of the highest: brotli wins a tie.
        .max_by_key(|(q, _)| *q)
        .map_or(Self::Identity, |(_, encoding)| encoding)
    }

    fn content_encoding(self) -> Option<&'static str> {
        match self {
            Self::Identity => None,
            Self::Gzip => Some("gzip"),
            Self::Brotli => Some("br"),
        }
    }
}

/// One representation of a response: its bytes and strong ETag.
struct Variant {
    body: Bytes,
    etag: HeaderValue,
}

/// A cached public response, every encoding ready.
pub struct Entry {
    pub(super) generation: u64,
    /// The next scheduled publication when this was filled: it is stale then.
    pub(super) valid_until: Option<NaiveDateTime>,
    cache_control: HeaderValue,
    content_type: HeaderValue,
    /// A list page's `Link` header.
    link: Option<HeaderValue>,
    identity: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
}

impl Entry {
    pub(super) fn size(&self, key: &str) -> usize {
        key.len()
            + ENTRY_OVERHEAD
            + self.identity.body.len()
            + self.gzip.as_ref().map_or(0, |v| v.body.len())
            + self.brotli.as_ref().map_or(0, |v| v.body.len())
    }

    fn variant(&self, encoding: Encoding) -> (&Variant, Option<&'static str>) {
        let chosen = match encoding {
            Encoding::Brotli => self.brotli.as_ref().map(|v| (v, encoding)),
            Encoding::Gzip => self.gzip.as_ref().map(|v| (v, encoding)),
            Encoding::Identity => None,
        };
        match chosen {
            Some((variant, encoding)) => (variant, encoding.content_encoding()),
            None => (&self.identity, None),
        }
    }

    /// The response for this request: `304` when `If-None-Match` names the
    /// representation it would get, else the stored bytes.
    pub fn respond(
        &self,
        encoding: Encoding,
        condition: Option<&header::IfNoneMatch>,
        hit: bool,
    ) -> HttpResponse {
        let (variant, content_encoding) = self.variant(encoding);
        let etag = variant.etag.to_str().unwrap_or_default();
        let not_modified = crate::conditional::not_modified(condition, etag);
        let mut res = if not_modified {
            HttpResponse::NotModified().finish()
        } else {
            let mut builder = HttpResponse::Ok();
            builder.insert_header((header::CONTENT_TYPE, self.content_type.clone()));
            if let Some(encoding) = content_encoding {
                builder.insert_header((header::CONTENT_ENCODING, encoding));
            }
            builder.body(variant.body.clone())
        };
        let headers = res.headers_mut();
        headers.insert(header::ETAG, variant.etag.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        if let Some(link) = &self.link {
            headers.insert(header::LINK, link.clone());
        }
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.insert(
            HeaderName::from_static("x-cache"),
            HeaderValue::from_static(if hit { "HIT" } else { "MISS" }),
        );
        res
    }
}

fn compress(body: &[u8], encoding: Encoding) -> Option<Bytes> {
    let out = match encoding {
        Encoding::Gzip => {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
            encoder.write_all(body).ok()?;
            encoder.finish().ok()?
        }
        Encoding::Brotli => {
            let mut out = Vec::new();
            let params = brotli::enc::BrotliEncoderParams {
                quality: 5,
                ..Default::default()
            };
            brotli::BrotliCompress(&mut &body[..], &mut out, &params).ok()?;
            out
        }
        Encoding::Identity => return None,
    };
    Some(Bytes::from(out))
}

fn variant_etag(identity: &str, suffix: &str) -> Option<HeaderValue> {
    let inner = identity.trim_matches('"');
    HeaderValue::from_str(&format!("\"{inner}-{suffix}\"")).ok()
}

/// Builds an entry from a handler's 200 response; compression happens here,
/// once per fill.
pub fn entry_from(
    headers: &HeaderMap,
    body: Bytes,
    generation: u64,
    valid_until: Option<NaiveDateTime>,
) -> Option<Entry> {
    let etag = headers.get(header::ETAG)?.clone();
    let cache_control = headers.get(header::CACHE_CONTROL)?.clone();
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/json"));
    let identity_tag = etag.to_str().ok()?.to_string();
    let (gzip, brotli) = if body.len() >= COMPRESS_MIN_BYTES {
        (
            compress(&body, Encoding::Gzip)
                .zip(variant_etag(&identity_tag, "gzip"))
                .map(|(body, etag)| Variant { body, etag }),
            compress(&body, Encoding::Brotli)
                .zip(variant_etag(&identity_tag, "br"))
                .map(|(body, etag)| Variant { body, etag }),
        )
    } else {
        (None, None)
    };
    Some(Entry {
        generation,
        valid_until,
        cache_control,
        content_type,
        link: headers.get(header::LINK).cloned(),
        identity: Variant { body, etag },
        gzip,
        brotli,
    })
}

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use super::*;

    fn preferred(accept: &str) -> Encoding {
        let req = actix_web::test::TestRequest::default()
            .insert_header((header::ACCEPT_ENCODING, accept))
            .to_http_request();
        Encoding::preferred(&req)
    }

    #[test]
    fn the_client_ranks_encodings_and_brotli_wins_ties() {
        assert_eq!(preferred("gzip, deflate, br"), Encoding::Brotli);
        assert_eq!(preferred("gzip"), Encoding::Gzip);
        assert_eq!(preferred("br;q=0, gzip;q=0.5"), Encoding::Gzip);
        assert_eq!(preferred("br;q=0.1, gzip"), Encoding::Gzip);
        assert_eq!(preferred("*"), Encoding::Brotli);
        assert_eq!(preferred("gzip;q=0.2, *;q=0.5"), Encoding::Brotli);
        assert_eq!(preferred("identity"), Encoding::Identity);
        assert_eq!(preferred("br;q=0, gzip;q=0"), Encoding::Identity);
        let bare = actix_web::test::TestRequest::default().to_http_request();
        assert_eq!(Encoding::preferred(&bare), Encoding::Identity);
    }

    /// An entry of `bytes` bytes filled at `generation`.
    pub(in crate::cache) fn entry(generation: u64, bytes: usize) -> Arc<Entry> {
        let mut h = HeaderMap::new();
        h.insert(header::ETAG, HeaderValue::from_static("\"abc\""));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        Arc::new(entry_from(&h, Bytes::from(vec![b'x'; bytes]), generation, None).unwrap())
    }

    #[test]
    fn compressed_variants_have_their_own_etags() {
        let e = entry(1, 5000);
        let (gz, enc) = e.variant(Encoding::Gzip);
        assert_eq!(enc, Some("gzip"));
        assert_eq!(gz.etag, "\"abc-gzip\"");
        assert!(gz.body.len() < 200);
        let (br, _) = e.variant(Encoding::Brotli);
        assert_eq!(br.etag, "\"abc-br\"");
        let small = entry(1, 10);
        assert_eq!(
            small.variant(Encoding::Brotli).1,
            None,
            "small bodies stay plain"
        );
    }
}
