//! Frame rates as exact rationals, with the drop-frame flag that decides how timecode counts.

use crate::{Error, Result};

/// A video frame rate: an exact rational number of frames per second plus whether its timecode
/// is counted drop-frame.
///
/// Drop-frame counting only exists for the NTSC rates 30000/1001 (29.97) and 60000/1001 (59.94):
/// it skips frame numbers 0 and 1 (0 to 3 at 59.94) at the start of every minute except every
/// tenth minute, so the timecode stays within a few frames of wall-clock time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(try_from = "FrameRateFields")]
pub struct FrameRate {
    num: u32,
    den: u32,
    drop_frame: bool,
}

/// The largest nominal timecode rate we accept (frames per timecode second).
pub const MAX_NOMINAL_FPS: u32 = 1000;

impl FrameRate {
    /// 23.976 fps (24000/1001), counted with 24 frame numbers per timecode second.
    pub const FPS_23_976: Self = Self::exact(24000, 1001, false);
    /// 24 fps.
    pub const FPS_24: Self = Self::exact(24, 1, false);
    /// 25 fps (PAL).
    pub const FPS_25: Self = Self::exact(25, 1, false);
    /// 29.97 fps (30000/1001), drop-frame timecode.
    pub const FPS_29_97_DF: Self = Self::exact(30000, 1001, true);
    /// 29.97 fps (30000/1001), non-drop-frame timecode.
    pub const FPS_29_97_NDF: Self = Self::exact(30000, 1001, false);
    /// 30 fps.
    pub const FPS_30: Self = Self::exact(30, 1, false);
    /// 48 fps.
    pub const FPS_48: Self = Self::exact(48, 1, false);
    /// 50 fps.
    pub const FPS_50: Self = Self::exact(50, 1, false);
    /// 59.94 fps (60000/1001), drop-frame timecode.
    pub const FPS_59_94_DF: Self = Self::exact(60000, 1001, true);
    /// 59.94 fps (60000/1001), non-drop-frame timecode.
    pub const FPS_59_94_NDF: Self = Self::exact(60000, 1001, false);
    /// 60 fps.
    pub const FPS_60: Self = Self::exact(60, 1, false);

    /// Every standard rate, for tests and for menus.
    pub const STANDARD: [Self; 11] = [
        Self::FPS_23_976,
        Self::FPS_24,
        Self::FPS_25,
        Self::FPS_29_97_DF,
        Self::FPS_29_97_NDF,
        Self::FPS_30,
        Self::FPS_48,
        Self::FPS_50,
        Self::FPS_59_94_DF,
        Self::FPS_59_94_NDF,
        Self::FPS_60,
    ];

    const fn exact(num: u32, den: u32, drop_frame: bool) -> Self {
        Self {
            num,
            den,
            drop_frame,
        }
    }

    /// `num/den` frames per second, reduced to lowest terms. Drop-frame is only accepted for
    /// 30000/1001 and 60000/1001; the nominal rate (`num/den` rounded up) must be 1 to
    /// [`MAX_NOMINAL_FPS`].
    pub fn new(num: u32, den: u32, drop_frame: bool) -> Result<Self> {
        let bad = |problem: String| Error::BadFrameRate {
            rate: format!("{num}/{den}{}", if drop_frame { " DF" } else { "" }),
            problem,
        };
        if num == 0 || den == 0 {
            return Err(bad("numerator and denominator must be positive".into()));
        }
        let g = gcd(num, den);
        let (num, den) = (num / g, den / g);
        if num.div_ceil(den) > MAX_NOMINAL_FPS {
            return Err(bad(format!("above {MAX_NOMINAL_FPS} fps")));
        }
        if drop_frame && !((num == 30000 || num == 60000) && den == 1001) {
            return Err(bad(
                "drop-frame timecode exists only at 29.97 (30000/1001) and 59.94 (60000/1001)"
                    .into(),
            ));
        }
        Ok(Self::exact(num, den, drop_frame))
    }

