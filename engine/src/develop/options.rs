//! The options of a raw development (demosaic method, exposure, white balance), serialisable for
//! the debayer step's events and the CLI, with slots for the framing and look applied later.

use serde::{Deserialize, Serialize};

use crate::color::dng::WhiteBalanceMode;
use crate::color::dng::transform::MAX_EXPOSURE_STOPS;
use crate::demosaic::DemosaicMethod;
use crate::{Error, Result};

/// An ASC FDL framing decision to crop the developed image to (carried, not applied here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FdlFraming {
    /// Where the FDL document is (an object key or a path, as the caller resolves it).
    pub fdl: String,
    /// The framing decision's id; `None` means the FDL's default context and decision.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub framing_decision: Option<String>,
    /// The canvas template to apply, by id; `None` means crop to the decision only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canvas_template: Option<String>,
}

/// An ACES Metadata File whose look (CDL, LMTs) applies to the plate (carried, not applied here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AmfLook {
    /// Where the AMF document is (an object key or a path, as the caller resolves it).
    pub amf: String,
}

/// How to develop a raw frame. Every field has a default, so `{}` is a valid document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DevelopOptions {
    /// Demosaicing algorithm: `rcd` (default), `mhc` or `bilinear`.
    #[serde(with = "method_name")]
    pub demosaic: DemosaicMethod,
    /// Exposure offset in stops, added to `BaselineExposure` (when applied).
    pub exposure_stops: f64,
    /// The white balance: as shot (default), a camera neutral or a temperature and tint.
    pub white_balance: WhiteBalanceMode,
    /// Whether the DNG's `BaselineExposure` is applied (default true).
    pub apply_baseline_exposure: bool,
    /// A framing (crop) that a later stage applies; developing ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub framing: Option<FdlFraming>,
    /// A look that a later stage applies; developing ignores it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub look: Option<AmfLook>,
}

impl Default for DevelopOptions {
    fn default() -> Self {
        DevelopOptions {
            demosaic: DemosaicMethod::Rcd,
            exposure_stops: 0.0,
            white_balance: WhiteBalanceMode::AsShot,
            apply_baseline_exposure: true,
            framing: None,
            look: None,
        }
    }
}

impl DevelopOptions {
    /// Checks the values that need no camera to check (exposure range, white-balance numbers).
    pub fn validate(&self) -> Result<()> {
        if !(self.exposure_stops.is_finite() && self.exposure_stops.abs() <= MAX_EXPOSURE_STOPS) {
            return Err(Error::InvalidInput {
                what: "develop options: exposure_stops".into(),
                problem: format!(
                    "{} is not a number of stops within +-{MAX_EXPOSURE_STOPS}",
                    self.exposure_stops
                ),
            });
        }
        match self.white_balance {
            WhiteBalanceMode::AsShot => {}
            WhiteBalanceMode::CameraNeutral(n) => {
                if n.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(Error::InvalidInput {
                        what: "develop options: white_balance.camera_neutral".into(),
                        problem: format!("{n:?} has a value that is not finite and positive"),
                    });
                }
            }
            WhiteBalanceMode::Temperature { kelvin, tint } => {
                crate::color::dng::temperature_to_xy(crate::color::dng::Temperature {
                    kelvin,
                    tint,
                })
                .map_err(|e| Error::InvalidInput {
                    what: "develop options: white_balance.temperature".into(),
                    problem: e.to_string(),
                })?;
            }
        }
        Ok(())
    }
}

/// (De)serialises a [`DemosaicMethod`] by its short name.
mod method_name {
    use serde::{Deserialize, Deserializer, Serializer};

    use crate::demosaic::DemosaicMethod;

    pub fn serialize<S: Serializer>(m: &DemosaicMethod, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(m.name())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DemosaicMethod, D::Error> {
        let name = String::deserialize(d)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}
