//! The edit-list model every reader (CMX3600, OpenTimelineIO) produces: events with rate-aware
//! source and record ranges, transitions, speed changes, names, locators and CDLs.

use serde::{Deserialize, Serialize};

use crate::timecode::{FrameRange, FrameRate, Timecode};

/// An edit decision list: a title and its events in the order they were written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edl {
    /// The `TITLE:` line (or the timeline name), if any.
    pub title: Option<String>,
    /// The frame rate the list was read at (the caller's rate; events carry their own
    /// drop-frame setting from `FCM` lines).
    pub rate: FrameRate,
    /// Every event line, in order. A transition is written in CMX3600 as two lines with one
    /// event number (the outgoing source, usually zero length, then the incoming one with the
    /// transition): both are events here, sharing [`Event::number`].
    pub events: Vec<Event>,
    /// Things the reader recovered from rather than refusing (unknown lines, malformed CDL
    /// comments, locators it could not read), each with its line number.
    pub warnings: Vec<Warning>,
}

impl Edl {
    /// The events grouped as written: consecutive lines sharing an event number (one line for
    /// a cut, two for a transition: outgoing then incoming).
    pub fn event_groups(&self) -> Vec<&[Event]> {
        let mut groups = Vec::new();
        let mut rest = self.events.as_slice();
        while let Some(first) = rest.first() {
            let len = rest.iter().take_while(|e| e.number == first.number).count();
            let (group, tail) = rest.split_at(len);
            groups.push(group);
            rest = tail;
        }
        groups
    }
}

/// Something a reader skipped or repaired, with where.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// 1-based line number (0 when the input has no lines, as in JSON).
    pub line: usize,
    /// What was wrong and what the reader did.
    pub message: String,
}

/// One edit: a piece of a source laid onto the record timeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// The event number as written (shared by the two lines of a transition).
    pub number: u32,
    /// 1-based line number of the event line (0 for inputs without lines).
    pub line: usize,
    /// The reel (tape / source) name as written on the event line; `BL` and `AX` are special.
    pub reel: String,
    /// What kind of source the reel names.
    pub source_kind: SourceKind,
    /// The tracks the event affects.
    pub channels: Channels,
    /// How this event starts: cut, dissolve, wipe or key.
    pub transition: Transition,
    /// The rate of the event's timecodes, with the drop-frame counting in effect (`FCM`).
    pub rate: FrameRate,
    /// The rate the source timecodes were counted at: [`Event::rate`], unless the lenient
    /// reader had to read them at a faster standard rate (a 30 fps source in a 24 fps list).
    pub source_rate: FrameRate,
    /// Source frames `[in, out)` as written, counted from `00:00:00:00` at
    /// [`Event::source_rate`].
    pub source: FrameRange,
    /// Record frames `[in, out)`, counted from `00:00:00:00` at [`Event::rate`].
    pub record: FrameRange,
    /// A motion effect (`M2` line) applying to this event's reel, if any.
    pub speed: Option<Speed>,
    /// The clip name from comments (`FROM CLIP NAME`, or `TO CLIP NAME` for the incoming side
    /// of a transition); in OTIO the clip's name.
    pub clip_name: Option<String>,
    /// `SOURCE FILE:`: the full source name (long reel or camera clip name).
    pub source_file: Option<String>,
    /// `FROM CLIP:` (Avid) / `FROM FILE:` (Nucoda) path, or an OTIO media reference URL.
    pub media_path: Option<String>,
    /// Locators (`LOC:` comments, OTIO markers) on this event. For a two-line transition they
    /// sit on the second (incoming) line.
    pub locators: Vec<Locator>,
    /// The ASC CDL carried by `ASC_SOP` / `ASC_SAT` comments (both lines of a transition carry
    /// the event's CDL, as do its `SOURCE FILE` and media path).
    pub cdl: Option<Cdl>,
    /// The transition's effect name (`EFFECTS NAME IS ...`), if given (on the incoming line).
    pub effect_name: Option<String>,
    /// Every comment and extra line of the event as written (trimmed), recognised or not
    /// (`M2`, `AUD`, `SPLIT`, `REM` lines included); on the last line of a transition. For
    /// OTIO, the `cmx_3600.comments` metadata.
    pub comments: Vec<String>,
}

impl Event {
    /// Source in as a timecode label (wrapping at midnight).
    pub fn source_in(&self) -> Timecode {
        Timecode::from_frame_wrapping(self.source.start, self.source_rate)
    }

    /// Source out (exclusive) as a timecode label (wrapping at midnight).
    pub fn source_out(&self) -> Timecode {
        Timecode::from_frame_wrapping(self.source.end_exclusive, self.source_rate)
    }