    /// Reads a rate written as a decimal (`23.976`, `29.97`, `25`), a fraction (`24000/1001`),
    /// optionally followed by `DF`/`NDF` (or `drop`/`non-drop`, with a space, `-` or `_`).
    /// The usual NTSC decimals (23.976, 23.98, 29.97, 47.952, 59.94, 119.88) map to their exact
    /// `x000/1001` fractions; other decimals are taken exactly (`12.5` is 25/2).
    pub fn parse(text: &str) -> Result<Self> {
        let bad = |problem: &str| Error::BadFrameRate {
            rate: text.chars().take(64).collect(),
            problem: problem.into(),
        };
        let lower = text.trim().to_ascii_lowercase();
        let (number, drop_frame) = split_drop_suffix(&lower);
        let number = number.trim();
        let (num, den) = if let Some((n, d)) = number.split_once('/') {
            let n: u32 = n
                .trim()
                .parse()
                .map_err(|_| bad("numerator is not a number"))?;
            let d: u32 = d
                .trim()
                .parse()
                .map_err(|_| bad("denominator is not a number"))?;
            (n, d)
        } else {
            match number {
                "23.976" | "23.98" => (24000, 1001),
                "29.97" => (30000, 1001),
                "47.952" | "47.95" => (48000, 1001),
                "59.94" => (60000, 1001),
                "119.88" => (120000, 1001),
                _ => parse_decimal(number).ok_or_else(|| bad("not a frame rate"))?,
            }
        };
        Self::new(num, den, drop_frame)
    }

    /// Numerator of the rate in lowest terms.
    pub const fn num(self) -> u32 {
        self.num
    }

    /// Denominator of the rate in lowest terms.
    pub const fn den(self) -> u32 {
        self.den
    }

    /// Whether timecode at this rate is counted drop-frame.
    pub const fn is_drop_frame(self) -> bool {
        self.drop_frame
    }

    /// The same rate with drop-frame counting switched on or off (an error when turning it on at
    /// a rate that has no drop-frame count).
    pub fn with_drop_frame(self, drop_frame: bool) -> Result<Self> {
        Self::new(self.num, self.den, drop_frame)
    }

    /// Whether this rate has a drop-frame count (29.97 and 59.94).
    pub const fn supports_drop_frame(self) -> bool {
        (self.num == 30000 || self.num == 60000) && self.den == 1001
    }

    /// Frame numbers per timecode second: the rate rounded up (24 for 23.976, 30 for 29.97).
    pub const fn nominal(self) -> u32 {
        self.num.div_ceil(self.den)
    }

    /// Frame numbers skipped at the start of each minute not divisible by ten (0 when not
    /// drop-frame, 2 at 29.97 DF, 4 at 59.94 DF).
    pub const fn dropped_per_minute(self) -> u32 {
        if self.drop_frame {
            self.nominal() / 15
        } else {
            0
        }
    }

    /// Frames in 24 hours of timecode (the length of a timecode day at this rate).
    pub const fn frames_per_day(self) -> u64 {
        let nominal = self.nominal() as u64;
        let drop = self.dropped_per_minute() as u64;
        // 24 h = 144 ten-minute blocks; each drops 9 * drop frame numbers.
        24 * 3600 * nominal - 144 * 9 * drop
    }

    /// The rate as a float (for display and for tools that want one).
    pub fn as_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den)
    }

    /// Whether two rates run at the same speed (drop-frame flag ignored).
    pub const fn same_speed(self, other: Self) -> bool {
        self.num == other.num && self.den == other.den
    }
}

impl std::fmt::Display for FrameRate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)?;
        } else if self.den == 1001 {
            // 23.976, 29.97, 59.94: the names editors use.
            let hundredths = u64::from(self.num) * 1000 / 1001;
            let text = format!("{}.{:03}", hundredths / 1000, hundredths % 1000);
            let text = if self.num % 24000 == 0 {
                text
            } else {
                text.trim_end_matches('0').to_string()
            };
            write!(f, "{text}")?;
        } else {
            write!(f, "{}/{}", self.num, self.den)?;
        }
        if self.drop_frame {
            write!(f, " DF")?;
        } else if self.supports_drop_frame() {
            write!(f, " NDF")?;
        }
        Ok(())
    }
}

/// The serialised form, validated through [`FrameRate::new`] when read back.
#[derive(serde::Deserialize)]
struct FrameRateFields {
    num: u32,
    den: u32,
    drop_frame: bool,
}

impl TryFrom<FrameRateFields> for FrameRate {
    type Error = Error;

    fn try_from(f: FrameRateFields) -> Result<Self> {
        Self::new(f.num, f.den, f.drop_frame)
    }
}

