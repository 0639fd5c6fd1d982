//! The per-output tables of the ACES 2.0 output transform, sampled over hue: the reach gamut's
//! M at the peak lightness (uniform 1° steps), and the limiting gamut's cusp (J, M) with the
//! fitted upper hull gamma on a hue sampling that hits the gamut corners exactly.
//!
//! Tables hold 360 nominal entries at 1..=360 plus wrapped copies at 0, 361 and 362, so a hue
//! of exactly 360° still interpolates inside the table.

use super::cam::{HUE_LIMIT, JmhModel, REFERENCE_LUMINANCE};
use super::gamut_compress::{
    SMOOTH_CUSPS, analytical_threshold, compression_slope, focus_gain, focus_j, gamut_boundary_m,
    solve_j_intersect,
};
use super::math::{V3, lerp};

const NOMINAL: usize = 360;
const TOTAL: usize = NOMINAL + 3;
const FIRST: usize = 1;
const LAST: usize = NOMINAL;
const UPPER_WRAP: usize = NOMINAL + 1;

/// Corners of the RGB cube walked around the hue circle: R, Y, G, C, B, M.
const CORNER_COUNT: usize = 6;
/// The corners plus one wrapped copy at each end.
const CYCLE: usize = CORNER_COUNT + 2;

/// Extra M gain on the cusp to account for the smoothed hull minimum.
const SMOOTH_M: f32 = 0.27;
/// Bisection tolerances.
const REACH_CORNER_TOLERANCE: f32 = 1e-3;
const DISPLAY_CUSP_TOLERANCE: f32 = 1e-7;
const REACH_M_TOLERANCE: f32 = 1e-2;
const GAMMA_TOLERANCE: f32 = 1e-5;
/// Search for the reach M in steps of 50 up to 1300.
const REACH_M_STEP: f32 = 50.0;
const REACH_M_MAX: f32 = 1300.0;
/// Search for the upper hull gamma in steps of 0.4 up to 5.
const GAMMA_STEP: f32 = 0.4;
const GAMMA_MAX: f32 = 5.0;
/// Where between the cusp and the peak lightness the upper hull fit is tested.
const GAMMA_TEST_POSITIONS: [f32; 5] = [0.01, 0.1, 0.5, 0.8, 0.99];
/// A guard on every bisection loop (they converge in far fewer steps).
const MAX_STEPS: usize = 200;

fn at(table: &[f32; TOTAL], i: usize) -> f32 {
    table.get(i).copied().unwrap_or(0.0)
}

fn at3(table: &[V3; TOTAL], i: usize) -> V3 {
    table.get(i).copied().unwrap_or([0.0; 3])
}

/// Integer position of a wrapped hue on the uniform 1° grid (0 for NaN or negative hues).
fn uniform_position(h: f32) -> usize {
    h as usize
}

/// The reach gamut's boundary M at the peak lightness, per degree of hue.
#[derive(Debug, Clone)]
pub(crate) struct ReachTable {
    m: [f32; TOTAL],
}

impl ReachTable {
    /// Bisects, per degree, the largest M at `limit_j_max` whose RGB in the reach gamut has no
    /// negative component.
    pub(crate) fn new(reach: &JmhModel, limit_j_max: f32) -> ReachTable {
        let mut m = [0.0; TOTAL];
        let outside = |mm: f32, hue: f32| {
            reach
                .jmh_to_rgb([limit_j_max, mm, hue])
                .iter()
                .any(|&v| v < 0.0)
        };
        for i in 0..NOMINAL {
            let hue = i as f32;
            let mut low = 0.0f32;
            let mut high = low + REACH_M_STEP;
            let mut out = false;
            while !out && high < REACH_M_MAX {
                out = outside(high, hue);
                if !out {
                    low = high;
                    high += REACH_M_STEP;
                }
            }
            let mut steps = 0;
            while high - low > REACH_M_TOLERANCE && steps < MAX_STEPS {
                let mid = (high + low) / 2.0;
                if outside(mid, hue) {
                    high = mid;
                } else {
                    low = mid;
                }
                steps += 1;
            }
            m[i + FIRST] = high;
        }
        m[0] = m[LAST];
        m[UPPER_WRAP] = m[FIRST];
        m[UPPER_WRAP + 1] = m[FIRST + 1];
        ReachTable { m }
    }

