//! DNG/TIFF reader against the references: every tag we read agrees with exiftool (`-j -n`) and
//! tifffile on the sample card's CinemaDNG frames and on a big-endian DNG written by tifffile (raw
//! image in SubIFD 0). LibRaw and third-party TIFFs: `inspect_conformance_raw.rs`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect_support;

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

use inspect_support::{exiftool, have_exiftool, nums, ref_script, run_json, sr, ur, write_card};
use rushes_engine::inspect::dng::{DngMetadata, read_dng_metadata};
use rushes_engine::inspect::ifd::{SRational, URational};
use rushes_test_support::{ref_python, skip};
use serde_json::Value;

/// Counts of compared values, for the summary line.
#[derive(Default)]
struct Tally {
    fields: usize,
    files: usize,
}

/// Asserts our numeric value equals exiftool's (both absent, or equal within a relative 1e-9:
/// exiftool prints rationals as decimals with 10 significant digits).
fn same_nums(t: &mut Tally, file: &str, key: &str, ours: Option<Vec<f64>>, theirs: Option<&Value>) {
    match (ours, theirs) {
        (None, None) => {}
        (Some(o), Some(v)) => {
            let th = nums(v);
            assert_eq!(
                o.len(),
                th.len(),
                "{file} {key}: ours {o:?}, exiftool {th:?}"
            );
            for (a, b) in o.iter().zip(&th) {
                let tol = 1e-9 * a.abs().max(1.0);
                assert!(
                    (a - b).abs() <= tol,
                    "{file} {key}: ours {o:?}, exiftool {th:?}"
                );
            }
            t.fields += 1;
        }
        (o, th) => panic!("{file} {key}: ours {o:?}, exiftool {th:?}"),
    }
}

fn same_text(t: &mut Tally, file: &str, key: &str, ours: Option<&str>, theirs: Option<&Value>) {
    let th = theirs.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    });
    assert_eq!(ours.map(str::to_string), th, "{file} {key}");
    if ours.is_some() {
        t.fields += 1;
    }
}

fn digits(s: &str) -> Vec<u32> {
    s.split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse().unwrap())
        .collect()
}

