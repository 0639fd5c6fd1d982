//! The match report: per event line, the outcome (matched, ambiguous, missing, skipped) with
//! the rule, score, candidates and reasons; summary counts; a fixed-width table rendering.

use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::perceptual::PerceptualEvidence;
use crate::timecode::FrameRange;

/// Which matching rule tied an event to a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Reel or clip name equal as written, source range inside the clip's timecode, rates
    /// equal or converted exactly.
    Exact,
    /// Names equal after normalisation (case, extension, camera naming, 8-character
    /// truncation, roll), or an inexact rate conversion.
    Fuzzy,
    /// No name matched any clip; the source timecode fits this clip alone.
    TimecodeOnly,
    /// Metadata left the event ambiguous or missing; its reference frames look like this clip
    /// (see `EventMatch::perceptual`).
    Perceptual,
}

impl Rule {
    /// The rule's name as in the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Self::Exact => "exact",
            Self::Fuzzy => "fuzzy",
            Self::TimecodeOnly => "timecode_only",
            Self::Perceptual => "perceptual",
        }
    }
}

/// A library clip considered for an event, with the rule it would match by, its score out of
/// 100 and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Candidate {
    /// The clip's library identifier.
    pub clip_id: String,
    /// The rule the evidence belongs to.
    pub rule: Rule,
    /// Evidence strength out of 100.
    pub score: u8,
    /// Whether the clip could be the source (names or timecode fit, range inside the clip,
    /// same shoot day); a near miss when false.
    pub plausible: bool,
    /// What matched and what did not.
    pub reasons: Vec<String>,
}

/// What the matcher decided for one event line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    /// One clip, by the first rule that found any.
    Matched {
        /// The clip's library identifier.
        clip_id: String,
        /// The clip frames to pull (at the clip's rate, counted like its `start`): the frames
        /// the event shows plus handles, clipped to the clip.
        source_frames: FrameRange,
        /// The rule that matched.
        rule: Rule,
        /// Evidence strength out of 100.
        score: u8,
    },
    /// Two or more clips fit equally well by the same rule; none is picked.
    Ambiguous {
        /// The plausible clips, best first.
        candidates: Vec<Candidate>,
    },
    /// No clip fits.
    Missing {
        /// The closest clips and why each failed, best first (at most five).
        near_misses: Vec<Candidate>,
    },
    /// The event needs no source (black).
    Skipped {
        /// Why.
        reason: String,
    },
}

impl Outcome {
    /// The outcome's name as in the JSON (`matched`, `ambiguous`, `missing`, `skipped`).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Matched { .. } => "matched",
            Self::Ambiguous { .. } => "ambiguous",
            Self::Missing { .. } => "missing",
            Self::Skipped { .. } => "skipped",
        }
    }
}

/// The match of one event line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventMatch {
    /// The event number (shared by the two lines of a transition).
    pub number: u32,
    /// 1-based line of the event in the list (0 for OTIO).
    pub line: usize,
    /// The reel as written.
    pub reel: String,
    /// The event's best name (clip name, else source file, else reel).
    pub name: String,
    /// The decision.
    pub outcome: Outcome,
    /// Why: the winning evidence, or why nothing won.
    pub reasons: Vec<String>,
    /// Things to check: rate conversions, handles past the media, speed assumptions.
    pub warnings: Vec<String>,
    /// Every clip considered (sharing a name with the event or holding its source timecode),
    /// plausible ones first, then by rule and score; at most ten.
    pub candidates: Vec<Candidate>,
    /// The perceptual rule's evidence, when reference frames were compared for the event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perceptual: Option<PerceptualEvidence>,
}

/// Counts over a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MatchSummary {
    /// Event lines.
    pub events: usize,
    /// Lines matched to one clip.
    pub matched: usize,
    /// Lines with several plausible clips.
    pub ambiguous: usize,
    /// Lines with no clip.
    pub missing: usize,
    /// Lines needing no source.
    pub skipped: usize,
    /// Matches by the exact rule.
    pub exact: usize,
    /// Matches by the fuzzy rule.
    pub fuzzy: usize,
    /// Matches on timecode only.
    pub timecode_only: usize,
    /// Matches by the perceptual rule.
    #[serde(default)]
    pub perceptual: usize,
    /// Lines carrying warnings.
    pub with_warnings: usize,
}

