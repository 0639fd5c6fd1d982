//! The Hellwig 2022 (CAM16-derived) JMh colour appearance model as the ACES 2.0 output
//! transform uses it: fixed 100 cd/m² adapting field, dim surround, the ACES "CAM16" primaries
//! with discounted illuminant, computed in `f32` in the same order as OpenColorIO 2.6.

use super::math::{
    M33, V3, cmin, f32_matrix, inverse_or_zero, invert, mat_mul, mat_vec, npm, rgb_to_rgb,
};
use crate::color::gamut::{Chromaticities, WhitePoint};

/// Reference luminance: RGB 1.0 is this many cd/m².
pub(crate) const REFERENCE_LUMINANCE: f32 = 100.0;
/// Adapting field luminance L_A.
const ADAPTING_LUMINANCE: f32 = 100.0;
/// Background relative luminance Y_b.
const BACKGROUND_LUMINANCE: f32 = 20.0;
/// The dim surround (F, c, N_c).
const SURROUND: V3 = [0.9, 0.59, 0.9];
/// J of the reference white.
const J_SCALE: f32 = 100.0;
/// Offset of the cone response compression (0.2713 * 100).
const CAM_NL_OFFSET: f32 = 0.2713 * 100.0;
/// Scale of the cone response compression (4 * 100).
const CAM_NL_SCALE: f32 = 4.0 * 100.0;
/// Exponent of the cone response compression.
const CONE_EXPONENT: f32 = 0.42;
/// The compression's input is limited below this value when inverted.
const CONE_INVERSE_LIMIT: f32 = 0.99;
/// π in single precision (the reference's 3.14159265358979f rounds to the same value).
pub(crate) const PI: f32 = std::f32::consts::PI;
/// Hues are in degrees, wrapped to [0, 360).
pub(crate) const HUE_LIMIT: f32 = 360.0;

/// The primaries of the model's sharpened cone space ("CAM16" in the ACES 2.0 CTL).
pub(crate) fn cam16_primaries() -> Chromaticities {
    Chromaticities {
        red: [0.8336, 0.1735],
        green: [2.3854, -1.4659],
        blue: [0.087, -0.125],
        white: WhitePoint([0.333, 0.333]),
    }
}

/// Degrees -> radians.
pub(crate) fn to_radians(h: f32) -> f32 {
    PI * h / 180.0
}

/// Radians in [-π, π] -> degrees in [0, 360].
fn from_radians(h: f32) -> f32 {
    let h = 180.0 * h / PI;
    if h < 0.0 { h + HUE_LIMIT } else { h }
}

/// Cone response compression of a non-negative value.
fn compress(rc: f32) -> f32 {
    let f_l_y = rc.powf(CONE_EXPONENT);
    f_l_y / (CAM_NL_OFFSET + f_l_y)
}

/// Inverse of [`compress`] for a non-negative value (limited below 0.99).
fn decompress(ra: f32) -> f32 {
    let ra = cmin(ra, CONE_INVERSE_LIMIT);
    let f_l_y = (CAM_NL_OFFSET * ra) / (1.0 - ra);
    f_l_y.powf(1.0 / CONE_EXPONENT)
}

fn compress_signed(v: f32) -> f32 {
    compress(v.abs()).copysign(v)
}

fn decompress_signed(v: f32) -> f32 {
    decompress(v.abs()).copysign(v)
}

/// The c·z exponent of the model (surround and background dependent).
pub(crate) fn model_gamma() -> f32 {
    SURROUND[1] * (1.48 + (BACKGROUND_LUMINANCE / REFERENCE_LUMINANCE).sqrt())
}

/// The JMh model for RGB in one set of primaries (input, limiting or reach gamut).
#[derive(Debug, Clone, Copy)]
pub(crate) struct JmhModel {
    rgb_to_cone: M33,
    cone_to_rgb: M33,
    cone_to_aab: M33,
    aab_to_cone: M33,
    f_l_n: f32,
    cz: f32,
    inv_cz: f32,
    a_w_j: f32,
    inv_a_w_j: f32,
}