fn compare_dng_with_exiftool(
    t: &mut Tally,
    file: &str,
    m: &DngMetadata,
    e: &Value,
    e_print: &Value,
) {
    let g = |k: &str| e.get(k);
    same_text(t, file, "Make", m.make.as_deref(), g("Make"));
    same_text(t, file, "Model", m.model.as_deref(), g("Model"));
    same_text(
        t,
        file,
        "UniqueCameraModel",
        m.unique_camera_model.as_deref(),
        g("UniqueCameraModel"),
    );
    let serial = g("CameraSerialNumber").or(g("SerialNumber"));
    same_text(t, file, "CameraSerialNumber", m.serial.as_deref(), serial);
    same_text(
        t,
        file,
        "LensModel",
        m.lens_model.as_deref(),
        g("LensModel"),
    );
    same_text(t, file, "ReelName", m.reel_name.as_deref(), g("ReelName"));
    same_text(
        t,
        file,
        "CameraLabel",
        m.camera_label.as_deref(),
        g("CameraLabel"),
    );
    let one = |v: Option<u32>| v.map(|x| vec![f64::from(x)]);
    let one16 = |v: Option<u16>| v.map(|x| vec![f64::from(x)]);
    same_nums(
        t,
        file,
        "DNGVersion",
        m.dng_version
            .map(|v| v.iter().map(|&x| f64::from(x)).collect()),
        g("DNGVersion"),
    );
    same_nums(t, file, "ImageWidth", one(m.width), g("ImageWidth"));
    same_nums(t, file, "ImageHeight", one(m.height), g("ImageHeight"));
    same_nums(
        t,
        file,
        "BitsPerSample",
        one16(m.bits_per_sample),
        g("BitsPerSample"),
    );
    same_nums(
        t,
        file,
        "Compression",
        one16(m.compression),
        g("Compression"),
    );
    same_nums(
        t,
        file,
        "PhotometricInterpretation",
        one16(m.photometric),
        g("PhotometricInterpretation"),
    );
    same_nums(
        t,
        file,
        "CFARepeatPatternDim",
        m.cfa_repeat_dim
            .map(|d| d.iter().map(|&x| f64::from(x)).collect()),
        g("CFARepeatPatternDim"),
    );
    same_nums(
        t,
        file,
        "CFAPattern2",
        m.cfa_pattern
            .as_ref()
            .map(|p| p.iter().map(|&x| f64::from(x)).collect()),
        g("CFAPattern2"),
    );
    same_nums(
        t,
        file,
        "BlackLevel",
        m.black_level.clone(),
        g("BlackLevel"),
    );
    same_nums(
        t,
        file,
        "WhiteLevel",
        m.white_level
            .as_ref()
            .map(|v| v.iter().map(|&x| f64::from(x)).collect()),
        g("WhiteLevel"),
    );
    same_nums(
        t,
        file,
        "ActiveArea",
        m.active_area
            .map(|a| a.iter().map(|&x| f64::from(x)).collect()),
        g("ActiveArea"),
    );
    same_nums(
        t,
        file,
        "DefaultCropOrigin",
        m.default_crop_origin.map(|a| a.to_vec()),
        g("DefaultCropOrigin"),
    );
    same_nums(
        t,
        file,
        "DefaultCropSize",
        m.default_crop_size.map(|a| a.to_vec()),
        g("DefaultCropSize"),
    );
    same_nums(
        t,
        file,
        "DefaultScale",
        m.default_scale.map(|s| ur(&s)),
        g("DefaultScale"),
    );
    same_nums(
        t,
        file,
        "ColorMatrix1",
        m.color_matrix_1.as_deref().map(sr),
        g("ColorMatrix1"),
    );
    same_nums(
        t,
        file,
        "ColorMatrix2",
        m.color_matrix_2.as_deref().map(sr),
        g("ColorMatrix2"),
    );
    same_nums(
        t,
        file,
        "ForwardMatrix1",
        m.forward_matrix_1.as_deref().map(sr),
        g("ForwardMatrix1"),
    );
    same_nums(
        t,
        file,
        "ForwardMatrix2",
        m.forward_matrix_2.as_deref().map(sr),
        g("ForwardMatrix2"),
    );
    same_nums(
        t,
        file,
        "CalibrationIlluminant1",
        one16(m.calibration_illuminant_1),
        g("CalibrationIlluminant1"),
    );
    same_nums(
        t,
        file,
        "CalibrationIlluminant2",
        one16(m.calibration_illuminant_2),
        g("CalibrationIlluminant2"),
    );
    same_nums(
        t,
        file,
        "AsShotNeutral",
        m.as_shot_neutral.as_deref().map(ur),
        g("AsShotNeutral"),
    );
    same_nums(
        t,
        file,
        "BaselineExposure",
        m.baseline_exposure.map(|r| sr(&[r])),
        g("BaselineExposure"),
    );
    same_nums(t, file, "ISO", one(m.iso), g("ISO"));
    same_nums(
        t,
        file,
        "ExposureTime",
        m.exposure_time.map(|r| ur(&[r])),
        g("ExposureTime"),
    );
    same_nums(
        t,
        file,
        "FNumber",
        m.f_number.map(|r| ur(&[r])),
        g("FNumber"),
    );
    same_nums(
        t,
        file,
        "FocalLength",
        m.focal_length.map(|r| ur(&[r])),
        g("FocalLength"),
    );
    same_nums(t, file, "TStop", m.t_stop.map(|r| ur(&[r])), g("TStop"));
    same_nums(
        t,
        file,
        "DNGLensInfo",
        m.lens_info.map(|r| ur(&r)),
        g("DNGLensInfo"),
    );
    same_nums(
        t,
        file,
        "FrameRate",
        m.frame_rate.map(|r| sr(&[r])),
        g("FrameRate"),
    );
    // TimeCodes: exiftool prints the first entry as `HH:MM:SS.FF`.
    let theirs = e_print.get("TimeCodes").and_then(Value::as_str).map(digits);
    let ours = m.timecode.map(|tc| digits(&tc.to_string()));
    assert_eq!(ours, theirs, "{file} TimeCodes");
    if ours.is_some() {
        t.fields += 1;
    }
    t.files += 1;
}

/// Our rationals flattened as tifffile gives them: `[num, den, num, den, ...]`.
fn flat_u(v: &[URational]) -> Value {
    v.iter()
        .flat_map(|r| [i64::from(r.num), i64::from(r.den)])
        .collect::<Vec<_>>()
        .into()
}
fn flat_s(v: &[SRational]) -> Value {
    v.iter()
        .flat_map(|r| [i64::from(r.num), i64::from(r.den)])
        .collect::<Vec<_>>()
        .into()
}

/// tifffile's value of a tag, normalised: a single number becomes a one-element list.
fn tf(v: Option<&Value>) -> Option<Value> {
    v.map(|v| match v {
        Value::Number(_) => Value::Array(vec![v.clone()]),
        other => other.clone(),
    })
}

