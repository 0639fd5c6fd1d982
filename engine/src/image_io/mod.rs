//! Image files in and out: OpenEXR (plates, ACES containers), DPX and TIFF (log deliverables).
//!
//! Every format works on the one image type [`FloatImage`] (interleaved `f32`, named channels)
//! and on the caller's byte slices, readers and writers: the engine opens no file.

pub mod dpx;
pub mod exr;
mod image;
pub mod tiff;

pub use image::{FloatImage, MAX_CHANNELS};
