//! Unit tests of the DNG colour model: interpolation, white search, both camera -> XYZ paths,
//! the neutral -> ACES white property and bad tags.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::color::gamut::{Adaptation, WhitePoint};
use crate::color::matrix::Mat3;

/// The sample camera's published-style profile (Canon EOS 5D Mark III values, 1/10000).
fn m(v: [i32; 9]) -> Mat3 {
    Mat3([0, 1, 2].map(|r| [0, 1, 2].map(|c| f64::from(v[r * 3 + c]) / 10_000.0)))
}

fn tags() -> CameraColorTags {
    CameraColorTags {
        color_matrix_1: Some(m([7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437])),
        color_matrix_2: Some(m([6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668])),
        forward_matrix_1: Some(m([7868, 92, 1683, 2291, 8615, -906, 27, -4752, 12976])),
        forward_matrix_2: Some(m([7637, 805, 1201, 2649, 9179, -1828, 137, -2456, 10570])),
        calibration_illuminant_1: Some(17),
        calibration_illuminant_2: Some(21),
        as_shot_neutral: Some([0.47, 1.0, 0.66]),
        baseline_exposure: Some(0.5),
        ..CameraColorTags::default()
    }
}

fn without_forward(mut t: CameraColorTags) -> CameraColorTags {
    t.forward_matrix_1 = None;
    t.forward_matrix_2 = None;
    t
}

fn with_calibration(mut t: CameraColorTags) -> CameraColorTags {
    t.camera_calibration_1 = Some(Mat3([
        [1.03, 0.01, 0.0],
        [0.0, 0.98, 0.02],
        [0.0, 0.0, 1.05],
    ]));
    t.camera_calibration_2 = Some(Mat3([
        [1.01, 0.0, 0.0],
        [0.01, 0.99, 0.0],
        [0.0, -0.01, 1.02],
    ]));
    t.analog_balance = Some([1.1, 1.0, 0.9]);
    t
}

fn variants() -> Vec<(&'static str, CameraColorTags)> {
    let mut single = tags();
    single.color_matrix_2 = None;
    single.forward_matrix_2 = None;
    vec![
        ("forward", tags()),
        ("color matrix", without_forward(tags())),
        ("forward + calibration", with_calibration(tags())),
        (
            "color matrix + calibration",
            with_calibration(without_forward(tags())),
        ),
        ("single illuminant", single.clone()),
        ("single illuminant, color matrix", without_forward(single)),
    ]
}

fn modes() -> Vec<WhiteBalanceMode> {
    vec![
        WhiteBalanceMode::AsShot,
        WhiteBalanceMode::CameraNeutral([0.62, 1.0, 0.45]), // tungsten-ish
        WhiteBalanceMode::CameraNeutral([0.40, 1.0, 0.80]), // beyond D65
        WhiteBalanceMode::Temperature {
            kelvin: 4300.0,
            tint: 12.0,
        },
        WhiteBalanceMode::Temperature {
            kelvin: 2000.0,
            tint: -30.0,
        },
        WhiteBalanceMode::Temperature {
            kelvin: 12000.0,
            tint: 0.0,
        },
    ]
}

#[test]
fn a_white_balanced_neutral_develops_to_the_aces_white() {
    for (name, t) in variants() {
        let color = CameraColor::from_tags(&t).unwrap();
        for mode in modes() {
            let it = color.input_transform(&mode, 0.0, false).unwrap();
            // The camera's response to the white, white balanced, is (1, 1, 1) ...
            let wb = it.camera_neutral.map(|n| n / it.camera_neutral[1]);
            let gains = wb.map(|n| 1.0 / n);
            let balanced = [0, 1, 2].map(|c| wb[c] * gains[c]);
            // ... and must come out as ACES R = G = B = 1.
            let aces = it.camera_to_aces.mul_vec(balanced);
            for c in 0..3 {
                assert!((aces[c] - 1.0).abs() < 1e-9, "{name} {mode:?}: {aces:?}");
            }
            // The spec matrix maps the raw neutral to the D50 white direction.
            let xyz = it.camera_to_xyz_d50.mul_vec(it.camera_neutral);
            let white = PCS_WHITE.xyz();
            for c in 0..3 {
                assert!(
                    (xyz[c] / xyz[1] - white[c]).abs() < 1e-9,
                    "{name} {mode:?}: {xyz:?}"
                );
            }
            assert_eq!(it.white_balance.multipliers()[1], 1.0);
        }
    }
}

