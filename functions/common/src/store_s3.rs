//! The S3 object store: one bucket as library or archive. Originals are protected with S3
//! conditional writes (`If-None-Match: *`), large objects go up as multipart uploads.

use async_trait::async_trait;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{ChecksumAlgorithm, CompletedMultipartUpload, CompletedPart};
use chrono::{DateTime, Utc};

use crate::store::{ObjectMeta, ObjectStore, PutMode, Upload};
use crate::{Error, ObjectKey, Result};

/// Smallest part S3 accepts (every part but the last).
pub const MIN_PART_SIZE: usize = 5 << 20;
/// Largest part this adapter buffers in memory.
pub const MAX_PART_SIZE: usize = 512 << 20;
/// Most parts one multipart upload may have.
pub const MAX_PARTS: i32 = 10_000;
/// Default size of the first parts of an upload; later parts grow (see [`part_size_for`]).
pub const DEFAULT_PART_SIZE: usize = 8 << 20;
/// Largest single `read_range` this adapter performs, to keep Lambda memory bounded.
pub const MAX_READ_LEN: u64 = 1 << 30;

/// An S3 bucket used as an [`ObjectStore`].
#[derive(Clone, Debug)]
pub struct S3Store {
    client: Client,
    bucket: String,
    part_size: usize,
}

impl S3Store {
    /// The store over `bucket`, using an already configured client (see [`crate::aws`]).
    pub fn new(client: Client, bucket: impl Into<String>) -> Self {
        Self {
            client,
            bucket: bucket.into(),
            part_size: DEFAULT_PART_SIZE,
        }
    }

    /// Sets the size of the first multipart parts (clamped to S3's 5 MiB minimum and to
    /// [`MAX_PART_SIZE`]).
    pub fn with_part_size(mut self, bytes: usize) -> Self {
        self.part_size = bytes.clamp(MIN_PART_SIZE, MAX_PART_SIZE);
        self
    }

    /// The bucket name.
    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The SDK client (for callers that need S3 features beyond the port).
    pub fn client(&self) -> &Client {
        &self.client
    }

