//! SMPTE time-of-day timecode as read from media: SMPTE 331M/12M packed BCD, frame counts (drop
//! frame too) and audio sample positions (BWF `TimeReference`).

use std::fmt;

/// Largest timecode base accepted (frames per second, rounded up).
pub const MAX_BASE: u32 = 240;

/// A time-of-day timecode label.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Timecode {
    /// Hours, 0..=23.
    pub hours: u8,
    /// Minutes, 0..=59.
    pub minutes: u8,
    /// Seconds, 0..=59.
    pub seconds: u8,
    /// Frames, below the timecode base.
    pub frames: u8,
    /// Drop-frame counting (29.97 / 59.94): written with `;` before the frames.
    pub drop_frame: bool,
}

impl fmt::Display for Timecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sep = if self.drop_frame { ';' } else { ':' };
        write!(
            f,
            "{:02}:{:02}:{:02}{sep}{:02}",
            self.hours, self.minutes, self.seconds, self.frames
        )
    }
}

/// The integer timecode base of a frame rate `num/den` (24 for 23.976, 30 for 29.97): the rate
/// rounded up. `None` for 0, a zero denominator or a base over [`MAX_BASE`].
pub fn timecode_base(num: u32, den: u32) -> Option<u32> {
    if num == 0 || den == 0 {
        return None;
    }
    let base = num.div_ceil(den);
    (base <= MAX_BASE).then_some(base)
}

/// Frames dropped per minute for a drop-frame base (2 at 30, 4 at 60); `None` when the base has no
/// drop-frame form.
fn dropped_per_minute(base: u32) -> Option<u64> {
    (base % 30 == 0 && base > 0).then(|| u64::from(base / 30) * 2)
}

fn bcd(v: u8, what: &str) -> Result<u8, String> {
    let (hi, lo) = (v >> 4, v & 0x0F);
    if hi > 9 || lo > 9 {
        return Err(format!("{what} byte {v:#04x} is not BCD"));
    }
    Ok(hi * 10 + lo)
}

impl Timecode {
    /// Checks the fields against `base` (frames per second label range).
    pub fn validate(&self, base: u32) -> Result<(), String> {
        if self.hours > 23 || self.minutes > 59 || self.seconds > 59 {
            return Err(format!("{self} is not a time of day"));
        }
        if u32::from(self.frames) >= base {
            return Err(format!("{self}: frame {} at a base of {base}", self.frames));
        }
        if self.drop_frame {
            let d = dropped_per_minute(base)
                .ok_or_else(|| format!("{self}: drop frame at a base of {base}"))?;
            if self.seconds == 0 && self.minutes % 10 != 0 && u64::from(self.frames) < d {
                return Err(format!("{self}: label skipped by drop-frame counting"));
            }
        }
        Ok(())
    }

    /// Decodes an SMPTE 331M / 12M packed time address (the first 4 of its 8 bytes; the CinemaDNG
    /// `TimeCodes` tag holds such 8-byte entries): frames, seconds, minutes, hours in BCD, least
    /// significant byte first, bit 6 of the frames byte the drop-frame flag. The flags and binary
    /// groups are otherwise ignored.
    pub fn from_smpte_331m(b: &[u8]) -> Result<Self, String> {
        let [f, s, m, h] = match b.get(..4) {
            Some(&[f, s, m, h]) => [f, s, m, h],
            _ => {
                return Err(format!(
                    "{} bytes is too short for a SMPTE timecode",
                    b.len()
                ));
            }
        };
        let tc = Self {
            frames: bcd(f & 0x3F, "frames")?,
            seconds: bcd(s & 0x7F, "seconds")?,
            minutes: bcd(m & 0x7F, "minutes")?,
            hours: bcd(h & 0x3F, "hours")?,
            drop_frame: f & 0x40 != 0,
        };
        if tc.hours > 23 || tc.minutes > 59 || tc.seconds > 59 {
            return Err(format!("{tc} is not a time of day"));
        }
        Ok(tc)
    }

    /// Frames since midnight of this label at `base` (drop-frame labels counted as such).
    pub fn frame_number(&self, base: u32) -> u64 {
        let b = u64::from(base);
        let minutes = u64::from(self.hours) * 60 + u64::from(self.minutes);
        let nominal = (minutes * 60 + u64::from(self.seconds)) * b + u64::from(self.frames);
        match (self.drop_frame, dropped_per_minute(base)) {
            (true, Some(d)) => nominal.saturating_sub(d * (minutes - minutes / 10)),
            _ => nominal,
        }
    }

    /// Frames in one day at `base`.
    pub fn frames_per_day(base: u32, drop_frame: bool) -> u64 {
        let b = u64::from(base);
        match (drop_frame, dropped_per_minute(base)) {
            (true, Some(d)) => 24 * 6 * (b * 600 - 9 * d),
            _ => 24 * 3600 * b,
        }
    }

    /// The label of frame `n` since midnight at `base` (wrapping at 24 hours). `drop_frame` is
    /// honoured only for bases with a drop-frame form (multiples of 30).
    pub fn from_frame_number(n: u64, base: u32, drop_frame: bool) -> Self {
        let base = base.clamp(1, MAX_BASE);
        let drop = drop_frame && dropped_per_minute(base).is_some();
        let mut n = n % Self::frames_per_day(base, drop);
        let b = u64::from(base);
        if let (true, Some(d)) = (drop, dropped_per_minute(base)) {
            let per_10min = b * 600 - 9 * d;
            let per_min = b * 60 - d;
            let tens = n / per_10min;
            let rem = n % per_10min;
            n += 9 * d * tens;
            if rem > d {
                n += d * ((rem - d) / per_min);
            }
        }
        let secs = n / b;
        // Each field is below 256 after the modulo.
        Self {
            hours: (secs / 3600 % 24) as u8,
            minutes: (secs / 60 % 60) as u8,
            seconds: (secs % 60) as u8,
            frames: (n % b) as u8,
            drop_frame: drop,
        }
    }

