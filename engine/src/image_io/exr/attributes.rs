//! OpenEXR header attributes as typed values: chromaticities, SMPTE time code, rationals, the
//! header struct the writer takes and the reader returns, and their byte encodings.

use crate::timecode::{FrameRate, Timecode};
use crate::{Error, Result};

/// Attribute holding a reference to the shot's ACES Metadata File (a string: relative path or
/// URI of the `.amf` sidecar written next to the frames).
pub const ATTR_AMF_FILE: &str = "amfFile";
/// Attribute holding a reference to the shot's ASC FDL sidecar (string, relative path or URI).
pub const ATTR_FDL_FILE: &str = "fdlFile";
/// Attribute holding the camera clip name (string; not an OpenEXR standard attribute).
pub const ATTR_CLIP_NAME: &str = "clipName";
/// The OpenEXR standard attribute for the reel (tape / camera roll) name (string).
pub const ATTR_REEL_NAME: &str = "reelName";

/// CIE xy chromaticities of the red, green and blue primaries and the white point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chromaticities {
    /// Red primary (x, y).
    pub red: [f32; 2],
    /// Green primary (x, y).
    pub green: [f32; 2],
    /// Blue primary (x, y).
    pub blue: [f32; 2],
    /// White point (x, y).
    pub white: [f32; 2],
}

impl Chromaticities {
    /// ACES AP0 primaries and the ACES white point (SMPTE ST 2065-1), as ST 2065-4 requires.
    pub const ACES_AP0: Self = Self {
        red: [0.7347, 0.2653],
        green: [0.0, 1.0],
        blue: [0.0001, -0.077],
        white: [0.32168, 0.33767],
    };
    /// ACES AP1 primaries (ACEScg, ACEScct) and the ACES white point.
    pub const ACES_AP1: Self = Self {
        red: [0.713, 0.293],
        green: [0.165, 0.83],
        blue: [0.128, 0.044],
        white: [0.32168, 0.33767],
    };
    /// ITU-R BT.709 primaries, D65 white (the OpenEXR default when the attribute is absent).
    pub const REC709: Self = Self {
        red: [0.64, 0.33],
        green: [0.3, 0.6],
        blue: [0.15, 0.06],
        white: [0.3127, 0.329],
    };

    fn values(&self) -> [f32; 8] {
        [
            self.red[0],
            self.red[1],
            self.green[0],
            self.green[1],
            self.blue[0],
            self.blue[1],
            self.white[0],
            self.white[1],
        ]
    }
}

/// A rational number as OpenEXR stores it (signed numerator, unsigned denominator).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExrRational {
    /// Numerator.
    pub num: i32,
    /// Denominator.
    pub den: u32,
}

impl From<FrameRate> for ExrRational {
    fn from(rate: FrameRate) -> Self {
        Self {
            // Frame rates are checked at construction: numerators stay far below i32::MAX.
            num: i32::try_from(rate.num()).unwrap_or(i32::MAX),
            den: rate.den(),
        }
    }
}

impl ExrRational {
    /// The frame rate this rational names, with the given drop-frame counting.
    pub fn to_frame_rate(self, drop_frame: bool) -> Result<FrameRate> {
        let num = u32::try_from(self.num).map_err(|_| Error::InvalidInput {
            what: "framesPerSecond".into(),
            problem: format!("negative rate {}/{}", self.num, self.den),
        })?;
        FrameRate::new(num, self.den, drop_frame)
    }
}

/// The OpenEXR `timecode` attribute: a SMPTE ST 12-1 time address with its flags and user
/// data, packed as in the television 60-field form (time and flags in one 32-bit word, the
/// binary groups in another).
///
/// Above 30 frames per second (48, 50, 59.94, 60) the time address counts frame pairs, as
/// ST 12-1 does: the frame field holds `frame / 2` and `field_phase` the low bit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ExrTimecode {
    /// Hours, 0-23.
    pub hours: u8,
    /// Minutes, 0-59.
    pub minutes: u8,
    /// Seconds, 0-59.
    pub seconds: u8,
    /// Frame field, 0-29 (frame pair above 30 fps).
    pub frame: u8,
    /// Drop-frame counting.
    pub drop_frame: bool,
    /// Colour frame flag.
    pub color_frame: bool,
    /// Field phase / frame-pair flag.
    pub field_phase: bool,
    /// Binary group flags 0, 1 and 2.
    pub binary_group_flags: [bool; 3],
    /// The eight 4-bit binary groups (user bits), group 1 in the low nibble.
    pub user_data: u32,
}

fn bcd(value: u8) -> u32 {
    u32::from(value / 10) << 4 | u32::from(value % 10)
}

