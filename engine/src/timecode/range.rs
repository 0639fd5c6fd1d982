//! Frame ranges (half-open, with inclusive accessors named as such) and exact conversion of
//! frame counts between rates.

use super::FrameRate;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};

/// A half-open range of frame numbers: `start` is the first frame, `end_exclusive` the first
/// frame after it (an EDL's out point). Empty when they are equal. Frames may be negative
/// (a record time before zero, a reversed source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrameRange {
    /// First frame in the range.
    pub start: i64,
    /// First frame after the range.
    pub end_exclusive: i64,
}

impl FrameRange {
    /// `[start, end_exclusive)`; an error when the end is before the start.
    pub fn new(start: i64, end_exclusive: i64) -> Result<Self> {
        if end_exclusive < start {
            return Err(Error::InvalidInput {
                what: "frame range".into(),
                problem: format!("ends at {end_exclusive}, before its start {start}"),
            });
        }
        Ok(Self {
            start,
            end_exclusive,
        })
    }

    /// `[first, last]`, both frames included.
    pub fn from_inclusive(first: i64, last: i64) -> Result<Self> {
        let end = last.checked_add(1).ok_or_else(|| Error::InvalidInput {
            what: "frame range".into(),
            problem: format!("last frame {last} is too large"),
        })?;
        Self::new(first, end)
    }

    /// `start` followed by `len` frames.
    pub fn from_start_len(start: i64, len: u64) -> Result<Self> {
        let end = i64::try_from(len)
            .ok()
            .and_then(|len| start.checked_add(len))
            .ok_or_else(|| Error::InvalidInput {
                what: "frame range".into(),
                problem: format!("{start} + {len} frames overflows"),
            })?;
        Self::new(start, end)
    }

    /// Number of frames in the range.
    pub fn len(self) -> u64 {
        self.end_exclusive.abs_diff(self.start)
    }

    /// Whether the range holds no frame.
    pub fn is_empty(self) -> bool {
        self.start == self.end_exclusive
    }

    /// The last frame in the range, `None` when empty.
    pub fn last_inclusive(self) -> Option<i64> {
        (!self.is_empty()).then(|| self.end_exclusive - 1)
    }

    /// Whether `frame` lies in the range.
    pub fn contains(self, frame: i64) -> bool {
        self.start <= frame && frame < self.end_exclusive
    }

    /// The frames both ranges hold, `None` when they do not overlap.
    pub fn intersection(self, other: Self) -> Option<Self> {
        let start = self.start.max(other.start);
        let end = self.end_exclusive.min(other.end_exclusive);
        (start < end).then_some(Self {
            start,
            end_exclusive: end,
        })
    }

    /// The range grown by `before` frames at the start and `after` at the end (handles),
    /// saturating at the ends of `i64`.
    pub fn extended(self, before: u64, after: u64) -> Self {
        let before = i64::try_from(before).unwrap_or(i64::MAX);
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        Self {
            start: self.start.saturating_sub(before),
            end_exclusive: self.end_exclusive.saturating_add(after),
        }
    }
}

impl std::fmt::Display for FrameRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "[{}, {})", self.start, self.end_exclusive)
    }
}

/// How a frame position that falls between two frames of the target rate is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rounding {
    /// The frame at or before the position.
    Down,
    /// The frame at or after the position.
    Up,
    /// The nearest frame; halves go up.
    Nearest,
}

/// The frame at `to` that shows the same instant as `frame` at `from` (real time, not timecode
/// labels: 24 frames at 23.976 are 1.001 s, which is 25.025 frames at 25 fps).
pub fn convert_frame(
    frame: i64,
    from: FrameRate,
    to: FrameRate,
    rounding: Rounding,
) -> Result<i64> {
    // frame * from.den / from.num seconds, times to.num / to.den frames per second.
    let num = i128::from(frame) * i128::from(from.den()) * i128::from(to.num());
    let den = i128::from(from.num()) * i128::from(to.den());
    let quotient = match rounding {
        Rounding::Down => num.div_euclid(den),
        Rounding::Up => -(-num).div_euclid(den),
        Rounding::Nearest => (2 * num + den).div_euclid(2 * den),
    };
    i64::try_from(quotient).map_err(|_| Error::InvalidInput {
        what: "frame conversion".into(),
        problem: format!("frame {frame} at {from} does not fit at {to}"),
    })
}

/// A range converted to another rate in real time: the start rounds down and the end up, so
/// the result covers every instant of the original.
pub fn convert_range(range: FrameRange, from: FrameRate, to: FrameRate) -> Result<FrameRange> {
    FrameRange::new(
        convert_frame(range.start, from, to, Rounding::Down)?,
        convert_frame(range.end_exclusive, from, to, Rounding::Up)?,
    )
}

