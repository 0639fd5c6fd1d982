//! A folder used as object store: keys map to files under the root; writes go to a temporary
//! file first and appear atomically, and originals are never replaced.

use std::path::{Path, PathBuf};

use std::io::{Read, Write};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use rushes_engine::hash::{Digests, HashFormat, MultiHasher, ReadBuffer, read_aligned};
use tokio::io::{AsyncSeekExt, AsyncWriteExt};

use crate::store::{ObjectMeta, ObjectStore, PutMode, Upload};
use crate::{Error, ObjectKey, Result};

/// Prefix of in-progress files; never listed.
const TEMP_PREFIX: &str = ".rushes-partial-";

/// Read/write size of [`LocalStore::import_file`] (one buffer per blocking thread, reused).
const IMPORT_CHUNK: usize = 4 << 20;

/// The local library: a folder holding objects as plain files.
#[derive(Clone, Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    /// Opens (creating if needed) the folder `root` as an object store.
    pub fn open(root: impl Into<PathBuf>) -> Result<Self> {
        let root = root.into();
        std::fs::create_dir_all(&root).map_err(|e| Error::Store {
            store: root.display().to_string(),
            op: "create folder",
            key: String::new(),
            detail: e.to_string(),
        })?;
        Ok(Self { root })
    }

    /// The folder behind the store.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The file that holds `key`.
    pub fn path_of(&self, key: &ObjectKey) -> PathBuf {
        key.as_str()
            .split('/')
            .fold(self.root.clone(), |path, segment| path.join(segment))
    }

    fn err(&self, op: &'static str, key: &ObjectKey, e: impl std::fmt::Display) -> Error {
        Error::Store {
            store: self.describe(),
            op,
            key: key.to_string(),
            detail: e.to_string(),
        }
    }

    fn temp_path(&self, key: &ObjectKey) -> PathBuf {
        let path = self.path_of(key);
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let unique = format!(
            "{TEMP_PREFIX}{}-{}-{name}",
            std::process::id(),
            Utc::now().timestamp_nanos_opt().unwrap_or_default()
        );
        path.with_file_name(unique)
    }

    /// Moves a finished temporary file into place without ever replacing an existing file.
    fn publish_new(&self, temp: &Path, key: &ObjectKey) -> Result<()> {
        let dest = self.path_of(key);
        let linked = std::fs::hard_link(temp, &dest);
        let _ = std::fs::remove_file(temp);
        match linked {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(Error::AlreadyExists {
                store: self.describe(),
                key: key.to_string(),
            }),
            Err(e) => Err(self.err("publish", key, e)),
        }
    }

    async fn make_parent(&self, key: &ObjectKey) -> Result<()> {
        if let Some(parent) = self.path_of(key).parent() {
            tokio::fs::create_dir_all(parent)
                .await
                .map_err(|e| self.err("create folder for", key, e))?;
        }
        Ok(())
    }
}

fn meta_of(key: ObjectKey, md: &std::fs::Metadata) -> ObjectMeta {
    ObjectMeta {
        key,
        size: md.len(),
        modified: md.modified().ok().map(DateTime::<Utc>::from),
    }
}

