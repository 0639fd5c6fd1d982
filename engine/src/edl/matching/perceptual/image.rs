//! The grey-level image the perceptual signatures are computed from: construction from a
//! caller's luma or RGB pixels, letterbox / pillarbox removal, and area downscaling.

use crate::{Error, Result};

/// Largest image accepted, in pixels (a 16K frame); anything larger is refused, not hashed.
pub const MAX_PIXELS: usize = 16_384 * 16_384;

/// Rec.709 luma weights used to turn RGB into grey.
const LUMA: [f32; 3] = [0.2126, 0.7152, 0.0722];

/// A rows-first grey-level image of `f32` samples (any scale: display-referred 0..1 or 0..255,
/// or linear light; the signatures only compare shapes, not levels).
#[derive(Debug, Clone, PartialEq)]
pub struct LumaImage {
    width: usize,
    height: usize,
    pixels: Vec<f32>,
}

impl LumaImage {
    /// Wraps `width` x `height` grey samples, row by row. `what` names the image in errors.
    pub fn new(what: &str, width: usize, height: usize, pixels: Vec<f32>) -> Result<Self> {
        let bad = |problem: String| Error::PerceptualInput {
            what: what.to_string(),
            problem,
        };
        if width == 0 || height == 0 {
            return Err(bad(format!("empty image ({width}x{height})")));
        }
        let count = width
            .checked_mul(height)
            .filter(|&n| n <= MAX_PIXELS)
            .ok_or_else(|| {
                bad(format!(
                    "{width}x{height} is more than the {MAX_PIXELS} pixels accepted"
                ))
            })?;
        if pixels.len() != count {
            return Err(bad(format!(
                "{} samples for a {width}x{height} image",
                pixels.len()
            )));
        }
        if pixels.iter().any(|v| !v.is_finite()) {
            return Err(bad("a sample is not a finite number".into()));
        }
        Ok(Self {
            width,
            height,
            pixels,
        })
    }

    /// From 8-bit grey samples.
    pub fn from_luma_u8(what: &str, width: usize, height: usize, pixels: &[u8]) -> Result<Self> {
        Self::new(
            what,
            width,
            height,
            pixels.iter().map(|&v| f32::from(v)).collect(),
        )
    }

    /// From interleaved 8-bit RGB (`R G B R G B ...`), weighted with the Rec.709 luma
    /// coefficients.
    pub fn from_rgb_u8(what: &str, width: usize, height: usize, rgb: &[u8]) -> Result<Self> {
        if rgb.len() % 3 != 0 {
            return Err(Error::PerceptualInput {
                what: what.to_string(),
                problem: format!("{} bytes is not a whole number of RGB pixels", rgb.len()),
            });
        }
        let grey = rgb
            .chunks_exact(3)
            .map(|p| {
                LUMA[0] * f32::from(p[0]) + LUMA[1] * f32::from(p[1]) + LUMA[2] * f32::from(p[2])
            })
            .collect();
        Self::new(what, width, height, grey)
    }

