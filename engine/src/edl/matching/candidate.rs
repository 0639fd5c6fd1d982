//! The library clip candidates the matcher compares events against, and camera clip-name
//! parsing (`A001C003_230612_R1AB`, `A001_C003`, `A001C003`).

use serde::{Deserialize, Serialize};

use crate::timecode::{FrameRange, FrameRate};
use crate::{Error, Result};

/// One clip of the media library as the matcher sees it: its names, its timecode range and
/// its shoot day. Deliberately small: callers convert their own clip records into this.
///
/// In JSON (`rushes edl match --clips`):
/// `{"clip_id": "c1", "reel": "A001C003", "clip_name": "A001C003_230612_R1AB",
///   "file_names": ["A001C003_230612_R1AB.mxf"], "rate": {"num": 24000, "den": 1001,
///   "drop_frame": false}, "start": 2157840, "frame_count": 480, "shoot_date": "2023-06-12"}`;
/// `roll`, `reel`, `clip_name`, `file_names`, `camera` and `shoot_date` may be left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LibraryClip {
    /// The library's identifier for the clip (reported back in matches).
    pub clip_id: String,
    /// The camera roll / card the clip came from (`A001`), if known.
    #[serde(default)]
    pub roll: Option<String>,
    /// The reel name the editorial system was given for this clip (often the clip name or the
    /// roll), if known.
    #[serde(default)]
    pub reel: Option<String>,
    /// The clip's name (usually the camera file name without extension).
    #[serde(default)]
    pub clip_name: Option<String>,
    /// The clip's file names (with extensions; paths allowed).
    #[serde(default)]
    pub file_names: Vec<String>,
    /// Camera naming fields, when the caller parsed them; otherwise the matcher parses the
    /// clip's names itself.
    #[serde(default)]
    pub camera: Option<CameraName>,
    /// The rate of the clip's timecode.
    pub rate: FrameRate,
    /// The clip's first frame: its start timecode as a frame count from `00:00:00:00` at
    /// [`LibraryClip::rate`].
    pub start: i64,
    /// How many frames the clip holds.
    pub frame_count: u64,
    /// The shoot day (`2023-06-12`, `20230612` or `230612`), if known.
    #[serde(default)]
    pub shoot_date: Option<String>,
}

impl LibraryClip {
    /// The clip's frames `[start, start + frame_count)` at its rate.
    pub fn frames(&self) -> Result<FrameRange> {
        FrameRange::from_start_len(self.start, self.frame_count)
    }

    /// Checks the fields the matcher relies on; `index` is the clip's position in its list.
    pub fn validate(&self, index: usize) -> Result<()> {
        let bad = |problem: String| Error::BadLibraryClip {
            index,
            clip_id: self.clip_id.clone(),
            problem,
        };
        if self.clip_id.trim().is_empty() {
            return Err(bad("empty clip_id".into()));
        }
        if self.start < 0 {
            return Err(bad(format!("negative start frame {}", self.start)));
        }
        let range = self.frames().map_err(|e| bad(e.to_string()))?;
        let day = i64::try_from(self.rate.frames_per_day()).unwrap_or(i64::MAX);
        // A clip may run past midnight, but not start a day later.
        if range.start >= day {
            return Err(bad(format!(
                "start frame {} is past 24 hours at {}",
                self.start, self.rate
            )));
        }
        Ok(())
    }

    /// The camera naming fields: the caller's, else parsed from the clip name, reel or file
    /// names (first that parses).
    pub fn camera_name(&self) -> Option<CameraName> {
        if let Some(camera) = &self.camera {
            return Some(camera.clone());
        }
        self.clip_name
            .iter()
            .chain(self.reel.iter())
            .chain(self.file_names.iter())
            .find_map(|name| CameraName::parse(name))
    }

    /// The shoot day as `yymmdd`, from [`LibraryClip::shoot_date`] or the camera name's date.
    pub fn shoot_day(&self) -> Option<String> {
        self.shoot_date
            .as_deref()
            .and_then(normalise_date)
            .or_else(|| self.camera_name().and_then(|c| c.date))
    }
}

/// The fields of a camera-generated clip name: camera letter, roll (card) number, clip number,
/// and the optional date and suffix (`A001C003_230612_R1AB`: camera `A`, roll 1, clip 3, date
/// `230612`, suffix `R1AB`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CameraName {
    /// The camera letter (`A`).
    pub camera: char,
    /// The roll (card) number (`001` is 1).
    pub roll: u32,
    /// The clip number on the roll.
    pub clip: u32,
    /// The date as `yymmdd`, when the name carries one.
    #[serde(default)]
    pub date: Option<String>,
    /// What follows the date (`R1AB`, a camera serial or random suffix), upper case.
    #[serde(default)]
    pub suffix: Option<String>,
}

