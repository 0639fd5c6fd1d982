//! Verification of a folder against its history (ascmhl-debug verify) and the hash-free diff.

use std::collections::BTreeMap;

use super::fs::{EntryKind, MhlFs, RelPath};
use super::history::History;
use super::ignore::IgnoreSpec;
use super::walk::{HashJob, Progress, default_workers, hash_all, post_order};
use crate::hash::{DirDigest, HashFormat, MultiDirectoryHasher};
use crate::{Error, Result};

/// What was found about one path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FindingKind {
    /// Recorded in the history, absent on disk.
    Missing,
    /// Content differs from the original hash.
    Altered {
        format: HashFormat,
        expected: String,
        actual: String,
    },
    /// On disk, not recorded in the history.
    New,
    /// A folder's content or structure hash differs from the history.
    DirectoryHashMismatch {
        format: HashFormat,
        generation: u32,
        expected_content: String,
        actual_content: String,
        expected_structure: String,
        actual_structure: String,
    },
    /// A recorded folder hash in a format that was not computed.
    DirectoryHashFormatMissing { format: HashFormat },
    /// A manifest no longer matches the chain.
    ManifestAltered { detail: String },
    /// A manifest listed in the chain is missing.
    ManifestMissing,
    /// `ascmhl/` has no chain file.
    ChainMissing,
    /// No history at all.
    NoHistory,
}

/// One finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    /// The path concerned (relative to the root; `.` for the root).
    pub path: String,
    /// What is wrong.
    pub kind: FindingKind,
}

/// The overall result, with ascmhl's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// 0: everything verified.
    Clean,
    /// 10: files recorded in the history are missing.
    MissingFiles,
    /// 11: file contents differ from the history.
    AlteredFiles,
    /// 12: folder hashes differ from the history (directory-hash verification).
    DirectoryHashMismatch,
    /// 20: no file could be verified at all.
    NothingVerified,
    /// 21: files not recorded in the history were found.
    NewFiles,
    /// 30: no history.
    NoHistory,
    /// 31: a manifest was edited after it was written.
    ManifestAltered,
    /// 32: the chain file is missing.
    ChainMissing,
    /// 33: a manifest listed in the chain is missing.
    ManifestMissing,
}

impl Verdict {
    /// The process exit code ascmhl uses for this verdict.
    pub fn exit_code(self) -> u8 {
        match self {
            Verdict::Clean => 0,
            Verdict::MissingFiles => 10,
            Verdict::AlteredFiles => 11,
            Verdict::DirectoryHashMismatch => 12,
            Verdict::NothingVerified => 20,
            Verdict::NewFiles => 21,
            Verdict::NoHistory => 30,
            Verdict::ManifestAltered => 31,
            Verdict::ChainMissing => 32,
            Verdict::ManifestMissing => 33,
        }
    }
}

/// The verdict (and exit code) for history-loading errors that ascmhl reports with an exit code.
pub fn verdict_for_error(err: &Error) -> Option<Verdict> {
    Some(match err {
        Error::NoHistory { .. } => Verdict::NoHistory,
        Error::MhlManifestAltered { .. } => Verdict::ManifestAltered,
        Error::MhlChainMissing { .. } => Verdict::ChainMissing,
        Error::MhlManifestMissing { .. } => Verdict::ManifestMissing,
        _ => return None,
    })
}

/// A verification report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Problems found.
    pub findings: Vec<Finding>,
    /// Files (or folders) verified OK, with the format used.
    pub ok: Vec<(RelPath, HashFormat)>,
    /// The overall verdict.
    pub verdict: Verdict,
}

impl Report {
    /// The process exit code (ascmhl's).
    pub fn exit_code(&self) -> u8 {
        self.verdict.exit_code()
    }

    fn from_error(err: Error) -> Result<Report> {
        let Some(verdict) = verdict_for_error(&err) else {
            return Err(err);
        };
        let (path, kind) = match err {
            Error::MhlManifestAltered {
                file,
                expected,
                actual,
            } => (
                file,
                FindingKind::ManifestAltered {
                    detail: format!("chain records {expected}, file hashes to {actual}"),
                },
            ),
            Error::MhlChainMissing { file } => (file, FindingKind::ChainMissing),
            Error::MhlManifestMissing { file } => (file, FindingKind::ManifestMissing),
            Error::NoHistory { root } => (root, FindingKind::NoHistory),
            other => return Err(other),
        };
        Ok(Report {
            findings: vec![Finding { path, kind }],
            ok: Vec::new(),
            verdict,
        })
    }
}

/// Options of [`verify`].
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// Extra ignore patterns.
    pub ignore: Vec<String>,
    /// Verify folder (content and structure) hashes instead of files, like `ascmhl-debug verify -dh`.
    pub directory_hashes: bool,
    /// Format for folder hashes (default: the formats of the recorded root hashes, else c4).
    pub hash_format: Option<HashFormat>,
}

