//! Post-order traversal of a folder tree (ascmhl's order) and hashing of one file with change checks.

use std::io::Read;

use super::fs::{DirEntry, EntryKind, MhlFs, RelPath};
use super::ignore::IgnoreSpec;
use crate::hash::{Digests, HashFormat, MultiHasher};
use crate::{Error, Result};

const MAX_DEPTH: usize = 256;
const CHUNK: usize = 1024 * 1024;

/// Progress of a long operation.
#[derive(Debug, Clone, Default)]
pub struct Progress {
    /// Bytes hashed so far.
    pub bytes_done: u64,
    /// Bytes to hash in total (0 when unknown).
    pub bytes_total: u64,
    /// The file being hashed.
    pub current: Option<RelPath>,
}

impl Progress {
    /// Nothing done yet; the total is the size of every file in `folders`.
    pub fn for_folders(folders: &[Folder]) -> Self {
        Self {
            bytes_total: folders
                .iter()
                .flat_map(|f| f.children.iter())
                .filter(|c| c.kind == EntryKind::File)
                .map(|c| c.size)
                .sum(),
            ..Self::default()
        }
    }
}

/// One folder and its (sorted, not ignored) children.
#[derive(Debug, Clone)]
pub struct Folder {
    /// The folder (relative to the file-system root).
    pub path: RelPath,
    /// Its children, sorted by name.
    pub children: Vec<DirEntry>,
}

/// Lists `root` recursively, skipping ignored entries, in post order: every folder comes after
/// all its sub-folders; sub-folders and children in byte order of their names (as ascmhl does).
pub fn post_order(fs: &dyn MhlFs, root: &RelPath, ignore: &IgnoreSpec) -> Result<Vec<Folder>> {
    let mut out = Vec::new();
    visit(fs, root, root, ignore, 0, &mut out)?;
    Ok(out)
}

fn visit(
    fs: &dyn MhlFs,
    top: &RelPath,
    dir: &RelPath,
    ignore: &IgnoreSpec,
    depth: usize,
    out: &mut Vec<Folder>,
) -> Result<()> {
    if depth > MAX_DEPTH {
        return Err(Error::InvalidInput {
            what: dir.to_string(),
            problem: format!("folders nested deeper than {MAX_DEPTH} levels"),
        });
    }
    let mut children = fs.list_dir(dir)?;
    children.sort_by(|a, b| a.name.cmp(&b.name));
    let mut kept = Vec::new();
    for c in children {
        let path = dir.join(&c.name)?;
        let rel = path.strip_prefix(top).unwrap_or_else(|| path.clone());
        if ignore.is_ignored(rel.as_str(), c.kind == EntryKind::Dir) {
            continue;
        }
        kept.push(c);
    }
    for c in kept.iter().filter(|c| c.kind == EntryKind::Dir) {
        visit(fs, top, &dir.join(&c.name)?, ignore, depth + 1, out)?;
    }
    out.push(Folder {
        path: dir.clone(),
        children: kept,
    });
    Ok(())
}

/// Hashes one file in `formats`, checking it did not change while it was read (size before,
/// bytes read, size and modification time after). `progress` receives bytes as they are read.
pub fn hash_file(
    fs: &dyn MhlFs,
    path: &RelPath,
    listed: &DirEntry,
    formats: &[HashFormat],
    progress: &mut dyn FnMut(u64),
) -> Result<Digests> {
    let mut reader = fs.open(path)?;
    let mut hasher = MultiHasher::new(formats);
    let mut buf = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                return Err(Error::Io {
                    path: path.to_string(),
                    op: "read",
                    source: e,
                });
            }
        };
        hasher.update(&buf[..n]);
        total += n as u64;
        progress(n as u64);
    }
    drop(reader);
    let changed = |detail: String| Error::ChangedWhileHashing {
        path: path.to_string(),
        detail,
    };
    if total != listed.size {
        return Err(changed(format!(
            "listed with {} bytes, read {} bytes",
            listed.size, total
        )));
    }
    match fs.stat(path)? {
        None => return Err(changed("deleted while hashing".into())),
        Some(after) => {
            if after.size != listed.size {
                return Err(changed(format!(
                    "size went from {} to {} bytes",
                    listed.size, after.size
                )));
            }
            if after.modified != listed.modified {
                return Err(changed("modification time changed".into()));
            }
        }
    }
    Ok(hasher.finish())
}
