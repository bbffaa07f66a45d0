//! The public response cache: a warm public `GET` is stored bytes (identity,
//! gzip, brotli) with their strong ETags — no query, no serialization, no
//! compression per request.
//!
//! Entries belong to a content generation (`DbPool::generation`, the newest
//! recorded change): a content write of this node moves it on at once, and
//! `DbPool::watch_changes` within a poll interval when another node writes. An entry
//! filled while an article is scheduled expires when that article is due
//! (`memo`).

mod entry;
pub mod memo;
mod middleware;

use std::collections::HashSet;
use std::sync::Arc;

use chrono::NaiveDateTime;

pub use entry::{entry_from, Encoding, Entry};
pub use middleware::public_cache;

/// Weighs an entry by the bytes it holds.
#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<String, Arc<Entry>> for ByBytes {
    fn weight(&self, key: &String, entry: &Arc<Entry>) -> u64 {
        entry.size(key) as u64
    }
}

/// About how large an entry is, for sizing the cache's bookkeeping.
const TYPICAL_ENTRY_BYTES: usize = 16 * 1024;

/// The smallest share of the bound one shard (one lock) holds: an entry
/// larger than its shard is not stored, so shards stay at least this big.
const MIN_SHARD_BYTES: usize = 8 * 1024 * 1024;

/// How many shards a cache of `max_bytes` has: up to 8 (fewer lock
/// collisions), each at least `MIN_SHARD_BYTES` (64 MiB: 8 of 8 MiB).
fn shards_for(max_bytes: usize) -> usize {
    // A power of two (quick_cache would round any other count up).
    let most = (max_bytes / MIN_SHARD_BYTES).clamp(1, 8);
    1 << most.ilog2()
}

/// Bounded by bytes (quick_cache's weighted CLOCK-Pro: rarely read entries
/// go first).
pub struct ResponseCache {
    /// The largest entry kept: one shard's share of the bound.
    max_entry_bytes: usize,
    /// Query parameters some public operation reads (from the OpenAPI
    /// document, so a new parameter is part of the key without anyone
    /// remembering to add it); the others are left out of the key.
    query_names: HashSet<String>,
    entries: Option<quick_cache::sync::Cache<String, Arc<Entry>, ByBytes>>,
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
        let entries = (max_bytes > 0).then(|| {
            let options = quick_cache::OptionsBuilder::new()
                .estimated_items_capacity((max_bytes / TYPICAL_ENTRY_BYTES).max(16))
                .weight_capacity(max_bytes as u64)
                .shards(shards_for(max_bytes))
                .build()
                .expect("weight and item capacities are set");
            quick_cache::sync::Cache::with_options(
                options,
                ByBytes,
                Default::default(),
                Default::default(),
            )
        });
        Self {
            max_entry_bytes: max_bytes / shards_for(max_bytes),
            query_names,
            entries,
        }
    }

    pub fn enabled(&self) -> bool {
        self.entries.is_some()
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

    /// A fresh entry for `key`, if any; a stale one is dropped on the way.
    pub fn get(&self, key: &str, generation: u64, at: NaiveDateTime) -> Option<Arc<Entry>> {
        let entries = self.entries.as_ref()?;
        let entry = entries.get(key)?;
        let fresh = entry.generation == generation && entry.valid_until.is_none_or(|due| at < due);
        if !fresh {
            entries.remove(key);
            return None;
        }
        Some(entry)
    }

    /// Stores an entry; the least valuable ones go until it fits. An entry
    /// larger than its shard (an eighth of the bound at most) is not stored.
    pub fn put(&self, key: String, entry: Arc<Entry>) {
        let Some(entries) = &self.entries else {
            return;
        };
        if entry.size(&key) <= self.max_entry_bytes {
            entries.insert(key, entry);
        }
    }

    /// Bytes held now (for tests and logs).
    pub fn bytes(&self) -> usize {
        self.entries.as_ref().map_or(0, |e| e.weight() as usize)
    }
}

#[cfg(test)]
mod tests {

    use super::entry::tests::entry;
    use super::*;

    #[test]
    fn the_bound_holds_and_generations_expire() {
        let at = crate::content::now();
        let bound = 8 * 1024;
        let cache = ResponseCache::new(bound, HashSet::new());
        for n in 0..100 {
            cache.put(format!("/{n}"), entry(1, 500));
            assert!(cache.bytes() <= bound, "{} bytes held", cache.bytes());
        }
        cache.put("/last".into(), entry(1, 500));
        assert!(cache.get("/last", 1, at).is_some(), "a fresh entry is kept");
        assert!(
            cache.get("/last", 2, at).is_none(),
            "another generation is stale"
        );
        assert!(cache.get("/last", 1, at).is_none(), "and dropped");
        cache.put("/huge".into(), entry(1, 2 * bound));
        assert!(cache.get("/huge", 1, at).is_none(), "larger than the bound");
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
}
