//! The manifest step: reads a roll's ASC MHL history from the library and plans what must be
//! verified: expected files with their recorded hashes, files the history lists that are missing,
//! files present that it does not know (new), and hidden or ignored files.
//!
//! A card can hold hundreds of thousands of files, far more than a state-machine payload carries
//! (256 KiB on Step Functions). The plan is therefore stored with the run's working documents
//! ([`rushes_common::runs`]), the files to hash are cut into batches stored beside it, and the
//! step returns only counts and the batch keys the checksum Map iterates over.

use std::collections::{BTreeMap, BTreeSet};

use rushes_common::runs::{RunDocs, write_json};
use rushes_common::store_fs::{StoreSnapshot, is_history_document};
use rushes_common::{Error, ObjectKey, ObjectStore, Ports, Result};
use rushes_engine::hash::HashFormat;
use rushes_engine::mhl::fs::RelPath;
use rushes_engine::mhl::history::History;
use rushes_engine::mhl::ignore::IgnoreSpec;
use serde::{Deserialize, Serialize};

/// Hash format recorded for new files when the history names none.
pub const DEFAULT_FORMAT: HashFormat = HashFormat::Xxh64;

pub use rushes_common::runs::{BATCH_BYTES, BATCH_FILES, MAX_BATCHES_PER_LIMIT};

/// Input: which roll, where it lives in the library, and the execution planning it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name, e.g. `A001` (also the history's root folder name).
    pub roll: String,
    /// Object-key prefix of the roll, e.g. `rolls/A001`.
    pub prefix: ObjectKey,
    /// Name of the state-machine execution; its working documents go under
    /// `runs/<roll>/<execution>/`.
    pub execution: String,
}

/// One stored file to verify.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileToVerify {
    /// Path relative to the roll root.
    pub path: String,
    /// Object key.
    pub key: ObjectKey,
    /// Size in bytes as listed.
    pub size: u64,
    /// First hash the history recorded for each format (empty for a new file).
    pub expected: BTreeMap<HashFormat, String>,
}

/// A file the history lists that is not in the store.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MissingFile {
    /// Path relative to the roll root.
    pub path: String,
    /// What the history expected.
    pub expected: BTreeMap<HashFormat, String>,
}

/// The full verification plan of a roll (stored as `runs/<roll>/<execution>/plan.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    /// Roll name.
    pub roll: String,
    /// Object-key prefix of the roll.
    pub prefix: ObjectKey,
    /// Formats new hashes are computed in (those of the latest generation).
    pub formats: Vec<HashFormat>,
    /// Number of generations in the root history.
    pub generations: u32,
    /// File name of the latest generation.
    pub latest: Option<String>,
    /// Every stored file to hash (known and new), sorted by path.
    pub files: Vec<FileToVerify>,
    /// Files the history lists that are absent.
    pub missing: Vec<MissingFile>,
    /// Stored files the history does not know.
    pub new: Vec<String>,
    /// Stored files skipped by the history's ignore patterns (including hidden system files).
    pub ignored: Vec<String>,
    /// Stored files whose name starts with a dot (verified like any other unless ignored).
    pub hidden: Vec<String>,
}

/// One batch of files for the checksum step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Batch {
    /// Position of the batch: its files are stored under `batches/NNNNN.json` and its results
    /// under `results/NNNNN.json` of the run ([`RunDocs`]).
    pub index: usize,
    /// Number of files in it.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
}

/// How many files the plan holds in each class.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanCounts {
    /// Stored files to hash.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// Files the history lists that are absent.
    pub missing: usize,
    /// Stored files the history does not know.
    pub new: usize,
    /// Stored files skipped by ignore patterns.
    pub ignored: usize,
    /// Stored dot files.
    pub hidden: usize,
}

/// Output of the manifest step: small whatever the roll's size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
    /// Roll name.
    pub roll: String,
    /// Object-key prefix of the roll.
    pub prefix: ObjectKey,
    /// Execution whose working documents these are.
    pub execution: String,
    /// Formats new hashes are computed in.
    pub formats: Vec<HashFormat>,
    /// Number of generations in the root history.
    pub generations: u32,
    /// File name of the latest generation.
    pub latest: Option<String>,
    /// Key of the stored [`Plan`].
    pub plan: ObjectKey,
    /// Counts by class.
    pub counts: PlanCounts,
    /// The checksum batches, in path order.
    pub batches: Vec<Batch>,
}

