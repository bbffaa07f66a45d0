//! Where media bytes live: a local folder (the default) or an
//! S3-compatible object store for several nodes, both through
//! `object_store`. Every put is atomic (the local store writes a temporary
//! file and renames it; S3 makes an object visible only whole), so a crash
//! mid-upload leaves no half file behind a name.

use std::sync::Arc;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

/// Which store, as configured (`MEDIA_STORE`, `MEDIA_DIR`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StoreConfig {
    /// A folder, created when missing.
    Folder(std::path::PathBuf),
    /// An S3 bucket; endpoint, region and credentials come from the
    /// standard `AWS_*` variables (`AWS_ENDPOINT`, `AWS_REGION`,
    /// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ALLOW_HTTP`);
    /// keys start with `prefix/` when one is given (`s3://bucket/prefix`).
    S3 { bucket: String, prefix: String },
    /// Memory only (tests of the store's users).
    Memory,
}

impl StoreConfig {
    /// `MEDIA_STORE`: `s3://bucket[/prefix]`, `memory`, or empty for the folder.
    pub fn parse(store: Option<&str>, dir: &str) -> Result<Self, String> {
        match store.map(str::trim) {
            None | Some("") | Some("local") | Some("file") => Ok(Self::Folder(dir.into())),
            Some("memory") => Ok(Self::Memory),
            Some(raw) => {
                let (bucket, prefix) = raw
                    .strip_prefix("s3://")
                    .map(|rest| rest.split_once('/').unwrap_or((rest, "")))
                    .ok_or("expected s3://BUCKET[/PREFIX], local or memory")?;
                if bucket.is_empty() {
                    return Err("the bucket name is empty".into());
                }
                Ok(Self::S3 {
                    bucket: bucket.to_string(),
                    prefix: prefix.trim_matches('/').to_string(),
                })
            }
        }
    }
}

#[derive(Clone, Debug)]
pub struct Store {
    inner: Arc<dyn ObjectStore>,
}

impl Store {
    pub fn open(config: &StoreConfig) -> anyhow::Result<Self> {
        let inner: Arc<dyn ObjectStore> = match config {
            StoreConfig::Folder(dir) => {
                std::fs::create_dir_all(dir)?;
                remove_staged(dir)?;
                Arc::new(LocalFileSystem::new_with_prefix(dir)?)
            }
            StoreConfig::S3 { bucket, prefix } => {
                let s3 = AmazonS3Builder::from_env()
                    .with_bucket_name(bucket)
                    .build()?;
                if prefix.is_empty() {
                    Arc::new(s3)
                } else {
                    Arc::new(PrefixStore::new(s3, prefix.as_str()))
                }
            }
            StoreConfig::Memory => Arc::new(object_store::memory::InMemory::new()),
        };
        Ok(Self { inner })
    }

    fn path(hash: &str, file: &str) -> Path {
        Path::from(format!("{hash}/{file}"))
    }

    /// Stores `bytes` as `{hash}/{file}` (replacing it: the name is made of
    /// the content, so a replacement holds the same image).
    pub async fn put(&self, hash: &str, file: &str, bytes: Vec<u8>) -> object_store::Result<()> {
        self.inner
            .put(&Self::path(hash, file), PutPayload::from(bytes))
            .await
            .map(|_| ())
    }

    /// The bytes of `{hash}/{file}`; `None` when the store has none.
    pub async fn get(&self, hash: &str, file: &str) -> object_store::Result<Option<Bytes>> {
        match self.inner.get(&Self::path(hash, file)).await {
            Ok(found) => found.bytes().await.map(Some),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Removes `{hash}/{file}`; a missing one is not an error.
    pub async fn delete(&self, hash: &str, file: &str) -> object_store::Result<()> {
        match self.inner.delete(&Self::path(hash, file)).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Removes what a process killed mid-write left: the local store writes
/// `{hash}/{file}#{n}` and renames it into place, so a name with `#` is
/// never a stored file (no row can name one).
fn remove_staged(dir: &std::path::Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let folder = entry?.path();
        if !folder.is_dir() {
            continue;
        }
        for file in std::fs::read_dir(&folder)? {
            let file = file?.path();
            if file
                .file_name()
                .is_some_and(|n| n.to_string_lossy().contains('#'))
            {
                std::fs::remove_file(&file)?;
                tracing::info!(file = %file.display(), "removed a half-written media file");
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_store_urls() {
        let dir = "data/media";
        assert_eq!(
            StoreConfig::parse(None, dir),
            Ok(StoreConfig::Folder(dir.into()))
        );
        assert_eq!(
            StoreConfig::parse(Some("local"), dir),
            Ok(StoreConfig::Folder(dir.into()))
        );
        assert_eq!(
            StoreConfig::parse(Some("s3://clinic"), dir),
            Ok(StoreConfig::S3 {
                bucket: "clinic".into(),
                prefix: String::new()
            })
        );
        assert_eq!(
            StoreConfig::parse(Some("s3://clinic/site-a/"), dir),
            Ok(StoreConfig::S3 {
                bucket: "clinic".into(),
                prefix: "site-a".into()
            })
        );
        for bad in ["s3://", "s3:///x", "ftp://clinic", "clinic"] {
            assert!(StoreConfig::parse(Some(bad), dir).is_err(), "{bad}");
        }
    }

    #[tokio::test]
    async fn puts_are_read_back_and_deletes_forgive_missing_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&StoreConfig::Folder(dir.path().join("m"))).unwrap();
        store
            .put("abc", "original.png", b"png".to_vec())
            .await
            .unwrap();
        assert_eq!(
            store.get("abc", "original.png").await.unwrap().unwrap(),
            &b"png"[..]
        );
        assert!(store.get("abc", "320.webp").await.unwrap().is_none());
        store.delete("abc", "original.png").await.unwrap();
        store.delete("abc", "original.png").await.unwrap();
        // What a killed writer left is swept at the next start.
        std::fs::write(dir.path().join("m/abc/320.webp#3"), b"half").unwrap();
        Store::open(&StoreConfig::Folder(dir.path().join("m"))).unwrap();
        assert!(!dir.path().join("m/abc/320.webp#3").exists());
    }
}
