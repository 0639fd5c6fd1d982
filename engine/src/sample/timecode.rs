//! Non-drop-frame time-of-day timecode: arithmetic, display, SMPTE 12M BCD and samples since midnight.

use super::Rational;
use crate::{Error, Result};

/// A non-drop-frame timecode, kept as the number of frames since midnight at the nominal
/// (integer) rate: 24 for 23.976 fps, 25 for 25 fps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Timecode {
    frames: u64,
    base: u32,
}

impl Timecode {
    /// The nominal (integer) timecode rate of a frame rate: 24000/1001 counts 24 frames per
    /// timecode second.
    pub fn base_of(fps: Rational) -> Result<u32> {
        if fps.num == 0 || fps.den == 0 {
            return Err(Error::InvalidInput {
                what: "frame rate".into(),
                problem: format!("{fps} is not a positive rate"),
            });
        }
        let base = fps.num.div_ceil(fps.den);
        if base > 120 {
            return Err(Error::InvalidInput {
                what: "frame rate".into(),
                problem: format!("{fps} is above 120 fps"),
            });
        }
        Ok(base)
    }

    /// `hh:mm:ss:ff` at the nominal rate of `fps`.
    pub fn from_hmsf(h: u32, m: u32, s: u32, f: u32, fps: Rational) -> Result<Self> {
        let base = Self::base_of(fps)?;
        if h > 23 || m > 59 || s > 59 || f >= base {
            return Err(Error::InvalidInput {
                what: "timecode".into(),
                problem: format!(
                    "{h:02}:{m:02}:{s:02}:{f:02} is not a valid time of day at {base} fps"
                ),
            });
        }
        let frames = ((u64::from(h) * 60 + u64::from(m)) * 60 + u64::from(s)) * u64::from(base)
            + u64::from(f);
        Ok(Self { frames, base })
    }

    /// Frames since midnight.
    pub const fn frames(self) -> u64 {
        self.frames
    }

    /// The nominal rate (frames per timecode second).
    pub const fn base(self) -> u32 {
        self.base
    }

    /// The timecode `n` frames later, wrapping at midnight.
    pub fn plus_frames(self, n: u64) -> Self {
        let day = 24 * 3600 * u64::from(self.base);
        Self {
            frames: (self.frames + n % day) % day,
            base: self.base,
        }
    }

    /// The timecode `n` frames earlier, wrapping at midnight.
    pub fn minus_frames(self, n: u64) -> Self {
        let day = 24 * 3600 * u64::from(self.base);
        Self {
            frames: (self.frames + day - n % day) % day,
            base: self.base,
        }
    }

    /// Hours, minutes, seconds, frames.
    pub fn hmsf(self) -> (u8, u8, u8, u8) {
        let base = u64::from(self.base);
        let f = self.frames % base;
        let secs = self.frames / base;
        // All four are below 256 by construction (frames < 24 h).
        (
            (secs / 3600 % 24) as u8,
            (secs / 60 % 60) as u8,
            (secs % 60) as u8,
            f as u8,
        )
    }

    /// The SMPTE 12M time address in BCD, least significant byte first: frames, seconds, minutes,
    /// hours. Flags (drop frame, colour frame, field/binary group bits) are all zero.
    pub fn smpte_bcd(self) -> [u8; 4] {
        let (h, m, s, f) = self.hmsf();
        let bcd = |v: u8| ((v / 10) << 4) | (v % 10);
        [bcd(f), bcd(s), bcd(m), bcd(h)]
    }

    /// The 8 bytes of one entry of the CinemaDNG `TimeCodes` tag (51043): the SMPTE 12M time
    /// address followed by four bytes of (empty) user bits.
    pub fn cinema_dng_bytes(self) -> [u8; 8] {
        let a = self.smpte_bcd();
        [a[0], a[1], a[2], a[3], 0, 0, 0, 0]
    }
}

impl std::fmt::Display for Timecode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (h, m, s, fr) = self.hmsf();
        write!(f, "{h:02}:{m:02}:{s:02}:{fr:02}")
    }
}