impl CameraName {
    /// Parses `A001C003`, `A001_C003`, `A001C003_230612_R1AB`, `A001C003_230612R1AB`,
    /// `A001_C003_0612XY` and the like (case-insensitive; a path and an extension are
    /// ignored). `None` when the name does not start with a camera letter, a 3-4 digit roll,
    /// an optional `_`, `C` and a 3-4 digit clip number.
    pub fn parse(name: &str) -> Option<Self> {
        let stem = strip_path_and_extension(name).to_ascii_uppercase();
        let bytes = stem.as_bytes();
        let camera = char::from(*bytes.first()?);
        if !camera.is_ascii_uppercase() {
            return None;
        }
        let (roll, rest) = take_digits(stem.get(1..)?, 3, 4)?;
        let rest = rest.strip_prefix('_').unwrap_or(rest);
        let rest = rest.strip_prefix('C')?;
        let (clip, rest) = take_digits(rest, 3, 4)?;
        // The clip number must end the name or be followed by a separator.
        let rest = match rest.chars().next() {
            None => rest,
            Some('_' | '-' | '.') => &rest[1..],
            Some(_) => return None,
        };
        let (date, suffix) = match take_digits(rest, 6, 6) {
            Some((_, after)) if !after.starts_with(|c: char| c.is_ascii_digit()) => {
                let date = rest.get(..6).map(str::to_string);
                let after = after.trim_start_matches(['_', '-']);
                (date, after)
            }
            _ => (None, rest),
        };
        let suffix = (!suffix.is_empty()).then(|| suffix.to_string());
        Some(Self {
            camera,
            roll,
            clip,
            date,
            suffix,
        })
    }

    /// The identity shared by every spelling of the name: camera letter, roll and clip.
    pub fn key(&self) -> (char, u32, u32) {
        (self.camera, self.roll, self.clip)
    }

    /// The canonical short spelling, `A001C003`.
    pub fn short(&self) -> String {
        format!("{}{:03}C{:03}", self.camera, self.roll, self.clip)
    }
}

/// `digits` of `min..=max` ASCII digits at the start of `text`, as a number, and the rest.
fn take_digits(text: &str, min: usize, max: usize) -> Option<(u32, &str)> {
    let count = text.bytes().take_while(u8::is_ascii_digit).count();
    if count < min || count > max {
        return None;
    }
    let (digits, rest) = text.split_at(count);
    Some((digits.parse().ok()?, rest))
}

/// The last path component without its extension (`/a/B001.MXF` -> `B001`). An extension is
/// a final `.` followed by 1 to 5 letters or digits.
pub fn strip_path_and_extension(name: &str) -> &str {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name).trim();
    match base.rsplit_once('.') {
        Some((stem, ext))
            if !stem.is_empty()
                && (1..=5).contains(&ext.len())
                && ext.bytes().all(|b| b.is_ascii_alphanumeric()) =>
        {
            stem
        }
        _ => base,
    }
}

/// A date as `yymmdd`: accepts `2023-06-12`, `2023/06/12`, `20230612` and `230612`.
pub fn normalise_date(text: &str) -> Option<String> {
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    match digits.len() {
        6 => Some(digits),
        8 => digits.get(2..).map(str::to_string),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn camera_names_in_their_spellings_share_a_key() {
        let full = CameraName::parse("A001C003_230612_R1AB").unwrap();
        assert_eq!(full.key(), ('A', 1, 3));
        assert_eq!(full.date.as_deref(), Some("230612"));
        assert_eq!(full.suffix.as_deref(), Some("R1AB"));
        for other in [
            "A001C003",
            "a001_c003",
            "/cards/A001/A001C003_230612_R1AB.mxf",
            "A001C003_230612R1AB",
            "A001_C003_0612XY",
        ] {
            assert_eq!(
                CameraName::parse(other).unwrap().key(),
                ('A', 1, 3),
                "{other}"
            );
        }
        assert_eq!(full.short(), "A001C003");
        assert_eq!(CameraName::parse("A001C0031X"), None);
        assert_eq!(CameraName::parse("Z677_4C"), None);
        assert_eq!(CameraName::parse("1001C003"), None);
        assert_eq!(CameraName::parse(""), None);
        assert_eq!(CameraName::parse("é001C003"), None);
    }

    #[test]
    fn extensions_and_dates() {
        assert_eq!(strip_path_and_extension("x/y/B002C010.R3D"), "B002C010");
        assert_eq!(strip_path_and_extension("Z677_4C."), "Z677_4C.");
        assert_eq!(strip_path_and_extension(".hidden"), ".hidden");
        assert_eq!(normalise_date("2023-06-12").as_deref(), Some("230612"));
        assert_eq!(normalise_date("230612").as_deref(), Some("230612"));
        assert_eq!(normalise_date("June"), None);
    }

    #[test]
    fn bad_clips_are_refused_with_their_index() {
        let clip = LibraryClip {
            clip_id: "c".into(),
            roll: None,
            reel: None,
            clip_name: None,
            file_names: vec![],
            camera: None,
            rate: FrameRate::FPS_24,
            start: i64::MAX - 2,
            frame_count: 10,
            shoot_date: None,
        };
        let err = clip.validate(4).unwrap_err().to_string();
        assert!(err.contains("[4]") && err.contains("overflows"), "{err}");
        let late = LibraryClip {
            start: 24 * 86_400,
            frame_count: 1,
            ..clip.clone()
        };
        assert!(
            late.validate(0)
                .unwrap_err()
                .to_string()
                .contains("24 hours")
        );
        let negative = LibraryClip {
            start: -1,
            ..clip.clone()
        };
        assert!(negative.validate(0).is_err());
        let unnamed = LibraryClip {
            clip_id: " ".into(),
            start: 0,
            ..clip
        };
        assert!(
            unnamed
                .validate(0)
                .unwrap_err()
                .to_string()
                .contains("empty")
        );
    }
}
