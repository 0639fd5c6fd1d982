//! `plan`: from a match report and the catalog's inspected clips to the list of files a conform
//! package needs, stored with its copy batches.

use std::collections::BTreeMap;

use rushes_common::records::roll_pk;
use rushes_common::runs::{batch_ranges, validate_name, write_json};
use rushes_common::{Error, ObjectKey, Ports, Result};
use rushes_engine::edl::matching::{MatchReport, Outcome};
use rushes_engine::inspect::clip::Clip;
use rushes_engine::timecode::{FrameRange, FrameRate, Timecode};
use serde::{Deserialize, Serialize};

use crate::docs::{EventPlan, PlannedFile, PullDocs, TrimPlan};

/// Largest match report read, in bytes.
pub const MAX_REPORT_BYTES: u64 = 64 << 20;

/// Most source frames one event may ask for (about 11.5 hours at 24 fps): a larger range is a
/// broken report, not a cut.
pub const MAX_EVENT_FRAMES: u64 = 1_000_000;

/// Input of `plan`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanInput {
    /// Key of the match report (written by the edl step).
    pub report: ObjectKey,
    /// Package name: the files go to `pulls/<package>/`.
    pub package: String,
    /// Execution whose working documents these are.
    pub execution: String,
}

/// Output of `plan`: small whatever the pull's size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanOutput {
    /// Package name.
    pub package: String,
    /// Execution.
    pub execution: String,
    /// Key of the stored plan.
    pub plan: ObjectKey,
    /// Events in the list.
    pub events: usize,
    /// Events whose source frames are in the package.
    pub matched: usize,
    /// Events the package cannot serve (ambiguous, missing, or their clip is not catalogued).
    pub unresolved: usize,
    /// Frames a matched range needs that the roll does not have.
    pub missing_frames: usize,
    /// Files to copy.
    pub files: usize,
    /// Their total size.
    pub bytes: u64,
    /// Copy batch numbers (the Map iterates over them).
    pub batches: Vec<usize>,
}

/// Runs `plan`.
pub async fn plan(ports: &Ports, input: PlanInput) -> Result<PlanOutput> {
    let docs = PullDocs::new(&input.package, &input.execution)?;
    let store = ports.library.as_ref();
    let bytes = store.read_small(&input.report, MAX_REPORT_BYTES).await?;
    let report: MatchReport = serde_json::from_slice(&bytes).map_err(|e| {
        Error::BadInput(format!(
            "{}: `{}` is not a match report: {e}",
            store.describe(),
            input.report
        ))
    })?;
    let mut clips: BTreeMap<String, Option<Clip>> = BTreeMap::new();
    let mut files: BTreeMap<String, PlannedFile> = BTreeMap::new();
    let mut events = Vec::with_capacity(report.events.len());
    for event in &report.events {
        let mut plan = EventPlan {
            number: event.number,
            outcome: event.outcome.kind().to_string(),
            clip_id: None,
            first_frame: None,
            frames: 0,
            files: 0,
            missing_frames: Vec::new(),
            notes: Vec::new(),
        };
        if let Outcome::Matched {
            clip_id,
            source_frames,
            ..
        } = &event.outcome
        {
            plan.clip_id = Some(clip_id.clone());
            plan.first_frame = Some(source_frames.start);
            plan.frames = u64::try_from(source_frames.end_exclusive - source_frames.start)
                .unwrap_or_default();
            if !clips.contains_key(clip_id) {
                let clip = load_clip(ports, clip_id).await?;
                clips.insert(clip_id.clone(), clip);
            }
            match clips.get(clip_id).and_then(Option::as_ref) {
                Some(clip) => {
                    let needed = files_for_range(docs.package(), clip, *source_frames, &mut plan)?;
                    plan.files = needed.len();
                    for f in needed {
                        files.entry(f.package_path.clone()).or_insert(f);
                    }
                }
                None => {
                    plan.outcome = "missing".into();
                    plan.notes.push(format!(
                        "clip `{clip_id}` is not in the catalog (was its roll ingested and inspected?)"
                    ));
                }
            }
        }
        events.push(plan);
    }
    let files: Vec<PlannedFile> = files.into_values().collect();
    let sizes: Vec<u64> = files.iter().map(|f| f.size).collect();
    let ranges = batch_ranges(&sizes);
    for (index, range) in ranges.iter().enumerate() {
        let batch = files.get(range.clone()).unwrap_or_default();
        write_json(store, &docs.batch(index)?, &batch).await?;
    }
    let matched = events.iter().filter(|e| e.outcome == "matched").count();
    let skipped = events.iter().filter(|e| e.outcome == "skipped").count();
    let trim = TrimPlan {
        package: input.package.clone(),
        report: input.report.clone(),
        handles: report.handles,
        events,
        files,
        batches: ranges.len(),
    };
    let plan_key = docs.plan()?;
    write_json(store, &plan_key, &trim).await?;
    Ok(PlanOutput {
        package: input.package,
        execution: input.execution,
        plan: plan_key,
        events: trim.events.len(),
        matched,
        unresolved: trim.events.len() - matched - skipped,
        missing_frames: trim.events.iter().map(|e| e.missing_frames.len()).sum(),
        files: trim.files.len(),
        bytes: sizes.iter().sum(),
        batches: (0..ranges.len()).collect(),
    })
}

