//! Ratio-corrected demosaicing (RCD, Luis Sanz Rodríguez): green by vertical/horizontal
//! interpolation weighted by local colour-difference activity, with a low-pass ratio correction;
//! red and blue from colour differences, first along the diagonals, then along rows and columns.
//!
//! Written from the published description of the algorithm; constants follow its reference
//! description (epsilons tuned for data normalised to [0, 1]). Unlike the reference, which limits
//! every estimate to [0, 1], nothing is clipped: scene-linear values above 1 (after white balance)
//! pass through, and the low-pass used for the ratios is floored at 0 so noise below black cannot
//! blow up a ratio.

use super::tiles::Tile;
use crate::raw::{BayerPhase, CfaColor};

/// Pixels read around a tile: the red/blue pass at green sites reaches 10 pixels.
pub(super) const MARGIN: usize = 10;

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

/// Chooses between a pixel's own direction estimate (`dir[1][x]`, rows y - 1 ..= y + 1) and
/// its diagonal neighbours' mean: whichever is further from undecided (0.5).
#[inline]
fn refined(dir: &[&[f32]; 3], x: usize) -> f32 {
    let centre = dir[1][x];
    let around = 0.25 * (dir[0][x - 1] + dir[0][x + 1] + dir[2][x - 1] + dir[2][x + 1]);
    if (0.5 - centre).abs() < (0.5 - around).abs() {
        around
    } else {
        centre
    }
}

/// `N` consecutive rows of `buf` (rows `w` long) starting at row `first`.
#[inline]
fn rows<const N: usize>(buf: &[f32], first: usize, w: usize) -> [&[f32]; N] {
    std::array::from_fn(|k| &buf[(first + k) * w..(first + k + 1) * w])
}

/// Row `y` of `buf`, mutable, and the rows `y - reach ..= y + reach` around it, read-only (the
/// middle entry, row `y` itself, is empty).
#[inline]
fn row_and_neighbours<const N: usize>(
    buf: &mut [f32],
    y: usize,
    w: usize,
) -> (&mut [f32], [&[f32]; N]) {
    let reach = N / 2;
    let (before, rest) = buf.split_at_mut(y * w);
    let (row, after) = rest.split_at_mut(w);
    let (before, after) = (&*before, &*after);
    let around = std::array::from_fn(|k| {
        if k < reach {
            &before[(y - reach + k) * w..(y - reach + k + 1) * w]
        } else if k > reach {
            &after[(k - reach - 1) * w..(k - reach) * w]
        } else {
            &before[..0]
        }
    });
    (row, around)
}

