//! ASC Color Decision List: slope/offset/power and saturation, applied with or without the
//! ASC CDL v1.2 clamps, directly on code values or inside a working space (ACEScct by default,
//! as AMF specifies); `.cc`, `.ccc` and `.cdl` documents are read and written by [`xml`].
//!
//! ASC CDL v1.2 rules ([`CdlStyle::AscV12Clamp`]), per channel then on the triple:
//! 1. `v = in * slope + offset`, then clamp `v` to [0, 1];
//! 2. `v = v ^ power`;
//! 3. saturation with Rec.709 luma weights: `luma = 0.2126 r + 0.7152 g + 0.0722 b`,
//!    `out = luma + saturation * (v - luma)`, then clamp to [0, 1].
//!
//! [`CdlStyle::NoClamp`] (what OCIO calls `CDL_NO_CLAMP`, needed for scene-referred ACEScct):
//! no clamps; the power is applied only to positive values (negative values pass through).
//! NaN inputs stay NaN. Parameters must be finite with slope >= 0, power > 0, saturation >= 0
//! ([`Cdl::validate`]); the XML readers refuse anything else.

pub mod xml;
pub(crate) mod xml_tree;

pub use xml::{CdlDocument, CdlKind, ColorCorrection};

use crate::color::{Adaptation, ColorSpace, Converter, for_each_pixel};
use crate::{Error, Result};

/// Rec.709 luma weights used by the CDL saturation operator.
pub const LUMA_REC709: [f64; 3] = [0.2126, 0.7152, 0.0722];

/// One colour decision: per-channel slope, offset, power and one saturation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Cdl {
    /// Per-channel slope (>= 0).
    pub slope: [f64; 3],
    /// Per-channel offset.
    pub offset: [f64; 3],
    /// Per-channel power (> 0).
    pub power: [f64; 3],
    /// Saturation (>= 0; 1 leaves colours unchanged).
    pub saturation: f64,
}

/// How a CDL treats values outside [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CdlStyle {
    /// ASC CDL v1.2: clamp to [0, 1] after slope/offset and after saturation.
    AscV12Clamp,
    /// No clamping; power only on positive values.
    NoClamp,
}

impl Default for Cdl {
    fn default() -> Self {
        Cdl::IDENTITY
    }
}

impl Cdl {
    /// The identity decision.
    pub const IDENTITY: Cdl = Cdl {
        slope: [1.0; 3],
        offset: [0.0; 3],
        power: [1.0; 3],
        saturation: 1.0,
    };

    /// Checks the parameters: all finite, slope >= 0, power > 0, saturation >= 0.
    pub fn validate(&self) -> Result<()> {
        let problem = |what: String| {
            Err(Error::CdlInvalid {
                input: "CDL".into(),
                path: "values".into(),
                problem: what,
            })
        };
        for (name, values) in [
            ("slope", self.slope),
            ("offset", self.offset),
            ("power", self.power),
        ] {
            if let Some(v) = values.iter().find(|v| !v.is_finite()) {
                return problem(format!("{name} {v} is not a finite number"));
            }
        }
        if !self.saturation.is_finite() {
            return problem(format!(
                "saturation {} is not a finite number",
                self.saturation
            ));
        }
        if let Some(v) = self.slope.iter().find(|v| **v < 0.0) {
            return problem(format!("slope {v} is negative"));
        }
        if let Some(v) = self.power.iter().find(|v| **v <= 0.0) {
            return problem(format!("power {v} is not positive"));
        }
        if self.saturation < 0.0 {
            return problem(format!("saturation {} is negative", self.saturation));
        }
        Ok(())
    }

    /// Applies the decision to one RGB triple of code values (computed in `f64`).
    pub fn apply_rgb(&self, rgb: [f32; 3], style: CdlStyle) -> [f32; 3] {
        let mut v = [0.0f64; 3];
        for c in 0..3 {
            let x = f64::from(rgb[c]) * self.slope[c] + self.offset[c];
            v[c] = match style {
                CdlStyle::AscV12Clamp => clamp01(x).powf(self.power[c]),
                CdlStyle::NoClamp if x > 0.0 => x.powf(self.power[c]),
                CdlStyle::NoClamp => x,
            };
        }
        let luma = LUMA_REC709[0] * v[0] + LUMA_REC709[1] * v[1] + LUMA_REC709[2] * v[2];
        v.map(|x| {
            let out = luma + self.saturation * (x - luma);
            (match style {
                CdlStyle::AscV12Clamp => clamp01(out),
                CdlStyle::NoClamp => out,
            }) as f32
        })
    }

