//! `rushes inspect`: groups the files of roll folders into clips, reads their camera and sound
//! metadata, and prints a table per roll (or the clip schema as JSON) with warnings and format cards.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use rushes_engine::inspect::clip::{Clip, ClipKind, WarningCode};
use rushes_engine::inspect::group::ReadSeek;
use rushes_engine::inspect::{
    FormatCard, GroupOptions, Overrides, RollFile, RollInspection, format_cards, group_roll_with,
};
use rushes_engine::mhl::ignore::{IgnoreSpec, default_ignores};
use serde::Serialize;

/// Most files listed in one roll folder before the command gives up.
const MAX_LISTED_FILES: usize = rushes_engine::inspect::group::MAX_ROLL_FILES;

/// Arguments of `rushes inspect`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Roll folders (each one camera or sound roll, e.g. `card/A001`).
    #[arg(required = true)]
    pub rolls: Vec<PathBuf>,
    /// Print the inspection as JSON (clips in the versioned clip schema) instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Read every frame's header, not only the first and last of each sequence.
    #[arg(long)]
    pub every_frame: bool,
    /// A format overrides file (JSON) applied to the clips before format cards are made.
    #[arg(long, value_name = "FILE")]
    pub overrides: Option<PathBuf>,
}

/// What `--json` prints.
#[derive(Debug, Serialize)]
pub struct InspectReport {
    /// One inspection per roll folder, in argument order.
    pub rolls: Vec<RollInspection>,
    /// Camera format cards of all the rolls' clips.
    pub format_cards: Vec<FormatCard>,
}

/// Runs the command: exit 0 when clean, 1 when a clip has an error-level warning (missing or
/// unreadable frames), 2 (through the caller) when an input cannot be used at all.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let overrides = match &args.overrides {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("{}: cannot read the overrides file", path.display()))?;
            Overrides::from_json(&text, &path.display().to_string())?
        }
        None => Overrides::default(),
    };
    let options = GroupOptions {
        check_every_frame: args.every_frame,
    };
    let mut rolls = Vec::new();
    for dir in &args.rolls {
        rolls.push(inspect_roll(dir, &options)?);
    }
    let report = build_report(rolls, &overrides);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render(&report));
    }
    let failed = report
        .rolls
        .iter()
        .flat_map(|r| &r.clips)
        .any(has_error_warning);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// True when a clip carries a warning that makes it unusable as delivered.
pub fn has_error_warning(clip: &Clip) -> bool {
    clip.warnings
        .iter()
        .any(|w| matches!(w.code, WarningCode::MissingFrames | WarningCode::Unreadable))
}

/// Applies the overrides to every clip and makes the format cards across all rolls.
pub fn build_report(mut rolls: Vec<RollInspection>, overrides: &Overrides) -> InspectReport {
    let mut applied = Vec::new();
    for roll in &mut rolls {
        applied.extend(overrides.apply(&mut roll.clips));
    }
    let all: Vec<Clip> = rolls.iter().flat_map(|r| r.clips.iter().cloned()).collect();
    let format_cards = format_cards(&all, &applied);
    InspectReport {
        rolls,
        format_cards,
    }
}

/// Lists and inspects one roll folder; the roll is named after the folder.
pub fn inspect_roll(dir: &Path, options: &GroupOptions) -> anyhow::Result<RollInspection> {
    let meta = std::fs::metadata(dir)
        .with_context(|| format!("{}: cannot open the roll folder", dir.display()))?;
    if !meta.is_dir() {
        bail!("{}: not a folder (give a roll folder)", dir.display());
    }
    let canonical = dir
        .canonicalize()
        .with_context(|| format!("{}: cannot resolve the roll folder", dir.display()))?;
    let roll = canonical
        .file_name()
        .and_then(|n| n.to_str())
        .with_context(|| format!("{}: the roll folder has no usable name", dir.display()))?
        .to_string();
    let files = list_roll(&canonical)?;
    let root = canonical.clone();
    let mut open = move |rel: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
        let path = root.join(rel);
        let file = File::open(&path).map_err(|e| rushes_engine::Error::Io {
            path: path.display().to_string(),
            op: "open",
            source: e,
        })?;
        Ok(Box::new(BufReader::with_capacity(64 << 10, file)))
    };
    group_roll_with(&roll, &files, &mut open, options)
        .with_context(|| format!("{}: cannot inspect the roll", dir.display()))
}

/// The regular files under `dir`, relative and `/`-separated, sorted; the ASC MHL history, the
/// MHL default ignores and dot files or folders are skipped, symbolic links are not followed.
pub fn list_roll(dir: &Path) -> anyhow::Result<Vec<RollFile>> {
    let ignore = IgnoreSpec::new(&default_ignores());
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0
                || !e
                    .file_name()
                    .to_str()
                    .is_some_and(|n| n.starts_with('.') || n == "ascmhl")
        });
    for entry in walker {
        let entry = entry.with_context(|| format!("{}: cannot list the roll", dir.display()))?;
        if !entry.file_type().is_file() {
            continue;
        }
        let rel = entry
            .path()
            .strip_prefix(dir)
            .with_context(|| format!("{}: outside the roll", entry.path().display()))?;
        let Some(rel) = rel.to_str() else {
            bail!("{}: file name is not valid UTF-8", entry.path().display());
        };
        let rel = rel.replace(std::path::MAIN_SEPARATOR, "/");
        if ignore.is_ignored(&rel, false) {
            continue;
        }
        let size = entry
            .metadata()
            .with_context(|| format!("{}: cannot read its size", entry.path().display()))?
            .len();
        if files.len() >= MAX_LISTED_FILES {
            bail!(
                "{}: more than {MAX_LISTED_FILES} files in one roll",
                dir.display()
            );
        }
        files.push(RollFile::new(rel, size));
    }
    Ok(files)
}

