//! Perceptual matching: frame signatures (DCT pHash plus a coarse layout) of a reference (stills
//! or frames of the editor's reference movie) and of library clips, temporal alignment of an
//! event's reference frames on a clip, and the resolution (or check) of the metadata matcher's
//! outcomes with them.
//!
//! Use: compute [`FrameSignature::of`] for library frames ([`ClipSignatures`]) and reference
//! frames ([`ReferenceFrames`]), run [`crate::edl::matching::match_edl`], then
//! [`apply_perceptual`] on its report.

mod align;
mod image;
mod phash;
mod resolve;
mod signature;

pub use align::{Alignment, ClipSignatures, MAX_CLIP_FRAMES, Motion, SampledFrame, align};
pub use image::{LumaImage, MAX_PIXELS, Rect};
pub use phash::{PHASH_INPUT_SIDE, hamming, low_frequency_dct, phash_32x32};
pub use resolve::{
    PerceptualCandidate, PerceptualEvidence, PerceptualOptions, ReferenceFrames, Verdict,
    apply_perceptual,
};
pub use signature::{FrameDistance, FrameSignature};
