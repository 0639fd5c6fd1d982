//! Building a new generation from per-file results and appending it (manifest + chain) to a history.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::fs::{MhlFs, RelPath};
use super::history::{ASCMHL_FOLDER, CHAIN_FILE, History};
use super::model::{
    Action, ChainEntry, CreatorInfo, DirHashValue, DirectoryEntry, Entry, FileEntry, HashValue,
    Manifest, MhlDate, ProcessInfo,
};
use super::xml_write::{write_chain, write_manifest};
use crate::hash::{Digests, DirDigest, HashFormat, MultiDirectoryHasher, hash_bytes};
use crate::{Error, Result};

/// Converts a UTC time to the MHL date type.
pub fn mhl_date(d: DateTime<Utc>) -> MhlDate {
    d.fixed_offset()
}

/// `NNNN_<root>_<YYYY-MM-DD>_<HHMMSS>Z.mhl`.
pub fn generation_file_name(number: u32, root_name: &str, date: DateTime<Utc>) -> String {
    format!(
        "{number:04}_{root_name}_{}.mhl",
        date.format("%Y-%m-%d_%H%M%SZ")
    )
}

/// Folder hash values for a manifest, sorted by format name, all dated `date`.
pub(crate) fn dir_values(
    digests: &BTreeMap<HashFormat, DirDigest>,
    date: MhlDate,
) -> Vec<DirHashValue> {
    let mut v: Vec<DirHashValue> = digests
        .iter()
        .map(|(f, d)| DirHashValue {
            format: *f,
            content: d.content.clone(),
            structure: d.structure.clone(),
            action: None,
            hash_date: Some(date),
        })
        .collect();
    v.sort_by_key(|h| h.format.name());
    v
}

/// A manifest written by [`append_generation`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appended {
    /// The manifest's path, relative to the file-system root.
    pub path: RelPath,
    /// Its generation number.
    pub number: u32,
    /// C4 of its bytes (as recorded in the chain).
    pub c4: String,
}

/// Writes `manifest` as the next generation of `history` and rewrites the chain file with its C4.
/// Never overwrites a manifest.
pub fn append_generation(
    fs: &dyn MhlFs,
    history: &History,
    manifest: &Manifest,
    date: DateTime<Utc>,
) -> Result<Appended> {
    let root_name = if history.root.is_root() {
        fs.root_name()
    } else {
        history.root.file_name().to_string()
    };
    let number = history.latest_number() + 1;
    let name = generation_file_name(number, &root_name, date);
    let folder = history.root.join(ASCMHL_FOLDER)?;
    let path = folder.join(&name)?;
    let bytes = write_manifest(manifest);
    let c4 = hash_bytes(HashFormat::C4, &bytes);
    let mut chain = history.chain.clone();
    chain.push(ChainEntry {
        sequence: number,
        file_name: name,
        format: HashFormat::C4,
        value: c4.clone(),
    });
    fs.write_new(&path, &bytes)?;
    fs.write_replace(&folder.join(CHAIN_FILE)?, &write_chain(&chain))?;
    Ok(Appended { path, number, c4 })
}

/// One folder's sub-folders and files, as [`GenerationBuilder::build`] walks them.
#[derive(Debug, Default)]
struct Children<'a> {
    dirs: Vec<&'a RelPath>,
    files: Vec<(&'a RelPath, &'a FileRecord)>,
}

#[derive(Debug, Clone)]
struct FileRecord {
    size: u64,
    modified: Option<MhlDate>,
    recorded: Vec<HashValue>,
    for_dirs: Digests,
    previous_path: Option<RelPath>,
}

/// Builds one manifest from files hashed elsewhere (e.g. by the cloud checksum step); folder
/// content/structure hashes are computed here exactly as ascmhl computes them.
#[derive(Debug, Clone)]
pub struct GenerationBuilder {
    formats: Vec<HashFormat>,
    files: BTreeMap<RelPath, FileRecord>,
    dirs: BTreeMap<RelPath, Option<MhlDate>>,
    sealed: BTreeMap<RelPath, (Option<MhlDate>, BTreeMap<HashFormat, DirDigest>)>,
    directory_hashes: bool,
    files_only: bool,
}

