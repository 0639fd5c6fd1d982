//! Perceptual resolution of a match report: events the metadata left ambiguous or missing are
//! matched by aligning their reference frames with every clip's signatures (rule `perceptual`);
//! events matched by metadata are checked, and a disagreement becomes a warning. Never a silent
//! pick: a winner needs a small distance and a clear margin over the next clip.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::align::{ClipSignatures, Motion, align};
use super::signature::FrameSignature;
use crate::edl::matching::candidate::LibraryClip;
use crate::edl::matching::frames::to_clip_frames;
use crate::edl::matching::report::{
    Candidate, EventMatch, MatchReport, MatchSummary, Outcome, Rule,
};
use crate::edl::{Edl, Event};
use crate::timecode::FrameRange;
use crate::{Error, Result};

/// Thresholds of the perceptual rule.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PerceptualOptions {
    /// Largest mean combined distance ([`super::FrameDistance::combined`]) accepted as the
    /// same picture. Regraded, rescaled, recompressed frames of the same shot sit below 0.1;
    /// unrelated pictures near 0.75.
    pub max_distance: f64,
    /// Smallest lead of the best clip over the next one; below it the event is ambiguous.
    pub min_clip_margin: f64,
    /// Reference frames compared per event at most (spread evenly over the event).
    pub max_reference_frames: usize,
    /// Handles added to a perceptual match's source frames (as the metadata matcher's).
    pub handles: u64,
}

impl Default for PerceptualOptions {
    fn default() -> Self {
        Self {
            max_distance: 0.2,
            min_clip_margin: 0.03,
            max_reference_frames: 48,
            handles: 0,
        }
    }
}

/// Signatures of reference frames by record frame (counted like the list's record timecode,
/// at its rate).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferenceFrames {
    /// Record frame -> signature.
    pub frames: BTreeMap<i64, FrameSignature>,
}

/// What the perceptual rule concluded for one event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One clip clearly fits; the event was ambiguous or missing and is now matched.
    Resolved,
    /// The metadata match was checked and agrees (same clip, same in-point).
    Confirmed,
    /// The metadata match was checked and the pictures disagree (warning).
    Disagrees,
    /// Several clips fit about equally well; no pick.
    Ambiguous,
    /// No clip looks like the reference.
    NoMatch,
    /// The event's speed cannot be aligned (only normal speed and freeze frames are).
    Unsupported,
}

/// One clip's best alignment for an event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerceptualCandidate {
    /// The clip.
    pub clip_id: String,
    /// The source frames the event shows on the clip's timecode (no handles).
    pub source_frames: FrameRange,
    /// Mean combined distance (0 same picture .. 1).
    pub distance: f64,
    /// Mean pHash Hamming distance (0..64).
    pub mean_hamming: f64,
    /// Reference frames compared.
    pub frames_compared: usize,
    /// Lead of the best offset over offsets 2 or more frames away.
    pub offset_margin: Option<f64>,
    /// In-point uncertainty in frames (0: sharp).
    pub offset_spread: u64,
}

/// The perceptual evidence recorded on an event of the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerceptualEvidence {
    /// The conclusion.
    pub verdict: Verdict,
    /// Confidence out of 100 from the distance and the margin to the next clip.
    pub score: u8,
    /// The best clip's mean combined distance.
    pub distance: Option<f64>,
    /// Lead of the best clip over the next (`None`: only one clip could be aligned).
    pub clip_margin: Option<f64>,
    /// Reference frames available for the event.
    pub reference_frames: usize,
    /// The clips aligned, best first (at most five).
    pub candidates: Vec<PerceptualCandidate>,
    /// Why.
    pub reasons: Vec<String>,
}

/// Runs the perceptual rule over `report` (made by `match_edl` from `edl` and `clips`) with the
/// clips' `signatures` and the `reference` frames; recounts the summary. Events without
/// reference frames, black events and clips without signatures are left as they are.
pub fn apply_perceptual(
    report: &mut MatchReport,
    edl: &Edl,
    clips: &[LibraryClip],
    signatures: &[ClipSignatures],
    reference: &ReferenceFrames,
    options: &PerceptualOptions,
) -> Result<()> {
    if report.events.len() != edl.events.len() {
        return Err(Error::PerceptualInput {
            what: "match report".into(),
            problem: format!(
                "{} event lines, the list has {}",
                report.events.len(),
                edl.events.len()
            ),
        });
    }
    for s in signatures {
        s.validate()?;
    }
    let pool: Vec<(&LibraryClip, &ClipSignatures)> = signatures
        .iter()
        .filter_map(|s| {
            clips
                .iter()
                .find(|c| c.clip_id == s.clip_id)
                .map(|c| (c, s))
        })
        .collect();
    for (result, event) in report.events.iter_mut().zip(&edl.events) {
        if matches!(result.outcome, Outcome::Skipped { .. }) {
            continue;
        }
        let frames = event_reference(event, reference, options.max_reference_frames);
        if frames.is_empty() {
            continue;
        }
        let evidence = evaluate(event, &frames, &pool, options);
        apply(result, event, evidence, clips, options);
    }
    report.summary = MatchSummary::of(&report.events);
    Ok(())
}