#[test]
fn interpolation_endpoints_and_inverse_temperature_weights() {
    let t = without_forward(tags());
    let model = DngColorModel::new(&t).unwrap();
    assert_eq!(model.calibration_kelvin(), Some((2850.0, 6500.0)));
    let cm1 = t.color_matrix_1.unwrap();
    let cm2 = t.color_matrix_2.unwrap();
    // At or below illuminant 1's temperature: matrix 1 exactly; at or above 2's: matrix 2.
    for kelvin in [1800.0, 2500.0, 2850.0] {
        let xy = temperature_to_xy(Temperature { kelvin, tint: 0.0 }).unwrap();
        let at = model.at_white(xy).unwrap();
        if xy_to_temperature(xy).unwrap().kelvin <= 2850.0 {
            assert_eq!(at.xyz_to_camera, cm1, "{kelvin}");
            assert_eq!(at.weight_low, 1.0);
        }
    }
    for kelvin in [6500.1, 8000.0, 40000.0] {
        let xy = temperature_to_xy(Temperature { kelvin, tint: 5.0 }).unwrap();
        let at = model.at_white(xy).unwrap();
        assert_eq!(at.xyz_to_camera, cm2, "{kelvin}");
        assert_eq!(at.weight_low, 0.0);
    }
    // In between: linear in 1/T.
    let xy = temperature_to_xy(Temperature {
        kelvin: 4000.0,
        tint: 0.0,
    })
    .unwrap();
    let kelvin = xy_to_temperature(xy).unwrap().kelvin;
    let g = (1.0 / kelvin - 1.0 / 6500.0) / (1.0 / 2850.0 - 1.0 / 6500.0);
    let at = model.at_white(xy).unwrap();
    assert!((at.weight_low - g).abs() < 1e-15);
    for i in 0..3 {
        for j in 0..3 {
            let want = g * cm1.0[i][j] + (1.0 - g) * cm2.0[i][j];
            assert!((at.xyz_to_camera.0[i][j] - want).abs() < 1e-15);
        }
    }
    // Illuminants given in the other order describe the same model.
    let mut swapped = t.clone();
    swapped.color_matrix_1 = t.color_matrix_2;
    swapped.color_matrix_2 = t.color_matrix_1;
    swapped.calibration_illuminant_1 = Some(21);
    swapped.calibration_illuminant_2 = Some(17);
    assert_eq!(DngColorModel::new(&swapped).unwrap(), model);
}

#[test]
fn neutral_and_white_xy_are_inverse() {
    for (name, t) in variants() {
        let model = DngColorModel::new(&t).unwrap();
        for kelvin in [2200.0, 2850.0, 3300.0, 5000.0, 6500.0, 9000.0] {
            let xy = temperature_to_xy(Temperature { kelvin, tint: 8.0 }).unwrap();
            let n = model.xy_to_neutral(xy).unwrap();
            let back = model.neutral_to_xy(n).unwrap();
            assert!(
                (back[0] - xy[0]).abs() < 1e-10,
                "{name} {kelvin}: {back:?} {xy:?}"
            );
            assert!(
                (back[1] - xy[1]).abs() < 1e-10,
                "{name} {kelvin}: {back:?} {xy:?}"
            );
        }
    }
}