/// The frame at `to` carrying the same timecode *time* as `frame` at `from`: both are read as
/// seconds of timecode (frame labels divided by the nominal rate), so `01:00:00:00` at 24 fps
/// becomes `01:00:00:00` at 25 fps. This is how an editor maps a source timecode between rates
/// that differ only in counting; for speed-accurate mapping use [`convert_frame`].
pub fn convert_timecode_frame(
    frame: u64,
    from: FrameRate,
    to: FrameRate,
    rounding: Rounding,
) -> Result<u64> {
    let label = super::Timecode::from_frame(frame, from)?;
    let (h, m, s, f) = label.fields();
    let seconds = (u64::from(h) * 60 + u64::from(m)) * 60 + u64::from(s);
    let nominal_from = u64::from(from.nominal());
    let nominal_to = u64::from(to.nominal());
    let num = u64::from(f) * nominal_to;
    let frames_to = match rounding {
        Rounding::Down => num / nominal_from,
        Rounding::Up => num.div_ceil(nominal_from),
        Rounding::Nearest => (2 * num + nominal_from) / (2 * nominal_from),
    };
    // The label at the target, counted without drops; rounding up may carry into the next
    // second.
    let labels = seconds * nominal_to + frames_to;
    let (seconds, frames_to) = (labels / nominal_to, labels % nominal_to);
    let too_late = || Error::BadTimecode {
        text: label.to_string(),
        problem: format!("past 24 hours at {to}"),
    };
    let hours = u32::try_from(seconds / 3600).map_err(|_| too_late())?;
    if hours > 23 {
        return Err(too_late());
    }
    let (m, s) = ((seconds / 60 % 60) as u32, (seconds % 60) as u32);
    // In drop-frame a skipped frame number moves on to the first one that exists.
    let mut frames_to = frames_to as u32;
    if s == 0 && m % 10 != 0 && frames_to < to.dropped_per_minute() {
        frames_to = to.dropped_per_minute();
    }
    Ok(super::Timecode::new(hours, m, s, frames_to, to)?.to_frame())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn inclusive_and_exclusive_ends() {
        let r = FrameRange::from_inclusive(10, 19).unwrap();
        assert_eq!(r, FrameRange::new(10, 20).unwrap());
        assert_eq!(r.len(), 10);
        assert_eq!(r.last_inclusive(), Some(19));
        assert!(r.contains(19) && !r.contains(20) && !r.contains(9));
        assert_eq!(FrameRange::new(5, 5).unwrap().last_inclusive(), None);
        assert!(FrameRange::new(5, 4).is_err());
        assert!(FrameRange::from_inclusive(0, i64::MAX).is_err());
        assert!(FrameRange::from_start_len(i64::MAX, 1).is_err());
        assert_eq!(r.extended(8, 8), FrameRange::new(2, 28).unwrap());
        assert_eq!(
            r.intersection(FrameRange::new(15, 40).unwrap()),
            Some(FrameRange::new(15, 20).unwrap())
        );
        assert_eq!(r.intersection(FrameRange::new(20, 40).unwrap()), None);
    }

    #[test]
    fn real_time_conversion_is_exact() {
        let (f23, f24, f25) = (FrameRate::FPS_23_976, FrameRate::FPS_24, FrameRate::FPS_25);
        // 24000 frames at 23.976 are 1001 s: 24024 frames at 24.
        assert_eq!(
            convert_frame(24000, f23, f24, Rounding::Nearest).unwrap(),
            24024
        );
        assert_eq!(convert_frame(24, f23, f25, Rounding::Down).unwrap(), 25);
        assert_eq!(convert_frame(24, f23, f25, Rounding::Up).unwrap(), 26);
        assert_eq!(convert_frame(-1, f24, f25, Rounding::Down).unwrap(), -2);
        assert_eq!(convert_frame(-1, f24, f25, Rounding::Up).unwrap(), -1);
        assert_eq!(convert_frame(1, f24, f25, Rounding::Nearest).unwrap(), 1);
        assert_eq!(
            convert_frame(12, f24, FrameRate::FPS_48, Rounding::Down).unwrap(),
            24
        );
        // Drop-frame counting does not change speed.
        assert_eq!(
            convert_frame(
                1000,
                FrameRate::FPS_29_97_DF,
                FrameRate::FPS_29_97_NDF,
                Rounding::Down
            )
            .unwrap(),
            1000
        );
        let r = convert_range(FrameRange::new(1, 3).unwrap(), f24, f25).unwrap();
        assert_eq!(r, FrameRange::new(1, 4).unwrap());
        assert!(
            convert_frame(
                i64::MAX,
                FrameRate::FPS_24,
                FrameRate::new(1000, 1, false).unwrap(),
                Rounding::Down
            )
            .is_err()
        );
    }

    #[test]
    fn timecode_conversion_keeps_labels() {
        let f24 = FrameRate::FPS_24;
        let f25 = FrameRate::FPS_25;
        let df = FrameRate::FPS_29_97_DF;
        let one_hour_24 = 86_400;
        assert_eq!(
            convert_timecode_frame(one_hour_24, f24, f25, Rounding::Down).unwrap(),
            90_000
        );
        // 01:00:00:12 at 24 is half a second: 01:00:00:15 at 30 (DF label), 01:00:00:12 (12.5 down) at 25.
        let tc24 = one_hour_24 + 12;
        let df_frame = convert_timecode_frame(tc24, f24, df, Rounding::Down).unwrap();
        assert_eq!(
            super::super::Timecode::from_frame(df_frame, df)
                .unwrap()
                .to_string(),
            "01:00:00;15"
        );
        assert_eq!(
            convert_timecode_frame(tc24, f24, f25, Rounding::Nearest).unwrap(),
            90_013
        );
        // A label that does not exist in DF moves to the first one that does.
        let minute_one_24 = 24 * 60;
        let df_frame = convert_timecode_frame(minute_one_24, f24, df, Rounding::Down).unwrap();
        assert_eq!(
            super::super::Timecode::from_frame(df_frame, df)
                .unwrap()
                .to_string(),
            "00:01:00;02"
        );
        // Rounding up past the last frame of a second carries into the next second.
        let last = 23;
        let to_12 = FrameRate::new(12, 1, false).unwrap();
        assert_eq!(
            convert_timecode_frame(last, f24, to_12, Rounding::Up).unwrap(),
            12
        );
    }
}
