//! Tests of the development pass: a synthetic scene of known ACES colours mosaicked through the
//! inverse transform develops back to them; thread-count independence; options and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::color::dng::{CameraColor, CameraColorTags, WhiteBalanceMode};
use crate::color::matrix::Mat3;
use crate::demosaic::DemosaicMethod;
use crate::raw::{BayerPhase, CfaImage, ImageLimits, RgbImage};

fn m(v: [i32; 9]) -> Mat3 {
    Mat3([0, 1, 2].map(|r| [0, 1, 2].map(|c| f64::from(v[r * 3 + c]) / 10_000.0)))
}

fn camera() -> CameraColor {
    CameraColor::from_tags(&CameraColorTags {
        color_matrix_1: Some(m([7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437])),
        color_matrix_2: Some(m([6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668])),
        forward_matrix_1: Some(m([7868, 92, 1683, 2291, 8615, -906, 27, -4752, 12976])),
        forward_matrix_2: Some(m([7637, 805, 1201, 2649, 9179, -1828, 137, -2456, 10570])),
        calibration_illuminant_1: Some(17),
        calibration_illuminant_2: Some(21),
        as_shot_neutral: Some([0.52, 1.0, 0.61]),
        baseline_exposure: Some(0.25),
        ..CameraColorTags::default()
    })
    .unwrap()
}

const PATCH: usize = 24;
const COLS: usize = 4;
const ROWS: usize = 3;

/// ACES2065-1 colours of the patches: greys and moderate colours a camera can record.
fn patch_colours() -> Vec<[f64; 3]> {
    vec![
        [0.18, 0.18, 0.18],
        [0.05, 0.05, 0.05],
        [0.6, 0.6, 0.6],
        [0.30, 0.20, 0.15],
        [0.12, 0.20, 0.10],
        [0.15, 0.17, 0.30],
        [0.40, 0.32, 0.12],
        [0.22, 0.12, 0.20],
        [0.10, 0.20, 0.22],
        [0.35, 0.28, 0.26],
        [0.08, 0.10, 0.16],
        [0.25, 0.25, 0.12],
    ]
}

/// The scene mosaicked by a camera whose development is `options`: each patch's ACES colour
/// through the inverse pixel matrix and the inverse white balance, sampled per Bayer site.
fn scene(phase: BayerPhase, options: &DevelopOptions) -> CfaImage {
    let it = camera()
        .input_transform(&options.white_balance, options.exposure_stops, true)
        .unwrap();
    let inv = it.pixel_matrix().inverse().unwrap();
    let gains = it.white_balance.multipliers();
    let raw: Vec<[f64; 3]> = patch_colours()
        .iter()
        .map(|aces| {
            let balanced = inv.mul_vec(*aces);
            let raw = [0, 1, 2].map(|c| balanced[c] / f64::from(gains[c]));
            assert!(
                raw.iter().all(|v| *v > 0.0 && *v < 1.0),
                "{aces:?} -> {raw:?}"
            );
            raw
        })
        .collect();
    let (w, h) = (PATCH * COLS, PATCH * ROWS);
    let mut cfa = CfaImage::new(w, h, phase, &ImageLimits::default()).unwrap();
    for y in 0..h {
        for (x, v) in cfa.row_mut(y).iter_mut().enumerate() {
            let p = (y / PATCH) * COLS + x / PATCH;
            *v = raw[p][phase.color_at(x, y).channel()] as f32;
        }
    }
    cfa
}

/// Largest relative error over the patch interiors (a margin of 6 pixels left out).
fn worst_patch_error(img: &RgbImage) -> f64 {
    let colours = patch_colours();
    let mut worst = 0.0f64;
    for y in 0..img.height() {
        for x in 0..img.width() {
            let (px, py) = (x % PATCH, y % PATCH);
            if !(6..PATCH - 6).contains(&px) || !(6..PATCH - 6).contains(&py) {
                continue;
            }
            let want = colours[(y / PATCH) * COLS + x / PATCH];
            let got = img.pixel(x, y).unwrap();
            for c in 0..3 {
                worst = worst.max((f64::from(got[c]) - want[c]).abs() / want[c]);
            }
        }
    }
    worst
}

#[test]
fn a_synthetic_scene_develops_back_to_its_aces_colours() {
    let modes = [
        WhiteBalanceMode::AsShot,
        WhiteBalanceMode::Temperature {
            kelvin: 3400.0,
            tint: 5.0,
        },
    ];
    for phase in BayerPhase::ALL {
        for method in DemosaicMethod::ALL {
            for (i, white_balance) in modes.iter().enumerate() {
                let options = DevelopOptions {
                    demosaic: method,
                    exposure_stops: [0.0, -0.5][i],
                    white_balance: *white_balance,
                    ..DevelopOptions::default()
                };
                let cfa = scene(phase, &options);
                let img = develop_cfa(&cfa, &camera(), &options).unwrap();
                assert_eq!((img.width(), img.height()), (cfa.width(), cfa.height()));
                let err = worst_patch_error(&img);
                assert!(err < 1e-4, "{phase} {method} {white_balance:?}: {err}");
            }
        }
    }
}