#[test]
fn forward_and_color_matrix_paths_agree_for_a_consistent_profile() {
    // A forward matrix derived from the colour matrix at the calibration white (FM = CA * CM^-1 *
    // diag(neutral)) must give the same transform as the colour-matrix path for that white.
    let cm = tags().color_matrix_2.unwrap();
    let d65 = temperature_to_xy(Temperature {
        kelvin: 6500.0,
        tint: 0.0,
    })
    .unwrap();
    let n = cm.mul_vec(WhitePoint(d65).xyz());
    let fm = Adaptation::Bradford
        .matrix(WhitePoint(d65), PCS_WHITE)
        .mul(&cm.inverse().unwrap())
        .mul(&Mat3::diagonal(n));
    let single = |forward: Option<Mat3>| CameraColorTags {
        color_matrix_1: Some(cm),
        forward_matrix_1: forward,
        calibration_illuminant_1: Some(21),
        as_shot_neutral: Some(n),
        ..CameraColorTags::default()
    };
    let a = CameraColor::from_tags(&single(Some(fm))).unwrap();
    let b = CameraColor::from_tags(&single(None)).unwrap();
    assert!(a.model().has_forward_matrix() && !b.model().has_forward_matrix());
    let ta = a
        .input_transform(&WhiteBalanceMode::AsShot, 0.0, true)
        .unwrap();
    let tb = b
        .input_transform(&WhiteBalanceMode::AsShot, 0.0, true)
        .unwrap();
    for i in 0..3 {
        for j in 0..3 {
            let (x, y) = (ta.camera_to_aces.0[i][j], tb.camera_to_aces.0[i][j]);
            assert!((x - y).abs() < 1e-9, "{i}{j}: {x} vs {y}");
        }
    }
    // With identity calibration and balance, the white-balanced forward path is FM itself.
    let fm_path = xyz_d50_to_aces().mul(&fm);
    let g = fm_path.mul_vec([1.0; 3])[1];
    for i in 0..3 {
        for j in 0..3 {
            assert!((ta.camera_to_aces.0[i][j] - fm_path.0[i][j] / g).abs() < 1e-9);
        }
    }
}

#[test]
fn exposure_combines_the_offset_and_the_baseline() {
    let color = CameraColor::from_tags(&tags()).unwrap();
    let it = color
        .input_transform(&WhiteBalanceMode::AsShot, 1.0, true)
        .unwrap();
    assert_eq!(it.exposure_stops, 1.5);
    assert!((it.exposure_gain - 1.5f64.exp2()).abs() < 1e-15);
    let p = it.pixel_matrix();
    assert!((p.0[1][1] - it.camera_to_aces.0[1][1] * it.exposure_gain).abs() < 1e-15);
    let off = color
        .input_transform(&WhiteBalanceMode::AsShot, -2.0, false)
        .unwrap();
    assert_eq!(off.exposure_gain, 0.25);
    for bad in [f64::NAN, 30.0, -25.0] {
        let err = color
            .input_transform(&WhiteBalanceMode::AsShot, bad, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains("exposure"), "{err}");
    }
}

#[test]
fn as_shot_white_xy_is_used_when_there_is_no_neutral() {
    let mut t = tags();
    t.as_shot_neutral = None;
    t.as_shot_white_xy = Some([0.3457, 0.3585]);
    let it = CameraColor::from_tags(&t)
        .unwrap()
        .input_transform(&WhiteBalanceMode::AsShot, 0.0, true)
        .unwrap();
    assert_eq!(it.white_xy, [0.3457, 0.3585]);
    assert!((it.white_temperature.kelvin - 5003.0).abs() < 5.0);
    t.as_shot_white_xy = None;
    let err = CameraColor::from_tags(&t)
        .unwrap()
        .input_transform(&WhiteBalanceMode::AsShot, 0.0, true)
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("neither AsShotNeutral nor AsShotWhiteXY"),
        "{err}"
    );
}