#[async_trait]
impl ObjectStore for LocalStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    async fn head(&self, key: &ObjectKey) -> Result<Option<ObjectMeta>> {
        match tokio::fs::metadata(self.path_of(key)).await {
            Ok(md) if md.is_file() => Ok(Some(meta_of(key.clone(), &md))),
            Ok(_) => Ok(None),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(self.err("stat", key, e)),
        }
    }

    async fn list(&self, prefix: &ObjectKey) -> Result<Vec<ObjectMeta>> {
        let store = self.clone();
        let prefix = prefix.clone();
        tokio::task::spawn_blocking(move || store.list_blocking(&prefix))
            .await
            .map_err(|e| Error::Store {
                store: self.describe(),
                op: "list",
                key: String::new(),
                detail: e.to_string(),
            })?
    }

    async fn read_range(&self, key: &ObjectKey, offset: u64, len: u64) -> Result<Vec<u8>> {
        let mut file = tokio::fs::File::open(self.path_of(key))
            .await
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::NotFound => {
                    Error::NotFound(format!("{}: `{key}`", self.describe()))
                }
                _ => self.err("open", key, e),
            })?;
        file.seek(std::io::SeekFrom::Start(offset))
            .await
            .map_err(|e| self.err("seek", key, e))?;
        // Read on a blocking thread straight into a page-aligned buffer: the kernel's copy from
        // the page cache is several times slower into a misaligned one (see `ReadBuffer`).
        let size = file
            .metadata()
            .await
            .map_err(|e| self.err("stat", key, e))?
            .len();
        let len = usize::try_from(len.min(size.saturating_sub(offset))).map_err(|_| {
            self.err(
                "read",
                key,
                std::io::Error::other("range larger than memory"),
            )
        })?;
        let mut file = file.into_std().await;
        let read = tokio::task::spawn_blocking(move || read_aligned(&mut file, len))
            .await
            .map_err(|e| self.err("read", key, std::io::Error::other(e)))?;
        read.map_err(|e| self.err("read", key, e))
    }

    async fn put(&self, key: &ObjectKey, bytes: Vec<u8>, mode: PutMode) -> Result<()> {
        self.make_parent(key).await?;
        let temp = self.temp_path(key);
        tokio::fs::write(&temp, &bytes)
            .await
            .map_err(|e| self.err("write", key, e))?;
        match mode {
            PutMode::CreateNew => self.publish_new(&temp, key),
            PutMode::Overwrite => tokio::fs::rename(&temp, self.path_of(key))
                .await
                .map_err(|e| self.err("replace", key, e)),
        }
    }

    async fn start_upload(&self, key: &ObjectKey) -> Result<Box<dyn Upload>> {
        if self.head(key).await?.is_some() {
            return Err(Error::AlreadyExists {
                store: self.describe(),
                key: key.to_string(),
            });
        }
        self.make_parent(key).await?;
        let temp = self.temp_path(key);
        let file = tokio::fs::File::create_new(&temp)
            .await
            .map_err(|e| self.err("create", key, e))?;
        Ok(Box::new(LocalUpload {
            store: self.clone(),
            key: key.clone(),
            temp,
            file: Some(file),
        }))
    }
}

impl LocalStore {
    /// Copies the local file `source` into the store under `key`, hashing in `formats` the bytes
    /// it reads (the digests describe exactly what was written). The whole copy runs in one
    /// blocking task with plain file I/O and a reused buffer; `progress` gets the size of each
    /// chunk as it is written.
    ///
    /// Same guarantees as [`ObjectStore::start_upload`]: the data goes to a temporary file that
    /// is synced and then published without ever replacing an existing object
    /// ([`Error::AlreadyExists`]); on any failure nothing appears under `key` and the temporary
    /// file is removed. If the source changes while it is copied (size, modification time, or a
    /// byte count other than its size), the copy fails with [`Error::VerificationFailed`].
    pub async fn import_file(
        &self,
        key: &ObjectKey,
        source: &Path,
        formats: &[HashFormat],
        progress: impl FnMut(u64) + Send + 'static,
    ) -> Result<(ObjectMeta, Digests)> {
        let store = self.clone();
        let key = key.clone();
        let source = source.to_path_buf();
        let formats = formats.to_vec();
        tokio::task::spawn_blocking(move || {
            store.import_blocking(&key, &source, &formats, progress)
        })
        .await
        .map_err(|e| Error::Store {
            store: self.describe(),
            op: "import",
            key: String::new(),
            detail: e.to_string(),
        })?
    }

    fn import_blocking(
        &self,
        key: &ObjectKey,
        source: &Path,
        formats: &[HashFormat],
        mut progress: impl FnMut(u64),
    ) -> Result<(ObjectMeta, Digests)> {
        thread_local! {
            static BUFFER: std::cell::RefCell<ReadBuffer> = std::cell::RefCell::new(ReadBuffer::default());
        }
        let dest = self.path_of(key);
        if std::fs::symlink_metadata(&dest).is_ok() {
            return Err(Error::AlreadyExists {
                store: self.describe(),
                key: key.to_string(),
            });
        }
        if let Some(parent) = dest.parent() {
            std::fs::create_dir_all(parent).map_err(|e| self.err("create folder for", key, e))?;
        }
        let source_err = |op: &'static str, e: std::io::Error| Error::Store {
            store: self.describe(),
            op,
            key: source.display().to_string(),
            detail: e.to_string(),
        };
        let before = std::fs::metadata(source).map_err(|e| source_err("read source", e))?;
        let mut input = std::fs::File::open(source).map_err(|e| source_err("open source", e))?;
        let temp = self.temp_path(key);
        let mut output =
            std::fs::File::create_new(&temp).map_err(|e| self.err("create", key, e))?;
        let copied = BUFFER.with(|cell| {
            let mut own = ReadBuffer::default();
            let mut shared = cell.try_borrow_mut().ok();
            let buf: &mut ReadBuffer = shared.as_deref_mut().unwrap_or(&mut own);
            if buf.len() != IMPORT_CHUNK {
                *buf = ReadBuffer::new(IMPORT_CHUNK);
            }
            let buf = buf.as_mut_slice();
            let mut hasher = MultiHasher::new(formats);
            loop {
                let n = match input.read(buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(source_err("read source", e)),
                };
                hasher.update(&buf[..n]);
                output
                    .write_all(&buf[..n])
                    .map_err(|e| self.err("write", key, e))?;
                progress(n as u64);
            }
            let after = std::fs::metadata(source).map_err(|e| source_err("read source", e))?;
            if after.len() != before.len()
                || after.modified().ok() != before.modified().ok()
                || hasher.bytes_hashed() != before.len()
            {
                return Err(Error::VerificationFailed(format!(
                    "{}: file changed while it was being copied",
                    source.display()
                )));
            }
            output.sync_all().map_err(|e| self.err("sync", key, e))?;
            Ok(hasher.finish())
        });
        drop(output);
        let digests = match copied {
            Ok(digests) => digests,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        self.publish_new(&temp, key)?;
        let md = std::fs::metadata(&dest).map_err(|e| self.err("stat", key, e))?;
        Ok((meta_of(key.clone(), &md), digests))
    }

