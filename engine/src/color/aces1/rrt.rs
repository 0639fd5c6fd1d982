//! The ACES 1.x Reference Rendering Transform: glow, red modifier, AP1 rendering space, global
//! desaturation and the c5 tone scale; ACES2065-1 in, OCES (AP0) out.

use super::spline::c5;
use crate::color::gamut::{Adaptation, Gamut, rgb_to_rgb};
use crate::color::matrix::Mat3;

const GLOW_GAIN: f64 = 0.05;
const GLOW_MID: f64 = 0.08;
const RED_SCALE: f64 = 0.82;
const RED_PIVOT: f64 = 0.03;
const RED_HUE: f64 = 0.0;
const RED_WIDTH: f64 = 135.0;
const SAT_FACTOR: f64 = 0.96;
const TINY: f64 = 1e-10;
const HALF_MAX: f64 = 65_504.0;

/// AP0 -> AP1 (same white, no adaptation).
pub(crate) fn ap0_to_ap1() -> Mat3 {
    rgb_to_rgb(
        &Gamut::Ap0.chromaticities(),
        &Gamut::Ap1.chromaticities(),
        Adaptation::None,
    )
}

/// AP1 -> AP0.
pub(crate) fn ap1_to_ap0() -> Mat3 {
    rgb_to_rgb(
        &Gamut::Ap1.chromaticities(),
        &Gamut::Ap0.chromaticities(),
        Adaptation::None,
    )
}

/// The luminance weights of AP1 (second row of its RGB -> XYZ matrix).
pub(crate) fn ap1_luma() -> [f64; 3] {
    Gamut::Ap1.chromaticities().rgb_to_xyz().0[1]
}

/// A matrix scaling saturation by `sat` around the luminance `luma` (column-vector form).
pub(crate) fn saturation_matrix(sat: f64, luma: [f64; 3]) -> Mat3 {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, cell) in row.iter_mut().enumerate() {
            *cell = (1.0 - sat) * luma[j] + if i == j { sat } else { 0.0 };
        }
    }
    Mat3(m)
}

fn max3(v: [f64; 3]) -> f64 {
    v[0].max(v[1]).max(v[2])
}

fn min3(v: [f64; 3]) -> f64 {
    v[0].min(v[1]).min(v[2])
}

/// Saturation as the RRT measures it.
fn saturation(rgb: [f64; 3]) -> f64 {
    (max3(rgb).max(TINY) - min3(rgb).max(TINY)) / max3(rgb).max(1e-2)
}

/// The "yc" luminance-with-chroma estimate used by the glow module.
fn yc(rgb: [f64; 3]) -> f64 {
    let [r, g, b] = rgb;
    let chroma = (b * (b - g) + g * (g - r) + r * (r - b)).max(0.0).sqrt();
    (b + g + r + 1.75 * chroma) / 3.0
}

fn sigmoid_shaper(x: f64) -> f64 {
    let t = (1.0 - (x / 2.0).abs()).max(0.0);
    let y = 1.0 + x.signum() * (1.0 - t * t);
    y / 2.0
}

fn glow_fwd(yc_in: f64, gain: f64, mid: f64) -> f64 {
    if yc_in <= 2.0 / 3.0 * mid {
        gain
    } else if yc_in >= 2.0 * mid {
        0.0
    } else {
        gain * (mid / yc_in - 0.5)
    }
}

fn hue(rgb: [f64; 3]) -> f64 {
    let [r, g, b] = rgb;
    if r == g && g == b {
        return 0.0;
    }
    let h = (3f64.sqrt() * (g - b)).atan2(2.0 * r - g - b).to_degrees();
    if h < 0.0 { h + 360.0 } else { h }
}

fn center_hue(hue: f64, center: f64) -> f64 {
    let h = hue - center;
    if h < -180.0 {
        h + 360.0
    } else if h > 180.0 {
        h - 360.0
    } else {
        h
    }
}

fn cubic_basis_shaper(x: f64, width: f64) -> f64 {
    const M: [[f64; 4]; 4] = [
        [-1.0 / 6.0, 3.0 / 6.0, -3.0 / 6.0, 1.0 / 6.0],
        [3.0 / 6.0, -6.0 / 6.0, 3.0 / 6.0, 0.0],
        [-3.0 / 6.0, 0.0, 3.0 / 6.0, 0.0],
        [1.0 / 6.0, 4.0 / 6.0, 1.0 / 6.0, 0.0],
    ];
    let k0 = -width / 2.0;
    let k4 = width / 2.0;
    if !(x > k0 && x < k4) {
        return 0.0;
    }
    let knot_coord = (x - k0) * 4.0 / width;
    let j = (knot_coord.floor() as usize).min(3);
    let t = knot_coord - j as f64;
    let mono = [t * t * t, t * t, t, 1.0];
    let col = 3 - j;
    let y: f64 = (0..4).map(|i| mono[i] * M[i][col]).sum();
    y * 1.5
}

/// The RRT: ACES2065-1 -> OCES (AP0).
pub fn rrt(aces: [f64; 3]) -> [f64; 3] {
    // Glow module.
    let sat = saturation(aces);
    let s = sigmoid_shaper((sat - 0.4) / 0.2);
    let added_glow = 1.0 + glow_fwd(yc(aces), GLOW_GAIN * s, GLOW_MID);
    let mut aces = aces.map(|v| v * added_glow);
    // Red modifier.
    let centered = center_hue(hue(aces), RED_HUE);
    let weight = cubic_basis_shaper(centered, RED_WIDTH);
    aces[0] += weight * sat * (RED_PIVOT - aces[0]) * (1.0 - RED_SCALE);
    // Into the AP1 rendering space, clamped to what half floats hold.
    let aces = aces.map(|v| {
        if v.is_nan() {
            v
        } else {
            v.clamp(0.0, f64::INFINITY)
        }
    });
    let pre = ap0_to_ap1().mul_vec(aces).map(|v| {
        if v.is_nan() {
            v
        } else {
            v.clamp(0.0, HALF_MAX)
        }
    });
    // Global desaturation, then the tone scale per channel.
    let pre = saturation_matrix(SAT_FACTOR, ap1_luma()).mul_vec(pre);
    let post = pre.map(c5);
    ap1_to_ap0().mul_vec(post)
}
