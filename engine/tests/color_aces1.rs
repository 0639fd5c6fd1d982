//! ACES 1.3 RRT + SDR ODTs against OpenColorIO 2.6's built-in ACES 1.3 studio config displays
//! and views (e.g. "Rec.1886 Rec.709 - Display", "ACES 1.0 - SDR Video"), optimisation off.
//! OCIO's ACES 1 displays do not clamp the top, so both results are clamped to [0, 1] first.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use rushes_engine::color::aces1::Aces13Output;
use rushes_test_support::{ref_python, skip, workspace_root};

fn ocio_display(display: &str, view: &str, pixels: &[f32]) -> Option<Vec<f32>> {
    let Some(python) = ref_python() else {
        skip("aces13_rec709", "reference venv python not installed");
        return None;
    };
    let request = serde_json::json!({
        "op": {"kind": "display", "config": "ocio://studio-config-v2.1.0_aces-v1.3_ocio-v2.3",
               "src": "ACES2065-1", "display": display, "view": view},
        "pixels": pixels,
    });
    let mut child = Command::new(python)
        .arg(workspace_root().join("engine/tests/color_ref/ocio_apply.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let body = serde_json::to_vec(&request).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&body));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Vec<f64> = serde_json::from_slice(&out.stdout).unwrap();
    Some(v.into_iter().map(|x| x as f32).collect())
}

/// A dense grid in log2 exposure (-12 .. +10 stops around 0.18) per channel, plus zero.
fn grid(n: usize) -> Vec<f32> {
    let level = |i: usize| {
        if i == 0 {
            0.0
        } else {
            0.18 * 2f32.powf(-12.0 + 22.0 * (i - 1) as f32 / (n - 2) as f32)
        }
    };
    let mut out = Vec::with_capacity(n * n * n * 3);
    for r in 0..n {
        for g in 0..n {
            for b in 0..n {
                out.extend([level(r), level(g), level(b)]);
            }
        }
    }
    out
}

/// Our transform vs OCIO's display/view over the grid: (max, 99.9th percentile) of the
/// absolute code-value difference after clamping OCIO's result to [0, 1].
fn compare(output: Aces13Output, display: &str, view: &str) -> Option<(f64, f64)> {
    let pixels = grid(33);
    let reference = ocio_display(display, view, &pixels)?;
    let mut ours = pixels.clone();
    output.apply(&mut ours, 3).unwrap();
    let worst = ours
        .iter()
        .zip(&reference)
        .enumerate()
        .max_by(|a, b| {
            let e = |(_, (x, y)): &(usize, (&f32, &f32))| {
                (f64::from(**x) - f64::from(y.clamp(0.0, 1.0))).abs()
            };
            e(a).total_cmp(&e(b))
        })
        .map(|(i, _)| i / 3 * 3)
        .unwrap_or(0);
    eprintln!(
        "worst pixel {:?}: ours {:?}, OCIO {:?}",
        &pixels[worst..worst + 3],
        &ours[worst..worst + 3],
        &reference[worst..worst + 3]
    );
    let mut errors: Vec<f64> = ours
        .iter()
        .zip(&reference)
        .map(|(a, b)| (f64::from(*a) - f64::from(b.clamp(0.0, 1.0))).abs())
        .collect();
    errors.sort_by(f64::total_cmp);
    let max = errors.last().copied().unwrap_or(0.0);
    let p999 = errors[(errors.len() as f64 * 0.999) as usize - 1];
    eprintln!(
        "ACES 1.3 {output:?} vs OCIO over {} pixels: max {max:.3e}, 99.9th percentile {p999:.3e}",
        pixels.len() / 3
    );
    Some((max, p999))
}

#[test]
fn aces13_rec709_100nits_dim_matches_ocio() {
    let Some((max, p999)) = compare(
        Aces13Output::Rec709_100nitsDim,
        "Rec.1886 Rec.709 - Display",
        "ACES 1.0 - SDR Video",
    ) else {
        return;
    };
    assert!(max <= 2e-3, "max error {max:e}");
    // Measured: max 7.3e-4, 99.9th percentile 3.1e-4. The residual is OCIO's, not a defect of
    // ours: the Academy CTL scales the red modifier by the saturation measured *before* the glow
    // module, OCIO re-measures it after the glow gain; below max(rgb) = 0.01 the two differ by up
    // to the 5 % glow gain. Computing it OCIO's way drops our max error to 4.9e-5 (checked while
    // developing); we keep the CTL's definition.
    assert!(p999 <= 4e-4, "99.9th percentile {p999:e}");
}

#[test]
fn aces13_other_sdr_outputs_match_ocio() {
    for (output, display, view) in [
        (
            Aces13Output::Rec2020_100nitsDim,
            "Rec.1886 Rec.2020 - Display",
            "ACES 1.0 - SDR Video",
        ),
        (
            Aces13Output::Srgb100nitsDim,
            "sRGB - Display",
            "ACES 1.0 - SDR Video",
        ),
    ] {
        let Some((max, _)) = compare(output, display, view) else {
            return;
        };
        assert!(max <= 2e-3, "{output:?}: max error {max:e}");
    }
}
