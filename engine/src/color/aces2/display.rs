//! The parts of an ACES 2.0 output transform around the JMh rendering: the AP1 range clamp of
//! the scene input, the display-linear peak clamp and white simulation, the limiting RGB ->
//! CIE XYZ (D65) step, and the display encoding (container primaries + EOTF inverse).

use super::math::{M33, V3, clamp, f32_matrix, inverse_or_zero, mat_vec, npm, rgb_to_rgb_f64};
use crate::color::TransferFunction;
use crate::color::gamut::{Chromaticities, Gamut};

/// The display encodings of the ACES 2.0 output transforms rushes implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DisplayEncoding {
    /// ITU-R BT.1886 (Lw = 1, Lb = 0): a pure 2.4 gamma, negatives clamp to 0.
    Bt1886,
    /// IEC 61966-2-1 sRGB piecewise curve, with the break point and slope that make the two
    /// pieces meet with equal slope (linear 0.0030399, slope 12.923), as OCIO's moncurve does;
    /// the linear piece extends to negative values.
    SrgbPiecewise,
    /// A pure 2.2 gamma, negatives clamp to 0.
    Gamma22,
    /// A pure 2.6 gamma, negatives clamp to 0.
    Gamma26,
    /// SMPTE ST 2084 (PQ); display-linear 1.0 = 100 cd/m², mirrored about 0 for negative
    /// values (as OCIO's display builtins do).
    St2084,
}

impl DisplayEncoding {
    /// Display-linear -> code value (NaN stays NaN).
    pub fn encode(self, linear: f32) -> f32 {
        if linear.is_nan() {
            return linear;
        }
        let v = f64::from(linear);
        let out = match self {
            DisplayEncoding::Bt1886 => TransferFunction::Bt1886.encode(v),
            DisplayEncoding::SrgbPiecewise => moncurve_encode(v),
            DisplayEncoding::Gamma22 => gamma_encode(v, 2.2),
            DisplayEncoding::Gamma26 => TransferFunction::Gamma26.encode(v),
            DisplayEncoding::St2084 => TransferFunction::St2084.encode(v.abs()).copysign(v),
        };
        out as f32
    }

    /// Code value -> display-linear (NaN stays NaN).
    pub fn decode(self, code: f32) -> f32 {
        if code.is_nan() {
            return code;
        }
        let v = f64::from(code);
        let out = match self {
            DisplayEncoding::Bt1886 => TransferFunction::Bt1886.decode(v),
            DisplayEncoding::SrgbPiecewise => moncurve_decode(v),
            DisplayEncoding::Gamma22 => gamma_decode(v, 2.2),
            DisplayEncoding::Gamma26 => TransferFunction::Gamma26.decode(v),
            DisplayEncoding::St2084 => TransferFunction::St2084.decode(v.abs()).copysign(v),
        };
        out as f32
    }

    /// The name used in ACES 2.0 transform IDs (`BT1886`, `sRGB-Piecewise`, ...).
    pub fn id_name(self) -> &'static str {
        match self {
            DisplayEncoding::Bt1886 => "BT1886",
            DisplayEncoding::SrgbPiecewise => "sRGB-Piecewise",
            DisplayEncoding::Gamma22 => "Gamma2pt2",
            DisplayEncoding::Gamma26 => "Gamma2pt6",
            DisplayEncoding::St2084 => "ST2084",
        }
    }
}

/// sRGB as a "moncurve": gamma 2.4 with offset 0.055 and a tangent linear piece.
const SRGB_GAMMA: f64 = 2.4;
const SRGB_OFFSET: f64 = 0.055;

/// (code-value break point, linear break point, slope of the linear piece).
fn moncurve_breaks() -> (f64, f64, f64) {
    let code_break = SRGB_OFFSET / (SRGB_GAMMA - 1.0);
    let linear_break = ((code_break + SRGB_OFFSET) / (1.0 + SRGB_OFFSET)).powf(SRGB_GAMMA);
    (code_break, linear_break, code_break / linear_break)
}

fn moncurve_encode(v: f64) -> f64 {
    let (_, linear_break, slope) = moncurve_breaks();
    if v.is_nan() || v <= linear_break {
        v * slope
    } else {
        (1.0 + SRGB_OFFSET) * v.powf(1.0 / SRGB_GAMMA) - SRGB_OFFSET
    }
}

