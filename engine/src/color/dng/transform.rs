//! The input transform of a DNG: white balance, camera -> ACES2065-1 matrix and exposure gain,
//! from the camera's colour model and the user's white-balance and exposure choices.

use serde::{Deserialize, Serialize};

use super::profile::{CameraColorTags, DngColorModel, PCS_WHITE, normalise_neutral};
use super::temperature::{Temperature, temperature_to_xy, xy_to_temperature};
use crate::color::gamut::{Adaptation, Gamut};
use crate::color::matrix::Mat3;
use crate::inspect::DngMetadata;
use crate::raw::WhiteBalance;
use crate::{Error, Result};

/// Largest exposure change (stops, user offset plus baseline) accepted.
pub const MAX_EXPOSURE_STOPS: f64 = 24.0;

/// Which white the development balances to.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum WhiteBalanceMode {
    /// The white recorded by the camera (`AsShotNeutral`, else `AsShotWhiteXY`).
    #[default]
    AsShot,
    /// A camera neutral: the raw red, green, blue response to the scene white.
    CameraNeutral([f64; 3]),
    /// A correlated colour temperature in kelvin and a tint (DNG SDK units, + magenta).
    Temperature {
        /// Kelvin, 1,667 to 100,000.
        kelvin: f64,
        /// Tint, -150 to 150.
        #[serde(default)]
        tint: f64,
    },
}

/// A camera's colour: its DNG colour model plus what the camera recorded about the shot.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraColor {
    model: DngColorModel,
    as_shot_neutral: Option<[f64; 3]>,
    as_shot_white_xy: Option<[f64; 2]>,
    baseline_exposure: f64,
}

/// Everything the development needs to turn a mosaic into ACES2065-1.
///
/// Pipeline: multiply the mosaic by `white_balance` (gains `1 / neutral`, green 1), demosaic,
/// multiply each pixel by `camera_to_aces`, then by `exposure_gain`.
///
/// Normalisation: `camera_to_aces` maps white-balanced camera (1, 1, 1), i.e. a neutral surface
/// whose raw green value is 1, to ACES (1, 1, 1) exactly in green and to the ACES white; so a
/// neutral with raw green `v` develops to ACES `v * exposure_gain` in every channel. (The DNG SDK
/// instead scales so that the camera neutral's *largest* channel reaching 1 gives the PCS white;
/// both coincide when green is the largest channel of the neutral, as it is for most cameras.)
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct InputTransform {
    /// The camera neutral balanced to (green = 1).
    pub camera_neutral: [f64; 3],
    /// The white point as CIE xy.
    pub white_xy: [f64; 2],
    /// The white point as a colour temperature and tint.
    pub white_temperature: Temperature,
    /// Gains for the mosaic before demosaicing (`1 / camera_neutral`).
    pub white_balance: WhiteBalance,
    /// The DNG spec's raw camera -> CIE XYZ (D50) matrix (before white balance; scale as the
    /// spec gives it).
    pub camera_to_xyz_d50: Mat3,
    /// White-balanced camera RGB -> ACES2065-1 (Bradford from D50 to the ACES white), normalised
    /// as described above, exposure not included.
    pub camera_to_aces: Mat3,
    /// Exposure in stops: the user's offset plus `BaselineExposure` when applied.
    pub exposure_stops: f64,
    /// `2^exposure_stops`.
    pub exposure_gain: f64,
}

impl InputTransform {
    /// `camera_to_aces * exposure_gain`, the one matrix to apply per pixel after demosaicing.
    pub fn pixel_matrix(&self) -> Mat3 {
        let mut m = self.camera_to_aces;
        for v in m.0.iter_mut().flatten() {
            *v *= self.exposure_gain;
        }
        m
    }
}

/// CIE XYZ (D50, the DNG PCS) -> ACES2065-1: Bradford to the ACES white, then the AP0 matrix.
pub fn xyz_d50_to_aces() -> Mat3 {
    let ap0 = Gamut::Ap0.chromaticities();
    let cat = Adaptation::Bradford.matrix(PCS_WHITE, ap0.white);
    ap0.xyz_to_rgb().mul(&cat)
}

impl CameraColor {
    /// The camera colour of a DNG from its metadata ([`CameraColorTags::from_dng`] then
    /// [`CameraColor::from_tags`]).
    pub fn from_dng(meta: &DngMetadata) -> Result<CameraColor> {
        Self::from_tags(&CameraColorTags::from_dng(meta)?)
    }

