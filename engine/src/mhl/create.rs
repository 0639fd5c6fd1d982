//! `create`: verify a folder against its history and append a new generation (ascmhl create).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::fs::{EntryKind, MhlFs, RelPath};
use super::generation::{Appended, GenerationBuilder, append_generation, mhl_date};
use super::history::{ASCMHL_FOLDER, History};
use super::ignore::{DEFAULT_IGNORES, default_ignores};
use super::model::{Action, CreatorInfo, HashValue, MhlDate, Reference};
use super::verify::{Finding, FindingKind, Verdict, report_missing, walk_spec};
use super::walk::{HashJob, Progress, default_workers, hash_all, post_order};
use crate::hash::{Digests, DirDigest, HashFormat};
use crate::{Error, Result};

/// Options of [`create`].
#[derive(Debug, Clone)]
pub struct CreateOptions {
    /// Formats to hash (ascmhl's `-h`).
    pub formats: Vec<HashFormat>,
    /// Extra ignore patterns (ascmhl's `--ignore`).
    pub ignore: Vec<String>,
    /// Creator info written into every new manifest.
    pub creator: CreatorInfo,
    /// Date of the new generation (file names, hash dates).
    pub date: DateTime<Utc>,
    /// Record folder content/structure hashes (ascmhl's default; `create -n` turns them off).
    pub directory_hashes: bool,
    /// Detect renamed files (ascmhl's `--detect_renaming`): a file new to the history whose hash
    /// equals the first hash recorded for a file that is now missing is recorded with that
    /// `previousPath`, and the missing file is no longer reported. Files only, within one history.
    pub detect_renaming: bool,
    /// Record only these files and folders (ascmhl's `--single_file`): they are hashed and
    /// verified, but nothing else is checked for completeness and the manifest lists the files
    /// only, without folder hashes. Empty: the whole tree.
    pub single_files: Vec<RelPath>,
}

/// What every new generation written by [`commit_generations`] shares.
#[derive(Debug, Clone, Copy)]
pub struct CommitOptions<'a> {
    /// Formats of the folder hashes.
    pub formats: &'a [HashFormat],
    /// Creator info (its creation date is set to `date`).
    pub creator: &'a CreatorInfo,
    /// Ignore patterns added to each history's own.
    pub extra_ignores: &'a [String],
    /// Date of the new generations.
    pub date: DateTime<Utc>,
    /// Record folder content/structure hashes.
    pub directory_hashes: bool,
}

/// What [`create`] did.
#[derive(Debug, Clone)]
pub struct CreateOutcome {
    /// Manifests written, children first.
    pub written: Vec<Appended>,
    /// Problems: altered files (recorded as `failed`), missing files, missing nested histories.
    pub findings: Vec<Finding>,
    /// Files recorded with their action in the first format.
    pub files: Vec<(RelPath, Action)>,
    /// ascmhl's verdict for create (0, 10, 11 or 30).
    pub verdict: Verdict,
}

/// What to record for one file, and the formats whose hash differs from the history.
pub(super) struct Seal {
    pub(super) recorded: Vec<HashValue>,
    pub(super) for_dirs: Digests,
    pub(super) failures: Vec<(HashFormat, String, String)>,
}

/// The formats to compute for one file: those already recorded that were asked for (else the
/// first recorded one, to verify the file), then the new ones asked for.
pub(super) fn formats_to_generate(
    history: &History,
    path: &RelPath,
    formats: &[HashFormat],
) -> Vec<HashFormat> {
    let (h, rel) = history.history_for(path);
    let existing = h.existing_formats(&rel);
    let mut to_generate: Vec<HashFormat> = existing
        .iter()
        .copied()
        .filter(|f| formats.contains(f))
        .collect();
    if to_generate.is_empty() {
        if let Some(first) = existing.first() {
            to_generate.push(*first);
        }
    }
    for f in formats {
        if !to_generate.contains(f) {
            to_generate.push(*f);
        }
    }
    to_generate
}