/// Records every expected path (path, is a folder) that the ignore spec does not cover as
/// [`FindingKind::Missing`]; returns how many were recorded.
pub(crate) fn report_missing(
    expected: BTreeMap<RelPath, bool>,
    spec: &IgnoreSpec,
    findings: &mut Vec<Finding>,
) -> usize {
    let before = findings.len();
    findings.extend(
        expected
            .into_iter()
            .filter(|(path, is_dir)| !spec.is_ignored(path.as_str(), *is_dir))
            .map(|(path, _)| Finding {
                path: path.to_string(),
                kind: FindingKind::Missing,
            }),
    );
    findings.len() - before
}

/// Loads the history; load errors with an ascmhl exit code become a report.
fn load(fs: &dyn MhlFs) -> Result<std::result::Result<History, Report>> {
    match History::load(fs) {
        Ok(h) if h.is_empty() => Ok(Err(Report::from_error(Error::NoHistory {
            root: fs.root_name(),
        })?)),
        Ok(h) => Ok(Ok(h)),
        Err(e) => Ok(Err(Report::from_error(e)?)),
    }
}

/// Ignore spec for walking: latest patterns (or defaults), nested histories' patterns, extras.
pub(crate) fn walk_spec(history: &History, extra: &[String]) -> IgnoreSpec {
    let mut spec = IgnoreSpec::with_defaults(&history.latest_ignore().unwrap_or_default(), extra);
    for p in history.nested_ignores() {
        spec.push(&p);
    }
    spec
}

