//! Images: what an upload is and what is made of it (`process`), what its
//! files are called (`variant`), where their bytes live (`store`), and the
//! library that ties them together: bounded workers off the request
//! threads, and the served bytes kept in memory.

pub mod process;
pub mod store;
pub mod variant;

use bytes::Bytes;
use sha2::{Digest, Sha256};

pub use process::{Made, PixelLimit, Refusal};
pub use store::{Store, StoreConfig};
use variant::{Shape, Variant};

/// Why the library could not do what was asked.
#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error(transparent)]
    Refused(#[from] Refusal),
    #[error("the media store failed")]
    Store(#[from] object_store::Error),
    /// A decoder panicked or the worker was lost.
    #[error("the image worker failed: {0}")]
    Worker(String),
    /// Too many images wait to be processed.
    #[error("{waiting} images are waiting to be processed")]
    Busy { waiting: usize },
}

/// How the library is set up (`MEDIA_*`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaSettings {
    pub store: StoreConfig,
    /// Largest upload, in bytes (`MEDIA_MAX_MB`).
    pub max_bytes: usize,
    /// Most pixels an image may decode to (`MEDIA_MAX_MEGAPIXELS`).
    pub max_pixels: u64,
    /// Images processed at once (`MEDIA_WORKERS`): each keeps a core busy.
    pub workers: usize,
    /// Bytes of served files kept in memory (`MEDIA_CACHE_MB`).
    pub cache_bytes: u64,
}

/// One file ready to serve: its bytes and their strong `ETag`, as a
/// header value made once.
#[derive(Clone, Debug)]
pub struct Served {
    pub bytes: Bytes,
    pub etag: actix_web::http::header::HeaderValue,
}

impl Served {
    fn new(bytes: Bytes) -> Self {
        let digest = Sha256::digest(&bytes);
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        Self {
            bytes,
            etag: actix_web::http::header::HeaderValue::from_str(&etag)
                .expect("hex in quotes is a valid header value"),
        }
    }
}

/// A file's key looked up without allocating: hashes as `(String, String)` does.
struct FileRef<'a>(&'a str, &'a str);

impl std::hash::Hash for FileRef<'_> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.0.hash(state);
        self.1.hash(state);
    }
}

impl quick_cache::Equivalent<(String, String)> for FileRef<'_> {
    fn equivalent(&self, key: &(String, String)) -> bool {
        self.0 == key.0 && self.1 == key.1
    }
}

/// Images waiting per worker before uploads are told to come back.
const QUEUED_PER_WORKER: usize = 8;
/// The image workers' priority: idle (`SCHED_IDLE`), so readers come first
/// whenever they want a core (src/workers.rs).
const WORKER_NICE: i32 = 19;

#[derive(Clone)]
struct ByBytes;

impl quick_cache::Weighter<(String, String), Served> for ByBytes {
    fn weight(&self, key: &(String, String), served: &Served) -> u64 {
        (served.bytes.len() + key.0.len() + key.1.len() + 64) as u64
    }
}

type FileCache = quick_cache::sync::Cache<(String, String), Served, ByBytes>;

/// The media library's machinery (no database: the content layer keeps the rows).
pub struct Library {
    store: Store,
    workers: crate::workers::Workers,
    limit: PixelLimit,
    pub max_bytes: usize,
    files: Option<FileCache>,
    /// Items anyone may see, by hash, with the content generation that
    /// showed it (a later change asks again). Only positive answers are
    /// kept: an article falling due makes its images public by the clock.
    public: quick_cache::sync::Cache<String, (u64, Shape)>,
}

impl Library {
    pub fn open(settings: &MediaSettings) -> anyhow::Result<Self> {
        let files = (settings.cache_bytes > 0).then(|| {
            FileCache::with_weighter(
                usize::try_from(settings.cache_bytes / (32 * 1024))
                    .unwrap_or(1024)
                    .max(16),
                settings.cache_bytes,
                ByBytes,
            )
        });
        Ok(Self {
            store: Store::open(&settings.store)?,
            workers: crate::workers::Workers::new(
                "image",
                settings.workers,
                settings.workers.max(1) * QUEUED_PER_WORKER,
                WORKER_NICE,
            ),
            limit: PixelLimit(settings.max_pixels),
            max_bytes: settings.max_bytes,
            files,
            public: quick_cache::sync::Cache::new(4096),
        })
    }

