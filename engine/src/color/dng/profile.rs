//! The colour tags of a DNG camera profile, validated, and the DNG specification's camera model:
//! matrices interpolated between the two calibration illuminants by inverse colour temperature,
//! camera neutral <-> white xy, and camera -> CIE XYZ (D50) with or without forward matrices.

use super::temperature::{illuminant_kelvin, xy_to_temperature};
use crate::color::gamut::{Adaptation, WhitePoint};
use crate::color::matrix::Mat3;
use crate::inspect::DngMetadata;
use crate::inspect::ifd::{SRational, URational};
use crate::{Error, Result};

/// The white of the DNG profile connection space: D50 as the DNG SDK defines it (x 0.3457,
/// y 0.3585).
pub const PCS_WHITE: WhitePoint = WhitePoint([0.3457, 0.3585]);

/// The colour tags of a DNG (or of one of its camera profiles), as numbers.
///
/// Matrices are 3x3, row major, for three-colour cameras; everything absent is `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CameraColorTags {
    /// `ColorMatrix1`: CIE XYZ -> reference camera, under calibration illuminant 1. Required.
    pub color_matrix_1: Option<Mat3>,
    /// `ColorMatrix2`: the same under calibration illuminant 2.
    pub color_matrix_2: Option<Mat3>,
    /// `CameraCalibration1`: reference camera -> this individual camera, under illuminant 1.
    pub camera_calibration_1: Option<Mat3>,
    /// `CameraCalibration2`.
    pub camera_calibration_2: Option<Mat3>,
    /// `ForwardMatrix1`: white-balanced reference camera -> CIE XYZ D50, under illuminant 1.
    pub forward_matrix_1: Option<Mat3>,
    /// `ForwardMatrix2`.
    pub forward_matrix_2: Option<Mat3>,
    /// `CalibrationIlluminant1` (EXIF LightSource code).
    pub calibration_illuminant_1: Option<u16>,
    /// `CalibrationIlluminant2`.
    pub calibration_illuminant_2: Option<u16>,
    /// `AnalogBalance` (one gain per channel; absent means 1, 1, 1).
    pub analog_balance: Option<[f64; 3]>,
    /// `AsShotNeutral`: the camera's response to the scene white.
    pub as_shot_neutral: Option<[f64; 3]>,
    /// `AsShotWhiteXY`: the scene white as CIE xy.
    pub as_shot_white_xy: Option<[f64; 2]>,
    /// `BaselineExposure` in stops (absent means 0).
    pub baseline_exposure: Option<f64>,
}

fn bad(what: &str, problem: impl Into<String>) -> Error {
    Error::DngColor {
        what: what.to_string(),
        problem: problem.into(),
    }
}

fn matrix_from(what: &str, v: &Option<Vec<SRational>>) -> Result<Option<Mat3>> {
    let Some(v) = v else { return Ok(None) };
    if v.len() != 9 {
        return Err(bad(
            what,
            format!(
                "has {} values; only three-colour cameras (9 values) are supported",
                v.len()
            ),
        ));
    }
    let mut m = [[0.0; 3]; 3];
    for (i, r) in v.iter().enumerate() {
        let x = r
            .to_f64()
            .filter(|x| x.is_finite())
            .ok_or_else(|| bad(what, format!("value {} is {}/{}", i + 1, r.num, r.den)))?;
        m[i / 3][i % 3] = x;
    }
    Ok(Some(Mat3(m)))
}

fn vector_from(what: &str, v: &Option<Vec<URational>>) -> Result<Option<[f64; 3]>> {
    let Some(v) = v else { return Ok(None) };
    if v.len() != 3 {
        return Err(bad(
            what,
            format!("has {} values; a three-colour camera needs 3", v.len()),
        ));
    }
    let mut out = [0.0; 3];
    for (o, r) in out.iter_mut().zip(v) {
        *o = r
            .to_f64()
            .ok_or_else(|| bad(what, format!("{}/{} is not a number", r.num, r.den)))?;
    }
    Ok(Some(out))
}

