//! Raw development: a normalised CFA mosaic to scene-linear ACES2065-1 (white balance, demosaic,
//! the DNG input transform and exposure), rows in parallel with rayon.
//!
//! Glue for a DNG frame: `CameraColor::from_dng(&metadata)` once per clip, then
//! [`develop_cfa`]`(&decoded.cfa, &color, &options)` per frame.

mod frame;
mod options;
mod pipeline;

pub use frame::{DevelopedFrame, develop_dng, dng_frame_rate, plate_exr, plate_header};
pub use options::{AmfLook, DevelopOptions, FdlFraming};
pub use pipeline::{apply_matrix, develop_cfa, develop_with_transform, white_balanced};

#[cfg(test)]
mod tests;
