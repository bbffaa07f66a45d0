//! The public response cache: a warm public `GET` is stored bytes (identity,
//! gzip, brotli) with their strong ETags — no query, no serialization, no
//! compression per request.
//!
//! Entries belong to a content generation (`DbPool::generation`, the newest
//! recorded change): a content write of this node moves it on at once, and
//! `DbPool::watch_changes` within a poll interval when another node writes. An entry
//! filled while an article is scheduled expires when that article is due.

use std::collections::HashSet;
use std::io::Write;
use std::sync::{Arc, Mutex};

use actix_web::body::{to_bytes, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap, HeaderName, HeaderValue};
use actix_web::http::header::{AcceptEncoding, Encoding as Coding, Header, Preference, Quality};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::{HttpMessage, HttpResponse};
use chrono::NaiveDateTime;
use lru::LruCache;

use crate::app::AppState;
use crate::content::article::{Article, ListFacts};
use crate::content::now;
use crate::error::ApiError;

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
    generation: u64,
    /// The next scheduled publication when this was filled: it is stale then.
    valid_until: Option<NaiveDateTime>,
    cache_control: HeaderValue,
    identity: Variant,
    gzip: Option<Variant>,
    brotli: Option<Variant>,
}

impl Entry {
    fn size(&self, key: &str) -> usize {
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
        if_none_match: Option<&str>,
        hit: bool,
    ) -> HttpResponse {
        let (variant, content_encoding) = self.variant(encoding);
        let etag = variant.etag.to_str().unwrap_or_default();
        let not_modified = if_none_match.is_some_and(|value| {
            value.split(',').map(str::trim).any(|candidate| {
                candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
            })
        });
        let mut res = if not_modified {
            HttpResponse::NotModified().finish()
        } else {
            let mut builder = HttpResponse::Ok();
            builder.content_type(header::ContentType::json());
            if let Some(encoding) = content_encoding {
                builder.insert_header((header::CONTENT_ENCODING, encoding));
            }
            builder.body(variant.body.clone())
        };
        let headers = res.headers_mut();
        headers.insert(header::ETAG, variant.etag.clone());
        headers.insert(header::CACHE_CONTROL, self.cache_control.clone());
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.insert(
            HeaderName::from_static("x-cache"),
            HeaderValue::from_static(if hit { "HIT" } else { "MISS" }),
        );
        res
    }
}

struct Inner {
    entries: LruCache<String, Arc<Entry>>,
    bytes: usize,
    /// The next scheduled publication, as known at a generation.
    next_due: Option<(u64, Option<NaiveDateTime>)>,
    /// What article lists learnt about each filter (`meta.total`, a
    /// search's prefix expanded): counting 100,000 matches on every page
    /// costs more than the page itself. Kept even with the response cache
    /// off; small (a number and a few words per filter).
    facts: std::collections::HashMap<String, (u64, ListFacts)>,
}

/// Filters remembered at most; past it the remembered facts start over.
const MAX_FACTS: usize = 10_000;

/// Bounded by bytes, least recently used out first.
pub struct ResponseCache {
    max_bytes: usize,
    /// Query parameters some public operation reads (from the OpenAPI
    /// document, so a new parameter is part of the key without anyone
    /// remembering to add it); the others are left out of the key.
    query_names: HashSet<String>,
    inner: Mutex<Inner>,
}

/// The query parameter names the operations of `document` read.
pub fn query_names(document: &utoipa::openapi::OpenApi) -> HashSet<String> {
    use utoipa::openapi::path::ParameterIn;
    document
        .paths
        .paths
        .values()
        .flat_map(|item| {
            let operations = [&item.get, &item.post, &item.put, &item.patch, &item.delete];
            operations
                .into_iter()
                .flatten()
                .flat_map(|op| op.parameters.iter().flatten())
                .chain(item.parameters.iter().flatten())
        })
        .filter(|p| p.parameter_in == ParameterIn::Query)
        .map(|p| p.name.clone())
        .collect()
}

impl ResponseCache {
    /// `max_bytes` 0 turns the cache off; `query_names` see the field.
    pub fn new(max_bytes: usize, query_names: HashSet<String>) -> Self {
        Self {
            max_bytes,
            query_names,
            inner: Mutex::new(Inner {
                entries: LruCache::unbounded(),
                bytes: 0,
                next_due: None,
                facts: std::collections::HashMap::new(),
            }),
        }
    }

    pub fn enabled(&self) -> bool {
        self.max_bytes > 0
    }