impl CameraColorTags {
    /// The colour tags read from a DNG's metadata.
    ///
    /// `CameraCalibration1/2` are kept only when the file's `CameraCalibrationSignature` equals
    /// the `ProfileCalibrationSignature` (both absent counts as equal), as the DNG specification
    /// says: calibration made against another reference camera must not be applied.
    pub fn from_dng(meta: &DngMetadata) -> Result<CameraColorTags> {
        let calibration_applies =
            meta.camera_calibration_signature == meta.profile_calibration_signature;
        let (cc1, cc2) = if calibration_applies {
            (
                matrix_from("CameraCalibration1", &meta.camera_calibration_1)?,
                matrix_from("CameraCalibration2", &meta.camera_calibration_2)?,
            )
        } else {
            (None, None)
        };
        let xy = match meta.as_shot_white_xy {
            Some([x, y]) => Some([
                x.to_f64()
                    .ok_or_else(|| bad("AsShotWhiteXY", "x has a zero denominator"))?,
                y.to_f64()
                    .ok_or_else(|| bad("AsShotWhiteXY", "y has a zero denominator"))?,
            ]),
            None => None,
        };
        let baseline = match meta.baseline_exposure {
            Some(r) => Some(r.to_f64().ok_or_else(|| {
                bad(
                    "BaselineExposure",
                    format!("{}/{} is not a number", r.num, r.den),
                )
            })?),
            None => None,
        };
        Ok(CameraColorTags {
            color_matrix_1: matrix_from("ColorMatrix1", &meta.color_matrix_1)?,
            color_matrix_2: matrix_from("ColorMatrix2", &meta.color_matrix_2)?,
            camera_calibration_1: cc1,
            camera_calibration_2: cc2,
            forward_matrix_1: matrix_from("ForwardMatrix1", &meta.forward_matrix_1)?,
            forward_matrix_2: matrix_from("ForwardMatrix2", &meta.forward_matrix_2)?,
            calibration_illuminant_1: meta.calibration_illuminant_1,
            calibration_illuminant_2: meta.calibration_illuminant_2,
            analog_balance: vector_from("AnalogBalance", &meta.analog_balance)?,
            as_shot_neutral: vector_from("AsShotNeutral", &meta.as_shot_neutral)?,
            as_shot_white_xy: xy,
            baseline_exposure: baseline,
        })
    }
}

/// One calibration: the matrices measured under one illuminant.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Calibration {
    /// `ColorMatrix`: XYZ -> reference camera.
    color_matrix: Mat3,
    /// `CameraCalibration` (identity when absent): reference camera -> this camera.
    camera_calibration: Mat3,
    /// The forward matrix, normalised so camera (1, 1, 1) maps to the PCS white.
    forward: Option<Mat3>,
}

/// A validated DNG camera colour model: one or two calibrations ordered by temperature.
#[derive(Debug, Clone, PartialEq)]
pub struct DngColorModel {
    /// Calibration at the lower temperature (or the only one).
    low: Calibration,
    /// Calibration at the higher temperature (equal to `low` for a single-illuminant profile).
    high: Calibration,
    /// Temperatures (kelvin) of `low` and `high`; `None` for a single-illuminant profile.
    kelvin: Option<(f64, f64)>,
    /// `AnalogBalance` as a diagonal matrix.
    analog_balance: Mat3,
}

fn check_finite(what: &str, m: &Mat3) -> Result<()> {
    if m.0.iter().flatten().all(|x| x.is_finite()) {
        Ok(())
    } else {
        Err(bad(what, "has a value that is not a finite number"))
    }
}

