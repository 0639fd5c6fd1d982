//! The matching rules, in order: exact, fuzzy, timecode only; scoring every candidate and
//! deciding matched / ambiguous / missing for each event line.

use super::candidate::{CameraName, LibraryClip};
use super::frames::{core_frames, to_clip_frames, transition_tails};
use super::names::{EventNames, NameStrength, name_evidence};
use super::report::{Candidate, EventMatch, MatchReport, MatchSummary, Outcome, Rule};
use crate::Result;
use crate::edl::{Edl, Event, SourceKind};
use crate::timecode::{FrameRange, Timecode};

/// Points a timecode-only fit is worth.
const TIMECODE_ONLY_SCORE: u8 = 40;
/// Near misses listed for a missing event.
const MAX_NEAR_MISSES: usize = 5;
/// Candidates listed per event.
const MAX_CANDIDATES: usize = 10;

/// How to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MatchOptions {
    /// Extra source frames wanted before and after each event (clipped to the media).
    pub handles: u64,
    /// Whether to match on source timecode alone when no clip shares any name with the event.
    pub timecode_only: bool,
}

impl Default for MatchOptions {
    fn default() -> Self {
        Self {
            handles: 0,
            timecode_only: true,
        }
    }
}

/// A library clip with what the matcher derives from it once.
struct Prepared<'a> {
    clip: &'a LibraryClip,
    frames: FrameRange,
    shoot_day: Option<String>,
}

/// One candidate's evaluation for one event.
struct Evaluation {
    candidate: Candidate,
    /// Whether names tied the event to the clip at all.
    named: bool,
    /// The event's core frames on the clip's timecode, when they convert.
    core_on_clip: Option<FrameRange>,
}

/// Matches every event line of `edl` against `clips`. Errors only on an unusable clip
/// (named by its index); every event gets an outcome.
pub fn match_edl(edl: &Edl, clips: &[LibraryClip], options: &MatchOptions) -> Result<MatchReport> {
    let mut prepared = Vec::with_capacity(clips.len());
    for (index, clip) in clips.iter().enumerate() {
        clip.validate(index)?;
        prepared.push(Prepared {
            clip,
            frames: clip.frames()?,
            shoot_day: clip.shoot_day(),
        });
    }
    let tails = transition_tails(&edl.events);
    // Lines of a transition between different reels share their SOURCE FILE / media path.
    let shared: Vec<bool> = edl
        .event_groups()
        .into_iter()
        .flat_map(|group| {
            let mixed = group
                .first()
                .is_some_and(|first| group.iter().any(|e| e.reel != first.reel));
            std::iter::repeat_n(mixed, group.len())
        })
        .collect();
    let events = edl
        .events
        .iter()
        .zip(tails)
        .zip(shared)
        .map(|((event, tail), shared)| match_event(event, tail, shared, &prepared, options))
        .collect::<Vec<_>>();
    Ok(MatchReport {
        title: edl.title.clone(),
        handles: options.handles,
        summary: MatchSummary::of(&events),
        events,
    })
}

