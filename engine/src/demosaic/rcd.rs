//! Ratio-corrected demosaicing (RCD, Luis Sanz Rodríguez): green by vertical/horizontal
//! interpolation weighted by local colour-difference activity, with a low-pass ratio correction;
//! red and blue from colour differences, first along the diagonals, then along rows and columns.
//!
//! Written from the published description of the algorithm; constants follow its reference
//! description (epsilons tuned for data normalised to [0, 1]).

use super::tiles::Tile;
use crate::raw::{BayerPhase, CfaColor};

/// Pixels read around a tile: the red/blue pass at green sites reaches 10 pixels (rounded up even).
pub(super) const MARGIN: usize = 12;

/// Guards gradients against division by zero.
const EPS: f32 = 1e-5;
/// Guards the squared-activity sums.
const EPS_SQ: f32 = 1e-10;

#[inline]
fn sq(v: f32) -> f32 {
    v * v
}

/// The first column of row `y` whose site is red or blue.
#[inline]
fn first_non_green(phase: BayerPhase, y: usize) -> usize {
    usize::from(phase.color_at(0, y) == CfaColor::Green)
}

/// The columns from `from` up to (excluding) `to` with parity `parity`.
#[inline]
fn columns(from: usize, to: usize, parity: usize) -> std::iter::StepBy<std::ops::Range<usize>> {
    (from + ((from ^ parity) & 1)..to).step_by(2)
}

/// Chooses between a pixel's own direction estimate and its diagonal neighbours' mean: whichever
/// is further from undecided (0.5).
#[inline]
fn refined(dir: &[f32], i: usize, w: usize) -> f32 {
    let centre = dir[i];
    let around = 0.25 * (dir[i - w - 1] + dir[i - w + 1] + dir[i + w - 1] + dir[i + w + 1]);
    if (0.5 - centre).abs() < (0.5 - around).abs() {
        around
    } else {
        centre
    }
}

/// Squared colour-difference high-pass along the direction `d` (an index step).
#[inline]
fn high_pass(c: &[f32], i: usize, d: usize) -> f32 {
    sq(
        (c[i - 3 * d] - c[i - d] - c[i + d] + c[i + 3 * d]) - 3.0 * (c[i - 2 * d] + c[i + 2 * d])
            + 6.0 * c[i],
    )
}