    /// The reach M at hue `h` (degrees in [0, 360]), interpolated linearly.
    pub(crate) fn at(&self, h: f32) -> f32 {
        let base = uniform_position(h);
        let t = h - base as f32;
        let lo = base + FIRST;
        lerp(at(&self.m, lo), at(&self.m, lo + 1), t)
    }
}

/// The limiting gamut's cusp per sampled hue: (J, M, upper hull 1/gamma).
#[derive(Debug, Clone)]
pub(crate) struct HueTables {
    hues: [f32; TOTAL],
    cusps: [V3; TOTAL],
    search_range: [i32; 2],
}

/// Unit RGB cube corner `i` in the order R, Y, G, C, B, M.
fn cube_corner(i: usize) -> V3 {
    let on = |k: usize| if (i + k) % CORNER_COUNT < 3 { 1.0 } else { 0.0 };
    [on(1), on(5), on(3)]
}

/// Arranges six corners into a cycle starting with the lowest hue at index 1, with wrapped
/// copies (hue -360 / +360) at 0 and 7.
fn cycle<T: Copy>(items: [T; CORNER_COUNT], hue_of: impl Fn(&T) -> f32) -> [T; CYCLE] {
    let mut min_index = 0;
    for (i, item) in items.iter().enumerate() {
        if hue_of(item) < hue_of(&items[min_index]) {
            min_index = i;
        }
    }
    let mut out = [items[0]; CYCLE];
    for i in 0..CORNER_COUNT {
        out[i + 1] = items[(i + min_index) % CORNER_COUNT];
    }
    out[0] = out[CORNER_COUNT];
    out[CORNER_COUNT + 1] = out[1];
    out
}

fn wrap_cycle_hues(jmh: &mut [V3; CYCLE]) {
    jmh[0][2] -= HUE_LIMIT;
    jmh[CORNER_COUNT + 1][2] += HUE_LIMIT;
}

/// JMh of the reach gamut's corners scaled until their J reaches `limit_j_max`.
fn reach_corners(reach: &JmhModel, limit_j_max: f32, maximum_source: f32) -> [V3; CYCLE] {
    let limit_a = reach.j_to_a(limit_j_max);
    let corners: [V3; CORNER_COUNT] = std::array::from_fn(|i| {
        let rgb = cube_corner(i);
        let mut lower = 0.0f32;
        let mut upper = maximum_source;
        let mut steps = 0;
        while upper - lower > REACH_CORNER_TOLERANCE && steps < MAX_STEPS {
            let test = (lower + upper) / 2.0;
            let a = reach.rgb_to_aab(rgb.map(|v| test * v))[0];
            if a < limit_a {
                lower = test;
            } else {
                upper = test;
            }
            if a == limit_a {
                break;
            }
            steps += 1;
        }
        reach.rgb_to_jmh(rgb.map(|v| upper * v))
    });
    let mut jmh = cycle(corners, |c| c[2]);
    wrap_cycle_hues(&mut jmh);
    jmh
}

/// RGB and JMh of the limiting gamut's corners at the peak luminance.
fn display_corners(limit: &JmhModel, peak: f32) -> ([V3; CYCLE], [V3; CYCLE]) {
    let pairs: [(V3, V3); CORNER_COUNT] = std::array::from_fn(|i| {
        let rgb = cube_corner(i).map(|v| peak / REFERENCE_LUMINANCE * v);
        (rgb, limit.rgb_to_jmh(rgb))
    });
    let cycled = cycle(pairs, |p| p.1[2]);
    let rgb = cycled.map(|p| p.0);
    let mut jmh = cycled.map(|p| p.1);
    wrap_cycle_hues(&mut jmh);
    (rgb, jmh)
}

