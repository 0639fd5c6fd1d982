//! Name evidence between an event and a library clip: exact equality, normalised equality
//! (case, path, extension), camera naming, 8-character reel truncation and roll names.

use super::candidate::{CameraName, LibraryClip, strip_path_and_extension};
use crate::edl::{Event, SourceKind};

/// The names an event offers for matching, each with where it came from.
#[derive(Debug, Clone)]
pub struct EventNames {
    /// `(origin, name)` pairs: `reel`, `clip name`, `source file`, `media path` (`shared ...`
    /// on a transition between reels), `comment`.
    pub names: Vec<(&'static str, String)>,
}

impl EventNames {
    /// Collects the event's usable names (a `BL`/`AX` reel is not a name). `shared` says the
    /// event is one line of a transition between different reels: its `SOURCE FILE` and media
    /// path are written once for both lines and may name the other side, so they count only
    /// as names found in comments (never exact).
    pub fn of(event: &Event, shared: bool) -> Self {
        let mut names = Vec::new();
        if event.source_kind == SourceKind::Reel && !event.reel.trim().is_empty() {
            names.push(("reel", event.reel.trim().to_string()));
        }
        let (source_file, media_path) = if shared {
            ("shared source file", "shared media path")
        } else {
            ("source file", "media path")
        };
        for (origin, value) in [
            ("clip name", &event.clip_name),
            (source_file, &event.source_file),
            (media_path, &event.media_path),
        ] {
            if let Some(value) = value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                names.push((origin, value.to_string()));
            }
        }
        // Camera clip names mentioned anywhere in the event's other comments.
        for comment in &event.comments {
            for word in comment.split(|c: char| c.is_whitespace() || c == ':' || c == ',') {
                if CameraName::parse(word).is_some() && !names.iter().any(|(_, n)| n == word) {
                    names.push(("comment", word.to_string()));
                }
            }
        }
        Self { names }
    }

    /// The shoot day (`yymmdd`) any of the names carries in camera naming, if one does.
    pub fn date_hint(&self) -> Option<String> {
        self.names
            .iter()
            .find_map(|(_, name)| CameraName::parse(name).and_then(|c| c.date))
    }

    /// Whether the event has any name at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }
}

/// How strongly names tie an event to a clip, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum NameStrength {
    /// An event name equals a clip name character for character.
    Exact,
    /// Equal once case, path and extension are ignored.
    Normalised,
    /// The same camera letter, roll and clip number in different spellings.
    Camera,
    /// The event's name is the clip's name cut to 8 characters (CMX3600 reel fields).
    Truncated,
    /// The event's reel names the clip's roll: the right card, any clip on it.
    Roll,
}

impl NameStrength {
    /// Points this evidence is worth out of 100.
    pub fn score(self) -> u8 {
        match self {
            Self::Exact => 100,
            Self::Normalised => 90,
            Self::Camera => 85,
            Self::Truncated => 75,
            Self::Roll => 55,
        }
    }
}

/// The strongest name evidence between the event's names and the clip, with a reason.
pub fn name_evidence(names: &EventNames, clip: &LibraryClip) -> Option<(NameStrength, String)> {
    let clip_names: Vec<(&str, &str)> = clip
        .reel
        .iter()
        .map(|n| ("reel", n.as_str()))
        .chain(clip.clip_name.iter().map(|n| ("clip name", n.as_str())))
        .chain(clip.file_names.iter().map(|n| ("file", n.as_str())))
        .filter(|(_, n)| !n.trim().is_empty())
        .collect();
    let clip_camera = clip.camera_name();
    let mut best: Option<(NameStrength, String)> = None;
    let mut offer = |strength: NameStrength, reason: String| {
        if best.as_ref().is_none_or(|(b, _)| strength < *b) {
            best = Some((strength, reason));
        }
    };
    for (origin, name) in &names.names {
        let name = name.trim();
        let norm = normalise(name);
        for (clip_origin, clip_name) in &clip_names {
            let clip_name = clip_name.trim();
            // Exact: the event's own reel, clip name or source file equal to the clip's reel
            // or name as written (file names and names found in comments only once
            // normalised).
            if *clip_origin != "file"
                && matches!(*origin, "reel" | "clip name" | "source file")
                && name == clip_name
            {
                offer(
                    NameStrength::Exact,
                    format!("event {origin} `{name}` equals clip {clip_origin}"),
                );
                continue;
            }
            let clip_norm = normalise(clip_name);
            if !norm.is_empty() && norm == clip_norm {
                offer(
                    NameStrength::Normalised,
                    format!(
                        "event {origin} `{name}` equals clip {clip_origin} `{clip_name}` \
                         ignoring case, path and extension"
                    ),
                );
            } else if is_truncation(&norm, &clip_norm) {
                offer(
                    NameStrength::Truncated,
                    format!(
                        "event {origin} `{name}` is clip {clip_origin} `{clip_name}` cut to \
                         8 characters"
                    ),
                );
            }
        }
        if let (Some(event_camera), Some(clip_camera)) = (CameraName::parse(name), &clip_camera)
            && event_camera.key() == clip_camera.key()
        {
            offer(
                NameStrength::Camera,
                format!(
                    "event {origin} `{name}` and the clip are camera clip {}",
                    clip_camera.short()
                ),
            );
        }
        if *origin == "reel"
            && let Some(roll) = clip.roll.as_deref()
            && !roll.trim().is_empty()
            && normalise(roll) == norm
        {
            offer(
                NameStrength::Roll,
                format!("event reel `{name}` is the clip's roll"),
            );
        }
    }
    best
}