fn moncurve_decode(v: f64) -> f64 {
    let (code_break, _, slope) = moncurve_breaks();
    if v.is_nan() || v <= code_break {
        v / slope
    } else {
        ((v + SRGB_OFFSET) / (1.0 + SRGB_OFFSET)).powf(SRGB_GAMMA)
    }
}

fn gamma_encode(v: f64, gamma: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        v.max(0.0).powf(1.0 / gamma)
    }
}

fn gamma_decode(v: f64, gamma: f64) -> f64 {
    if v.is_nan() {
        v
    } else {
        v.max(0.0).powf(gamma)
    }
}

/// The fixed matrices and clamps of one output, in single precision.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DisplaySteps {
    ap0_to_ap1: M33,
    ap1_to_ap0: M33,
    /// Upper bound of the AP1 clamp of the scene input.
    scene_upper: f32,
    /// Peak of display-linear limiting RGB (peak / 100).
    display_peak: f32,
    /// Scale keeping a simulated white inside the container (1 when the whites agree).
    white_scale: f32,
    limiting_to_xyz: M33,
    xyz_to_limiting: M33,
    xyz_to_container: M33,
    container_to_xyz: M33,
}

impl DisplaySteps {
    pub(crate) fn new(peak: f32, limiting: &Chromaticities, container: &Chromaticities) -> Self {
        let ap0 = Gamut::Ap0.chromaticities();
        let ap1 = Gamut::Ap1.chromaticities();
        let to_ap1 = rgb_to_rgb_f64(&ap0, &ap1);
        let scene_upper = 8.0 * (128.0 + 768.0 * ((peak / 100.0).ln() / (10000.0f32 / 100.0).ln()));
        let white_scale = if limiting.white == container.white {
            1.0
        } else {
            let white = rgb_to_rgb_f64(limiting, container).mul_vec([1.0; 3]);
            (1.0 / white[0].max(white[1]).max(white[2])) as f32
        };
        let lim_npm = npm(limiting);
        let container_npm = npm(container);
        DisplaySteps {
            ap0_to_ap1: f32_matrix(&to_ap1),
            ap1_to_ap0: f32_matrix(&inverse_or_zero(&to_ap1)),
            scene_upper,
            display_peak: peak / 100.0,
            white_scale,
            limiting_to_xyz: f32_matrix(&lim_npm),
            xyz_to_limiting: f32_matrix(&inverse_or_zero(&lim_npm)),
            xyz_to_container: f32_matrix(&inverse_or_zero(&container_npm)),
            container_to_xyz: f32_matrix(&container_npm),
        }
    }

    /// ACES2065-1 -> ACES2065-1 clamped to [0, upper] in AP1 (NaN -> 0).
    pub(crate) fn clamp_scene(&self, aces: V3) -> V3 {
        let ap1 = mat_vec(&self.ap0_to_ap1, aces).map(|v| clamp(v, 0.0, self.scene_upper));
        mat_vec(&self.ap1_to_ap0, ap1)
    }

    /// Limiting RGB -> display-linear CIE XYZ (D65), after the peak clamp and white scale.
    pub(crate) fn limiting_to_xyz(&self, rgb: V3) -> V3 {
        let mut rgb = rgb.map(|v| clamp(v, 0.0, self.display_peak));
        if self.white_scale != 1.0 {
            rgb = rgb.map(|v| v * self.white_scale);
        }
        mat_vec(&self.limiting_to_xyz, rgb)
    }

    /// Display-linear CIE XYZ (D65) -> limiting RGB ready for the inverse rendering.
    pub(crate) fn xyz_to_limiting(&self, xyz: V3) -> V3 {
        let mut rgb = mat_vec(&self.xyz_to_limiting, xyz);
        if self.white_scale != 1.0 {
            let inv = 1.0 / self.white_scale;
            rgb = rgb.map(|v| v * inv);
        }
        rgb.map(|v| clamp(v, 0.0, self.display_peak))
    }

    /// XYZ -> display-linear container RGB.
    pub(crate) fn xyz_to_container(&self, xyz: V3) -> V3 {
        mat_vec(&self.xyz_to_container, xyz)
    }

    /// Display-linear container RGB -> XYZ.
    pub(crate) fn container_to_xyz(&self, rgb: V3) -> V3 {
        mat_vec(&self.container_to_xyz, rgb)
    }
}
