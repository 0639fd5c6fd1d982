//! Rename detection for `create` (ascmhl's `--detect_renaming`): new files matched to missing ones by hash.

use std::collections::BTreeMap;

use super::fs::{MhlFs, RelPath};
use super::history::History;
use super::walk::{HashJob, Progress, hash_all};
use crate::Result;
use crate::hash::{Digests, HashFormat};

/// Pairs files new to the history with missing files of the same history whose first recorded
/// hash they match (hashing a new file again when that format was not computed), as ascmhl's
/// `--detect_renaming` does. New files in path order; each takes the first missing file (in path
/// order) it matches; a missing file may be claimed by several identical copies.
pub(super) fn detect_renames(
    fs: &dyn MhlFs,
    history: &History,
    missing: &BTreeMap<RelPath, bool>,
    new_files: &[(&HashJob<'_>, &Digests)],
    workers: usize,
) -> Result<Vec<(RelPath, RelPath)>> {
    // Each missing file with the history it belongs to and its first recorded hash.
    let mut wanted = Vec::new();
    for (path, is_dir) in missing {
        if *is_dir {
            continue;
        }
        let (h, rel) = history.history_for(path);
        let first = h.generations.iter().find_map(|g| match g.entry(&rel) {
            Some(super::model::Entry::File(f)) => f.hashes.first(),
            _ => None,
        });
        if let Some(first) = first {
            wanted.push((path, h.root.clone(), first.format, first.value.clone()));
        }
    }
    if wanted.is_empty() || new_files.is_empty() {
        return Ok(Vec::new());
    }
    let mut new_sorted: Vec<&(&HashJob<'_>, &Digests)> = new_files.iter().collect();
    new_sorted.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    // Formats a new file still needs to be compared with a missing file of its history.
    let mut extra_jobs = Vec::new();
    for (job, digests) in &new_sorted {
        let root = history.history_for(&job.path).0.root.clone();
        let mut formats: Vec<HashFormat> = wanted
            .iter()
            .filter(|w| w.1 == root && !digests.0.contains_key(&w.2))
            .map(|w| w.2)
            .collect();
        formats.sort_by_key(|f| f.name());
        formats.dedup();
        if !formats.is_empty() {
            extra_jobs.push(HashJob {
                path: job.path.clone(),
                listed: job.listed,
                formats,
            });
        }
    }
    let mut p = Progress::default();
    let extra = hash_all(fs, &extra_jobs, workers, &mut p, &mut |_| {})?;
    let extra: BTreeMap<&RelPath, &Digests> = extra_jobs
        .iter()
        .map(|j| &j.path)
        .zip(extra.iter())
        .collect();
    let mut out = Vec::new();
    for (job, digests) in new_sorted {
        let root = history.history_for(&job.path).0.root.clone();
        let value = |f: &HashFormat| {
            digests
                .0
                .get(f)
                .or_else(|| extra.get(&job.path).and_then(|d| d.0.get(f)))
        };
        let found = wanted
            .iter()
            .find(|w| w.1 == root && value(&w.2) == Some(&w.3));
        if let Some(w) = found {
            out.push((job.path.clone(), w.0.clone()));
        }
    }
    Ok(out)
}
