//! The Lanczos-3 resampler against Pillow's LANCZOS resize of float images on a photograph.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::fdl::{DimensionsInt, PixelPlan, Rect};
use rushes_engine::resample::apply_plan;
use rushes_test_support::{ref_python, run_python, skip, workspace_root};

/// Largest absolute difference allowed against Pillow on values in [0, 1]. Pillow accumulates in
/// double precision, we accumulate in single precision: the measured maximum is 3.0e-7.
const MAX_ABS_ERROR: f32 = 1e-6;

#[derive(serde::Deserialize)]
struct Reference {
    width: usize,
    height: usize,
    source: Vec<f32>,
    results: Vec<Vec<f32>>,
}

fn full_plan(w: usize, h: usize, ow: usize, oh: usize) -> PixelPlan {
    let (scale_x, scale_y) = (ow as f64 / w as f64, oh as f64 / h as f64);
    PixelPlan {
        source_size: DimensionsInt {
            width: w as i64,
            height: h as i64,
        },
        source_crop: Rect {
            x: 0.0,
            y: 0.0,
            width: w as f64,
            height: h as f64,
        },
        output_size: DimensionsInt {
            width: ow as i64,
            height: oh as i64,
        },
        placement: Rect {
            x: 0.0,
            y: 0.0,
            width: ow as f64,
            height: oh as f64,
        },
        scale_x,
        scale_y,
        desqueeze: scale_x / scale_y,
        scale: scale_y,
        source_squeeze: scale_x / scale_y,
        target_squeeze: 1.0,
        pad_right: 0.0,
        pad_bottom: 0.0,
    }
}

#[test]
fn lanczos3_matches_pillow_on_a_photograph() {
    let test = "lanczos3_matches_pillow_on_a_photograph";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let sizes = [
        (80usize, 60usize), // downscale by two
        (67, 50),           // downscale by an awkward factor
        (251, 190),         // upscale
        (320, 120),         // anamorphic 2x de-squeeze
        (160, 120),         // unit scale
        (23, 130),          // down in x, up in y
    ];
    let request = serde_json::json!({
        "region": [200, 150, 160, 120],
        "sizes": sizes.iter().map(|(w, h)| [w, h]).collect::<Vec<_>>(),
    });
    let script = workspace_root().join("engine/tests/resample_ref/pil_lanczos.py");
    let output = run_python(&python, &script, &[], request.to_string().into_bytes());
    let reference: Reference = serde_json::from_slice(&output).unwrap();
    let (w, h) = (reference.width, reference.height);
    assert_eq!(reference.source.len(), w * h);
    for ((ow, oh), expected) in sizes.iter().zip(&reference.results) {
        let plan = full_plan(w, h, *ow, *oh);
        let ours = apply_plan(&plan, w, h, 1, &reference.source, 0.0).unwrap();
        assert_eq!(ours.len(), expected.len());
        let worst = ours
            .iter()
            .zip(expected)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0f32, f32::max);
        eprintln!("{w}x{h} -> {ow}x{oh}: max abs error vs Pillow {worst:e}");
        assert!(worst <= MAX_ABS_ERROR, "{ow}x{oh}: max abs error {worst}");
    }
}