fn invertible(what: &str, m: &Mat3) -> Result<Mat3> {
    check_finite(what, m)?;
    // A matrix far from singular for its scale: reject near-zero determinants relative to the
    // cube of the largest entry (numerically singular, the inverse would be meaningless).
    let scale = m.0.iter().flatten().fold(0.0f64, |a, x| a.max(x.abs()));
    let det = m.determinant();
    if scale == 0.0 || det.abs() <= 1e-12 * scale * scale * scale {
        return Err(bad(what, "is singular (it has no inverse)"));
    }
    m.inverse()
        .ok_or_else(|| bad(what, "is singular (it has no inverse)"))
}

/// Scales the rows of a forward matrix so that camera (1, 1, 1) maps exactly to the PCS white
/// (the DNG SDK's normalisation; the tags are rounded to 4 decimals when written).
fn normalise_forward(what: &str, fm: &Mat3) -> Result<Mat3> {
    invertible(what, fm)?;
    let sums = fm.mul_vec([1.0; 3]);
    let white = PCS_WHITE.xyz();
    let mut out = *fm;
    for (r, row) in out.0.iter_mut().enumerate() {
        if sums[r].is_nan() || sums[r] <= 0.0 {
            return Err(bad(
                what,
                format!(
                    "row {} maps camera white to {} (not positive)",
                    r + 1,
                    sums[r]
                ),
            ));
        }
        let k = white[r] / sums[r];
        for v in row.iter_mut() {
            *v *= k;
        }
    }
    Ok(out)
}

fn lerp(g: f64, a: &Mat3, b: &Mat3) -> Mat3 {
    if g >= 1.0 {
        return *a;
    }
    if g <= 0.0 {
        return *b;
    }
    let mut out = [[0.0; 3]; 3];
    for (i, row) in out.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = g * a.0[i][j] + (1.0 - g) * b.0[i][j];
        }
    }
    Mat3(out)
}

/// Matrices of the model at one white point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interpolated {
    /// Weight of the low-temperature calibration (1 at or below it, 0 at or above the other).
    pub weight_low: f64,
    /// `AB * CC * CM`: XYZ -> camera raw values.
    pub xyz_to_camera: Mat3,
    /// `AB * CC`: reference camera -> camera raw values.
    pub reference_to_camera: Mat3,
    /// The interpolated forward matrix, when the profile has one.
    pub forward: Option<Mat3>,
}

