//! Post-order traversal of a folder tree (ascmhl's order) and hashing of one file with change checks.

use std::io::Read;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

use super::fs::{DirEntry, EntryKind, MhlFs, RelPath};
use super::ignore::IgnoreSpec;
use crate::hash::{Digests, HashFormat, MultiHasher, ReadBuffer};
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

/// [`post_order`] of the folder `dir` below `top`; ignore patterns apply to paths relative to
/// `top` (the history root), as when the whole tree is walked.
pub fn post_order_below(
    fs: &dyn MhlFs,
    top: &RelPath,
    dir: &RelPath,
    ignore: &IgnoreSpec,
) -> Result<Vec<Folder>> {
    let mut out = Vec::new();
    visit(fs, top, dir, ignore, 0, &mut out)?;
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

/// One file to hash: its path, its listing entry and the formats wanted.
#[derive(Debug, Clone)]
pub(crate) struct HashJob<'a> {
    /// The file.
    pub path: RelPath,
    /// Its entry in the folder listing (size and modification time to check against).
    pub listed: &'a DirEntry,
    /// Formats to compute.
    pub formats: Vec<HashFormat>,
}

/// Upper bound of hashing threads, whatever the machine reports.
const MAX_WORKERS: usize = 16;

/// Number of hashing threads [`hash_all`] uses by default: the parallelism the OS allows us
/// (at most 16), 1 when unknown.
pub fn default_workers() -> usize {
    std::thread::available_parallelism()
        .map(std::num::NonZeroUsize::get)
        .unwrap_or(1)
        .clamp(1, MAX_WORKERS)
}

/// What a hashing thread tells the coordinating thread.
enum Event {
    Started(usize),
    Bytes(u64),
    Done(usize, Result<Digests>),
}

/// Hashes every job on up to `workers` threads (each with one reused read buffer) and returns
/// the digests in job order. When files fail, the error of the first failing job in job order is
/// returned, whatever order the threads finished in. `progress` is called on this thread only;
/// `p.bytes_done` and `p.current` are updated as files start and bytes are read.
pub(crate) fn hash_all(
    fs: &dyn MhlFs,
    jobs: &[HashJob<'_>],
    workers: usize,
    p: &mut Progress,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Vec<Digests>> {
    let workers = workers.clamp(1, MAX_WORKERS).min(jobs.len());
    if workers <= 1 {
        let mut buf = ReadBuffer::new(CHUNK);
        let mut out = Vec::with_capacity(jobs.len());
        for job in jobs {
            p.current = Some(job.path.clone());
            progress(p);
            let mut done = p.bytes_done;
            let digests = hash_file_with(fs, job, buf.as_mut_slice(), &mut |n| done += n)?;
            p.bytes_done = done;
            progress(p);
            out.push(digests);
        }
        return Ok(out);
    }
    let next = AtomicUsize::new(0);
    // Jobs after the first failed one need not be hashed: their result can no longer matter.
    let first_failed = AtomicUsize::new(usize::MAX);
    let mut results: Vec<Option<Result<Digests>>> = Vec::new();
    results.resize_with(jobs.len(), || None);
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::channel::<Event>();
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, first_failed) = (&next, &first_failed);
            scope.spawn(move || {
                let mut buf = ReadBuffer::new(CHUNK);
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= jobs.len() || i > first_failed.load(Ordering::Relaxed) {
                        break;
                    }
                    let _ = tx.send(Event::Started(i));
                    let r = hash_file_with(fs, &jobs[i], buf.as_mut_slice(), &mut |n| {
                        let _ = tx.send(Event::Bytes(n));
                    });
                    if r.is_err() {
                        first_failed.fetch_min(i, Ordering::Relaxed);
                    }
                    let _ = tx.send(Event::Done(i, r));
                }
            });
        }
        drop(tx);
        // Ends when every worker has finished and dropped its sender.
        for event in rx {
            match event {
                Event::Started(i) => {
                    p.current = Some(jobs[i].path.clone());
                    progress(p);
                }
                Event::Bytes(n) => p.bytes_done += n,
                Event::Done(i, r) => {
                    results[i] = Some(r);
                    progress(p);
                }
            }
        }
    });
    let mut out = Vec::with_capacity(jobs.len());
    for (job, r) in jobs.iter().zip(results) {
        match r {
            Some(r) => out.push(r?),
            None => {
                // Only jobs after a failed one are skipped, so this is unreachable in practice.
                return Err(Error::InvalidInput {
                    what: job.path.to_string(),
                    problem: "file was not hashed".into(),
                });
            }
        }
    }
    Ok(out)
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
    let size = usize::try_from(listed.size).unwrap_or(CHUNK);
    let mut buf = ReadBuffer::new(size.saturating_add(1).min(CHUNK));
    let job = HashJob {
        path: path.clone(),
        listed,
        formats: formats.to_vec(),
    };
    hash_file_with(fs, &job, buf.as_mut_slice(), progress)
}

/// [`hash_file`] reading through the caller's buffer (any non-empty size).
fn hash_file_with(
    fs: &dyn MhlFs,
    job: &HashJob<'_>,
    buf: &mut [u8],
    progress: &mut dyn FnMut(u64),
) -> Result<Digests> {
    let (path, listed) = (&job.path, job.listed);
    let mut reader = fs.open(path)?;
    let mut hasher = MultiHasher::new(&job.formats);
    let mut total: u64 = 0;
    loop {
        let n = match reader.read(buf) {
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
