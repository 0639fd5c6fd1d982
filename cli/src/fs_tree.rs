//! Local file-system implementation of the engine's MHL I/O port (`MhlFs`) on one root folder.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rushes_engine::Error;
use rushes_engine::mhl::{DirEntry, EntryKind, MhlFs, RelPath};

type Result<T> = rushes_engine::Result<T>;

/// A folder on the local disk seen through the `MhlFs` port. Symbolic links are followed only
/// when they stay inside the root; manifests are created with `create_new` and never overwritten.
#[derive(Debug, Clone)]
pub struct FsTree {
    root: PathBuf,
    name: String,
}

fn io(path: &Path, op: &'static str, source: std::io::Error) -> Error {
    Error::Io {
        path: path.display().to_string(),
        op,
        source,
    }
}

impl FsTree {
    /// Opens `root` (which must be an existing folder).
    pub fn new(root: &Path) -> Result<Self> {
        let root = fs::canonicalize(root).map_err(|e| io(root, "open folder", e))?;
        if !root.is_dir() {
            return Err(Error::InvalidInput {
                what: root.display().to_string(),
                problem: "not a folder".into(),
            });
        }
        let name = root
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "root".into());
        Ok(Self { root, name })
    }

    /// The absolute root folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The local path of a relative path.
    pub fn local(&self, rel: &RelPath) -> PathBuf {
        let mut p = self.root.clone();
        if !rel.is_root() {
            p.extend(rel.as_str().split('/'));
        }
        p
    }

    /// Metadata following a link only when its target lies inside the root.
    fn metadata(&self, path: &Path) -> Result<Option<fs::Metadata>> {
        let meta = match fs::symlink_metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(path, "stat", e)),
        };
        if !meta.file_type().is_symlink() {
            return Ok(Some(meta));
        }
        let target = fs::canonicalize(path).map_err(|e| io(path, "resolve link", e))?;
        if !target.starts_with(&self.root) {
            return Err(Error::UnsafePath {
                file: self.root.display().to_string(),
                path: path.display().to_string(),
                problem: format!(
                    "symbolic link escapes the root (points to {})",
                    target.display()
                ),
            });
        }
        fs::metadata(&target)
            .map(Some)
            .map_err(|e| io(path, "stat", e))
    }

    fn entry(name: String, meta: &fs::Metadata) -> DirEntry {
        let kind = if meta.is_dir() {
            EntryKind::Dir
        } else {
            EntryKind::File
        };
        DirEntry {
            name,
            kind,
            size: if kind == EntryKind::File {
                meta.len()
            } else {
                0
            },
            modified: meta.modified().ok().map(DateTime::<Utc>::from),
        }
    }
}

impl MhlFs for FsTree {
    fn root_name(&self) -> String {
        self.name.clone()
    }

    fn stat(&self, path: &RelPath) -> Result<Option<DirEntry>> {
        let local = self.local(path);
        Ok(self
            .metadata(&local)?
            .map(|m| Self::entry(path.file_name().to_string(), &m)))
    }