fn same_json(t: &mut Tally, file: &str, key: &str, ours: Option<Value>, theirs: Option<Value>) {
    assert_eq!(ours, theirs, "{file} {key} (ours vs tifffile)");
    if ours.is_some() {
        t.fields += 1;
    }
}

fn compare_dng_with_tifffile(t: &mut Tally, file: &str, m: &DngMetadata, r: &Value) {
    let i0 = |c: &str| tf(r["ifd0"].get(c));
    let raw = |c: &str| tf(r["raw"].get(c));
    let ex = |n: &str| tf(r["exif"].get(n));
    let u = |v: Option<u32>| v.map(|x| Value::from(vec![x]));
    let u16v = |v: Option<u16>| v.map(|x| Value::from(vec![x]));
    let text = |v: &Option<String>| v.clone().map(Value::from);
    let strip = |v: Option<Value>| {
        v.map(|v| match v {
            Value::String(s) => Value::String(s.trim_end().to_string()),
            o => o,
        })
    };
    same_json(
        t,
        file,
        "Make",
        text(&m.make),
        strip(r["ifd0"].get("271").cloned()),
    );
    same_json(
        t,
        file,
        "UniqueCameraModel",
        text(&m.unique_camera_model),
        strip(r["ifd0"].get("50708").cloned()),
    );
    same_json(
        t,
        file,
        "DNGVersion",
        m.dng_version.map(|v| Value::from(v.to_vec())),
        i0("50706"),
    );
    same_json(t, file, "ImageWidth", u(m.width), raw("256"));
    same_json(t, file, "ImageLength", u(m.height), raw("257"));
    same_json(
        t,
        file,
        "BitsPerSample",
        u16v(m.bits_per_sample),
        raw("258"),
    );
    same_json(t, file, "Compression", u16v(m.compression), raw("259"));
    same_json(t, file, "Photometric", u16v(m.photometric), raw("262"));
    same_json(
        t,
        file,
        "CFARepeatPatternDim",
        m.cfa_repeat_dim.map(|d| Value::from(d.to_vec())),
        raw("33421"),
    );
    same_json(
        t,
        file,
        "CFAPattern",
        m.cfa_pattern.clone().map(Value::from),
        raw("33422"),
    );
    let black_raw = raw("50714");
    let black_ours = m.black_level.as_ref().map(|b| {
        // tifffile gives RATIONAL black levels as num/den pairs, SHORT ones as integers.
        match &black_raw {
            Some(Value::Array(a)) if a.len() == 2 * b.len() => b
                .iter()
                .flat_map(|x| [Value::from(*x as i64), Value::from(1)])
                .collect::<Vec<_>>()
                .into(),
            _ => b
                .iter()
                .map(|x| Value::from(*x as i64))
                .collect::<Vec<_>>()
                .into(),
        }
    });
    same_json(t, file, "BlackLevel", black_ours, black_raw);
    same_json(
        t,
        file,
        "WhiteLevel",
        m.white_level.clone().map(Value::from),
        raw("50717"),
    );
    same_json(
        t,
        file,
        "ActiveArea",
        m.active_area.map(|a| Value::from(a.to_vec())),
        raw("50829"),
    );
    same_json(
        t,
        file,
        "DefaultScale",
        m.default_scale.map(|s| flat_u(&s)),
        raw("50718"),
    );
    let ints = |v: Option<[f64; 2]>| {
        v.map(|a| Value::from(a.iter().map(|x| *x as i64).collect::<Vec<_>>()))
    };
    same_json(
        t,
        file,
        "DefaultCropOrigin",
        ints(m.default_crop_origin),
        raw("50719"),
    );
    same_json(
        t,
        file,
        "DefaultCropSize",
        ints(m.default_crop_size),
        raw("50720"),
    );
    same_json(
        t,
        file,
        "ColorMatrix1",
        m.color_matrix_1.as_deref().map(flat_s),
        i0("50721"),
    );
    same_json(
        t,
        file,
        "ColorMatrix2",
        m.color_matrix_2.as_deref().map(flat_s),
        i0("50722"),
    );
    same_json(
        t,
        file,
        "ForwardMatrix1",
        m.forward_matrix_1.as_deref().map(flat_s),
        i0("50964"),
    );
    same_json(
        t,
        file,
        "ForwardMatrix2",
        m.forward_matrix_2.as_deref().map(flat_s),
        i0("50965"),
    );
    same_json(
        t,
        file,
        "CalibrationIlluminant1",
        u16v(m.calibration_illuminant_1),
        i0("50778"),
    );
    same_json(
        t,
        file,
        "CalibrationIlluminant2",
        u16v(m.calibration_illuminant_2),
        i0("50779"),
    );
    same_json(
        t,
        file,
        "AsShotNeutral",
        m.as_shot_neutral.as_deref().map(flat_u),
        i0("50728"),
    );
    same_json(
        t,
        file,
        "BaselineExposure",
        m.baseline_exposure.map(|r| flat_s(&[r])),
        i0("50730"),
    );
    same_json(
        t,
        file,
        "FrameRate",
        m.frame_rate.map(|r| flat_s(&[r])),
        i0("51044"),
    );
    same_json(
        t,
        file,
        "TStop",
        m.t_stop.map(|r| flat_u(&[r])),
        i0("51058"),
    );
    same_json(
        t,
        file,
        "ReelName",
        text(&m.reel_name),
        strip(r["ifd0"].get("51081").cloned()),
    );
    same_json(
        t,
        file,
        "CameraLabel",
        text(&m.camera_label),
        strip(r["ifd0"].get("51105").cloned()),
    );
    // EXIF values: from the EXIF IFD (by name) or, TIFF/EP style, from IFD 0.
    let exp = ex("ExposureTime").or_else(|| i0("33434"));
    same_json(
        t,
        file,
        "ExposureTime",
        m.exposure_time.map(|r| flat_u(&[r])),
        exp,
    );
    let iso = ex("ISOSpeedRatings").or_else(|| i0("34855"));
    same_json(t, file, "ISO", u(m.iso), iso);
    let fl = ex("FocalLength").or_else(|| i0("37386"));
    same_json(
        t,
        file,
        "FocalLength",
        m.focal_length.map(|r| flat_u(&[r])),
        fl,
    );
    same_json(
        t,
        file,
        "LensModel",
        text(&m.lens_model),
        strip(r["exif"].get("LensModel").cloned()),
    );
    let tc_ours = m
        .timecode
        .map(|tc| Value::from(tc.to_string().replace(';', ":")));
    same_json(t, file, "TimeCodes", tc_ours, r.get("timecode").cloned());
    t.files += 1;
}