impl GenerationBuilder {
    /// A builder computing folder hashes in `formats`.
    pub fn new(formats: &[HashFormat]) -> Self {
        let mut f = formats.to_vec();
        f.sort_by_key(|x| x.name());
        f.dedup();
        Self {
            formats: f,
            files: BTreeMap::new(),
            dirs: BTreeMap::new(),
            sealed: BTreeMap::new(),
            directory_hashes: true,
            files_only: false,
        }
    }

    /// Whether the manifest lists only the files added, without folder entries and without a root
    /// hash (ascmhl `create --single_file` records files that way: no completeness claim about
    /// any folder). [`GenerationBuilder::build`] still returns the root's hashes.
    pub fn files_only(mut self, on: bool) -> Self {
        self.files_only = on;
        self
    }

    /// Records that the file at `path` was called `previous` in earlier generations (ascmhl
    /// `create --detect_renaming`). Returns false when no file was added at `path`.
    pub fn set_previous_path(&mut self, path: &RelPath, previous: RelPath) -> bool {
        match self.files.get_mut(path) {
            Some(rec) => {
                rec.previous_path = Some(previous);
                true
            }
            None => false,
        }
    }

    /// Whether folders get content/structure hashes (ascmhl `create -n` turns them off: folders
    /// are then listed with empty `<content/>` and `<structure/>` and the root hash is left out).
    /// [`GenerationBuilder::build`] still returns the root's hashes, for a parent history.
    pub fn with_directory_hashes(mut self, on: bool) -> Self {
        self.directory_hashes = on;
        self
    }

    /// Adds a file with all its digests recorded under one action.
    pub fn add_file(
        &mut self,
        path: RelPath,
        size: u64,
        modified: Option<DateTime<Utc>>,
        digests: &Digests,
        action: Action,
        hash_date: DateTime<Utc>,
    ) -> Result<()> {
        let recorded = digests
            .0
            .iter()
            .map(|(f, v)| HashValue {
                format: *f,
                value: v.clone(),
                action: Some(action),
                hash_date: Some(mhl_date(hash_date)),
            })
            .collect();
        self.add_file_values(
            path,
            size,
            modified.map(mhl_date),
            recorded,
            digests.clone(),
        )
    }

    /// Adds a file with explicit recorded values (`for_dirs`: the digests folder hashes use).
    pub fn add_file_values(
        &mut self,
        path: RelPath,
        size: u64,
        modified: Option<MhlDate>,
        recorded: Vec<HashValue>,
        for_dirs: Digests,
    ) -> Result<()> {
        if path.is_root() {
            return Err(Error::InvalidInput {
                what: "file path".into(),
                problem: "the root is not a file".into(),
            });
        }
        for f in &self.formats {
            if !for_dirs.0.contains_key(f) {
                return Err(Error::InvalidInput {
                    what: path.to_string(),
                    problem: format!("no {} digest for the folder hashes", f.name()),
                });
            }
        }
        self.files.insert(
            path,
            FileRecord {
                size,
                modified,
                recorded,
                for_dirs,
                previous_path: None,
            },
        );
        Ok(())
    }

    /// Records a folder (needed for empty folders, and for folder modification dates).
    pub fn add_directory(&mut self, path: RelPath, modified: Option<DateTime<Utc>>) {
        self.dirs.insert(path, modified.map(mhl_date));
    }

    /// Adds a folder whose hashes are already known (the root of a nested history).
    pub fn add_sealed_directory(
        &mut self,
        path: RelPath,
        modified: Option<MhlDate>,
        digests: BTreeMap<HashFormat, DirDigest>,
    ) {
        self.sealed.insert(path, (modified, digests));
    }

