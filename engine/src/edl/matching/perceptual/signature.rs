//! A frame's perceptual signature: the 64-bit pHash of its picture (inside any black bars) and
//! an 8x8 block-mean layout normalised for level and contrast, with the distance between two.
//!
//! What it is robust to (each asserted in the tests below): scaling (the picture is area-averaged
//! to 32x32 first, so any size and mild aspect changes give nearly the same thumbnail), gain and
//! offset (the pHash thresholds at a median and ignores the DC level; the layout is normalised
//! to zero mean and unit spread), mild gamma or grading curves (few bits flip), JPEG compression
//! (low frequencies only), letterbox and pillarbox bars (removed before hashing). Not robust to:
//! crops or reframing beyond a few percent, flips and rotations, heavy colour keys or
//! re-compositing, titles covering much of the frame.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::image::LumaImage;
use super::phash::{PHASH_INPUT_SIDE, hamming, phash_32x32};
use crate::{Error, Result};

/// Blocks per side of the layout descriptor.
const LAYOUT_SIDE: usize = 8;
/// Quantisation of the layout: one standard deviation is this many steps.
const LAYOUT_STEPS_PER_SIGMA: f32 = 32.0;

/// The signature of one frame. Written in JSON as one string: 16 hex digits of pHash, `:`, then
/// 128 hex digits of layout (64 signed bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FrameSignature {
    /// The 64-bit DCT perceptual hash of the picture (see [`super::phash`]).
    pub phash: u64,
    /// 8x8 block means, row by row, as (mean - frame mean) / frame spread x 32, clamped to
    /// +-127: the coarse layout of light and dark, independent of level and contrast.
    pub layout: [i8; 64],
}

/// How far apart two signatures are.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct FrameDistance {
    /// pHash bits that differ (0..=64; unrelated pictures sit near 32).
    pub hamming: u32,
    /// Mean absolute difference of the normalised layouts, in standard deviations (0 for the
    /// same picture; about 1.1 for unrelated ones).
    pub layout: f64,
}

impl FrameDistance {
    /// One number in 0..=1: the mean of the Hamming fraction and the layout distance (capped
    /// at 1). The same picture scores near 0, unrelated pictures about 0.75.
    pub fn combined(&self) -> f64 {
        (f64::from(self.hamming) / 64.0 + self.layout.min(1.0)) / 2.0
    }
}

impl FrameSignature {
    /// The signature of `image`: black bars removed ([`LumaImage::active_rect`]), the rest
    /// area-averaged to 32x32, hashed, and averaged again to the 8x8 layout.
    pub fn of(image: &LumaImage) -> Self {
        let thumb = image.area_downscale(image.active_rect(), PHASH_INPUT_SIDE, PHASH_INPUT_SIDE);
        let mut square = [0.0_f32; PHASH_INPUT_SIDE * PHASH_INPUT_SIDE];
        for (dst, src) in square.iter_mut().zip(&thumb) {
            *dst = *src;
        }
        Self::of_thumbnail(&square)
    }

    /// The signature of an image already reduced to 32x32 (row-major).
    pub fn of_thumbnail(thumb: &[f32; PHASH_INPUT_SIDE * PHASH_INPUT_SIDE]) -> Self {
        let cell = PHASH_INPUT_SIDE / LAYOUT_SIDE;
        let mut means = [0.0_f32; LAYOUT_SIDE * LAYOUT_SIDE];
        for (i, mean) in means.iter_mut().enumerate() {
            let (by, bx) = (i / LAYOUT_SIDE, i % LAYOUT_SIDE);
            let mut sum = 0.0;
            for y in by * cell..(by + 1) * cell {
                for x in bx * cell..(bx + 1) * cell {
                    sum += thumb[y * PHASH_INPUT_SIDE + x];
                }
            }
            *mean = sum / (cell * cell) as f32;
        }
        let n = means.len() as f32;
        let mean = means.iter().sum::<f32>() / n;
        let spread = (means.iter().map(|m| (m - mean).powi(2)).sum::<f32>() / n).sqrt();
        let mut layout = [0_i8; 64];
        if spread > 1e-6 * mean.abs().max(1e-3) {
            for (q, m) in layout.iter_mut().zip(&means) {
                let steps = ((m - mean) / spread * LAYOUT_STEPS_PER_SIGMA).round();
                *q = steps.clamp(-127.0, 127.0) as i8;
            }
        }
        Self {
            phash: phash_32x32(thumb),
            layout,
        }
    }

    /// The distance to `other`.
    pub fn distance(&self, other: &Self) -> FrameDistance {
        let sum: i32 = self
            .layout
            .iter()
            .zip(&other.layout)
            .map(|(&a, &b)| (i32::from(a) - i32::from(b)).abs())
            .sum();
        FrameDistance {
            hamming: hamming(self.phash, other.phash),
            layout: f64::from(sum) / 64.0 / f64::from(LAYOUT_STEPS_PER_SIGMA),
        }
    }
}

impl fmt::Display for FrameSignature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}:", self.phash)?;
        for v in self.layout {
            write!(f, "{:02x}", v as u8)?;
        }
        Ok(())
    }
}