    /// Applies the decision in place to interleaved code values (3 or 4 channels), in parallel.
    pub fn apply(&self, pixels: &mut [f32], channels: usize, style: CdlStyle) -> Result<()> {
        self.validate()?;
        for_each_pixel(pixels, channels, |rgb| self.apply_rgb(rgb, style))
    }

    /// Applies the decision to ACES2065-1 pixels inside `working` (AMF's default is
    /// [`ColorSpace::ACESCCT`]): convert in, apply, convert back, in one parallel pass.
    pub fn apply_in(
        &self,
        pixels: &mut [f32],
        channels: usize,
        style: CdlStyle,
        working: ColorSpace,
    ) -> Result<()> {
        self.validate()?;
        let into = Converter::new(ColorSpace::ACES2065_1, working, Adaptation::Bradford);
        let back = Converter::new(working, ColorSpace::ACES2065_1, Adaptation::Bradford);
        for_each_pixel(pixels, channels, |rgb| {
            back.convert(self.apply_rgb(into.convert(rgb), style))
        })
    }
}

fn clamp01(v: f64) -> f64 {
    if v.is_nan() { v } else { v.clamp(0.0, 1.0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_leaves_values_alone_without_clamping() {
        let px = [-0.25f32, 0.5, 3.0];
        assert_eq!(Cdl::IDENTITY.apply_rgb(px, CdlStyle::NoClamp), px);
        assert_eq!(
            Cdl::IDENTITY.apply_rgb(px, CdlStyle::AscV12Clamp),
            [0.0, 0.5, 1.0]
        );
    }

    #[test]
    fn hand_computed_values_follow_the_v12_rules() {
        let cdl = Cdl {
            slope: [1.0; 3],
            offset: [0.0; 3],
            power: [2.0; 3],
            saturation: 1.5,
        };
        // No clamp: -0.5 passes the power untouched; luma of (-0.5, 0.09, 2.25).
        let out = cdl.apply_rgb([-0.5, 0.3, 1.5], CdlStyle::NoClamp);
        let luma = 0.2126 * -0.5 + 0.7152 * 0.09 + 0.0722 * 2.25;
        let want = [-0.5f64, 0.09, 2.25].map(|v| (luma + 1.5 * (v - luma)) as f32);
        for c in 0..3 {
            assert!((out[c] - want[c]).abs() < 1e-6, "{out:?} {want:?}");
        }
        // Clamped: (0, 0.09, 1) then saturation then clamp.
        let out = cdl.apply_rgb([-0.5, 0.3, 1.5], CdlStyle::AscV12Clamp);
        let luma = 0.7152 * 0.09 + 0.0722;
        assert_eq!(out[0], 0.0);
        assert!((out[1] - (luma + 1.5 * (0.09 - luma)) as f32).abs() < 1e-6);
    }

    #[test]
    fn invalid_parameters_are_refused() {
        let bad = [
            Cdl {
                slope: [f64::NAN, 1.0, 1.0],
                ..Cdl::IDENTITY
            },
            Cdl {
                offset: [0.0, f64::INFINITY, 0.0],
                ..Cdl::IDENTITY
            },
            Cdl {
                power: [1.0, 0.0, 1.0],
                ..Cdl::IDENTITY
            },
            Cdl {
                slope: [-1.0, 1.0, 1.0],
                ..Cdl::IDENTITY
            },
            Cdl {
                saturation: -0.1,
                ..Cdl::IDENTITY
            },
        ];
        for cdl in bad {
            let mut px = vec![0.5f32; 3];
            assert!(matches!(
                cdl.apply(&mut px, 3, CdlStyle::NoClamp),
                Err(Error::CdlInvalid { .. })
            ));
        }
    }

    #[test]
    fn identity_in_acescct_round_trips_aces() {
        let mut px = vec![0.18f32, 0.5, 1.0, 0.0, 0.01, 4.0];
        let orig = px.clone();
        Cdl::IDENTITY
            .apply_in(&mut px, 3, CdlStyle::NoClamp, ColorSpace::ACESCCT)
            .unwrap_or(());
        for (a, b) in px.iter().zip(&orig) {
            assert!((a - b).abs() <= 2e-6 * b.max(1.0), "{a} {b}");
        }
    }
}