    /// From interleaved `f32` RGB, weighted with the Rec.709 luma coefficients.
    pub fn from_rgb_f32(what: &str, width: usize, height: usize, rgb: &[f32]) -> Result<Self> {
        if rgb.len() % 3 != 0 {
            return Err(Error::PerceptualInput {
                what: what.to_string(),
                problem: format!("{} samples is not a whole number of RGB pixels", rgb.len()),
            });
        }
        let grey = rgb
            .chunks_exact(3)
            .map(|p| LUMA[0] * p[0] + LUMA[1] * p[1] + LUMA[2] * p[2])
            .collect();
        Self::new(what, width, height, grey)
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The samples, row by row.
    pub fn pixels(&self) -> &[f32] {
        &self.pixels
    }

    /// The sample at (`x`, `y`), if inside.
    pub fn get(&self, x: usize, y: usize) -> Option<f32> {
        if x >= self.width {
            return None;
        }
        self.pixels
            .get(y.checked_mul(self.width)?.checked_add(x)?)
            .copied()
    }

    /// The picture inside black bars: the rectangle left after removing whole rows at the top
    /// and bottom and whole columns at the sides that are black (mean below 4 % and spread
    /// below 2 % of the image's brightest level). Bars are removed only while at least half of
    /// each dimension remains, so a dark picture is not eaten away.
    pub fn active_rect(&self) -> Rect {
        let full = Rect {
            x: 0,
            y: 0,
            width: self.width,
            height: self.height,
        };
        let peak = self.pixels.iter().copied().fold(0.0_f32, f32::max);
        if peak <= 0.0 {
            return full;
        }
        let (mean_limit, spread_limit) = (0.04 * peak, 0.02 * peak);
        let is_black = |values: &mut dyn Iterator<Item = f32>| {
            let (mut n, mut sum, mut max, mut min) = (0.0_f32, 0.0_f32, f32::MIN, f32::MAX);
            for v in values {
                n += 1.0;
                sum += v;
                max = max.max(v);
                min = min.min(v);
            }
            n > 0.0 && sum / n < mean_limit && max - min < spread_limit
        };
        let row_black = |y: usize| {
            is_black(
                &mut self
                    .pixels
                    .iter()
                    .skip(y * self.width)
                    .take(self.width)
                    .copied(),
            )
        };
        let col_black = |x: usize, top: usize, bottom: usize| {
            is_black(&mut (top..bottom).filter_map(|y| self.get(x, y)))
        };
        let max_bars_v = self.height / 4;
        let top = (0..max_bars_v).take_while(|&y| row_black(y)).count();
        let bottom_bars = (0..max_bars_v)
            .take_while(|&i| row_black(self.height - 1 - i))
            .count();
        let bottom = self.height - bottom_bars;
        let max_bars_h = self.width / 4;
        let left = (0..max_bars_h)
            .take_while(|&x| col_black(x, top, bottom))
            .count();
        let right_bars = (0..max_bars_h)
            .take_while(|&i| col_black(self.width - 1 - i, top, bottom))
            .count();
        Rect {
            x: left,
            y: top,
            width: self.width - left - right_bars,
            height: bottom - top,
        }
    }

    /// The area average of `rect` resampled to `out_width` x `out_height`: every output pixel
    /// is the mean of the input area it covers (fractional pixels weighted by coverage).
    /// `rect` is clipped to the image; callers pass [`LumaImage::active_rect`] or the full frame.
    pub fn area_downscale(&self, rect: Rect, out_width: usize, out_height: usize) -> Vec<f32> {
        let rect = rect.clipped(self.width, self.height);
        if out_width == 0 || out_height == 0 || rect.width == 0 || rect.height == 0 {
            return vec![0.0; out_width * out_height];
        }
        let xs = coverage(rect.x, rect.width, out_width);
        let ys = coverage(rect.y, rect.height, out_height);
        // Columns first (rows of the rectangle into out_width), then rows.
        let mut columns = vec![0.0_f64; rect.height * out_width];
        for (row, line) in columns.chunks_exact_mut(out_width).enumerate() {
            let source = &self.pixels[(rect.y + row) * self.width..][..self.width];
            for (out, taps) in line.iter_mut().zip(&xs) {
                *out = taps
                    .iter()
                    .map(|&(x, w)| f64::from(source[x]) * w)
                    .sum::<f64>();
            }
        }
        let mut out = vec![0.0_f32; out_width * out_height];
        for (oy, taps) in ys.iter().enumerate() {
            for ox in 0..out_width {
                let v: f64 = taps
                    .iter()
                    .map(|&(y, w)| columns[(y - rect.y) * out_width + ox] * w)
                    .sum();
                out[oy * out_width + ox] = v as f32;
            }
        }
        out
    }
}

/// A rectangle of pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Columns.
    pub width: usize,
    /// Rows.
    pub height: usize,
}

