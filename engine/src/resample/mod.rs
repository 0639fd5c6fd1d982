//! Executes an FDL [`PixelPlan`] on an interleaved f32 image: crop, anamorphic de-squeeze and
//! scale with a separable Lanczos-3 resampler, then pad.
//!
//! The caller hands linear-light data (the filter is applied to the values as they are; nothing is
//! clamped, so negative lobes and values above one survive). Work is split over rows with rayon;
//! every output value is computed by the same arithmetic in the same order whatever the thread
//! count, so the output is identical on any machine. A plan without scaling on whole pixels is
//! executed as an exact copy (bit-identical values).

mod weights;

pub use weights::{AxisTaps, LANCZOS3_RADIUS, axis_taps, lanczos3};

use rayon::prelude::*;

use crate::fdl::PixelPlan;
use crate::{Error, Result};

/// Largest output image accepted, in samples (width x height x channels): 2^29, a 16K x 8K RGBA
/// image (2 GiB of f32).
pub const MAX_OUTPUT_SAMPLES: usize = 1 << 29;

/// Most channels per pixel accepted.
pub const MAX_CHANNELS: usize = 16;

/// Tolerance for a crop edge computed in floating point to sit outside the image.
const EDGE_EPSILON: f64 = 1e-6;

fn bad(problem: impl Into<String>) -> Error {
    Error::Resample(problem.into())
}

/// Applies `plan` to an interleaved image of `width` x `height` pixels with `channels` f32
/// values each (row-major, top row first) and returns the output image of
/// `plan.output_size`, interleaved the same way. Output pixels whose centres fall outside
/// `plan.placement` get `fill` in every channel.
///
/// Errors (never panics) when the buffer does not match its stated size, the image is not the
/// plan's source size, the crop leaves the image, sizes are zero or the output would exceed
/// [`MAX_OUTPUT_SAMPLES`], or the plan holds non-finite or non-positive scales.
pub fn apply_plan(
    plan: &PixelPlan,
    width: usize,
    height: usize,
    channels: usize,
    pixels: &[f32],
    fill: f32,
) -> Result<Vec<f32>> {
    let geometry = check(plan, width, height, channels, pixels)?;
    let Geometry { out_w, out_h } = geometry;
    let samples = out_w * out_h * channels;
    if let Some((sx, sy, cw, ch, ox, oy)) = plan.integer_crop() {
        return copy_crop(
            pixels,
            (width, channels),
            (sx as usize, sy as usize, cw as usize, ch as usize),
            (ox as usize, oy as usize, out_w, out_h),
            fill,
        );
    }
    let crop = plan.source_crop;
    let place = plan.placement;
    let (c0, c1) = covered(place.x, place.width, out_w);
    let (r0, r1) = covered(place.y, place.height, out_h);
    let (lo_x, hi_x) = source_span(crop.x, crop.width, width);
    let (lo_y, hi_y) = source_span(crop.y, crop.height, height);
    let mut out = vec![fill; samples];
    if c1 <= c0 || r1 <= r0 {
        return Ok(out);
    }
    let no_taps = || bad("the plan maps an output pixel to no source pixel");
    let taps_x =
        axis_taps(c1 - c0, c0, place.x, crop.x, plan.scale_x, lo_x, hi_x).ok_or_else(no_taps)?;
    let taps_y =
        axis_taps(r1 - r0, r0, place.y, crop.y, plan.scale_y, lo_y, hi_y).ok_or_else(no_taps)?;

    // Horizontal pass over the source rows the vertical taps read.
    let first_row = taps_y.starts.iter().copied().min().unwrap_or(lo_y);
    let last_row = (0..taps_y.len())
        .map(|i| {
            let (start, w) = taps_y.taps(i);
            start + w.len()
        })
        .max()
        .unwrap_or(first_row);
    let row_len = (c1 - c0) * channels;
    let mut rows = vec![0.0f32; (last_row - first_row) * row_len];
    rows.par_chunks_mut(row_len)
        .enumerate()
        .for_each(|(k, dst)| {
            let y = first_row + k;
            let src = pixels
                .get(y * width * channels..(y + 1) * width * channels)
                .unwrap_or(&[]);
            resample_row(src, dst, &taps_x, channels);
        });

    // Vertical pass into the covered part of each output row.
    let out_row_len = out_w * channels;
    out.par_chunks_mut(out_row_len)
        .enumerate()
        .skip(r0)
        .take(r1 - r0)
        .for_each(|(y, dst_row)| {
            let Some(dst) = dst_row.get_mut(c0 * channels..c1 * channels) else {
                return;
            };
            dst.fill(0.0);
            let (start, weights) = taps_y.taps(y - r0);
            for (t, w) in weights.iter().enumerate() {
                let from = (start + t - first_row) * row_len;
                let Some(src) = rows.get(from..from + row_len) else {
                    continue;
                };
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += w * s;
                }
            }
        });
    Ok(out)
}

/// One source row resampled into the covered output columns.
fn resample_row(src: &[f32], dst: &mut [f32], taps: &AxisTaps, channels: usize) {
    for (k, px) in dst.chunks_exact_mut(channels).enumerate() {
        let (start, weights) = taps.taps(k);
        let mut acc = [0.0f32; MAX_CHANNELS];
        let from = start * channels;
        let Some(window) = src.get(from..from + weights.len() * channels) else {
            continue;
        };
        for (w, s) in weights.iter().zip(window.chunks_exact(channels)) {
            for (a, v) in acc.iter_mut().zip(s) {
                *a += w * v;
            }
        }
        px.copy_from_slice(acc.get(..channels).unwrap_or(&[]));
    }
}

