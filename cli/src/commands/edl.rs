//! `rushes edl`: read a CMX3600 EDL or OpenTimelineIO timeline (`info`) and match its events
//! to library clips (`match`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use rushes_engine::edl::matching::perceptual::{PerceptualOptions, apply_perceptual};
use rushes_engine::edl::matching::{LibraryClip, MatchOptions, match_edl};
use rushes_engine::edl::{
    Channels, Cmx3600Options, Edl, Event, KeyKind, OtioOptions, Transition, parse_cmx3600,
    parse_otio,
};
use rushes_engine::timecode::FrameRate;

use super::edl_library::{clip_signatures, read_library};
use super::edl_reference::read_reference;

/// Largest EDL, timeline or clip list read, in bytes.
const MAX_INPUT_BYTES: u64 = 64 << 20;

const EXIT_CODES: &str = "Exit codes: 0 done (match: every event matched or skipped), \
1 the edit list or clip list cannot be read (the message names the file and line), \
3 (match) some events are ambiguous or missing, 2 other errors.";

/// Arguments of `rushes edl`.
#[derive(Debug, clap::Args)]
#[command(after_help = EXIT_CODES)]
pub struct Args {
    #[command(subcommand)]
    command: EdlCommand,
}

#[derive(Debug, clap::Subcommand)]
enum EdlCommand {
    /// List the events of a CMX3600 EDL or an OpenTimelineIO (.otio) timeline.
    #[command(after_help = EXIT_CODES)]
    Info {
        /// The EDL (.edl) or timeline (.otio).
        file: PathBuf,
        /// Frame rate of the list (23.976, 24, 25, 29.97, 29.97df, 30, ...). EDLs do not say;
        /// default 24 for an EDL, the timeline's own rate for OTIO.
        #[arg(long)]
        rate: Option<String>,
        /// Print the parsed list as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Match the events of an EDL or timeline to library clips.
    #[command(after_help = EXIT_CODES)]
    Match {
        /// The EDL (.edl) or timeline (.otio).
        file: PathBuf,
        /// A JSON array of library clips (see README, "Editorial (EDL)").
        #[arg(long, required_unless_present = "library", conflicts_with = "library")]
        clips: Option<PathBuf>,
        /// A local library (made by `rushes ingest`): the candidates are its inspected camera
        /// clips, read from its catalog.
        #[arg(long)]
        library: Option<PathBuf>,
        /// A folder of reference frames (PNG/JPEG/TIFF): an image sequence of the cut from its
        /// first record frame (`ffmpeg -i ref.mov ref/%06d.png`) or stills named by record
        /// timecode (`01_00_10_05.png`). Adds perceptual matching against the library's frames.
        #[arg(long)]
        reference: Option<PathBuf>,
        /// Library frames sampled for perceptual matching: every Nth frame of each clip.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u64).range(1..=1000))]
        every: u64,
        /// Frame rate of the list (as for `info`).
        #[arg(long)]
        rate: Option<String>,
        /// Extra source frames before and after each event, clipped to the media.
        #[arg(long, default_value_t = 0)]
        handles: u64,
        /// Do not match on source timecode alone when no clip shares a name with an event.
        #[arg(long)]
        no_timecode_only: bool,
        /// Print the match report as JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

/// Runs `rushes edl`.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        EdlCommand::Info { file, rate, json } => {
            let list = match read_list(&file, rate.as_deref()) {
                Ok(list) => list,
                Err(err) => return Ok(input_error(&err)),
            };
            if json {
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                print!("{}", info_table(&list));
            }
            Ok(ExitCode::SUCCESS)
        }
        EdlCommand::Match {
            file,
            clips,
            library: library_dir,
            reference,
            every,
            rate,
            handles,
            no_timecode_only,
            json,
        } => {
            if reference.is_some() && library_dir.is_none() {
                return Ok(input_error(&anyhow::anyhow!(
                    "--reference needs --library: the library's frames are what the reference \
                     is compared with"
                )));
            }
            let list = match read_list(&file, rate.as_deref()) {
                Ok(list) => list,
                Err(err) => return Ok(input_error(&err)),
            };
            let (library, records, source) = match (&clips, &library_dir) {
                (Some(clips), _) => match read_clips(clips) {
                    Ok(library) => (library, None, clips.clone()),
                    Err(err) => return Ok(input_error(&err)),
                },
                (None, Some(dir)) => match read_library(dir) {
                    Ok(lib) => (lib.candidates.clone(), Some(lib), dir.clone()),
                    Err(err) => return Ok(input_error(&err)),
                },
                (None, None) => {
                    return Ok(input_error(&anyhow::anyhow!(
                        "give --clips <JSON> or --library <DIR>"
                    )));
                }
            };
            let options = MatchOptions {
                handles,
                timecode_only: !no_timecode_only,
            };
            let report = match match_edl(&list, &library, &options) {
                Ok(report) => report,
                Err(err) => {
                    return Ok(input_error(&anyhow::anyhow!("{}: {err}", source.display())));
                }
            };
            let mut report = report;
            if let (Some(reference), Some(records), Some(dir)) =
                (&reference, &records, &library_dir)
            {
                let frames = match read_reference(reference, &list) {
                    Ok(frames) => frames,
                    Err(err) => return Ok(input_error(&err)),
                };
                let (signatures, warnings) = clip_signatures(dir, records, every)?;
                for warning in &warnings {
                    eprintln!("rushes: warning: {warning}");
                }
                let options = PerceptualOptions {
                    handles,
                    ..PerceptualOptions::default()
                };
                apply_perceptual(&mut report, &list, &library, &signatures, &frames, &options)?;
            }
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.to_table());
            }
            let unresolved = report.summary.ambiguous + report.summary.missing;
            Ok(if unresolved == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(3)
            })
        }
    }
}