impl Rect {
    fn clipped(self, width: usize, height: usize) -> Rect {
        let x = self.x.min(width);
        let y = self.y.min(height);
        Rect {
            x,
            y,
            width: self.width.min(width - x),
            height: self.height.min(height - y),
        }
    }
}

/// For each of `out` cells over `len` input samples starting at `start`: the input indices it
/// covers with their weights (coverage / cell size, summing to 1).
fn coverage(start: usize, len: usize, out: usize) -> Vec<Vec<(usize, f64)>> {
    let scale = len as f64 / out as f64;
    (0..out)
        .map(|i| {
            let lo = i as f64 * scale;
            let hi = (i + 1) as f64 * scale;
            let first = lo.floor() as usize;
            let last = (hi.ceil() as usize).min(len);
            (first..last)
                .filter_map(|p| {
                    let covered = (hi.min(p as f64 + 1.0) - lo.max(p as f64)).max(0.0);
                    (covered > 0.0).then_some((start + p, covered / scale))
                })
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn area_downscale_averages_exact_blocks() {
        // 4x2 -> 2x1: each output is the mean of a 2x2 block.
        let img = LumaImage::new("t", 4, 2, vec![1., 3., 10., 20., 5., 7., 30., 40.]).unwrap();
        let full = Rect {
            x: 0,
            y: 0,
            width: 4,
            height: 2,
        };
        assert_eq!(img.area_downscale(full, 2, 1), vec![4.0, 25.0]);
        // 3 -> 2: fractional coverage, weights 2/3 and 1/3.
        let img = LumaImage::new("t", 3, 1, vec![3., 6., 9.]).unwrap();
        let out = img.area_downscale(
            Rect {
                x: 0,
                y: 0,
                width: 3,
                height: 1,
            },
            2,
            1,
        );
        assert!(
            (out[0] - 4.0).abs() < 1e-5 && (out[1] - 8.0).abs() < 1e-5,
            "{out:?}"
        );
        // Upscaling repeats.
        let out = img.area_downscale(
            Rect {
                x: 0,
                y: 0,
                width: 3,
                height: 1,
            },
            6,
            1,
        );
        assert_eq!(out, vec![3., 3., 6., 6., 9., 9.]);
    }

    #[test]
    fn letterbox_bars_are_found_and_dark_pictures_kept() {
        let (w, h) = (40, 30);
        let mut px = vec![0.0_f32; w * h];
        for y in 5..25 {
            for x in 3..37 {
                px[y * w + x] = 0.2 + 0.01 * ((x * 7 + y * 3) % 50) as f32;
            }
        }
        let img = LumaImage::new("t", w, h, px).unwrap();
        assert_eq!(
            img.active_rect(),
            Rect {
                x: 3,
                y: 5,
                width: 34,
                height: 20
            }
        );
        // A uniformly black picture is not cropped to nothing.
        let black = LumaImage::new("t", w, h, vec![0.0; w * h]).unwrap();
        assert_eq!(
            black.active_rect(),
            Rect {
                x: 0,
                y: 0,
                width: w,
                height: h
            }
        );
    }

    #[test]
    fn bad_images_are_refused() {
        let err = LumaImage::new("ref 7", 0, 3, vec![])
            .unwrap_err()
            .to_string();
        assert!(err.contains("ref 7") && err.contains("empty"), "{err}");
        let err = LumaImage::new("x", 2, 2, vec![0.0; 3])
            .unwrap_err()
            .to_string();
        assert!(err.contains("3 samples"), "{err}");
        let err = LumaImage::new("x", 1, 1, vec![f32::NAN])
            .unwrap_err()
            .to_string();
        assert!(err.contains("finite"), "{err}");
        assert!(LumaImage::new("x", usize::MAX, 2, vec![]).is_err());
        assert!(LumaImage::from_rgb_u8("x", 1, 1, &[1, 2]).is_err());
        assert!(LumaImage::from_rgb_f32("x", 2, 1, &[0.0; 6]).is_ok());
    }
}
