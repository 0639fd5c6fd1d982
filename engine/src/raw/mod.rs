//! Raw camera images before development: Bayer layouts, CFA and RGB image buffers, and the
//! decoding of uncompressed DNG sample data into a normalised mosaic.

pub mod bayer;
pub mod image;
pub mod levels;
pub mod unpack;

pub use bayer::{BayerPhase, CfaColor, WhiteBalance};
pub use image::{CfaImage, ImageLimits, RgbImage};
pub use levels::{RawLevels, normalise};
pub use unpack::{ByteOrder, RawLayout, RawSamples, SampleStorage, unpack};
