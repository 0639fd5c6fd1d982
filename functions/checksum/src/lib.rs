//! The checksum step: hashes one batch of stored files (planned by the manifest step) by
//! streaming ranged reads and compares each result with the hashes its MHL history recorded.
//!
//! One invocation hashes up to a byte budget. When the budget runs out inside the batch, the
//! output carries a cursor (file index, offset and the saved hashing state) and the state machine
//! calls the step again with it until `done` is true, so a file of any size can be verified by
//! Lambdas with a 15-minute limit. Results are stored as the batch's working document
//! (`runs/<roll>/<execution>/results/NNNNN.json`); only counts travel through the state machine.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rushes_common::runs::{RunDocs, read_json, write_json};
use rushes_common::{Error, ObjectKey, ObjectStore, Ports, Result};
use rushes_engine::hash::{HashFormat, HashState, MultiHasher};
use rushes_manifest::{Batch, FileToVerify};
use serde::{Deserialize, Serialize};

/// Bytes read per ranged request.
pub const READ_CHUNK: u64 = 8 << 20;

/// Default bytes hashed per invocation: well inside a 15-minute Lambda at S3 read speeds.
pub const DEFAULT_BYTES_PER_CALL: u64 = 64 << 30;

/// Outcome of one file's verification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every expected hash matched.
    Verified,
    /// At least one expected hash differed.
    Failed,
    /// The history had no hash for this file: it is a new original.
    New,
}

/// Where a partly hashed batch continues.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Cursor {
    /// Index in the batch of the file being hashed.
    pub file: usize,
    /// Bytes of that file already hashed.
    pub offset: u64,
    /// Saved hashing state covering those bytes (absent at offset 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<HashState>,
    /// Modification time of the object when its hashing started: a later slice refuses an
    /// object changed in between (even to the same size).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<DateTime<Utc>>,
}

/// Input of the checksum step (also its output shape while `done` is false).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name.
    pub roll: String,
    /// Execution owning the batch's working documents.
    pub execution: String,
    /// Formats to compute in addition to those the history expects.
    #[serde(default)]
    pub formats: Vec<HashFormat>,
    /// The batch to hash, as the manifest step listed it.
    pub batch: Batch,
    /// Where to continue (absent for a fresh start).
    #[serde(default)]
    pub cursor: Option<Cursor>,
    /// Most bytes to hash in this invocation (defaults to [`DEFAULT_BYTES_PER_CALL`]).
    #[serde(default)]
    pub max_bytes_per_call: Option<u64>,
}

/// One file's verification result.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FileResult {
    /// Path relative to the roll root.
    pub path: String,
    /// Object key.
    pub key: ObjectKey,
    /// Object size.
    pub size: u64,
    /// Hashes the history recorded (empty for a new file).
    #[serde(default)]
    pub expected: BTreeMap<HashFormat, String>,
    /// Computed hashes.
    pub hashes: BTreeMap<HashFormat, String>,
    /// Outcome.
    pub verdict: Verdict,
}

/// The stored results of one batch.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BatchResults {
    /// Batch index.
    pub batch: usize,
    /// True once every file of the batch is hashed.
    pub complete: bool,
    /// Results of the files hashed so far, in batch order.
    pub files: Vec<FileResult>,
}

/// Counts of a batch's outcomes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchCounts {
    /// Files whose hashes matched.
    pub verified: u64,
    /// Files whose content differs from the history.
    pub failed: u64,
    /// Files the history does not know.
    pub new: u64,
    /// Bytes hashed.
    pub bytes: u64,
}

/// What the ingest state machine keeps of a finished batch (its Map shapes each final
/// [`Output`] into this, so a roll's summaries stay far below the 256 KiB payload limit).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchSummary {
    /// Batch index.
    pub batch: usize,
    /// True once every file of the batch is hashed.
    pub done: bool,
    /// Outcomes.
    pub counts: BatchCounts,
}