/// Compares one file's digests with its history and decides what to record.
pub(super) fn seal(
    history: &History,
    path: &RelPath,
    to_generate: &[HashFormat],
    digests: &Digests,
    formats: &[HashFormat],
    date: MhlDate,
) -> Seal {
    let (h, rel) = history.history_for(path);
    let existing = h.existing_formats(&rel);
    let has_original = h.original_entry(&rel).is_some();
    let value = |f: &HashFormat| digests.0.get(f).cloned().unwrap_or_default();
    let mut out = Seal {
        recorded: Vec::new(),
        for_dirs: Digests(BTreeMap::new()),
        failures: Vec::new(),
    };
    let mut existing_ok = true;
    for f in existing.iter().filter(|f| to_generate.contains(f)) {
        let v = value(f);
        let action = if !has_original {
            Action::Original
        } else {
            match h.first_entry_for_format(&rel, *f) {
                Some(e) if e.value == v => Action::Verified,
                Some(e) => {
                    out.failures.push((*f, e.value.clone(), v.clone()));
                    Action::Failed
                }
                None => Action::Verified,
            }
        };
        if action == Action::Failed {
            existing_ok = false;
        }
        out.recorded.push(HashValue {
            format: *f,
            value: v.clone(),
            action: Some(action),
            hash_date: Some(date),
        });
        if formats.contains(f) {
            out.for_dirs.0.insert(*f, v);
        }
    }
    for f in to_generate.iter().filter(|f| !existing.contains(f)) {
        let v = value(f);
        if existing_ok {
            // A format new to this file: `original` for new files, else verified through the others.
            let action = if has_original {
                Action::Verified
            } else {
                Action::Original
            };
            out.recorded.push(HashValue {
                format: *f,
                value: v.clone(),
                action: Some(action),
                hash_date: Some(date),
            });
        }
        out.for_dirs.0.insert(*f, v);
    }
    out
}

fn ignore_for(history: &History, is_top: bool, extra: &[String]) -> Vec<String> {
    let mut out = history
        .latest_ignore()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(default_ignores);
    for p in extra {
        if out.contains(p) || DEFAULT_IGNORES.contains(&p.as_str()) {
            continue;
        }
        if is_top || !p.contains('/') {
            out.push(p.clone());
        }
    }
    out
}