    /// The entry key of a request: its path and the query pairs a handler
    /// reads, in their order. Tracking parameters and cache-busters
    /// (`?utm_source=…`, `?_=123`), which handlers ignore, share the entry
    /// instead of filling (and churning) the cache with copies. A name that
    /// is not plain (`p%61ge` decodes to `page`) is kept, to be safe.
    pub fn key(&self, path: &str, query: &str) -> String {
        let mut key = String::with_capacity(path.len() + query.len() + 1);
        key.push_str(path);
        let mut separator = '?';
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let name = pair.split_once('=').map_or(pair, |(name, _)| name);
            let plain = name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~'));
            if !plain || self.query_names.contains(name) {
                key.push(separator);
                key.push_str(pair);
                separator = '&';
            }
        }
        key
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A fresh entry for `key`, if any; stale ones are dropped on the way.
    pub fn get(&self, key: &str, generation: u64, at: NaiveDateTime) -> Option<Arc<Entry>> {
        let mut inner = self.lock();
        let entry = inner.entries.get(key)?.clone();
        let fresh = entry.generation == generation && entry.valid_until.is_none_or(|due| at < due);
        if !fresh {
            if let Some(old) = inner.entries.pop(key) {
                inner.bytes -= old.size(key);
            }
            return None;
        }
        Some(entry)
    }

    /// Stores an entry, evicting the least recently used until it fits.
    pub fn put(&self, key: String, entry: Arc<Entry>) {
        let size = entry.size(&key);
        if size > self.max_bytes {
            return;
        }
        let mut inner = self.lock();
        if let Some(old) = inner.entries.pop(&key) {
            inner.bytes -= old.size(&key);
        }
        while inner.bytes + size > self.max_bytes {
            match inner.entries.pop_lru() {
                Some((old_key, old)) => inner.bytes -= old.size(&old_key),
                None => break,
            }
        }
        inner.bytes += size;
        inner.entries.put(key, entry);
    }

    /// Bytes held now (for tests and logs).
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// What lists learnt about the filter `key` at `generation`; nothing
    /// when the next due time is unknown (a due article changes totals).
    pub fn facts(&self, key: &str, generation: u64, at: NaiveDateTime) -> ListFacts {
        if self.known_next_due(generation, at).is_none() {
            return ListFacts::default();
        }
        match self.lock().facts.get(key) {
            Some((g, facts)) if *g == generation => facts.clone(),
            _ => ListFacts::default(),
        }
    }

    pub fn put_facts(&self, key: String, generation: u64, facts: ListFacts) {
        let mut inner = self.lock();
        if inner.facts.len() >= MAX_FACTS {
            inner.facts.clear();
        }
        inner.facts.insert(key, (generation, facts));
    }

    /// Makes sure the next due time is known at `generation` (one indexed query when not).
    pub fn ensure_next_due(
        &self,
        conn: &mut crate::db::DbConnection,
        generation: u64,
        at: NaiveDateTime,
    ) -> diesel::QueryResult<Option<NaiveDateTime>> {
        if let Some(due) = self.known_next_due(generation, at) {
            return Ok(due);
        }
        let due = Article::next_due(conn, at)?;
        self.remember_next_due(generation, due);
        Ok(due)
    }

    fn known_next_due(&self, generation: u64, at: NaiveDateTime) -> Option<Option<NaiveDateTime>> {
        match self.lock().next_due {
            Some((g, due)) if g == generation && due.is_none_or(|d| d > at) => Some(due),
            _ => None,
        }
    }

    fn remember_next_due(&self, generation: u64, due: Option<NaiveDateTime>) {
        self.lock().next_due = Some((generation, due));
    }
}

/// GETs of the public, anonymous API: what the cache may answer.
fn cacheable(req: &ServiceRequest) -> bool {
    let path = req.path();
    req.method() == Method::GET
        && ((path.starts_with("/api/v1/")
            && !path.starts_with("/api/v1/admin")
            && !path.starts_with("/api/v1/auth"))
            || path == "/openapi.json")
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
fn entry_from(
    headers: &HeaderMap,
    body: Bytes,
    generation: u64,
    valid_until: Option<NaiveDateTime>,
) -> Option<Entry> {
    let etag = headers.get(header::ETAG)?.clone();
    let cache_control = headers.get(header::CACHE_CONTROL)?.clone();
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
        identity: Variant { body, etag },
        gzip,
        brotli,
    })
}