/// Runs the step: plans the roll, stores the plan and its batches, returns their keys.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let docs = RunDocs::new(&input.roll, &input.execution)?;
    let store = ports.library.as_ref();
    let plan = read_plan(store, &input.roll, &input.prefix).await?;
    let mut batches = Vec::new();
    for (index, range) in batch_ranges(&plan.files).into_iter().enumerate() {
        let files = plan.files.get(range).unwrap_or_default();
        write_json(store, &docs.batch(index)?, &files).await?;
        batches.push(Batch {
            index,
            files: files.len(),
            bytes: files.iter().map(|f| f.size).sum(),
        });
    }
    let plan_key = docs.plan()?;
    write_json(store, &plan_key, &plan).await?;
    Ok(Output {
        counts: PlanCounts {
            files: plan.files.len(),
            bytes: plan.files.iter().map(|f| f.size).sum(),
            missing: plan.missing.len(),
            new: plan.new.len(),
            ignored: plan.ignored.len(),
            hidden: plan.hidden.len(),
        },
        roll: plan.roll,
        prefix: plan.prefix,
        execution: input.execution,
        formats: plan.formats,
        generations: plan.generations,
        latest: plan.latest,
        plan: plan_key,
        batches,
    })
}

/// Reads a roll's history from `store` and plans its verification.
pub async fn read_plan(store: &dyn ObjectStore, roll: &str, prefix: &ObjectKey) -> Result<Plan> {
    let snapshot = StoreSnapshot::load(store, prefix, roll).await?;
    if snapshot.files().next().is_none() {
        return Err(Error::NotFound(format!(
            "{}: no objects under `{prefix}` (roll {roll})",
            store.describe(),
        )));
    }
    let history = History::load(&snapshot)?;
    if history.is_empty() {
        return Err(Error::Engine(rushes_engine::Error::NoHistory {
            root: format!("{}/{prefix}", store.describe()),
        }));
    }
    plan(roll, prefix, &snapshot, &history)
}

/// Cuts `files` into consecutive batches of at most [`BATCH_FILES`] files and about
/// [`BATCH_BYTES`] bytes (see [`rushes_common::runs::batch_ranges`]).
pub fn batch_ranges(files: &[FileToVerify]) -> Vec<std::ops::Range<usize>> {
    let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
    rushes_common::runs::batch_ranges(&sizes)
}

fn plan(
    roll: &str,
    prefix: &ObjectKey,
    snapshot: &StoreSnapshot,
    history: &History,
) -> Result<Plan> {
    let mut ignore_patterns = history.latest_ignore().unwrap_or_default();
    ignore_patterns.extend(history.nested_ignores());
    let ignore = IgnoreSpec::with_defaults(&ignore_patterns, &[]);

    let mut formats: Vec<HashFormat> = history
        .generations
        .last()
        .map(|g| {
            g.manifest
                .files()
                .flat_map(|f| f.hashes.iter().map(|h| h.format))
                .chain(g.manifest.process.root_hash.iter().map(|h| h.format))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        })
        .unwrap_or_default();
    if formats.is_empty() {
        formats.push(DEFAULT_FORMAT);
    }

    let mut plan = Plan {
        roll: roll.to_string(),
        prefix: prefix.clone(),
        formats,
        generations: history.latest_number(),
        latest: history.generations.last().map(|g| g.file_name.clone()),
        files: Vec::new(),
        missing: Vec::new(),
        new: Vec::new(),
        ignored: Vec::new(),
        hidden: Vec::new(),
    };

    let mut present = BTreeSet::new();
    for (path, size) in snapshot.files() {
        if is_history_document(path) {
            continue;
        }
        present.insert(path.clone());
        if ignore.is_ignored(path.as_str(), false) {
            plan.ignored.push(path.as_str().to_string());
            continue;
        }
        if path.file_name().starts_with('.') {
            plan.hidden.push(path.as_str().to_string());
        }
        let expected = expected_hashes(history, path);
        if expected.is_empty() {
            plan.new.push(path.as_str().to_string());
        }
        plan.files.push(FileToVerify {
            path: path.as_str().to_string(),
            key: prefix.join(path.as_str())?,
            size,
            expected,
        });
    }
    for (path, is_dir) in history.all_paths() {
        if is_dir || present.contains(&path) || ignore.is_ignored(path.as_str(), false) {
            continue;
        }
        plan.missing.push(MissingFile {
            path: path.as_str().to_string(),
            expected: expected_hashes(history, &path),
        });
    }
    Ok(plan)
}