/// The corner hues of both gamuts merged in order (equal hues once); returns the count.
fn merged_corner_hues(
    reach: &[V3; CYCLE],
    display: &[V3; CYCLE],
) -> ([f32; 2 * CORNER_COUNT], usize) {
    let mut sorted = [0.0; 2 * CORNER_COUNT];
    let (mut idx, mut r, mut d) = (0, 1, 1);
    while (r < CORNER_COUNT + 1 || d < CORNER_COUNT + 1) && idx < sorted.len() {
        let rh = reach.get(r).map_or(f32::INFINITY, |c| c[2]);
        let dh = display.get(d).map_or(f32::INFINITY, |c| c[2]);
        if rh == dh {
            sorted[idx] = rh;
            r += 1;
            d += 1;
        } else if rh < dh {
            sorted[idx] = rh;
            r += 1;
        } else {
            sorted[idx] = dh;
            d += 1;
        }
        idx += 1;
    }
    (sorted, idx)
}

fn sample_interval(table: &mut [f32; TOTAL], samples: u32, lower: f32, upper: f32, base: usize) {
    let delta = (upper - lower) / samples as f32;
    for i in 0..samples as usize {
        if let Some(cell) = table.get_mut(base + i) {
            *cell = lower + i as f32 * delta;
        }
    }
}

/// Spreads 360 hue samples as uniformly as possible while landing exactly on every corner hue.
fn hue_samples(sorted: &[f32; 2 * CORNER_COUNT], unique: usize) -> [f32; TOTAL] {
    let nominal_max = NOMINAL as u32 - 1;
    let mut counts = [0u32; 2 * CORNER_COUNT + 2];
    let mut last = u32::MAX;
    let mut min_index = if sorted[0] == 0.0 { 0 } else { 1 };
    for i in 0..unique {
        let mut nominal = (sorted[i].round() as u32).max(min_index).min(nominal_max);
        if last == nominal {
            if i > 1 && counts[i - 2] != counts[i - 1].wrapping_sub(1) {
                counts[i - 1] = counts[i - 1].wrapping_sub(1);
            } else {
                nominal += 1;
            }
        }
        counts[i] = nominal.min(nominal_max);
        last = nominal;
        min_index = nominal;
    }
    let mut hues = [0.0; TOTAL];
    let mut total = 0u32;
    sample_interval(&mut hues, counts[0], 0.0, sorted[0], FIRST);
    total = total.wrapping_add(counts[0]);
    let mut i = 1;
    while i < unique {
        let samples = counts[i].wrapping_sub(counts[i - 1]);
        sample_interval(
            &mut hues,
            samples,
            sorted[i - 1],
            sorted[i],
            total as usize + FIRST,
        );
        total = total.wrapping_add(samples);
        i += 1;
    }
    let last_hue = sorted[unique.saturating_sub(1)];
    sample_interval(
        &mut hues,
        (NOMINAL as u32).wrapping_sub(total),
        last_hue,
        HUE_LIMIT,
        total as usize + FIRST,
    );
    hues[0] = hues[LAST] - HUE_LIMIT;
    hues[UPPER_WRAP] = hues[FIRST] + HUE_LIMIT;
    hues[UPPER_WRAP + 1] = hues[FIRST + 1] + HUE_LIMIT;
    hues
}

