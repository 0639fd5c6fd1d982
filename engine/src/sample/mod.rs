//! Synthetic shoot-day generator: camera rolls of CinemaDNG clips and a sound roll of Broadcast WAV files.
//!
//! The generator is pure: [`CardPlan::new`] lays out a whole card (relative paths plus the metadata
//! of every clip and sound file), and [`CardPlan::write_file`] encodes one planned file into any
//! [`std::io::Write`]. The caller (the `rushes sample-card` command) creates folders and files.
//!
//! # Layout of a card
//!
//! ```text
//! A001/A001C001_261122_R1AB/A001C001_261122_R1AB_0001001.dng   camera roll A, 23.976 fps, RGGB
//! B001/B001C002_261122_R2KX/B001C002_261122_R2KX_0001001.dng   camera roll B, 25 fps, GRBG (C002: 2x anamorphic)
//! S001/SC12_T01.WAV                                            sound roll, one BWF per camera take
//! ```
//!
//! Clip names follow the common camera style `<cam><roll 3 digits>C<clip 3 digits>_<YYMMDD>_<camera id>`;
//! every frame of a clip is `<clip name>_<frame number, 7 digits>.dng`, frame numbers starting at
//! 1001 in every clip. Sound files are `SC<scene>_T<take 2 digits>.WAV`.
//!
//! # Determinism and scale
//!
//! All metadata (names, timecodes, camera settings) is fixed; the seed only changes the sensor and
//! audio noise. The same seed gives byte-identical files. `scale` N multiplies every frame's width
//! and height by N and every clip's frame count by N (so the card grows by about N³); sound files
//! grow with the clips they cover.

mod bwf;
mod card;
mod clip;
mod dng;
mod scene;
pub(crate) mod tiff;
mod timecode;

pub use bwf::{bwf_len, write_bwf};
pub use card::{CardPlan, CardSpec, FileKind, MAX_SCALE, PlannedFile};
pub use clip::{CameraBody, CameraRoll, ClipPlan, SensorLayout, SoundFilePlan, SoundRoll};
pub use dng::{dng_len, write_dng, write_dng_with};
pub use timecode::{Timecode, samples_since_midnight};

/// How the CinemaDNG frames of a card store their raw samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DngCompression {
    /// Uncompressed 16-bit samples in strips (compression 1).
    #[default]
    None,
    /// Lossless JPEG (compression 7) in 256 x 256 tiles, two interleaved components, 16 bits.
    LosslessJpeg,
}

impl DngCompression {
    /// The command-line name: `none` or `ljpeg`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::LosslessJpeg => "ljpeg",
        }
    }
}

impl std::str::FromStr for DngCompression {
    type Err = crate::Error;

    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "none" => Ok(Self::None),
            "ljpeg" => Ok(Self::LosslessJpeg),
            other => Err(crate::Error::Sample(format!(
                "DNG compression `{other}` (expected none or ljpeg)"
            ))),
        }
    }
}

/// A positive rational number, used for frame rates (`24000/1001`) and the anamorphic squeeze.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rational {
    /// Numerator.
    pub num: u32,
    /// Denominator (never 0 in values made by this module).
    pub den: u32,
}

impl Rational {
    /// `num/den`.
    pub const fn new(num: u32, den: u32) -> Self {
        Self { num, den }
    }

    /// The value as a float.
    pub fn as_f64(self) -> f64 {
        f64::from(self.num) / f64::from(self.den.max(1))
    }
}

impl std::fmt::Display for Rational {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

/// Colour filter array phase of a 2x2 Bayer sensor, read left to right, top to bottom from the
/// top-left corner of the active area.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CfaPattern {
    /// R G / G B
    Rggb,
    /// G R / B G
    Grbg,
    /// G B / R G
    Gbrg,
    /// B G / G R
    Bggr,
}

impl CfaPattern {
    /// The four colours (0 = red, 1 = green, 2 = blue) as the DNG `CFAPattern` tag stores them.
    pub const fn colors(self) -> [u8; 4] {
        match self {
            Self::Rggb => [0, 1, 1, 2],
            Self::Grbg => [1, 0, 2, 1],
            Self::Gbrg => [1, 2, 0, 1],
            Self::Bggr => [2, 1, 1, 0],
        }
    }

    /// Colour (0 = red, 1 = green, 2 = blue) of the photosite at `row`, `col` of the active area.
    pub const fn color_at(self, row: u32, col: u32) -> u8 {
        self.colors()[((row & 1) * 2 + (col & 1)) as usize]
    }

    /// Upper-case name, e.g. `RGGB`.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Rggb => "RGGB",
            Self::Grbg => "GRBG",
            Self::Gbrg => "GBRG",
            Self::Bggr => "BGGR",
        }
    }
}

/// The light a clip was shot under; selects which DNG colour matrix describes the camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Illuminant {
    /// Tungsten, EXIF LightSource 17 (Standard light A).
    StdA,
    /// Daylight, EXIF LightSource 21 (D65).
    D65,
}

impl Illuminant {
    /// The EXIF LightSource code stored in `CalibrationIlluminant1/2`.
    pub const fn exif_code(self) -> u16 {
        match self {
            Self::StdA => 17,
            Self::D65 => 21,
        }
    }

    /// CIE XYZ of the illuminant's white, Y = 1.
    pub const fn white_xyz(self) -> [f64; 3] {
        match self {
            Self::StdA => [1.098_50, 1.0, 0.355_85],
            Self::D65 => [0.950_47, 1.0, 1.088_83],
        }
    }
}

/// Deterministic 64-bit mixer (SplitMix64 finaliser): noise is a pure function of its inputs, so
/// any pixel or sample can be computed independently and in any order.
pub(crate) fn mix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Roughly Gaussian noise with unit standard deviation, from one hashed key (sum of four uniforms).
pub(crate) fn noise(key: u64) -> f64 {
    let h = mix64(key);
    let sum: u32 = (0..4).map(|i| ((h >> (16 * i)) & 0xFFFF) as u32).sum();
    // Four uniforms on [0, 65535]: mean 131070, variance 4 * 65536² / 12.
    (f64::from(sum) - 131_070.0) / (65_536.0 * (4.0_f64 / 12.0).sqrt())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn cfa_colors_follow_the_pattern() {
        assert_eq!(CfaPattern::Rggb.color_at(0, 0), 0);
        assert_eq!(CfaPattern::Rggb.color_at(1, 1), 2);
        assert_eq!(CfaPattern::Grbg.color_at(0, 1), 0);
        assert_eq!(CfaPattern::Grbg.color_at(1, 0), 2);
        assert_eq!(CfaPattern::Grbg.color_at(2, 2), 1);
    }

    #[test]
    fn noise_is_deterministic_and_centered() {
        assert_eq!(noise(42).to_bits(), noise(42).to_bits());
        let n = 20_000;
        let vals: Vec<f64> = (0..n).map(noise).collect();
        let mean = vals.iter().sum::<f64>() / f64::from(n as u32);
        let var = vals.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / f64::from(n as u32);
        assert!(mean.abs() < 0.05, "mean {mean}");
        assert!((var - 1.0).abs() < 0.1, "variance {var}");
    }
}
