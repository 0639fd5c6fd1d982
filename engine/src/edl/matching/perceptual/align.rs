//! Temporal alignment of an event's reference frames with a library clip's frame signatures:
//! the source offset with the smallest mean distance, its margin to other offsets and how
//! sharply the in-point is determined.
//!
//! Limits: playback at normal speed (reference frame k shows source frame s + k) and freeze
//! frames (every reference frame shows source frame s) only; speed ramps, other speeds and
//! reverse play are not aligned. The event must lie inside the clip. A clip sampled every Nth
//! frame still aligns to the frame when the reference frames are consecutive (different
//! reference frames land on sampled frames); sparse references on a sparse clip may not meet.

use serde::{Deserialize, Serialize};

use super::signature::FrameSignature;
use crate::{Error, Result};

/// Longest clip aligned against, in frames (a day at 120 fps).
pub const MAX_CLIP_FRAMES: u64 = 120 * 86_400;

/// A clip's frame signatures: every frame or every Nth, by frame offset from the clip's first
/// frame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClipSignatures {
    /// The library clip's identifier (as in [`crate::edl::matching::LibraryClip::clip_id`]).
    pub clip_id: String,
    /// Frames in the clip.
    pub frame_count: u64,
    /// Sampled frames, by increasing offset.
    pub frames: Vec<SampledFrame>,
}

/// One sampled frame of a clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampledFrame {
    /// Offset from the clip's first frame.
    pub offset: u64,
    /// Its signature.
    pub signature: FrameSignature,
}

impl ClipSignatures {
    /// Checks the frame count and that offsets increase and lie inside the clip.
    pub fn validate(&self) -> Result<()> {
        let bad = |problem: String| Error::PerceptualInput {
            what: format!("signatures of clip `{}`", self.clip_id),
            problem,
        };
        if self.frame_count > MAX_CLIP_FRAMES {
            return Err(bad(format!(
                "{} frames, more than the {MAX_CLIP_FRAMES} accepted",
                self.frame_count
            )));
        }
        let mut previous = None;
        for (i, frame) in self.frames.iter().enumerate() {
            if frame.offset >= self.frame_count {
                return Err(bad(format!(
                    "frames[{i}]: offset {} outside the clip's {} frames",
                    frame.offset, self.frame_count
                )));
            }
            if previous.is_some_and(|p| p >= frame.offset) {
                return Err(bad(format!(
                    "frames[{i}]: offset {} does not increase",
                    frame.offset
                )));
            }
            previous = Some(frame.offset);
        }
        Ok(())
    }
}

/// How the event's picture moves through the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Motion {
    /// Speed 1.0: reference frame k shows source frame s + k.
    Normal,
    /// A freeze frame: every reference frame shows source frame s.
    Freeze,
}

/// The best placement of an event's reference frames on one clip.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Alignment {
    /// Source frame (offset from the clip's first frame) shown by the event's first frame.
    pub source_offset: u64,
    /// Mean combined distance ([`super::FrameDistance::combined`]) over the frames compared.
    pub distance: f64,
    /// Mean pHash Hamming distance over the frames compared.
    pub mean_hamming: f64,
    /// Reference frames that met a sampled clip frame at this offset.
    pub frames_compared: usize,
    /// How much worse the best offset at least 2 frames away is (`None`: no such offset).
    pub offset_margin: Option<f64>,
    /// The farthest offset (in frames from the best) whose distance is within a small
    /// tolerance of the best: 0 when the in-point is sharp; larger for static shots or
    /// repeated content.
    pub offset_spread: u64,
}