    fn err<E, R>(&self, op: &'static str, key: &str, e: &SdkError<E, R>) -> Error
    where
        E: std::error::Error + 'static,
        R: std::fmt::Debug,
    {
        Error::Store {
            store: self.describe(),
            op,
            key: key.to_string(),
            detail: DisplayErrorContext(e).to_string(),
        }
    }

    fn already_exists(&self, key: &ObjectKey) -> Error {
        Error::AlreadyExists {
            store: self.describe(),
            key: key.to_string(),
        }
    }

    fn meta(
        key: ObjectKey,
        size: Option<i64>,
        modified: Option<&aws_sdk_s3::primitives::DateTime>,
    ) -> ObjectMeta {
        ObjectMeta {
            key,
            size: size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
            modified: modified
                .and_then(|t| DateTime::<Utc>::from_timestamp(t.secs(), t.subsec_nanos())),
        }
    }
}

/// HTTP status of a failed call, when the service answered.
fn status<E>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

/// Whether the failure means a conditional write found the key already present.
fn is_precondition_failed<E: ProvideErrorMetadata>(
    e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> bool {
    status(e) == Some(412)
        || e.as_service_error().and_then(ProvideErrorMetadata::code) == Some("PreconditionFailed")
}

/// Size of part number `n` (1-based): `base` for the first 1000 parts, then doubling every 1000
/// parts up to [`MAX_PART_SIZE`], so 10,000 parts reach several terabytes without buffering
/// large parts for small files.
pub fn part_size_for(base: usize, n: i32) -> usize {
    let tier = u32::try_from((n.max(1) - 1) / 1000).unwrap_or(0);
    base.checked_shl(tier)
        .unwrap_or(MAX_PART_SIZE)
        .clamp(MIN_PART_SIZE.min(base), MAX_PART_SIZE)
}

#[async_trait]
impl ObjectStore for S3Store {
    fn describe(&self) -> String {
        format!("s3://{}", self.bucket)
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
        match self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .send()
            .await
        {
            Ok(out) => Ok(Some(Self::meta(
                key.clone(),
                out.content_length(),
                out.last_modified(),
            ))),
            Err(e)
                if e.as_service_error().is_some_and(|s| s.is_not_found())
                    || status(&e) == Some(404) =>
            {
                Ok(None)
            }
            Err(e) => Err(self.err("head", key.as_str(), &e)),
        }
    }

    async fn list(&self, prefix: &ObjectKey) -> Result<Vec<ObjectMeta>> {
        let mut out = Vec::new();
        if let Some(exact) = self.head(prefix).await? {
            out.push(exact);
        }
        let mut pages = self
            .client
            .list_objects_v2()
            .bucket(&self.bucket)
            .prefix(format!("{prefix}/"))
            .into_paginator()
            .send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| self.err("list", prefix.as_str(), &e))?;
            for obj in page.contents() {
                let Some(name) = obj.key() else { continue };
                // A key the bucket holds but that could escape a folder is reported, never
                // silently skipped or followed.
                let key = ObjectKey::new(name).map_err(|e| Error::Store {
                    store: self.describe(),
                    op: "list",
                    key: prefix.to_string(),
                    detail: format!("the bucket holds an unusable key: {e}"),
                })?;
                out.push(Self::meta(key, obj.size(), obj.last_modified()));
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }

    async fn read_range(&self, key: &ObjectKey, offset: u64, len: u64) -> Result<Vec<u8>> {
        if len == 0 {
            return Ok(Vec::new());
        }
        if len > MAX_READ_LEN {
            return Err(Error::BadInput(format!(
                "{}: reading {len} bytes of `{key}` at once is more than the {MAX_READ_LEN} allowed",
                self.describe()
            )));
        }
        let last = offset.checked_add(len - 1).ok_or_else(|| {
            Error::BadInput(format!(
                "{}: `{key}`: range {offset}+{len} overflows",
                self.describe()
            ))
        })?;
        let resp = self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .range(format!("bytes={offset}-{last}"))
            .send()
            .await;
        let resp = match resp {
            Ok(r) => r,
            Err(e)
                if e.as_service_error().is_some_and(|s| s.is_no_such_key())
                    || status(&e) == Some(404) =>
            {
                return Err(Error::NotFound(format!("{}: `{key}`", self.describe())));
            }
            // Range starting at or after the end: nothing to read, as with a short file.
            Err(e) if status(&e) == Some(416) => return Ok(Vec::new()),
            Err(e) => return Err(self.err("read", key.as_str(), &e)),
        };
        let bytes = resp.body.collect().await.map_err(|e| Error::Store {
            store: self.describe(),
            op: "read",
            key: key.to_string(),
            detail: e.to_string(),
        })?;
        let mut bytes = bytes.into_bytes().to_vec();
        bytes.truncate(usize::try_from(len).unwrap_or(usize::MAX));
        Ok(bytes)
    }

    async fn put(&self, key: &ObjectKey, bytes: Vec<u8>, mode: PutMode) -> Result<()> {
        let mut req = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key.as_str())
            .body(ByteStream::from(bytes));
        if mode == PutMode::CreateNew {
            req = req.if_none_match("*");
        }
        match req.send().await {
            Ok(_) => Ok(()),
            Err(e) if mode == PutMode::CreateNew && is_precondition_failed(&e) => {
                Err(self.already_exists(key))
            }
            Err(e) => Err(self.err("put", key.as_str(), &e)),
        }
    }

    async fn start_upload(&self, key: &ObjectKey) -> Result<Box<dyn Upload>> {
        // Fail early (the conditional complete is what actually guarantees no overwrite).
        if self.head(key).await?.is_some() {
            return Err(self.already_exists(key));
        }
        Ok(Box::new(S3Upload {
            store: self.clone(),
            key: key.clone(),
            upload_id: None,
            buffer: Vec::new(),
            parts: Vec::new(),
        }))
    }
}

/// A streamed upload. Small objects (under one part) become a single conditional `PutObject`;
/// larger ones a multipart upload started on the first full part. An upload dropped without
/// `complete` or `abort` is left to the bucket's abort-incomplete-multipart lifecycle rule.
#[derive(Debug)]
struct S3Upload {
    store: S3Store,
    key: ObjectKey,
    upload_id: Option<String>,
    buffer: Vec<u8>,
    parts: Vec<CompletedPart>,
}

impl S3Upload {
    fn next_part_number(&self) -> Result<i32> {
        let n = i32::try_from(self.parts.len())
            .ok()
            .and_then(|n| n.checked_add(1))
            .filter(|n| *n <= MAX_PARTS);
        n.ok_or_else(|| {
            Error::BadInput(format!(
                "{}: `{}` needs more than {MAX_PARTS} parts",
                self.store.describe(),
                self.key
            ))
        })
    }

    fn current_part_size(&self) -> usize {
        let n = i32::try_from(self.parts.len())
            .unwrap_or(MAX_PARTS)
            .saturating_add(1);
        part_size_for(self.store.part_size, n)
    }

