//! `rushes mhl`: ASC MHL v2.0 create, verify, info, diff and flatten with ascmhl's exit codes.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use rushes_engine::hash::HashFormat;
use rushes_engine::mhl::{
    self, CreateOptions, CreatorInfo, FindingKind, History, MhlFs, Progress, Report, Tool, Verdict,
    VerifyOptions,
};

use crate::fs_tree::FsTree;

const EXIT_CODES: &str = "Exit codes (as ascmhl 1.2): 0 clean, 10 missing files, 11 altered files, \
12 directory hash mismatch, 20 nothing could be verified, 21 new files, 30 no history, \
31 manifest edited, 32 chain file missing, 33 manifest missing, 2 other errors.";

/// Arguments of `rushes mhl`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    command: MhlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum MhlCommand {
    /// Hash every file, verify it against the history and append a new generation.
    #[command(
        disable_help_flag = true,
        after_help = "Exit codes: 0 clean, 10 missing files, 11 altered files (recorded as failed), \
30 a referenced nested history is missing; 31/32/33 for a damaged history."
    )]
    Create {
        /// Print help (`-h` is the hash format, as in ascmhl).
        #[arg(long, action = clap::ArgAction::Help)]
        help: Option<bool>,
        /// The root folder of the history.
        root: PathBuf,
        /// Hash format (repeatable): md5, sha1, xxh64, xxh3, xxh128, c4. Default xxh128.
        #[arg(short = 'h', long = "hash_format", alias = "hash-format")]
        hash_format: Vec<HashFormat>,
        /// A file pattern to ignore (repeatable, gitignore style).
        #[arg(short = 'i', long = "ignore")]
        ignore: Vec<String>,
        /// A file of patterns to ignore, one per line (ascmhl's -ii).
        #[arg(long = "ignore_spec", alias = "ignore-spec")]
        ignore_spec: Option<PathBuf>,
        /// List folders without content/structure hashes (ascmhl's -n).
        #[arg(
            short = 'n',
            long = "no_directory_hashes",
            alias = "no-directory-hashes"
        )]
        no_directory_hashes: bool,
        /// Record a file new to the history whose hash equals a missing file's as that file
        /// renamed (`previousPath`), instead of reporting the old name missing (ascmhl's -dr).
        #[arg(long = "detect_renaming", alias = "detect-renaming")]
        detect_renaming: bool,
        /// Record only this file or folder (repeatable; relative to the current folder or
        /// absolute, inside ROOT): no completeness check, no folder hashes (ascmhl's -sf).
        #[arg(long = "single_file", alias = "single-file")]
        single_file: Vec<PathBuf>,
        /// Author name for <creatorinfo>.
        #[arg(long = "author_name")]
        author_name: Option<String>,
        /// Author email for <creatorinfo>.
        #[arg(long = "author_email")]
        author_email: Option<String>,
        /// Author phone for <creatorinfo>.
        #[arg(long = "author_phone")]
        author_phone: Option<String>,
        /// Author role for <creatorinfo>.
        #[arg(long = "author_role")]
        author_role: Option<String>,
        /// Location for <creatorinfo>.
        #[arg(long)]
        location: Option<String>,
        /// Comment for <creatorinfo>.
        #[arg(long)]
        comment: Option<String>,
        /// Print every file.
        #[arg(short = 'l', long = "list")]
        list: bool,
    },
    /// Hash every file and compare with the history (no new generation).
    #[command(disable_help_flag = true, after_help = EXIT_CODES)]
    Verify {
        /// Print help (`-h` is the hash format, as in ascmhl).
        #[arg(long, action = clap::ArgAction::Help)]
        help: Option<bool>,
        /// The root folder of the history.
        root: PathBuf,
        /// Verify folder content/structure hashes instead of files (ascmhl-debug verify -dh).
        #[arg(long = "directory_hash", alias = "directory-hash", short_alias = 'd')]
        directory_hash: bool,
        /// Format for folder hashes (with --directory_hash).
        #[arg(short = 'h', long = "hash_format")]
        hash_format: Option<HashFormat>,
        /// A file pattern to ignore (repeatable).
        #[arg(short = 'i', long = "ignore")]
        ignore: Vec<String>,
        /// A file of patterns to ignore, one per line (ascmhl's -ii).
        #[arg(long = "ignore_spec", alias = "ignore-spec")]
        ignore_spec: Option<PathBuf>,
        /// Print every verified file.
        #[arg(short = 'l', long = "list")]
        list: bool,
    },
    /// Print the generations of a history (and nested ones).
    Info {
        /// The root folder of the history.
        root: PathBuf,
        /// Print every hash.
        #[arg(short = 'l', long = "list")]
        list: bool,
    },
    /// Compare the listing with the history without hashing (exit 10 missing, 21 new).
    Diff {
        /// The root folder of the history.
        root: PathBuf,
        /// A file pattern to ignore (repeatable).
        #[arg(short = 'i', long = "ignore")]
        ignore: Vec<String>,
        /// A file of patterns to ignore, one per line (ascmhl's -ii).
        #[arg(long = "ignore_spec", alias = "ignore-spec")]
        ignore_spec: Option<PathBuf>,
    },
    /// Write one manifest listing every file and hash the history knows, into <out>.
    Flatten {
        /// The root folder of the history.
        root: PathBuf,
        /// Destination folder for the flattened manifest.
        out: PathBuf,
    },
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .or_else(|| std::env::var("HOSTNAME").ok())
        .unwrap_or_else(|| "localhost".into())
}

