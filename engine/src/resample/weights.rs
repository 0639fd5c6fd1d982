//! Lanczos-3 filter taps for one axis of a separable resample: which source pixels each output
//! pixel reads and with what normalised weights.

use std::f64::consts::PI;

/// Radius of the Lanczos-3 kernel in source pixels at unit scale.
pub const LANCZOS3_RADIUS: f64 = 3.0;

/// The Lanczos-3 kernel: `sinc(x) * sinc(x / 3)` inside `|x| < 3`, zero outside.
pub fn lanczos3(x: f64) -> f64 {
    let x = x.abs();
    if x < 1e-12 {
        return 1.0;
    }
    if x >= LANCZOS3_RADIUS {
        return 0.0;
    }
    // At whole-pixel distances the kernel is exactly zero (sin rounding would leave ~1e-17).
    if (x - x.round()).abs() < 1e-9 {
        return 0.0;
    }
    let px = PI * x;
    LANCZOS3_RADIUS * px.sin() * (px / LANCZOS3_RADIUS).sin() / (px * px)
}

/// Filter taps of every output pixel along one axis, stored flat.
#[derive(Debug, Clone)]
pub struct AxisTaps {
    /// First source index read by each output pixel.
    pub starts: Vec<usize>,
    /// Offset of each output pixel's weights in `weights`; one more entry than output pixels.
    pub offsets: Vec<usize>,
    /// Normalised weights (they sum to one for every output pixel).
    pub weights: Vec<f32>,
}

impl AxisTaps {
    /// The taps of output pixel `i`: first source index and its weights.
    pub fn taps(&self, i: usize) -> (usize, &[f32]) {
        let start = self.starts.get(i).copied().unwrap_or(0);
        let from = self.offsets.get(i).copied().unwrap_or(0);
        let to = self.offsets.get(i + 1).copied().unwrap_or(from);
        (start, self.weights.get(from..to).unwrap_or(&[]))
    }

    /// Number of output pixels.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there are no output pixels.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

/// The Lanczos-3 taps for `count` output pixels along one axis.
///
/// Output pixel `first + k` (its centre at `first + k + 0.5`) reads the source around
/// `origin + (first + k + 0.5 - offset) / scale`, using source pixels in `lo..hi` only (weights
/// renormalised at those edges). When downscaling (`scale < 1`) the kernel is widened by
/// `1 / scale`, so every source pixel contributes (no aliasing). Returns `None` when a pixel has
/// no source pixel with a non-zero weight (callers check the geometry before).
pub fn axis_taps(
    count: usize,
    first: usize,
    offset: f64,
    origin: f64,
    scale: f64,
    lo: usize,
    hi: usize,
) -> Option<AxisTaps> {
    let widen = (1.0 / scale).max(1.0);
    let support = LANCZOS3_RADIUS * widen;
    let mut taps = AxisTaps {
        starts: Vec::with_capacity(count),
        offsets: Vec::with_capacity(count + 1),
        weights: Vec::new(),
    };
    taps.offsets.push(0);
    let mut raw = Vec::new();
    for k in 0..count {
        let centre = origin + ((first + k) as f64 + 0.5 - offset) / scale;
        let from = ((centre - support - 0.5).floor().max(lo as f64)) as usize;
        let to = ((centre + support + 0.5).ceil().min(hi as f64)) as usize;
        raw.clear();
        let mut sum = 0.0;
        for j in from..to.max(from) {
            let w = lanczos3((j as f64 + 0.5 - centre) / widen);
            raw.push(w);
            sum += w;
        }
        // Trim zero-weight taps at both ends so the inner loops stay short.
        let lead = raw.iter().take_while(|w| **w == 0.0).count();
        let trail = raw.iter().rev().take_while(|w| **w == 0.0).count();
        if lead == raw.len() || sum.abs() < 1e-12 || !sum.is_finite() {
            return None;
        }
        taps.starts.push(from + lead);
        let kept = raw.get(lead..raw.len() - trail).unwrap_or(&[]);
        taps.weights.extend(kept.iter().map(|w| (w / sum) as f32));
        taps.offsets.push(taps.weights.len());
    }
    Some(taps)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn kernel_is_one_at_zero_and_zero_at_integers_and_outside() {
        assert_eq!(lanczos3(0.0), 1.0);
        for x in [1.0, 2.0, -1.0, -2.0] {
            assert!(lanczos3(x).abs() < 1e-15, "{x}");
        }
        assert_eq!(lanczos3(3.0), 0.0);
        assert_eq!(lanczos3(-4.5), 0.0);
        assert!((lanczos3(0.5) - lanczos3(-0.5)).abs() < 1e-15);
    }

    #[test]
    fn weights_are_normalised_and_stay_in_bounds() {
        for (scale, hi) in [(1.0, 10), (0.25, 40), (3.7, 9), (0.5, 1)] {
            let count = ((hi as f64) * scale).ceil() as usize;
            let t = axis_taps(count, 0, 0.0, 0.0, scale, 0, hi).unwrap();
            assert_eq!(t.len(), count);
            for i in 0..count {
                let (start, w) = t.taps(i);
                assert!(start + w.len() <= hi);
                let sum: f32 = w.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "scale {scale} px {i}: {sum}");
            }
        }
    }

    #[test]
    fn unit_scale_on_pixel_centres_is_a_copy() {
        let t = axis_taps(5, 0, 0.0, 0.0, 1.0, 0, 5).unwrap();
        for i in 0..5 {
            let (start, w) = t.taps(i);
            assert_eq!((start, w), (i, &[1.0f32][..]));
        }
    }
}
