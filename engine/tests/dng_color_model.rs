//! Conformance of the DNG colour model (DNG spec chapter 6) and the camera -> ACES2065-1 input
//! transform with an independent computation by colour-hdri's Adobe DNG model and colour-science
//! (engine/tests/dng_color_ref/dng_model.py), from the same tags: white xy, colour temperature
//! and tint, camera neutral, camera -> XYZ (D50) and white-balanced camera -> ACES2065-1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::color::Mat3;
use rushes_engine::color::dng::{
    CameraColor, CameraColorTags, InputTransform, Temperature, WhiteBalanceMode, illuminant_kelvin,
    temperature_to_xy,
};
use rushes_engine::inspect::read_dng_metadata_from_bytes;
use rushes_engine::sample::{CardPlan, CardSpec, write_dng};
use rushes_test_support::{ref_python, run_python, skip, workspace_root};
use serde_json::{Value, json};

fn m(v: [i32; 9]) -> Mat3 {
    Mat3([0, 1, 2].map(|r| [0, 1, 2].map(|c| f64::from(v[r * 3 + c]) / 10_000.0)))
}

fn mf(v: [[f64; 3]; 3]) -> Mat3 {
    Mat3(v)
}

/// A camera profile with two calibrations (illuminant codes) and optional forward matrices.
fn profile(cm1: Mat3, cm2: Mat3, fm: Option<(Mat3, Mat3)>, ill: (u16, u16)) -> CameraColorTags {
    CameraColorTags {
        color_matrix_1: Some(cm1),
        color_matrix_2: Some(cm2),
        forward_matrix_1: fm.map(|f| f.0),
        forward_matrix_2: fm.map(|f| f.1),
        calibration_illuminant_1: Some(ill.0),
        calibration_illuminant_2: Some(ill.1),
        ..CameraColorTags::default()
    }
}

/// Camera profiles: the Canon EOS 5D Mark II matrices quoted in colour-hdri's documentation,
/// colour matrices modelled on Adobe's published D65 matrices for a Sony and a Nikon body (their
/// StdA matrices and the forward matrices are plausible inventions), and the sample card's.
fn profiles() -> Vec<(&'static str, CameraColorTags)> {
    let cm5d1 = mf([
        [0.5309, -0.0229, -0.0336],
        [-0.6241, 1.3265, 0.3337],
        [-0.0817, 0.1215, 0.6664],
    ]);
    let cm5d2 = mf([
        [0.4716, 0.0603, -0.0830],
        [-0.7798, 1.5474, 0.2480],
        [-0.1496, 0.1937, 0.6651],
    ]);
    let fm5d = mf([
        [0.8924, -0.1041, 0.1760],
        [0.4351, 0.6621, -0.0972],
        [0.0505, -0.1562, 0.9308],
    ]);
    let sony1 = m([7600, -2700, -400, -5200, 12800, 2700, -700, 1500, 7400]);
    let sony2 = m([7374, -2389, -551, -5435, 13162, 2519, -1006, 1795, 6552]);
    let sony_fm1 = m([6600, 2100, 950, 2300, 8600, -900, 100, -2400, 10550]);
    let sony_fm2 = m([6450, 2600, 600, 2600, 9100, -1700, 200, -1400, 9450]);
    let nikon1 = m([10800, -4300, -900, -5000, 13000, 2200, -700, 1600, 7900]);
    let nikon2 = m([10405, -3755, -1270, -5461, 13787, 1793, -1040, 2015, 6785]);
    let canon3_1 = m([7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437]);
    let canon3_2 = m([6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668]);
    let canon3_fm1 = m([7868, 92, 1683, 2291, 8615, -906, 27, -4752, 12976]);
    let canon3_fm2 = m([7637, 805, 1201, 2649, 9179, -1828, 137, -2456, 10570]);

    let mut out = vec![
        (
            "5D Mark II, colour matrices",
            profile(cm5d1, cm5d2, None, (17, 21)),
        ),
        (
            "5D Mark II, forward matrix",
            profile(cm5d1, cm5d2, Some((fm5d, fm5d)), (17, 21)),
        ),
        (
            "Sony-like, forward matrices",
            profile(sony1, sony2, Some((sony_fm1, sony_fm2)), (17, 21)),
        ),
        (
            "Sony-like, colour matrices",
            profile(sony1, sony2, None, (17, 21)),
        ),
        (
            "Nikon-like, D55 + StdA listed D55 first",
            profile(nikon2, nikon1, None, (20, 17)),
        ),
        (
            "Nikon-like, cool white fluorescent + D65",
            profile(nikon1, nikon2, None, (14, 21)),
        ),
        (
            "5D Mark III, illuminants listed D65 first",
            profile(canon3_2, canon3_1, Some((canon3_fm2, canon3_fm1)), (21, 17)),
        ),
    ];
    let mut single = profile(nikon2, nikon2, None, (21, 21));
    single.color_matrix_2 = None;
    single.calibration_illuminant_2 = None;
    out.push(("Nikon-like, one illuminant (D65)", single.clone()));
    let mut single_fm = single;
    single_fm.forward_matrix_1 = Some(sony_fm2);
    out.push(("one illuminant with a forward matrix", single_fm));
    let mut one_fm = profile(sony1, sony2, None, (17, 21));
    one_fm.forward_matrix_2 = Some(sony_fm2);
    out.push(("Sony-like, ForwardMatrix2 only", one_fm));
    let calibrated = |mut t: CameraColorTags| {
        t.camera_calibration_1 = Some(mf([
            [1.032, 0.004, -0.01],
            [0.0, 0.981, 0.012],
            [0.003, 0.0, 1.047],
        ]));
        t.camera_calibration_2 = Some(mf([
            [1.012, 0.0, 0.0],
            [0.011, 0.993, 0.0],
            [0.0, -0.008, 1.021],
        ]));
        t.analog_balance = Some([1.12, 1.0, 0.94]);
        t
    };
    out.push((
        "5D Mark II + CameraCalibration + AnalogBalance, colour matrices",
        calibrated(profile(cm5d1, cm5d2, None, (17, 21))),
    ));
    out.push((
        "Sony-like + CameraCalibration + AnalogBalance, forward matrices",
        calibrated(profile(sony1, sony2, Some((sony_fm1, sony_fm2)), (17, 21))),
    ));
    out
}