impl DngColorModel {
    /// Builds the model from the tags: `ColorMatrix1` is required; `ColorMatrix2` makes it a
    /// two-illuminant model, which needs both calibration illuminants to be known light sources
    /// (two equal temperatures fall back to calibration 1 alone, as the DNG SDK does). One forward
    /// matrix alone is used for both calibrations. Singular or non-finite matrices, analog
    /// balances that are not positive and unknown illuminant codes are errors.
    pub fn new(tags: &CameraColorTags) -> Result<DngColorModel> {
        let cm1 = tags
            .color_matrix_1
            .ok_or_else(|| bad("ColorMatrix1", "is missing (a DNG colour profile needs it)"))?;
        let ab = tags.analog_balance.unwrap_or([1.0; 3]);
        if ab.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
            return Err(bad(
                "AnalogBalance",
                format!("{ab:?} has a value that is not finite and positive"),
            ));
        }
        let ab = Mat3::diagonal(ab);
        let fm1 = match &tags.forward_matrix_1 {
            Some(m) => Some(normalise_forward("ForwardMatrix1", m)?),
            None => None,
        };
        let fm2 = match &tags.forward_matrix_2 {
            Some(m) => Some(normalise_forward("ForwardMatrix2", m)?),
            None => None,
        };
        let calibration = |name_cm: &str,
                           cm: &Mat3,
                           name_cc: &str,
                           cc: Option<&Mat3>,
                           fm: Option<Mat3>|
         -> Result<Calibration> {
            invertible(name_cm, cm)?;
            let cc = cc.copied().unwrap_or(Mat3::IDENTITY);
            invertible(name_cc, &cc)?;
            invertible(
                &format!("{name_cm} with calibration and analog balance"),
                &ab.mul(&cc).mul(cm),
            )?;
            Ok(Calibration {
                color_matrix: *cm,
                camera_calibration: cc,
                forward: fm,
            })
        };
        let one = calibration(
            "ColorMatrix1",
            &cm1,
            "CameraCalibration1",
            tags.camera_calibration_1.as_ref(),
            fm1.or(fm2),
        )?;
        let Some(cm2) = tags.color_matrix_2 else {
            return Ok(DngColorModel {
                low: one,
                high: one,
                kelvin: None,
                analog_balance: ab,
            });
        };
        let illuminant = |what: &str, code: Option<u16>| -> Result<f64> {
            let code = code
                .ok_or_else(|| bad(what, "is missing but the profile has two colour matrices"))?;
            illuminant_kelvin(code).map_err(|e| bad(what, e.to_string()))
        };
        let t1 = illuminant("CalibrationIlluminant1", tags.calibration_illuminant_1)?;
        let t2 = illuminant("CalibrationIlluminant2", tags.calibration_illuminant_2)?;
        if t1 == t2 {
            return Ok(DngColorModel {
                low: one,
                high: one,
                kelvin: None,
                analog_balance: ab,
            });
        }
        let two = calibration(
            "ColorMatrix2",
            &cm2,
            "CameraCalibration2",
            tags.camera_calibration_2.as_ref(),
            fm2.or(fm1),
        )?;
        Ok(if t1 < t2 {
            DngColorModel {
                low: one,
                high: two,
                kelvin: Some((t1, t2)),
                analog_balance: ab,
            }
        } else {
            DngColorModel {
                low: two,
                high: one,
                kelvin: Some((t2, t1)),
                analog_balance: ab,
            }
        })
    }

    /// Whether the profile has forward matrices (the spec's forward-matrix path is used).
    pub fn has_forward_matrix(&self) -> bool {
        self.low.forward.is_some()
    }

    /// The temperatures (kelvin) of the two calibrations, lower first; `None` for one.
    pub fn calibration_kelvin(&self) -> Option<(f64, f64)> {
        self.kelvin
    }

    /// The model's matrices for the white `xy`: weight by inverse colour temperature between
    /// the two calibrations, the nearest one alone outside their range (DNG spec chapter 6).
    pub fn at_white(&self, xy: [f64; 2]) -> Result<Interpolated> {
        let weight_low = match self.kelvin {
            None => 1.0,
            Some((t_low, t_high)) => {
                let t = xy_to_temperature(xy)?.kelvin;
                if t <= t_low {
                    1.0
                } else if t >= t_high {
                    0.0
                } else {
                    (1.0 / t - 1.0 / t_high) / (1.0 / t_low - 1.0 / t_high)
                }
            }
        };
        let (a, b) = (&self.low, &self.high);
        let forward = match (a.forward, b.forward) {
            (Some(fa), Some(fb)) => Some(lerp(weight_low, &fa, &fb)),
            _ => None,
        };
        // DNG spec chapter 6: CM and CC are interpolated each on its own, then
        // XYZtoCamera = AB * CC * CM. (The DNG SDK interpolates the product AB * CC * CM instead;
        // the two differ only when CameraCalibration1 and 2 differ and the white lies between.)
        let cm = lerp(weight_low, &a.color_matrix, &b.color_matrix);
        let cc = lerp(weight_low, &a.camera_calibration, &b.camera_calibration);
        let reference_to_camera = self.analog_balance.mul(&cc);
        Ok(Interpolated {
            weight_low,
            xyz_to_camera: reference_to_camera.mul(&cm),
            reference_to_camera,
            forward,
        })
    }

    /// The camera neutral of the white `xy`: the camera's raw response to that white
    /// (`XYZtoCamera * XYZ(xy)`), scaled so green is 1. Errors when a channel is not positive
    /// (the white lies outside what this camera model can represent).
    pub fn xy_to_neutral(&self, xy: [f64; 2]) -> Result<[f64; 3]> {
        let m = self.at_white(xy)?;
        let n = m.xyz_to_camera.mul_vec(WhitePoint(xy).xyz());
        normalise_neutral("camera neutral of the white point", n)
    }

    /// The white xy whose camera neutral is `neutral` (DNG spec: iterate from D50, each time
    /// inverting the `XYZtoCamera` matrix interpolated for the previous estimate, until the
    /// estimate moves by less than 1e-12; a two-value oscillation is averaged after 100 passes,
    /// as the DNG SDK does after 30).
    pub fn neutral_to_xy(&self, neutral: [f64; 3]) -> Result<[f64; 2]> {
        let neutral = normalise_neutral("camera neutral", neutral)?;
        const MAX_PASSES: usize = 100;
        let mut last = PCS_WHITE.0;
        for pass in 0..MAX_PASSES {
            let m = self.at_white(last)?;
            let inv = invertible("interpolated XYZ-to-camera matrix", &m.xyz_to_camera)?;
            let xyz = inv.mul_vec(neutral);
            let sum = xyz[0] + xyz[1] + xyz[2];
            let mut next = [xyz[0] / sum, xyz[1] / sum];
            if !(sum.is_finite() && sum > 0.0 && next[0] > 0.0 && next[1] > 0.0) {
                return Err(bad(
                    "camera neutral",
                    format!("{neutral:?} maps to no valid white (XYZ {xyz:?})"),
                ));
            }
            if (next[0] - last[0]).abs() + (next[1] - last[1]).abs() < 1e-12 {
                return Ok(next);
            }
            if pass == MAX_PASSES - 1 {
                next = [(next[0] + last[0]) * 0.5, (next[1] + last[1]) * 0.5];
            }
            last = next;
        }
        Ok(last)
    }

    /// The spec's camera -> CIE XYZ (D50) matrix for raw (not white-balanced) camera values,
    /// given the white `xy` and its camera `neutral` (green = 1).
    ///
    /// With forward matrices: `FM * inverse(diag(ReferenceNeutral)) * inverse(AB * CC)` where
    /// `ReferenceNeutral = inverse(AB * CC) * neutral`. Without: `CA * inverse(AB * CC * CM)`,
    /// `CA` the linear Bradford adaptation from the white to D50.
    pub fn camera_to_xyz_d50(&self, xy: [f64; 2], neutral: [f64; 3]) -> Result<Mat3> {
        let m = self.at_white(xy)?;
        match m.forward {
            Some(fm) => {
                let individual_to_reference =
                    invertible("AnalogBalance * CameraCalibration", &m.reference_to_camera)?;
                let reference = individual_to_reference.mul_vec(neutral);
                if reference.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
                    return Err(bad(
                        "camera neutral",
                        format!(
                            "{neutral:?} gives the reference neutral {reference:?} (not positive)"
                        ),
                    ));
                }
                let d = Mat3::diagonal(reference.map(|v| 1.0 / v));
                Ok(fm.mul(&d).mul(&individual_to_reference))
            }
            None => {
                let camera_to_xyz =
                    invertible("interpolated XYZ-to-camera matrix", &m.xyz_to_camera)?;
                let ca = Adaptation::Bradford.matrix(WhitePoint(xy), PCS_WHITE);
                Ok(ca.mul(&camera_to_xyz))
            }
        }
    }
}

/// Checks a camera neutral (finite, every channel positive) and scales it so green is 1.
pub(crate) fn normalise_neutral(what: &str, n: [f64; 3]) -> Result<[f64; 3]> {
    if n.iter().any(|v| !(v.is_finite() && *v > 0.0)) {
        return Err(bad(
            what,
            format!("{n:?} has a value that is not finite and positive"),
        ));
    }
    let g = n[1];
    Ok([n[0] / g, 1.0, n[2] / g])
}
