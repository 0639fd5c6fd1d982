//! The editorial half of `rushes demo`: an EDL cut from the ingested clips, matched back to the
//! library (the first step of a VFX or conform pull).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::Context;
use rushes_engine::edl::matching::{
    LibraryClip, MatchOptions, MatchReport, library_clip, match_edl,
};
use rushes_engine::edl::{Cmx3600Options, parse_cmx3600};
use rushes_engine::inspect::clip::{Clip, ClipKind};
use rushes_engine::timecode::Timecode;

use crate::local::Library;

/// Frames of handles the demo pull asks for on each side of an event.
pub const DEMO_HANDLES: u64 = 2;

/// Every camera clip the inspect step put in the catalog of `library`, as match candidates.
pub fn library_candidates(library: &Path, rolls: &[String]) -> anyhow::Result<Vec<LibraryClip>> {
    let lib = Library::open(library)?;
    let catalog = lib.ports().catalog;
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let mut out = Vec::new();
    for roll in rolls {
        let items = runtime.block_on(catalog.query(&format!("ROLL#{roll}"), "CLIP#"))?;
        for item in items {
            let clip: Clip = serde_json::from_value(item.body)
                .with_context(|| format!("catalog item {}/{} is not a clip", item.pk, item.sk))?;
            if clip.kind == ClipKind::Camera {
                out.extend(library_clip(&clip));
            }
        }
    }
    Ok(out)
}

/// A small CMX3600 cut: one event per clip (at most `events`), from the clip's second frame for
/// up to 8 frames (leaving its last frame out), recorded back to back from 01:00:00:00 at the
/// first clip's rate; the reel is the clip name.
pub fn demo_edl(clips: &[LibraryClip], events: usize) -> anyhow::Result<String> {
    let first = clips
        .first()
        .context("no camera clip with timecode to cut from")?;
    let rate = first.rate;
    let mut text = String::from("TITLE: RUSHES DEMO PULL\nFCM: NON-DROP FRAME\n\n");
    let mut record = Timecode::parse("01:00:00:00", rate)?.to_frame();
    for (n, clip) in clips.iter().take(events).enumerate() {
        let name = clip
            .clip_name
            .clone()
            .unwrap_or_else(|| clip.clip_id.clone());
        let source_in = u64::try_from(clip.start)?.saturating_add(1);
        let length = clip.frame_count.saturating_sub(2).clamp(1, 8);
        // Source timecode is written at the clip's own rate; the list's rate is the first clip's.
        let tc = |frame: u64, r| Timecode::from_frame(frame, r).map(|t| t.to_string());
        writeln!(
            text,
            "{:03}  {:<8} V     C        {} {} {} {}",
            n + 1,
            name.chars().take(8).collect::<String>(),
            tc(source_in, clip.rate)?,
            tc(source_in + length, clip.rate)?,
            tc(record, rate)?,
            tc(record + length, rate)?,
        )?;
        writeln!(text, "* FROM CLIP NAME: {name}")?;
        record += length;
    }
    Ok(text)
}

/// Writes the demo EDL under `dir`, matches it against the library and writes the report.
pub fn run(dir: &Path, library: &Path, rolls: &[String]) -> anyhow::Result<MatchReport> {
    let clips = library_candidates(library, rolls)?;
    let edl_text = demo_edl(&clips, 4)?;
    let edl_path = dir.join("pull.edl");
    std::fs::write(&edl_path, &edl_text)
        .with_context(|| format!("{}: cannot write", edl_path.display()))?;
    let rate = clips.first().map(|c| c.rate).context("no clips")?;
    let edl = parse_cmx3600(
        &edl_path.display().to_string(),
        edl_text.as_bytes(),
        &Cmx3600Options::new(rate),
    )?;
    let report = match_edl(
        &edl,
        &clips,
        &MatchOptions {
            handles: DEMO_HANDLES,
            timecode_only: true,
        },
    )?;
    let report_path = dir.join("pull-match-report.json");
    std::fs::write(&report_path, serde_json::to_vec_pretty(&report)?)
        .with_context(|| format!("{}: cannot write", report_path.display()))?;
    Ok(report)
}