fn kelvin_xy(kelvin: f64, tint: f64) -> [f64; 2] {
    temperature_to_xy(Temperature { kelvin, tint }).unwrap()
}

/// White-balance choices for a profile: camera neutrals at each calibration illuminant, between
/// them and outside both; a white xy; temperatures with tint.
fn modes(tags: &CameraColorTags) -> Vec<(String, WhiteBalanceMode)> {
    let color = CameraColor::from_tags(tags).unwrap();
    let mut out = Vec::new();
    let mut temps: Vec<f64> = [tags.calibration_illuminant_1, tags.calibration_illuminant_2]
        .into_iter()
        .flatten()
        .filter_map(|c| illuminant_kelvin(c).ok())
        .collect();
    temps.extend([2000.0, 3300.0, 4400.0, 5600.0, 12000.0]);
    for (i, k) in temps.iter().enumerate() {
        let tint = [0.0, 0.0, 0.0, 6.0, -9.0, 14.0, 3.0][i % 7];
        let n = color.model().xy_to_neutral(kelvin_xy(*k, tint)).unwrap();
        out.push((
            format!("neutral at {k} K"),
            WhiteBalanceMode::CameraNeutral(n),
        ));
    }
    out.push((
        "odd camera neutral".into(),
        WhiteBalanceMode::CameraNeutral([0.55, 1.0, 0.62]),
    ));
    out.push((
        "temperature 3900 K tint 20".into(),
        WhiteBalanceMode::Temperature {
            kelvin: 3900.0,
            tint: 20.0,
        },
    ));
    out.push((
        "temperature 7100 K tint -12".into(),
        WhiteBalanceMode::Temperature {
            kelvin: 7100.0,
            tint: -12.0,
        },
    ));
    out
}

fn mat_json(m: &Option<Mat3>) -> Value {
    match m {
        Some(m) => json!(m.0),
        None => Value::Null,
    }
}

fn case_json(name: &str, tags: &CameraColorTags, mode: &WhiteBalanceMode, xy: [f64; 2]) -> Value {
    let cct = |c: Option<u16>| c.and_then(|c| illuminant_kelvin(c).ok());
    let mode = match *mode {
        WhiteBalanceMode::CameraNeutral(n) => json!({ "neutral": n }),
        WhiteBalanceMode::Temperature { kelvin, tint } => json!({ "kelvin": kelvin, "tint": tint }),
        // An as-shot white given as xy (AsShotWhiteXY).
        WhiteBalanceMode::AsShot => json!({ "xy": xy }),
    };
    json!({
        "name": name,
        "cm1": mat_json(&tags.color_matrix_1),
        "cm2": mat_json(&tags.color_matrix_2),
        "cc1": mat_json(&tags.camera_calibration_1),
        "cc2": mat_json(&tags.camera_calibration_2),
        "fm1": mat_json(&tags.forward_matrix_1),
        "fm2": mat_json(&tags.forward_matrix_2),
        "ab": tags.analog_balance,
        "cct1": cct(tags.calibration_illuminant_1),
        "cct2": cct(tags.calibration_illuminant_2),
        "mode": mode,
    })
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap()
}