/// Prints an input error and returns exit code 1.
fn input_error(err: &anyhow::Error) -> ExitCode {
    eprintln!("rushes: error: {err:#}");
    ExitCode::from(1)
}

/// Reads a file of at most [`MAX_INPUT_BYTES`].
fn read_bounded(path: &Path) -> anyhow::Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("{}", path.display()))?
        .len();
    if size > MAX_INPUT_BYTES {
        anyhow::bail!(
            "{}: {size} bytes, more than the {MAX_INPUT_BYTES} accepted",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("{}", path.display()))
}

/// Reads an EDL or, by extension or a leading `{`, an OTIO timeline.
pub fn read_list(path: &Path, rate: Option<&str>) -> anyhow::Result<Edl> {
    let rate = rate.map(FrameRate::parse).transpose().context("--rate")?;
    let bytes = read_bounded(path)?;
    let name = path.display().to_string();
    let is_otio = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("otio"))
        || bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    let list = if is_otio {
        let options = OtioOptions {
            rate,
            ..OtioOptions::default()
        };
        parse_otio(&name, &bytes, &options)?
    } else {
        parse_cmx3600(
            &name,
            &bytes,
            &Cmx3600Options::new(rate.unwrap_or(FrameRate::FPS_24)),
        )?
    };
    Ok(list)
}

/// Reads a JSON array of library clips.
fn read_clips(path: &Path) -> anyhow::Result<Vec<LibraryClip>> {
    let bytes = read_bounded(path)?;
    serde_json::from_slice(&bytes).with_context(|| format!("{}: not a clip list", path.display()))
}

/// The events as a fixed-width table, then the warnings.
pub fn info_table(list: &Edl) -> String {
    let mut out = String::new();
    if let Some(title) = &list.title {
        let _ = writeln!(out, "TITLE: {title}");
    }
    let _ = writeln!(out, "rate {}, {} event lines", list.rate, list.events.len());
    let _ = writeln!(
        out,
        "{:<6} {:<10} {:<24} {:<6} {:<9} {:<11} {:<11} {:<11} {:<11} {:<9} CDL",
        "EVENT",
        "REEL",
        "CLIP NAME",
        "CH",
        "TRANS",
        "SRC IN",
        "SRC OUT",
        "REC IN",
        "REC OUT",
        "SPEED"
    );
    for event in &list.events {
        let _ = writeln!(
            out,
            "{:<6} {:<10} {:<24} {:<6} {:<9} {:<11} {:<11} {:<11} {:<11} {:<9} {}",
            event.number,
            fit(&event.reel, 10),
            fit(event.clip_name.as_deref().unwrap_or(""), 24),
            channels(&event.channels),
            transition(event.transition),
            event.source_in().to_string(),
            event.source_out().to_string(),
            event.record_in().to_string(),
            event.record_out().to_string(),
            speed(event),
            cdl(event)
        );
    }
    for warning in &list.warnings {
        let _ = writeln!(out, "warning: line {}: {}", warning.line, warning.message);
    }
    out
}

fn channels(channels: &Channels) -> String {
    let mut text = String::new();
    if channels.video {
        text.push('V');
    }
    if !channels.audio.is_empty() {
        text.push('A');
        let numbers: Vec<String> = channels.audio.iter().map(u8::to_string).collect();
        text.push_str(&numbers.join(","));
    }
    text
}

fn transition(transition: Transition) -> String {
    match transition {
        Transition::Cut => "C".into(),
        Transition::Dissolve { frames } => format!("D {frames}"),
        Transition::Wipe { pattern, frames } => format!("W{pattern:03} {frames}"),
        Transition::Key { kind, frames } => {
            let kind = match kind {
                KeyKind::Background => "KB",
                KeyKind::Foreground => "K",
                KeyKind::Out => "KO",
            };
            format!("{kind} {frames}")
        }
    }
}

fn speed(event: &Event) -> String {
    match &event.speed {
        None => String::new(),
        Some(speed) if speed.is_freeze() => "freeze".into(),
        Some(speed) => format!("{:.1}fps", speed.fps),
    }
}

fn cdl(event: &Event) -> String {
    let Some(cdl) = &event.cdl else {
        return String::new();
    };
    let triple = |v: [f64; 3]| format!("{} {} {}", v[0], v[1], v[2]);
    format!(
        "sop ({})({})({}) sat {}",
        triple(cdl.slope),
        triple(cdl.offset),
        triple(cdl.power),
        cdl.saturation
    )
}

fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('~');
    cut
}