/// Fills `rgb` for the tile except its outer 10 rings, using the six `work` planes.
pub(super) fn process(tile: &Tile<'_>, rgb: &mut [Vec<f32>; 3], work: &mut [Vec<f32>; 6]) {
    let (w, h, c, phase) = (tile.width, tile.height, tile.cfa, tile.phase);
    let [red, green, blue] = rgb;
    let [v_hpf, h_hpf, vh_dir, lpf, pq_dir, _] = work;

    // The samples the mosaic gives.
    for y in 0..h {
        let src = &c[y * w..(y + 1) * w];
        for parity in 0..2 {
            let dst = match phase.color_at(parity, y) {
                CfaColor::Red => &mut red[y * w..(y + 1) * w],
                CfaColor::Green => &mut green[y * w..(y + 1) * w],
                CfaColor::Blue => &mut blue[y * w..(y + 1) * w],
            };
            for x in (parity..w).step_by(2) {
                dst[x] = src[x];
            }
        }
    }

    // Step 1: vertical/horizontal discrimination from the squared high-pass activity.
    for y in 3..h - 3 {
        let r: [&[f32]; 7] = rows(c, y - 3, w);
        let out = &mut v_hpf[y * w..(y + 1) * w];
        for x in 0..w {
            out[x] = sq(
                (r[0][x] - r[2][x] - r[4][x] + r[6][x]) - 3.0 * (r[1][x] + r[5][x]) + 6.0 * r[3][x],
            );
        }
    }
    for y in 0..h {
        let r = &c[y * w..(y + 1) * w];
        let out = &mut h_hpf[y * w..(y + 1) * w];
        for x in 3..w - 3 {
            out[x] = sq(
                (r[x - 3] - r[x - 1] - r[x + 1] + r[x + 3]) - 3.0 * (r[x - 2] + r[x + 2])
                    + 6.0 * r[x],
            );
        }
    }
    for y in 4..h - 4 {
        let v: [&[f32]; 3] = rows(v_hpf, y - 1, w);
        let hz = &h_hpf[y * w..(y + 1) * w];
        let out = &mut vh_dir[y * w..(y + 1) * w];
        for x in 4..w - 4 {
            let vs = (v[0][x] + v[1][x] + v[2][x]).max(EPS_SQ);
            let hs = (hz[x - 1] + hz[x] + hz[x + 1]).max(EPS_SQ);
            out[x] = vs / (vs + hs);
        }
    }

    // Step 2: a low-pass of the mosaic at red and blue sites (balanced R + 2G + B).
    for y in 2..h - 2 {
        let r: [&[f32]; 3] = rows(c, y - 1, w);
        let out = &mut lpf[y * w..(y + 1) * w];
        for x in columns(2, w - 2, first_non_green(phase, y)) {
            let cardinal = r[0][x] + r[2][x] + r[1][x - 1] + r[1][x + 1];
            let diagonal = r[0][x - 1] + r[0][x + 1] + r[2][x - 1] + r[2][x + 1];
            out[x] = (r[1][x] + 0.5 * cardinal + 0.25 * diagonal).max(0.0);
        }
    }

    // Step 3: green at red and blue sites.
    for y in 5..h - 5 {
        // r[4] is row y; r[k] is row y + k - 4.
        let r: [&[f32]; 9] = rows(c, y - 4, w);
        let l: [&[f32]; 5] = rows(lpf, y - 2, w);
        let d: [&[f32]; 3] = rows(vh_dir, y - 1, w);
        let out = &mut green[y * w..(y + 1) * w];
        let m = &r[4];
        for x in columns(5, w - 5, first_non_green(phase, y)) {
            let n_grad = EPS
                + (r[3][x] - r[5][x]).abs()
                + (r[4][x] - r[2][x]).abs()
                + (r[3][x] - r[1][x]).abs()
                + (r[2][x] - r[0][x]).abs();
            let s_grad = EPS
                + (r[3][x] - r[5][x]).abs()
                + (r[4][x] - r[6][x]).abs()
                + (r[5][x] - r[7][x]).abs()
                + (r[6][x] - r[8][x]).abs();
            let w_grad = EPS
                + (m[x - 1] - m[x + 1]).abs()
                + (m[x] - m[x - 2]).abs()
                + (m[x - 1] - m[x - 3]).abs()
                + (m[x - 2] - m[x - 4]).abs();
            let e_grad = EPS
                + (m[x - 1] - m[x + 1]).abs()
                + (m[x] - m[x + 2]).abs()
                + (m[x + 1] - m[x + 3]).abs()
                + (m[x + 2] - m[x + 4]).abs();

            let centre = l[2][x];
            let ratio = |other: f32| 2.0 * centre / (EPS + centre + other);
            let n_est = r[3][x] * ratio(l[0][x]);
            let s_est = r[5][x] * ratio(l[4][x]);
            let w_est = m[x - 1] * ratio(l[2][x - 2]);
            let e_est = m[x + 1] * ratio(l[2][x + 2]);

            let v_est = (s_grad * n_est + n_grad * s_est) / (n_grad + s_grad);
            let h_est = (e_grad * w_est + w_grad * e_est) / (e_grad + w_grad);
            let disc = refined(&d, x);
            out[x] = v_est + disc * (h_est - v_est);
        }
    }

    // Step 4.0: diagonal (P: north-west/south-east, Q: north-east/south-west) activity at red
    // and blue sites, in the planes step 1 no longer needs.
    let (p_hpf, q_hpf) = (v_hpf, h_hpf);
    for y in 3..h - 3 {
        let r: [&[f32]; 7] = rows(c, y - 3, w);
        let (p_out, q_out) = (
            &mut p_hpf[y * w..(y + 1) * w],
            &mut q_hpf[y * w..(y + 1) * w],
        );
        for x in columns(3, w - 3, first_non_green(phase, y)) {
            p_out[x] = sq((r[0][x - 3] - r[2][x - 1] - r[4][x + 1] + r[6][x + 3])
                - 3.0 * (r[1][x - 2] + r[5][x + 2])
                + 6.0 * r[3][x]);
            q_out[x] = sq((r[0][x + 3] - r[2][x + 1] - r[4][x - 1] + r[6][x - 3])
                - 3.0 * (r[1][x + 2] + r[5][x - 2])
                + 6.0 * r[3][x]);
        }
    }
    // Step 4.1: diagonal discrimination.
    for y in 4..h - 4 {
        let p: [&[f32]; 3] = rows(p_hpf, y - 1, w);
        let q: [&[f32]; 3] = rows(q_hpf, y - 1, w);
        let out = &mut pq_dir[y * w..(y + 1) * w];
        for x in columns(4, w - 4, first_non_green(phase, y)) {
            let ps = (p[0][x - 1] + p[1][x] + p[2][x + 1]).max(EPS_SQ);
            let qs = (q[0][x + 1] + q[1][x] + q[2][x - 1]).max(EPS_SQ);
            out[x] = ps / (ps + qs);
        }
    }

    // Step 4.2: blue at red sites and red at blue sites, from diagonal colour differences. A row's
    // red/blue sites all have one colour, so each row fills one plane, reading rows of the other
    // colour in that plane.
    for y in 7..h - 7 {
        let x0 = first_non_green(phase, y);
        let plane: &mut [f32] = if phase.color_at(x0, y) == CfaColor::Red {
            &mut blue[..]
        } else {
            &mut red[..]
        };
        // t[k] is row y + k - 3 of the plane being filled (t[3] is the row itself).
        let (out, t) = row_and_neighbours::<7>(plane, y, w);
        let g: [&[f32]; 5] = rows(green, y - 2, w);
        let d: [&[f32]; 3] = rows(pq_dir, y - 1, w);
        for x in columns(7, w - 7, x0) {
            let gc = g[2][x];
            let nw_grad = EPS
                + (t[2][x - 1] - t[4][x + 1]).abs()
                + (t[2][x - 1] - t[0][x - 3]).abs()
                + (gc - g[0][x - 2]).abs();
            let ne_grad = EPS
                + (t[2][x + 1] - t[4][x - 1]).abs()
                + (t[2][x + 1] - t[0][x + 3]).abs()
                + (gc - g[0][x + 2]).abs();
            let sw_grad = EPS
                + (t[2][x + 1] - t[4][x - 1]).abs()
                + (t[4][x - 1] - t[6][x - 3]).abs()
                + (gc - g[4][x - 2]).abs();
            let se_grad = EPS
                + (t[2][x - 1] - t[4][x + 1]).abs()
                + (t[4][x + 1] - t[6][x + 3]).abs()
                + (gc - g[4][x + 2]).abs();

            let nw_est = t[2][x - 1] - g[1][x - 1];
            let ne_est = t[2][x + 1] - g[1][x + 1];
            let sw_est = t[4][x - 1] - g[3][x - 1];
            let se_est = t[4][x + 1] - g[3][x + 1];

            let p_est = (nw_grad * se_est + se_grad * nw_est) / (nw_grad + se_grad);
            let q_est = (ne_grad * sw_est + sw_grad * ne_est) / (ne_grad + sw_grad);
            let disc = refined(&d, x);
            out[x] = gc + p_est + disc * (q_est - p_est);
        }
    }

    // Step 4.3: red and blue at green sites, from cardinal colour differences.
    for y in 10..h - 10 {
        let x0 = 1 - first_non_green(phase, y);
        let g: [&[f32]; 5] = rows(green, y - 2, w);
        let d: [&[f32]; 3] = rows(vh_dir, y - 1, w);
        for plane in [&mut *red, &mut *blue] {
            // t[k] is row y + k - 3 of the plane (t[3] is empty: `out` is row y).
            let (out, t) = row_and_neighbours::<7>(plane, y, w);
            for x in columns(10, w - 10, x0) {
                let gc = g[2][x];
                let n_grad = EPS
                    + (gc - g[0][x]).abs()
                    + (t[2][x] - t[4][x]).abs()
                    + (t[2][x] - t[0][x]).abs();
                let s_grad = EPS
                    + (gc - g[4][x]).abs()
                    + (t[4][x] - t[2][x]).abs()
                    + (t[4][x] - t[6][x]).abs();
                let w_grad = EPS
                    + (gc - g[2][x - 2]).abs()
                    + (out[x - 1] - out[x + 1]).abs()
                    + (out[x - 1] - out[x - 3]).abs();
                let e_grad = EPS
                    + (gc - g[2][x + 2]).abs()
                    + (out[x + 1] - out[x - 1]).abs()
                    + (out[x + 1] - out[x + 3]).abs();

                let n_est = t[2][x] - g[1][x];
                let s_est = t[4][x] - g[3][x];
                let w_est = out[x - 1] - g[2][x - 1];
                let e_est = out[x + 1] - g[2][x + 1];

                let v_est = (n_grad * s_est + s_grad * n_est) / (n_grad + s_grad);
                let h_est = (e_grad * w_est + w_grad * e_est) / (e_grad + w_grad);
                out[x] = gc + v_est + refined(&d, x) * (h_est - v_est);
            }
        }
    }
}
