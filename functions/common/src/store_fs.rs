//! A roll in the object store seen through the engine's MHL file-system port: the listing and the
//! `ascmhl/` documents are read up front, new documents are collected and written back afterwards.
//!
//! Steps use it to load a history and to append a generation; they never stream media through it
//! (hashing goes through ranged reads in the checksum step).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::sync::Mutex;

use chrono::{DateTime, Utc};
use rushes_engine::mhl::fs::{DirEntry, EntryKind, MhlFs, RelPath};

use crate::{ObjectKey, ObjectStore, PutMode, Result};

/// Largest MHL document (manifest or chain) a step reads.
pub const MAX_MHL_DOCUMENT: u64 = 256 << 20;

/// One document a step asked to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PendingWrite {
    /// Path relative to the roll root.
    pub path: RelPath,
    /// Content.
    pub bytes: Vec<u8>,
    /// Whether an existing object may be replaced (only the chain file).
    pub replace: bool,
}

#[derive(Clone, Debug)]
struct FileInfo {
    size: u64,
    modified: Option<DateTime<Utc>>,
}

/// A snapshot of one roll under a key prefix.
#[derive(Debug)]
pub struct StoreSnapshot {
    root_name: String,
    files: BTreeMap<RelPath, FileInfo>,
    dirs: BTreeSet<RelPath>,
    documents: BTreeMap<RelPath, Vec<u8>>,
    pending: Mutex<Vec<PendingWrite>>,
}

/// True when any folder of `path` is an `ascmhl` history folder.
pub fn is_history_document(path: &RelPath) -> bool {
    let parts: Vec<&str> = path.as_str().split('/').collect();
    parts.len() >= 2 && parts[..parts.len() - 1].contains(&"ascmhl")
}

impl StoreSnapshot {
    /// Lists `prefix` and reads every MHL document below it. `root_name` is the roll folder's
    /// name as the history knows it (it appears in generation file names).
    pub async fn load(
        store: &dyn ObjectStore,
        prefix: &ObjectKey,
        root_name: &str,
    ) -> Result<Self> {
        let mut files = BTreeMap::new();
        let mut dirs = BTreeSet::new();
        let mut documents = BTreeMap::new();
        dirs.insert(RelPath::root());
        for meta in store.list(prefix).await? {
            let Some(rel) = meta.key.strip_prefix(prefix) else {
                continue;
            };
            let rel = RelPath::parse(&format!("{}/{prefix}", store.describe()), rel)?;
            let mut parent = rel.parent();
            while let Some(dir) = parent {
                parent = dir.parent();
                dirs.insert(dir);
            }
            if is_history_document(&rel) {
                let bytes = store.read_small(&meta.key, MAX_MHL_DOCUMENT).await?;
                documents.insert(rel.clone(), bytes);
            }
            files.insert(
                rel,
                FileInfo {
                    size: meta.size,
                    modified: meta.modified,
                },
            );
        }
        Ok(Self {
            root_name: root_name.to_string(),
            files,
            dirs,
            documents,
            pending: Mutex::new(Vec::new()),
        })
    }

    /// Every file of the roll with its size.
    pub fn files(&self) -> impl Iterator<Item = (&RelPath, u64)> {
        self.files.iter().map(|(path, info)| (path, info.size))
    }

    /// The documents written through the port so far, in order.
    pub fn pending(&self) -> Vec<PendingWrite> {
        self.pending.lock().map(|p| p.clone()).unwrap_or_default()
    }

    /// Writes the pending documents to the store under `prefix`: new documents are created
    /// (never replacing anything), the chain file is replaced. Returns the keys written.
    pub async fn flush(
        &self,
        store: &dyn ObjectStore,
        prefix: &ObjectKey,
    ) -> Result<Vec<ObjectKey>> {
        let mut written = Vec::new();
        for write in self.pending() {
            let key = prefix.join(write.path.as_str())?;
            let mode = if write.replace {
                PutMode::Overwrite
            } else {
                PutMode::CreateNew
            };
            store.put(&key, write.bytes, mode).await?;
            written.push(key);
        }
        Ok(written)
    }