    /// The camera colour of a set of tags: validates the profile (see [`DngColorModel::new`])
    /// and the as-shot white.
    pub fn from_tags(tags: &CameraColorTags) -> Result<CameraColor> {
        let model = DngColorModel::new(tags)?;
        let as_shot_neutral = match tags.as_shot_neutral {
            Some(n) => Some(normalise_neutral("AsShotNeutral", n)?),
            None => None,
        };
        if let Some(xy) = tags.as_shot_white_xy {
            xy_to_temperature(xy).map_err(|e| Error::DngColor {
                what: "AsShotWhiteXY".into(),
                problem: e.to_string(),
            })?;
        }
        let baseline_exposure = tags.baseline_exposure.unwrap_or(0.0);
        if !(baseline_exposure.is_finite() && baseline_exposure.abs() <= MAX_EXPOSURE_STOPS) {
            return Err(Error::DngColor {
                what: "BaselineExposure".into(),
                problem: format!("{baseline_exposure} stops is not a plausible exposure"),
            });
        }
        Ok(CameraColor {
            model,
            as_shot_neutral,
            as_shot_white_xy: tags.as_shot_white_xy,
            baseline_exposure,
        })
    }

    /// The camera's colour model.
    pub fn model(&self) -> &DngColorModel {
        &self.model
    }

    /// `BaselineExposure` in stops (0 when absent).
    pub fn baseline_exposure(&self) -> f64 {
        self.baseline_exposure
    }

    /// The white point and camera neutral (green = 1) of a white-balance choice.
    pub fn resolve_white(&self, mode: &WhiteBalanceMode) -> Result<([f64; 2], [f64; 3])> {
        match *mode {
            WhiteBalanceMode::AsShot => {
                if let Some(n) = self.as_shot_neutral {
                    Ok((self.model.neutral_to_xy(n)?, n))
                } else if let Some(xy) = self.as_shot_white_xy {
                    Ok((xy, self.model.xy_to_neutral(xy)?))
                } else {
                    Err(Error::DngColor {
                        what: "as-shot white balance".into(),
                        problem: "the DNG has neither AsShotNeutral nor AsShotWhiteXY; give a \
                                  camera neutral or a colour temperature"
                            .into(),
                    })
                }
            }
            WhiteBalanceMode::CameraNeutral(n) => {
                let n = normalise_neutral("white balance camera neutral", n)?;
                Ok((self.model.neutral_to_xy(n)?, n))
            }
            WhiteBalanceMode::Temperature { kelvin, tint } => {
                let xy = temperature_to_xy(Temperature { kelvin, tint })?;
                Ok((xy, self.model.xy_to_neutral(xy)?))
            }
        }
    }

    /// The input transform for a white balance and an exposure offset in stops (plus
    /// `BaselineExposure` when `apply_baseline_exposure`).
    pub fn input_transform(
        &self,
        white_balance: &WhiteBalanceMode,
        exposure_stops: f64,
        apply_baseline_exposure: bool,
    ) -> Result<InputTransform> {
        let stops = exposure_stops
            + if apply_baseline_exposure {
                self.baseline_exposure
            } else {
                0.0
            };
        if !(exposure_stops.is_finite() && stops.abs() <= MAX_EXPOSURE_STOPS) {
            return Err(Error::InvalidInput {
                what: "exposure".into(),
                problem: format!(
                    "{exposure_stops} stops (total {stops}) is outside +-{MAX_EXPOSURE_STOPS}"
                ),
            });
        }
        let (white_xy, camera_neutral) = self.resolve_white(white_balance)?;
        let white_temperature = xy_to_temperature(white_xy)?;
        let camera_to_xyz_d50 = self.model.camera_to_xyz_d50(white_xy, camera_neutral)?;
        let raw = xyz_d50_to_aces()
            .mul(&camera_to_xyz_d50)
            .mul(&Mat3::diagonal(camera_neutral));
        let green = raw.mul_vec([1.0; 3])[1];
        if !(green.is_finite() && green > 0.0) {
            return Err(Error::DngColor {
                what: "camera colour model".into(),
                problem: format!("the white maps to ACES green {green}, not a positive number"),
            });
        }
        let mut camera_to_aces = raw;
        for v in camera_to_aces.0.iter_mut().flatten() {
            *v /= green;
        }
        let gains = camera_neutral.map(|n| (1.0 / n) as f32);
        let white_balance = WhiteBalance::new(gains[0], gains[1], gains[2])?;
        Ok(InputTransform {
            camera_neutral,
            white_xy,
            white_temperature,
            white_balance,
            camera_to_xyz_d50,
            camera_to_aces,
            exposure_stops: stops,
            exposure_gain: stops.exp2(),
        })
    }
}
