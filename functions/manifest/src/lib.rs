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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::sync::Arc;

    use chrono::Utc;
    use rushes_common::catalog_embedded::EmbeddedCatalog;
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
        };
        (ports, input)
    }

    #[tokio::test]
    async fn lists_expected_missing_new_hidden_and_ignored_files() {
        let dir = tempfile::tempdir().unwrap();
        let (ports, input) = roll(dir.path()).await;
        let out = handle(ports, input).await.unwrap();
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