/// The event's reference frames as (frame index from its record in, signature), at most `max`
/// spread evenly.
fn event_reference(
    event: &Event,
    reference: &ReferenceFrames,
    max: usize,
) -> Vec<(u64, FrameSignature)> {
    let start = event.record.start;
    let all: Vec<(u64, FrameSignature)> = reference
        .frames
        .range(start..event.record.end_exclusive.max(start))
        .filter_map(|(&frame, &sig)| Some((u64::try_from(frame - start).ok()?, sig)))
        .collect();
    if all.len() <= max.max(1) {
        return all;
    }
    let max = max.max(1);
    (0..max)
        .filter_map(|i| all.get(i * (all.len() - 1) / (max - 1).max(1)).copied())
        .collect()
}

fn evaluate(
    event: &Event,
    frames: &[(u64, FrameSignature)],
    pool: &[(&LibraryClip, &ClipSignatures)],
    options: &PerceptualOptions,
) -> PerceptualEvidence {
    let mut evidence = PerceptualEvidence {
        verdict: Verdict::NoMatch,
        score: 0,
        distance: None,
        clip_margin: None,
        reference_frames: frames.len(),
        candidates: Vec::new(),
        reasons: Vec::new(),
    };
    let motion = match &event.speed {
        None => Motion::Normal,
        Some(speed) if speed.is_freeze() => Motion::Freeze,
        Some(speed) if (speed.ratio(event.rate) - 1.0).abs() < 1e-6 => Motion::Normal,
        Some(speed) => {
            evidence.verdict = Verdict::Unsupported;
            evidence.reasons.push(format!(
                "speed {:.3} fps: perceptual alignment handles normal speed and freeze frames only",
                speed.fps
            ));
            return evidence;
        }
    };
    let mut candidates: Vec<PerceptualCandidate> = pool
        .iter()
        .filter_map(|(clip, signatures)| {
            let a = align(frames, signatures, motion)?;
            let start = clip
                .start
                .checked_add(i64::try_from(a.source_offset).ok()?)?;
            let length = match motion {
                Motion::Normal => event.record.len(),
                Motion::Freeze => 1,
            };
            Some(PerceptualCandidate {
                clip_id: clip.clip_id.clone(),
                source_frames: FrameRange::from_start_len(start, length).ok()?,
                distance: a.distance,
                mean_hamming: a.mean_hamming,
                frames_compared: a.frames_compared,
                offset_margin: a.offset_margin,
                offset_spread: a.offset_spread,
            })
        })
        .collect();
    candidates.sort_by(|a, b| {
        a.distance
            .total_cmp(&b.distance)
            .then(a.clip_id.cmp(&b.clip_id))
    });
    candidates.truncate(5);
    evidence.candidates = candidates;
    let Some(best) = evidence.candidates.first() else {
        evidence
            .reasons
            .push("no clip with signatures is long enough to hold the event".into());
        return evidence;
    };
    evidence.distance = Some(best.distance);
    let margin = evidence
        .candidates
        .get(1)
        .map(|c| c.distance - best.distance);
    evidence.clip_margin = margin;
    if best.distance > options.max_distance {
        evidence.reasons.push(format!(
            "no clip looks like the reference: the closest, {}, is at distance {:.3} \
             (mean {:.1} pHash bits), more than {:.3}",
            best.clip_id, best.distance, best.mean_hamming, options.max_distance
        ));
        return evidence;
    }
    let closeness = (1.0 - best.distance / options.max_distance).clamp(0.0, 1.0);
    let lead = margin.map_or(1.0, |m| {
        (m / (3.0 * options.min_clip_margin)).clamp(0.0, 1.0)
    });
    evidence.score = (100.0 * closeness * lead).round().clamp(0.0, 100.0) as u8;
    if margin.is_some_and(|m| m < options.min_clip_margin) {
        evidence.verdict = Verdict::Ambiguous;
        let close: Vec<String> = evidence
            .candidates
            .iter()
            .filter(|c| c.distance - best.distance < options.min_clip_margin)
            .map(|c| format!("{} ({:.3})", c.clip_id, c.distance))
            .collect();
        evidence.reasons.push(format!(
            "{} clips look alike within {:.3}: {}; not picking one",
            close.len(),
            options.min_clip_margin,
            close.join(", ")
        ));
        return evidence;
    }
    evidence.verdict = Verdict::Resolved;
    evidence.reasons.push(format!(
        "{} reference frames align with {} at {} (distance {:.3}, mean {:.1} pHash bits{})",
        best.frames_compared,
        best.clip_id,
        best.source_frames,
        best.distance,
        best.mean_hamming,
        match margin {
            Some(m) => format!(", {m:.3} ahead of the next clip"),
            None => ", the only clip that could be aligned".into(),
        }
    ));
    evidence
}

