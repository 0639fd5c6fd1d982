//! Raw camera images before development: Bayer layouts, CFA and RGB image buffers, DNG raw
//! decode (uncompressed and lossless JPEG) into a normalised mosaic.

pub mod bayer;
pub mod dng;
pub mod image;
pub mod levels;
pub mod ljpeg;
pub mod ljpeg_encode;
pub mod unpack;
pub mod unpack_ljpeg;

pub use bayer::{BayerPhase, CfaColor, WhiteBalance};
pub use dng::{CropRect, DecodedRaw, RawCompression, decode_dng, decode_dng_named};
pub use image::{CfaImage, ImageLimits, RgbImage};
pub use levels::{RawLevels, normalise};
pub use ljpeg::{LosslessJpeg, decode_lossless_jpeg};
pub use ljpeg_encode::encode_lossless_jpeg;
pub use unpack::{ByteOrder, RawLayout, RawSamples, SampleStorage, unpack};
pub use unpack_ljpeg::unpack_lossless_jpeg;