/// The inspected clip `<roll>/<name>` from the catalog, `None` when it is not there.
async fn load_clip(ports: &Ports, clip_id: &str) -> Result<Option<Clip>> {
    let Some((roll, _)) = clip_id.split_once('/') else {
        return Err(Error::BadInput(format!(
            "match report: clip id `{}` is not `<roll>/<clip>`",
            clip_id.escape_debug()
        )));
    };
    validate_name("roll", roll)?;
    let Some(item) = ports
        .catalog
        .get(&roll_pk(roll), &format!("CLIP#{clip_id}"))
        .await?
    else {
        return Ok(None);
    };
    let clip: Clip = serde_json::from_value(item.body).map_err(|e| Error::Catalog {
        op: "decode",
        detail: format!("clip {clip_id}: {e}"),
    })?;
    Ok(Some(clip))
}

/// The files of `clip` holding `range` (timecode frames at the clip's rate): the numbered frames
/// of a sequence (absent ones listed in `plan.missing_frames`), or every file of a clip that is
/// not a frame sequence (a movie or sound file is copied whole).
fn files_for_range(
    package: &ObjectKey,
    clip: &Clip,
    range: FrameRange,
    plan: &mut EventPlan,
) -> Result<Vec<PlannedFile>> {
    let frames = u64::try_from(range.end_exclusive - range.start).unwrap_or_default();
    if frames > MAX_EVENT_FRAMES {
        return Err(Error::BadInput(format!(
            "event {}: {frames} source frames asked for (more than {MAX_EVENT_FRAMES})",
            plan.number
        )));
    }
    let sequence = clip.timing.first_frame_number.is_some()
        && !clip.files.is_empty()
        && clip.files.iter().all(|f| f.frame_number.is_some());
    if !sequence {
        plan.notes
            .push("not a frame sequence: every file of the clip is copied whole".into());
        return clip
            .files
            .iter()
            .map(|f| planned(package, clip, f))
            .collect();
    }
    let start = clip_start_frame(clip)?;
    let first_number = clip.timing.first_frame_number.unwrap_or_default();
    let by_number: BTreeMap<u64, &rushes_engine::inspect::clip::ClipFile> = clip
        .files
        .iter()
        .filter_map(|f| f.frame_number.map(|n| (n, f)))
        .collect();
    let mut out = Vec::new();
    for frame in range.start..range.end_exclusive {
        let Some(number) = frame
            .checked_sub(start)
            .and_then(|i| u64::try_from(i).ok())
            .and_then(|i| first_number.checked_add(i))
        else {
            plan.notes
                .push(format!("source frame {frame} is before the clip starts"));
            continue;
        };
        match by_number.get(&number) {
            Some(f) => out.push(planned(package, clip, f)?),
            None => plan.missing_frames.push(number),
        }
    }
    Ok(out)
}

/// The clip's first frame as a timecode frame count at its own rate.
fn clip_start_frame(clip: &Clip) -> Result<i64> {
    let bad = |what: &str| {
        Error::BadInput(format!(
            "clip {}: {what}: cannot place source frames in the sequence",
            clip.clip_id
        ))
    };
    let rate = clip.timing.frame_rate.ok_or_else(|| bad("no frame rate"))?;
    let rate = FrameRate::new(rate.num, rate.den, clip.timing.drop_frame)?;
    let tc = clip
        .timing
        .start_timecode
        .as_deref()
        .ok_or_else(|| bad("no start timecode"))?;
    let frame = Timecode::parse_detect_drop(tc, rate)?.to_frame();
    i64::try_from(frame).map_err(|_| bad("start timecode out of range"))
}

fn planned(
    package: &ObjectKey,
    clip: &Clip,
    file: &rushes_engine::inspect::clip::ClipFile,
) -> Result<PlannedFile> {
    let package_path = format!("{}/{}", clip.roll, file.path);
    Ok(PlannedFile {
        source: ObjectKey::new(format!("rolls/{}", clip.roll))?.join(&file.path)?,
        dest: package.join(&package_path)?,
        package_path,
        size: file.size,
        checksums: file.checksums.clone(),
    })
}
