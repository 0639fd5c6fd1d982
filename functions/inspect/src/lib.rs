//! The inspect step: groups a stored roll's files into clips, reads their camera and sound
//! metadata through ranged reads of the library store, stores the roll's inspection with the run's
//! working documents and one catalog item per clip, and returns only counts.
//!
//! Metadata readers are synchronous (`Read + Seek`); they run on a blocking thread and reach the
//! store through [`ObjectReader`], which fetches the bytes they ask for in blocks of
//! [`READ_BLOCK`] (one ranged request serves a DNG or WAV header).

use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom};
use std::sync::Arc;

use rushes_common::records::{FileRecord, from_item, roll_pk};
use rushes_common::runs::{RunDocs, write_json};
use rushes_common::{CatalogItem, Error, ObjectKey, ObjectStore, Ports, Result};
use rushes_engine::inspect::clip::{Clip, WarningCode};
use rushes_engine::inspect::group::ReadSeek;
use rushes_engine::inspect::{RollFile, RollInspection, RollKind, group_roll};
use rushes_engine::mhl::ignore::{IgnoreSpec, default_ignores};
use serde::{Deserialize, Serialize};

/// Bytes fetched per ranged read (the engine's DNG and WAV readers want the first 64 KiB).
pub const READ_BLOCK: u64 = 64 << 10;

/// Input: which roll, where it lives in the library, and the execution inspecting it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name, e.g. `A001`.
    pub roll: String,
    /// Object-key prefix of the roll, e.g. `rolls/A001`.
    pub prefix: ObjectKey,
    /// Name of the state-machine execution; the inspection is stored as
    /// `runs/<roll>/<execution>/clips.json`.
    pub execution: String,
}

/// Output: counts only, whatever the roll's size (the clips are in the store and the catalog).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Clips found.
    pub clips: usize,
    /// Warnings on those clips and on the roll.
    pub warnings: usize,
    /// Camera, sound or other.
    pub kind: RollKind,
}

/// Catalog sort key of a clip: `CLIP#<clip id>` under the roll's partition `ROLL#<roll>`.
pub fn clip_sk(clip: &Clip) -> String {
    format!("CLIP#{}", clip.clip_id)
}

/// A clip as a catalog item (`ROLL#<roll>` / `CLIP#<clip id>`, body the clip JSON).
pub fn clip_item(clip: &Clip) -> Result<CatalogItem> {
    Ok(CatalogItem {
        pk: roll_pk(&clip.roll),
        sk: clip_sk(clip),
        body: serde_json::to_value(clip).map_err(|e| Error::Catalog {
            op: "encode",
            detail: format!("clip {}: {e}", clip.clip_id),
        })?,
    })
}

/// Runs the step: inspects the roll, stores `clips.json` and the clip items, returns counts.
/// Running it twice on the same objects writes the same documents and items.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let docs = RunDocs::new(&input.roll, &input.execution)?;
    let inspection = inspect_stored_roll(&ports, &input.roll, &input.prefix).await?;
    write_json(ports.library.as_ref(), &docs.clips()?, &inspection).await?;
    let items = inspection
        .clips
        .iter()
        .map(clip_item)
        .collect::<Result<Vec<_>>>()?;
    ports.catalog.put_all(&items).await?;
    let warnings = inspection.warnings.len()
        + inspection
            .clips
            .iter()
            .map(|c| c.warnings.len())
            .sum::<usize>();
    Ok(Output {
        clips: inspection.clips.len(),
        warnings,
        kind: inspection.kind,
    })
}

/// True when `path` (roll-relative) is not looked at: the ASC MHL history, the MHL default
/// ignores (`.DS_Store`...), and anything inside or named like a dot folder or file.
pub fn skipped(ignore: &IgnoreSpec, path: &str) -> bool {
    path.split('/').any(|c| c.starts_with('.') || c == "ascmhl") || ignore.is_ignored(path, false)
}