/// Output of the checksum step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Output {
    /// Roll name.
    pub roll: String,
    /// Execution owning the working documents.
    pub execution: String,
    /// Formats computed in addition to the expected ones.
    pub formats: Vec<HashFormat>,
    /// The batch.
    pub batch: Batch,
    /// True once every file of the batch is hashed.
    pub done: bool,
    /// Where the next invocation continues (while not done).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<Cursor>,
    /// Budget carried to the next invocation.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_bytes_per_call: Option<u64>,
    /// Key of the stored [`BatchResults`].
    pub results: ObjectKey,
    /// Outcomes of the files hashed so far.
    pub counts: BatchCounts,
}

/// Compares computed hashes with the expected ones.
pub fn judge(
    expected: &BTreeMap<HashFormat, String>,
    hashes: &BTreeMap<HashFormat, String>,
) -> Verdict {
    if expected.is_empty() {
        return Verdict::New;
    }
    let all_match = expected.iter().all(|(format, want)| {
        hashes
            .get(format)
            .is_some_and(|got| got.eq_ignore_ascii_case(want))
    });
    if all_match {
        Verdict::Verified
    } else {
        Verdict::Failed
    }
}

/// Runs the step: hashes the batch's files, up to one invocation's budget of bytes.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let store = ports.library.as_ref();
    let docs = RunDocs::new(&input.roll, &input.execution)?;
    let batch_key = docs.batch(input.batch.index)?;
    let files: Vec<FileToVerify> = read_json(store, &batch_key).await?;
    if files.len() != input.batch.files {
        return Err(Error::BadInput(format!(
            "checksum: `{batch_key}` lists {} files, the plan announced {}",
            files.len(),
            input.batch.files
        )));
    }
    let results_key = docs.results(input.batch.index)?;
    let cursor = input.cursor.clone().unwrap_or(Cursor {
        file: 0,
        offset: 0,
        state: None,
        modified: None,
    });
    let mut results = earlier_results(store, &results_key, &files, cursor.file).await?;

    let mut budget = input
        .max_bytes_per_call
        .unwrap_or(DEFAULT_BYTES_PER_CALL)
        .max(1);
    let mut next = None;
    let mut resume = Some(cursor);
    for (index, file) in files
        .iter()
        .enumerate()
        .skip(resume.as_ref().map_or(0, |c| c.file))
    {
        if budget == 0 {
            next = Some(Cursor {
                file: index,
                offset: 0,
                state: None,
                modified: None,
            });
            break;
        }
        let formats = formats_for(&input.formats, file)?;
        let from = resume.take().filter(|c| c.file == index);
        match hash_object(store, file, &formats, from, &mut budget).await? {
            Progress::Done(hashes) => {
                let verdict = judge(&file.expected, &hashes);
                results.push(FileResult {
                    path: file.path.clone(),
                    key: file.key.clone(),
                    size: file.size,
                    expected: file.expected.clone(),
                    hashes,
                    verdict,
                });
            }
            Progress::Partial(cursor) => {
                next = Some(Cursor {
                    file: index,
                    ..cursor
                });
                break;
            }
        }
    }
    let done = next.is_none();
    write_json(
        store,
        &results_key,
        &BatchResults {
            batch: input.batch.index,
            complete: done,
            files: results.clone(),
        },
    )
    .await?;
    Ok(Output {
        roll: input.roll,
        execution: input.execution,
        formats: input.formats,
        batch: input.batch,
        done,
        cursor: next,
        max_bytes_per_call: input.max_bytes_per_call,
        results: results_key,
        counts: count(&results),
    })
}

/// Counts outcomes.
pub fn count(results: &[FileResult]) -> BatchCounts {
    let mut counts = BatchCounts::default();
    for result in results {
        match result.verdict {
            Verdict::Verified => counts.verified += 1,
            Verdict::Failed => counts.failed += 1,
            Verdict::New => counts.new += 1,
        }
        counts.bytes += result.size;
    }
    counts
}