    /// The label `n` frames later (wrapping at midnight).
    pub fn plus_frames(&self, n: u64, base: u32) -> Self {
        let day = Self::frames_per_day(base.clamp(1, MAX_BASE), self.drop_frame);
        let at = self.frame_number(base) % day;
        Self::from_frame_number(at + n % day, base, self.drop_frame)
    }

    /// The timecode of an audio position: `samples` since midnight at `sample_rate` (BWF
    /// `TimeReference`), for timecode running at `num/den` frames per second. Rounds down to the
    /// frame the sample falls in.
    pub fn from_samples(
        samples: u64,
        sample_rate: u32,
        num: u32,
        den: u32,
        drop_frame: bool,
    ) -> Result<Self, String> {
        let base = timecode_base(num, den)
            .ok_or_else(|| format!("frame rate {num}/{den} is not usable for timecode"))?;
        if sample_rate == 0 {
            return Err("sample rate 0".into());
        }
        let frames =
            u128::from(samples) * u128::from(num) / (u128::from(sample_rate) * u128::from(den));
        let frames = u64::try_from(frames).map_err(|_| "sample position overflows".to_string())?;
        Ok(Self::from_frame_number(frames, base, drop_frame))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn smpte_331m_bcd_and_flags() {
        let tc = Timecode::from_smpte_331m(&[0x22, 0x33, 0x09, 0x14, 0, 0, 0, 0]).unwrap();
        assert_eq!(tc.to_string(), "14:09:33:22");
        // Drop-frame flag (bit 6) and colour-frame flag (bit 7) set, binary-group flags set.
        let tc = Timecode::from_smpte_331m(&[0xC5, 0x80 | 0x12, 0x80 | 0x01, 0xC0 | 0x10]).unwrap();
        assert_eq!(tc.to_string(), "10:01:12;05");
        assert!(Timecode::from_smpte_331m(&[0x1A, 0, 0, 0]).is_err()); // not BCD
        assert!(Timecode::from_smpte_331m(&[0, 0, 0, 0x24]).is_err()); // hour 24
        assert!(Timecode::from_smpte_331m(&[0, 0]).is_err());
    }

    #[test]
    fn drop_frame_round_trip() {
        // 29.97 DF: 00:01:00;02 is frame 1800, 00:10:00;00 is frame 17982.
        let t = Timecode::from_frame_number(1800, 30, true);
        assert_eq!(t.to_string(), "00:01:00;02");
        assert_eq!(t.frame_number(30), 1800);
        assert_eq!(
            Timecode::from_frame_number(17982, 30, true).to_string(),
            "00:10:00;00"
        );
        assert_eq!(
            Timecode::from_frame_number(1799, 30, true).to_string(),
            "00:00:59;29"
        );
        for n in (0..200_000).step_by(7) {
            let t = Timecode::from_frame_number(n, 30, true);
            t.validate(30).unwrap();
            assert_eq!(t.frame_number(30), n, "{t}");
        }
        let t = Timecode::from_frame_number(5_000_000, 60, true);
        assert_eq!(t.frame_number(60), 5_000_000);
    }

    #[test]
    fn wraps_at_midnight_and_counts() {
        let last = Timecode::from_frame_number(24 * 3600 * 25 - 1, 25, false);
        assert_eq!(last.to_string(), "23:59:59:24");
        assert_eq!(last.plus_frames(1, 25).to_string(), "00:00:00:00");
        assert_eq!(
            Timecode::from_frame_number(24 * 3600 * 25, 25, false).to_string(),
            "00:00:00:00"
        );
    }

    #[test]
    fn samples_to_timecode() {
        // 23.976 at 48 kHz: 2002 samples per frame.
        let t = Timecode::from_samples(2002 * 24 + 2001, 48_000, 24000, 1001, false).unwrap();
        assert_eq!(t.to_string(), "00:00:01:00");
        // 10:00:00:00 at 25 fps.
        let t = Timecode::from_samples(36_000 * 48_000, 48_000, 25, 1, false).unwrap();
        assert_eq!(t.to_string(), "10:00:00:00");
        assert!(Timecode::from_samples(1, 0, 25, 1, false).is_err());
        assert!(Timecode::from_samples(1, 48_000, 25, 0, false).is_err());
        assert!(Timecode::from_samples(u64::MAX, 1, 240, 1, false).is_err());
    }

    #[test]
    fn validation() {
        let mut t = Timecode::from_frame_number(0, 25, false);
        t.frames = 25;
        assert!(t.validate(25).is_err());
        let t = Timecode {
            hours: 0,
            minutes: 1,
            seconds: 0,
            frames: 0,
            drop_frame: true,
        };
        assert!(t.validate(30).is_err());
        assert!(t.validate(25).is_err());
        assert_eq!(timecode_base(24000, 1001), Some(24));
        assert_eq!(timecode_base(30000, 1001), Some(30));
        assert_eq!(timecode_base(25, 0), None);
        assert_eq!(timecode_base(100_000, 1), None);
    }
}