fn bcd_field(word: u32, shift: u32, tens_bits: u32, what: &str) -> Result<u8> {
    let units = (word >> shift) & 0xf;
    let tens = (word >> (shift + 4)) & ((1 << tens_bits) - 1);
    if units > 9 {
        return Err(Error::InvalidInput {
            what: "timeCode".into(),
            problem: format!("{what} units digit {units} is not a decimal digit"),
        });
    }
    // At most 7 * 10 + 9: fits a u8.
    Ok((tens * 10 + units) as u8)
}

impl ExrTimecode {
    /// The time address of a SMPTE timecode (drop-frame flag from its rate; frame pairs above
    /// 30 fps). Rates above 60 fps cannot be carried and are refused.
    pub fn from_timecode(tc: &Timecode) -> Result<Self> {
        let (hours, minutes, seconds, frames) = tc.fields();
        let rate = tc.rate();
        let (frame, field_phase) = match rate.nominal() {
            0..=30 => (frames, false),
            31..=60 => (frames / 2, frames % 2 == 1),
            n => {
                return Err(Error::InvalidInput {
                    what: "timeCode".into(),
                    problem: format!(
                        "{n} frames per second cannot be written as an OpenEXR time code \
                         (at most 60)"
                    ),
                });
            }
        };
        Ok(Self {
            hours,
            minutes,
            seconds,
            // Below 30 after halving: fits.
            frame: u8::try_from(frame).unwrap_or(0),
            drop_frame: rate.is_drop_frame(),
            field_phase,
            ..Self::default()
        })
    }

    /// The timecode at `rate` (use the file's `framesPerSecond`); the drop-frame flag of the
    /// attribute decides drop-frame counting.
    pub fn to_timecode(&self, rate: FrameRate) -> Result<Timecode> {
        let rate = if rate.supports_drop_frame() || !self.drop_frame {
            rate.with_drop_frame(self.drop_frame)?
        } else {
            return Err(Error::InvalidInput {
                what: "timeCode".into(),
                problem: format!("drop-frame flag set at {rate}, which has no drop-frame counting"),
            });
        };
        let frames = if rate.nominal() > 30 {
            u32::from(self.frame) * 2 + u32::from(self.field_phase)
        } else {
            u32::from(self.frame)
        };
        Timecode::new(
            u32::from(self.hours),
            u32::from(self.minutes),
            u32::from(self.seconds),
            frames,
            rate,
        )
    }

    /// The two 32-bit words of the attribute: time and flags, user data.
    pub fn pack(&self) -> Result<(u32, u32)> {
        let check = |v: u8, max: u8, what: &str| {
            if v > max {
                Err(Error::InvalidInput {
                    what: "timeCode".into(),
                    problem: format!("{what} {v} is above {max}"),
                })
            } else {
                Ok(())
            }
        };
        check(self.hours, 23, "hours")?;
        check(self.minutes, 59, "minutes")?;
        check(self.seconds, 59, "seconds")?;
        check(self.frame, 29, "frame")?;
        let flag = |b: bool, bit: u32| u32::from(b) << bit;
        let word = bcd(self.frame)
            | flag(self.drop_frame, 6)
            | flag(self.color_frame, 7)
            | bcd(self.seconds) << 8
            | flag(self.field_phase, 15)
            | bcd(self.minutes) << 16
            | flag(self.binary_group_flags[0], 23)
            | bcd(self.hours) << 24
            | flag(self.binary_group_flags[1], 30)
            | flag(self.binary_group_flags[2], 31);
        Ok((word, self.user_data))
    }

    /// Reads the two words of the attribute (decimal digits checked).
    pub fn unpack(time_and_flags: u32, user_data: u32) -> Result<Self> {
        let w = time_and_flags;
        let bit = |b: u32| w >> b & 1 == 1;
        Ok(Self {
            frame: bcd_field(w, 0, 2, "frame")?,
            drop_frame: bit(6),
            color_frame: bit(7),
            seconds: bcd_field(w, 8, 3, "seconds")?,
            field_phase: bit(15),
            minutes: bcd_field(w, 16, 3, "minutes")?,
            binary_group_flags: [bit(23), bit(30), bit(31)],
            hours: bcd_field(w, 24, 2, "hours")?,
            user_data,
        })
    }
}

/// An attribute kept as it was read (name, OpenEXR type name, value bytes) and written back
/// verbatim: everything the typed fields of [`ExrHeader`] do not cover.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawAttribute {
    /// Attribute name.
    pub name: String,
    /// OpenEXR type name (`string`, `float`, `v2f`, `m44f`, ...).
    pub type_name: String,
    /// The value's bytes, little-endian as in the file.
    pub bytes: Vec<u8>,
}