fn creator() -> CreatorInfo {
    CreatorInfo {
        creation_date: Utc::now().fixed_offset(),
        hostname: hostname(),
        tool: Tool {
            name: "rushes".into(),
            version: env!("CARGO_PKG_VERSION").into(),
        },
        authors: Vec::new(),
        location: None,
        comment: None,
    }
}

fn bar() -> ProgressBar {
    let pb = ProgressBar::with_draw_target(None, indicatif::ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {bytes}/{total_bytes} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    pb
}

fn on_progress(pb: &ProgressBar) -> impl FnMut(&Progress) + '_ {
    |p: &Progress| {
        pb.set_length(p.bytes_total);
        pb.set_position(p.bytes_done);
        if let Some(c) = &p.current {
            pb.set_message(c.to_string());
        }
    }
}

/// Largest ignore-spec file read (a pattern list, not media).
const MAX_IGNORE_SPEC: u64 = 1 << 20;

/// `patterns` plus those of an ignore-spec file: one pattern per line, blank lines skipped.
fn with_ignore_spec(mut patterns: Vec<String>, spec: Option<&Path>) -> anyhow::Result<Vec<String>> {
    let Some(spec) = spec else {
        return Ok(patterns);
    };
    let size = std::fs::metadata(spec)
        .with_context(|| format!("{}: cannot read the ignore spec", spec.display()))?
        .len();
    if size > MAX_IGNORE_SPEC {
        anyhow::bail!(
            "{}: ignore spec is {size} bytes, more than the {MAX_IGNORE_SPEC} allowed",
            spec.display()
        );
    }
    let text = std::fs::read_to_string(spec).with_context(|| {
        format!(
            "{}: cannot read the ignore spec as UTF-8 text",
            spec.display()
        )
    })?;
    patterns.extend(
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string),
    );
    Ok(patterns)
}

/// Rewrites ascmhl's two-letter short options (`-ii`, `-dh`, `-dr`, `-sf`), which a standard
/// command-line parser reads as clusters of one-letter flags, into their long forms.
pub fn ascmhl_style_args(
    args: impl IntoIterator<Item = std::ffi::OsString>,
) -> Vec<std::ffi::OsString> {
    let mut in_mhl = false;
    args.into_iter()
        .map(|arg| {
            if arg == "mhl" {
                in_mhl = true;
            }
            if !in_mhl {
                return arg;
            }
            match arg.to_str() {
                Some("-ii") => "--ignore_spec".into(),
                Some("-dh") => "--directory_hash".into(),
                Some("-dr") => "--detect_renaming".into(),
                Some("-sf") => "--single_file".into(),
                _ => arg,
            }
        })
        .collect()
}

fn code(c: u8) -> ExitCode {
    ExitCode::from(c)
}

/// Maps an engine error to ascmhl's exit code when it has one, else propagates it.
fn engine_result<T>(r: rushes_engine::Result<T>) -> anyhow::Result<Result<T, ExitCode>> {
    match r {
        Ok(v) => Ok(Ok(v)),
        Err(e) => match mhl::verdict_for_error(&e) {
            Some(v) => {
                eprintln!("rushes mhl: {e}");
                Ok(Err(code(v.exit_code())))
            }
            None => Err(e.into()),
        },
    }
}