/// The first hash of each format the history (or the nested history owning the file) recorded.
pub fn expected_hashes(history: &History, path: &RelPath) -> BTreeMap<HashFormat, String> {
    let (owner, rel) = history.history_for(path);
    owner
        .existing_formats(&rel)
        .into_iter()
        .filter_map(|format| {
            owner
                .first_entry_for_format(&rel, format)
                .map(|h| (format, h.value.clone()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use chrono::Utc;
    use rushes_common::catalog_embedded::EmbeddedCatalog;
    use rushes_common::runs::read_json;
    use rushes_common::store_local::LocalStore;
    use rushes_common::{ObjectStore, PutMode};
    use rushes_engine::hash::{Digests, hash_bytes};
    use rushes_engine::mhl::generation::{GenerationBuilder, append_generation};
    use rushes_engine::mhl::model::{Action, CreatorInfo, Tool};

    use super::*;

    fn digests(bytes: &[u8]) -> Digests {
        let mut d = Digests::default();
        d.0.insert(HashFormat::Xxh64, hash_bytes(HashFormat::Xxh64, bytes));
        d
    }

    /// A roll whose history knows a.dng, b.dng and gone.dng; the store then holds a.dng, b.dng,
    /// new.wav, .hidden and .DS_Store.
    async fn roll(dir: &std::path::Path) -> (Ports, Input) {
        let store = Arc::new(LocalStore::open(dir.join("lib")).unwrap());
        let ports = Ports {
            library: store.clone(),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.join("c.redb")).unwrap()),
        };
        let prefix = ObjectKey::new("rolls/A001").unwrap();
        let now = Utc::now();
        let mut builder = GenerationBuilder::new(&[HashFormat::Xxh64]);
        for (name, bytes) in [
            ("clip/a.dng", &b"aaaa"[..]),
            ("clip/b.dng", b"bbbb"),
            ("gone.dng", b"gone"),
        ] {
            let path = RelPath::new(name).unwrap();
            builder
                .add_file(
                    path,
                    bytes.len() as u64,
                    Some(now),
                    &digests(bytes),
                    Action::Original,
                    now,
                )
                .unwrap();
        }
        for (name, bytes) in [
            ("clip/a.dng", &b"aaaa"[..]),
            ("clip/b.dng", b"bbbb"),
            ("new.wav", b"new"),
            (".hidden", b"h"),
            (".DS_Store", b"x"),
        ] {
            store
                .put(
                    &prefix.join(name).unwrap(),
                    bytes.to_vec(),
                    PutMode::CreateNew,
                )
                .await
                .unwrap();
        }
        let creator = CreatorInfo {
            creation_date: now.fixed_offset(),
            hostname: "set".into(),
            tool: Tool {
                name: "test".into(),
                version: "1".into(),
            },
            authors: Vec::new(),
            location: None,
            comment: None,
        };
        let ignore = rushes_engine::mhl::ignore::default_ignores();
        let (manifest, _) = builder.build(creator, "in-place", ignore, now).unwrap();
        let snapshot = StoreSnapshot::load(store.as_ref(), &prefix, "A001")
            .await
            .unwrap();
        let history = History::load(&snapshot).unwrap();
        append_generation(&snapshot, &history, &manifest, now).unwrap();
        snapshot.flush(store.as_ref(), &prefix).await.unwrap();
        let input = Input {
            roll: "A001".into(),
            prefix,
            execution: "run-1".into(),
        };
        (ports, input)
    }

    #[tokio::test]
    async fn lists_expected_missing_new_hidden_and_ignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = roll(dir.path()).await;
        let out = read_plan(ports.library.as_ref(), &input.roll, &input.prefix)
            .await
            .unwrap();
        assert_eq!(out.formats, vec![HashFormat::Xxh64]);
        assert_eq!(out.generations, 1);
        let paths: Vec<&str> = out.files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, [".hidden", "clip/a.dng", "clip/b.dng", "new.wav"]);
        let a = &out.files[1];
        assert_eq!(a.key.as_str(), "rolls/A001/clip/a.dng");
        assert_eq!(
            a.expected[&HashFormat::Xxh64],
            hash_bytes(HashFormat::Xxh64, b"aaaa")
        );
        assert_eq!(out.missing.len(), 1);
        assert_eq!(out.missing[0].path, "gone.dng");
        assert_eq!(out.new, [".hidden", "new.wav"]);
        assert_eq!(out.hidden, [".hidden"]);
        assert_eq!(out.ignored, [".DS_Store"]);

        // The step stores that plan and its one batch, and returns only their keys and counts.
        let step = handle(ports.clone(), input).await.unwrap();
        assert_eq!(step.plan.as_str(), "runs/A001/run-1/plan.json");
        let stored: Plan = read_json(ports.library.as_ref(), &step.plan).await.unwrap();
        assert_eq!(stored, out);
        assert_eq!(step.counts.files, 4);
        assert_eq!(step.counts.missing, 1);
        assert_eq!(step.counts.bytes, 4 + 4 + 3 + 1);
        assert_eq!(step.batches.len(), 1);
        let key = RunDocs::new("A001", "run-1").unwrap().batch(0).unwrap();
        let batch: Vec<FileToVerify> = read_json(ports.library.as_ref(), &key).await.unwrap();
        assert_eq!(batch, out.files);
    }

    fn files(sizes: impl IntoIterator<Item = u64>) -> Vec<FileToVerify> {
        sizes
            .into_iter()
            .enumerate()
            .map(|(i, size)| FileToVerify {
                path: format!("f{i:06}"),
                key: ObjectKey::new(format!("rolls/A001/f{i:06}")).unwrap(),
                size,
                expected: BTreeMap::new(),
            })
            .collect()
    }

    fn assert_partition(ranges: &[std::ops::Range<usize>], len: usize) {
        let mut next = 0;
        for range in ranges {
            assert_eq!(range.start, next);
            assert!(range.end > range.start);
            next = range.end;
        }
        assert_eq!(next, len);
    }

    #[test]
    fn batches_partition_the_files_and_stay_few_on_huge_rolls() {
        assert!(batch_ranges(&[]).is_empty());
        // A CinemaDNG roll: 10,000 frames of 12 MB.
        let frames = files(std::iter::repeat_n(12_000_000, 10_000));
        let ranges = batch_ranges(&frames);
        assert_partition(&ranges, frames.len());
        assert!(ranges.iter().all(|r| r.len() <= BATCH_FILES));
        assert_eq!(ranges.len(), 40);
        // 300,000 tiny files: the file limit grows so the batch count stays bounded.
        let tiny = files(std::iter::repeat_n(10, 300_000));
        let ranges = batch_ranges(&tiny);
        assert_partition(&ranges, tiny.len());
        assert_eq!(ranges.len(), MAX_BATCHES_PER_LIMIT);
        // Huge camera files: each over the byte limit gets a batch of its own.
        let big = files([20 << 30, 1, 2, 20 << 30, 5 << 30, 5 << 30]);
        let ranges = batch_ranges(&big);
        assert_partition(&ranges, big.len());
        assert_eq!(ranges, vec![0..1, 1..3, 3..4, 4..5, 5..6]);
        // A 2 PB roll: the byte limit grows too.
        let vast = files(std::iter::repeat_n(1 << 40, 2000));
        let ranges = batch_ranges(&vast);
        assert_partition(&ranges, vast.len());
        assert!(
            ranges.len() <= 2 * MAX_BATCHES_PER_LIMIT,
            "{}",
            ranges.len()
        );
    }

    #[tokio::test]
    async fn a_hostile_execution_name_is_refused_before_anything_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, mut input) = roll(dir.path()).await;
        input.execution = "../../rolls/A001".into();
        let err = handle(ports.clone(), input).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.BadInput");
        let runs = ObjectKey::new("runs").unwrap();
        assert!(ports.library.list(&runs).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_roll_without_history_or_objects_is_a_clear_error() {
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(LocalStore::open(dir.path().join("lib")).unwrap());
        let ports = Ports {
            library: store.clone(),
            archive: None,
            catalog: Arc::new(EmbeddedCatalog::open(dir.path().join("c.redb")).unwrap()),
        };
        let input = Input {
            roll: "B001".into(),
            prefix: ObjectKey::new("rolls/B001").unwrap(),
            execution: "run-1".into(),
        };
        let err = handle(ports.clone(), input.clone()).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.NotFound");
        store
            .put(
                &ObjectKey::new("rolls/B001/x.dng").unwrap(),
                b"x".to_vec(),
                PutMode::CreateNew,
            )
            .await
            .unwrap();
        let err = handle(ports, input).await.unwrap_err();
        assert_eq!(err.name(), "Rushes.NoHistory");
        assert!(err.to_string().contains("rolls/B001"), "{err}");
    }

    #[tokio::test]
    async fn a_hostile_manifest_path_is_refused_naming_the_manifest() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = roll(dir.path()).await;
        let listing = ports.library.list(&input.prefix).await.unwrap();
        let manifest = listing
            .iter()
            .find(|m| m.key.as_str().ends_with(".mhl"))
            .unwrap();
        let path = dir.path().join("lib").join(manifest.key.as_str());
        let text = std::fs::read_to_string(&path).unwrap();
        let hostile = text.replace(">clip/a.dng<", ">../../etc/passwd<");
        std::fs::write(&path, &hostile).unwrap();
        // Keep the chain consistent so the path check itself is what refuses the manifest.
        let chain = path.with_file_name("ascmhl_chain.xml");
        let chain_text = std::fs::read_to_string(&chain).unwrap();
        let new_c4 = hash_bytes(HashFormat::C4, hostile.as_bytes());
        let old_c4 = hash_bytes(HashFormat::C4, text.as_bytes());
        std::fs::write(&chain, chain_text.replace(&old_c4, &new_c4)).unwrap();
        let err = handle(ports, input).await.unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains(".mhl") && message.contains("../../etc/passwd"),
            "{message}"
        );
    }
}