/// The descriptive header attributes of an OpenEXR file: what the writer writes (besides the
/// structural attributes it derives from the image: channels, windows, compression, line
/// order) and what the reader returns.
#[derive(Debug, Clone, PartialEq)]
pub struct ExrHeader {
    /// `pixelAspectRatio` (1 for square pixels).
    pub pixel_aspect_ratio: f32,
    /// `screenWindowCenter`.
    pub screen_window_center: [f32; 2],
    /// `screenWindowWidth`.
    pub screen_window_width: f32,
    /// `chromaticities` of the RGB primaries and white.
    pub chromaticities: Option<Chromaticities>,
    /// `adoptedNeutral` (CIE xy).
    pub adopted_neutral: Option<[f32; 2]>,
    /// `acesImageContainerFlag` as read; the writer sets it (to 1) only in ST 2065-4 mode and
    /// refuses any other value.
    pub aces_image_container_flag: Option<i32>,
    /// `timeCode`.
    pub timecode: Option<ExrTimecode>,
    /// `framesPerSecond`.
    pub frames_per_second: Option<ExrRational>,
    /// `clipName` ([`ATTR_CLIP_NAME`]).
    pub clip_name: Option<String>,
    /// `reelName` ([`ATTR_REEL_NAME`]).
    pub reel_name: Option<String>,
    /// `owner` (copyright holder).
    pub owner: Option<String>,
    /// `comments`.
    pub comments: Option<String>,
    /// `capDate`: capture date, `YYYY:MM:DD hh:mm:ss` in local time.
    pub capture_date: Option<String>,
    /// Other string attributes in file order, e.g. [`ATTR_AMF_FILE`] and [`ATTR_FDL_FILE`].
    pub strings: Vec<(String, String)>,
    /// Every other attribute, kept verbatim.
    pub other: Vec<RawAttribute>,
}

impl Default for ExrHeader {
    fn default() -> Self {
        Self {
            pixel_aspect_ratio: 1.0,
            screen_window_center: [0.0, 0.0],
            screen_window_width: 1.0,
            chromaticities: None,
            adopted_neutral: None,
            aces_image_container_flag: None,
            timecode: None,
            frames_per_second: None,
            clip_name: None,
            reel_name: None,
            owner: None,
            comments: None,
            capture_date: None,
            strings: Vec::new(),
            other: Vec::new(),
        }
    }
}

impl ExrHeader {
    /// Sets `timeCode` and `framesPerSecond` from a SMPTE timecode (its rate).
    pub fn set_timecode(&mut self, tc: &Timecode) -> Result<()> {
        self.timecode = Some(ExrTimecode::from_timecode(tc)?);
        self.frames_per_second = Some(tc.rate().into());
        Ok(())
    }

    /// The SMPTE timecode from `timeCode` and `framesPerSecond` (`None` when either is absent).
    pub fn smpte_timecode(&self) -> Result<Option<Timecode>> {
        match (self.timecode, self.frames_per_second) {
            (Some(tc), Some(fps)) => Ok(Some(tc.to_timecode(fps.to_frame_rate(false)?)?)),
            _ => Ok(None),
        }
    }

    /// The value of string attribute `name` among [`ExrHeader::strings`].
    pub fn string(&self, name: &str) -> Option<&str> {
        self.strings
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Sets string attribute `name` (replacing an earlier value).
    pub fn set_string(&mut self, name: &str, value: &str) {
        match self.strings.iter_mut().find(|(n, _)| n == name) {
            Some(entry) => entry.1 = value.to_string(),
            None => self.strings.push((name.to_string(), value.to_string())),
        }
    }
}

/// A typed attribute value ready to be written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Int(i32),
    Float(f32),
    V2f([f32; 2]),
    Box2i([i32; 4]),
    Str(&'a str),
    Chromaticities(Chromaticities),
    Timecode(u32, u32),
    Rational(ExrRational),
    Compression(u8),
    LineOrder(u8),
    /// Channel list: (name, pixel type) in file order.
    Channels(Vec<(&'a str, i32)>),
    Raw(&'a str, &'a [u8]),
}

impl Value<'_> {
    pub(crate) fn type_name(&self) -> &str {
        match self {
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::V2f(_) => "v2f",
            Value::Box2i(_) => "box2i",
            Value::Str(_) => "string",
            Value::Chromaticities(_) => "chromaticities",
            Value::Timecode(..) => "timecode",
            Value::Rational(_) => "rational",
            Value::Compression(_) => "compression",
            Value::LineOrder(_) => "lineOrder",
            Value::Channels(_) => "chlist",
            Value::Raw(t, _) => t,
        }
    }

    pub(crate) fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let f32s = |out: &mut Vec<u8>, v: &[f32]| {
            v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()))
        };
        match self {
            Value::Int(v) => out.extend_from_slice(&v.to_le_bytes()),
            Value::Float(v) => out.extend_from_slice(&v.to_le_bytes()),
            Value::V2f(v) => f32s(&mut out, v),
            Value::Box2i(v) => v
                .iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes())),
            Value::Str(s) => out.extend_from_slice(s.as_bytes()),
            Value::Chromaticities(c) => f32s(&mut out, &c.values()),
            Value::Timecode(t, u) => {
                out.extend_from_slice(&t.to_le_bytes());
                out.extend_from_slice(&u.to_le_bytes());
            }
            Value::Rational(r) => {
                out.extend_from_slice(&r.num.to_le_bytes());
                out.extend_from_slice(&r.den.to_le_bytes());
            }
            Value::Compression(c) | Value::LineOrder(c) => out.push(*c),
            Value::Channels(list) => {
                for (name, pixel_type) in list {
                    out.extend_from_slice(name.as_bytes());
                    out.push(0);
                    out.extend_from_slice(&pixel_type.to_le_bytes());
                    out.extend_from_slice(&[0, 0, 0, 0]); // pLinear + reserved
                    out.extend_from_slice(&1i32.to_le_bytes()); // xSampling
                    out.extend_from_slice(&1i32.to_le_bytes()); // ySampling
                }
                out.push(0);
            }
            Value::Raw(_, bytes) => out.extend_from_slice(bytes),
        }
        out
    }
}