    /// Record in as a timecode label (wrapping at midnight).
    pub fn record_in(&self) -> Timecode {
        Timecode::from_frame_wrapping(self.record.start, self.rate)
    }

    /// Record out (exclusive) as a timecode label (wrapping at midnight).
    pub fn record_out(&self) -> Timecode {
        Timecode::from_frame_wrapping(self.record.end_exclusive, self.rate)
    }

    /// The best name for the source: clip name, else source file, else reel.
    pub fn display_name(&self) -> &str {
        self.clip_name
            .as_deref()
            .or(self.source_file.as_deref())
            .unwrap_or(&self.reel)
    }
}

/// What a reel field names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum SourceKind {
    /// A real source (tape, file, clip).
    Reel,
    /// `BL` / `BLACK`: black video or silence.
    Black,
    /// `AX`: an auxiliary source (the name is in comments).
    Aux,
}

/// The tracks an event affects.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Channels {
    /// Whether the picture is affected.
    pub video: bool,
    /// Audio channel numbers affected (1-based, ascending, no repeats).
    pub audio: Vec<u8>,
}

/// How an event begins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transition {
    /// `C`: a straight cut.
    Cut,
    /// `D nnn`: a dissolve from the previous source over `frames` frames.
    Dissolve {
        /// Duration in record frames.
        frames: u32,
    },
    /// `Wnnn nnn`: SMPTE wipe pattern `pattern` over `frames` frames.
    Wipe {
        /// The wipe pattern number.
        pattern: u16,
        /// Duration in record frames.
        frames: u32,
    },
    /// `K`, `KB` (`K B`), `KO` (`K O`): a key event; `frames` is its fade duration.
    Key {
        /// Which layer of the key this line is.
        kind: KeyKind,
        /// Fade duration in record frames (0 when not given).
        frames: u32,
    },
}

impl Transition {
    /// Duration in frames (0 for a cut).
    pub fn frames(self) -> u32 {
        match self {
            Self::Cut => 0,
            Self::Dissolve { frames } | Self::Wipe { frames, .. } | Self::Key { frames, .. } => {
                frames
            }
        }
    }
}

/// The layer a key event line describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum KeyKind {
    /// `KB`: the background.
    Background,
    /// `K`: the foreground (the key fill).
    Foreground,
    /// `KO`: key out, the foreground removed.
    Out,
}

/// A motion effect (`M2 <reel> <fps> <source tc>`): the source plays at `fps` frames per second
/// (negative: reverse, 0: freeze frame).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Speed {
    /// The reel named on the M2 line.
    pub reel: String,
    /// The playback speed in source frames per second, as written.
    pub fps: f64,
    /// The source frame the effect starts from (the M2 line's timecode).
    pub entry_frame: i64,
    /// 1-based line number of the M2 line (0 for OTIO).
    pub line: usize,
}

impl Speed {
    /// Speed as a fraction of normal play at `rate` (1.0 normal, 0.5 half speed, -1.0 reverse).
    pub fn ratio(&self, rate: FrameRate) -> f64 {
        self.fps / rate.as_f64()
    }

    /// Whether the source is held on one frame.
    pub fn is_freeze(&self) -> bool {
        self.fps == 0.0
    }

    /// Whether the source plays backwards.
    pub fn is_reverse(&self) -> bool {
        self.fps < 0.0
    }
}

/// A locator (marker) on the record timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Locator {
    /// Record frame of the locator at the event's rate (CMX3600 `LOC` timecodes are record
    /// timecodes; OTIO markers are moved from the clip's media time to the record timeline).
    pub frame: i64,
    /// The timecode as written (`01:00:01:14`, `1:00:01;14`), empty when it came from OTIO.
    pub timecode: String,
    /// The colour word, if any (`RED`, `GREEN`, ...; as written).
    pub color: Option<String>,
    /// The locator's text.
    pub text: String,
    /// 1-based line number (0 for OTIO).
    pub line: usize,
}

/// An ASC CDL: slope, offset, power per RGB channel and saturation.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Cdl {
    /// Slope (default 1).
    pub slope: [f64; 3],
    /// Offset (default 0).
    pub offset: [f64; 3],
    /// Power (default 1).
    pub power: [f64; 3],
    /// Saturation (default 1).
    pub saturation: f64,
    /// Whether an `ASC_SOP` was given (else slope/offset/power are defaults).
    pub has_sop: bool,
    /// Whether an `ASC_SAT` was given (else saturation is the default).
    pub has_sat: bool,
}

impl Default for Cdl {
    fn default() -> Self {
        Self {
            slope: [1.0; 3],
            offset: [0.0; 3],
            power: [1.0; 3],
            saturation: 1.0,
            has_sop: false,
            has_sat: false,
        }
    }
}
