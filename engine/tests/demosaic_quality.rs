//! Demosaicing quality against ground truth and against colour-demosaicing, on Kodak24 and
//! McMaster18: every image is mosaicked in all four Bayer phases, demosaicked by us and by
//! colour-demosaicing (bilinear, Malvar2004, Menon2007) in the same run, and scored by colour
//! PSNR (all three channels, 8-bit scale, output clipped to [0, 1], 10-pixel border excluded).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::demosaic::{DemosaicMethod, demosaic};
use rushes_engine::raw::{BayerPhase, CfaImage, ImageLimits, RgbImage};
use rushes_test_support::{ref_python, shared_data, skip, skip_no_data};
use serde_json::Value;

const BORDER: usize = 10;

/// Colour PSNR of `estimate` against 8-bit interleaved `truth`, as reference.py computes it.
fn psnr(truth: &[u8], estimate: &RgbImage) -> f64 {
    let (w, h) = (estimate.width(), estimate.height());
    let mut sum = 0.0f64;
    let mut count = 0usize;
    for y in BORDER..h - BORDER {
        let rows = [0, 1, 2].map(|c| estimate.row(c, y));
        for x in BORDER..w - BORDER {
            for (c, row) in rows.iter().enumerate() {
                let est = f64::from(row[x].clamp(0.0, 1.0)) * 255.0;
                let d = est - f64::from(truth[(y * w + x) * 3 + c]);
                sum += d * d;
                count += 1;
            }
        }
    }
    10.0 * (255.0f64 * 255.0 / (sum / count as f64)).log10()
}

/// The mosaic of 8-bit interleaved RGB in `phase`, scaled to [0, 1].
fn mosaic(rgb: &[u8], w: usize, h: usize, phase: BayerPhase) -> CfaImage {
    let mut cfa = CfaImage::new(w, h, phase, &ImageLimits::default()).unwrap();
    for y in 0..h {
        for (x, v) in cfa.row_mut(y).iter_mut().enumerate() {
            let c = phase.color_at(x, y).channel();
            *v = f32::from(rgb[(y * w + x) * 3 + c]) / 255.0;
        }
    }
    cfa
}

/// Mean PSNR per method over every image and phase: ours (bilinear, mhc, rcd) and the reference's
/// (bilinear, malvar2004, menon2007).
#[derive(Debug, Default)]
struct Scores {
    ours: [Vec<f64>; 3],
    reference: [Vec<f64>; 3],
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Runs the dataset `sub` (under ../shared/data/demosaic), prints its table and returns scores;
/// `None` when the data or the reference venv is missing.
fn run_dataset(test: &str, sub: &str) -> Option<Scores> {
    let data_sub = format!("demosaic/{sub}");
    let dir = if sub == "skimage" {
        // reference.py finds the images inside the venv's scikit-image.
        PathBuf::from("skimage")
    } else {
        let Some(dir) = shared_data(&data_sub) else {
            skip_no_data(test, &data_sub);
            return None;
        };
        dir
    };
    let Some(python) = ref_python() else {
        skip(test, "reference venv python3 not found");
        return None;
    };
    let tmp = tempfile::tempdir().unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/demosaic_ref/reference.py");
    let out = Command::new(python)
        .arg(&script)
        .arg(&dir)
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "reference.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let images: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    let expected = match sub {
        "kodak24" => 24,
        "mcmaster18" => 18,
        _ => 9,
    };
    assert_eq!(images.len(), expected, "{sub}: number of images");

