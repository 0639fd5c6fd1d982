//! `rushes develop` end to end on sample-card CinemaDNG frames: plates read back with the OpenEXR
//! package carry exactly the engine's development (half floats), AP0 chromaticities, timecode and
//! reel; an independent development by LibRaw (rawpy, ACES output) agrees on colour; bad requests
//! and existing plates are refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

fn rushes() -> Command {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
}

/// A one-roll sample card; returns the folder of its first clip.
fn card(dir: &Path, extra: &[&str]) -> std::path::PathBuf {
    let out = rushes()
        .arg("sample-card")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let roll = dir.join("A001");
    let mut clips: Vec<_> = std::fs::read_dir(&roll)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.ends_with("ascmhl"))
        .collect();
    clips.sort();
    clips.remove(0)
}

const CHECK: &str = r#"
import json, sys
import numpy as np
import OpenEXR, rawpy
args = json.load(sys.stdin)
out = {}
with OpenEXR.File(args["exr"]) as f:
    h = f.header()
    ch = f.channels()
    if "RGB" in ch:
        px = ch["RGB"].pixels
        rgb = px.astype(np.float64)
    elif "RGBA" in ch:
        px = ch["RGBA"].pixels
        rgb = px[..., :3].astype(np.float64)
    else:
        px = ch["R"].pixels
        rgb = np.stack([ch[c].pixels.astype(np.float64) for c in ("R", "G", "B")], axis=-1)
    out["dtype"] = str(px.dtype)
    out["shape"] = list(rgb.shape)
    chrom = h.get("chromaticities")
    out["chromaticities"] = [float(v) for v in chrom] if chrom is not None else None
    tc = h.get("timeCode")
    out["timecode"] = [tc.hours, tc.minutes, tc.seconds, tc.frame] if tc is not None else None
    out["reel"] = h.get("reelName")
    out["mean"] = rgb.reshape(-1, 3).mean(axis=0).tolist()
with rawpy.imread(args["dng"]) as raw:
    lib = raw.postprocess(output_color=rawpy.ColorSpace.ACES, gamma=(1, 1), no_auto_bright=True,
                          use_camera_wb=True, output_bps=16, user_flip=0,
                          demosaic_algorithm=rawpy.DemosaicAlgorithm.LINEAR).astype(np.float64)
out["libraw_mean"] = lib.reshape(-1, 3).mean(axis=0).tolist()
print(json.dumps(out))
"#;

#[test]
fn plates_carry_the_development_and_agree_with_libraw() {
    let dir = tempfile::tempdir().unwrap();
    for compression in ["none", "ljpeg"] {
        let card_dir = dir.path().join(format!("card-{compression}"));
        let clip = card(&card_dir, &["--dng-compression", compression]);
        let out_dir = dir.path().join(format!("plates-{compression}"));
        let out = rushes()
            .arg("develop")
            .arg(&clip)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut frames: Vec<_> = std::fs::read_dir(&clip)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        frames.sort();
        let plates: Vec<_> = std::fs::read_dir(&out_dir).unwrap().collect();
        assert_eq!(plates.len(), frames.len());
        let dng = &frames[0];
        let exr = out_dir.join(format!(
            "{}.exr",
            dng.file_stem().unwrap().to_string_lossy()
        ));
        // The plate equals the engine's development of the same frame, rounded to half floats.
        let bytes = std::fs::read(dng).unwrap();
        let limits = rushes_engine::raw::ImageLimits::default();
        let developed = rushes_engine::develop::develop_dng(
            &bytes,
            "frame",
            &rushes_engine::develop::DevelopOptions::default(),
            &limits,
        )
        .unwrap();
        let (plate, header) = rushes_engine::image_io::exr::read(
            std::io::Cursor::new(std::fs::read(&exr).unwrap()),
            "plate",
            &limits,
        )
        .unwrap();
        let rgb = plate.to_rgb_image(&limits).unwrap();
        assert_eq!(
            (rgb.width(), rgb.height()),
            (developed.image.width(), developed.image.height())
        );
        for c in 0..3 {
            for y in 0..rgb.height() {
                for x in 0..rgb.width() {
                    let a = developed.image.plane(c)[y * developed.image.stride() + x];
                    let b = rgb.plane(c)[y * rgb.stride() + x];
                    assert!((a - b).abs() <= a.abs() / 1024.0 + 1e-7, "{a} vs {b}");
                }
            }
        }
        assert!(header.smpte_timecode().unwrap().is_some());
        let Some(python) = rushes_test_support::ref_python() else {
            return rushes_test_support::skip("develop vs libraw", "no reference python");
        };
        let script = dir.path().join("check.py");
        std::fs::write(&script, CHECK).unwrap();
        let input = serde_json::json!({"exr": exr, "dng": dng}).to_string();
        let got: serde_json::Value = serde_json::from_slice(&rushes_test_support::run_python(
            &python,
            &script,
            &[],
            input.into_bytes(),
        ))
        .unwrap();
        assert_eq!(got["dtype"], "float16", "{got}");
        let ap0 = [0.7347, 0.2653, 0.0, 1.0, 0.0001, -0.077, 0.32168, 0.33767];
        for (a, b) in got["chromaticities"].as_array().unwrap().iter().zip(ap0) {
            assert!((a.as_f64().unwrap() - b).abs() < 1e-6, "{got}");
        }
        assert_eq!(
            got["reel"].as_str(),
            developed.metadata.reel_name.as_deref()
        );
        // LibRaw scales its output differently (and clips), so compare colour, not level: the
        // channel ratios of the mean picture agree within 5 %.
        let ours: Vec<f64> = got["mean"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let lib: Vec<f64> = got["libraw_mean"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        for c in [0, 2] {
            let (r_ours, r_lib) = (ours[c] / ours[1], lib[c] / lib[1]);
            assert!(
                (r_ours / r_lib - 1.0).abs() < 0.05,
                "channel {c}: ours {ours:?} libraw {lib:?}"
            );
        }
    }
}

#[test]
fn bad_requests_and_existing_plates_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let clip = card(&dir.path().join("card"), &[]);
    let out_dir = dir.path().join("plates");
    let run = |args: &[&str]| {
        rushes()
            .arg("develop")
            .arg(&clip)
            .arg("--out")
            .arg(&out_dir)
            .args(args)
            .output()
            .unwrap()
    };
    for (args, needle) in [
        (&["--aces-container"][..], "--compression none"),
        (&["--white-balance", "warm"][..], "white-balance"),
        (&["--exposure", "1000"][..], "exposure"),
    ] {
        let out = run(args);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{err}");
    }
    assert!(
        run(&["--aces-container", "--compression", "none"])
            .status
            .success()
    );
    let again = run(&[]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
    // A truncated frame names the file.
    let broken = dir.path().join("broken");
    std::fs::create_dir_all(&broken).unwrap();
    let frame = std::fs::read_dir(&clip)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let bytes = std::fs::read(&frame).unwrap();
    std::fs::write(broken.join("X_0001.dng"), &bytes[..bytes.len() / 2]).unwrap();
    let out = rushes()
        .arg("develop")
        .arg(&broken)
        .arg("--out")
        .arg(dir.path().join("p2"))
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("X_0001.dng"),
        "{out:?}"
    );
}