    fn list_blocking(&self, prefix: &ObjectKey) -> Result<Vec<ObjectMeta>> {
        let base = self.path_of(prefix);
        let mut out = Vec::new();
        let mut stack = vec![(base, prefix.as_str().to_string())];
        while let Some((dir, key)) = stack.pop() {
            let md = match std::fs::symlink_metadata(&dir) {
                Ok(md) => md,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(self.err("list", prefix, e)),
            };
            if md.is_file() {
                out.push(meta_of(ObjectKey::new(key)?, &md));
                continue;
            }
            if !md.is_dir() {
                continue; // symlinks and special files are not objects
            }
            let entries = std::fs::read_dir(&dir).map_err(|e| self.err("list", prefix, e))?;
            for entry in entries {
                let entry = entry.map_err(|e| self.err("list", prefix, e))?;
                let name = entry.file_name();
                let Some(name) = name.to_str() else {
                    return Err(self.err(
                        "list",
                        prefix,
                        format!("file name {name:?} is not UTF-8"),
                    ));
                };
                if name.starts_with(TEMP_PREFIX) {
                    continue;
                }
                stack.push((entry.path(), format!("{key}/{name}")));
            }
        }
        out.sort_by(|a, b| a.key.cmp(&b.key));
        Ok(out)
    }
}

/// A local upload: a temporary file next to the destination.
#[derive(Debug)]
struct LocalUpload {
    store: LocalStore,
    key: ObjectKey,
    temp: PathBuf,
    file: Option<tokio::fs::File>,
}

#[async_trait]
impl Upload for LocalUpload {
    async fn write(&mut self, chunk: &[u8]) -> Result<()> {
        let Some(file) = self.file.as_mut() else {
            return Err(self.store.err("write", &self.key, "upload already closed"));
        };
        file.write_all(chunk)
            .await
            .map_err(|e| self.store.err("write", &self.key, e))
    }

    async fn complete(mut self: Box<Self>) -> Result<ObjectMeta> {
        if let Some(mut file) = self.file.take() {
            file.flush()
                .await
                .map_err(|e| self.store.err("flush", &self.key, e))?;
            file.sync_all()
                .await
                .map_err(|e| self.store.err("sync", &self.key, e))?;
        }
        self.store.publish_new(&self.temp, &self.key)?;
        self.store.head(&self.key).await?.ok_or_else(|| {
            self.store
                .err("complete", &self.key, "vanished after publish")
        })
    }

