//! ACES 2.0 gamut compression: each colour is moved along a line towards a focus point on the
//! J axis, and its M is compressed (Reinhard style, above a threshold) from the reach gamut
//! boundary onto the limiting gamut boundary, which is approximated from the hue's cusp with
//! two gamma-shaped hulls.

use super::chroma::SharedLimits;
use super::math::{V3, cmax, cmin, lerp};
use super::tables::HueTables;

/// Blend from the cusp J towards mid grey J for the focus point.
const CUSP_MID_BLEND: f32 = 1.3;
/// Where above the cusp the focus gain starts to grow (fraction of cusp J .. limit J).
const FOCUS_GAIN_BLEND: f32 = 0.3;
/// Smoothing of the two hulls' minimum, relative to the cusp M.
pub(crate) const SMOOTH_CUSPS: f32 = 0.12;
/// Compression starts at this fraction of the boundary M (or higher).
const COMPRESSION_THRESHOLD: f32 = 0.75;

/// Gamut compression parameters for one output.
#[derive(Debug, Clone)]
pub(crate) struct GamutCompression {
    /// J of the display's mid grey.
    pub mid_j: f32,
    /// Focus distance (grows with the peak).
    pub focus_dist: f32,
    /// 1 / gamma of the lower hull.
    pub lower_hull_gamma_inv: f32,
    /// Cusps, upper hull gammas and the hue sampling.
    pub tables: HueTables,
}

/// Values that depend on the hue only.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HueParams {
    gamma_bottom_inv: f32,
    cusp: [f32; 2],
    gamma_top_inv: f32,
    focus_j: f32,
    analytical_threshold: f32,
}

/// The focus J for a cusp J.
pub(crate) fn focus_j(cusp_j: f32, mid_j: f32, limit_j_max: f32) -> f32 {
    lerp(
        cusp_j,
        mid_j,
        cmin(1.0, CUSP_MID_BLEND - (cusp_j / limit_j_max)),
    )
}

/// Above which J the focus gain grows.
pub(crate) fn analytical_threshold(cusp_j: f32, limit_j_max: f32) -> f32 {
    lerp(cusp_j, limit_j_max, FOCUS_GAIN_BLEND)
}

/// The slope gain of the compression line for lightness `j`.
pub(crate) fn focus_gain(j: f32, threshold: f32, limit_j_max: f32, focus_dist: f32) -> f32 {
    let mut gain = limit_j_max * focus_dist;
    if j > threshold {
        let adjust = ((limit_j_max - threshold) / cmax(0.0001, limit_j_max - j)).log10();
        let adjust = adjust * adjust + 1.0;
        gain *= adjust;
    }
    gain
}

/// Where the compression line through (J, M) meets the J axis.
pub(crate) fn solve_j_intersect(j: f32, m: f32, focus_j: f32, max_j: f32, slope_gain: f32) -> f32 {
    let m_scaled = m / slope_gain;
    let a = m_scaled / focus_j;
    if j < focus_j {
        let b = 1.0 - m_scaled;
        let c = -j;
        let det = b * b - 4.0 * a * c;
        let root = det.sqrt();
        -2.0 * c / (b + root)
    } else {
        let b = -(1.0 + m_scaled + max_j * a);
        let c = max_j * m_scaled + j;
        let det = b * b - 4.0 * a * c;
        let root = det.sqrt();
        -2.0 * c / (b - root)
    }
}

/// A cubic smooth minimum whose width scales with `scale_reference`.
fn smooth_min(a: f32, b: f32, scale_reference: f32) -> f32 {
    let s = SMOOTH_CUSPS * scale_reference;
    let h = cmax(s - (a - b).abs(), 0.0) / s;
    cmin(a, b) - h * h * h * s * (1.0 / 6.0)
}

/// The slope of the compression line from its J-axis intersection.
pub(crate) fn compression_slope(
    j_intersect: f32,
    focus_j: f32,
    limit_j_max: f32,
    slope_gain: f32,
) -> f32 {
    let direction = if j_intersect < focus_j {
        j_intersect
    } else {
        limit_j_max - j_intersect
    };
    direction * (j_intersect - focus_j) / (focus_j * slope_gain)
}

/// M where the line `J = slope * M + j_axis` meets the hull `J = j_max * (M / m_max)^(1/gamma)`,
/// approximated by shifting the intersection through the hull's power.
fn line_boundary_intersection_m(
    j_axis: f32,
    slope: f32,
    inv_gamma: f32,
    j_max: f32,
    m_max: f32,
    j_reference: f32,
) -> f32 {
    let normalised = j_axis / j_reference;
    let shifted = j_reference * normalised.powf(inv_gamma);
    shifted * m_max / (j_max - slope * m_max)
}

