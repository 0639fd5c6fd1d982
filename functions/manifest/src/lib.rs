//! The manifest step: reads a roll's ASC MHL history from the library and lists what must be
//! verified: expected files with their recorded hashes, files the history lists that are missing,
//! files present that it does not know (new), and hidden or ignored files.

use std::collections::{BTreeMap, BTreeSet};

use rushes_common::store_fs::{StoreSnapshot, is_history_document};
use rushes_common::{Error, ObjectKey, Ports, Result};
use rushes_engine::hash::HashFormat;
use rushes_engine::mhl::fs::RelPath;
use rushes_engine::mhl::history::History;
use rushes_engine::mhl::ignore::IgnoreSpec;
use serde::{Deserialize, Serialize};

/// Hash format recorded for new files when the history names none.
pub const DEFAULT_FORMAT: HashFormat = HashFormat::Xxh64;

/// Input: which roll, and where it lives in the library.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// Roll name, e.g. `A001` (also the history's root folder name).
    pub roll: String,
    /// Object-key prefix of the roll, e.g. `rolls/A001`.
    pub prefix: ObjectKey,
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

/// Output of the manifest step.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Output {
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

/// Runs the step.
pub async fn handle(ports: Ports, input: Input) -> Result<Output> {
    let store = ports.library.as_ref();
    let snapshot = StoreSnapshot::load(store, &input.prefix, &input.roll).await?;
    if snapshot.files().next().is_none() {
        return Err(Error::NotFound(format!(
            "{}: no objects under `{}` (roll {})",
            store.describe(),
            input.prefix,
            input.roll
        )));
    }
    let history = History::load(&snapshot)?;
    if history.is_empty() {
        return Err(Error::Engine(rushes_engine::Error::NoHistory {
            root: format!("{}/{}", store.describe(), input.prefix),
        }));
    }
    plan(&input, &snapshot, &history)
}

fn plan(input: &Input, snapshot: &StoreSnapshot, history: &History) -> Result<Output> {
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

    let mut output = Output {
        roll: input.roll.clone(),
        prefix: input.prefix.clone(),
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
            output.ignored.push(path.as_str().to_string());
            continue;
        }
        if path.file_name().starts_with('.') {
            output.hidden.push(path.as_str().to_string());
        }
        let expected = expected_hashes(history, path);
        if expected.is_empty() {
            output.new.push(path.as_str().to_string());
        }
        output.files.push(FileToVerify {
            path: path.as_str().to_string(),
            key: input.prefix.join(path.as_str())?,
            size,
            expected,
        });
    }
    for (path, is_dir) in history.all_paths() {
        if is_dir || present.contains(&path) || ignore.is_ignored(path.as_str(), false) {
            continue;
        }
        output.missing.push(MissingFile {
            path: path.as_str().to_string(),
            expected: expected_hashes(history, &path),
        });
    }
    Ok(output)
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