    async fn abort(mut self: Box<Self>) -> Result<()> {
        drop(self.file.take());
        match tokio::fs::remove_file(&self.temp).await {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.store.err("abort", &self.key, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn key(s: &str) -> ObjectKey {
        ObjectKey::new(s).unwrap()
    }

    #[tokio::test]
    async fn put_read_list_and_never_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        store
            .put(
                &key("rolls/A001/a.bin"),
                b"hello world".to_vec(),
                PutMode::CreateNew,
            )
            .await
            .unwrap();
        let again = store
            .put(
                &key("rolls/A001/a.bin"),
                b"other".to_vec(),
                PutMode::CreateNew,
            )
            .await
            .unwrap_err();
        assert!(matches!(again, Error::AlreadyExists { .. }), "{again}");
        assert_eq!(
            store
                .read_range(&key("rolls/A001/a.bin"), 6, 100)
                .await
                .unwrap(),
            b"world"
        );
        store
            .put(
                &key("rolls/A001/sub/b.bin"),
                vec![1, 2, 3],
                PutMode::CreateNew,
            )
            .await
            .unwrap();
        let listed: Vec<String> = store
            .list(&key("rolls/A001"))
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.key.to_string())
            .collect();
        assert_eq!(listed, ["rolls/A001/a.bin", "rolls/A001/sub/b.bin"]);
        assert!(store.list(&key("rolls/none")).await.unwrap().is_empty());
        let small = store
            .read_small(&key("rolls/A001/a.bin"), 4)
            .await
            .unwrap_err();
        assert!(matches!(small, Error::BadInput(_)));
    }

    #[tokio::test]
    async fn upload_is_invisible_until_complete_and_abort_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path()).unwrap();
        let k = key("rolls/B001/clip/frame.dng");
        let mut up = store.start_upload(&k).await.unwrap();
        up.write(b"abc").await.unwrap();
        assert!(store.head(&k).await.unwrap().is_none());
        assert!(store.list(&key("rolls/B001")).await.unwrap().is_empty());
        up.abort().await.unwrap();
        assert!(store.head(&k).await.unwrap().is_none());
        let mut up = store.start_upload(&k).await.unwrap();
        up.write(b"abc").await.unwrap();
        up.write(b"def").await.unwrap();
        let meta = up.complete().await.unwrap();
        assert_eq!(meta.size, 6);
        let err = store.start_upload(&k).await.unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }));
        assert_eq!(store.read_range(&k, 0, 100).await.unwrap(), b"abcdef");
    }

    #[tokio::test]
    async fn import_file_copies_hashes_and_never_overwrites() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path().join("lib")).unwrap();
        let source = dir.path().join("card.bin");
        let data: Vec<u8> = (0..(IMPORT_CHUNK + 12_345))
            .map(|i| (i % 251) as u8)
            .collect();
        std::fs::write(&source, &data).unwrap();
        let k = key("rolls/A001/clip/card.bin");
        let seen = std::sync::Arc::new(std::sync::Mutex::new(0u64));
        let counter = seen.clone();
        let (meta, digests) = store
            .import_file(
                &k,
                &source,
                &[HashFormat::Xxh64, HashFormat::Md5],
                move |n| *counter.lock().unwrap() += n,
            )
            .await
            .unwrap();
        assert_eq!(meta.size, data.len() as u64);
        assert_eq!(*seen.lock().unwrap(), data.len() as u64);
        for f in [HashFormat::Xxh64, HashFormat::Md5] {
            let want = rushes_engine::hash::hash_bytes(f, &data);
            assert_eq!(digests.get(f), Some(want.as_str()));
        }
        assert_eq!(std::fs::read(store.path_of(&k)).unwrap(), data);
        // Never over an existing object, whatever the content.
        std::fs::write(&source, b"other").unwrap();
        let err = store
            .import_file(&k, &source, &[HashFormat::Xxh64], |_| {})
            .await
            .unwrap_err();
        assert!(matches!(err, Error::AlreadyExists { .. }), "{err}");
        assert_eq!(std::fs::read(store.path_of(&k)).unwrap(), data);
        // A missing source names the file.
        let gone = dir.path().join("gone.bin");
        let err = store
            .import_file(
                &key("rolls/A001/gone.bin"),
                &gone,
                &[HashFormat::Xxh64],
                |_| {},
            )
            .await
            .unwrap_err();
        assert!(err.to_string().contains("gone.bin"), "{err}");
        assert!(
            store
                .head(&key("rolls/A001/gone.bin"))
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn import_file_refuses_a_source_that_changes_and_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStore::open(dir.path().join("lib")).unwrap();
        let source = dir.path().join("growing.bin");
        std::fs::write(&source, vec![1u8; IMPORT_CHUNK * 2]).unwrap();
        let k = key("rolls/A001/growing.bin");
        let path = source.clone();
        let mut grown = false;
        // The first chunk is written, then the file grows (once) on the card.
        let err = store
            .import_file(&k, &source, &[HashFormat::Xxh64], move |_| {
                if !std::mem::replace(&mut grown, true) {
                    let mut f = std::fs::OpenOptions::new()
                        .append(true)
                        .open(&path)
                        .unwrap();
                    std::io::Write::write_all(&mut f, b"more").unwrap();
                }
            })
            .await
            .unwrap_err();
        assert!(matches!(err, Error::VerificationFailed(_)), "{err}");
        assert!(err.to_string().contains("growing.bin"), "{err}");
        assert!(store.head(&k).await.unwrap().is_none());
        let left: Vec<_> = std::fs::read_dir(dir.path().join("lib/rolls/A001"))
            .unwrap()
            .collect();
        assert!(left.is_empty(), "temporary files left: {left:?}");
    }
}