fn match_event(
    event: &Event,
    tail: u64,
    shared: bool,
    clips: &[Prepared<'_>],
    options: &MatchOptions,
) -> EventMatch {
    let mut result = EventMatch {
        number: event.number,
        line: event.line,
        reel: event.reel.clone(),
        name: event.display_name().to_string(),
        outcome: Outcome::Skipped {
            reason: String::new(),
        },
        reasons: Vec::new(),
        warnings: Vec::new(),
        candidates: Vec::new(),
        perceptual: None,
    };
    if event.source_kind == SourceKind::Black {
        result.outcome = Outcome::Skipped {
            reason: "black (BL): no source".into(),
        };
        return result;
    }
    let names = EventNames::of(event, shared);
    let date_hint = names.date_hint();
    let core = core_frames(event, tail, &mut result.warnings);
    if tail > 0 {
        result.warnings.push(format!(
            "plays {tail} frames past its out point under a transition"
        ));
    }
    let mut evaluations: Vec<Evaluation> = clips
        .iter()
        .filter_map(|clip| evaluate(event, &names, date_hint.as_deref(), core, clip))
        .collect();
    let any_named = evaluations.iter().any(|e| e.named);
    // Timecode-only fits count only when no clip shares a name with the event.
    for evaluation in &mut evaluations {
        if !evaluation.named && evaluation.candidate.plausible {
            if any_named {
                evaluation.candidate.plausible = false;
                evaluation
                    .candidate
                    .reasons
                    .push("another clip shares a name with the event".into());
            } else if !options.timecode_only {
                evaluation.candidate.plausible = false;
                evaluation
                    .candidate
                    .reasons
                    .push("timecode-only matching is off".into());
            }
        }
    }
    evaluations.sort_by(|a, b| {
        b.candidate
            .plausible
            .cmp(&a.candidate.plausible)
            .then(tier(a.candidate.rule).cmp(&tier(b.candidate.rule)))
            .then(b.candidate.score.cmp(&a.candidate.score))
            .then(a.candidate.clip_id.cmp(&b.candidate.clip_id))
    });
    result.candidates = evaluations
        .iter()
        .take(MAX_CANDIDATES)
        .map(|e| e.candidate.clone())
        .collect();
    let best_tier = evaluations
        .iter()
        .filter(|e| e.candidate.plausible)
        .map(|e| tier(e.candidate.rule))
        .min();
    let Some(best_tier) = best_tier else {
        let near_misses: Vec<Candidate> = evaluations
            .into_iter()
            .take(MAX_NEAR_MISSES)
            .map(|e| e.candidate)
            .collect();
        result.reasons.push(if names.is_empty() {
            "the event carries no name and no clip's timecode holds its source range".into()
        } else {
            format!(
                "no clip fits {} with source {}",
                names
                    .names
                    .iter()
                    .map(|(origin, name)| format!("{origin} `{name}`"))
                    .collect::<Vec<_>>()
                    .join(", "),
                describe_range(event)
            )
        });
        result.outcome = Outcome::Missing { near_misses };
        return result;
    };
    let top: Vec<&Evaluation> = evaluations
        .iter()
        .filter(|e| e.candidate.plausible && tier(e.candidate.rule) == best_tier)
        .collect();
    if let [winner] = top.as_slice() {
        let candidate = &winner.candidate;
        result.reasons.extend(candidate.reasons.iter().cloned());
        for other in evaluations.iter().filter(|e| e.candidate.plausible) {
            if other.candidate.clip_id != candidate.clip_id {
                result.reasons.push(format!(
                    "also fits {} by the weaker {} rule (score {})",
                    other.candidate.clip_id,
                    other.candidate.rule.name(),
                    other.candidate.score
                ));
            }
        }
        if candidate.rule == Rule::TimecodeOnly {
            result.warnings.push(format!(
                "matched on source timecode only: no clip carries the event's names{}",
                if date_hint.is_some() {
                    ""
                } else {
                    " (and the event names no shoot day)"
                }
            ));
        }
        let clip = clips.iter().find(|c| c.clip.clip_id == candidate.clip_id);
        let frames = match (clip, winner.core_on_clip) {
            (Some(clip), Some(core)) => pull_frames(core, clip, options.handles, &mut result),
            _ => FrameRange {
                start: 0,
                end_exclusive: 0,
            },
        };
        result.outcome = Outcome::Matched {
            clip_id: candidate.clip_id.clone(),
            source_frames: frames,
            rule: candidate.rule,
            score: candidate.score,
        };
    } else {
        result.reasons.push(format!(
            "{} clips fit by the {} rule; not picking one",
            top.len(),
            top.first().map_or("", |e| e.candidate.rule.name())
        ));
        result.outcome = Outcome::Ambiguous {
            candidates: top.iter().map(|e| e.candidate.clone()).collect(),
        };
    }
    result
}

/// Rule order: lower is tried first.
fn tier(rule: Rule) -> u8 {
    match rule {
        Rule::Exact => 0,
        Rule::Fuzzy => 1,
        Rule::TimecodeOnly => 2,
        Rule::Perceptual => 3,
    }
}

/// Scores `clip` for `event`; `None` when neither names nor timecode relate them.
fn evaluate(
    event: &Event,
    names: &EventNames,
    date_hint: Option<&str>,
    core: FrameRange,
    prepared: &Prepared<'_>,
) -> Option<Evaluation> {
    let clip = prepared.clip;
    let evidence = name_evidence(names, clip);
    let mut reasons = Vec::new();
    let mut plausible = true;
    let mut score: i32;
    let mut rule;
    match &evidence {
        Some((strength, reason)) => {
            reasons.push(reason.clone());
            score = i32::from(strength.score());
            rule = if *strength == NameStrength::Exact {
                Rule::Exact
            } else {
                Rule::Fuzzy
            };
        }
        None => {
            score = i32::from(TIMECODE_ONLY_SCORE);
            rule = Rule::TimecodeOnly;
        }
    }
    let converted = to_clip_frames(core, event.source_rate, clip.rate);
    let core_on_clip = match &converted {
        Ok((range, exact)) => {
            if event.source_rate != clip.rate {
                if *exact {
                    reasons.push(format!(
                        "event rate {} vs clip rate {}: same timecode labels, converted exactly",
                        event.source_rate, clip.rate
                    ));
                    score -= 2;
                } else {
                    reasons.push(format!(
                        "event rate {} vs clip rate {}: timecode labels kept, frames rounded \
                         to the nearest",
                        event.source_rate, clip.rate
                    ));
                    score -= 15;
                    if rule == Rule::Exact {
                        rule = Rule::Fuzzy;
                    }
                }
            }
            Some(*range)
        }
        Err(problem) => {
            reasons.push(format!(
                "source range does not convert to the clip: {problem}"
            ));
            plausible = false;
            None
        }
    };
    let clip_range = prepared.frames;
    let inside = core_on_clip.is_some_and(|r| contains(clip_range, r));
    let overlaps = core_on_clip.is_some_and(|r| {
        r.intersection(clip_range).is_some() || (r.is_empty() && contains(clip_range, r))
    });
    if evidence.is_none() && !overlaps {
        return None;
    }
    let clip_tc = describe_clip(prepared);
    if inside {
        reasons.push(format!(
            "source {} lies inside the clip's timecode {clip_tc}",
            describe_range(event)
        ));
    } else if core_on_clip.is_some() {
        plausible = false;
        score -= if overlaps { 20 } else { 40 };
        reasons.push(format!(
            "source {} {} the clip's timecode {clip_tc}",
            describe_range(event),
            if overlaps {
                "runs past"
            } else {
                "lies outside"
            }
        ));
    }
    if let (Some(hint), Some(day)) = (date_hint, prepared.shoot_day.as_deref()) {
        if hint == day {
            reasons.push(format!("same shoot day {day}"));
        } else {
            plausible = false;
            score -= 30;
            reasons.push(format!("shot on {day}, the event's name says {hint}"));
        }
    }
    if evidence.is_none()
        && let (Some(event_cam), Some(clip_cam)) = (
            names.names.iter().find_map(|(_, n)| CameraName::parse(n)),
            clip.camera_name(),
        )
        && event_cam.key() != clip_cam.key()
    {
        plausible = false;
        reasons.push(format!(
            "camera clip {} is not the event's {}",
            clip_cam.short(),
            event_cam.short()
        ));
    }
    let score = u8::try_from(score.clamp(0, 100)).unwrap_or(0);
    Some(Evaluation {
        candidate: Candidate {
            clip_id: clip.clip_id.clone(),
            rule,
            score,
            plausible,
            reasons,
        },
        named: evidence.is_some(),
        core_on_clip,
    })
}

/// Whether `inner` lies in `outer` (an empty range: its position does).
fn contains(outer: FrameRange, inner: FrameRange) -> bool {
    if inner.is_empty() {
        outer.start <= inner.start && inner.start <= outer.end_exclusive
    } else {
        outer.start <= inner.start && inner.end_exclusive <= outer.end_exclusive
    }
}

/// The frames to pull: the core plus handles, clipped to the clip with a warning.
fn pull_frames(
    core: FrameRange,
    clip: &Prepared<'_>,
    handles: u64,
    result: &mut EventMatch,
) -> FrameRange {
    let wanted = core.extended(handles, handles);
    let available = clip.frames;
    let start = wanted.start.max(available.start);
    let end = wanted.end_exclusive.min(available.end_exclusive).max(start);
    let short_head = start.saturating_sub(wanted.start);
    let short_tail = wanted.end_exclusive.saturating_sub(end);
    if short_head > 0 || short_tail > 0 {
        result.warnings.push(format!(
            "handles run past the media: wanted {wanted}, the clip holds {available}; \
             {short_head} frames short at the head, {short_tail} at the tail"
        ));
    }
    FrameRange {
        start,
        end_exclusive: end,
    }
}

/// `01:00:00:00-01:00:02:00` for the event's written source range.
fn describe_range(event: &Event) -> String {
    format!("{}-{}", event.source_in(), event.source_out())
}

/// The clip's timecode range and rate.
fn describe_clip(clip: &Prepared<'_>) -> String {
    let rate = clip.clip.rate;
    format!(
        "{}-{} @ {rate}",
        Timecode::from_frame_wrapping(clip.frames.start, rate),
        Timecode::from_frame_wrapping(clip.frames.end_exclusive, rate)
    )
}
