//! SMPTE timecode labels: `hh:mm:ss:ff` (`;` before the frames in drop-frame), exact conversion to
//! and from frame counts at any [`FrameRate`], drop-frame included.

use super::FrameRate;
use crate::{Error, Result};

/// A timecode label within one day at a given rate: hours 0-23, minutes, seconds, frames.
///
/// Values always exist at their rate: frames below the nominal rate, and in drop-frame no
/// skipped frame number (`00:01:00;00` does not exist at 29.97 DF).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timecode {
    hours: u8,
    minutes: u8,
    seconds: u8,
    frames: u16,
    rate: FrameRate,
}

impl Timecode {
    /// The timecode `hh:mm:ss:ff` at `rate`, checked.
    pub fn new(
        hours: u32,
        minutes: u32,
        seconds: u32,
        frames: u32,
        rate: FrameRate,
    ) -> Result<Self> {
        let label = || format_fields(hours, minutes, seconds, frames, rate.is_drop_frame());
        let bad = |problem: String| Error::BadTimecode {
            text: label(),
            problem,
        };
        if hours > 23 {
            return Err(bad("hours must be 00 to 23".into()));
        }
        if minutes > 59 {
            return Err(bad("minutes must be 00 to 59".into()));
        }
        if seconds > 59 {
            return Err(bad("seconds must be 00 to 59".into()));
        }
        if frames >= rate.nominal() {
            return Err(bad(format!(
                "frames must be below {} at {rate}",
                rate.nominal()
            )));
        }
        if seconds == 0 && minutes % 10 != 0 && frames < rate.dropped_per_minute() {
            return Err(bad(format!(
                "frame numbers 00 to {:02} are skipped at the start of minute {minutes:02} in drop-frame ({rate})",
                rate.dropped_per_minute() - 1
            )));
        }
        // All four fit: checked above, nominal <= MAX_NOMINAL_FPS < u16::MAX.
        Ok(Self {
            hours: hours as u8,
            minutes: minutes as u8,
            seconds: seconds as u8,
            frames: frames as u16,
            rate,
        })
    }

    /// Reads `hh:mm:ss:ff`. Fields are separated by `:`; the last separator may be `;` or `,`,
    /// which mark drop-frame and are refused at a rate without drop-frame counting, or `.`,
    /// which some tools write at any rate. A colon-only label is read at `rate` as given
    /// (drop-frame or not). Each field is one or two digits (hours up to two digits too);
    /// surrounding blanks are ignored.
    pub fn parse(text: &str, rate: FrameRate) -> Result<Self> {
        let fields = parse_fields(text)?;
        if fields.drop_mark && !rate.is_drop_frame() {
            return Err(Error::BadTimecode {
                text: shown(text),
                problem: format!(
                    "`;` marks drop-frame timecode but the rate is {rate} (non-drop-frame)"
                ),
            });
        }
        Self::new(
            fields.hours,
            fields.minutes,
            fields.seconds,
            fields.frames,
            rate,
        )
        .map_err(|e| match e {
            Error::BadTimecode { problem, .. } => Error::BadTimecode {
                text: shown(text),
                problem,
            },
            other => other,
        })
    }

    /// Reads a label where a `;`/`,` frame separator switches a rate that has a drop-frame count
    /// (29.97, 59.94) to drop-frame; at other rates it is refused as in [`Timecode::parse`].
    pub fn parse_detect_drop(text: &str, rate: FrameRate) -> Result<Self> {
        let fields = parse_fields(text)?;
        let rate = if fields.drop_mark && rate.supports_drop_frame() {
            rate.with_drop_frame(true)?
        } else {
            rate
        };
        Self::parse(text, rate)
    }

    /// The label of frame number `frame` (0 = `00:00:00:00`) at `rate`. Frames past one day
    /// are an error (use [`Timecode::from_frame_wrapping`] to wrap at midnight).
    pub fn from_frame(frame: u64, rate: FrameRate) -> Result<Self> {
        if frame >= rate.frames_per_day() {
            return Err(Error::BadTimecode {
                text: format!("frame {frame}"),
                problem: format!("past 24 hours at {rate}"),
            });
        }
        Ok(Self::from_frame_in_day(frame, rate))
    }