#[test]
fn dng_tags_agree_with_exiftool_and_tifffile() {
    let name = "dng_tags_agree_with_exiftool_and_tifffile";
    let Some(py) = ref_python() else {
        skip(name, "no reference venv (tifffile)");
        return;
    };
    if !have_exiftool() {
        skip(name, "exiftool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_, files) = write_card(dir.path());
    let mut dngs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.0.ends_with(".dng"))
        .map(|f| &f.1)
        .collect();
    // A DNG written by the reference: big endian, raw image in SubIFD 0, exposure tags in IFD 0.
    let tw = dir.path().join("tifffile_be.dng");
    let st = Command::new(&py)
        .arg(ref_script("write_tifffile_dng.py"))
        .arg(&tw)
        .status()
        .unwrap();
    assert!(st.success());
    dngs.push(&tw);

    let exif_n = exiftool(&["-j", "-n"], &dngs);
    let exif_p = exiftool(&["-j", "-TimeCodes"], &dngs);
    let mut cmd = Command::new(&py);
    cmd.arg(ref_script("tiff_tags.py")).args(&dngs);
    let tiff = run_json(&mut cmd);

    let (mut te, mut tt) = (Tally::default(), Tally::default());
    for p in &dngs {
        let key = p.to_str().unwrap();
        let m = read_dng_metadata(&mut File::open(p).unwrap(), key).unwrap();
        assert!(m.warnings.is_empty(), "{key}: {:?}", m.warnings);
        compare_dng_with_exiftool(&mut te, key, &m, &exif_n[key], &exif_p[key]);
        compare_dng_with_tifffile(&mut tt, key, &m, &tiff[key]);
        if *p == &tw {
            assert_eq!(m.raw_ifd, "SubIFD 0");
            assert_eq!(tiff[key]["order"], ">");
            assert!(m.timecode.unwrap().drop_frame);
            assert_eq!(m.width, Some(64));
        }
    }
    eprintln!(
        "DNG: {} files; exiftool agreed on {} values, tifffile on {} values",
        te.files, te.fields, tt.fields
    );
    assert_eq!(te.files, 25);
    assert!(
        te.fields >= 25 * 35,
        "only {} exiftool comparisons",
        te.fields
    );
    assert!(
        tt.fields >= 25 * 30,
        "only {} tifffile comparisons",
        tt.fields
    );
}