/// Hashes every file and compares it with the history (no new generation is written).
pub fn verify(
    fs: &dyn MhlFs,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Report> {
    let history = match load(fs)? {
        Ok(h) => h,
        Err(report) => return Ok(report),
    };
    if options.directory_hashes {
        return verify_directories(fs, &history, options, progress);
    }
    let spec = IgnoreSpec::with_defaults(
        &history.latest_ignore().unwrap_or_default(),
        &options.ignore,
    );
    let folders = post_order(fs, &RelPath::root(), &spec)?;
    let mut expected = history.all_paths();
    let mut p = Progress::for_folders(&folders);
    let (mut findings, mut ok) = (Vec::new(), Vec::new());
    let (mut altered, mut new, mut verified_any) = (0usize, 0usize, false);
    // List first, hash the known files in parallel, then report everything in listing order
    // (`None`: a new file, already in `findings` order below; `Some(i)`: job `i`).
    let mut jobs = Vec::new();
    let mut originals = Vec::new();
    let mut order: Vec<Option<usize>> = Vec::new();
    let mut new_files = Vec::new();
    for folder in &folders {
        for child in &folder.children {
            let path = folder.path.join(&child.name)?;
            expected.remove(&path);
            if child.kind == EntryKind::Dir {
                continue;
            }
            let (h, rel) = history.history_for(&path);
            let Some(original) = h.original_entry(&rel) else {
                new_files.push(path.to_string());
                order.push(None);
                new += 1;
                p.bytes_done += child.size;
                continue;
            };
            order.push(Some(jobs.len()));
            originals.push(original);
            jobs.push(HashJob {
                path,
                listed: child,
                formats: vec![original.format],
            });
        }
    }
    let digests = hash_all(fs, &jobs, default_workers(), &mut p, progress)?;
    let mut new_files = new_files.into_iter();
    for slot in order {
        let Some(i) = slot else {
            if let Some(path) = new_files.next() {
                findings.push(Finding {
                    path,
                    kind: FindingKind::New,
                });
            }
            continue;
        };
        let (Some(job), Some(original), Some(digests)) =
            (jobs.get(i), originals.get(i), digests.get(i))
        else {
            continue;
        };
        let actual = digests.0.get(&original.format).cloned().unwrap_or_default();
        if actual == original.value {
            ok.push((job.path.clone(), original.format));
        } else {
            findings.push(Finding {
                path: job.path.to_string(),
                kind: FindingKind::Altered {
                    format: original.format,
                    expected: original.value.clone(),
                    actual,
                },
            });
            altered += 1;
        }
        verified_any = true;
    }
    let missing = report_missing(expected, &spec, &mut findings);
    let verdict = if altered > 0 {
        Verdict::AlteredFiles
    } else if new > 0 {
        Verdict::NewFiles
    } else if !verified_any {
        Verdict::NothingVerified
    } else if missing > 0 {
        Verdict::MissingFiles
    } else {
        Verdict::Clean
    };
    Ok(Report {
        findings,
        ok,
        verdict,
    })
}

fn verify_directories(
    fs: &dyn MhlFs,
    history: &History,
    options: &VerifyOptions,
    progress: &mut dyn FnMut(&Progress),
) -> Result<Report> {
    let mut formats: Vec<HashFormat> = match options.hash_format {
        Some(f) => vec![f],
        None => {
            let mut v = Vec::new();
            for g in &history.generations {
                for h in &g.manifest.process.root_hash {
                    if !v.contains(&h.format) {
                        v.push(h.format);
                    }
                }
            }
            if v.is_empty() {
                vec![HashFormat::C4]
            } else {
                v
            }
        }
    };
    formats.sort_by_key(|f| f.name());
    let spec = walk_spec(history, &options.ignore);
    let folders = post_order(fs, &RelPath::root(), &spec)?;
    let mut p = Progress::for_folders(&folders);
    let mut computed: BTreeMap<RelPath, BTreeMap<HashFormat, DirDigest>> = BTreeMap::new();
    let (mut findings, mut ok) = (Vec::new(), Vec::new());
    let mut failed_formats: Vec<HashFormat> = Vec::new();
    let compare = |path: &RelPath,
                   recorded: Vec<(u32, &super::model::DirHashValue)>,
                   mine: &BTreeMap<HashFormat, DirDigest>,
                   findings: &mut Vec<Finding>,
                   ok: &mut Vec<(RelPath, HashFormat)>,
                   failed: &mut Vec<HashFormat>,
                   count: bool| {
        for (generation, rec) in recorded {
            match mine.get(&rec.format) {
                Some(d) if d.content == rec.content && d.structure == rec.structure => {
                    ok.push((path.clone(), rec.format));
                }
                Some(d) => {
                    findings.push(Finding {
                        path: path.to_string(),
                        kind: FindingKind::DirectoryHashMismatch {
                            format: rec.format,
                            generation,
                            expected_content: rec.content.clone(),
                            actual_content: d.content.clone(),
                            expected_structure: rec.structure.clone(),
                            actual_structure: d.structure.clone(),
                        },
                    });
                    if count && !failed.contains(&rec.format) {
                        failed.push(rec.format);
                    }
                }
                None => {
                    findings.push(Finding {
                        path: path.to_string(),
                        kind: FindingKind::DirectoryHashFormatMissing { format: rec.format },
                    });
                    if count && !failed.contains(&rec.format) {
                        failed.push(rec.format);
                    }
                }
            }
        }
    };
    let mut jobs = Vec::new();
    for folder in &folders {
        for child in folder.children.iter().filter(|c| c.kind == EntryKind::File) {
            jobs.push(HashJob {
                path: folder.path.join(&child.name)?,
                listed: child,
                formats: formats.clone(),
            });
        }
    }
    let digests = hash_all(fs, &jobs, default_workers(), &mut p, progress)?;
    let mut hashed = digests.iter();
    for folder in &folders {
        let mut ctx = MultiDirectoryHasher::new(&formats);
        for child in &folder.children {
            let path = folder.path.join(&child.name)?;
            if child.kind == EntryKind::Dir {
                let mine = computed.remove(&path).unwrap_or_default();
                for (f, d) in &mine {
                    ctx.add_directory(*f, &child.name, d)?;
                }
                let (h, rel) = history.history_for(&path);
                compare(
                    &path,
                    h.directory_hashes(&rel),
                    &mine,
                    &mut findings,
                    &mut ok,
                    &mut failed_formats,
                    true,
                );
            } else {
                let Some(digests) = hashed.next() else {
                    return Err(Error::InvalidInput {
                        what: path.to_string(),
                        problem: "file was not hashed".into(),
                    });
                };
                for (f, v) in &digests.0 {
                    ctx.add_file(*f, &child.name, v)?;
                }
            }
        }
        let mine = ctx.finish();
        if folder.path.is_root() {
            // ascmhl logs root mismatches but does not count them in the verdict.
            compare(
                &folder.path,
                history.directory_hashes(&RelPath::root()),
                &mine,
                &mut findings,
                &mut ok,
                &mut failed_formats,
                false,
            );
        }
        computed.insert(folder.path.clone(), mine);
    }
    let verdict = if !failed_formats.is_empty() && failed_formats.len() == formats.len() {
        Verdict::DirectoryHashMismatch
    } else {
        Verdict::Clean
    };
    Ok(Report {
        findings,
        ok,
        verdict,
    })
}

/// Compares the folder listing with the history without hashing (ascmhl diff).
pub fn diff(fs: &dyn MhlFs, ignore: &[String]) -> Result<Report> {
    let history = match load(fs)? {
        Ok(h) => h,
        Err(report) => return Ok(report),
    };
    let spec = walk_spec(&history, ignore);
    let folders = post_order(fs, &RelPath::root(), &spec)?;
    let mut expected = history.all_paths();
    let mut findings = Vec::new();
    let mut new = 0usize;
    for folder in &folders {
        for child in &folder.children {
            let path = folder.path.join(&child.name)?;
            expected.remove(&path);
            if child.kind == EntryKind::Dir {
                continue;
            }
            let (h, rel) = history.history_for(&path);
            if h.original_entry(&rel).is_none() {
                findings.push(Finding {
                    path: path.to_string(),
                    kind: FindingKind::New,
                });
                new += 1;
            }
        }
    }
    let missing = report_missing(expected, &spec, &mut findings);
    let verdict = if missing > 0 {
        Verdict::MissingFiles
    } else if new > 0 {
        Verdict::NewFiles
    } else {
        Verdict::Clean
    };
    Ok(Report {
        findings,
        ok: Vec::new(),
        verdict,
    })
}