/// The results stored by earlier invocations for the first `done` files of the batch (a repeated
/// invocation may find more: they are dropped and hashed again, so the step stays idempotent).
async fn earlier_results(
    store: &dyn ObjectStore,
    key: &ObjectKey,
    files: &[FileToVerify],
    done: usize,
) -> Result<Vec<FileResult>> {
    if done == 0 {
        return Ok(Vec::new());
    }
    if done > files.len() {
        return Err(Error::BadInput(format!(
            "checksum: cursor at file {done} of a batch of {} files",
            files.len()
        )));
    }
    let mut stored: BatchResults = read_json(store, key).await?;
    if stored.files.len() < done {
        return Err(Error::BadInput(format!(
            "checksum: `{key}` holds {} results but the cursor says {done} files are done",
            stored.files.len()
        )));
    }
    stored.files.truncate(done);
    for (result, file) in stored.files.iter().zip(files) {
        if result.path != file.path || result.size != file.size {
            return Err(Error::BadInput(format!(
                "checksum: `{key}` does not match its batch at `{}`",
                file.path
            )));
        }
    }
    Ok(stored.files)
}

fn formats_for(extra: &[HashFormat], file: &FileToVerify) -> Result<Vec<HashFormat>> {
    let mut formats: Vec<HashFormat> = extra.to_vec();
    formats.extend(file.expected.keys().copied());
    formats.sort();
    formats.dedup();
    if formats.is_empty() {
        return Err(Error::BadInput(format!(
            "checksum `{}`: no hash format requested and none expected",
            file.path
        )));
    }
    Ok(formats)
}

/// How far one object's hashing got.
enum Progress {
    /// Every byte is hashed.
    Done(BTreeMap<HashFormat, String>),
    /// The budget ran out: where to continue (the file index is the caller's).
    Partial(Cursor),
}

