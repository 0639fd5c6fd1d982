//! `copy`: copies one batch of a pull plan into the package, create-only, hashing every byte on
//! the way and refusing a copy whose checksums differ from those recorded at ingest.

use std::collections::BTreeMap;

use rushes_common::runs::{read_json, write_json};
use rushes_common::{Error, ObjectKey, ObjectStore, Ports, Result};
use rushes_engine::hash::{HashFormat, MultiHasher};
use serde::{Deserialize, Serialize};

use crate::docs::{CopiedFile, PlannedFile, PullDocs};

/// Bytes read and written per request.
const CHUNK: u64 = 8 << 20;

/// Input of `copy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyInput {
    /// Package name.
    pub package: String,
    /// Execution that planned the pull.
    pub execution: String,
    /// Batch number.
    pub batch: usize,
}

/// Output of `copy`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CopyOutput {
    /// Batch number.
    pub batch: usize,
    /// Files in the batch.
    pub files: usize,
    /// Files copied now.
    pub copied: usize,
    /// Files already in the package with the right content (a re-run).
    pub present: usize,
    /// Bytes of the batch.
    pub bytes: u64,
}

/// Runs `copy`.
pub async fn copy(ports: &Ports, input: CopyInput) -> Result<CopyOutput> {
    let docs = PullDocs::new(&input.package, &input.execution)?;
    let store = ports.library.as_ref();
    let files: Vec<PlannedFile> = read_json(store, &docs.batch(input.batch)?).await?;
    let mut results = Vec::with_capacity(files.len());
    for file in &files {
        if !file
            .dest
            .as_str()
            .starts_with(&format!("{}/", docs.package()))
        {
            return Err(Error::BadInput(format!(
                "batch {}: `{}` is outside the package `{}`",
                input.batch,
                file.dest,
                docs.package()
            )));
        }
        results.push(copy_file(store, file).await?);
    }
    write_json(store, &docs.results(input.batch)?, &results).await?;
    Ok(CopyOutput {
        batch: input.batch,
        files: files.len(),
        copied: results.iter().filter(|r| r.copied).count(),
        present: results.iter().filter(|r| !r.copied).count(),
        bytes: files.iter().map(|f| f.size).sum(),
    })
}

/// The formats to compute for `file`: those recorded at ingest, plus xxh64 for the package MHL.
fn formats_for(file: &PlannedFile) -> Result<Vec<HashFormat>> {
    let mut formats = vec![HashFormat::Xxh64];
    for name in file.checksums.keys() {
        let format: HashFormat = name.parse().map_err(|_| {
            Error::BadInput(format!(
                "`{}`: unknown checksum format `{}` in the catalog",
                file.source,
                name.escape_debug()
            ))
        })?;
        if !formats.contains(&format) {
            formats.push(format);
        }
    }
    Ok(formats)
}

/// Compares computed checksums with the ingest record; the first difference, if any.
fn mismatch(file: &PlannedFile, got: &BTreeMap<String, String>) -> Option<String> {
    file.checksums.iter().find_map(|(name, want)| {
        let have = got.get(name)?;
        (!have.eq_ignore_ascii_case(want))
            .then(|| format!("{name} {have}, recorded at ingest {want}"))
    })
}

async fn copy_file(store: &dyn ObjectStore, file: &PlannedFile) -> Result<CopiedFile> {
    let formats = formats_for(file)?;
    if let Some(meta) = store.head(&file.dest).await? {
        // A re-run: the copy must already be exactly the original.
        let got = hash_object(store, &file.dest, meta.size, &formats).await?;
        if meta.size != file.size {
            return Err(Error::VerificationFailed(format!(
                "{}: `{}` is already in the package with {} bytes instead of {}; it is left as it is",
                store.describe(),
                file.dest,
                meta.size,
                file.size
            )));
        }
        if let Some(diff) = mismatch(file, &got) {
            return Err(Error::VerificationFailed(format!(
                "{}: `{}` is already in the package with other content ({diff}); it is left as it is",
                store.describe(),
                file.dest
            )));
        }
        return Ok(CopiedFile {
            package_path: file.package_path.clone(),
            size: meta.size,
            checksums: got,
            copied: false,
        });
    }
    let source = store.head(&file.source).await?.ok_or_else(|| {
        Error::NotFound(format!(
            "{}: `{}` (recorded at ingest) is not in the library",
            store.describe(),
            file.source
        ))
    })?;
    if source.size != file.size {
        return Err(Error::VerificationFailed(format!(
            "{}: `{}` has {} bytes, {} were recorded at ingest",
            store.describe(),
            file.source,
            source.size,
            file.size
        )));
    }
    let mut hasher = MultiHasher::new(&formats);
    let mut upload = store.start_upload(&file.dest).await?;
    let mut at = 0u64;
    while at < file.size {
        let want = CHUNK.min(file.size - at);
        let chunk = match store.read_range(&file.source, at, want).await {
            Ok(c) if c.len() as u64 == want => c,
            Ok(c) => {
                upload.abort().await?;
                return Err(Error::VerificationFailed(format!(
                    "{}: `{}` ended after {} bytes, {} were recorded at ingest",
                    store.describe(),
                    file.source,
                    at + c.len() as u64,
                    file.size
                )));
            }
            Err(e) => {
                upload.abort().await?;
                return Err(e);
            }
        };
        hasher.update(&chunk);
        if let Err(e) = upload.write(&chunk).await {
            upload.abort().await?;
            return Err(e);
        }
        at += want;
    }
    let got = names(hasher.finish().0);
    if let Some(diff) = mismatch(file, &got) {
        upload.abort().await?;
        return Err(Error::VerificationFailed(format!(
            "{}: `{}` no longer matches the ingest record ({diff}); nothing was copied",
            store.describe(),
            file.source
        )));
    }
    upload.complete().await?;
    Ok(CopiedFile {
        package_path: file.package_path.clone(),
        size: file.size,
        checksums: got,
        copied: true,
    })
}

/// Hashes a stored object in `formats`.
async fn hash_object(
    store: &dyn ObjectStore,
    key: &ObjectKey,
    size: u64,
    formats: &[HashFormat],
) -> Result<BTreeMap<String, String>> {
    let mut hasher = MultiHasher::new(formats);
    let mut at = 0u64;
    while at < size {
        let want = CHUNK.min(size - at);
        let chunk = store.read_range(key, at, want).await?;
        if chunk.is_empty() {
            break;
        }
        at += chunk.len() as u64;
        hasher.update(&chunk);
    }
    Ok(names(hasher.finish().0))
}

fn names(digests: BTreeMap<HashFormat, String>) -> BTreeMap<String, String> {
    digests
        .into_iter()
        .map(|(f, v)| (f.name().to_string(), v))
        .collect()
}
