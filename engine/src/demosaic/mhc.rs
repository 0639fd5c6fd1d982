//! Malvar-He-Cutler demosaicing (2004): bilinear interpolation corrected by a scaled Laplacian of
//! the channel known at the pixel, as 5x5 linear filters.

use super::tiles::Tile;
use crate::raw::CfaColor;

/// Pixels read around a tile.
pub(super) const MARGIN: usize = 2;

/// Fills `rgb` for the tile, except its outer two rings of pixels.
pub(super) fn process(tile: &Tile<'_>, rgb: &mut [Vec<f32>; 3]) {
    let (w, h, c) = (tile.width, tile.height, tile.cfa);
    let [red, green, blue] = rgb;
    for y in 2..h - 2 {
        for x in 2..w - 2 {
            let i = y * w + x;
            let centre = c[i];
            let near_h = c[i - 1] + c[i + 1];
            let near_v = c[i - w] + c[i + w];
            let far_h = c[i - 2] + c[i + 2];
            let far_v = c[i - 2 * w] + c[i + 2 * w];
            let diagonal = c[i - w - 1] + c[i - w + 1] + c[i + w - 1] + c[i + w + 1];
            match tile.phase.color_at(x, y) {
                CfaColor::Green => {
                    // The colour whose samples sit left and right, and the one above and below.
                    let across =
                        (5.0 * centre + 4.0 * near_h - far_h - diagonal + 0.5 * far_v) / 8.0;
                    let down = (5.0 * centre + 4.0 * near_v - far_v - diagonal + 0.5 * far_h) / 8.0;
                    green[i] = centre;
                    if tile.phase.color_at(x + 1, y) == CfaColor::Red {
                        red[i] = across;
                        blue[i] = down;
                    } else {
                        blue[i] = across;
                        red[i] = down;
                    }
                }
                own => {
                    let g = (4.0 * centre + 2.0 * (near_h + near_v) - (far_h + far_v)) / 8.0;
                    let other = (6.0 * centre + 2.0 * diagonal - 1.5 * (far_h + far_v)) / 8.0;
                    green[i] = g;
                    if own == CfaColor::Red {
                        red[i] = centre;
                        blue[i] = other;
                    } else {
                        blue[i] = centre;
                        red[i] = other;
                    }
                }
            }
        }
    }
}