/// Hashes `file` from the cursor's offset (with the state saved there; from the start without a
/// cursor) while `budget` lasts.
async fn hash_object(
    store: &dyn ObjectStore,
    file: &FileToVerify,
    formats: &[HashFormat],
    from: Option<Cursor>,
    budget: &mut u64,
) -> Result<Progress> {
    let (offset, state, started) =
        from.map_or((0, None, None), |c| (c.offset, c.state, c.modified));
    let head = store
        .head(&file.key)
        .await?
        .ok_or_else(|| Error::NotFound(format!("{}: `{}`", store.describe(), file.key)))?;
    if head.size != file.size {
        return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
            path: file.key.to_string(),
            detail: format!("listed with {} bytes, now {} bytes", file.size, head.size),
        }));
    }
    if started.is_some() && head.modified != started {
        return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
            path: file.key.to_string(),
            detail: "modified between two hashing slices".into(),
        }));
    }
    let mut hasher = match (state, offset) {
        (None, 0) => MultiHasher::new(formats),
        (Some(state), offset) => {
            let hasher = MultiHasher::resume(&state)?;
            if hasher.bytes_hashed() != offset {
                return Err(Error::BadInput(format!(
                    "checksum `{}`: saved state covers {} bytes but offset is {offset}",
                    file.path,
                    hasher.bytes_hashed()
                )));
            }
            hasher
        }
        (None, offset) => {
            return Err(Error::BadInput(format!(
                "checksum `{}`: offset {offset} given without a saved hash state",
                file.path
            )));
        }
    };
    if offset > file.size {
        return Err(Error::BadInput(format!(
            "checksum `{}`: offset {offset} is past the end ({} bytes)",
            file.path, file.size
        )));
    }
    let stop_at = file.size.min(offset.saturating_add(*budget));
    let mut at = offset;
    while at < stop_at {
        let want = READ_CHUNK.min(stop_at - at);
        let chunk = store.read_range(&file.key, at, want).await?;
        if chunk.len() as u64 != want {
            return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
                path: file.key.to_string(),
                detail: format!(
                    "read {} bytes at offset {at} where {want} were expected",
                    chunk.len()
                ),
            }));
        }
        hasher = tokio::task::spawn_blocking(move || {
            hasher.update(&chunk);
            hasher
        })
        .await
        .map_err(|e| Error::BadInput(format!("hashing task failed: {e}")))?;
        at += want;
    }
    *budget = budget.saturating_sub(at - offset);
    if at < file.size {
        return Ok(Progress::Partial(Cursor {
            file: 0,
            offset: at,
            state: Some(hasher.save_state()),
            modified: started.or(head.modified),
        }));
    }
    // The object must not have changed under us while we read it.
    let after = store.head(&file.key).await?;
    if after.as_ref().map(|m| (m.size, m.modified)) != Some((head.size, head.modified)) {
        return Err(Error::Engine(rushes_engine::Error::ChangedWhileHashing {
            path: file.key.to_string(),
            detail: "size or modification time changed during hashing".into(),
        }));
    }
    Ok(Progress::Done(hasher.finish().0))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use rushes_common::PutMode;
    use rushes_common::catalog_embedded::EmbeddedCatalog;
    use rushes_common::store_local::LocalStore;
    use rushes_engine::hash::hash_bytes;

    use super::*;

    fn ports(dir: &std::path::Path) -> Ports {
        Ports {
            library: Arc::new(LocalStore::open(dir.join("lib")).unwrap()),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
        }
    }

    fn data(len: usize, seed: usize) -> Vec<u8> {
        (0..len).map(|i| ((i + seed) * 31 % 251) as u8).collect()
    }

    /// Stores `contents` as roll files and their batch.
    /// A stored file: path, content, and the content the history recorded (None: a new file).
    type Stored<'a> = (&'a str, Vec<u8>, Option<Vec<u8>>);

    async fn batch(ports: &Ports, contents: &[Stored<'_>]) -> Input {
        let docs = RunDocs::new("A001", "run-1").unwrap();
        let mut files = Vec::new();
        for (path, bytes, recorded) in contents {
            let key = ObjectKey::new(format!("rolls/A001/{path}")).unwrap();
            ports
                .library
                .put(&key, bytes.clone(), PutMode::CreateNew)
                .await
                .unwrap();
            let mut expected = BTreeMap::new();
            if let Some(recorded) = recorded {
                expected.insert(HashFormat::Xxh64, hash_bytes(HashFormat::Xxh64, recorded));
                expected.insert(HashFormat::Md5, hash_bytes(HashFormat::Md5, recorded));
            }
            files.push(FileToVerify {
                path: path.to_string(),
                key,
                size: bytes.len() as u64,
                expected,
            });
        }
        let key = docs.batch(3).unwrap();
        write_json(ports.library.as_ref(), &key, &files)
            .await
            .unwrap();
        Input {
            roll: "A001".into(),
            execution: "run-1".into(),
            formats: vec![HashFormat::Xxh64],
            batch: Batch {
                index: 3,
                files: files.len(),
                bytes: files.iter().map(|f| f.size).sum(),
            },
            cursor: None,
            max_bytes_per_call: None,
        }
    }

    /// Runs the step until done, round-tripping through JSON as the state machine does.
    async fn run(ports: &Ports, mut step: Input) -> (Output, usize) {
        let mut calls = 0;
        loop {
            calls += 1;
            let json = serde_json::to_value(&step).unwrap();
            let out = handle(ports.clone(), serde_json::from_value(json).unwrap())
                .await
                .unwrap();
            if out.done {
                return (out, calls);
            }
            assert!(out.cursor.is_some());
            step = serde_json::from_value(serde_json::to_value(&out).unwrap()).unwrap();
        }
    }

    #[tokio::test]
    async fn a_batch_hashed_in_slices_gives_the_one_pass_results() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ports(dir.path());
        let big = data(3 * 1024 * 1024 + 17, 1);
        let small = data(1000, 2);
        let contents = [
            ("clip/a.dng", big.clone(), Some(big.clone())),
            ("clip/empty.dng", Vec::new(), Some(Vec::new())),
            ("clip/b.dng", small.clone(), Some(small.clone())),
            ("new.wav", data(5000, 3), None),
            ("clip/c.dng", big.clone(), Some(big.clone())),
        ];
        let input = batch(&ports, &contents).await;
        let (whole, calls) = run(&ports, input.clone()).await;
        assert_eq!(calls, 1);
        let whole_results: BatchResults = read_json(ports.library.as_ref(), &whole.results)
            .await
            .unwrap();
        assert!(whole_results.complete);
        assert_eq!(whole_results.files.len(), 5);
        assert_eq!(
            whole.counts,
            BatchCounts {
                verified: 4,
                failed: 0,
                new: 1,
                bytes: 2 * big.len() as u64 + 1000 + 5000
            }
        );
        let a = &whole_results.files[0];
        assert_eq!(a.verdict, Verdict::Verified);
        assert_eq!(
            a.hashes[&HashFormat::Md5],
            hash_bytes(HashFormat::Md5, &big)
        );

        let mut sliced = input;
        sliced.max_bytes_per_call = Some(1024 * 1024);
        let (out, calls) = run(&ports, sliced).await;
        // Every call spends its whole budget, moving on to the next file when one completes.
        assert_eq!(calls as u64, whole.counts.bytes.div_ceil(1024 * 1024));
        let results: BatchResults = read_json(ports.library.as_ref(), &out.results)
            .await
            .unwrap();
        assert_eq!(results, whole_results);
        assert_eq!(out.counts, whole.counts);
    }

    #[tokio::test]
    async fn altered_files_fail_and_a_repeated_call_is_idempotent() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ports(dir.path());
        let contents = [
            ("a.dng", data(4096, 1), Some(data(4096, 9))),
            ("b.dng", data(4096, 2), Some(data(4096, 2))),
        ];
        let mut input = batch(&ports, &contents).await;
        input.max_bytes_per_call = Some(4096);
        let first = handle(ports.clone(), input.clone()).await.unwrap();
        assert!(!first.done);
        assert_eq!(first.counts.failed, 1);
        let next: Input = serde_json::from_value(serde_json::to_value(&first).unwrap()).unwrap();
        let done = handle(ports.clone(), next.clone()).await.unwrap();
        assert!(done.done);
        // The same call again (a retry after a lost response) gives the same outcome.
        let again = handle(ports.clone(), next).await.unwrap();
        assert_eq!(again, done);
        let results: BatchResults = read_json(ports.library.as_ref(), &done.results)
            .await
            .unwrap();
        let verdicts: Vec<Verdict> = results.files.iter().map(|f| f.verdict).collect();
        assert_eq!(verdicts, [Verdict::Failed, Verdict::Verified]);
        // Restarting the first call after the second completed also agrees.
        let restarted = handle(ports.clone(), input).await.unwrap();
        assert_eq!(restarted.counts, first.counts);
    }

    #[tokio::test]
    async fn changed_missing_and_forged_inputs_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ports = ports(dir.path());
        let input = batch(&ports, &[("f.dng", data(4096, 1), None)]).await;

        // The object changed size since the manifest step listed it.
        let key = ObjectKey::new("rolls/A001/f.dng").unwrap();
        let path = dir.path().join("lib").join(key.as_str());
        std::fs::write(&path, data(4000, 1)).unwrap();
        let err = handle(ports.clone(), input.clone()).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.ChangedWhileHashing");
        assert!(err.to_string().contains("rolls/A001/f.dng"), "{err}");

        std::fs::remove_file(&path).unwrap();
        let err = handle(ports.clone(), input.clone()).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.NotFound");

        // Changed between two slices, even to the same size.
        let mut sliced = input.clone();
        sliced.max_bytes_per_call = Some(1000);
        std::fs::write(&path, data(4096, 1)).unwrap();
        let first = handle(ports.clone(), sliced).await.unwrap();
        assert!(!first.done);
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&path, data(4096, 7)).unwrap();
        let next: Input = serde_json::from_value(serde_json::to_value(&first).unwrap()).unwrap();
        let err = handle(ports.clone(), next).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.ChangedWhileHashing");
        assert!(
            err.to_string().contains("between two hashing slices"),
            "{err}"
        );

        // A batch the plan never wrote, or announced with another file count.
        let mut forged = input.clone();
        forged.batch.index = 4;
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.NotFound");
        let mut forged = input.clone();
        forged.batch.files = 2;
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");

        // A cursor past the batch, or into results that were never written.
        let mut forged = input.clone();
        forged.cursor = Some(Cursor {
            file: 9,
            offset: 0,
            state: None,
            modified: None,
        });
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");

        // An offset without a state.
        std::fs::write(&path, data(4096, 1)).unwrap();
        let mut forged = input.clone();
        forged.cursor = Some(Cursor {
            file: 0,
            offset: 100,
            state: None,
            modified: None,
        });
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");

        // A hostile execution name.
        let mut forged = input;
        forged.execution = "../x".into();
        let err = handle(ports.clone(), forged).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");
    }
}
