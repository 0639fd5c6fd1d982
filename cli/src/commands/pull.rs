//! `rushes pull conform`: an editor's cut list to a verified package of the source media it uses,
//! run through the conform-pull state machine on the local library.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use chrono::Utc;
use indicatif::{ProgressBar, ProgressStyle};
use rushes_common::{ObjectKey, ObjectStore, PutMode};
use rushes_conform_trim::SealOutput;

use crate::asl::{ExecOptions, ExecutionStatus, Progress};
use crate::local::{Library, run_conform_pull};

/// Largest cut list accepted, in bytes.
const MAX_LIST_BYTES: u64 = 32 << 20;

/// Arguments of `rushes pull`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: PullCommand,
}

#[derive(Debug, clap::Subcommand)]
enum PullCommand {
    /// Copy the source frames a cut uses (plus handles) from the library into a package sealed
    /// with an ASC MHL, verifying every byte against the ingest checksums.
    #[command(
        after_help = "The package is <LIBRARY>/pulls/<PACKAGE>/<ROLL>/... (the rolls' own layout, \
so a conform tool relinks by reel and file name), its ASC MHL history in pulls/<PACKAGE>/ascmhl/, the \
match report in editorial/<PACKAGE>.match.json and the pull report in reports/pulls/<PACKAGE>/. \
Exit codes: 0 every event pulled whole, 1 the package is sealed but events were ambiguous or \
missing or frames absent from their roll (see the report), 2 an error (nothing is overwritten)."
    )]
    Conform {
        /// The cut list: a CMX3600 EDL or an OpenTimelineIO (.otio) timeline.
        list: PathBuf,
        /// The local library (made by `rushes ingest`).
        #[arg(long)]
        library: PathBuf,
        /// Package name (letters, digits, `-`, `_`, `.`).
        #[arg(long)]
        package: String,
        /// Rolls to match against (repeatable); default every roll of the library.
        #[arg(long = "roll")]
        rolls: Vec<String>,
        /// Frame rate of the list (23.976, 24, 25, 29.97df, ...); default 24 for an EDL, the
        /// timeline's own for OTIO.
        #[arg(long)]
        rate: Option<String>,
        /// Source frames of handles on each side of every event.
        #[arg(long, default_value_t = 8)]
        handles: u64,
        /// Print the result as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `rushes pull`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        PullCommand::Conform {
            list,
            library,
            package,
            rolls,
            rate,
            handles,
            json,
        } => {
            let runtime =
                tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
            let options = ConformOptions {
                list,
                package,
                rolls,
                rate,
                handles,
                quiet: json,
            };
            let seal = runtime.block_on(conform(&library, &options))?;
            if json {
                println!("{}", serde_json::to_string_pretty(&seal)?);
            } else {
                print_summary(&library, &seal);
            }
            let whole = seal.unresolved == 0 && seal.missing_frames == 0;
            Ok(ExitCode::from(if whole { 0 } else { 1 }))
        }
    }
}

/// What to pull.
#[derive(Debug, Clone)]
pub struct ConformOptions {
    /// The cut list file.
    pub list: PathBuf,
    /// Package name.
    pub package: String,
    /// Rolls to match against (empty: every roll of the library).
    pub rolls: Vec<String>,
    /// Frame rate of the list.
    pub rate: Option<String>,
    /// Handles in source frames.
    pub handles: u64,
    /// No progress bar.
    pub quiet: bool,
}