/// Aligns `reference` (pairs of frame index from the event's first record frame and
/// signature) with `clip`. `None` when no offset places the event inside the clip with at
/// least half the best achievable number of compared frames, or nothing is given.
pub fn align(
    reference: &[(u64, FrameSignature)],
    clip: &ClipSignatures,
    motion: Motion,
) -> Option<Alignment> {
    let last_k = reference.iter().map(|(k, _)| *k).max()?;
    if clip.frames.is_empty() || clip.frame_count > MAX_CLIP_FRAMES {
        return None;
    }
    let span = match motion {
        Motion::Normal => last_k.checked_add(1)?,
        Motion::Freeze => 1,
    };
    let last_offset = clip.frame_count.checked_sub(span)?;
    // Lookup of sampled frames by offset.
    let mut sampled: Vec<Option<&FrameSignature>> =
        vec![None; usize::try_from(clip.frame_count).ok()?];
    for frame in &clip.frames {
        if let Some(slot) = usize::try_from(frame.offset)
            .ok()
            .and_then(|o| sampled.get_mut(o))
        {
            *slot = Some(&frame.signature);
        }
    }
    // (offset, pairs, mean combined, mean hamming)
    let mut scores: Vec<(u64, usize, f64, f64)> = Vec::new();
    for s in 0..=last_offset {
        let (mut pairs, mut sum, mut bits) = (0_usize, 0.0_f64, 0_u64);
        for (k, signature) in reference {
            let at = match motion {
                Motion::Normal => s + k,
                Motion::Freeze => s,
            };
            if let Some(Some(library)) = usize::try_from(at).ok().and_then(|a| sampled.get(a)) {
                let d = signature.distance(library);
                pairs += 1;
                sum += d.combined();
                bits += u64::from(d.hamming);
            }
        }
        if pairs > 0 {
            scores.push((s, pairs, sum / pairs as f64, bits as f64 / pairs as f64));
        }
    }
    let most_pairs = scores.iter().map(|s| s.1).max()?;
    scores.retain(|s| 2 * s.1 >= most_pairs);
    let best = *scores
        .iter()
        .min_by(|a, b| a.2.total_cmp(&b.2).then(a.0.cmp(&b.0)))?;
    let tolerance = 0.004 + 0.1 * best.2;
    let offset_spread = scores
        .iter()
        .filter(|s| s.2 <= best.2 + tolerance)
        .map(|s| s.0.abs_diff(best.0))
        .max()
        .unwrap_or(0);
    let offset_margin = scores
        .iter()
        .filter(|s| s.0.abs_diff(best.0) >= 2)
        .map(|s| s.2 - best.2)
        .min_by(f64::total_cmp);
    Some(Alignment {
        source_offset: best.0,
        distance: best.2,
        mean_hamming: best.3,
        frames_compared: best.1,
        offset_margin,
        offset_spread,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::edl::matching::perceptual::image::LumaImage;

    /// Frame `t` of a pan across a wide synthetic picture.
    fn pan_frame(t: u64, seed: u32) -> FrameSignature {
        let (w, h) = (64, 36);
        let s = seed as f32;
        let mut px = Vec::with_capacity(w * h);
        for y in 0..h {
            for x in 0..w {
                let u = (x as f32 + 3.0 * t as f32) / 64.0;
                let v = y as f32 / 36.0;
                px.push(
                    100.0
                        + 60.0 * (u * (5.0 + s) + v * 3.0).sin()
                        + 40.0 * (v * (7.0 + s) - u * 2.0).cos()
                        + 30.0 * ((u - 0.8).hypot(v - 0.5) * 12.0).sin(),
                );
            }
        }
        FrameSignature::of(&LumaImage::new("pan", w, h, px).unwrap())
    }

    fn clip(seed: u32, frames: u64, step: u64) -> ClipSignatures {
        ClipSignatures {
            clip_id: format!("clip{seed}"),
            frame_count: frames,
            frames: (0..frames)
                .step_by(step as usize)
                .map(|offset| SampledFrame {
                    offset,
                    signature: pan_frame(offset, seed),
                })
                .collect(),
        }
    }

    #[test]
    fn finds_the_in_point_to_the_frame() {
        let library = clip(1, 40, 1);
        let reference: Vec<_> = (0..6).map(|k| (k, pan_frame(17 + k, 1))).collect();
        let a = align(&reference, &library, Motion::Normal).unwrap();
        assert_eq!(a.source_offset, 17);
        assert!(a.distance < 1e-9 && a.offset_spread == 0, "{a:?}");
        assert!(a.offset_margin.unwrap() > 0.02, "{a:?}");
        assert_eq!(a.frames_compared, 6);
        // Sampled every 3rd frame: still to the frame, with fewer frames compared.
        let sparse = clip(1, 40, 3);
        let a = align(&reference, &sparse, Motion::Normal).unwrap();
        assert_eq!(a.source_offset, 17);
        assert_eq!(a.frames_compared, 2);
    }

    #[test]
    fn freeze_frames_align_to_one_source_frame() {
        let library = clip(2, 30, 1);
        let reference: Vec<_> = (0..5).map(|k| (k, pan_frame(9, 2))).collect();
        let a = align(&reference, &library, Motion::Freeze).unwrap();
        assert_eq!((a.source_offset, a.offset_spread), (9, 0));
        // Read as normal speed, the same frames fit nowhere well.
        let b = align(&reference, &library, Motion::Normal).unwrap();
        assert!(b.distance > a.distance + 0.01, "{b:?}");
    }

    #[test]
    fn static_shots_report_a_spread() {
        let still = pan_frame(0, 3);
        let library = ClipSignatures {
            clip_id: "still".into(),
            frame_count: 10,
            frames: (0..10)
                .map(|offset| SampledFrame {
                    offset,
                    signature: still,
                })
                .collect(),
        };
        let a = align(&[(0, still), (1, still)], &library, Motion::Normal).unwrap();
        assert_eq!(a.source_offset, 0);
        assert_eq!(a.offset_spread, 8);
        assert!(a.offset_margin.unwrap() < 1e-9);
    }

    #[test]
    fn events_longer_than_the_clip_or_empty_inputs_do_not_align() {
        let library = clip(4, 5, 1);
        let reference: Vec<_> = (0..6).map(|k| (k, pan_frame(k, 4))).collect();
        assert!(align(&reference, &library, Motion::Normal).is_none());
        assert!(align(&[], &library, Motion::Normal).is_none());
        let empty = ClipSignatures {
            frames: vec![],
            ..library
        };
        assert!(align(&reference[..1], &empty, Motion::Freeze).is_none());
    }

    #[test]
    fn bad_signature_lists_are_refused() {
        let mut c = clip(5, 4, 1);
        c.validate().unwrap();
        c.frames.swap(0, 1);
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("does not increase")
        );
        let mut c = clip(5, 4, 1);
        c.frame_count = 3;
        assert!(c.validate().unwrap_err().to_string().contains("outside"));
        c.frame_count = u64::MAX;
        assert!(c.validate().unwrap_err().to_string().contains("accepted"));
    }
}
