//! ASC MHL directory hashes: content and structure hashes computed from a folder's children.
//!
//! Mirrors ascmhl 1.2 `hasher.py`: [`hash_of_hash_list`] is `Hasher.hash_of_hash_list` /
//! module-level `hash_of_hash_list`, [`structure_entry_hash`] is the per-child step inside
//! `DirectoryHashContext.append_file_hash` / `append_directory_hashes`, and [`DirectoryHasher`] is
//! `DirectoryHashContext` itself. [`MultiDirectoryHasher`] runs one [`DirectoryHasher`] per format
//! and yields a [`DirDigest`] (content and structure hash) for each.

use std::collections::BTreeMap;

use super::encode::digest_to_bytes;
use super::{HashFormat, hash_bytes};
use crate::Result;

/// Hash of a list of digests, as ascmhl computes a directory's content or structure hash.
///
/// An empty list gives the hash of no bytes. Otherwise the digest *texts* are sorted
/// lexicographically (Python `list.sort()` on `str`, i.e. by code point, which for these ASCII
/// digests is byte order), each is decoded with [`digest_to_bytes`], and the concatenated bytes are
/// hashed in `format`. Mirrors `Hasher.hash_of_hash_list` / `hash_of_hash_list(hash_list, format)`.
pub fn hash_of_hash_list<S: AsRef<str>>(format: HashFormat, digests: &[S]) -> Result<String> {
    let entries = digests
        .iter()
        .map(|d| Ok((d.as_ref().to_owned(), digest_to_bytes(format, d.as_ref())?)))
        .collect::<Result<Vec<_>>>()?;
    Ok(hash_sorted(format, entries))
}

/// Sorts decoded digests by their text and hashes the concatenated bytes.
fn hash_sorted(format: HashFormat, mut entries: Vec<(String, Vec<u8>)>) -> String {
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let bytes: Vec<u8> = entries.into_iter().flat_map(|(_, b)| b).collect();
    hash_bytes(format, &bytes)
}

/// Structure-hash contribution of one child: hash of `name` (UTF-8) followed by the child's digest
/// bytes.
///
/// For a file, `digest` is its content hash; for a sub-directory, its *structure* hash. `name` is
/// the child's own name, what ascmhl gets from `os.path.basename(os.path.normpath(path))` (no
/// slashes). Mirrors the step inside `DirectoryHashContext.append_file_hash` /
/// `append_directory_hashes`.
pub fn structure_entry_hash(format: HashFormat, name: &str, digest: &str) -> Result<String> {
    let mut bytes = name.as_bytes().to_vec();
    bytes.extend_from_slice(&digest_to_bytes(format, digest)?);
    Ok(hash_bytes(format, &bytes))
}

/// Content and structure hash of one directory in one format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DirDigest {
    /// Content hash: hash of the children's content hashes.
    pub content: String,
    /// Structure hash: hash of the children's names with their content (files) or structure
    /// (directories) hashes.
    pub structure: String,
}

/// Collects a directory's children and yields its content and structure hashes in one format.
///
/// Mirrors ascmhl's `DirectoryHashContext`. Add every direct child (files and sub-directories,
/// any order), then read [`content_hash`](Self::content_hash) and
/// [`structure_hash`](Self::structure_hash).
#[derive(Clone, Debug)]
pub struct DirectoryHasher {
    format: HashFormat,
    /// Children's content hashes: text (sort key) and decoded bytes.
    content: Vec<(String, Vec<u8>)>,
    /// Children's structure entries (see [`structure_entry_hash`]): text and decoded bytes.
    structure: Vec<(String, Vec<u8>)>,
}

impl DirectoryHasher {
    /// An empty directory context for `format`.
    pub fn new(format: HashFormat) -> Self {
        Self {
            format,
            content: Vec::new(),
            structure: Vec::new(),
        }
    }

    /// The format this context computes.
    pub fn format(&self) -> HashFormat {
        self.format
    }

    /// Adds a child file by name and content hash (`append_file_hash`).
    pub fn add_file(&mut self, name: &str, content_hash: &str) -> Result<()> {
        self.add(name, content_hash, content_hash)
    }

    /// Adds a child directory by name and its own content and structure hashes
    /// (`append_directory_hashes`).
    pub fn add_directory(
        &mut self,
        name: &str,
        content_hash: &str,
        structure_hash: &str,
    ) -> Result<()> {
        self.add(name, content_hash, structure_hash)
    }

    /// Adds a child directory by name and its [`DirDigest`].
    pub fn add_directory_digest(&mut self, name: &str, digest: &DirDigest) -> Result<()> {
        self.add(name, &digest.content, &digest.structure)
    }

    fn add(&mut self, name: &str, content_hash: &str, structure_source: &str) -> Result<()> {
        let content = digest_to_bytes(self.format, content_hash)?;
        let entry = structure_entry_hash(self.format, name, structure_source)?;
        let entry_bytes = digest_to_bytes(self.format, &entry)?;
        self.content.push((content_hash.to_owned(), content));
        self.structure.push((entry, entry_bytes));
        Ok(())
    }

    /// The directory's content hash (`final_content_hash_str`).
    pub fn content_hash(&self) -> String {
        hash_sorted(self.format, self.content.clone())
    }

    /// The directory's structure hash (`final_structure_hash_str`).
    pub fn structure_hash(&self) -> String {
        hash_sorted(self.format, self.structure.clone())
    }

    /// Both hashes of the directory.
    pub fn digest(&self) -> DirDigest {
        DirDigest {
            content: self.content_hash(),
            structure: self.structure_hash(),
        }
    }
}

/// A [`DirectoryHasher`] per format, for computing a directory's hashes in several formats at once.
#[derive(Clone, Debug, Default)]
pub struct MultiDirectoryHasher {
    hashers: BTreeMap<HashFormat, DirectoryHasher>,
}

impl MultiDirectoryHasher {
    /// An empty directory context for `formats` (order and duplicates do not matter).
    pub fn new(formats: &[HashFormat]) -> Self {
        Self {
            hashers: formats
                .iter()
                .map(|&f| (f, DirectoryHasher::new(f)))
                .collect(),
        }
    }

    /// The formats computed, sorted, without duplicates.
    pub fn formats(&self) -> Vec<HashFormat> {
        self.hashers.keys().copied().collect()
    }

    /// Adds a child file by name and its content hash in `format`; a format this context does not
    /// compute is ignored.
    pub fn add_file(&mut self, format: HashFormat, name: &str, content_hash: &str) -> Result<()> {
        match self.hashers.get_mut(&format) {
            Some(h) => h.add_file(name, content_hash),
            None => Ok(()),
        }
    }

    /// Adds a child directory by name and its hashes in `format`; a format this context does not
    /// compute is ignored.
    pub fn add_directory(
        &mut self,
        format: HashFormat,
        name: &str,
        digest: &DirDigest,
    ) -> Result<()> {
        match self.hashers.get_mut(&format) {
            Some(h) => h.add_directory_digest(name, digest),
            None => Ok(()),
        }
    }

    /// The directory's hashes, per format.
    pub fn finish(&self) -> BTreeMap<HashFormat, DirDigest> {
        self.hashers.iter().map(|(&f, h)| (f, h.digest())).collect()
    }
}