/// Stores the list in the library (`editorial/<package>.<ext>`, never replacing a different
/// one), runs the conform-pull state machine and returns its seal output.
pub async fn conform(library: &Path, options: &ConformOptions) -> anyhow::Result<SealOutput> {
    rushes_common::runs::validate_name("package", &options.package)?;
    let lib = Library::open(library)?;
    let rolls = if options.rolls.is_empty() {
        library_rolls(library)?
    } else {
        options.rolls.clone()
    };
    anyhow::ensure!(
        !rolls.is_empty(),
        "{}: the library has no rolls (ingest a card first)",
        library.display()
    );
    let edl_key = store_list(&lib, &options.list, &options.package).await?;
    let input = serde_json::json!({
        "package": options.package,
        "edl": edl_key.as_str(),
        "rolls": rolls,
        "rate": options.rate,
        "handles": options.handles,
    });
    let execution = format!(
        "pull-{}-{}",
        options.package.chars().take(40).collect::<String>(),
        Utc::now().format("%Y%m%dT%H%M%S%3fZ")
    );
    let bar = if options.quiet {
        ProgressBar::hidden()
    } else {
        ProgressBar::new(0)
    };
    bar.set_style(
        ProgressStyle::with_template("pull [{bar:30}] {pos}/{len} batches {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    let progress_bar = bar.clone();
    let exec_options = ExecOptions {
        progress: Some(Arc::new(move |p: &Progress| match p {
            Progress::MapItemDone { done, total, .. } => {
                progress_bar.set_length(*total as u64);
                progress_bar.set_position(*done as u64);
            }
            Progress::StateEntered { state } => progress_bar.set_message(state.clone()),
            _ => {}
        })),
        ..ExecOptions::default()
    };
    let result = run_conform_pull(&lib, input, &execution, exec_options).await?;
    bar.finish_and_clear();
    match result.status {
        ExecutionStatus::Succeeded => {
            let output = result
                .output
                .context("the conform-pull execution returned no output")?;
            let seal = output
                .get("seal")
                .cloned()
                .context("the conform-pull execution output has no `seal`")?;
            Ok(serde_json::from_value(seal).context("the seal output is malformed")?)
        }
        ExecutionStatus::Failed { error, cause } => {
            anyhow::bail!("pull {} failed: {error}: {cause}", options.package)
        }
    }
}

/// Every roll folder of the library (`rolls/<ROLL>/`), sorted.
fn library_rolls(library: &Path) -> anyhow::Result<Vec<String>> {
    let dir = library.join("rolls");
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(&dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("{}: cannot list", dir.display())),
    };
    for entry in entries {
        let entry = entry.with_context(|| format!("{}: cannot list", dir.display()))?;
        if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
            if let Some(name) = entry.file_name().to_str() {
                out.push(name.to_string());
            }
        }
    }
    out.sort();
    Ok(out)
}

/// Puts the cut list into the library's `editorial/` folder; an identical list already there
/// is reused, a different one is an error (a package name is used once).
async fn store_list(lib: &Library, list: &Path, package: &str) -> anyhow::Result<ObjectKey> {
    let meta =
        std::fs::metadata(list).with_context(|| format!("{}: cannot read", list.display()))?;
    anyhow::ensure!(
        meta.len() <= MAX_LIST_BYTES,
        "{}: {} bytes is too large for a cut list (at most {MAX_LIST_BYTES})",
        list.display(),
        meta.len()
    );
    let bytes = std::fs::read(list).with_context(|| format!("{}: cannot read", list.display()))?;
    let ext = if list
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("otio"))
    {
        "otio"
    } else {
        "edl"
    };
    let key = ObjectKey::new(format!("editorial/{package}.{ext}"))?;
    let store = lib.store();
    if store.head(&key).await?.is_some() {
        let stored = store.read_small(&key, MAX_LIST_BYTES).await?;
        anyhow::ensure!(
            stored == bytes,
            "the library already holds a different cut list for package `{package}` ({}); \
             choose another package name",
            key
        );
        return Ok(key);
    }
    store.put(&key, bytes, PutMode::CreateNew).await?;
    Ok(key)
}

/// The human summary of a pull.
fn print_summary(library: &Path, seal: &SealOutput) {
    println!(
        "pulled {} of {} events: {} files, {:.1} MB into {}",
        seal.matched,
        seal.events,
        seal.files,
        seal.bytes as f64 / 1e6,
        library.join(seal.package.as_str()).display()
    );
    if seal.unresolved > 0 {
        println!(
            "  {} events ambiguous or missing: see the match report",
            seal.unresolved
        );
    }
    if seal.missing_frames > 0 {
        println!(
            "  {} frames the cut needs are absent from their roll",
            seal.missing_frames
        );
    }
    println!(
        "  ASC MHL: {}{}",
        library.join(seal.manifest.as_str()).display(),
        if seal.written {
            ""
        } else {
            " (already sealed)"
        }
    );
    println!(
        "  report:  {}",
        library.join(seal.report.as_str()).display()
    );
}