impl JmhModel {
    /// The model for linear RGB in `primaries` (RGB 1.0 = 100 cd/m²).
    pub(crate) fn new(primaries: &Chromaticities) -> JmhModel {
        let base: M33 = [
            2.0,
            1.0,
            1.0 / 20.0,
            1.0,
            -12.0 / 11.0,
            1.0 / 11.0,
            1.0 / 9.0,
            1.0 / 9.0,
            -2.0 / 9.0,
        ];
        let cam16 = cam16_primaries();
        let xyz_to_cam16 = f32_matrix(&inverse_or_zero(&npm(&cam16)));
        let rgb_to_xyz = f32_matrix(&npm(primaries));
        let white_xyz = mat_vec(&rgb_to_xyz, [REFERENCE_LUMINANCE; 3]);
        let white_y = white_xyz[1];
        let white_rgb = mat_vec(&xyz_to_cam16, white_xyz);

        let k = 1.0 / (5.0 * ADAPTING_LUMINANCE + 1.0);
        let k4 = k * k * k * k;
        let f_l = 0.2 * k4 * (5.0 * ADAPTING_LUMINANCE)
            + 0.1 * (1.0 - k4).powf(2.0) * (5.0 * ADAPTING_LUMINANCE).powf(1.0 / 3.0);
        let f_l_n = f_l / REFERENCE_LUMINANCE;
        let cz = model_gamma();
        let d_rgb = white_rgb.map(|w| f_l_n * white_y / w);
        let white_adapted = [
            d_rgb[0] * white_rgb[0],
            d_rgb[1] * white_rgb[1],
            d_rgb[2] * white_rgb[2],
        ];
        let white_compressed = white_adapted.map(compress_signed);
        let cone_to_aab_base = mat_mul(&diagonal([CAM_NL_SCALE; 3]), &base);
        let a_w = cone_to_aab_base[0] * white_compressed[0]
            + cone_to_aab_base[1] * white_compressed[1]
            + cone_to_aab_base[2] * white_compressed[2];
        let a_w_j = compress(f_l);

        let rgb_to_cam16 = mat_mul(
            &rgb_to_rgb(primaries, &cam16),
            &diagonal([REFERENCE_LUMINANCE; 3]),
        );
        let rgb_to_cone = mat_mul(&diagonal(d_rgb), &rgb_to_cam16);
        let c = cone_to_aab_base;
        let cone_to_aab: M33 = [
            c[0] / a_w,
            c[1] / a_w,
            c[2] / a_w,
            c[3] * 43.0 * SURROUND[2],
            c[4] * 43.0 * SURROUND[2],
            c[5] * 43.0 * SURROUND[2],
            c[6] * 43.0 * SURROUND[2],
            c[7] * 43.0 * SURROUND[2],
            c[8] * 43.0 * SURROUND[2],
        ];
        JmhModel {
            rgb_to_cone,
            cone_to_rgb: invert(&rgb_to_cone),
            cone_to_aab,
            aab_to_cone: invert(&cone_to_aab),
            f_l_n,
            cz,
            inv_cz: 1.0 / cz,
            a_w_j,
            inv_a_w_j: 1.0 / a_w_j,
        }
    }

    /// Linear RGB -> achromatic and opponent responses (A, a, b).
    pub(crate) fn rgb_to_aab(&self, rgb: V3) -> V3 {
        let cone = mat_vec(&self.rgb_to_cone, rgb).map(compress_signed);
        mat_vec(&self.cone_to_aab, cone)
    }

    /// (A, a, b) -> (J, M, h); a non-positive A gives (0, 0, 0).
    pub(crate) fn aab_to_jmh(&self, aab: V3) -> V3 {
        if aab[0] <= 0.0 {
            return [0.0; 3];
        }
        let j = self.a_to_j(aab[0]);
        let m = (aab[1] * aab[1] + aab[2] * aab[2]).sqrt();
        let h = from_radians(aab[2].atan2(aab[1]));
        [j, m, h]
    }

    /// Linear RGB -> JMh.
    pub(crate) fn rgb_to_jmh(&self, rgb: V3) -> V3 {
        self.aab_to_jmh(self.rgb_to_aab(rgb))
    }

    /// JMh -> (A, a, b) with the hue's cosine and sine given.
    pub(crate) fn jmh_to_aab_with(&self, jmh: V3, cos_h: f32, sin_h: f32) -> V3 {
        let a = self.j_to_a(jmh[0]);
        [a, jmh[1] * cos_h, jmh[1] * sin_h]
    }

    /// (A, a, b) -> linear RGB.
    pub(crate) fn aab_to_rgb(&self, aab: V3) -> V3 {
        let cone = mat_vec(&self.aab_to_cone, aab).map(decompress_signed);
        mat_vec(&self.cone_to_rgb, cone)
    }

    /// JMh -> linear RGB.
    pub(crate) fn jmh_to_rgb(&self, jmh: V3) -> V3 {
        let h = to_radians(jmh[2]);
        self.aab_to_rgb(self.jmh_to_aab_with(jmh, h.cos(), h.sin()))
    }

    /// Achromatic response -> lightness J.
    pub(crate) fn a_to_j(&self, a: f32) -> f32 {
        J_SCALE * a.powf(self.cz)
    }

    /// Lightness J -> achromatic response.
    pub(crate) fn j_to_a(&self, j: f32) -> f32 {
        (j * (1.0 / J_SCALE)).powf(self.inv_cz)
    }

    /// Achromatic response -> luminance Y (cd/m² / 100 scale of the model).
    pub(crate) fn a_to_y(&self, a: f32) -> f32 {
        decompress(self.a_w_j * a) / self.f_l_n
    }

    /// |J| -> Y for an achromatic colour.
    pub(crate) fn abs_j_to_y(&self, abs_j: f32) -> f32 {
        self.a_to_y(self.j_to_a(abs_j))
    }

    /// |Y| -> J for an achromatic colour.
    pub(crate) fn abs_y_to_j(&self, abs_y: f32) -> f32 {
        let ra = compress(abs_y * self.f_l_n);
        self.a_to_j(ra * self.inv_a_w_j)
    }

    /// Signed Y -> J for an achromatic colour.
    pub(crate) fn y_to_j(&self, y: f32) -> f32 {
        self.abs_y_to_j(y.abs()).copysign(y)
    }
}

fn diagonal(d: V3) -> M33 {
    [d[0], 0.0, 0.0, 0.0, d[1], 0.0, 0.0, 0.0, d[2]]
}
