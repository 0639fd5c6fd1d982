//! Single-precision vector and matrix helpers for the ACES 2.0 output transform, with matrices
//! derived in `f64` from primaries and rounded to `f32` as OpenColorIO does, and the C++
//! `std::min` / `std::max` semantics the reference relies on for NaN.

use crate::color::Mat3;
use crate::color::gamut::Chromaticities;

/// An RGB, XYZ, Aab or JMh triple.
pub(crate) type V3 = [f32; 3];
/// A row-major 3x3 matrix.
pub(crate) type M33 = [f32; 9];

/// `std::min(a, b)`: `b` when `b < a`, else `a` (a NaN `a` is kept, a NaN `b` ignored).
pub(crate) fn cmin(a: f32, b: f32) -> f32 {
    if b < a { b } else { a }
}

/// `std::max(a, b)`: `b` when `a < b`, else `a` (a NaN `a` is kept, a NaN `b` ignored).
pub(crate) fn cmax(a: f32, b: f32) -> f32 {
    if a < b { b } else { a }
}

/// Clamps to [lo, hi] as OpenColorIO's range op does: `min(max(lo, v), hi)`, so NaN -> lo.
pub(crate) fn clamp(v: f32, lo: f32, hi: f32) -> f32 {
    cmin(cmax(lo, v), hi)
}

/// `(b - a) * t + a`.
pub(crate) fn lerp(a: f32, b: f32, t: f32) -> f32 {
    (b - a) * t + a
}

/// `m * v`, summed left to right.
pub(crate) fn mat_vec(m: &M33, v: V3) -> V3 {
    [
        v[0] * m[0] + v[1] * m[1] + v[2] * m[2],
        v[0] * m[3] + v[1] * m[4] + v[2] * m[5],
        v[0] * m[6] + v[1] * m[7] + v[2] * m[8],
    ]
}

/// `a * b` in single precision.
pub(crate) fn mat_mul(a: &M33, b: &M33) -> M33 {
    let mut out = [0.0; 9];
    for i in 0..3 {
        for j in 0..3 {
            out[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
        }
    }
    out
}

/// A `f64` matrix rounded to `f32`.
pub(crate) fn f32_matrix(m: &Mat3) -> M33 {
    let r = &m.0;
    [
        r[0][0], r[0][1], r[0][2], r[1][0], r[1][1], r[1][2], r[2][0], r[2][1], r[2][2],
    ]
    .map(|v| v as f32)
}

fn f64_matrix(m: &M33) -> Mat3 {
    let v = m.map(f64::from);
    Mat3([[v[0], v[1], v[2]], [v[3], v[4], v[5]], [v[6], v[7], v[8]]])
}

/// The inverse of a `f64` matrix, or zeros when it is singular.
pub(crate) fn inverse_or_zero(m: &Mat3) -> Mat3 {
    m.inverse().unwrap_or(Mat3([[0.0; 3]; 3]))
}

/// The inverse of a single-precision matrix, computed in `f64` and rounded.
pub(crate) fn invert(m: &M33) -> M33 {
    f32_matrix(&inverse_or_zero(&f64_matrix(m)))
}

/// The normalised primary matrix (RGB -> XYZ with Y of white = 1), derived as OpenColorIO
/// derives it: the chromaticity matrix scaled by its inverse applied to the white's XYZ.
pub(crate) fn npm(c: &Chromaticities) -> Mat3 {
    let col = |xy: [f64; 2]| [xy[0], xy[1], 1.0 - xy[0] - xy[1]];
    let (r, g, b) = (col(c.red), col(c.green), col(c.blue));
    let p = Mat3([[r[0], g[0], b[0]], [r[1], g[1], b[1]], [r[2], g[2], b[2]]]);
    let [wx, wy] = c.white.0;
    let white = [wx / wy, 1.0, (1.0 - wx - wy) / wy];
    let gains = inverse_or_zero(&p).mul_vec(white);
    let mut out = p.0;
    for row in &mut out {
        for (cell, gain) in row.iter_mut().zip(gains) {
            *cell *= gain;
        }
    }
    Mat3(out)
}

/// RGB in `src` -> RGB in `dst` without white adaptation, as a single-precision product of the
/// two rounded matrices.
pub(crate) fn rgb_to_rgb(src: &Chromaticities, dst: &Chromaticities) -> M33 {
    mat_mul(
        &f32_matrix(&inverse_or_zero(&npm(dst))),
        &f32_matrix(&npm(src)),
    )
}

/// RGB in `src` -> RGB in `dst` without white adaptation, in `f64`.
pub(crate) fn rgb_to_rgb_f64(src: &Chromaticities, dst: &Chromaticities) -> Mat3 {
    inverse_or_zero(&npm(dst)).mul(&npm(src))
}
