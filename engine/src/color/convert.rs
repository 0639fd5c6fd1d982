//! Named colour spaces (gamut + encoding) and conversions between them over `f32` pixel buffers,
//! in parallel with rayon.

use rayon::prelude::*;

use super::gamut::{Adaptation, Gamut, rgb_to_rgb};
use super::matrix::Mat3;
use super::transfer::TransferFunction;
use crate::{Error, Result};

/// An RGB colour space: a gamut and an encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ColorSpace {
    /// Primaries and white.
    pub gamut: Gamut,
    /// How values are encoded.
    pub transfer: TransferFunction,
}

impl ColorSpace {
    /// ACES2065-1: AP0, linear.
    pub const ACES2065_1: ColorSpace = ColorSpace::new(Gamut::Ap0, TransferFunction::Linear);
    /// ACEScg: AP1, linear.
    pub const ACESCG: ColorSpace = ColorSpace::new(Gamut::Ap1, TransferFunction::Linear);
    /// ACEScct: AP1, ACEScct log encoding.
    pub const ACESCCT: ColorSpace = ColorSpace::new(Gamut::Ap1, TransferFunction::AcesCct);
    /// ACEScc: AP1, ACEScc log encoding.
    pub const ACESCC: ColorSpace = ColorSpace::new(Gamut::Ap1, TransferFunction::AcesCc);
    /// Rec.709 display: BT.709 primaries, BT.1886 (gamma 2.4).
    pub const REC709: ColorSpace = ColorSpace::new(Gamut::Rec709, TransferFunction::Bt1886);
    /// Linear Rec.709 primaries.
    pub const LINEAR_REC709: ColorSpace = ColorSpace::new(Gamut::Rec709, TransferFunction::Linear);
    /// sRGB: BT.709 primaries, sRGB piecewise curve.
    pub const SRGB: ColorSpace = ColorSpace::new(Gamut::Rec709, TransferFunction::Srgb);
    /// Display P3: P3 primaries, D65, sRGB piecewise curve.
    pub const DISPLAY_P3: ColorSpace = ColorSpace::new(Gamut::P3D65, TransferFunction::Srgb);
    /// P3-D65 cinema: P3 primaries, D65, gamma 2.6.
    pub const P3_D65: ColorSpace = ColorSpace::new(Gamut::P3D65, TransferFunction::Gamma26);
    /// Rec.2020 SDR display: BT.2020 primaries, BT.1886.
    pub const REC2020: ColorSpace = ColorSpace::new(Gamut::Rec2020, TransferFunction::Bt1886);
    /// Rec.2100 PQ: BT.2020 primaries, ST 2084 (linear 1.0 = 100 cd/m²).
    pub const REC2100_PQ: ColorSpace = ColorSpace::new(Gamut::Rec2020, TransferFunction::St2084);

    /// A colour space from its parts.
    pub const fn new(gamut: Gamut, transfer: TransferFunction) -> ColorSpace {
        ColorSpace { gamut, transfer }
    }
}

/// A ready-made conversion from one colour space to another: decode, one matrix, encode.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Converter {
    src: TransferFunction,
    matrix: Mat3,
    identity_matrix: bool,
    dst: TransferFunction,
}

impl Converter {
    /// The conversion `src` -> `dst`, adapting whites with `adaptation` when they differ.
    pub fn new(src: ColorSpace, dst: ColorSpace, adaptation: Adaptation) -> Converter {
        let matrix = if src.gamut == dst.gamut {
            Mat3::IDENTITY
        } else {
            rgb_to_rgb(
                &src.gamut.chromaticities(),
                &dst.gamut.chromaticities(),
                adaptation,
            )
        };
        Converter {
            src: src.transfer,
            matrix,
            identity_matrix: matrix == Mat3::IDENTITY,
            dst: dst.transfer,
        }
    }

    /// The linear matrix this conversion applies between decoding and encoding.
    pub fn matrix(&self) -> Mat3 {
        self.matrix
    }

