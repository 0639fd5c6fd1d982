//! `rushes ingest`: verifies camera and sound rolls against their ASC MHL history while copying
//! them into a local library, then runs the ingest state machine on the library copy (verify
//! again in place, append the MHL generation, catalog, report).

use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use chrono::Utc;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use rushes_common::records::{FileRecord, FileStatus, RollRecord, from_item, roll_pk};
use rushes_common::store_local::LocalStore;
use rushes_common::{ObjectKey, ObjectMeta, ObjectStore};
use rushes_engine::hash::{Digests, HashFormat};
use serde::Serialize;
use tokio::task::JoinHandle;

use crate::asl::{ExecOptions, ExecutionStatus, Progress};
use crate::local::{Library, run_ingest};

/// Files copied into the library at the same time.
const COPY_PARALLEL: usize = 2;

/// Arguments of `rushes ingest`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Roll folders to ingest (each with its `ascmhl/` history made on set).
    #[arg(required = true)]
    pub rolls: Vec<PathBuf>,
    /// Library folder (created if missing): the local object store and catalog.
    #[arg(long)]
    pub library: PathBuf,
    /// Where to write the JSON report of this run (default: `<library>/reports/ingest-<time>.json`).
    #[arg(long)]
    pub report: Option<PathBuf>,
    /// No progress bars.
    #[arg(long)]
    pub quiet: bool,
}

/// The outcome of one roll.
#[derive(Debug, Clone, Serialize)]
pub struct RollOutcome {
    /// Roll name.
    pub roll: String,
    /// Source folder.
    pub source: String,
    /// `verified`, `failed` or `error`.
    pub status: String,
    /// Files copied into the library in this run.
    pub copied: u64,
    /// Files already in the library with the same content.
    pub already_present: u64,
    /// Bytes copied.
    pub bytes: u64,
    /// Files whose source content differed from the history while copying.
    pub source_mismatches: Vec<String>,
    /// Files the history lists that the source lacks.
    pub missing: Vec<String>,
    /// The ingest execution's name.
    pub execution: Option<String>,
    /// Its outcome as recorded by the custody step.
    pub custody: Option<serde_json::Value>,
    /// The error that stopped this roll.
    pub error: Option<String>,
}

/// The JSON report of one `rushes ingest` run.
#[derive(Debug, Clone, Serialize)]
pub struct IngestReport {
    /// Library folder.
    pub library: String,
    /// When the run started.
    pub started_at: chrono::DateTime<Utc>,
    /// When it finished.
    pub finished_at: chrono::DateTime<Utc>,
    /// One entry per roll, in command-line order.
    pub rolls: Vec<RollOutcome>,
}

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let report = runtime.block_on(ingest(&args.rolls, &args.library, !args.quiet))?;
    let report_path = match &args.report {
        Some(path) => path.clone(),
        None => args.library.join("reports").join(format!(
            "ingest-{}.json",
            report.started_at.format("%Y%m%dT%H%M%S%.3fZ")
        )),
    };
    write_report(&report_path, &report)?;
    print_summary(&report, &report_path);
    let all_ok = report.rolls.iter().all(|r| r.status == "verified");
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Ingests every roll into the library; a roll that fails does not stop the others.
pub async fn ingest(
    rolls: &[PathBuf],
    library_dir: &Path,
    progress: bool,
) -> anyhow::Result<IngestReport> {
    let started_at = Utc::now();
    let library = Library::open(library_dir)?;
    let bars = MultiProgress::new();
    if !progress {
        bars.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let mut outcomes = Vec::new();
    for roll_dir in rolls {
        let outcome = match ingest_roll(&library, roll_dir, &bars).await {
            Ok(outcome) => outcome,
            Err(err) => RollOutcome {
                roll: roll_name(roll_dir).unwrap_or_default(),
                source: roll_dir.display().to_string(),
                status: "error".into(),
                copied: 0,
                already_present: 0,
                bytes: 0,
                source_mismatches: Vec::new(),
                missing: Vec::new(),
                execution: None,
                custody: None,
                error: Some(format!("{err:#}")),
            },
        };
        outcomes.push(outcome);
    }
    Ok(IngestReport {
        library: library_dir.display().to_string(),
        started_at,
        finished_at: Utc::now(),
        rolls: outcomes,
    })
}

/// The roll name of a folder: its file name, restricted to safe characters.
pub fn roll_name(dir: &Path) -> anyhow::Result<String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{}: not a usable roll folder name", dir.display()))?;
    let ok = !name.is_empty()
        && name.len() <= 64
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if !ok {
        bail!(
            "{}: roll folder name `{name}` must be 1-64 letters, digits, `_` or `-`",
            dir.display()
        );
    }
    Ok(name.to_string())
}