#[test]
fn bad_tags_and_white_balances_are_clear_errors() {
    let check = |t: CameraColorTags, needle: &str| {
        let err = CameraColor::from_tags(&t).unwrap_err().to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    };
    let mut t = tags();
    t.color_matrix_1 = None;
    check(t, "ColorMatrix1: bad DNG colour data: is missing");
    let mut t = tags();
    t.color_matrix_2 = Some(Mat3([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [0.0, 1.0, 1.0]]));
    check(t, "ColorMatrix2: bad DNG colour data: is singular");
    let mut t = tags();
    t.color_matrix_1 = Some(Mat3([
        [f64::NAN, 0.0, 0.0],
        [0.0, 1.0, 0.0],
        [0.0, 0.0, 1.0],
    ]));
    check(t, "not a finite number");
    let mut t = tags();
    t.forward_matrix_1 = Some(Mat3([[-1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]));
    check(t, "ForwardMatrix1: bad DNG colour data: row 1");
    let mut t = tags();
    t.camera_calibration_2 = Some(Mat3([[0.0; 3]; 3]));
    check(t, "CameraCalibration2: bad DNG colour data: is singular");
    for (code, needle) in [(0, "unknown"), (255, "IlluminantData"), (99, "not an EXIF")] {
        let mut t = tags();
        t.calibration_illuminant_2 = Some(code);
        check(t, needle);
    }
    let mut t = tags();
    t.calibration_illuminant_1 = None;
    check(t, "CalibrationIlluminant1: bad DNG colour data: is missing");
    for n in [[0.0, 1.0, 0.5], [-0.5, 1.0, 0.5], [0.5, f64::NAN, 0.5]] {
        let mut t = tags();
        t.as_shot_neutral = Some(n);
        check(t, "AsShotNeutral: bad DNG colour data");
    }
    let mut t = tags();
    t.analog_balance = Some([1.0, 0.0, 1.0]);
    check(t, "AnalogBalance");
    let mut t = tags();
    t.as_shot_white_xy = Some([0.0, 0.0]);
    check(t, "AsShotWhiteXY");
    let mut t = tags();
    t.baseline_exposure = Some(f64::INFINITY);
    check(t, "BaselineExposure");

    let color = CameraColor::from_tags(&tags()).unwrap();
    for (mode, needle) in [
        (
            WhiteBalanceMode::CameraNeutral([1.0, 0.0, 1.0]),
            "camera neutral",
        ),
        (
            WhiteBalanceMode::Temperature {
                kelvin: 500.0,
                tint: 0.0,
            },
            "outside",
        ),
        (
            WhiteBalanceMode::Temperature {
                kelvin: 5000.0,
                tint: f64::NAN,
            },
            "tint",
        ),
    ] {
        let err = color
            .input_transform(&mode, 0.0, true)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    }
}

#[test]
fn tags_come_from_dng_metadata() {
    use crate::inspect::DngMetadata;
    use crate::inspect::ifd::{SRational, URational};
    let sr = |v: &[i32]| -> Option<Vec<SRational>> {
        Some(
            v.iter()
                .map(|&num| SRational { num, den: 10_000 })
                .collect(),
        )
    };
    let ur = |v: &[u32]| -> Option<Vec<URational>> {
        Some(v.iter().map(|&num| URational { num, den: 1000 }).collect())
    };
    let meta = DngMetadata {
        color_matrix_1: sr(&[7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437]),
        color_matrix_2: sr(&[6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668]),
        camera_calibration_1: sr(&[10100, 0, 0, 0, 10000, 0, 0, 0, 9900]),
        camera_calibration_signature: Some("sig A".into()),
        profile_calibration_signature: Some("sig A".into()),
        calibration_illuminant_1: Some(17),
        calibration_illuminant_2: Some(21),
        analog_balance: ur(&[1000, 1000, 1000]),
        as_shot_neutral: ur(&[470, 1000, 660]),
        baseline_exposure: Some(SRational { num: -1, den: 4 }),
        ..DngMetadata::default()
    };
    let t = CameraColorTags::from_dng(&meta).unwrap();
    assert_eq!(t.color_matrix_1.unwrap().0[0][1], -0.1413);
    assert_eq!(t.camera_calibration_1.unwrap().0[2][2], 0.99);
    assert_eq!(t.as_shot_neutral, Some([0.47, 1.0, 0.66]));
    assert_eq!(t.analog_balance, Some([1.0; 3]));
    assert_eq!(t.baseline_exposure, Some(-0.25));
    let color = CameraColor::from_dng(&meta).unwrap();
    assert_eq!(color.baseline_exposure(), -0.25);

    // Calibration made for another profile is ignored.
    let mut other = meta.clone();
    other.profile_calibration_signature = Some("sig B".into());
    assert_eq!(
        CameraColorTags::from_dng(&other)
            .unwrap()
            .camera_calibration_1,
        None
    );

    let mut four = meta.clone();
    four.color_matrix_1 = sr(&[1; 12]);
    let err = CameraColor::from_dng(&four).unwrap_err().to_string();
    assert!(
        err.contains("ColorMatrix1") && err.contains("three-colour"),
        "{err}"
    );
    let mut zero_den = meta.clone();
    zero_den.as_shot_neutral = Some(vec![URational { num: 1, den: 0 }; 3]);
    assert!(CameraColor::from_dng(&zero_den).is_err());
    let mut two = meta;
    two.as_shot_neutral = ur(&[470, 1000]);
    let err = CameraColor::from_dng(&two).unwrap_err().to_string();
    assert!(
        err.contains("AsShotNeutral") && err.contains("needs 3"),
        "{err}"
    );
}