fn max_diff(ours: &Mat3, theirs: &Value) -> f64 {
    let mut worst = 0.0f64;
    for i in 0..3 {
        for j in 0..3 {
            worst = worst.max((ours.0[i][j] - f(&theirs[i][j])).abs());
        }
    }
    worst
}

/// Runs the reference on `cases` and asserts agreement; returns the worst matrix difference.
fn check(test: &str, cases: Vec<(String, CameraColorTags, WhiteBalanceMode)>) -> Option<f64> {
    let Some(python) = ref_python() else {
        skip(test, "reference venv python not installed");
        return None;
    };
    let mut ours: Vec<InputTransform> = Vec::new();
    let mut request = Vec::new();
    for (name, tags, mode) in &cases {
        let it = CameraColor::from_tags(tags)
            .unwrap()
            .input_transform(mode, 0.0, false)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        request.push(case_json(name, tags, mode, it.white_xy));
        ours.push(it);
    }
    let script = workspace_root().join("engine/tests/dng_color_ref/dng_model.py");
    let out = run_python(
        &python,
        &script,
        &[],
        serde_json::to_vec(&Value::Array(request)).unwrap(),
    );
    let theirs: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(theirs.len(), cases.len());
    let mut worst = 0.0f64;
    for ((name, _, mode), (it, r)) in cases.iter().zip(ours.iter().zip(&theirs)) {
        let what = format!("{name} / {mode:?}");
        for c in 0..2 {
            let d = (it.white_xy[c] - f(&r["xy"][c])).abs();
            assert!(
                d < 1e-9,
                "{what}: white xy {:?} vs {}",
                it.white_xy,
                r["xy"]
            );
        }
        for c in 0..3 {
            let d = (it.camera_neutral[c] - f(&r["neutral"][c])).abs();
            assert!(
                d < 1e-9,
                "{what}: neutral {:?} vs {}",
                it.camera_neutral,
                r["neutral"]
            );
        }
        let dk = (it.white_temperature.kelvin - f(&r["kelvin"])).abs();
        assert!(dk < 1e-6 * it.white_temperature.kelvin, "{what}: {dk} K");
        let dt = (it.white_temperature.tint - f(&r["tint"])).abs();
        assert!(dt < 1e-6, "{what}: tint {dt}");
        let dx = max_diff(&it.camera_to_xyz_d50, &r["camera_to_xyz_d50"]);
        let da = max_diff(&it.camera_to_aces, &r["camera_to_aces"]);
        assert!(dx < 1e-6, "{what}: camera->XYZ differs by {dx}");
        assert!(da < 1e-6, "{what}: camera->ACES differs by {da}");
        worst = worst.max(dx).max(da);
    }
    eprintln!(
        "{test}: {} cases, worst matrix difference {worst:e}",
        cases.len()
    );
    Some(worst)
}

#[test]
fn camera_profiles_agree_with_colour_hdri() {
    let mut cases = Vec::new();
    for (name, tags) in profiles() {
        for (mode_name, mode) in modes(&tags) {
            cases.push((format!("{name}: {mode_name}"), tags.clone(), mode));
        }
        // The as-shot white given as AsShotWhiteXY.
        let mut xy_tags = tags.clone();
        xy_tags.as_shot_white_xy = Some(kelvin_xy(4800.0, 4.0));
        cases.push((
            format!("{name}: AsShotWhiteXY"),
            xy_tags,
            WhiteBalanceMode::AsShot,
        ));
    }
    assert!(cases.len() > 100);
    check("camera_profiles_agree_with_colour_hdri", cases);
}

#[test]
fn sample_card_dngs_agree_with_colour_hdri() {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let mut cases = Vec::new();
    for roll in &plan.camera_rolls {
        for clip in &roll.clips {
            let mut bytes = Vec::new();
            write_dng(clip, 0, 1, &mut bytes).unwrap();
            let meta = read_dng_metadata_from_bytes(&bytes, &clip.frame_file_name(0)).unwrap();
            let tags = CameraColorTags::from_dng(&meta).unwrap();
            let neutral = tags.as_shot_neutral.unwrap();
            cases.push((
                format!("{} as shot", clip.clip_name),
                tags.clone(),
                WhiteBalanceMode::CameraNeutral(neutral),
            ));
            // As shot through CameraColor::from_dng must be the same transform.
            let direct = CameraColor::from_dng(&meta)
                .unwrap()
                .input_transform(&WhiteBalanceMode::AsShot, 0.0, false)
                .unwrap();
            let via = CameraColor::from_tags(&tags)
                .unwrap()
                .input_transform(&WhiteBalanceMode::CameraNeutral(neutral), 0.0, false)
                .unwrap();
            assert_eq!(direct.camera_to_aces, via.camera_to_aces);
        }
    }
    assert!(cases.len() >= 2);
    check("sample_card_dngs_agree_with_colour_hdri", cases);
}