    async fn upload_id(&mut self) -> Result<String> {
        if let Some(id) = &self.upload_id {
            return Ok(id.clone());
        }
        let out = self
            .store
            .client
            .create_multipart_upload()
            .bucket(&self.store.bucket)
            .key(self.key.as_str())
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .send()
            .await
            .map_err(|e| self.store.err("start upload", self.key.as_str(), &e))?;
        let id = out
            .upload_id()
            .map(str::to_string)
            .ok_or_else(|| Error::Store {
                store: self.store.describe(),
                op: "start upload",
                key: self.key.to_string(),
                detail: "no upload id in the answer".into(),
            })?;
        self.upload_id = Some(id.clone());
        Ok(id)
    }

    /// Uploads `len` buffered bytes as the next part.
    async fn flush_part(&mut self, len: usize) -> Result<()> {
        let number = self.next_part_number()?;
        let id = self.upload_id().await?;
        let rest = self.buffer.split_off(len.min(self.buffer.len()));
        let body = std::mem::replace(&mut self.buffer, rest);
        let out = self
            .store
            .client
            .upload_part()
            .bucket(&self.store.bucket)
            .key(self.key.as_str())
            .upload_id(&id)
            .part_number(number)
            .checksum_algorithm(ChecksumAlgorithm::Crc32)
            .body(ByteStream::from(body))
            .send()
            .await
            .map_err(|e| self.store.err("upload part", self.key.as_str(), &e))?;
        let mut part = CompletedPart::builder().part_number(number);
        if let Some(etag) = out.e_tag() {
            part = part.e_tag(etag);
        }
        if let Some(crc) = out.checksum_crc32() {
            part = part.checksum_crc32(crc);
        }
        self.parts.push(part.build());
        Ok(())
    }
}

#[async_trait]
impl Upload for S3Upload {
    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        self.buffer.extend_from_slice(chunk);
        loop {
            let size = self.current_part_size();
            if self.buffer.len() < size {
                return Ok(());
            }
            self.flush_part(size).await?;
        }
    }

    async fn complete(mut self: Box<Self>) -> Result<ObjectMeta> {
        let key = self.key.clone();
        let store = self.store.clone();
        if self.upload_id.is_none() {
            let bytes = std::mem::take(&mut self.buffer);
            store.put(&key, bytes, PutMode::CreateNew).await?;
        } else {
            if !self.buffer.is_empty() {
                let len = self.buffer.len();
                self.flush_part(len).await?;
            }
            let id = self.upload_id().await?;
            let done = CompletedMultipartUpload::builder()
                .set_parts(Some(std::mem::take(&mut self.parts)))
                .build();
            let result = store
                .client
                .complete_multipart_upload()
                .bucket(&store.bucket)
                .key(key.as_str())
                .upload_id(&id)
                .multipart_upload(done)
                .if_none_match("*")
                .send()
                .await;
            if let Err(e) = result {
                let failure = if is_precondition_failed(&e) {
                    store.already_exists(&key)
                } else {
                    store.err("complete upload", key.as_str(), &e)
                };
                // Best effort: the parts are useless now (the lifecycle rule is the backstop).
                let _ = store
                    .client
                    .abort_multipart_upload()
                    .bucket(&store.bucket)
                    .key(key.as_str())
                    .upload_id(&id)
                    .send()
                    .await;
                return Err(failure);
            }
        }
        store.head(&key).await?.ok_or_else(|| Error::Store {
            store: store.describe(),
            op: "complete upload",
            key: key.to_string(),
            detail: "the object is not visible after completing".into(),
        })
    }

    async fn abort(self: Box<Self>) -> Result<()> {
        let Some(id) = &self.upload_id else {
            return Ok(());
        };
        match self
            .store
            .client
            .abort_multipart_upload()
            .bucket(&self.store.bucket)
            .key(self.key.as_str())
            .upload_id(id)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if status(&e) == Some(404) => Ok(()),
            Err(e) => Err(self.store.err("abort upload", self.key.as_str(), &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_sizes_grow_and_reach_terabytes() {
        assert_eq!(part_size_for(DEFAULT_PART_SIZE, 1), DEFAULT_PART_SIZE);
        assert_eq!(part_size_for(DEFAULT_PART_SIZE, 1000), DEFAULT_PART_SIZE);
        assert_eq!(
            part_size_for(DEFAULT_PART_SIZE, 1001),
            2 * DEFAULT_PART_SIZE
        );
        assert_eq!(part_size_for(DEFAULT_PART_SIZE, MAX_PARTS), MAX_PART_SIZE);
        let total: u64 = (1..=MAX_PARTS)
            .map(|n| part_size_for(DEFAULT_PART_SIZE, n) as u64)
            .sum();
        assert!(total > 2 << 40, "{total}");
        assert_eq!(part_size_for(MIN_PART_SIZE, 0), MIN_PART_SIZE);
    }
}