/// The limiting gamut's cusp (J, M) at `hue`: bisects along the cube edge between the two
/// corners around the hue. `previous` carries (edge, t) to start the next search from.
fn display_cusp(
    hue: f32,
    rgb_corners: &[V3; CYCLE],
    jmh_corners: &[V3; CYCLE],
    limit: &JmhModel,
    previous: &mut (usize, f32),
) -> [f32; 2] {
    let mut upper_corner = 1;
    for (i, c) in jmh_corners.iter().enumerate().skip(1) {
        if c[2] > hue {
            upper_corner = i;
            break;
        }
    }
    let lower_corner = upper_corner - 1;
    let (lo, hi) = (jmh_corners[lower_corner], jmh_corners[upper_corner]);
    if lo[2] == hue {
        return [lo[0], lo[1]];
    }
    let (rgb_lo, rgb_hi) = (rgb_corners[lower_corner], rgb_corners[upper_corner]);
    let point = |t: f32| -> V3 { std::array::from_fn(|k| lerp(rgb_lo[k], rgb_hi[k], t)) };
    let mut lower_t = if upper_corner == previous.0 {
        previous.1
    } else {
        0.0
    };
    let mut upper_t = 1.0f32;
    let mut steps = 0;
    while upper_t - lower_t > DISPLAY_CUSP_TOLERANCE && steps < MAX_STEPS {
        let t = (lower_t + upper_t) / 2.0;
        let jmh = limit.rgb_to_jmh(point(t));
        if jmh[2] < lo[2] {
            upper_t = t;
        } else if jmh[2] >= hi[2] {
            lower_t = t;
        } else if jmh[2] > hue {
            upper_t = t;
        } else {
            lower_t = t;
        }
        steps += 1;
    }
    let t = (lower_t + upper_t) / 2.0;
    let jmh = limit.rgb_to_jmh(point(t));
    *previous = (upper_corner, t);
    [jmh[0], jmh[1]]
}

/// Everything the upper hull fit needs for one hue.
pub(crate) struct HullFit<'a> {
    /// The limiting gamut's model.
    pub limit: &'a JmhModel,
    /// Display peak in cd/m².
    pub peak: f32,
    /// J of the display peak.
    pub limit_j_max: f32,
    /// J of mid grey.
    pub mid_j: f32,
    /// Focus distance.
    pub focus_dist: f32,
    /// 1/gamma of the lower hull.
    pub lower_hull_gamma_inv: f32,
}

struct GammaTest {
    j_intersect_source: f32,
    slope: f32,
    j_intersect_cusp: f32,
}

impl HullFit<'_> {
    fn tests(&self, cusp: [f32; 2]) -> [GammaTest; 5] {
        let threshold = analytical_threshold(cusp[0], self.limit_j_max);
        let focus = focus_j(cusp[0], self.mid_j, self.limit_j_max);
        GAMMA_TEST_POSITIONS.map(|pos| {
            let test_j = lerp(cusp[0], self.limit_j_max, pos);
            let gain = focus_gain(test_j, threshold, self.limit_j_max, self.focus_dist);
            let j_intersect_source =
                solve_j_intersect(test_j, cusp[1], focus, self.limit_j_max, gain);
            GammaTest {
                j_intersect_source,
                slope: compression_slope(j_intersect_source, focus, self.limit_j_max, gain),
                j_intersect_cusp: solve_j_intersect(
                    cusp[0],
                    cusp[1],
                    focus,
                    self.limit_j_max,
                    gain,
                ),
            }
        })
    }

    /// Whether the hull with this upper gamma lies outside the display gamut at every test.
    fn fits(&self, cusp: [f32; 2], hue: f32, tests: &[GammaTest; 5], gamma: f32) -> bool {
        let luminance_limit = self.peak / REFERENCE_LUMINANCE;
        let top_inv = 1.0 / gamma;
        tests.iter().all(|t| {
            let m = gamut_boundary_m(
                cusp,
                self.limit_j_max,
                top_inv,
                self.lower_hull_gamma_inv,
                t.j_intersect_source,
                t.slope,
                t.j_intersect_cusp,
            );
            let j = t.j_intersect_source + t.slope * m;
            let rgb = self.limit.jmh_to_rgb([j, m, hue]);
            rgb.iter().any(|&v| v > luminance_limit)
        })
    }

    /// The smallest upper hull gamma (to 1e-5) that keeps the hull outside the display gamut.
    fn gamma(&self, cusp: [f32; 2], hue: f32) -> f32 {
        let tests = self.tests(cusp);
        let mut low = 0.0f32;
        let mut high = low + GAMMA_STEP;
        let mut found = false;
        while !found && high < GAMMA_MAX {
            if self.fits(cusp, hue, &tests, high) {
                found = true;
            } else {
                low = high;
                high += GAMMA_STEP;
            }
        }
        let mut steps = 0;
        while high - low > GAMMA_TOLERANCE && steps < MAX_STEPS {
            let test = (high + low) / 2.0;
            if self.fits(cusp, hue, &tests, test) {
                high = test;
            } else {
                low = test;
            }
            steps += 1;
        }
        high
    }
}