    let ours = [
        DemosaicMethod::Bilinear,
        DemosaicMethod::MalvarHeCutler,
        DemosaicMethod::Rcd,
    ];
    let reference = ["bilinear", "malvar2004", "menon2007"];
    let mut scores = Scores::default();
    for image in &images {
        let name = image["name"].as_str().unwrap();
        let w = image["width"].as_u64().unwrap() as usize;
        let h = image["height"].as_u64().unwrap() as usize;
        let rgb = std::fs::read(image["file"].as_str().unwrap()).unwrap();
        assert_eq!(rgb.len(), w * h * 3, "{name}: pixel file size");
        for phase in BayerPhase::ALL {
            let cfa = mosaic(&rgb, w, h, phase);
            for (k, method) in ours.into_iter().enumerate() {
                let ours_db = psnr(&rgb, &demosaic(&cfa, method).unwrap());
                let ref_db = image["psnr"][reference[k]][phase.name()].as_f64().unwrap();
                // The linear methods are the same filters as colour-demosaicing's: every single
                // image and phase must agree, not just the means.
                let tolerance = [0.05, 0.1, f64::INFINITY][k];
                assert!(
                    (ours_db - ref_db).abs() <= tolerance,
                    "{sub}/{name} {phase}: our {method} {ours_db:.4} dB vs colour-demosaicing \
                     {} {ref_db:.4} dB",
                    reference[k]
                );
                scores.ours[k].push(ours_db);
                scores.reference[k].push(ref_db);
            }
        }
    }

    eprintln!(
        "\n{sub}: {} images x 4 phases, colour PSNR (dB), 10-px border excluded",
        images.len()
    );
    eprintln!(
        "  {:<22} {:>8}   {:<28} {:>8}  {:>7}",
        "ours", "mean", "colour-demosaicing", "mean", "diff"
    );
    for k in 0..3 {
        let (o, r) = (mean(&scores.ours[k]), mean(&scores.reference[k]));
        eprintln!(
            "  {:<22} {o:>8.4}   {:<28} {r:>8.4}  {:>+7.4}",
            ours[k].to_string(),
            reference[k],
            o - r
        );
    }
    Some(scores)
}

fn assert_means(sub: &str, scores: &Scores, mhc_min: f64, rcd_min: f64) {
    let [bilinear, mhc, rcd] = [0, 1, 2].map(|k| mean(&scores.ours[k]));
    let [ref_bilinear, ref_malvar, _] = [0, 1, 2].map(|k| mean(&scores.reference[k]));
    assert!(
        (bilinear - ref_bilinear).abs() <= 0.05,
        "{sub}: bilinear {bilinear:.4} dB vs colour-demosaicing {ref_bilinear:.4} dB"
    );
    assert!(
        (mhc - ref_malvar).abs() <= 0.1,
        "{sub}: MHC {mhc:.4} dB vs colour-demosaicing Malvar2004 {ref_malvar:.4} dB"
    );
    assert!(mhc >= mhc_min, "{sub}: MHC mean {mhc:.4} dB < {mhc_min} dB");
    assert!(rcd >= rcd_min, "{sub}: RCD mean {rcd:.4} dB < {rcd_min} dB");
}

#[test]
fn kodak24_quality_matches_colour_demosaicing_and_rcd_meets_the_design_target() {
    if let Some(scores) = run_dataset("kodak24_quality", "kodak24") {
        assert_means("kodak24", &scores, 35.0, 36.5);
    }
}

#[test]
fn mcmaster18_quality_matches_colour_demosaicing_and_rcd_meets_the_design_target() {
    if let Some(scores) = run_dataset("mcmaster18_quality", "mcmaster18") {
        assert_means("mcmaster18", &scores, 34.3, 36.0);
    }
}

#[test]
fn scikit_image_pictures_match_colour_demosaicing_and_rcd_beats_mhc() {
    // No design target for these nine pictures (odd sizes, a synthetic chessboard and phantom):
    // the linear methods must agree with colour-demosaicing and RCD must do better than MHC.
    if let Some(scores) = run_dataset("scikit_image_quality", "skimage") {
        let [bilinear, mhc, rcd] = [0, 1, 2].map(|k| mean(&scores.ours[k]));
        let [ref_bilinear, ref_malvar, _] = [0, 1, 2].map(|k| mean(&scores.reference[k]));
        assert!((bilinear - ref_bilinear).abs() <= 0.05);
        assert!((mhc - ref_malvar).abs() <= 0.1);
        assert!(rcd > mhc, "skimage: RCD {rcd:.4} dB <= MHC {mhc:.4} dB");
    }
}