async fn ingest_roll(
    library: &Library,
    roll_dir: &Path,
    bars: &MultiProgress,
) -> anyhow::Result<RollOutcome> {
    let roll = roll_name(roll_dir)?;
    let meta = std::fs::metadata(roll_dir)
        .with_context(|| format!("{}: cannot read the roll folder", roll_dir.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a folder", roll_dir.display());
    }
    if !roll_dir.join("ascmhl").is_dir() {
        bail!(
            "{}: no ASC MHL history (no ascmhl/ folder); a roll must arrive with the history made on set",
            roll_dir.display()
        );
    }
    // Read the source's history with the same manifest step the cloud runs, on the card itself.
    let parent = roll_dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let source_store = Arc::new(
        LocalStore::open(parent)
            .with_context(|| format!("{}: cannot read the card", parent.display()))?,
    );
    let prefix = ObjectKey::new(roll.clone())?;
    let plan = rushes_manifest::read_plan(source_store.as_ref(), &roll, &prefix)
        .await
        .with_context(|| format!("{}: cannot read the ASC MHL history", roll_dir.display()))?;

    let mut outcome = RollOutcome {
        roll: roll.clone(),
        source: roll_dir.display().to_string(),
        status: "failed".into(),
        copied: 0,
        already_present: 0,
        bytes: 0,
        source_mismatches: Vec::new(),
        missing: plan.missing.iter().map(|m| m.path.clone()).collect(),
        execution: None,
        custody: None,
        error: None,
    };

    // Copy every file of the card (media, hidden files, history), hashing while copying.
    let library_prefix = ObjectKey::new(format!("rolls/{roll}"))?;
    let known = previously_cataloged(library, &roll).await?;
    let sources = source_store.list(&prefix).await?;
    let total: u64 = sources.iter().map(|m| m.size).sum();
    let bar = bars.add(ProgressBar::new(total));
    bar.set_style(
        ProgressStyle::with_template(
            "{prefix:>6} copy   [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    bar.set_prefix(roll.clone());
    let planned: BTreeMap<&str, &rushes_manifest::FileToVerify> =
        plan.files.iter().map(|f| (f.path.as_str(), f)).collect();
    // Up to COPY_PARALLEL copies run at once; their results are taken in listing order.
    let mut in_flight: VecDeque<Copying> = VecDeque::new();
    let copied: anyhow::Result<()> = async {
        for source in &sources {
            let Some(rel) = source.key.strip_prefix(&prefix) else {
                continue;
            };
            let dest = library_prefix.join(rel)?;
            let is_history = rel.starts_with("ascmhl/") || rel.contains("/ascmhl/");
            let mut formats = plan.formats.clone();
            if let Some(file) = planned.get(rel) {
                formats.extend(file.expected.keys().copied());
            }
            bar.set_message(rel.to_string());
            if library.store().head(&dest).await?.is_some() {
                // Idempotent re-ingest: never overwrite. History documents already in the library
                // are kept as they are (the library's chain records later generations); media must
                // match what the catalog recorded for it.
                if !is_history {
                    let source_hashes =
                        hash_file(&source_store.path_of(&source.key), &formats).await?;
                    let same = known.get(rel).is_some_and(|rec| {
                        rec.size == source.size
                            && source_hashes.iter().all(|(f, v)| {
                                rec.hashes.get(f).is_none_or(|r| r.eq_ignore_ascii_case(v))
                            })
                    });
                    if !same {
                        bail!(
                            "{}: the library already holds a different `{dest}`; nothing was overwritten \
                             (ingest this card under another roll name, or into another library)",
                            roll_dir.join(rel).display()
                        );
                    }
                }
                outcome.already_present += 1;
                bar.inc(source.size);
                continue;
            }
            if in_flight.len() >= COPY_PARALLEL {
                if let Some(done) = in_flight.pop_front() {
                    finish_copy(done, &planned, &mut outcome).await?;
                }
            }
            let store = library.store().clone();
            let path = source_store.path_of(&source.key);
            let copy_bar = bar.clone();
            in_flight.push_back(Copying {
                rel: rel.to_string(),
                size: source.size,
                task: tokio::spawn(async move {
                    store
                        .import_file(&dest, &path, &formats, move |n| copy_bar.inc(n))
                        .await
                }),
            });
        }
        while let Some(done) = in_flight.pop_front() {
            finish_copy(done, &planned, &mut outcome).await?;
        }
        Ok(())
    }
    .await;
    if let Err(err) = copied {
        // Let the copies still running finish (each publishes whole or not at all) before
        // reporting the first error in listing order.
        for running in in_flight.drain(..) {
            let _ = running.task.await;
        }
        return Err(err);
    }
    bar.finish_and_clear();

    // Verify the library copy in place through the ingest state machine.
    let execution = format!("ingest-{roll}-{}", Utc::now().format("%Y%m%dT%H%M%S%3fZ"));
    let verify_bar = bars.add(ProgressBar::new(plan.files.len() as u64));
    verify_bar.set_style(
        ProgressStyle::with_template("{prefix:>6} verify [{bar:30}] {pos}/{len} files {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    verify_bar.set_prefix(roll.clone());
    let progress_bar = verify_bar.clone();
    let options = ExecOptions {
        progress: Some(Arc::new(move |p: &Progress| match p {
            Progress::MapItemDone { done, .. } => progress_bar.set_position(*done as u64),
            Progress::StateEntered { state } => progress_bar.set_message(state.clone()),
            _ => {}
        })),
        // The local runtime has no payload limit (AWS caps state payloads at 256 KB).
        max_payload_bytes: None,
        ..ExecOptions::default()
    };
    let result = run_ingest(library, &roll, &execution, options).await?;
    verify_bar.finish_and_clear();
    outcome.execution = Some(execution.clone());
    let custody = custody_record(library, &roll, &execution).await?;
    match (&result.status, custody) {
        (ExecutionStatus::Succeeded, Some(custody)) => {
            outcome.status = "verified".into();
            outcome.custody = Some(custody);
        }
        (ExecutionStatus::Failed { error, .. }, Some(custody))
            if error == "Rushes.VerificationFailed" =>
        {
            outcome.custody = Some(custody);
        }
        (ExecutionStatus::Failed { error, cause }, custody) => {
            outcome.custody = custody;
            outcome.status = "error".into();
            outcome.error = Some(format!("{error}: {cause}"));
        }
        (ExecutionStatus::Succeeded, None) => {
            outcome.status = "error".into();
            outcome.error =
                Some("the ingest execution left no custody record in the catalog".into());
        }
    }
    // The bytes written must be the bytes read: compare the copy hashes with the in-place hashes.
    if outcome.status == "verified" && !outcome.source_mismatches.is_empty() {
        outcome.status = "failed".into();
    }
    Ok(outcome)
}

/// What the custody step recorded in the catalog for this execution.
async fn custody_record(
    library: &Library,
    roll: &str,
    execution: &str,
) -> anyhow::Result<Option<serde_json::Value>> {
    let Some(item) = library.ports().catalog.get(&roll_pk(roll), "ROLL").await? else {
        return Ok(None);
    };
    let record: RollRecord = from_item(&item)?;
    if record.execution != execution {
        return Ok(None);
    }
    Ok(Some(serde_json::to_value(record)?))
}

async fn previously_cataloged(
    library: &Library,
    roll: &str,
) -> anyhow::Result<BTreeMap<String, FileRecord>> {
    let items = library
        .ports()
        .catalog
        .query(&roll_pk(roll), "FILE#")
        .await?;
    let mut out = BTreeMap::new();
    for item in &items {
        let record: FileRecord = from_item(item)?;
        if record.status != FileStatus::Missing {
            out.insert(record.path.clone(), record);
        }
    }
    Ok(out)
}

/// Hashes a file already in the library's source (one blocking task, reused read buffer).
async fn hash_file(
    path: &Path,
    formats: &[HashFormat],
) -> anyhow::Result<BTreeMap<HashFormat, String>> {
    let path = path.to_path_buf();
    let formats = formats.to_vec();
    tokio::task::spawn_blocking(move || {
        let file = std::fs::File::open(&path)
            .with_context(|| format!("{}: cannot open", path.display()))?;
        let (digests, _) = rushes_engine::hash::hash_reader(file, &formats, |_| {})
            .with_context(|| format!("{}: read failed", path.display()))?;
        Ok(digests.0)
    })
    .await
    .context("the hashing task failed")?
}

/// One file being copied into the library.
struct Copying {
    rel: String,
    size: u64,
    task: JoinHandle<rushes_common::Result<(ObjectMeta, Digests)>>,
}

/// Waits for one copy and records it: a source whose hashes differ from its ASC MHL history is
/// a mismatch (the bytes written are the bytes hashed).
async fn finish_copy(
    copy: Copying,
    planned: &BTreeMap<&str, &rushes_manifest::FileToVerify>,
    outcome: &mut RollOutcome,
) -> anyhow::Result<()> {
    let (_, digests) = copy.task.await.context("the copy task failed")??;
    if let Some(file) = planned.get(copy.rel.as_str()) {
        let matches = file.expected.iter().all(|(f, want)| {
            digests
                .get(*f)
                .is_some_and(|got| got.eq_ignore_ascii_case(want))
        });
        if !matches {
            outcome.source_mismatches.push(copy.rel.clone());
        }
    }
    outcome.copied += 1;
    outcome.bytes += copy.size;
    Ok(())
}

fn write_report(path: &Path, report: &IngestReport) -> anyhow::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("{}: cannot create", parent.display()))?;
    }
    let json = serde_json::to_vec_pretty(report)?;
    std::fs::write(path, json)
        .with_context(|| format!("{}: cannot write the report", path.display()))
}

fn print_summary(report: &IngestReport, report_path: &Path) {
    println!(
        "{:<8} {:<9} {:>7} {:>9} {:>8} {:>6} {:>7} {:>5}",
        "roll", "status", "copied", "MB", "verified", "failed", "missing", "new"
    );
    for roll in &report.rolls {
        let count = |name: &str| {
            roll.custody
                .as_ref()
                .and_then(|c| c.pointer(&format!("/counts/{name}")))
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0)
        };
        println!(
            "{:<8} {:<9} {:>7} {:>9.1} {:>8} {:>6} {:>7} {:>5}",
            roll.roll,
            roll.status,
            roll.copied,
            roll.bytes as f64 / 1e6,
            count("verified"),
            count("failed"),
            count("missing"),
            count("new"),
        );
        if let Some(error) = &roll.error {
            println!("         error: {error}");
        }
        for path in &roll.source_mismatches {
            println!("         altered on the card (differs from its ASC MHL): {path}");
        }
        for path in &roll.missing {
            println!("         missing from the card: {path}");
        }
        if let Some(generation) = roll
            .custody
            .as_ref()
            .and_then(|c| c.get("generation"))
            .and_then(|g| g.as_str())
        {
            println!("         chain of custody: {generation}");
        }
    }
    println!("report: {}", report_path.display());
}