fn opt<T: ToString>(v: Option<T>) -> String {
    v.map(|v| v.to_string()).unwrap_or_else(|| "-".into())
}

fn clip_row(c: &Clip) -> [String; 9] {
    let camera = match (&c.camera_letter, &c.camera.model) {
        (Some(l), Some(m)) => format!("{l} {m}"),
        (None, Some(m)) => m.clone(),
        (Some(l), None) => l.clone(),
        (None, None) => "-".into(),
    };
    let resolution = match (&c.sensor, &c.audio) {
        (Some(s), _) => format!("{}x{}", s.width, s.height),
        (None, Some(a)) => format!("{} Hz {}-bit {}ch", a.sample_rate, a.bit_depth, a.channels),
        (None, None) => "-".into(),
    };
    let fps = c
        .timing
        .frame_rate
        .map(|r| {
            let f = format!("{:.3}", r.as_f64());
            let f = f.trim_end_matches('0').trim_end_matches('.').to_string();
            if c.timing.drop_frame {
                format!("{f} DF")
            } else {
                f
            }
        })
        .unwrap_or_else(|| "-".into());
    let tc = match (&c.timing.start_timecode, &c.timing.end_timecode) {
        (Some(a), Some(b)) => format!("{a}-{b}"),
        (Some(a), None) => a.clone(),
        _ => "-".into(),
    };
    let squeeze = c
        .lens
        .squeeze
        .map(|s| format!("{s}x"))
        .unwrap_or_else(|| "-".into());
    [
        c.clip_id.clone(),
        camera,
        resolution,
        fps,
        tc,
        opt(c.timing.frame_count),
        c.reel_name.clone().unwrap_or_else(|| "-".into()),
        squeeze,
        c.warnings.len().to_string(),
    ]
}

fn table(header: [&str; 9], rows: &[[String; 9]]) -> String {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let parts: Vec<String> = cells
            .iter()
            .zip(widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        format!("  {}\n", parts.join("  ").trim_end())
    };
    let mut out = line(header.to_vec());
    for row in rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

/// The human report: a table per roll, then the warnings, then the format cards.
pub fn render(report: &InspectReport) -> String {
    let mut out = String::new();
    for roll in &report.rolls {
        let kind = match roll.kind {
            rushes_engine::inspect::RollKind::Camera => "camera",
            rushes_engine::inspect::RollKind::Sound => "sound",
            rushes_engine::inspect::RollKind::Other => "other",
        };
        out.push_str(&format!(
            "roll {} ({kind}): {} clips, {} other files\n",
            roll.roll,
            roll.clips.len(),
            roll.ignored.len()
        ));
        let rows: Vec<[String; 9]> = roll.clips.iter().map(clip_row).collect();
        out.push_str(&table(
            [
                "CLIP",
                "CAMERA",
                "RESOLUTION",
                "FPS",
                "TIMECODE",
                "FRAMES",
                "REEL",
                "SQUEEZE",
                "WARNINGS",
            ],
            &rows,
        ));
        let mut warnings: Vec<String> = roll
            .warnings
            .iter()
            .map(|w| format!("  {:?}: {}", w.code, w.message))
            .collect();
        for c in &roll.clips {
            let level = if has_error_warning(c) {
                "error"
            } else {
                "warning"
            };
            for w in &c.warnings {
                warnings.push(format!("  {level} {}: {}", c.clip_id, w.message));
            }
        }
        if !warnings.is_empty() {
            out.push_str(&format!("warnings of roll {}:\n", roll.roll));
            for w in warnings {
                out.push_str(&w);
                out.push('\n');
            }
        }
        out.push('\n');
    }
    if !report.format_cards.is_empty() {
        out.push_str("format cards:\n");
        for card in &report.format_cards {
            let status = match card.status {
                rushes_engine::inspect::cards::CardStatus::Resolved => "resolved".to_string(),
                rushes_engine::inspect::cards::CardStatus::Missing => {
                    format!("missing: {}", card.missing.join("; "))
                }
            };
            out.push_str(&format!(
                "  {}  {} clips  {}\n",
                card.card_id,
                card.clip_ids.len(),
                status
            ));
        }
    }
    let cameras = report
        .rolls
        .iter()
        .flat_map(|r| &r.clips)
        .filter(|c| c.kind == ClipKind::Camera)
        .count();
    if cameras == 0 && report.format_cards.is_empty() {
        out.push_str("no camera clips, no format cards\n");
    }
    out
}