/// Lists the roll's objects, reads their headers and groups them into clips; per-file checksums
/// come from the catalog's file records of the roll's latest verification, when present.
pub async fn inspect_stored_roll(
    ports: &Ports,
    roll: &str,
    prefix: &ObjectKey,
) -> Result<RollInspection> {
    let store = ports.library.clone();
    let listing = store.list(prefix).await?;
    if listing.is_empty() {
        return Err(Error::NotFound(format!(
            "{}: no objects under `{prefix}` (roll {roll})",
            store.describe()
        )));
    }
    let ignore = IgnoreSpec::new(&default_ignores());
    let base = format!("{prefix}/");
    let files: Vec<RollFile> = listing
        .iter()
        .filter_map(|m| m.key.as_str().strip_prefix(&base).map(|p| (p, m.size)))
        .filter(|(p, _)| !skipped(&ignore, p))
        .map(|(p, size)| RollFile::new(p, size))
        .collect();
    let sizes: BTreeMap<String, u64> = files.iter().map(|f| (f.path.clone(), f.size)).collect();
    let runtime = tokio::runtime::Handle::current();
    let (roll_name, prefix_key) = (roll.to_string(), prefix.clone());
    let mut inspection = tokio::task::spawn_blocking(move || {
        let mut open = |path: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
            let key = prefix_key
                .join(path)
                .map_err(|e| rushes_engine::Error::InvalidInput {
                    what: path.to_string(),
                    problem: e.to_string(),
                })?;
            let size = sizes.get(path).copied().unwrap_or(0);
            Ok(Box::new(ObjectReader::new(
                store.clone(),
                key,
                size,
                runtime.clone(),
            )))
        };
        group_roll(&roll_name, &files, &mut open)
    })
    .await
    .map_err(|e| Error::BadInput(format!("roll {roll}: the inspection stopped: {e}")))??;
    add_checksums(ports, roll, &mut inspection).await?;
    Ok(inspection)
}

/// Copies the hashes of the roll's file records into the clips' files.
async fn add_checksums(ports: &Ports, roll: &str, inspection: &mut RollInspection) -> Result<()> {
    let items = ports.catalog.query(&roll_pk(roll), "FILE#").await?;
    let mut hashes: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for item in &items {
        let record: FileRecord = from_item(item)?;
        let map = record
            .hashes
            .iter()
            .map(|(format, value)| (format.name().to_string(), value.clone()))
            .collect();
        hashes.insert(record.path, map);
    }
    for file in inspection.clips.iter_mut().flat_map(|c| c.files.iter_mut()) {
        if let Some(h) = hashes.get(&file.path) {
            file.checksums = h.clone();
        }
    }
    Ok(())
}

/// True when a clip has an error-level warning (missing or unreadable frames).
pub fn has_error_warning(clip: &Clip) -> bool {
    clip.warnings
        .iter()
        .any(|w| matches!(w.code, WarningCode::MissingFrames | WarningCode::Unreadable))
}

/// `Read + Seek` over a stored object, fetching [`READ_BLOCK`]-sized ranges on demand. Must be
/// used off the async runtime's worker threads (it blocks on the store's futures).
#[derive(Debug)]
pub struct ObjectReader {
    store: Arc<dyn ObjectStore>,
    key: ObjectKey,
    size: u64,
    position: u64,
    block_start: u64,
    block: Vec<u8>,
    runtime: tokio::runtime::Handle,
}

impl ObjectReader {
    /// A reader of `key` (`size` bytes as listed) through `runtime`.
    pub fn new(
        store: Arc<dyn ObjectStore>,
        key: ObjectKey,
        size: u64,
        runtime: tokio::runtime::Handle,
    ) -> Self {
        Self {
            store,
            key,
            size,
            position: 0,
            block_start: 0,
            block: Vec::new(),
            runtime,
        }
    }
}

impl Read for ObjectReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.is_empty() || self.position >= self.size {
            return Ok(0);
        }
        let in_block = self.position >= self.block_start
            && self.position < self.block_start + self.block.len() as u64;
        if !in_block {
            let len = READ_BLOCK
                .max(buf.len() as u64)
                .min(self.size - self.position);
            let bytes = self
                .runtime
                .block_on(self.store.read_range(&self.key, self.position, len))
                .map_err(|e| std::io::Error::other(e.to_string()))?;
            if bytes.is_empty() {
                return Ok(0);
            }
            self.block_start = self.position;
            self.block = bytes;
        }
        let skip = usize::try_from(self.position - self.block_start)
            .map_err(|_| std::io::Error::other("read position out of range"))?;
        let available = self.block.get(skip..).unwrap_or_default();
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.position += n as u64;
        Ok(n)
    }
}

impl Seek for ObjectReader {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let target = match pos {
            SeekFrom::Start(p) => Some(p),
            SeekFrom::End(d) => self.size.checked_add_signed(d),
            SeekFrom::Current(d) => self.position.checked_add_signed(d),
        };
        let target = target.ok_or_else(|| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                format!("`{}`: seek before the start of the object", self.key),
            )
        })?;
        self.position = target;
        Ok(target)
    }
}

#[cfg(test)]
mod tests;