/// Audio samples since midnight at `sample_rate` for a timecode running at `fps`, as a recorder
/// stamps BWF `TimeReference`: each timecode frame lasts `den/num` seconds, so 23.976 fps
/// timecode at 48 kHz is 2002 samples per frame. Rounds down when a frame is not a whole number
/// of samples.
pub fn samples_since_midnight(tc: Timecode, fps: Rational, sample_rate: u32) -> Result<u64> {
    Timecode::base_of(fps)?;
    let samples = u128::from(tc.frames()) * u128::from(sample_rate) * u128::from(fps.den)
        / u128::from(fps.num);
    u64::try_from(samples).map_err(|_| Error::InvalidInput {
        what: "timecode".into(),
        problem: format!("{tc} at {sample_rate} Hz overflows 64 bits"),
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const F23976: Rational = Rational::new(24000, 1001);
    const F25: Rational = Rational::new(25, 1);

    #[test]
    fn bcd_encoding() {
        let tc = Timecode::from_hmsf(9, 14, 3, 17, F23976).unwrap();
        assert_eq!(tc.smpte_bcd(), [0x17, 0x03, 0x14, 0x09]);
        assert_eq!(tc.cinema_dng_bytes(), [0x17, 0x03, 0x14, 0x09, 0, 0, 0, 0]);
        let tc = Timecode::from_hmsf(23, 59, 59, 24, F25).unwrap();
        assert_eq!(tc.smpte_bcd(), [0x24, 0x59, 0x59, 0x23]);
        assert_eq!(tc.to_string(), "23:59:59:24");
    }

    #[test]
    fn arithmetic_and_wrap() {
        let tc = Timecode::from_hmsf(9, 59, 59, 23, F23976).unwrap();
        assert_eq!(tc.plus_frames(1).to_string(), "10:00:00:00");
        assert_eq!(tc.plus_frames(1).minus_frames(1), tc);
        let last = Timecode::from_hmsf(23, 59, 59, 24, F25).unwrap();
        assert_eq!(last.plus_frames(1).to_string(), "00:00:00:00");
        assert_eq!(last.plus_frames(1).minus_frames(1), last);
        assert_eq!(tc.frames(), ((9 * 60 + 59) * 60 + 59) * 24 + 23);
    }

    #[test]
    fn rejects_bad_values() {
        assert!(Timecode::from_hmsf(24, 0, 0, 0, F25).is_err());
        assert!(Timecode::from_hmsf(1, 60, 0, 0, F25).is_err());
        assert!(Timecode::from_hmsf(1, 0, 0, 25, F25).is_err());
        assert!(Timecode::from_hmsf(1, 0, 0, 24, F23976).is_err());
        assert!(Timecode::from_hmsf(1, 0, 0, 0, Rational::new(25, 0)).is_err());
        assert!(Timecode::from_hmsf(1, 0, 0, 0, Rational::new(0, 1)).is_err());
        assert!(Timecode::from_hmsf(1, 0, 0, 0, Rational::new(1000, 1)).is_err());
    }

    #[test]
    fn time_reference_arithmetic() {
        // One 23.976 frame is exactly 2002 samples at 48 kHz; one 25 fps frame 1920.
        let one = Timecode::from_hmsf(0, 0, 0, 1, F23976).unwrap();
        assert_eq!(samples_since_midnight(one, F23976, 48_000).unwrap(), 2002);
        let one = Timecode::from_hmsf(0, 0, 0, 1, F25).unwrap();
        assert_eq!(samples_since_midnight(one, F25, 48_000).unwrap(), 1920);
        // 10:00:00:00 at 25 fps is exactly 36000 s of samples.
        let ten = Timecode::from_hmsf(10, 0, 0, 0, F25).unwrap();
        assert_eq!(
            samples_since_midnight(ten, F25, 48_000).unwrap(),
            36_000 * 48_000
        );
        // At 23.976 the timecode runs slow: 10:00:00:00 is 36036 real seconds after midnight.
        let ten = Timecode::from_hmsf(10, 0, 0, 0, F23976).unwrap();
        assert_eq!(
            samples_since_midnight(ten, F23976, 48_000).unwrap(),
            36_036 * 48_000
        );
    }
}