fn print_findings(report: &Report, verbose: bool) {
    for f in &report.findings {
        let line = match &f.kind {
            FindingKind::Missing => format!("missing: {}", f.path),
            FindingKind::New => format!("new file: {}", f.path),
            FindingKind::Altered {
                format,
                expected,
                actual,
            } => {
                format!(
                    "ERROR: hash mismatch for {} {format} (old): {expected}, (new): {actual}",
                    f.path
                )
            }
            FindingKind::DirectoryHashMismatch {
                format,
                generation,
                expected_content,
                actual_content,
                expected_structure,
                actual_structure,
            } => format!(
                "ERROR: directory hash mismatch for {} {format} (generation {generation:04}): content {expected_content} -> {actual_content}, structure {expected_structure} -> {actual_structure}",
                f.path
            ),
            FindingKind::DirectoryHashFormatMissing { format } => {
                format!("ERROR: no {format} directory hash computed for {}", f.path)
            }
            FindingKind::ManifestAltered { detail } => {
                format!("ERROR: manifest {} was modified: {detail}", f.path)
            }
            FindingKind::ManifestMissing => format!("ERROR: manifest {} is missing", f.path),
            FindingKind::ChainMissing => format!("ERROR: chain file {} is missing", f.path),
            FindingKind::NoHistory => format!("ERROR: no ASC MHL history at {}", f.path),
        };
        eprintln!("{line}");
    }
    if verbose {
        for (p, f) in &report.ok {
            println!("verified ({f}): {p}");
        }
    }
}

fn open(root: &Path) -> anyhow::Result<FsTree> {
    FsTree::new(root).with_context(|| format!("cannot open {}", root.display()))
}

/// `path` (relative to the current folder, or absolute) as a path inside the history root.
fn path_inside(root: &Path, path: &Path) -> anyhow::Result<mhl::RelPath> {
    let root_abs = std::fs::canonicalize(root)
        .with_context(|| format!("cannot open the history root {}", root.display()))?;
    let abs = std::fs::canonicalize(path)
        .with_context(|| format!("--single_file {}: no such file or folder", path.display()))?;
    let rel = abs.strip_prefix(&root_abs).map_err(|_| {
        anyhow::anyhow!(
            "--single_file {}: not inside the history root {}",
            path.display(),
            root.display()
        )
    })?;
    let text = rel.to_str().ok_or_else(|| {
        anyhow::anyhow!("--single_file {}: the path is not UTF-8", path.display())
    })?;
    if text.is_empty() {
        return Ok(mhl::RelPath::root());
    }
    mhl::RelPath::new(text).with_context(|| format!("--single_file {}", path.display()))
}

/// The non-empty history at `root`, or ascmhl's exit code when there is none or it is damaged.
fn load_history(root: &Path) -> anyhow::Result<Result<History, ExitCode>> {
    let fs = open(root)?;
    let history = match engine_result(History::load(&fs))? {
        Ok(h) => h,
        Err(code) => return Ok(Err(code)),
    };
    if history.is_empty() {
        eprintln!("rushes mhl: no ASC MHL history at {}", root.display());
        return Ok(Err(code(Verdict::NoHistory.exit_code())));
    }
    Ok(Ok(history))
}

