//! ACES 1.x Output Device Transforms: the 48 nit c9 tone scale, dim-surround compensation and
//! the Rec.709 100 nit dim display encoding; OCES in, display code values out.

use super::rrt::{ap0_to_ap1, ap1_luma, saturation_matrix};
use super::spline::{eval, odt_48nits};
use crate::color::gamut::{Adaptation, Gamut, WhitePoint};
use crate::color::transfer::TransferFunction;

const CINEMA_WHITE: f64 = 48.0;
const CINEMA_BLACK: f64 = 0.02;
const DIM_SURROUND_GAMMA: f64 = 0.9811;
const ODT_SAT_FACTOR: f64 = 0.93;

fn y_to_linear_cv(y: f64) -> f64 {
    (y - CINEMA_BLACK) / (CINEMA_WHITE - CINEMA_BLACK)
}

/// Dark to dim surround: a 0.9811 power on luminance (in xyY), chromaticity unchanged.
fn dark_to_dim_surround(linear_cv: [f64; 3]) -> [f64; 3] {
    let to_xyz = Gamut::Ap1.chromaticities().rgb_to_xyz();
    let from_xyz = Gamut::Ap1.chromaticities().xyz_to_rgb();
    let [x_, y_, z_] = to_xyz.mul_vec(linear_cv);
    let sum = x_ + y_ + z_;
    let sum = if sum == 0.0 { 1e-10 } else { sum };
    let (x, y) = (x_ / sum, y_ / sum);
    let big_y = y_.clamp(0.0, f64::INFINITY).powf(DIM_SURROUND_GAMMA);
    let yy = y.max(1e-10);
    let xyz = [x * big_y / yy, big_y, (1.0 - x - y) * big_y / yy];
    from_xyz.mul_vec(xyz)
}

/// What distinguishes the SDR ODTs built on the 48 nit tone scale.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SdrOdt {
    /// Display primaries (all D65 displays here; the ACES white is adapted with Bradford).
    pub gamut: Gamut,
    /// Whether the dark-to-dim surround compensation applies (the video ODTs).
    pub dim_surround: bool,
    /// The display encoding.
    pub encoding: TransferFunction,
}

/// An SDR ODT: OCES -> display code values in [0, 1].
pub(crate) fn sdr(odt: SdrOdt, oces: [f64; 3]) -> [f64; 3] {
    let params = odt_48nits();
    let pre = ap0_to_ap1().mul_vec(oces);
    let post = pre.map(|v| eval(&params, v));
    let mut linear_cv = post.map(y_to_linear_cv);
    if odt.dim_surround {
        linear_cv = dark_to_dim_surround(linear_cv);
    }
    let linear_cv = saturation_matrix(ODT_SAT_FACTOR, ap1_luma()).mul_vec(linear_cv);
    let xyz = Gamut::Ap1.chromaticities().rgb_to_xyz().mul_vec(linear_cv);
    let xyz = Adaptation::Bradford
        .matrix(WhitePoint::ACES, odt.gamut.chromaticities().white)
        .mul_vec(xyz);
    let display = odt.gamut.chromaticities().xyz_to_rgb().mul_vec(xyz);
    display.map(|v| {
        let v = if v.is_nan() { v } else { v.clamp(0.0, 1.0) };
        odt.encoding.encode(v)
    })
}

/// ODT `Rec709_100nits_dim`: OCES -> BT.1886 encoded Rec.709 in [0, 1].
pub fn rec709_100nits_dim(oces: [f64; 3]) -> [f64; 3] {
    sdr(
        SdrOdt {
            gamut: Gamut::Rec709,
            dim_surround: true,
            encoding: TransferFunction::Bt1886,
        },
        oces,
    )
}