/// Upper case, no path, no extension, trailing dots and spaces removed (CMX3600 pads
/// truncated reels with `.`: `Z677_4C.`).
pub fn normalise(name: &str) -> String {
    strip_path_and_extension(name)
        .trim_end_matches(['.', ' '])
        .trim()
        .to_uppercase()
}

/// Whether `event` (already normalised) is `clip` cut to 8 characters: exactly 8 characters
/// long and a strict prefix of the clip name. A shorter reel padded with `.` (`Z677_4C.`) is
/// a whole name, not a cut one.
fn is_truncation(event: &str, clip: &str) -> bool {
    event.chars().count() == 8 && clip.chars().count() > 8 && clip.starts_with(event)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::timecode::FrameRate;

    fn clip(reel: Option<&str>, name: Option<&str>, files: &[&str]) -> LibraryClip {
        LibraryClip {
            clip_id: "c".into(),
            roll: Some("A001".into()),
            reel: reel.map(str::to_string),
            clip_name: name.map(str::to_string),
            file_names: files.iter().map(|f| f.to_string()).collect(),
            camera: None,
            rate: FrameRate::FPS_24,
            start: 0,
            frame_count: 10,
            shoot_date: None,
        }
    }

    fn names(list: &[(&'static str, &str)]) -> EventNames {
        EventNames {
            names: list.iter().map(|(o, n)| (*o, n.to_string())).collect(),
        }
    }

    #[test]
    fn each_strength() {
        let c = clip(
            Some("A001C003"),
            Some("A001C003_230612_R1AB"),
            &["/x/A001C003_230612_R1AB.mxf"],
        );
        let strength = |n: &[(&'static str, &str)]| name_evidence(&names(n), &c).map(|e| e.0);
        assert_eq!(strength(&[("reel", "A001C003")]), Some(NameStrength::Exact));
        assert_eq!(
            strength(&[("source file", "a001c003_230612_r1ab.MXF")]),
            Some(NameStrength::Normalised)
        );
        let other = clip(None, Some("A001C003_230612_R1AB"), &[]);
        assert_eq!(
            name_evidence(&names(&[("reel", "A001_C003")]), &other).map(|e| e.0),
            Some(NameStrength::Camera)
        );
        let long = clip(None, Some("INTERVIEW_WIDE"), &[]);
        assert_eq!(
            name_evidence(&names(&[("reel", "INTERVIE")]), &long).map(|e| e.0),
            Some(NameStrength::Truncated)
        );
        // A padded 7-character reel is a whole name, not a cut one.
        assert_eq!(
            name_evidence(
                &names(&[("reel", "Z677_4C.")]),
                &clip(None, Some("Z677_4CX"), &[])
            ),
            None
        );
        assert_eq!(
            name_evidence(
                &names(&[("reel", "Z677_4C.")]),
                &clip(None, Some("z677_4c"), &[])
            )
            .map(|e| e.0),
            Some(NameStrength::Normalised)
        );
        assert_eq!(
            name_evidence(&names(&[("reel", "A001")]), &long).map(|e| e.0),
            Some(NameStrength::Roll)
        );
        assert_eq!(name_evidence(&names(&[("reel", "B002")]), &long), None);
        // A short name is not a truncation of a longer one.
        assert_eq!(name_evidence(&names(&[("reel", "INT")]), &long), None);
    }
}