    /// The label of frame number `frame` at `rate`, wrapping at midnight (negative frames count
    /// back from `24:00:00:00`).
    pub fn from_frame_wrapping(frame: i64, rate: FrameRate) -> Self {
        let day = i128::from(rate.frames_per_day());
        let wrapped = i128::from(frame).rem_euclid(day);
        // 0 <= wrapped < day, which fits u64.
        Self::from_frame_in_day(wrapped as u64, rate)
    }

    fn from_frame_in_day(frame: u64, rate: FrameRate) -> Self {
        let nominal = u64::from(rate.nominal());
        let drop = u64::from(rate.dropped_per_minute());
        let mut label = frame;
        if drop > 0 {
            let per_minute = nominal * 60 - drop;
            let per_ten_minutes = nominal * 600 - drop * 9;
            let tens = frame / per_ten_minutes;
            let rest = frame % per_ten_minutes;
            label += drop * 9 * tens;
            if rest >= drop {
                label += drop * ((rest - drop) / per_minute);
            }
        }
        let frames = label % nominal;
        let total_seconds = label / nominal;
        // frame < frames_per_day keeps every field in range.
        Self {
            hours: (total_seconds / 3600) as u8,
            minutes: (total_seconds / 60 % 60) as u8,
            seconds: (total_seconds % 60) as u8,
            frames: frames as u16,
            rate,
        }
    }

    /// Frame number of this label since `00:00:00:00` at its rate.
    pub fn to_frame(self) -> u64 {
        let nominal = u64::from(self.rate.nominal());
        let minutes = u64::from(self.hours) * 60 + u64::from(self.minutes);
        let labels = (minutes * 60 + u64::from(self.seconds)) * nominal + u64::from(self.frames);
        let drop = u64::from(self.rate.dropped_per_minute());
        labels - drop * (minutes - minutes / 10)
    }

    /// The rate this label counts at.
    pub const fn rate(self) -> FrameRate {
        self.rate
    }

    /// Hours, minutes, seconds and frames.
    pub const fn fields(self) -> (u8, u8, u8, u16) {
        (self.hours, self.minutes, self.seconds, self.frames)
    }

    /// The label `delta` frames later (earlier when negative), wrapping at midnight.
    pub fn offset(self, delta: i64) -> Self {
        let here = i128::from(self.to_frame());
        let day = i128::from(self.rate.frames_per_day());
        let target = (here + i128::from(delta)).rem_euclid(day);
        Self::from_frame_in_day(target as u64, self.rate)
    }
}

impl std::fmt::Display for Timecode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&format_fields(
            self.hours.into(),
            self.minutes.into(),
            self.seconds.into(),
            self.frames.into(),
            self.rate.is_drop_frame(),
        ))
    }
}

fn format_fields(h: u32, m: u32, s: u32, f: u32, drop_frame: bool) -> String {
    let sep = if drop_frame { ';' } else { ':' };
    format!("{h:02}:{m:02}:{s:02}{sep}{f:02}")
}

/// At most 64 characters of an input, for error messages.
fn shown(text: &str) -> String {
    text.trim().chars().take(64).collect()
}

struct Fields {
    hours: u32,
    minutes: u32,
    seconds: u32,
    frames: u32,
    drop_mark: bool,
}

