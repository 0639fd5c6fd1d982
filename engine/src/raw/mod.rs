//! Raw camera images before development: Bayer colour-filter layouts and the CFA and RGB image buffers.

pub mod bayer;
pub mod image;

pub use bayer::{BayerPhase, CfaColor, WhiteBalance};
pub use image::{CfaImage, ImageLimits, RgbImage};