    /// Converts one RGB triple (computed in `f64`).
    pub fn convert(&self, rgb: [f32; 3]) -> [f32; 3] {
        let lin = rgb.map(|v| self.src.decode(f64::from(v)));
        let out = if self.identity_matrix {
            lin
        } else {
            self.matrix.mul_vec(lin)
        };
        out.map(|v| self.dst.encode(v) as f32)
    }

    /// Converts a buffer of interleaved pixels in place, in parallel. `channels` is 3 (RGB) or
    /// 4 (RGBA, alpha untouched).
    pub fn apply(&self, pixels: &mut [f32], channels: usize) -> Result<()> {
        for_each_pixel(pixels, channels, |rgb| self.convert(rgb))
    }
}

/// Pixels handed to one rayon task at a time.
const PIXELS_PER_TASK: usize = 16 * 1024;

/// Runs `op` on every RGB triple of an interleaved `f32` buffer in place, in parallel.
/// `channels` is 3 or 4 (the fourth channel is left as it is).
pub fn for_each_pixel<F>(pixels: &mut [f32], channels: usize, op: F) -> Result<()>
where
    F: Fn([f32; 3]) -> [f32; 3] + Sync,
{
    if channels != 3 && channels != 4 {
        return Err(Error::ColorInvalid(format!(
            "pixel buffers must have 3 or 4 channels, not {channels}"
        )));
    }
    if pixels.len() % channels != 0 {
        return Err(Error::ColorInvalid(format!(
            "buffer of {} values is not a whole number of {channels}-channel pixels",
            pixels.len()
        )));
    }
    pixels
        .par_chunks_mut(channels * PIXELS_PER_TASK)
        .for_each(|block| {
            for px in block.chunks_exact_mut(channels) {
                if let [r, g, b, ..] = px {
                    [*r, *g, *b] = op([*r, *g, *b]);
                }
            }
        });
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aces_to_acescct_and_back_is_lossless_to_f32_precision() {
        let fwd = Converter::new(
            ColorSpace::ACES2065_1,
            ColorSpace::ACESCCT,
            Adaptation::Bradford,
        );
        let inv = Converter::new(
            ColorSpace::ACESCCT,
            ColorSpace::ACES2065_1,
            Adaptation::Bradford,
        );
        assert!((fwd.convert([0.0; 3])[1] - 0.072_905_53).abs() < 1e-6);
        let mut buf: Vec<f32> = (0..3000).map(|i| i as f32 / 1000.0).collect();
        let orig = buf.clone();
        fwd.apply(&mut buf, 3).unwrap_or(());
        inv.apply(&mut buf, 3).unwrap_or(());
        for (a, b) in buf.iter().zip(&orig) {
            assert!((a - b).abs() <= 2e-6 * b.max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn rgba_alpha_is_untouched_and_bad_shapes_are_refused() {
        let conv = Converter::new(
            ColorSpace::ACES2065_1,
            ColorSpace::ACESCG,
            Adaptation::Bradford,
        );
        let mut px = vec![0.5, 0.25, 0.125, 0.7, 1.0, 1.0, 1.0, 0.3];
        conv.apply(&mut px, 4).unwrap_or(());
        assert_eq!(px[3], 0.7);
        assert_eq!(px[7], 0.3);
        // White stays white between gamuts with the same white point.
        for v in &px[4..7] {
            assert!((v - 1.0).abs() < 1e-6);
        }
        let mut odd = vec![0.0; 7];
        assert!(matches!(
            conv.apply(&mut odd, 3),
            Err(Error::ColorInvalid(_))
        ));
        assert!(matches!(
            conv.apply(&mut odd, 2),
            Err(Error::ColorInvalid(_))
        ));
    }

    #[test]
    fn parallel_result_equals_sequential() {
        let conv = Converter::new(
            ColorSpace::ACES2065_1,
            ColorSpace::SRGB,
            Adaptation::Bradford,
        );
        let mut buf: Vec<f32> = (0..(3 * 100_000))
            .map(|i| (i % 977) as f32 / 500.0)
            .collect();
        let expected: Vec<f32> = buf
            .chunks_exact(3)
            .flat_map(|p| conv.convert([p[0], p[1], p[2]]))
            .collect();
        conv.apply(&mut buf, 3).unwrap_or(());
        assert_eq!(buf, expected);
    }
}
