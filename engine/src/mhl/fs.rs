//! The I/O port of the MHL code: validated relative paths and the `MhlFs` trait callers implement.

use std::io::Read;

use chrono::{DateTime, Utc};

use crate::{Error, Result};

/// A validated, relative, `/`-separated path inside a history root. The empty path is the root.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct RelPath(String);

impl RelPath {
    /// The root folder itself.
    pub fn root() -> Self {
        Self(String::new())
    }

    /// Validates `path`, naming `file` (the document or input it came from) in any error.
    ///
    /// Refuses absolute paths, `..` and `.` components, empty components, backslashes, NUL and
    /// other control characters, and Windows drive letters.
    pub fn parse(file: &str, path: &str) -> Result<Self> {
        let unsafe_path = |problem: &str| Error::UnsafePath {
            file: file.to_string(),
            path: path.escape_debug().to_string(),
            problem: problem.to_string(),
        };
        if path.is_empty() {
            return Err(unsafe_path("empty path"));
        }
        if path.len() > 4096 {
            return Err(unsafe_path("path longer than 4096 bytes"));
        }
        if path.starts_with('/') {
            return Err(unsafe_path("absolute path"));
        }
        if path.contains('\\') {
            return Err(unsafe_path("backslash in path"));
        }
        if path.chars().any(char::is_control) {
            return Err(unsafe_path("NUL or control character in path"));
        }
        let bytes = path.as_bytes();
        if bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' {
            return Err(unsafe_path("drive letter in path"));
        }
        for part in path.split('/') {
            match part {
                "" => return Err(unsafe_path("empty path component")),
                "." | ".." => return Err(unsafe_path("`.` or `..` component")),
                _ => {}
            }
        }
        Ok(Self(path.to_string()))
    }

    /// Like [`RelPath::parse`] for paths that do not come from a document.
    pub fn new(path: &str) -> Result<Self> {
        if path.is_empty() {
            return Ok(Self::root());
        }
        Self::parse("<path>", path)
    }

    /// The path as text (empty for the root).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for the root folder.
    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    /// This path with one more component (`name` must be a single safe component).
    pub fn join(&self, name: &str) -> Result<Self> {
        if name.contains('/') {
            return Err(Error::UnsafePath {
                file: "<listing>".into(),
                path: name.escape_debug().to_string(),
                problem: "name contains `/`".into(),
            });
        }
        let joined = if self.is_root() {
            name.to_string()
        } else {
            format!("{}/{}", self.0, name)
        };
        Self::parse("<listing>", &joined)
    }

    /// Appends a relative path.
    pub fn join_path(&self, other: &RelPath) -> Self {
        if self.is_root() {
            other.clone()
        } else if other.is_root() {
            self.clone()
        } else {
            Self(format!("{}/{}", self.0, other.0))
        }
    }

    /// The last component (empty for the root).
    pub fn file_name(&self) -> &str {
        self.0.rsplit('/').next().unwrap_or("")
    }

    /// The parent folder (`None` for the root).
    pub fn parent(&self) -> Option<Self> {
        if self.is_root() {
            return None;
        }
        Some(match self.0.rfind('/') {
            Some(i) => Self(self.0[..i].to_string()),
            None => Self::root(),
        })
    }

    /// The rest of this path below `prefix`, if it lies inside (or is) `prefix`.
    pub fn strip_prefix(&self, prefix: &RelPath) -> Option<Self> {
        if prefix.is_root() {
            return Some(self.clone());
        }
        if self.0 == prefix.0 {
            return Some(Self::root());
        }
        self.0
            .strip_prefix(prefix.0.as_str())
            .and_then(|rest| rest.strip_prefix('/'))
            .map(|rest| Self(rest.to_string()))
    }
}

impl std::fmt::Display for RelPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.is_root() {
            f.write_str(".")
        } else {
            f.write_str(&self.0)
        }
    }
}

/// What a directory entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A regular file (or a link to one inside the root).
    File,
    /// A folder.
    Dir,
}

/// One entry of a folder listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntry {
    /// The entry's name (one component).
    pub name: String,
    /// File or folder.
    pub kind: EntryKind,
    /// Size in bytes (0 for folders).
    pub size: u64,
    /// Last modification time, when known.
    pub modified: Option<DateTime<Utc>>,
}

/// File-system access the MHL code needs, relative to one root folder.
///
/// The CLI implements it on a real folder, the cloud steps on an object store, tests on fakes.
/// `Sync` because `create` and `verify` hash several files at once from worker threads.
pub trait MhlFs: Sync {
    /// The name of the root folder (used in generation file names).
    fn root_name(&self) -> String;
    /// Metadata of one path (`None` when it does not exist). The root is `RelPath::root()`.
    fn stat(&self, path: &RelPath) -> Result<Option<DirEntry>>;
    /// The entries of a folder, in any order.
    fn list_dir(&self, dir: &RelPath) -> Result<Vec<DirEntry>>;
    /// Opens a file for streaming.
    fn open(&self, file: &RelPath) -> Result<Box<dyn Read + '_>>;
    /// Reads a whole small file, refusing files larger than `limit` bytes.
    fn read_small(&self, file: &RelPath, limit: u64) -> Result<Vec<u8>>;
    /// Creates a new file (and missing parent folders); fails if it already exists.
    fn write_new(&self, file: &RelPath, bytes: &[u8]) -> Result<()>;
    /// Creates or atomically replaces a file (used for the chain file only).
    fn write_replace(&self, file: &RelPath, bytes: &[u8]) -> Result<()>;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn rejects_hostile_paths() {
        for bad in [
            "../x",
            "a/../../x",
            "/abs",
            "a\\b",
            "C:/x",
            "a//b",
            "a/./b",
            "x\0y",
            "",
            "a/",
        ] {
            let err = RelPath::parse("m.mhl", bad).unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{bad}: {err}");
            assert!(err.to_string().contains("m.mhl"));
        }
    }

    #[test]
    fn accepts_and_manipulates() {
        let p = RelPath::parse("m", "Clips/a b.mov").unwrap();
        assert_eq!(p.file_name(), "a b.mov");
        assert_eq!(p.parent().unwrap().as_str(), "Clips");
        assert_eq!(p.parent().unwrap().parent().unwrap(), RelPath::root());
        let base = RelPath::new("Clips").unwrap();
        assert_eq!(p.strip_prefix(&base).unwrap().as_str(), "a b.mov");
        assert!(
            RelPath::new("Clipsx/a")
                .unwrap()
                .strip_prefix(&base)
                .is_none()
        );
        assert_eq!(base.join("x").unwrap().as_str(), "Clips/x");
        assert!(base.join("..").is_err());
    }
}
