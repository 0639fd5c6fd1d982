//! Inspect readers against the references: every DNG tag we read agrees with exiftool (`-j -n`)
//! and tifffile on the sample card's CinemaDNG frames and on a big-endian DNG written by tifffile
//! (raw image in SubIFD 0); every BWF field agrees with exiftool and with Python's wave + struct
//! + ElementTree, and the start timecode with one computed by hand from bext TimeReference.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::inspect::bwf::{BwfMetadata, read_bwf};
use rushes_engine::inspect::dng::{DngMetadata, read_dng_metadata};
use rushes_engine::inspect::group::{ReadSeek, RollFile, group_roll};
use rushes_engine::inspect::ifd::{SRational, URational};
use rushes_engine::sample::{CardPlan, CardSpec};
use rushes_test_support::{ref_python, ref_tool, skip, workspace_root};
use serde_json::Value;

fn ref_script(name: &str) -> PathBuf {
    workspace_root()
        .join("engine")
        .join("tests")
        .join("inspect_ref")
        .join(name)
}

/// Writes the default sample card under `dir`; returns the plan and every file's absolute path.
fn write_card(dir: &Path) -> (CardPlan, Vec<(String, PathBuf)>) {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let mut out = Vec::new();
    for f in plan.files().unwrap() {
        let p = dir.join(&f.path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut w = std::io::BufWriter::new(File::create(&p).unwrap());
        plan.write_file(&f, &mut w).unwrap();
        drop(w);
        out.push((f.path.clone(), p));
    }
    (plan, out)
}

fn run_json(cmd: &mut Command) -> Value {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// exiftool's JSON, keyed by source file.
fn exiftool(args: &[&str], files: &[&PathBuf]) -> BTreeMap<String, Value> {
    let exif = ref_tool_exiftool();
    let mut cmd = Command::new(exif);
    cmd.args(args).args(files);
    let v = run_json(&mut cmd);
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| (r["SourceFile"].as_str().unwrap().to_string(), r.clone()))
        .collect()
}

fn ref_tool_exiftool() -> PathBuf {
    ref_tool("exiftool").unwrap_or_else(|| PathBuf::from("exiftool"))
}

fn have_exiftool() -> bool {
    Command::new(ref_tool_exiftool())
        .arg("-ver")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// Numbers of an exiftool `-n` value: a number, a boolean or a space-separated list.
fn nums(v: &Value) -> Vec<f64> {
    match v {
        Value::Number(n) => vec![n.as_f64().unwrap()],
        Value::String(s) => s
            .split_whitespace()
            .map(|x| x.parse::<f64>().unwrap())
            .collect(),
        other => panic!("not numeric: {other}"),
    }
}

/// Counts of compared values, for the summary line.
#[derive(Default)]
struct Tally {
    fields: usize,
    files: usize,
}

fn ur(v: &[URational]) -> Vec<f64> {
    v.iter().map(|r| r.to_f64().unwrap()).collect()
}
fn sr(v: &[SRational]) -> Vec<f64> {
    v.iter().map(|r| r.to_f64().unwrap()).collect()
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

fn compare_bwf(file: &str, m: &BwfMetadata, e: &Value, w: &Value) -> usize {
    let mut n = 0;
    let mut eq = |what: &str, ours: Value, theirs: &Value| {
        assert_eq!(&ours, theirs, "{file} {what}");
        n += 1;
    };
    let b = m.bext.as_ref().unwrap();
    let x = m.ixml.as_ref().unwrap();
    // exiftool
    eq("NumChannels", m.format.channels.into(), &e["NumChannels"]);
    eq("SampleRate", m.format.sample_rate.into(), &e["SampleRate"]);
    eq(
        "BitsPerSample",
        m.format.bits_per_sample.into(),
        &e["BitsPerSample"],
    );
    eq("Encoding", m.format.format_tag.into(), &e["Encoding"]);
    eq("Originator", b.originator.clone().into(), &e["Originator"]);
    eq(
        "OriginatorReference",
        b.originator_reference.clone().into(),
        &e["OriginatorReference"],
    );
    eq(
        "Description",
        b.description.clone().into(),
        &Value::from(e["Description"].as_str().unwrap().trim_end()),
    );
    eq(
        "TimeReference",
        b.time_reference.into(),
        &e["TimeReference"],
    );
    eq("BWFVersion", b.version.into(), &e["BWFVersion"]);
    eq(
        "CodingHistory",
        b.coding_history.clone().into(),
        &Value::from(e["CodingHistory"].as_str().unwrap().trim_end()),
    );
    let dt = format!(
        "{} {}",
        b.origination_date.replace('-', ":"),
        b.origination_time
    );
    eq("DateTimeOriginal", dt.into(), &e["DateTimeOriginal"]);
    // exiftool's `Duration` is the whole file size over the byte rate (metadata chunks
    // included), so the duration is checked against Python's wave frame count instead.
    let dur = w["frames"].as_f64().unwrap() / w["rate"].as_f64().unwrap();
    assert!(
        (m.duration_seconds() - dur).abs() < 1e-12,
        "{file} duration {} vs {dur}",
        m.duration_seconds()
    );
    let as_text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        o => o.to_string(),
    };
    eq(
        "BwfxmlScene",
        x.scene.clone().into(),
        &as_text(&e["BwfxmlScene"]).into(),
    );
    eq(
        "BwfxmlTake",
        x.take.clone().into(),
        &as_text(&e["BwfxmlTake"]).into(),
    );
    eq("BwfxmlTape", x.tape.clone().into(), &e["BwfxmlTape"]);
    eq("BwfxmlNote", x.note.clone().into(), &e["BwfxmlNote"]);
    eq(
        "BwfxmlProject",
        x.project.clone().into(),
        &e["BwfxmlProject"],
    );
    eq("BwfxmlCircled", x.circled.into(), &e["BwfxmlCircled"]);
    eq(
        "BwfxmlSpeedTimecodeFlag",
        Value::from(if x.timecode_drop_frame == Some(true) {
            "DF"
        } else {
            "NDF"
        }),
        &e["BwfxmlSpeedTimecodeFlag"],
    );
    eq(
        "BwfxmlTrackListTrackCount",
        x.track_names.len().into(),
        &e["BwfxmlTrackListTrackCount"],
    );
    let (num, den) = x.timecode_rate.unwrap();
    let r = f64::from(num) / f64::from(den);
    assert!(
        (r - e["BwfxmlSpeedTimecodeRate"].as_f64().unwrap()).abs() < 1e-9,
        "{file} rate"
    );
    // Python wave + struct + ElementTree
    eq("wave channels", m.format.channels.into(), &w["channels"]);
    eq("wave bits", m.format.bits_per_sample.into(), &w["bits"]);
    eq("wave rate", m.format.sample_rate.into(), &w["rate"]);
    eq("wave frames", m.sample_frames.into(), &w["frames"]);
    eq(
        "struct originator",
        b.originator.clone().into(),
        &w["originator"],
    );
    eq(
        "struct date",
        b.origination_date.clone().into(),
        &w["origination_date"],
    );
    eq(
        "struct time",
        b.origination_time.clone().into(),
        &w["origination_time"],
    );
    eq(
        "struct time_reference",
        b.time_reference.into(),
        &w["time_reference"],
    );
    eq("struct version", b.version.into(), &w["version"]);
    eq("ET scene", x.scene.clone().into(), &w["scene"]);
    eq("ET take", x.take.clone().into(), &w["take"]);
    eq("ET circled", x.circled.into(), &w["circled"]);
    eq("ET note", x.note.clone().into(), &w["note"]);
    eq("ET tape", x.tape.clone().into(), &w["tape"]);
    eq("ET tracks", x.track_names.clone().into(), &w["tracks"]);
    eq("ET rate", Value::from(vec![num, den]), &w["tc_rate"]);
    let tc = m.start_timecode(num, den, false).unwrap().to_string();
    eq(
        "start timecode (hand-computed)",
        tc.into(),
        &w["start_timecode"],
    );
    n
}

#[test]
fn bwf_fields_agree_with_exiftool_and_python() {
    let name = "bwf_fields_agree_with_exiftool_and_python";
    let Some(py) = ref_python() else {
        skip(name, "no reference venv");
        return;
    };
    if !have_exiftool() {
        skip(name, "exiftool is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (plan, files) = write_card(dir.path());
    let wavs: Vec<&PathBuf> = files
        .iter()
        .filter(|f| f.0.ends_with(".WAV"))
        .map(|f| &f.1)
        .collect();
    assert_eq!(wavs.len(), 5);
    let e = exiftool(&["-j", "-n"], &wavs);
    let mut cmd = Command::new(&py);
    cmd.arg(ref_script("wav_ref.py")).args(&wavs);
    let w = run_json(&mut cmd);
    let mut fields = 0;
    for (p, want) in wavs.iter().zip(plan.sound_files()) {
        let key = p.to_str().unwrap();
        let m = read_bwf(&mut File::open(p).unwrap(), key).unwrap();
        assert!(m.warnings.is_empty(), "{key}: {:?}", m.warnings);
        fields += compare_bwf(key, &m, &e[key], &w[key]);
        assert_eq!(
            m.start_timecode(want.timecode_rate.num, want.timecode_rate.den, false)
                .unwrap()
                .to_string(),
            want.start_tc.to_string()
        );
    }
    eprintln!("BWF: 5 files; {fields} values agreed with exiftool and Python");
    assert!(fields >= 5 * 36, "only {fields} comparisons");
}

#[test]
fn whole_card_inspects_through_real_files() {
    let dir = tempfile::tempdir().unwrap();
    let (plan, files) = write_card(dir.path());
    for roll in plan.roll_names() {
        let list: Vec<RollFile> = files
            .iter()
            .filter(|f| f.0.starts_with(&format!("{roll}/")))
            .map(|f| {
                RollFile::new(
                    &f.0[roll.len() + 1..],
                    std::fs::metadata(&f.1).unwrap().len(),
                )
            })
            .collect();
        let root = dir.path().join(roll);
        let mut open = |p: &str| -> rushes_engine::Result<Box<dyn ReadSeek>> {
            let f = File::open(root.join(p)).map_err(|source| rushes_engine::Error::Io {
                path: p.to_string(),
                op: "open",
                source,
            })?;
            Ok(Box::new(std::io::BufReader::new(f)))
        };
        let r = group_roll(roll, &list, &mut open).unwrap();
        for c in &r.clips {
            assert!(c.warnings.is_empty(), "{}: {:?}", c.clip_id, c.warnings);
            assert!(c.timing.start_timecode.is_some());
        }
        let n = if roll == "S001" {
            5
        } else {
            plan.camera_rolls
                .iter()
                .find(|r| r.name == roll)
                .unwrap()
                .clips
                .len()
        };
        assert_eq!(r.clips.len(), n, "{roll}");
    }
}

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