/// Hashes every file, verifies it against the history, and writes a new generation into every
/// history touched (nested histories first, referenced from their parents).
///
/// Files are hashed on [`default_workers`] threads; the result is the same as hashing them one
/// after the other (see [`create_with_workers`]).
pub fn create(
    fs: &dyn MhlFs,
    options: &CreateOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<CreateOutcome> {
    create_with_workers(fs, options, default_workers(), progress)
}

/// [`create`] hashing files on `workers` threads (1: on the calling thread). Manifests are
/// byte-identical whatever the number of workers; when files cannot be hashed, the error of the
/// first one in listing order is returned and nothing is written.
pub fn create_with_workers(
    fs: &dyn MhlFs,
    options: &CreateOptions,
    workers: usize,
    progress: &mut dyn FnMut(&Progress),
) -> Result<CreateOutcome> {
    let mut formats = options.formats.clone();
    formats.sort_by_key(|f| f.name());
    formats.dedup();
    if formats.is_empty() {
        return Err(Error::InvalidInput {
            what: "create".into(),
            problem: "no hash format given".into(),
        });
    }
    let history = History::load(fs)?;
    if !options.single_files.is_empty() {
        return super::single_files::create_single_files(
            fs, &history, options, &formats, workers, progress,
        );
    }
    let date = mhl_date(options.date);
    let spec = walk_spec(&history, &options.ignore);
    let folders = post_order(fs, &RelPath::root(), &spec)?;
    let mut expected = history.all_paths();
    let known = expected.clone();
    let mut new_files = Vec::new();
    let mut builders: BTreeMap<RelPath, GenerationBuilder> = BTreeMap::new();
    let mut root_mtimes: BTreeMap<RelPath, Option<MhlDate>> = BTreeMap::new();
    let mut findings = Vec::new();
    let mut files = Vec::new();
    let mut p = Progress::for_folders(&folders);
    let mut failed = 0usize;
    let mut jobs = Vec::new();
    for folder in &folders {
        for child in folder.children.iter().filter(|c| c.kind == EntryKind::File) {
            let path = folder.path.join(&child.name)?;
            let wanted = formats_to_generate(&history, &path, &formats);
            jobs.push(HashJob {
                path,
                listed: child,
                formats: wanted,
            });
        }
    }
    let digests = hash_all(fs, &jobs, workers, &mut p, progress)?;
    let mut hashed = jobs.iter().zip(&digests);
    for folder in &folders {
        for child in &folder.children {
            if child.kind == EntryKind::Dir {
                expected.remove(&folder.path.join(&child.name)?);
                continue;
            }
            let Some((job, digests)) = hashed.next() else {
                return Err(Error::InvalidInput {
                    what: folder.path.join(&child.name)?.to_string(),
                    problem: "file was not hashed".into(),
                });
            };
            let path = job.path.clone();
            expected.remove(&path);
            if !known.contains_key(&path) {
                new_files.push((job, digests));
            }
            let sealed = seal(&history, &path, &job.formats, digests, &formats, date);
            for (format, expected, actual) in &sealed.failures {
                failed += 1;
                findings.push(Finding {
                    path: path.to_string(),
                    kind: FindingKind::Altered {
                        format: *format,
                        expected: expected.clone(),
                        actual: actual.clone(),
                    },
                });
            }
            let (h, rel) = history.history_for(&path);
            if let Some(first) = sealed.recorded.first() {
                files.push((path.clone(), first.action.unwrap_or(Action::Original)));
            }
            builders
                .entry(h.root.clone())
                .or_insert_with(|| GenerationBuilder::new(&formats))
                .add_file_values(
                    rel,
                    child.size,
                    child.modified.map(mhl_date),
                    sealed.recorded,
                    sealed.for_dirs,
                )?;
        }
        let modified = fs
            .stat(&folder.path)?
            .and_then(|s| s.modified)
            .map(mhl_date);
        let (h, rel) = history.history_for(&folder.path);
        let builder = builders
            .entry(h.root.clone())
            .or_insert_with(|| GenerationBuilder::new(&formats));
        if rel.is_root() {
            root_mtimes.insert(h.root.clone(), modified);
        } else {
            builder.add_directory(rel, modified.map(|d| d.with_timezone(&Utc)));
        }
    }
    if options.detect_renaming {
        for (new_path, old_path) in
            super::rename::detect_renames(fs, &history, &expected, &new_files, workers)?
        {
            let (h, rel_new) = history.history_for(&new_path);
            let (_, rel_old) = history.history_for(&old_path);
            if let Some(builder) = builders.get_mut(&h.root) {
                if builder.set_previous_path(&rel_new, rel_old) {
                    expected.remove(&old_path);
                }
            }
        }
    }
    let written = commit_generations(
        fs,
        &history,
        builders,
        &root_mtimes,
        &CommitOptions {
            formats: &formats,
            creator: &options.creator,
            extra_ignores: &options.ignore,
            date: options.date,
            directory_hashes: options.directory_hashes,
        },
    )?;
    let missing = report_missing(expected, &spec, &mut findings);
    let mut missing_histories = 0usize;
    if let Some(latest) = history.generations.last() {
        for r in &latest.manifest.references {
            let Some(child) = r.path.parent().and_then(|a| a.parent()) else {
                continue;
            };
            let marker = child.join(ASCMHL_FOLDER)?;
            if fs.stat(&marker)?.is_none() && !spec.is_ignored(child.as_str(), true) {
                findings.push(Finding {
                    path: child.to_string(),
                    kind: FindingKind::NoHistory,
                });
                missing_histories += 1;
            }
        }
    }
    let verdict = if failed > 0 {
        Verdict::AlteredFiles
    } else if missing > 0 {
        Verdict::MissingFiles
    } else if missing_histories > 0 {
        Verdict::NoHistory
    } else {
        Verdict::Clean
    };
    Ok(CreateOutcome {
        written,
        findings,
        files,
        verdict,
    })
}

/// Writes one new generation into every history of `history` that has a builder (keyed by the
/// history's root) or a nested history that got one, bottom-up: each parent seals its nested
/// histories' root folders with their new content/structure hashes and references their new
/// manifests by C4, as ascmhl does. `root_mtimes` gives the modification time of nested roots.
/// Returns the manifests written, children first (the root history's last).
pub fn commit_generations(
    fs: &dyn MhlFs,
    history: &History,
    mut builders: BTreeMap<RelPath, GenerationBuilder>,
    root_mtimes: &BTreeMap<RelPath, Option<MhlDate>>,
    options: &CommitOptions<'_>,
) -> Result<Vec<Appended>> {
    let date = options.date;
    let mut written = Vec::new();
    let mut sealed_roots: BTreeMap<RelPath, (BTreeMap<HashFormat, DirDigest>, Appended)> =
        BTreeMap::new();
    for h in history.post_order() {
        let kids: Vec<&History> = h
            .children
            .iter()
            .filter(|c| sealed_roots.contains_key(&c.root))
            .collect();
        let Some(builder) = builders
            .remove(&h.root)
            .or_else(|| (!kids.is_empty()).then(|| GenerationBuilder::new(options.formats)))
        else {
            continue;
        };
        let mut builder = builder.with_directory_hashes(options.directory_hashes);
        let mut references = Vec::new();
        for c in &kids {
            let Some((digests, appended)) = sealed_roots.get(&c.root) else {
                continue;
            };
            let rel = c
                .root
                .strip_prefix(&h.root)
                .unwrap_or_else(|| c.root.clone());
            builder.add_sealed_directory(
                rel.clone(),
                root_mtimes.get(&c.root).copied().flatten(),
                digests.clone(),
            );
            let rel_manifest = appended
                .path
                .strip_prefix(&h.root)
                .unwrap_or_else(|| appended.path.clone());
            references.push(Reference {
                path: rel_manifest,
                c4: appended.c4.clone(),
            });
        }
        let mut creator = options.creator.clone();
        creator.creation_date = mhl_date(date);
        let (mut manifest, root) = builder.build(
            creator,
            "in-place",
            ignore_for(h, h.root.is_root(), options.extra_ignores),
            date,
        )?;
        manifest.references = references;
        let appended = append_generation(fs, h, &manifest, date)?;
        written.push(appended.clone());
        sealed_roots.insert(h.root.clone(), (root, appended));
    }
    Ok(written)
}