/// Folds the evidence into the event's outcome.
fn apply(
    result: &mut EventMatch,
    event: &Event,
    mut evidence: PerceptualEvidence,
    clips: &[LibraryClip],
    options: &PerceptualOptions,
) {
    let best = evidence.candidates.first().cloned();
    match (&result.outcome, evidence.verdict, best) {
        (Outcome::Matched { clip_id, .. }, verdict, best) => {
            let clip_id = clip_id.clone();
            let expected = clips
                .iter()
                .find(|c| c.clip_id == clip_id)
                .and_then(|c| to_clip_frames(event.source, event.source_rate, c.rate).ok())
                .map(|(range, _)| range.start);
            match (verdict, best) {
                (Verdict::Resolved, Some(best)) if best.clip_id != clip_id => {
                    evidence.verdict = Verdict::Disagrees;
                    result.warnings.push(format!(
                        "perceptual check disagrees: the reference frames look like {} at {} \
                         (distance {:.3}), not the matched {clip_id}",
                        best.clip_id, best.source_frames, best.distance
                    ));
                }
                (Verdict::Resolved, Some(best))
                    if !expected.is_some_and(|e| {
                        e.abs_diff(best.source_frames.start) <= best.offset_spread
                    }) =>
                {
                    evidence.verdict = Verdict::Disagrees;
                    result.warnings.push(format!(
                        "perceptual check disagrees on the in-point: the reference frames align \
                         at source frame {}, the metadata says {}",
                        best.source_frames.start,
                        expected.map_or("nothing".into(), |e| e.to_string())
                    ));
                }
                (Verdict::Resolved, Some(best)) => {
                    evidence.verdict = Verdict::Confirmed;
                    result.reasons.push(if best.offset_spread == 0 {
                        "perceptual check agrees (same clip, same in-point)".into()
                    } else {
                        format!(
                            "perceptual check agrees (same clip; in-point within the pictures' \
                             uncertainty of {} frames)",
                            best.offset_spread
                        )
                    });
                }
                (Verdict::NoMatch, _) => result.warnings.push(
                    "perceptual check: the reference frames do not look like any clip".into(),
                ),
                _ => {}
            }
        }
        (Outcome::Ambiguous { .. } | Outcome::Missing { .. }, Verdict::Resolved, Some(best)) => {
            let was = result.outcome.kind();
            let available = clips
                .iter()
                .find(|c| c.clip_id == best.clip_id)
                .and_then(|c| c.frames().ok());
            let frames = with_handles(best.source_frames, available, options.handles, result);
            if best.offset_spread > 0 {
                result.warnings.push(format!(
                    "in-point uncertain by up to {} frames (static or repeating picture)",
                    best.offset_spread
                ));
            }
            if let Outcome::Ambiguous { candidates } = &result.outcome
                && !candidates.iter().any(|c| c.clip_id == best.clip_id)
            {
                result.warnings.push(format!(
                    "the pictures chose {}, which was not among the metadata's candidates",
                    best.clip_id
                ));
            }
            result.reasons.push(format!(
                "metadata left the event {was}; resolved perceptually"
            ));
            result.reasons.extend(evidence.reasons.iter().cloned());
            result.candidates.insert(
                0,
                Candidate {
                    clip_id: best.clip_id.clone(),
                    rule: Rule::Perceptual,
                    score: evidence.score,
                    plausible: true,
                    reasons: evidence.reasons.clone(),
                },
            );
            result.outcome = Outcome::Matched {
                clip_id: best.clip_id,
                source_frames: frames,
                rule: Rule::Perceptual,
                score: evidence.score,
            };
        }
        (Outcome::Missing { .. }, Verdict::Ambiguous, _) => {
            result.reasons.extend(evidence.reasons.iter().cloned());
            result.outcome = Outcome::Ambiguous {
                candidates: evidence
                    .candidates
                    .iter()
                    .filter(|c| {
                        evidence
                            .distance
                            .is_some_and(|d| c.distance - d < options.min_clip_margin)
                    })
                    .map(|c| Candidate {
                        clip_id: c.clip_id.clone(),
                        rule: Rule::Perceptual,
                        score: evidence.score,
                        plausible: true,
                        reasons: vec![format!(
                            "aligns at {} with distance {:.3}",
                            c.source_frames, c.distance
                        )],
                    })
                    .collect(),
            };
        }
        _ => result.reasons.extend(evidence.reasons.iter().cloned()),
    }
    result.perceptual = Some(evidence);
}

/// `core` plus handles, clipped to `available` with a warning.
fn with_handles(
    core: FrameRange,
    available: Option<FrameRange>,
    handles: u64,
    result: &mut EventMatch,
) -> FrameRange {
    let wanted = core.extended(handles, handles);
    let Some(available) = available else {
        return wanted;
    };
    let start = wanted.start.max(available.start);
    let end = wanted.end_exclusive.min(available.end_exclusive).max(start);
    if start != wanted.start || end != wanted.end_exclusive {
        result.warnings.push(format!(
            "handles run past the media: wanted {wanted}, the clip holds {available}"
        ));
    }
    FrameRange {
        start,
        end_exclusive: end,
    }
}
