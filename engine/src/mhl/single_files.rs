//! `create` restricted to named files and folders (ascmhl's `--single_file`).

use std::collections::BTreeMap;

use super::create::{
    CommitOptions, CreateOptions, CreateOutcome, commit_generations, formats_to_generate, seal,
};
use super::fs::{EntryKind, MhlFs, RelPath};
use super::generation::{GenerationBuilder, mhl_date};
use super::history::History;
use super::model::Action;
use super::verify::{Finding, FindingKind, Verdict, walk_spec};
use super::walk::{Folder, HashJob, Progress, hash_all, post_order_below};
use crate::hash::HashFormat;
use crate::{Error, Result};

/// `create` for [`CreateOptions::single_files`]: hashes and verifies the given files (folders:
/// every file below them, ignore patterns applied) and records them in a files-only generation
/// of the history each belongs to.
pub(super) fn create_single_files(
    fs: &dyn MhlFs,
    history: &History,
    options: &CreateOptions,
    formats: &[HashFormat],
    workers: usize,
    progress: &mut dyn FnMut(&Progress),
) -> Result<CreateOutcome> {
    let date = mhl_date(options.date);
    let spec = walk_spec(history, &options.ignore);
    // Listing entries must outlive the hash jobs borrowing them.
    let mut listed: Vec<(RelPath, super::fs::DirEntry)> = Vec::new();
    for path in &options.single_files {
        let Some(entry) = fs.stat(path)? else {
            return Err(Error::InvalidInput {
                what: path.to_string(),
                problem: "no such file or folder to record".into(),
            });
        };
        if entry.kind == EntryKind::Dir {
            let folders: Vec<Folder> = post_order_below(fs, &RelPath::root(), path, &spec)?;
            for folder in folders {
                for child in folder.children {
                    if child.kind == EntryKind::File {
                        listed.push((folder.path.join(&child.name)?, child));
                    }
                }
            }
        } else {
            listed.push((path.clone(), entry));
        }
    }
    let mut seen = std::collections::BTreeSet::new();
    listed.retain(|(p, _)| seen.insert(p.clone()));
    let jobs: Vec<HashJob<'_>> = listed
        .iter()
        .map(|(path, entry)| HashJob {
            path: path.clone(),
            listed: entry,
            formats: formats_to_generate(history, path, formats),
        })
        .collect();
    let mut p = Progress {
        bytes_total: listed.iter().map(|(_, e)| e.size).sum(),
        ..Progress::default()
    };
    let digests = hash_all(fs, &jobs, workers, &mut p, progress)?;
    let mut builders: BTreeMap<RelPath, GenerationBuilder> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut files = Vec::new();
    for (job, digests) in jobs.iter().zip(&digests) {
        let sealed = seal(history, &job.path, &job.formats, digests, formats, date);
        for (format, expected, actual) in &sealed.failures {
            findings.push(Finding {
                path: job.path.to_string(),
                kind: FindingKind::Altered {
                    format: *format,
                    expected: expected.clone(),
                    actual: actual.clone(),
                },
            });
        }
        if let Some(first) = sealed.recorded.first() {
            files.push((job.path.clone(), first.action.unwrap_or(Action::Original)));
        }
        let (h, rel) = history.history_for(&job.path);
        builders
            .entry(h.root.clone())
            .or_insert_with(|| GenerationBuilder::new(formats).files_only(true))
            .add_file_values(
                rel,
                job.listed.size,
                job.listed.modified.map(mhl_date),
                sealed.recorded,
                sealed.for_dirs,
            )?;
    }
    let written = commit_generations(
        fs,
        history,
        builders,
        &BTreeMap::new(),
        &CommitOptions {
            formats,
            creator: &options.creator,
            extra_ignores: &options.ignore,
            date: options.date,
            directory_hashes: false,
        },
    )?;
    let verdict = if findings.is_empty() {
        Verdict::Clean
    } else {
        Verdict::AlteredFiles
    };
    Ok(CreateOutcome {
        written,
        findings,
        files,
        verdict,
    })
}