#[test]
fn a_neutral_patch_comes_out_grey_and_exposure_scales_it() {
    let options = DevelopOptions::default();
    let cfa = scene(BayerPhase::Rggb, &options);
    let img = develop_cfa(&cfa, &camera(), &options).unwrap();
    let grey = img.pixel(12, 12).unwrap();
    assert!(
        (grey[0] - grey[1]).abs() < 1e-5 && (grey[2] - grey[1]).abs() < 1e-5,
        "{grey:?}"
    );
    let brighter = DevelopOptions {
        exposure_stops: 1.0,
        ..options.clone()
    };
    let img2 = develop_cfa(&cfa, &camera(), &brighter).unwrap();
    let g2 = img2.pixel(12, 12).unwrap();
    assert!((g2[1] / grey[1] - 2.0).abs() < 1e-5, "{g2:?} {grey:?}");
    let no_baseline = DevelopOptions {
        apply_baseline_exposure: false,
        ..options
    };
    let img3 = develop_cfa(&cfa, &camera(), &no_baseline).unwrap();
    let g3 = img3.pixel(12, 12).unwrap();
    assert!((grey[1] / g3[1] - 0.25f32.exp2()).abs() < 1e-5);
}

#[test]
fn output_is_identical_on_one_and_two_threads() {
    let options = DevelopOptions::default();
    // Larger than one demosaic tile and not a multiple of it, with texture in every patch.
    let mut cfa = CfaImage::new(530, 301, BayerPhase::Gbrg, &ImageLimits::default()).unwrap();
    let mut s = 0x2545_F491_4F6C_DD1Du64;
    for y in 0..301 {
        for v in cfa.row_mut(y) {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            *v = (s >> 40) as f32 / (1u64 << 24) as f32;
        }
    }
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| develop_cfa(&cfa, &camera(), &options).unwrap())
    };
    let (one, two) = (run(1), run(2));
    for c in 0..3 {
        let same = one
            .plane(c)
            .iter()
            .zip(two.plane(c))
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "plane {c} differs between 1 and 2 threads");
    }
}

#[test]
fn options_round_trip_as_json_and_bad_values_are_refused() {
    let empty: DevelopOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(empty, DevelopOptions::default());
    assert!(empty.apply_baseline_exposure);
    let full = DevelopOptions {
        demosaic: DemosaicMethod::MalvarHeCutler,
        exposure_stops: -1.5,
        white_balance: WhiteBalanceMode::Temperature {
            kelvin: 5600.0,
            tint: -3.0,
        },
        apply_baseline_exposure: false,
        framing: Some(FdlFraming {
            fdl: "pulls/A001.fdl".into(),
            framing_decision: Some("20220310.FDL.DECISION".into()),
            canvas_template: None,
        }),
        look: Some(AmfLook {
            amf: "pulls/A001.amf".into(),
        }),
    };
    let json = serde_json::to_value(&full).unwrap();
    assert_eq!(json["demosaic"], "mhc");
    assert_eq!(json["white_balance"]["temperature"]["kelvin"], 5600.0);
    assert_eq!(
        serde_json::from_value::<DevelopOptions>(json).unwrap(),
        full
    );
    let neutral: DevelopOptions =
        serde_json::from_str(r#"{"white_balance": {"camera_neutral": [0.5, 1, 0.7]}}"#).unwrap();
    assert_eq!(
        neutral.white_balance,
        WhiteBalanceMode::CameraNeutral([0.5, 1.0, 0.7])
    );
    for bad in [
        r#"{"demosaic": "ahd"}"#,
        r#"{"exposure": 1}"#,
        r#"{"white_balance": "auto"}"#,
    ] {
        assert!(
            serde_json::from_str::<DevelopOptions>(bad).is_err(),
            "{bad}"
        );
    }
    let cfa = CfaImage::new(8, 8, BayerPhase::Rggb, &ImageLimits::default()).unwrap();
    for (options, needle) in [
        (
            DevelopOptions {
                exposure_stops: f64::NAN,
                ..DevelopOptions::default()
            },
            "exposure_stops",
        ),
        (
            DevelopOptions {
                white_balance: WhiteBalanceMode::CameraNeutral([1.0, -1.0, 1.0]),
                ..DevelopOptions::default()
            },
            "camera_neutral",
        ),
        (
            DevelopOptions {
                white_balance: WhiteBalanceMode::Temperature {
                    kelvin: 0.0,
                    tint: 0.0,
                },
                ..DevelopOptions::default()
            },
            "temperature",
        ),
    ] {
        let err = develop_cfa(&cfa, &camera(), &options)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "{needle}: {err}");
    }
    // A 1x1 mosaic cannot be demosaiced: an error, not a panic.
    let tiny = CfaImage::new(1, 1, BayerPhase::Rggb, &ImageLimits::default()).unwrap();
    assert!(develop_cfa(&tiny, &camera(), &DevelopOptions::default()).is_err());
}
