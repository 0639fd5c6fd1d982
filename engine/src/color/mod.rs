//! Colour science: RGB colour spaces, XYZ matrices, chromatic adaptation, transfer functions.
//!
//! Matrices are derived in `f64` from primaries and white points ([`gamut`]); pixels are `f32`
//! RGB (or RGBA, alpha untouched) processed in parallel with rayon ([`convert`]).
//!
//! NaN and infinite pixels: matrices propagate them as IEEE arithmetic does; transfer functions
//! map NaN to NaN and clamp infinities like any other out-of-range value (see [`transfer`]).

pub mod aces1;
pub mod aces2;
pub mod convert;
pub mod dng;
pub mod gamut;
pub mod matrix;
pub mod transfer;

pub use convert::{ColorSpace, Converter, for_each_pixel};
pub use gamut::{Adaptation, Chromaticities, Gamut, WhitePoint};
pub use matrix::Mat3;
pub use transfer::TransferFunction;