impl HueTables {
    /// Builds the hue sampling, the cusps and the upper hull gammas.
    pub(crate) fn new(reach: &JmhModel, fit: &HullFit<'_>, forward_limit: f32) -> HueTables {
        let reach_jmh = reach_corners(reach, fit.limit_j_max, forward_limit);
        let (display_rgb, display_jmh) = display_corners(fit.limit, fit.peak);
        let (sorted, unique) = merged_corner_hues(&reach_jmh, &display_jmh);
        let hues = hue_samples(&sorted, unique);

        let mut cusps = [[0.0; 3]; TOTAL];
        let mut previous = (0usize, 0.0f32);
        let gain = 1.0 + SMOOTH_M * SMOOTH_CUSPS;
        for i in FIRST..UPPER_WRAP {
            let hue = hues[i];
            let jm = display_cusp(hue, &display_rgb, &display_jmh, fit.limit, &mut previous);
            cusps[i] = [jm[0], jm[1] * gain, hue];
        }
        cusps[0] = [cusps[LAST][0], cusps[LAST][1], hues[0]];
        cusps[UPPER_WRAP] = [cusps[FIRST][0], cusps[FIRST][1], hues[UPPER_WRAP]];
        cusps[UPPER_WRAP + 1] = [
            cusps[FIRST + 1][0],
            cusps[FIRST + 1][1],
            hues[UPPER_WRAP + 1],
        ];

        // How far the sampled hues stray from the uniform grid bounds the lookup's search.
        let mut search_range = [0i32, 1i32];
        for (i, cusp) in cusps.iter().enumerate().take(UPPER_WRAP).skip(FIRST) {
            let pos = (FIRST + uniform_position(cusp[2])) as i32;
            let delta = i as i32 - pos;
            search_range[0] = search_range[0].min(delta);
            search_range[1] = search_range[1].max(delta + 1);
        }

        for i in FIRST..UPPER_WRAP {
            cusps[i][2] = 1.0 / fit.gamma([cusps[i][0], cusps[i][1]], hues[i]);
        }
        cusps[0][2] = cusps[LAST][2];
        cusps[UPPER_WRAP][2] = cusps[FIRST][2];
        cusps[UPPER_WRAP + 1][2] = cusps[FIRST + 1][2];
        HueTables {
            hues,
            cusps,
            search_range,
        }
    }

    /// The cusp (J, M, upper hull 1/gamma) at hue `h`, interpolated between the samples.
    pub(crate) fn cusp_at(&self, h: f32) -> V3 {
        let i = FIRST + uniform_position(h);
        let mut lo = (i as i64 + i64::from(self.search_range[0])).max(0) as usize;
        let mut hi = (i as i64 + i64::from(self.search_range[1])).min(UPPER_WRAP as i64) as usize;
        let mut mid = i;
        while lo + 1 < hi {
            if h > at(&self.hues, mid) {
                lo = mid;
            } else {
                hi = mid;
            }
            mid = (lo + hi) / 2;
        }
        let hi = hi.max(1);
        let (h_lo, h_hi) = (at(&self.hues, hi - 1), at(&self.hues, hi));
        let t = (h - h_lo) / (h_hi - h_lo);
        let (c_lo, c_hi) = (at3(&self.cusps, hi - 1), at3(&self.cusps, hi));
        std::array::from_fn(|k| lerp(c_lo[k], c_hi[k], t))
    }
}