impl FromStr for FrameSignature {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let bad = |problem: &str| Error::PerceptualInput {
            what: "frame signature".into(),
            problem: format!("`{}`: {problem}", text.chars().take(40).collect::<String>()),
        };
        let (hash, layout_hex) = text
            .split_once(':')
            .ok_or_else(|| bad("expected <16 hex digits>:<128 hex digits>"))?;
        if hash.len() != 16 || layout_hex.len() != 128 || !layout_hex.is_ascii() {
            return Err(bad("expected <16 hex digits>:<128 hex digits>"));
        }
        let phash = u64::from_str_radix(hash, 16).map_err(|_| bad("pHash is not hex"))?;
        let mut layout = [0_i8; 64];
        for (i, v) in layout.iter_mut().enumerate() {
            let byte = layout_hex
                .get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| bad("layout is not hex"))?;
            *v = byte as i8;
        }
        Ok(Self { phash, layout })
    }
}

impl TryFrom<String> for FrameSignature {
    type Error = Error;

    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<FrameSignature> for String {
    fn from(signature: FrameSignature) -> String {
        signature.to_string()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A deterministic "natural-ish" picture: smooth shapes of several sizes plus texture.
    pub(crate) fn scene(width: usize, height: usize, seed: u32) -> LumaImage {
        let s = seed as f32;
        let mut px = Vec::with_capacity(width * height);
        for y in 0..height {
            for x in 0..width {
                let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
                let blob = (-((u - 0.3 - 0.1 * s.sin()).powi(2) + (v - 0.6).powi(2)) * 18.0).exp();
                let ring = ((u - 0.7).hypot(v - 0.3 - 0.05 * s) * (14.0 + s)).sin();
                let grad = 0.4 * u + 0.2 * v * (1.0 + s.cos());
                let tex = ((u * 90.0).sin() * (v * 70.0).cos()) * 0.05;
                px.push(60.0 + 120.0 * blob + 40.0 * ring + 80.0 * grad + 100.0 * tex);
            }
        }
        LumaImage::new("scene", width, height, px).unwrap()
    }

    fn map(image: &LumaImage, f: impl Fn(f32) -> f32) -> LumaImage {
        let px = image.pixels().iter().map(|&v| f(v)).collect();
        LumaImage::new("mapped", image.width(), image.height(), px).unwrap()
    }

    /// Nearest-neighbour-free box downscale by an integer factor.
    fn shrink(image: &LumaImage, factor: usize) -> LumaImage {
        let (w, h) = (image.width() / factor, image.height() / factor);
        let rect = super::super::image::Rect {
            x: 0,
            y: 0,
            width: w * factor,
            height: h * factor,
        };
        LumaImage::new("small", w, h, image.area_downscale(rect, w, h)).unwrap()
    }

    #[test]
    fn robust_to_scaling_gain_gamma_and_letterbox() {
        let original = scene(480, 270, 1);
        let sig = FrameSignature::of(&original);
        let checks: Vec<(&str, LumaImage, u32, f64)> = vec![
            ("scaled to a quarter", shrink(&original, 4), 3, 0.08),
            (
                "gain 0.7 + offset",
                map(&original, |v| v * 0.7 + 12.0),
                0,
                0.02,
            ),
            (
                "gamma 1.2",
                map(&original, |v| 255.0 * (v / 255.0).max(0.0).powf(1.2)),
                6,
                0.12,
            ),
            (
                "quantised to 16 levels",
                map(&original, |v| (v / 16.0).round() * 16.0),
                3,
                0.05,
            ),
            ("letterboxed", letterbox(&original, 40), 3, 0.06),
        ];
        for (what, image, max_bits, max_layout) in checks {
            let d = sig.distance(&FrameSignature::of(&image));
            assert!(
                d.hamming <= max_bits && d.layout <= max_layout,
                "{what}: {d:?}"
            );
        }
    }

    fn letterbox(image: &LumaImage, bar: usize) -> LumaImage {
        let (w, h) = (image.width(), image.height() + 2 * bar);
        let mut px = vec![0.0; w * h];
        px[bar * w..][..image.pixels().len()].copy_from_slice(image.pixels());
        LumaImage::new("boxed", w, h, px).unwrap()
    }

    #[test]
    fn unrelated_pictures_are_far_apart() {
        let a = FrameSignature::of(&scene(320, 180, 1));
        for seed in [3, 5, 8] {
            let b = FrameSignature::of(&scene(320, 180, seed));
            let d = a.distance(&b);
            assert!(d.hamming >= 12 && d.combined() > 0.25, "seed {seed}: {d:?}");
        }
    }

    #[test]
    fn text_form_round_trips_and_bad_text_is_refused() {
        let sig = FrameSignature::of(&scene(64, 48, 2));
        let text = sig.to_string();
        assert_eq!(text.len(), 16 + 1 + 128);
        assert_eq!(text.parse::<FrameSignature>().unwrap(), sig);
        let json = serde_json::to_string(&sig).unwrap();
        assert_eq!(serde_json::from_str::<FrameSignature>(&json).unwrap(), sig);
        for bad in [
            "",
            "zz",
            &text[..100],
            &text.replace(':', "-"),
            &format!("g{}", &text[1..]),
        ] {
            assert!(bad.parse::<FrameSignature>().is_err(), "{bad}");
        }
        let err = serde_json::from_str::<FrameSignature>("\"12:34\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("frame signature"), "{err}");
    }

    #[test]
    fn flat_frames_have_a_zero_layout() {
        let flat = LumaImage::new("flat", 8, 8, vec![5.0; 64]).unwrap();
        assert_eq!(FrameSignature::of(&flat).layout, [0; 64]);
    }
}