/// Runs the command and returns ascmhl's exit code.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        MhlCommand::Create {
            root,
            help: _,
            hash_format,
            ignore,
            ignore_spec,
            no_directory_hashes,
            detect_renaming,
            single_file,
            author_name,
            author_email,
            author_phone,
            author_role,
            location,
            comment,
            list: verbose,
        } => {
            let fs = open(&root)?;
            let ignore = with_ignore_spec(ignore, ignore_spec.as_deref())?;
            let single_files = single_file
                .iter()
                .map(|p| path_inside(&root, p))
                .collect::<anyhow::Result<Vec<_>>>()?;
            let formats = if hash_format.is_empty() {
                vec![HashFormat::Xxh128]
            } else {
                hash_format
            };
            let mut c = creator();
            if author_name.is_some()
                || author_email.is_some()
                || author_phone.is_some()
                || author_role.is_some()
            {
                c.authors.push(mhl::Author {
                    name: author_name,
                    email: author_email,
                    phone: author_phone,
                    role: author_role,
                });
            }
            c.location = location;
            c.comment = comment;
            let options = CreateOptions {
                formats,
                ignore,
                creator: c,
                date: Utc::now(),
                directory_hashes: !no_directory_hashes,
                detect_renaming,
                single_files,
            };
            let pb = bar();
            let outcome = match engine_result(mhl::create(&fs, &options, &mut on_progress(&pb)))? {
                Ok(o) => o,
                Err(code) => return Ok(code),
            };
            pb.finish_and_clear();
            if verbose {
                for (p, a) in &outcome.files {
                    println!("{:<9} {p}", a.name());
                }
            }
            let report = Report {
                findings: outcome.findings.clone(),
                ok: Vec::new(),
                verdict: outcome.verdict,
            };
            print_findings(&report, false);
            for w in &outcome.written {
                println!("Created new generation {}", w.path);
            }
            Ok(code(outcome.verdict.exit_code()))
        }
        MhlCommand::Verify {
            root,
            help: _,
            directory_hash,
            hash_format,
            ignore,
            ignore_spec,
            list: verbose,
        } => {
            let fs = open(&root)?;
            let options = VerifyOptions {
                ignore: with_ignore_spec(ignore, ignore_spec.as_deref())?,
                directory_hashes: directory_hash,
                hash_format,
            };
            let pb = bar();
            let report = mhl::verify(&fs, &options, &mut on_progress(&pb))?;
            pb.finish_and_clear();
            print_findings(&report, verbose);
            if report.verdict == Verdict::Clean {
                println!("verified {} item(s): OK", report.ok.len());
            }
            Ok(code(report.exit_code()))
        }
        MhlCommand::Info {
            root,
            list: verbose,
        } => {
            let history = match load_history(&root)? {
                Ok(h) => h,
                Err(code) => return Ok(code),
            };
            for line in mhl::info(&history, verbose) {
                println!("{line}");
            }
            Ok(code(0))
        }
        MhlCommand::Diff {
            root,
            ignore,
            ignore_spec,
        } => {
            let fs = open(&root)?;
            let ignore = with_ignore_spec(ignore, ignore_spec.as_deref())?;
            let report = mhl::diff(&fs, &ignore)?;
            print_findings(&report, false);
            Ok(code(report.exit_code()))
        }
        MhlCommand::Flatten { root, out } => {
            let history = match load_history(&root)? {
                Ok(h) => h,
                Err(code) => return Ok(code),
            };
            let now = Utc::now();
            let manifest = mhl::flatten(&history, creator(), now)?;
            std::fs::create_dir_all(&out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            let name = format!(
                "packinglist_{}_{}.mhl",
                open(&root)?.root_name(),
                now.format("%Y-%m-%d_%H%M%SZ")
            );
            let dest = out.join(name);
            let mut f = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&dest)
                .with_context(|| format!("cannot create {}", dest.display()))?;
            std::io::Write::write_all(&mut f, &mhl::write_manifest(&manifest))
                .with_context(|| format!("cannot write {}", dest.display()))?;
            println!("Flattened history into {}", dest.display());
            Ok(code(0))
        }
    }
}

/// Creates (or appends) a generation for `root` in `formats` with creator tool "rushes"; fails
/// unless every recorded file verified and nothing is missing.
pub fn create_generation(root: &Path, formats: &[HashFormat]) -> anyhow::Result<()> {
    let fs = open(root)?;
    let options = CreateOptions {
        formats: formats.to_vec(),
        ignore: Vec::new(),
        creator: creator(),
        date: Utc::now(),
        directory_hashes: true,
        detect_renaming: false,
        single_files: Vec::new(),
    };
    let outcome = mhl::create(&fs, &options, &mut |_| {})
        .with_context(|| format!("cannot create an ASC MHL generation for {}", root.display()))?;
    if outcome.verdict != Verdict::Clean {
        let first: Vec<String> = outcome
            .findings
            .iter()
            .take(5)
            .map(|f| format!("{} ({:?})", f.path, f.kind))
            .collect();
        anyhow::bail!(
            "{}: ASC MHL create finished with exit code {}: {}",
            root.display(),
            outcome.verdict.exit_code(),
            first.join(", ")
        );
    }
    Ok(())
}