/// Little-endian readers over an attribute's value bytes (lengths checked by the caller).
pub(crate) fn le_i32(b: &[u8], at: usize) -> Option<i32> {
    Some(i32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}
pub(crate) fn le_f32(b: &[u8], at: usize) -> Option<f32> {
    Some(f32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

/// Decodes chromaticities (32 bytes).
pub(crate) fn parse_chromaticities(b: &[u8]) -> Option<Chromaticities> {
    if b.len() != 32 {
        return None;
    }
    let v = |i: usize| le_f32(b, i * 4);
    Some(Chromaticities {
        red: [v(0)?, v(1)?],
        green: [v(2)?, v(3)?],
        blue: [v(4)?, v(5)?],
        white: [v(6)?, v(7)?],
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn timecode_packs_as_tv60_bcd_with_flags() {
        let tc = Timecode::parse("01:02:03;04", FrameRate::FPS_29_97_DF).unwrap();
        let exr = ExrTimecode::from_timecode(&tc).unwrap();
        let (word, user) = exr.pack().unwrap();
        assert_eq!(word, 0x0102_0344, "{word:#x}");
        assert_eq!(user, 0);
        assert_eq!(ExrTimecode::unpack(word, user).unwrap(), exr);
        assert_eq!(exr.to_timecode(FrameRate::FPS_29_97_NDF).unwrap(), tc);
        // 23:59:59:23 at 24 fps, all flags.
        let mut all = ExrTimecode {
            hours: 23,
            minutes: 59,
            seconds: 59,
            frame: 23,
            color_frame: true,
            field_phase: true,
            binary_group_flags: [true, true, true],
            user_data: 0x1234_5678,
            ..Default::default()
        };
        let (word, _) = all.pack().unwrap();
        assert_eq!(
            word,
            0x2359_5923 | 1 << 7 | 1 << 15 | 1 << 23 | 1 << 30 | 1 << 31
        );
        assert_eq!(ExrTimecode::unpack(word, 0x1234_5678).unwrap(), all);
        all.frame = 30;
        assert!(all.pack().unwrap_err().to_string().contains("frame 30"));
        assert!(ExrTimecode::unpack(0x0000_000a, 0).is_err());
    }

    #[test]
    fn high_frame_rates_use_frame_pairs() {
        let tc = Timecode::parse("10:00:00:51", FrameRate::FPS_60).unwrap();
        let exr = ExrTimecode::from_timecode(&tc).unwrap();
        assert_eq!((exr.frame, exr.field_phase), (25, true));
        assert_eq!(exr.to_timecode(FrameRate::FPS_60).unwrap(), tc);
        let fast = FrameRate::new(120, 1, false).unwrap();
        let tc = Timecode::parse("00:00:00:00", fast).unwrap();
        assert!(ExrTimecode::from_timecode(&tc).is_err());
    }

    #[test]
    fn header_timecode_round_trip_and_strings() {
        let mut h = ExrHeader::default();
        assert_eq!(h.smpte_timecode().unwrap(), None);
        let tc = Timecode::parse("00:59:59:23", FrameRate::FPS_23_976).unwrap();
        h.set_timecode(&tc).unwrap();
        assert_eq!(
            h.frames_per_second,
            Some(ExrRational {
                num: 24000,
                den: 1001
            })
        );
        assert_eq!(h.smpte_timecode().unwrap(), Some(tc));
        h.set_string(ATTR_AMF_FILE, "a.amf");
        h.set_string(ATTR_AMF_FILE, "b.amf");
        assert_eq!(h.string(ATTR_AMF_FILE), Some("b.amf"));
        assert_eq!(h.strings.len(), 1);
    }
}