    fn exists(&self, path: &RelPath) -> bool {
        self.files.contains_key(path)
            || self.dirs.contains(path)
            || self.pending_bytes(path).is_some()
    }

    fn pending_bytes(&self, path: &RelPath) -> Option<Vec<u8>> {
        let pending = self.pending.lock().ok()?;
        pending
            .iter()
            .rev()
            .find(|w| &w.path == path)
            .map(|w| w.bytes.clone())
    }

    fn record(&self, path: &RelPath, bytes: &[u8], replace: bool) -> rushes_engine::Result<()> {
        let mut pending = self
            .pending
            .lock()
            .map_err(|_| io_error(path, "write", "lock poisoned"))?;
        pending.push(PendingWrite {
            path: path.clone(),
            bytes: bytes.to_vec(),
            replace,
        });
        Ok(())
    }
}

fn io_error(path: &RelPath, op: &'static str, detail: &str) -> rushes_engine::Error {
    rushes_engine::Error::Io {
        path: path.to_string(),
        op,
        source: std::io::Error::other(detail.to_string()),
    }
}

impl MhlFs for StoreSnapshot {
    fn root_name(&self) -> String {
        self.root_name.clone()
    }

    fn stat(&self, path: &RelPath) -> rushes_engine::Result<Option<DirEntry>> {
        let name = path.file_name().to_string();
        if let Some(info) = self.files.get(path) {
            return Ok(Some(DirEntry {
                name,
                kind: EntryKind::File,
                size: info.size,
                modified: info.modified,
            }));
        }
        if let Some(bytes) = self.pending_bytes(path) {
            return Ok(Some(DirEntry {
                name,
                kind: EntryKind::File,
                size: bytes.len() as u64,
                modified: None,
            }));
        }
        if self.dirs.contains(path) {
            return Ok(Some(DirEntry {
                name,
                kind: EntryKind::Dir,
                size: 0,
                modified: None,
            }));
        }
        Ok(None)
    }

    fn list_dir(&self, dir: &RelPath) -> rushes_engine::Result<Vec<DirEntry>> {
        let mut out = Vec::new();
        for sub in &self.dirs {
            if sub.parent().as_ref() == Some(dir) {
                out.push(DirEntry {
                    name: sub.file_name().to_string(),
                    kind: EntryKind::Dir,
                    size: 0,
                    modified: None,
                });
            }
        }
        for (file, info) in &self.files {
            if file.parent().as_ref() == Some(dir) {
                out.push(DirEntry {
                    name: file.file_name().to_string(),
                    kind: EntryKind::File,
                    size: info.size,
                    modified: info.modified,
                });
            }
        }
        Ok(out)
    }

    fn open(&self, file: &RelPath) -> rushes_engine::Result<Box<dyn Read + '_>> {
        match self
            .documents
            .get(file)
            .cloned()
            .or_else(|| self.pending_bytes(file))
        {
            Some(bytes) => Ok(Box::new(std::io::Cursor::new(bytes))),
            None => Err(io_error(
                file,
                "open",
                "media is not streamed through the history snapshot (use the checksum step)",
            )),
        }
    }

    fn read_small(&self, file: &RelPath, limit: u64) -> rushes_engine::Result<Vec<u8>> {
        let bytes = self
            .pending_bytes(file)
            .or_else(|| self.documents.get(file).cloned())
            .ok_or_else(|| io_error(file, "read", "not an MHL document of this roll"))?;
        if bytes.len() as u64 > limit {
            return Err(io_error(file, "read", "document larger than allowed"));
        }
        Ok(bytes)
    }

    fn write_new(&self, file: &RelPath, bytes: &[u8]) -> rushes_engine::Result<()> {
        if self.exists(file) {
            return Err(rushes_engine::Error::Io {
                path: file.to_string(),
                op: "create",
                source: std::io::Error::from(std::io::ErrorKind::AlreadyExists),
            });
        }
        self.record(file, bytes, false)
    }

    fn write_replace(&self, file: &RelPath, bytes: &[u8]) -> rushes_engine::Result<()> {
        self.record(file, bytes, true)
    }
}
