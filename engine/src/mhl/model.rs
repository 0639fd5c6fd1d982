//! The ASC MHL v2.0 document model: manifests (hash lists) and the chain file.

use chrono::{DateTime, FixedOffset};

use super::fs::RelPath;
use crate::hash::HashFormat;

/// A date as written in MHL documents (ISO 8601 with offset).
pub type MhlDate = DateTime<FixedOffset>;

/// What a generation did with a hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// First hash ever recorded for the file.
    Original,
    /// Hash recomputed and equal to the history.
    Verified,
    /// Hash recomputed and different from the history.
    Failed,
    /// Transient: a new format whose file verified in another format (written as `verified`).
    New,
}

impl Action {
    /// The attribute value.
    pub fn name(self) -> &'static str {
        match self {
            Action::Original => "original",
            Action::Verified => "verified",
            Action::Failed => "failed",
            Action::New => "new",
        }
    }

    /// Parses an attribute value.
    pub fn from_name(s: &str) -> Option<Self> {
        Some(match s {
            "original" => Action::Original,
            "verified" => Action::Verified,
            "failed" => Action::Failed,
            "new" => Action::New,
            _ => return None,
        })
    }
}

/// One hash value of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HashValue {
    /// The format.
    pub format: HashFormat,
    /// The MHL text encoding of the digest.
    pub value: String,
    /// What happened to it in this generation.
    pub action: Option<Action>,
    /// When it was computed.
    pub hash_date: Option<MhlDate>,
}

/// The content and structure hashes of a folder in one format.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirHashValue {
    /// The format.
    pub format: HashFormat,
    /// Hash over the (sorted) content hashes of the children.
    pub content: String,
    /// Hash over the (sorted) name+hash hashes of the children.
    pub structure: String,
    /// Optional action (ascmhl writes none for folders).
    pub action: Option<Action>,
    /// When it was computed.
    pub hash_date: Option<MhlDate>,
}

/// A `<hash>` element: one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileEntry {
    /// Path relative to the history root.
    pub path: RelPath,
    /// Size in bytes (`None` is written for zero-byte files, as ascmhl does).
    pub size: Option<u64>,
    /// Last modification date.
    pub modified: Option<MhlDate>,
    /// One value per format.
    pub hashes: Vec<HashValue>,
    /// Former path when a rename was detected.
    pub previous_path: Option<RelPath>,
}

/// A `<directoryhash>` element: one folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// Path relative to the history root.
    pub path: RelPath,
    /// Last modification date.
    pub modified: Option<MhlDate>,
    /// One content/structure pair per format.
    pub hashes: Vec<DirHashValue>,
    /// Former path when a rename was detected.
    pub previous_path: Option<RelPath>,
}

/// One element of `<hashes>`, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A file.
    File(FileEntry),
    /// A folder.
    Directory(DirectoryEntry),
}

impl Entry {
    /// The entry's path.
    pub fn path(&self) -> &RelPath {
        match self {
            Entry::File(f) => &f.path,
            Entry::Directory(d) => &d.path,
        }
    }

    /// The entry's former path, if any.
    pub fn previous_path(&self) -> Option<&RelPath> {
        match self {
            Entry::File(f) => f.previous_path.as_ref(),
            Entry::Directory(d) => d.previous_path.as_ref(),
        }
    }
}

/// The tool that wrote a manifest.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tool {
    /// Tool name.
    pub name: String,
    /// Tool version.
    pub version: String,
}

/// An `<author>` of `<creatorinfo>`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Author {
    /// Name (element text).
    pub name: Option<String>,
    /// `email` attribute.
    pub email: Option<String>,
    /// `phone` attribute.
    pub phone: Option<String>,
    /// `role` attribute.
    pub role: Option<String>,
}

/// `<creatorinfo>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreatorInfo {
    /// When the generation was created.
    pub creation_date: MhlDate,
    /// Host name.
    pub hostname: String,
    /// Tool name and version.
    pub tool: Tool,
    /// Authors.
    pub authors: Vec<Author>,
    /// Free-text location.
    pub location: Option<String>,
    /// Free-text comment.
    pub comment: Option<String>,
}

/// `<processinfo>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInfo {
    /// `in-place`, `transfer`, `flatten`...
    pub process: String,
    /// Root folder hashes (empty: no `<roothash>`).
    pub root_hash: Vec<DirHashValue>,
    /// Ignore patterns in effect.
    pub ignore: Vec<String>,
}

/// A `<hashlistreference>` to a nested history's manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// Path of the referenced manifest relative to this history's root.
    pub path: RelPath,
    /// C4 of the referenced manifest's bytes.
    pub c4: String,
}

/// One ASC MHL manifest (one generation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `<creatorinfo>`.
    pub creator: CreatorInfo,
    /// `<processinfo>`.
    pub process: ProcessInfo,
    /// `<hashes>` in document order.
    pub entries: Vec<Entry>,
    /// `<references>`.
    pub references: Vec<Reference>,
}

impl Manifest {
    /// The file entries.
    pub fn files(&self) -> impl Iterator<Item = &FileEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::File(f) => Some(f),
            Entry::Directory(_) => None,
        })
    }

    /// The folder entries.
    pub fn directories(&self) -> impl Iterator<Item = &DirectoryEntry> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Directory(d) => Some(d),
            Entry::File(_) => None,
        })
    }
}

/// One `<hashlist>` of the chain file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainEntry {
    /// Generation number.
    pub sequence: u32,
    /// Manifest file name inside `ascmhl/`.
    pub file_name: String,
    /// Format of the manifest hash (c4 in practice).
    pub format: HashFormat,
    /// Hash of the manifest bytes.
    pub value: String,
}
