//! Bilinear demosaicing: each missing colour is the mean of its nearest samples of that colour.

use super::tiles::Tile;
use crate::raw::CfaColor;

/// Pixels read around a tile (one is needed; kept even).
pub(super) const MARGIN: usize = 2;

/// Fills `rgb` for the tile, except its outermost ring of pixels.
pub(super) fn process(tile: &Tile<'_>, rgb: &mut [Vec<f32>; 3]) {
    let (w, h, c) = (tile.width, tile.height, tile.cfa);
    let [red, green, blue] = rgb;
    for y in 1..h - 1 {
        for x in 1..w - 1 {
            let i = y * w + x;
            let cross = 0.5 * (c[i - 1] + c[i + 1]);
            let column = 0.5 * (c[i - w] + c[i + w]);
            match tile.phase.color_at(x, y) {
                CfaColor::Green => {
                    green[i] = c[i];
                    if tile.phase.color_at(x + 1, y) == CfaColor::Red {
                        red[i] = cross;
                        blue[i] = column;
                    } else {
                        blue[i] = cross;
                        red[i] = column;
                    }
                }
                own => {
                    let g = 0.5 * (cross + column);
                    let diagonal =
                        0.25 * (c[i - w - 1] + c[i - w + 1] + c[i + w - 1] + c[i + w + 1]);
                    green[i] = g;
                    if own == CfaColor::Red {
                        red[i] = c[i];
                        blue[i] = diagonal;
                    } else {
                        blue[i] = c[i];
                        red[i] = diagonal;
                    }
                }
            }
        }
    }
}