/// M of the limiting gamut boundary along the compression line (smooth minimum of the lower
/// and the upper hull).
pub(crate) fn gamut_boundary_m(
    cusp: [f32; 2],
    j_max: f32,
    gamma_top_inv: f32,
    gamma_bottom_inv: f32,
    j_intersect_source: f32,
    slope: f32,
    j_intersect_cusp: f32,
) -> f32 {
    let lower = line_boundary_intersection_m(
        j_intersect_source,
        slope,
        gamma_bottom_inv,
        cusp[0],
        cusp[1],
        j_intersect_cusp,
    );
    let upper = line_boundary_intersection_m(
        j_max - j_intersect_source,
        -slope,
        gamma_top_inv,
        j_max - cusp[0],
        cusp[1],
        j_max - j_intersect_cusp,
    );
    smooth_min(lower, upper, cusp[1])
}

fn reinhard(scale: f32, nd: f32, inverse: bool) -> f32 {
    if inverse {
        if nd >= 1.0 {
            scale
        } else {
            scale * -(nd / (nd - 1.0))
        }
    } else {
        scale * nd / (1.0 + nd)
    }
}

fn remap_m(m: f32, gamut_boundary: f32, reach_boundary: f32, inverse: bool) -> f32 {
    let ratio = gamut_boundary / reach_boundary;
    let proportion = cmax(ratio, COMPRESSION_THRESHOLD);
    let threshold = proportion * gamut_boundary;
    if m <= threshold || proportion >= 1.0 {
        return m;
    }
    let m_offset = m - threshold;
    let gamut_offset = gamut_boundary - threshold;
    let reach_offset = reach_boundary - threshold;
    let scale = reach_offset / ((reach_offset / gamut_offset) - 1.0);
    let nd = m_offset / scale;
    threshold + reinhard(scale, nd, inverse)
}

impl GamutCompression {
    /// The hue-dependent values for hue `h` (degrees).
    pub(crate) fn hue_params(&self, h: f32, s: &SharedLimits) -> HueParams {
        let cusp = self.tables.cusp_at(h);
        HueParams {
            gamma_bottom_inv: self.lower_hull_gamma_inv,
            cusp: [cusp[0], cusp[1]],
            gamma_top_inv: cusp[2],
            focus_j: focus_j(cusp[0], self.mid_j, s.limit_j_max),
            analytical_threshold: analytical_threshold(cusp[0], s.limit_j_max),
        }
    }

    fn compress(&self, jmh: V3, jx: f32, s: &SharedLimits, hp: &HueParams, inverse: bool) -> V3 {
        let [j, m, h] = jmh;
        let slope_gain = focus_gain(jx, hp.analytical_threshold, s.limit_j_max, self.focus_dist);
        let j_intersect_source = solve_j_intersect(j, m, hp.focus_j, s.limit_j_max, slope_gain);
        let slope = compression_slope(j_intersect_source, hp.focus_j, s.limit_j_max, slope_gain);
        let j_intersect_cusp = solve_j_intersect(
            hp.cusp[0],
            hp.cusp[1],
            hp.focus_j,
            s.limit_j_max,
            slope_gain,
        );
        let boundary = gamut_boundary_m(
            hp.cusp,
            s.limit_j_max,
            hp.gamma_top_inv,
            hp.gamma_bottom_inv,
            j_intersect_source,
            slope,
            j_intersect_cusp,
        );
        if boundary <= 0.0 {
            return [j, 0.0, h];
        }
        let reach = line_boundary_intersection_m(
            j_intersect_source,
            slope,
            s.model_gamma_inv,
            s.limit_j_max,
            s.reach_max_m,
            s.limit_j_max,
        );
        let remapped = remap_m(m, boundary, reach, inverse);
        [j_intersect_source + remapped * slope, remapped, h]
    }

    /// Compresses tonemapped JMh into the limiting gamut.
    pub(crate) fn forward(&self, jmh: V3, s: &SharedLimits) -> V3 {
        let [j, m, h] = jmh;
        if j <= 0.0 {
            return [0.0, 0.0, h];
        }
        if m <= 0.0 || j > s.limit_j_max {
            return [j, 0.0, h];
        }
        let hp = self.hue_params(h, s);
        self.compress(jmh, j, s, &hp, false)
    }

    /// Inverse of [`GamutCompression::forward`] (the focus gain above the threshold is
    /// estimated with one extra inverse step, as the reference does).
    pub(crate) fn inverse(&self, jmh: V3, s: &SharedLimits) -> V3 {
        let [j, m, h] = jmh;
        if j <= 0.0 {
            return [0.0, 0.0, h];
        }
        if m <= 0.0 || j > s.limit_j_max {
            return [j, 0.0, h];
        }
        let hp = self.hue_params(h, s);
        let mut jx = j;
        if jx > hp.analytical_threshold {
            jx = self.compress(jmh, jx, s, &hp, true)[0];
        }
        self.compress(jmh, jx, s, &hp, true)
    }
}
