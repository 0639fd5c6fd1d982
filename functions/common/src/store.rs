//! The ObjectStore port: where card files, manifests and reports live (S3 on AWS, a folder locally).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::{ObjectKey, Result};

/// Size and age of one stored object.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectMeta {
    /// The object's key.
    pub key: ObjectKey,
    /// Size in bytes.
    pub size: u64,
    /// Last modification time, when the store knows it.
    pub modified: Option<DateTime<Utc>>,
}

/// What a `put` may do to an existing object.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PutMode {
    /// Fail with [`crate::Error::AlreadyExists`] if the key exists (originals, manifests).
    CreateNew,
    /// Replace an existing object (derived documents such as reports).
    Overwrite,
}

/// An object store. Implementations must be safe to share between concurrent steps.
#[async_trait]
pub trait ObjectStore: Send + Sync + std::fmt::Debug {
    /// A short human description for messages, e.g. `s3://bucket` or `/path/to/library`.
    fn describe(&self) -> String;

    /// Metadata of one object, `None` if absent.
    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>>;

    /// Every object whose key starts with `prefix/` (or equals it), sorted by key.
    async fn list(&self, prefix: &ObjectKey) -> Result<Vec<ObjectMeta>>;

    /// Up to `len` bytes starting at `offset` (fewer at the end of the object).
    async fn read_range(&self, key: &ObjectKey, offset: u64, len: u64) -> Result<Vec<u8>>;

    /// Reads a whole small object, refusing objects larger than `limit` bytes.
    async fn read_small(&self, key: &ObjectKey, limit: u64) -> Result<Vec<u8>> {
        let meta = self
            .head(key)
            .await?
            .ok_or_else(|| crate::Error::NotFound(format!("{}: `{key}`", self.describe())))?;
        if meta.size > limit {
            return Err(crate::Error::BadInput(format!(
                "{}: `{key}` is {} bytes, more than the {limit} bytes allowed for this document",
                self.describe(),
                meta.size
            )));
        }
        self.read_range(key, 0, meta.size).await
    }

    /// Stores a small object in one call.
    async fn put(&self, key: &ObjectKey, bytes: Vec<u8>, mode: PutMode) -> Result<()>;

    /// Starts a streamed upload of a large object (multipart on S3). Nothing is visible under
    /// `key` until [`Upload::complete`]; completing fails if the key already exists.
    async fn start_upload(&self, key: &ObjectKey) -> Result<Box<dyn Upload>>;
}

/// A streamed upload in progress.
#[async_trait]
pub trait Upload: Send + std::fmt::Debug {
    /// Appends bytes.
    async fn write(&mut self, chunk: &[u8]) -> Result<()>;
    /// Makes the object visible under its key (never replacing an existing object).
    async fn complete(self: Box<Self>) -> Result<ObjectMeta>;
    /// Discards everything written; the key is left as it was.
    async fn abort(self: Box<Self>) -> Result<()>;
}
