//! ACES 1.3 output rendering, computed exactly (no LUTs): the Reference Rendering Transform
//! (RRT) and the Rec.709 100 nit dim-surround Output Device Transform, after the Academy's CTL.
//!
//! Input is ACES2065-1 (`f32` pixels, computed in `f64`); output is BT.1886 (gamma 2.4) encoded
//! Rec.709 code values in [0, 1]. NaN inputs give NaN outputs; infinities are clamped like any
//! other large value by the RRT.

pub mod odt;
pub mod rrt;
pub mod spline;

use crate::Result;
use crate::color::for_each_pixel;

/// The ACES 1.3 output transforms rushes implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Aces13Output {
    /// RRT + ODT `Rec709_100nits_dim` (BT.1886 gamma 2.4, Rec.709 primaries, D65).
    Rec709_100nitsDim,
}

impl Aces13Output {
    /// ACES2065-1 RGB -> display code values.
    pub fn convert(self, aces: [f32; 3]) -> [f32; 3] {
        let aces = aces.map(f64::from);
        let oces = rrt::rrt(aces);
        match self {
            Aces13Output::Rec709_100nitsDim => odt::rec709_100nits_dim(oces).map(|v| v as f32),
        }
    }

    /// Applies the transform to interleaved ACES2065-1 pixels (3 or 4 channels), in parallel.
    pub fn apply(self, pixels: &mut [f32], channels: usize) -> Result<()> {
        for_each_pixel(pixels, channels, |rgb| self.convert(rgb))
    }
}
