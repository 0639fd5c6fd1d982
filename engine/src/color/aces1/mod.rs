//! ACES 1.3 output rendering, computed exactly (no LUTs): the Reference Rendering Transform
//! (RRT) and the SDR video Output Device Transforms built on the 48 nit tone scale (Rec.709,
//! Rec.2020 and sRGB, 100 nit dim surround), after the Academy's CTL.
//!
//! Input is ACES2065-1 (`f32` pixels, computed in `f64`); output is display code values in
//! [0, 1]. NaN inputs give NaN outputs; infinities are clamped like any
//! other large value by the RRT.

pub mod odt;
pub mod rrt;
pub mod spline;

use crate::Result;
use crate::color::{Gamut, TransferFunction, for_each_pixel};

/// The ACES 1.3 output transforms rushes implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aces13Output {
    /// RRT + ODT `Rec709_100nits_dim` (BT.1886 gamma 2.4, Rec.709 primaries, D65).
    Rec709_100nitsDim,
    /// RRT + ODT `Rec2020_100nits_dim` (BT.1886 gamma 2.4, Rec.2020 primaries, D65).
    Rec2020_100nitsDim,
    /// RRT + ODT `RGBmonitor_100nits_dim` (sRGB piecewise, Rec.709 primaries, D65).
    Srgb100nitsDim,
}

impl Aces13Output {
    /// ACES2065-1 RGB -> display code values.
    pub fn convert(self, aces: [f32; 3]) -> [f32; 3] {
        let aces = aces.map(f64::from);
        let oces = rrt::rrt(aces);
        let (gamut, dim_surround, encoding) = match self {
            Aces13Output::Rec709_100nitsDim => (Gamut::Rec709, true, TransferFunction::Bt1886),
            Aces13Output::Rec2020_100nitsDim => (Gamut::Rec2020, true, TransferFunction::Bt1886),
            Aces13Output::Srgb100nitsDim => (Gamut::Rec709, true, TransferFunction::Srgb),
        };
        let odt = odt::SdrOdt {
            gamut,
            dim_surround,
            encoding,
        };
        odt::sdr(odt, oces).map(|v| v as f32)
    }

    /// Applies the transform to interleaved ACES2065-1 pixels (3 or 4 channels), in parallel.
    pub fn apply(self, pixels: &mut [f32], channels: usize) -> Result<()> {
        for_each_pixel(pixels, channels, |rgb| self.convert(rgb))
    }
}