/// Fills `rgb` for the tile except its outer 10 rings, using the six `work` planes.
pub(super) fn process(tile: &Tile<'_>, rgb: &mut [Vec<f32>; 3], work: &mut [Vec<f32>; 6]) {
    let (w, h, c, phase) = (tile.width, tile.height, tile.cfa, tile.phase);
    let [red, green, blue] = rgb;
    let [v_hpf, h_hpf, vh_dir, lpf, pq_dir, _] = work;

    // The samples the mosaic gives.
    for y in 0..h {
        for x in 0..w {
            let i = y * w + x;
            match phase.color_at(x, y) {
                CfaColor::Red => red[i] = c[i],
                CfaColor::Green => green[i] = c[i],
                CfaColor::Blue => blue[i] = c[i],
            }
        }
    }

    // Step 1: vertical/horizontal discrimination from the squared high-pass activity.
    for y in 3..h - 3 {
        for x in 0..w {
            let i = y * w + x;
            v_hpf[i] = high_pass(c, i, w);
        }
    }
    for y in 0..h {
        for x in 3..w - 3 {
            let i = y * w + x;
            h_hpf[i] = high_pass(c, i, 1);
        }
    }
    for y in 4..h - 4 {
        for x in 4..w - 4 {
            let i = y * w + x;
            let v = (v_hpf[i - w] + v_hpf[i] + v_hpf[i + w]).max(EPS_SQ);
            let hz = (h_hpf[i - 1] + h_hpf[i] + h_hpf[i + 1]).max(EPS_SQ);
            vh_dir[i] = v / (v + hz);
        }
    }

    // Step 2: a low-pass of the mosaic at red and blue sites (balanced R + 2G + B).
    for y in 2..h - 2 {
        for x in columns(2, w - 2, first_non_green(phase, y)) {
            let i = y * w + x;
            let cardinal = c[i - w] + c[i + w] + c[i - 1] + c[i + 1];
            let diagonal = c[i - w - 1] + c[i - w + 1] + c[i + w - 1] + c[i + w + 1];
            lpf[i] = (c[i] + 0.5 * cardinal + 0.25 * diagonal).max(0.0);
        }
    }

    // Step 3: green at red and blue sites.
    for y in 5..h - 5 {
        for x in columns(5, w - 5, first_non_green(phase, y)) {
            let i = y * w + x;
            let (w2, w3, w4) = (2 * w, 3 * w, 4 * w);
            let n_grad = EPS
                + (c[i - w] - c[i + w]).abs()
                + (c[i] - c[i - w2]).abs()
                + (c[i - w] - c[i - w3]).abs()
                + (c[i - w2] - c[i - w4]).abs();
            let s_grad = EPS
                + (c[i - w] - c[i + w]).abs()
                + (c[i] - c[i + w2]).abs()
                + (c[i + w] - c[i + w3]).abs()
                + (c[i + w2] - c[i + w4]).abs();
            let w_grad = EPS
                + (c[i - 1] - c[i + 1]).abs()
                + (c[i] - c[i - 2]).abs()
                + (c[i - 1] - c[i - 3]).abs()
                + (c[i - 2] - c[i - 4]).abs();
            let e_grad = EPS
                + (c[i - 1] - c[i + 1]).abs()
                + (c[i] - c[i + 2]).abs()
                + (c[i + 1] - c[i + 3]).abs()
                + (c[i + 2] - c[i + 4]).abs();

            let l = lpf[i];
            let ratio = |other: f32| 2.0 * l / (EPS + l + other);
            let n_est = c[i - w] * ratio(lpf[i - w2]);
            let s_est = c[i + w] * ratio(lpf[i + w2]);
            let w_est = c[i - 1] * ratio(lpf[i - 2]);
            let e_est = c[i + 1] * ratio(lpf[i + 2]);

            let v_est = (s_grad * n_est + n_grad * s_est) / (n_grad + s_grad);
            let h_est = (e_grad * w_est + w_grad * e_est) / (e_grad + w_grad);
            let disc = refined(vh_dir, i, w);
            green[i] = v_est + disc * (h_est - v_est);
        }
    }

    // Step 4.0: diagonal (P: north-west/south-east, Q: north-east/south-west) activity at red
    // and blue sites, in the planes step 1 no longer needs.
    let (p_hpf, q_hpf) = (v_hpf, h_hpf);
    for y in 3..h - 3 {
        for x in columns(3, w - 3, first_non_green(phase, y)) {
            let i = y * w + x;
            p_hpf[i] = high_pass(c, i, w + 1);
            q_hpf[i] = high_pass(c, i, w - 1);
        }
    }
    // Step 4.1: diagonal discrimination.
    for y in 4..h - 4 {
        for x in columns(4, w - 4, first_non_green(phase, y)) {
            let i = y * w + x;
            let p = (p_hpf[i - w - 1] + p_hpf[i] + p_hpf[i + w + 1]).max(EPS_SQ);
            let q = (q_hpf[i - w + 1] + q_hpf[i] + q_hpf[i + w - 1]).max(EPS_SQ);
            pq_dir[i] = p / (p + q);
        }
    }

    // Step 4.2: blue at red sites and red at blue sites, from diagonal colour differences.
    for y in 7..h - 7 {
        for x in columns(7, w - 7, first_non_green(phase, y)) {
            let i = y * w + x;
            let t: &mut [f32] = if phase.color_at(x, y) == CfaColor::Red {
                blue
            } else {
                red
            };
            let g = &*green;
            let (nw, ne, sw, se) = (i - w - 1, i - w + 1, i + w - 1, i + w + 1);
            let nw_grad = EPS
                + (t[nw] - t[se]).abs()
                + (t[nw] - t[i - 3 * w - 3]).abs()
                + (g[i] - g[i - 2 * w - 2]).abs();
            let ne_grad = EPS
                + (t[ne] - t[sw]).abs()
                + (t[ne] - t[i - 3 * w + 3]).abs()
                + (g[i] - g[i - 2 * w + 2]).abs();
            let sw_grad = EPS
                + (t[ne] - t[sw]).abs()
                + (t[sw] - t[i + 3 * w - 3]).abs()
                + (g[i] - g[i + 2 * w - 2]).abs();
            let se_grad = EPS
                + (t[nw] - t[se]).abs()
                + (t[se] - t[i + 3 * w + 3]).abs()
                + (g[i] - g[i + 2 * w + 2]).abs();

            let nw_est = t[nw] - g[nw];
            let ne_est = t[ne] - g[ne];
            let sw_est = t[sw] - g[sw];
            let se_est = t[se] - g[se];

            let p_est = (nw_grad * se_est + se_grad * nw_est) / (nw_grad + se_grad);
            let q_est = (ne_grad * sw_est + sw_grad * ne_est) / (ne_grad + sw_grad);
            let disc = refined(pq_dir, i, w);
            t[i] = g[i] + p_est + disc * (q_est - p_est);
        }
    }

    // Step 4.3: red and blue at green sites, from cardinal colour differences.
    for y in 10..h - 10 {
        for x in columns(10, w - 10, 1 - first_non_green(phase, y)) {
            let i = y * w + x;
            let disc = refined(vh_dir, i, w);
            let g = &*green;
            for t in [&mut *red, &mut *blue] {
                let (w2, w3) = (2 * w, 3 * w);
                let n_grad = EPS
                    + (g[i] - g[i - w2]).abs()
                    + (t[i - w] - t[i + w]).abs()
                    + (t[i - w] - t[i - w3]).abs();
                let s_grad = EPS
                    + (g[i] - g[i + w2]).abs()
                    + (t[i + w] - t[i - w]).abs()
                    + (t[i + w] - t[i + w3]).abs();
                let w_grad = EPS
                    + (g[i] - g[i - 2]).abs()
                    + (t[i - 1] - t[i + 1]).abs()
                    + (t[i - 1] - t[i - 3]).abs();
                let e_grad = EPS
                    + (g[i] - g[i + 2]).abs()
                    + (t[i + 1] - t[i - 1]).abs()
                    + (t[i + 1] - t[i + 3]).abs();

                let n_est = t[i - w] - g[i - w];
                let s_est = t[i + w] - g[i + w];
                let w_est = t[i - 1] - g[i - 1];
                let e_est = t[i + 1] - g[i + 1];

                let v_est = (n_grad * s_est + s_grad * n_est) / (n_grad + s_grad);
                let h_est = (e_grad * w_est + w_grad * e_est) / (e_grad + w_grad);
                t[i] = g[i] + v_est + disc * (h_est - v_est);
            }
        }
    }
}