/// The middleware: answer public GETs from the cache, fill it on a miss.
pub async fn public_cache(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<Data<AppState>>().cloned();
    let Some(state) = state.filter(|s| s.cache.enabled() && cacheable(&req)) else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let key = state.cache.key(req.path(), req.query_string());
    let encoding = Encoding::preferred(&req);
    // Every header line, as one list (RFC 9110 5.3).
    let lines: Vec<&str> = req
        .headers()
        .get_all(header::IF_NONE_MATCH)
        .filter_map(|v| v.to_str().ok())
        .collect();
    let if_none_match = (!lines.is_empty()).then(|| lines.join(","));
    // Read before the database is: a write landing meanwhile makes this fill stale, not wrong.
    let generation = state.db.generation();
    let at = now();
    if let Some(entry) = state.cache.get(&key, generation, at) {
        let res = entry.respond(encoding, if_none_match.as_deref(), true);
        return Ok(req.into_response(res).map_into_right_body());
    }

    let valid_until = match state.cache.known_next_due(generation, at) {
        Some(due) => due,
        None => {
            let cache = state.cache.clone();
            state
                .db
                .run(move |conn| Ok(cache.ensure_next_due(conn, generation, at)?))
                .await?
        }
    };
    // The handler must produce the full body to fill the cache; the
    // conditional request is answered from the entry afterwards.
    req.headers_mut().remove(header::IF_NONE_MATCH);
    let res = next.call(req).await?;
    if res.status() != StatusCode::OK {
        return Ok(res.map_into_left_body());
    }
    let (req, res) = res.into_parts();
    let (head, body) = res.into_parts();
    let body = to_bytes(body)
        .await
        .map_err(|_| ApiError::Internal(anyhow::anyhow!("reading a response to cache")))?;
    let Some(entry) = entry_from(head.headers(), body.clone(), generation, valid_until) else {
        let res = head.set_body(body);
        return Ok(ServiceResponse::new(req, res)
            .map_into_boxed_body()
            .map_into_right_body());
    };
    let entry = Arc::new(entry);
    state.cache.put(key, entry.clone());
    let res = entry.respond(encoding, if_none_match.as_deref(), false);
    Ok(ServiceResponse::new(req, res).map_into_right_body())
}

#[cfg(test)]
mod tests {
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

    fn entry(generation: u64, bytes: usize) -> Arc<Entry> {
        let mut h = HeaderMap::new();
        h.insert(header::ETAG, HeaderValue::from_static("\"abc\""));
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        );
        Arc::new(entry_from(&h, Bytes::from(vec![b'x'; bytes]), generation, None).unwrap())
    }

    #[test]
    fn the_bound_evicts_least_recently_used_and_generations_expire() {
        let at = now();
        let cache = ResponseCache::new(3 * (ENTRY_OVERHEAD + 100 + 2), HashSet::new());
        for key in ["/a", "/b", "/c"] {
            cache.put(key.into(), entry(1, 100));
        }
        assert!(cache.get("/a", 1, at).is_some());
        cache.put("/d".into(), entry(1, 100));
        assert!(
            cache.get("/b", 1, at).is_none(),
            "the least recently used went"
        );
        assert!(cache.get("/a", 1, at).is_some());
        assert!(cache.bytes() <= 3 * (ENTRY_OVERHEAD + 100 + 2));
        assert!(
            cache.get("/a", 2, at).is_none(),
            "another generation is stale"
        );
    }

    #[test]
    fn keys_keep_the_parameters_handlers_read_and_nothing_else() {
        let names = query_names(&crate::openapi::document());
        for name in ["page", "per_page", "cursor", "tag", "q", "sort", "article"] {
            assert!(names.contains(name), "{name} is read by a public operation");
        }
        let cache = ResponseCache::new(1 << 20, names);
        let key = |query| cache.key("/api/v1/articles", query);
        assert_eq!(key(""), "/api/v1/articles");
        assert_eq!(key("utm_source=mail&_=1732"), "/api/v1/articles");
        assert_eq!(
            key("tag=posture&fbclid=x&page=2&&q=back+pain"),
            "/api/v1/articles?tag=posture&page=2&q=back+pain"
        );
        // Order and repeats are the handler's business: kept as sent.
        assert_eq!(key("page=2&page=3"), "/api/v1/articles?page=2&page=3");
        // Names that decode to something else stay in the key.
        assert_eq!(key("p%61ge=2&x+y=1"), "/api/v1/articles?p%61ge=2&x+y=1");
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
