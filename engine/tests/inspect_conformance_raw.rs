//! DNG/TIFF reader against LibRaw and third-party files: geometry, levels, CFA, squeeze and white
//! balance agree with rawpy on the sample card and a tifffile-written DNG; plain TIFFs from the
//! McMaster set agree with exiftool and tifffile.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect_support;

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

use inspect_support::{exiftool, have_exiftool, nums, ref_script, run_json, ur, write_card};
use rushes_engine::inspect::dng::read_dng_metadata;
use rushes_test_support::{ref_python, skip};
use serde_json::Value;

/// Plain TIFFs written by another tool (the McMaster demosaic set): the same reader reports the
/// basic image tags exactly as exiftool and tifffile do.
#[test]
fn third_party_tiffs_agree_with_exiftool_and_tifffile() {
    let name = "third_party_tiffs_agree_with_exiftool_and_tifffile";
    let Some(dir) = rushes_test_support::shared_data("demosaic/mcmaster18") else {
        rushes_test_support::skip_no_data(name, "demosaic/mcmaster18");
        return;
    };
    let Some(py) = ref_python() else {
        skip(name, "no reference venv (tifffile)");
        return;
    };
    if !have_exiftool() {
        skip(name, "exiftool is not installed");
        return;
    }
    let mut tiffs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tif"))
        .collect();
    tiffs.sort();
    assert!(!tiffs.is_empty());
    let refs: Vec<&PathBuf> = tiffs.iter().collect();
    let exif_n = exiftool(&["-j", "-n"], &refs);
    let mut cmd = Command::new(&py);
    cmd.arg(ref_script("tiff_tags.py")).args(&refs);
    let tiff = run_json(&mut cmd);
    let mut fields = 0;
    for p in &tiffs {
        let key = p.to_str().unwrap();
        let m = read_dng_metadata(&mut File::open(p).unwrap(), key).unwrap();
        assert!(m.warnings.is_empty(), "{key}: {:?}", m.warnings);
        assert_eq!(m.dng_version, None);
        let e = &exif_n[key];
        let t = &tiff[key]["ifd0"];
        let pairs = [
            ("ImageWidth", "256", m.width.map(f64::from)),
            ("ImageHeight", "257", m.height.map(f64::from)),
            ("Compression", "259", m.compression.map(f64::from)),
            (
                "PhotometricInterpretation",
                "262",
                m.photometric.map(f64::from),
            ),
        ];
        for (ek, tk, ours) in pairs {
            let ours = ours.unwrap_or_else(|| panic!("{key}: no {ek}"));
            assert_eq!(Some(ours), e[ek].as_f64(), "{key} {ek} vs exiftool");
            assert_eq!(Some(ours), t[tk].as_f64(), "{key} {ek} vs tifffile");
            fields += 2;
        }
        // BitsPerSample: one value per sample; we report the first.
        let bits = m.bits_per_sample.map(f64::from);
        assert_eq!(
            bits,
            nums(&e["BitsPerSample"]).first().copied(),
            "{key} BitsPerSample"
        );
        fields += 1;
    }
    eprintln!(
        "third-party TIFF: {} files, {fields} values agreed",
        tiffs.len()
    );
}

/// What LibRaw (rawpy) derives from the same DNG tags: raw size, active-area margins, default
/// crop, pixel aspect (squeeze), black/white levels, CFA pattern and white balance (1/AsShotNeutral).
#[test]
fn dng_geometry_and_levels_agree_with_rawpy() {
    let name = "dng_geometry_and_levels_agree_with_rawpy";
    let Some(py) = ref_python() else {
        skip(name, "no reference venv (rawpy)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (_, files) = write_card(dir.path());
    let mut dngs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.0.ends_with("1001.dng"))
        .map(|f| &f.1)
        .collect();
    let tw = dir.path().join("tifffile_be.dng");
    let st = Command::new(&py)
        .arg(ref_script("write_tifffile_dng.py"))
        .arg(&tw)
        .status()
        .unwrap();
    assert!(st.success());
    dngs.push(&tw);
    let mut cmd = Command::new(&py);
    cmd.arg(ref_script("rawpy_ref.py")).args(&dngs);
    let lr = run_json(&mut cmd);
    let mut fields = 0;
    for p in &dngs {
        let key = p.to_str().unwrap();
        let m = read_dng_metadata(&mut File::open(p).unwrap(), key).unwrap();
        let r = &lr[key];
        let mut eq = |what: &str, ours: Value, theirs: &Value| {
            assert_eq!(&ours, theirs, "{key} {what} (ours vs rawpy)");
            fields += 1;
        };
        let [top, left, bottom, right] = m.active_area.unwrap();
        let [cx, cy] = m.default_crop_origin.unwrap();
        let [cw, ch] = m.default_crop_size.unwrap();
        eq(
            "raw size",
            Value::from(vec![m.width.unwrap(), m.height.unwrap()]),
            &r["raw"],
        );
        eq("margins", Value::from(vec![top, left]), &r["margins"]);
        eq(
            "visible",
            Value::from(vec![right - left, bottom - top]),
            &r["visible"],
        );
        // LibRaw moves an odd crop origin to the next even photosite (keeping the CFA phase)
        // and shortens the crop by one so it ends at the same place.
        let even = |start: u32, len: u32| {
            if start % 2 == 1 {
                (start + 1, len - 1)
            } else {
                (start, len)
            }
        };
        let (x, w) = even(left + cx as u32, cw as u32);
        let (y, h) = even(top + cy as u32, ch as u32);
        let crop = vec![x, y, w, h];
        eq("default crop", Value::from(crop), &r["crop"]);
        let black = m.black_level.as_ref().unwrap();
        let black4: Vec<i64> = (0..4).map(|i| black[i % black.len()] as i64).collect();
        eq("black", Value::from(black4), &r["black"]);
        eq(
            "white",
            Value::from(m.white_level.as_ref().unwrap()[0]),
            &r["white"],
        );
        eq(
            "CFA",
            Value::from(m.cfa_pattern.clone().unwrap()),
            &r["pattern"],
        );
        let [h, v] = m.default_scale.unwrap();
        let squeeze = h.to_f64().unwrap() / v.to_f64().unwrap();
        let pa = r["pixel_aspect"].as_f64().unwrap();
        assert!(
            (squeeze - pa).abs() < 1e-6,
            "{key} squeeze {squeeze} vs rawpy {pa}"
        );
        let wb: Vec<f64> = r["wb"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect();
        let neutral = ur(m.as_shot_neutral.as_deref().unwrap());
        for (n, w) in neutral.iter().zip(&wb) {
            assert!(
                ((1.0 / n) - w).abs() < 1e-5 * w,
                "{key} white balance {wb:?} vs 1/{neutral:?}"
            );
        }
        fields += 2;
    }
    eprintln!("rawpy: {} DNGs, {fields} values agreed", dngs.len());
    assert_eq!(dngs.len(), 6);
}
