//! The DNG colour model (DNG specification chapter 6, "Mapping Camera Color Space to CIE XYZ
//! Space") and the input transform from camera RGB to ACES2065-1.
//!
//! [`CameraColor::from_dng`] reads a DNG's colour tags; [`CameraColor::input_transform`] gives the
//! white-balance gains for the mosaic, the white-balanced camera -> ACES2065-1 matrix and the
//! exposure gain. Colour temperatures follow Robertson's method as the Adobe DNG SDK computes
//! them ([`temperature`]).

pub mod profile;
pub mod temperature;
pub mod transform;

pub use profile::{CameraColorTags, DngColorModel, Interpolated, PCS_WHITE};
pub use temperature::{Temperature, illuminant_kelvin, temperature_to_xy, xy_to_temperature};
pub use transform::{CameraColor, InputTransform, WhiteBalanceMode, xyz_d50_to_aces};

#[cfg(test)]
mod tests;