impl MatchSummary {
    /// Counts the outcomes of `events`.
    pub fn of(events: &[EventMatch]) -> Self {
        let mut s = Self {
            events: events.len(),
            ..Self::default()
        };
        for event in events {
            match &event.outcome {
                Outcome::Matched { rule, .. } => {
                    s.matched += 1;
                    match rule {
                        Rule::Exact => s.exact += 1,
                        Rule::Fuzzy => s.fuzzy += 1,
                        Rule::TimecodeOnly => s.timecode_only += 1,
                        Rule::Perceptual => s.perceptual += 1,
                    }
                }
                Outcome::Ambiguous { .. } => s.ambiguous += 1,
                Outcome::Missing { .. } => s.missing += 1,
                Outcome::Skipped { .. } => s.skipped += 1,
            }
            if !event.warnings.is_empty() {
                s.with_warnings += 1;
            }
        }
        s
    }
}

/// The matcher's result for a whole list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MatchReport {
    /// The list's title, if any.
    pub title: Option<String>,
    /// Handles added on each side, in source frames.
    pub handles: u64,
    /// One entry per event line, in list order.
    pub events: Vec<EventMatch>,
    /// Counts.
    pub summary: MatchSummary,
}

impl MatchReport {
    /// A fixed-width table, one row per event line, then indented candidates, reasons and
    /// warnings, then the summary.
    pub fn to_table(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{:<6} {:>5} {:<10} {:<9} {:<24} {:<13} {:>5}  FRAMES",
            "EVENT", "LINE", "REEL", "OUTCOME", "CLIP", "RULE", "SCORE"
        );
        for event in &self.events {
            let (clip, rule, score, frames) = match &event.outcome {
                Outcome::Matched {
                    clip_id,
                    source_frames,
                    rule,
                    score,
                } => (
                    clip_id.clone(),
                    rule.name(),
                    score.to_string(),
                    source_frames.to_string(),
                ),
                Outcome::Ambiguous { candidates } => (
                    format!("{} candidates", candidates.len()),
                    "",
                    String::new(),
                    String::new(),
                ),
                Outcome::Missing { .. } | Outcome::Skipped { .. } => {
                    (String::new(), "", String::new(), String::new())
                }
            };
            let _ = writeln!(
                out,
                "{:<6} {:>5} {:<10} {:<9} {:<24} {:<13} {:>5}  {}",
                event.number,
                event.line,
                fit(&event.reel, 10),
                event.outcome.kind(),
                fit(&clip, 24),
                rule,
                score,
                frames
            );
            let listed = match &event.outcome {
                Outcome::Ambiguous { candidates } => candidates.as_slice(),
                Outcome::Missing { near_misses } => near_misses.as_slice(),
                Outcome::Matched { .. } | Outcome::Skipped { .. } => &[],
            };
            for candidate in listed {
                let _ = writeln!(
                    out,
                    "{:14}? {} ({} {}): {}",
                    "",
                    candidate.clip_id,
                    candidate.rule.name(),
                    candidate.score,
                    candidate.reasons.join("; ")
                );
            }
            for reason in &event.reasons {
                let _ = writeln!(out, "{:14}- {reason}", "");
            }
            for warning in &event.warnings {
                let _ = writeln!(out, "{:14}! {warning}", "");
            }
        }
        let s = &self.summary;
        let _ = writeln!(
            out,
            "{} events: {} matched ({} exact, {} fuzzy, {} timecode only, {} perceptual), \
             {} ambiguous, {} missing, {} skipped; {} with warnings",
            s.events,
            s.matched,
            s.exact,
            s.fuzzy,
            s.timecode_only,
            s.perceptual,
            s.ambiguous,
            s.missing,
            s.skipped,
            s.with_warnings
        );
        out
    }
}

/// `text` cut to `width` characters (with `~` marking the cut).
fn fit(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('~');
    cut
}