    /// The shape of a public item, when known public at `generation`.
    pub fn known_public(&self, hash: &str, generation: u64) -> Option<Shape> {
        self.public
            .get(hash)
            .filter(|(seen, _)| *seen == generation)
            .map(|(_, shape)| shape)
    }

    pub fn remember_public(&self, hash: &str, generation: u64, shape: Shape) {
        self.public.insert(hash.to_string(), (generation, shape));
    }

    /// The content hash of an upload, as its URLs carry it.
    pub fn hash(bytes: &[u8]) -> String {
        hex::encode(Sha256::digest(bytes))
    }

    /// Runs `f` on one of the image workers: an upload storm queues there
    /// (and past the queue is told to come back) instead of taking the
    /// request threads, and at a lower CPU priority than readers.
    async fn on_worker<T, F>(&self, f: F) -> Result<T, MediaError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        use crate::workers::WorkerError;
        self.workers.run(f).await.map_err(|e| match e {
            WorkerError::Full { waiting } => MediaError::Busy { waiting },
            WorkerError::Panicked => {
                MediaError::Worker("the image decoder panicked on this file".into())
            }
            WorkerError::Stopped => MediaError::Worker("the image workers stopped".into()),
        })
    }

    /// Makes the stripped original and every variant of an upload, and
    /// stores them; the shape and the stored original's size.
    pub async fn make_and_store(
        &self,
        hash: &str,
        upload: Bytes,
    ) -> Result<(Shape, i64), MediaError> {
        let limit = self.limit;
        let made = self
            .on_worker(move || process::make(&upload, limit))
            .await??;
        let original_bytes = made
            .files
            .first()
            .map_or(0, |(_, b)| i64::try_from(b.len()).unwrap_or(i64::MAX));
        for (variant, bytes) in made.files {
            let file = made.shape.file_name(variant);
            self.store.put(hash, &file, bytes).await?;
        }
        Ok((made.shape, original_bytes))
    }

    /// The bytes of one file: from memory, else from the store, else made
    /// again from the stored original (and stored).
    pub async fn file(
        &self,
        hash: &str,
        shape: Shape,
        variant: Variant,
    ) -> Result<Option<Served>, MediaError> {
        let file = shape.file_name(variant);
        if let Some(served) = self.cached(hash, &file) {
            return Ok(Some(served));
        }
        let bytes = match self.store.get(hash, &file).await? {
            Some(bytes) => bytes,
            None if variant == Variant::Original => return Ok(None),
            None => {
                let original_file = shape.file_name(Variant::Original);
                let Some(original) = self.store.get(hash, &original_file).await? else {
                    return Ok(None);
                };
                let limit = self.limit;
                let made = self
                    .on_worker(move || process::remake(&original, shape, variant, limit))
                    .await??;
                tracing::info!(hash, file, "made a missing variant again");
                self.store.put(hash, &file, made.clone()).await?;
                Bytes::from(made)
            }
        };
        let served = Served::new(bytes);
        if let Some(cache) = &self.files {
            cache.insert((hash.to_string(), file), served.clone());
        }
        Ok(Some(served))
    }

    /// A file held in memory, looked up without allocating.
    pub fn cached(&self, hash: &str, file: &str) -> Option<Served> {
        self.files.as_ref()?.get(&FileRef(hash, file))
    }

    /// Removes every file of an item (after its row is gone).
    pub async fn remove(&self, hash: &str, shape: Shape) -> Result<(), MediaError> {
        for variant in shape.variants() {
            let file = shape.file_name(variant);
            if let Some(cache) = &self.files {
                cache.remove(&(hash.to_string(), file.clone()));
            }
            self.store.delete(hash, &file).await?;
        }
        Ok(())
    }
}