fn split_drop_suffix(lower: &str) -> (&str, bool) {
    for (suffix, drop) in [
        ("non-drop-frame", false),
        ("non-drop", false),
        ("nondrop", false),
        ("non_drop", false),
        ("ndf", false),
        ("drop-frame", true),
        ("drop_frame", true),
        ("drop", true),
        ("df", true),
    ] {
        if let Some(rest) = lower.strip_suffix(suffix) {
            let rest = rest.trim_end_matches([' ', '-', '_']);
            return (rest, drop);
        }
    }
    (lower, false)
}

/// `12.5` -> (25, 2), exactly; at most 6 decimals.
fn parse_decimal(text: &str) -> Option<(u32, u32)> {
    let (int, frac) = text.split_once('.').unwrap_or((text, ""));
    if int.is_empty() && frac.is_empty()
        || frac.len() > 6
        || !int.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let scale = 10u64.pow(u32::try_from(frac.len()).ok()?);
    let int: u64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let frac: u64 = if frac.is_empty() {
        0
    } else {
        frac.parse().ok()?
    };
    let num = int.checked_mul(scale)?.checked_add(frac)?;
    let g = gcd64(num.max(1), scale);
    Some((u32::try_from(num / g).ok()?, u32::try_from(scale / g).ok()?))
}

const fn gcd(mut a: u32, mut b: u32) -> u32 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

const fn gcd64(mut a: u64, mut b: u64) -> u64 {
    while b != 0 {
        let t = a % b;
        a = b;
        b = t;
    }
    a
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn parses_common_spellings() {
        assert_eq!(FrameRate::parse("23.976").unwrap(), FrameRate::FPS_23_976);
        assert_eq!(FrameRate::parse("23.98").unwrap(), FrameRate::FPS_23_976);
        assert_eq!(
            FrameRate::parse("24000/1001").unwrap(),
            FrameRate::FPS_23_976
        );
        assert_eq!(
            FrameRate::parse("29.97 DF").unwrap(),
            FrameRate::FPS_29_97_DF
        );
        assert_eq!(
            FrameRate::parse("29.97NDF").unwrap(),
            FrameRate::FPS_29_97_NDF
        );
        assert_eq!(
            FrameRate::parse("59.94-drop").unwrap(),
            FrameRate::FPS_59_94_DF
        );
        assert_eq!(FrameRate::parse("25").unwrap(), FrameRate::FPS_25);
        assert_eq!(FrameRate::parse("50/2").unwrap(), FrameRate::FPS_25);
        assert_eq!(
            FrameRate::parse("12.5").unwrap(),
            FrameRate::new(25, 2, false).unwrap()
        );
        assert_eq!(FrameRate::parse("60.0").unwrap(), FrameRate::FPS_60);
    }

    #[test]
    fn rejects_impossible_rates() {
        assert!(FrameRate::parse("25 DF").is_err());
        assert!(FrameRate::parse("0").is_err());
        assert!(FrameRate::parse("24/0").is_err());
        assert!(FrameRate::parse("fast").is_err());
        assert!(FrameRate::parse("").is_err());
        assert!(FrameRate::parse("1001").is_err());
        assert!(FrameRate::parse("99999999999999").is_err());
        assert!(FrameRate::parse("1.0000001").is_err());
        assert!(FrameRate::new(30, 1, true).is_err());
    }

    #[test]
    fn nominal_and_day_lengths() {
        assert_eq!(FrameRate::FPS_23_976.nominal(), 24);
        assert_eq!(FrameRate::FPS_29_97_DF.nominal(), 30);
        assert_eq!(FrameRate::FPS_59_94_DF.dropped_per_minute(), 4);
        assert_eq!(FrameRate::FPS_29_97_DF.frames_per_day(), 2_589_408);
        assert_eq!(FrameRate::FPS_59_94_DF.frames_per_day(), 5_178_816);
        assert_eq!(FrameRate::FPS_25.frames_per_day(), 2_160_000);
        assert_eq!(FrameRate::FPS_29_97_DF.to_string(), "29.97 DF");
        assert_eq!(FrameRate::FPS_23_976.to_string(), "23.976");
        assert_eq!(FrameRate::FPS_59_94_NDF.to_string(), "59.94 NDF");
    }
}