    /// Builds the manifest (entries in ascmhl's order) and returns the root folder's hashes too.
    pub fn build(
        self,
        creator: CreatorInfo,
        process: &str,
        ignore: Vec<String>,
        date: DateTime<Utc>,
    ) -> Result<(Manifest, BTreeMap<HashFormat, DirDigest>)> {
        let date = mhl_date(date);
        // Every folder: the root, each recorded folder and each ancestor of anything recorded.
        let mut dirs: BTreeSet<RelPath> = BTreeSet::new();
        dirs.insert(RelPath::root());
        let all_paths = self
            .files
            .keys()
            .chain(self.dirs.keys())
            .chain(self.sealed.keys());
        for p in all_paths {
            let mut cur = p.parent();
            while let Some(d) = cur {
                if dirs.contains(&d) {
                    break; // its ancestors are in already
                }
                cur = d.parent();
                dirs.insert(d);
            }
        }
        for d in self.dirs.keys().chain(self.sealed.keys()) {
            dirs.insert(d.clone());
        }
        // The tree, built once: each folder's sub-folders and files, sorted by name.
        let mut tree: BTreeMap<RelPath, Children<'_>> = BTreeMap::new();
        for d in &dirs {
            if let Some(parent) = d.parent() {
                tree.entry(parent).or_default().dirs.push(d);
            }
        }
        for (p, rec) in &self.files {
            if let Some(parent) = p.parent() {
                tree.entry(parent).or_default().files.push((p, rec));
            }
        }
        for children in tree.values_mut() {
            children
                .dirs
                .sort_by(|a, b| a.file_name().cmp(b.file_name()));
            children
                .files
                .sort_by(|a, b| a.0.file_name().cmp(b.0.file_name()));
        }
        let mut entries = Vec::new();
        let root = self.visit(&RelPath::root(), &tree, &mut entries, date)?;
        if self.files_only {
            entries.retain(|e| matches!(e, Entry::File(_)));
        }
        let root_hash = if self.directory_hashes && !self.files_only {
            dir_values(&root, date)
        } else {
            for entry in &mut entries {
                if let Entry::Directory(d) = entry {
                    d.hashes.clear();
                }
            }
            Vec::new()
        };
        let manifest = Manifest {
            creator,
            process: ProcessInfo {
                process: process.to_string(),
                root_hash,
                ignore,
            },
            entries,
            references: Vec::new(),
        };
        Ok((manifest, root))
    }

    fn visit(
        &self,
        dir: &RelPath,
        tree: &BTreeMap<RelPath, Children<'_>>,
        entries: &mut Vec<Entry>,
        date: MhlDate,
    ) -> Result<BTreeMap<HashFormat, DirDigest>> {
        let mut ctx = MultiDirectoryHasher::new(&self.formats);
        let Some(children) = tree.get(dir) else {
            return Ok(ctx.finish());
        };
        for &sub in &children.dirs {
            let name = sub.file_name();
            if let Some((modified, digests)) = self.sealed.get(sub) {
                for (f, d) in digests {
                    ctx.add_directory(*f, name, d)?;
                }
                entries.push(Entry::Directory(DirectoryEntry {
                    path: sub.clone(),
                    modified: *modified,
                    hashes: dir_values(digests, date),
                    previous_path: None,
                }));
                continue;
            }
            let digests = self.visit(sub, tree, entries, date)?;
            for (f, d) in &digests {
                ctx.add_directory(*f, name, d)?;
            }
            entries.push(Entry::Directory(DirectoryEntry {
                path: sub.clone(),
                modified: self.dirs.get(sub).copied().flatten(),
                hashes: dir_values(&digests, date),
                previous_path: None,
            }));
        }
        // Sub-folders' entries come first, then this folder's files, then the folder itself.
        let mut tail: Vec<Entry> = Vec::new();
        for &(path, rec) in &children.files {
            for f in &self.formats {
                if let Some(v) = rec.for_dirs.0.get(f) {
                    ctx.add_file(*f, path.file_name(), v)?;
                }
            }
            tail.push(Entry::File(FileEntry {
                path: path.clone(),
                size: Some(rec.size),
                modified: rec.modified,
                hashes: rec.recorded.clone(),
                previous_path: rec.previous_path.clone(),
            }));
        }
        // ascmhl interleaves: sub-folder entries were emitted during recursion above; files next.
        entries.extend(tail);
        Ok(ctx.finish())
    }
}