    /// Lists a folder: folders and files are told apart by the listing's file type (no stat);
    /// only files are stat-ed (size and date), links are resolved and checked.
    fn list_dir(&self, dir: &RelPath) -> Result<Vec<DirEntry>> {
        let local = self.local(dir);
        let mut out = Vec::new();
        for e in fs::read_dir(&local).map_err(|e| io(&local, "list folder", e))? {
            let e = e.map_err(|e| io(&local, "list folder", e))?;
            let name =
                e.file_name()
                    .to_str()
                    .map(str::to_string)
                    .ok_or_else(|| Error::InvalidInput {
                        what: e.path().display().to_string(),
                        problem: "file name is not valid UTF-8".into(),
                    })?;
            let file_type = e.file_type().map_err(|err| io(&e.path(), "stat", err))?;
            if file_type.is_dir() {
                out.push(DirEntry {
                    name,
                    kind: EntryKind::Dir,
                    size: 0,
                    modified: None,
                });
            } else if file_type.is_file() {
                let meta = e.metadata().map_err(|err| io(&e.path(), "stat", err))?;
                out.push(Self::entry(name, &meta));
            } else if file_type.is_symlink() {
                if let Some(meta) = self.metadata(&e.path())? {
                    if meta.is_dir() || meta.is_file() {
                        out.push(Self::entry(name, &meta));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Opens a file; a symbolic link is followed only when it stays inside the root. The common
    /// case (not a link) costs one `open` with `O_NOFOLLOW` and no extra stat.
    fn open(&self, file: &RelPath) -> Result<Box<dyn Read + '_>> {
        let local = self.local(file);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            match OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&local)
            {
                Ok(f) => return Ok(Box::new(f)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(io(&local, "open", e));
                }
                // A link (ELOOP) or anything else: check it below, then open following links.
                Err(_) => {}
            }
        }
        self.metadata(&local)?;
        let f = File::open(&local).map_err(|e| io(&local, "open", e))?;
        Ok(Box::new(f))
    }

    fn read_small(&self, file: &RelPath, limit: u64) -> Result<Vec<u8>> {
        let local = self.local(file);
        let mut bytes = Vec::new();
        self.open(file)?
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(|e| io(&local, "read", e))?;
        if bytes.len() as u64 > limit {
            return Err(Error::InvalidInput {
                what: local.display().to_string(),
                problem: format!("larger than the {limit} byte limit"),
            });
        }
        Ok(bytes)
    }

    fn write_new(&self, file: &RelPath, bytes: &[u8]) -> Result<()> {
        let local = self.local(file);
        if let Some(parent) = local.parent() {
            fs::create_dir_all(parent).map_err(|e| io(parent, "create folder", e))?;
        }
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&local)
            .map_err(|e| io(&local, "create", e))?;
        f.write_all(bytes).map_err(|e| io(&local, "write", e))?;
        f.sync_all().map_err(|e| io(&local, "sync", e))
    }

    fn write_replace(&self, file: &RelPath, bytes: &[u8]) -> Result<()> {
        let local = self.local(file);
        let parent = local
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| self.root.clone());
        fs::create_dir_all(&parent).map_err(|e| io(&parent, "create folder", e))?;
        let tmp = parent.join(format!(".{}.rushes-tmp", file.file_name()));
        {
            let mut f = File::create(&tmp).map_err(|e| io(&tmp, "create", e))?;
            f.write_all(bytes).map_err(|e| io(&tmp, "write", e))?;
            f.sync_all().map_err(|e| io(&tmp, "sync", e))?;
        }
        fs::rename(&tmp, &local).map_err(|e| io(&local, "replace", e))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn lists_writes_once_and_refuses_escaping_links() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("R");
        fs::create_dir_all(root.join("a")).unwrap();
        fs::write(root.join("a/f.txt"), b"abc").unwrap();
        let t = FsTree::new(&root).unwrap();
        assert_eq!(t.root_name(), "R");
        let l = t.list_dir(&RelPath::new("a").unwrap()).unwrap();
        assert_eq!(l[0].name, "f.txt");
        assert_eq!(l[0].size, 3);
        let p = RelPath::new("x/y.bin").unwrap();
        t.write_new(&p, b"1").unwrap();
        assert!(t.write_new(&p, b"2").is_err());
        assert_eq!(fs::read(root.join("x/y.bin")).unwrap(), b"1");
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(dir.path(), root.join("out")).unwrap();
            let err = t.list_dir(&RelPath::root()).unwrap_err();
            assert!(matches!(err, Error::UnsafePath { .. }), "{err}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn opens_links_inside_the_root_and_refuses_escaping_ones() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("R");
        fs::create_dir_all(root.join("a/b")).unwrap();
        fs::write(root.join("a/f.txt"), b"inside").unwrap();
        fs::write(dir.path().join("secret.txt"), b"outside").unwrap();
        std::os::unix::fs::symlink(root.join("a/f.txt"), root.join("link.txt")).unwrap();
        std::os::unix::fs::symlink(root.join("a/b"), root.join("dirlink")).unwrap();
        let t = FsTree::new(&root).unwrap();
        // Listing: folders without a stat, files with size and date, links resolved.
        let mut l = t.list_dir(&RelPath::root()).unwrap();
        l.sort_by(|x, y| x.name.cmp(&y.name));
        let kinds: Vec<(&str, EntryKind, u64)> = l
            .iter()
            .map(|e| (e.name.as_str(), e.kind, e.size))
            .collect();
        assert_eq!(
            kinds,
            [
                ("a", EntryKind::Dir, 0),
                ("dirlink", EntryKind::Dir, 0),
                ("link.txt", EntryKind::File, 6)
            ]
        );
        let f = t.list_dir(&RelPath::new("a").unwrap()).unwrap();
        let file = f.iter().find(|e| e.name == "f.txt").unwrap();
        assert_eq!(file.size, 6);
        assert!(file.modified.is_some());
        // Opening: a plain file, a link inside the root, a missing file, an escaping link.
        let read = |p: &str| -> Result<Vec<u8>> {
            let mut v = Vec::new();
            t.open(&RelPath::new(p).unwrap())?
                .read_to_end(&mut v)
                .unwrap();
            Ok(v)
        };
        assert_eq!(read("a/f.txt").unwrap(), b"inside");
        assert_eq!(read("link.txt").unwrap(), b"inside");
        let missing = read("a/none.txt").unwrap_err();
        assert!(
            matches!(&missing, Error::Io { op: "open", path, .. } if path.ends_with("none.txt")),
            "{missing}"
        );
        std::os::unix::fs::symlink(dir.path().join("secret.txt"), root.join("out.txt")).unwrap();
        let err = read("out.txt").unwrap_err();
        assert!(matches!(err, Error::UnsafePath { .. }), "{err}");
        let err = t
            .read_small(&RelPath::new("out.txt").unwrap(), 100)
            .unwrap_err();
        assert!(matches!(err, Error::UnsafePath { .. }), "{err}");
    }
}