fn parse_fields(text: &str) -> Result<Fields> {
    let bad = |problem: &str| Error::BadTimecode {
        text: shown(text),
        problem: problem.into(),
    };
    let trimmed = text.trim();
    if trimmed.is_empty() {
        return Err(bad("empty timecode"));
    }
    let mut numbers = [0u32; 4];
    let mut count = 0usize;
    let mut digits = 0usize;
    let mut drop_mark = false;
    for ch in trimmed.chars() {
        match ch {
            '0'..='9' => {
                digits += 1;
                if digits > 2 {
                    return Err(bad("each field has at most two digits"));
                }
                let slot = numbers
                    .get_mut(count)
                    .ok_or_else(|| bad("more than four fields"))?;
                *slot = *slot * 10 + (ch as u32 - '0' as u32);
            }
            ':' | ';' | ',' | '.' => {
                if digits == 0 {
                    return Err(bad("empty field"));
                }
                count += 1;
                digits = 0;
                if count > 3 {
                    return Err(bad("more than four fields"));
                }
                if ch != ':' {
                    if count != 3 {
                        return Err(bad("`;`, `,` and `.` may only separate the frames"));
                    }
                    drop_mark = ch != '.';
                }
            }
            _ => return Err(bad("expected hh:mm:ss:ff (digits and `:`, `;` or `.`)")),
        }
    }
    if digits == 0 || count != 3 {
        return Err(bad("expected four fields hh:mm:ss:ff"));
    }
    let [hours, minutes, seconds, frames] = numbers;
    Ok(Fields {
        hours,
        minutes,
        seconds,
        frames,
        drop_mark,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const DF: FrameRate = FrameRate::FPS_29_97_DF;
    const DF60: FrameRate = FrameRate::FPS_59_94_DF;

    fn tc(text: &str, rate: FrameRate) -> Timecode {
        Timecode::parse(text, rate).unwrap()
    }

    #[test]
    fn round_trip_every_frame_of_a_day_at_every_rate() {
        for rate in FrameRate::STANDARD {
            let mut previous: Option<Timecode> = None;
            for frame in 0..rate.frames_per_day() {
                let label = Timecode::from_frame(frame, rate).unwrap();
                assert_eq!(label.to_frame(), frame, "{rate} frame {frame}");
                // Labels strictly increase and every one is a valid label.
                if let Some(p) = previous {
                    assert!(label.fields() > p.fields(), "{rate} frame {frame}");
                }
                previous = Some(label);
            }
            let last = previous.unwrap();
            let nominal = rate.nominal() as u16;
            assert_eq!(last.fields(), (23, 59, 59, nominal - 1), "{rate}");
            assert!(Timecode::from_frame(rate.frames_per_day(), rate).is_err());
        }
    }

    #[test]
    fn every_valid_label_round_trips() {
        // The other direction: every label that exists maps to a frame and back to itself.
        for rate in [DF, DF60, FrameRate::FPS_25] {
            for h in [0, 1, 13, 23] {
                for m in 0..60 {
                    for s in 0..60 {
                        for f in 0..rate.nominal() {
                            if let Ok(label) = Timecode::new(h, m, s, f, rate) {
                                let back = Timecode::from_frame(label.to_frame(), rate).unwrap();
                                assert_eq!(back, label);
                            } else {
                                assert!(s == 0 && m % 10 != 0 && f < rate.dropped_per_minute());
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn known_drop_frame_values() {
        // 29.97 DF: 00:01:00;02 is frame 1800 (00;00 and 00;01 do not exist).
        assert_eq!(tc("00:00:59;29", DF).to_frame(), 1799);
        assert_eq!(tc("00:01:00;02", DF).to_frame(), 1800);
        assert_eq!(tc("00:10:00;00", DF).to_frame(), 17982);
        assert_eq!(tc("01:00:00;00", DF).to_frame(), 107_892);
        assert_eq!(tc("10:00:00;00", DF).to_frame(), 1_078_920);
        assert_eq!(tc("23:59:59;29", DF).to_frame(), 2_589_407);
        assert_eq!(
            Timecode::from_frame(1800, DF).unwrap().to_string(),
            "00:01:00;02"
        );
        assert_eq!(
            Timecode::from_frame(17982, DF).unwrap().to_string(),
            "00:10:00;00"
        );
        assert_eq!(
            Timecode::from_frame(17981, DF).unwrap().to_string(),
            "00:09:59;29"
        );
        // 59.94 DF drops four frame numbers a minute.
        assert_eq!(tc("00:01:00;04", DF60).to_frame(), 3600);
        assert_eq!(tc("01:00:00;00", DF60).to_frame(), 215_784);
        assert_eq!(
            Timecode::from_frame(3599, DF60).unwrap().to_string(),
            "00:00:59;59"
        );
        // Non-drop 29.97 counts like 30.
        let ndf = FrameRate::FPS_29_97_NDF;
        assert_eq!(tc("01:00:00:00", ndf).to_frame(), 108_000);
        assert_eq!(tc("01:00:00:00", FrameRate::FPS_23_976).to_frame(), 86_400);
    }

    #[test]
    fn parse_separators_and_display() {
        assert_eq!(
            tc("01:02:03:04", FrameRate::FPS_25).to_string(),
            "01:02:03:04"
        );
        assert_eq!(
            tc("01:02:03.04", FrameRate::FPS_25).to_string(),
            "01:02:03:04"
        );
        assert_eq!(
            tc(" 1:2:3:4 ", FrameRate::FPS_25).to_string(),
            "01:02:03:04"
        );
        assert_eq!(tc("01:02:03;04", DF).to_string(), "01:02:03;04");
        assert_eq!(tc("01:02:03:04", DF).to_string(), "01:02:03;04");
        assert_eq!(
            tc("01:02:03,04", DF).to_frame(),
            tc("01:02:03;04", DF).to_frame()
        );
        let detected =
            Timecode::parse_detect_drop("00:01:00;02", FrameRate::FPS_29_97_NDF).unwrap();
        assert!(detected.rate().is_drop_frame());
        assert_eq!(detected.to_frame(), 1800);
    }

    #[test]
    fn bad_timecodes_are_refused_with_reasons() {
        let err =
            |text: &str, rate: FrameRate| Timecode::parse(text, rate).unwrap_err().to_string();
        assert!(err("00:01:00;00", DF).contains("skipped"));
        assert!(err("00:01:00;01", DF).contains("skipped"));
        assert!(err("00:02:00;03", DF60).contains("skipped"));
        assert!(Timecode::parse("00:10:00;00", DF).is_ok());
        assert!(err("00:00:00:25", FrameRate::FPS_25).contains("frames must be below 25"));
        assert!(err("00:00:00:30", FrameRate::FPS_29_97_NDF).contains("below 30"));
        assert!(err("24:00:00:00", FrameRate::FPS_25).contains("hours"));
        assert!(err("00:60:00:00", FrameRate::FPS_25).contains("minutes"));
        assert!(err("00:00:60:00", FrameRate::FPS_25).contains("seconds"));
        assert!(err("01:00:00;00", FrameRate::FPS_25).contains("drop-frame"));
        assert!(err("01:00;00:00", DF).contains("only separate the frames"));
        assert!(err("", DF).contains("empty"));
        assert!(err("01:00:00", DF).contains("four fields"));
        assert!(err("01:00:00:00:00", DF).contains("four fields"));
        assert!(err("001:00:00:00", DF).contains("two digits"));
        assert!(err("01::00:00", DF).contains("empty field"));
        assert!(err("01:00:00:0x", DF).contains("expected"));
        assert!(err("01:00:00:", DF).contains("four fields"));
        assert!(err("ü1:00:00:00", DF).contains("expected"));
    }

    #[test]
    fn offsets_wrap_at_midnight() {
        let start = tc("23:59:59;29", DF);
        assert_eq!(start.offset(1).to_string(), "00:00:00;00");
        assert_eq!(start.offset(1).offset(-1), start);
        assert_eq!(tc("00:00:59;29", DF).offset(1).to_string(), "00:01:00;02");
        assert_eq!(
            Timecode::from_frame_wrapping(-1, FrameRate::FPS_24).to_string(),
            "23:59:59:23"
        );
        assert_eq!(
            tc("00:00:00:00", FrameRate::FPS_24)
                .offset(i64::MIN)
                .to_frame(),
            {
                let day = i128::from(FrameRate::FPS_24.frames_per_day());
                i128::from(i64::MIN).rem_euclid(day) as u64
            }
        );
    }
}
