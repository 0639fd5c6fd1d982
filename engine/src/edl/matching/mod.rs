//! Matching an edit list's events to library clips: exact, fuzzy and timecode-only rules with
//! scores and reasons, ambiguity and near misses, and the source frames each event needs
//! (speed changes, dissolves, handles).

mod candidate;
mod frames;
mod from_inspect;
mod matcher;
mod names;
pub mod perceptual;
mod report;

pub use candidate::{CameraName, LibraryClip, normalise_date, strip_path_and_extension};
pub use frames::{core_frames, to_clip_frames, transition_tails};
pub use from_inspect::library_clip;
pub use matcher::{MatchOptions, match_edl};
pub use names::{EventNames, NameStrength, name_evidence, normalise};
pub use report::{Candidate, EventMatch, MatchReport, MatchSummary, Outcome, Rule};