/// The exact copy of a whole-pixel crop at unit scale.
fn copy_crop(
    pixels: &[f32],
    (width, channels): (usize, usize),
    (sx, sy, cw, ch): (usize, usize, usize, usize),
    (ox, oy, out_w, out_h): (usize, usize, usize, usize),
    fill: f32,
) -> Result<Vec<f32>> {
    if ox + cw > out_w || oy + ch > out_h {
        return Err(bad(format!(
            "the crop ({cw} x {ch} placed at {ox}, {oy}) does not fit the {out_w} x {out_h} output"
        )));
    }
    let mut out = vec![fill; out_w * out_h * channels];
    for r in 0..ch {
        let src_from = ((sy + r) * width + sx) * channels;
        let dst_from = ((oy + r) * out_w + ox) * channels;
        let n = cw * channels;
        let (Some(src), Some(dst)) = (
            pixels.get(src_from..src_from + n),
            out.get_mut(dst_from..dst_from + n),
        ) else {
            return Err(bad("the crop leaves the image"));
        };
        dst.copy_from_slice(src);
    }
    Ok(out)
}

/// Output pixels `first..end` along an axis whose centres lie in `[offset, offset + length)`.
fn covered(offset: f64, length: f64, size: usize) -> (usize, usize) {
    let first = (offset - 0.5).ceil().clamp(0.0, size as f64) as usize;
    let end = (offset + length - 0.5).ceil().clamp(0.0, size as f64) as usize;
    (first, end.max(first))
}

/// Source pixels `lo..hi` along an axis that the crop `[origin, origin + length)` touches.
fn source_span(origin: f64, length: f64, size: usize) -> (usize, usize) {
    let lo = (origin + EDGE_EPSILON).floor().clamp(0.0, size as f64) as usize;
    let hi = (origin + length - EDGE_EPSILON)
        .ceil()
        .clamp(0.0, size as f64) as usize;
    (lo, hi.max(lo))
}

#[derive(Debug, Clone, Copy)]
struct Geometry {
    out_w: usize,
    out_h: usize,
}

/// Every precondition of [`apply_plan`], checked without arithmetic overflow.
fn check(
    plan: &PixelPlan,
    width: usize,
    height: usize,
    channels: usize,
    pixels: &[f32],
) -> Result<Geometry> {
    if width == 0 || height == 0 {
        return Err(bad(format!("the image is empty ({width} x {height})")));
    }
    if channels == 0 || channels > MAX_CHANNELS {
        return Err(bad(format!(
            "{channels} channels per pixel (1 to {MAX_CHANNELS} are supported)"
        )));
    }
    let expected = width
        .checked_mul(height)
        .and_then(|n| n.checked_mul(channels));
    if expected != Some(pixels.len()) {
        return Err(bad(format!(
            "the buffer holds {} values, not {width} x {height} x {channels}",
            pixels.len()
        )));
    }
    let src = plan.source_size;
    if src.width != width as i64 || src.height != height as i64 {
        return Err(bad(format!(
            "the plan is for a {} x {} source but the image is {width} x {height}",
            src.width, src.height
        )));
    }
    let out = plan.output_size;
    if out.width <= 0 || out.height <= 0 {
        return Err(bad(format!(
            "the output size {} x {} is empty",
            out.width, out.height
        )));
    }
    let out_w = usize::try_from(out.width).map_err(|_| bad("output width too large"))?;
    let out_h = usize::try_from(out.height).map_err(|_| bad("output height too large"))?;
    let samples = out_w
        .checked_mul(out_h)
        .and_then(|n| n.checked_mul(channels));
    if samples.is_none_or(|n| n > MAX_OUTPUT_SAMPLES) {
        return Err(bad(format!(
            "the output {out_w} x {out_h} x {channels} exceeds {MAX_OUTPUT_SAMPLES} samples"
        )));
    }
    let c = plan.source_crop;
    let p = plan.placement;
    let values = [
        ("source_crop.x", c.x),
        ("source_crop.y", c.y),
        ("source_crop.width", c.width),
        ("source_crop.height", c.height),
        ("placement.x", p.x),
        ("placement.y", p.y),
        ("placement.width", p.width),
        ("placement.height", p.height),
        ("scale_x", plan.scale_x),
        ("scale_y", plan.scale_y),
    ];
    if let Some((name, v)) = values.iter().find(|(_, v)| !v.is_finite()) {
        return Err(bad(format!("plan value {name} is not finite ({v})")));
    }
    if plan.scale_x <= 0.0 || plan.scale_y <= 0.0 {
        return Err(bad(format!(
            "the plan scales are not positive ({} x {})",
            plan.scale_x, plan.scale_y
        )));
    }
    if c.width <= 0.0 || c.height <= 0.0 || p.width <= 0.0 || p.height <= 0.0 {
        return Err(bad("the plan's crop or placement is empty"));
    }
    if c.x < -EDGE_EPSILON
        || c.y < -EDGE_EPSILON
        || c.x + c.width > width as f64 + EDGE_EPSILON
        || c.y + c.height > height as f64 + EDGE_EPSILON
    {
        return Err(bad(format!(
            "the crop ({} x {} at {}, {}) leaves the {width} x {height} image",
            c.width, c.height, c.x, c.y
        )));
    }
    Ok(Geometry { out_w, out_h })
}

#[cfg(test)]
mod tests;
