//! OpenEXR, DPX and TIFF sequence readers against the references: EXR files written by the
//! openexr package and read back by it (every attribute of every part must be equal) and by
//! OpenImageIO's `iinfo`; DPX sequences written by `oiiotool` in both byte orders and read by
//! `iinfo`; TIFF frames written by tifffile and read back by it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect_media_support;

use std::path::Path;
use std::process::Command;

use inspect_media_support::{iinfo, inspect, run, system_tool, tools};
use rushes_engine::inspect::clip::{ClipKind, WarningCode};
use rushes_engine::inspect::openexr::{ExrValue, read_exr_header};
use rushes_engine::inspect::read_dpx;
use rushes_test_support::{ref_python, run_python, skip, workspace_root};
use serde_json::{Value, json};

/// Width and height from the first line of `iinfo` (`  64 x   48, 3 channel, ...`).
fn summary_size(info: &std::collections::BTreeMap<String, String>) -> (u32, u32) {
    let words: Vec<&str> = info["_summary"]
        .split([' ', ','])
        .filter(|w| !w.is_empty())
        .collect();
    assert_eq!(words[1], "x", "{words:?}");
    (words[0].parse().unwrap(), words[2].parse().unwrap())
}

fn exr_script() -> std::path::PathBuf {
    workspace_root().join("engine/tests/inspect_ref/exr_ref.py")
}

/// Our value of an attribute in the reference script's JSON form.
fn as_reference_json(v: &ExrValue) -> Value {
    match v {
        ExrValue::Int(i) => json!(i),
        ExrValue::Float(f) => json!(f64::from(*f)),
        ExrValue::Double(d) => json!(d),
        ExrValue::String(s) => json!(s),
        ExrValue::Box2i(b) => json!(b),
        ExrValue::V2f(v) => json!(v.map(f64::from)),
        ExrValue::Compression(c) | ExrValue::LineOrder(c) => json!(c),
        ExrValue::Chromaticities(c) => json!(c.map(f64::from)),
        ExrValue::Rational(n, d) => json!([n, d]),
        ExrValue::KeyCode(k) => json!(k),
        ExrValue::TileDesc { x_size, y_size, .. } => json!({"xSize": x_size, "ySize": y_size}),
        ExrValue::Timecode(t) => {
            let tc = t.timecode().unwrap();
            json!({
                "hours": tc.hours, "minutes": tc.minutes, "seconds": tc.seconds,
                "frame": tc.frames, "dropFrame": t.drop_frame(), "colorFrame": t.color_frame(),
                "fieldPhase": t.field_phase(), "userData": t.user_data,
            })
        }
        ExrValue::Channels(c) => {
            let mut list: Vec<Value> = c
                .iter()
                .map(|c| json!([c.name, c.pixel_type, c.x_sampling, c.y_sampling, c.p_linear]))
                .collect();
            list.sort_by_key(|v| v[0].as_str().unwrap().to_string());
            json!(list)
        }
        other => panic!("attribute type not in the fixtures: {other:?}"),
    }
}

#[test]
fn exr_headers_agree_with_openexr_and_oiio() {
    let Some(python) = ref_python() else {
        skip(
            "exr_headers_agree_with_openexr_and_oiio",
            "no reference venv",
        );
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    run_python(
        &python,
        &exr_script(),
        &["write".as_ref(), d.as_os_str()],
        Vec::new(),
    );
    let names = [
        "shot.1001.exr",
        "shot.1002.exr",
        "shot.1003.exr",
        "df.0001.exr",
        "tiled.0001.exr",
        "multi.0001.exr",
    ];
    let paths: Vec<_> = names.iter().map(|n| d.join(n)).collect();
    let mut args: Vec<&std::ffi::OsStr> = vec!["read".as_ref()];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let reference: Value =
        serde_json::from_slice(&run_python(&python, &exr_script(), &args, Vec::new())).unwrap();
    let mut compared = 0;
    for p in &paths {
        let ours = read_exr_header(&mut std::fs::File::open(p).unwrap(), "x").unwrap();
        let theirs = reference[p.to_str().unwrap()].as_array().unwrap();
        assert_eq!(ours.parts.len(), theirs.len(), "{}", p.display());
        assert_eq!(ours.multi_part, theirs.len() > 1);
        for (part, want) in ours.parts.iter().zip(theirs) {
            let want = want.as_object().unwrap();
            for a in &part.attributes {
                if a.name == "type" {
                    // Stored as text; the binding gives the storage enum.
                    let code = match &a.value {
                        ExrValue::String(s) if s == "scanlineimage" => 0,
                        ExrValue::String(s) if s == "tiledimage" => 1,
                        other => panic!("type {other:?}"),
                    };
                    assert_eq!(want["type"], json!(code));
                    continue;
                }
                let w = want
                    .get(&a.name)
                    .unwrap_or_else(|| panic!("{}: openexr lacks {}", p.display(), a.name));
                assert_eq!(
                    &as_reference_json(&a.value),
                    w,
                    "{} {}",
                    p.display(),
                    a.name
                );
                compared += 1;
            }
            for k in want.keys().filter(|k| *k != "type") {
                assert!(part.get(k).is_some(), "{}: we lack {k}", p.display());
            }
            // The binding reports the storage type of every part; ours from flags or `tiles`.
            assert_eq!(
                want["type"],
                json!(i32::from(ours.tiled || part.is_tiled()))
            );
        }
    }
    assert!(compared >= 40, "only {compared} attributes compared");

    // Grouped into clips.
    let roll = inspect(d, "A001", &names);
    let shot = roll.clips.iter().find(|c| c.clip_name == "shot").unwrap();
    assert_eq!(shot.kind, ClipKind::Camera);
    assert_eq!(shot.format.container, "exr");
    assert_eq!(shot.format.codec, "zip");
    assert_eq!(shot.timing.frame_count, Some(3));
    assert_eq!(shot.timing.start_timecode.as_deref(), Some("01:02:03:04"));
    assert_eq!(shot.timing.end_timecode.as_deref(), Some("01:02:03:07"));
    let rate = shot.timing.frame_rate.unwrap();
    assert_eq!((rate.num, rate.den), (24000, 1001));
    assert_eq!(shot.attributes["owner"], "rushes test");
    assert_eq!(shot.attributes["cameraSerial"], "ALXA-0123");
    assert_eq!(shot.attributes["timecode_user_bits"], "0x12345678");
    assert_eq!(shot.creation_time.as_deref(), Some("2024:05:06 07:08:09"));
    let pic = shot.picture.as_ref().unwrap();
    assert_eq!(pic.pixel_aspect_ratio, Some(2.0));
    assert_eq!(pic.channels.len(), 3);
    assert!(pic.channels.iter().all(|c| c.sample_type == "half"));
    let film = shot.film.as_ref().unwrap();
    assert_eq!(film.prefix.as_deref(), Some("3"));
    assert_eq!(film.perfs_per_count, Some(64));
    assert!(
        !shot
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::Inconsistent),
        "{:?}",
        shot.warnings
    );
    let df = roll.clips.iter().find(|c| c.clip_name == "df").unwrap();
    assert!(df.timing.drop_frame);
    assert_eq!(df.timing.start_timecode.as_deref(), Some("00:01:00;02"));
    let multi = roll.clips.iter().find(|c| c.clip_name == "multi").unwrap();
    assert_eq!(multi.picture.as_ref().unwrap().parts, Some(2));
    let tiled = roll.clips.iter().find(|c| c.clip_name == "tiled").unwrap();
    assert_eq!(tiled.picture.as_ref().unwrap().tiled, Some(true));

    // OpenImageIO's view of the same headers.
    let Some(iinfo_bin) = system_tool("iinfo") else {
        skip(
            "exr_headers_agree_with_openexr_and_oiio",
            "iinfo is not installed",
        );
        return;
    };
    for (clip, file) in [(shot, "shot.1001.exr"), (df, "df.0001.exr")] {
        let info = iinfo(&iinfo_bin, &d.join(file));
        assert_eq!(
            Some(info["compression"].as_str()),
            Some(clip.format.codec.as_str())
        );
        let tc = clip
            .timing
            .start_timecode
            .as_deref()
            .unwrap()
            .replace(';', ":");
        assert_eq!(info["smpte:TimeCode"], tc);
        let r = clip.timing.frame_rate.unwrap();
        assert!(info["framesPerSecond"].starts_with(&format!("{}/{}", r.num, r.den)));
        let s = clip.sensor.as_ref().unwrap();
        assert_eq!(summary_size(&info), (s.width, s.height));
    }
    let info = iinfo(&iinfo_bin, &d.join("shot.1001.exr"));
    assert_eq!(info["Copyright"], shot.attributes["owner"]);
    assert_eq!(info["ImageDescription"], shot.attributes["comments"]);
    assert_eq!(info["smpte:KeyCode"], "1, 2, 3, 4, 5, 4, 64");
}

fn oiiotool_dpx(oiiotool: &Path, out: &Path, frame_tc: &str, little: bool, extra: &[&str]) {
    let mut cmd = Command::new(oiiotool);
    cmd.args(["--pattern", "checker", "64x48", "3", "-d", "uint10"])
        .args(["--attrib:type=timecode", "smpte:TimeCode", frame_tc])
        .args(extra);
    let order = if little { "little" } else { "big" };
    cmd.args(["--attrib", "oiio:Endian", order]);
    run(cmd.arg("-o").arg(out));
}

#[test]
fn dpx_headers_agree_with_oiio_in_both_byte_orders() {
    let Some(t) = tools(
        "dpx_headers_agree_with_oiio_in_both_byte_orders",
        &["oiiotool", "iinfo"],
    ) else {
        return;
    };
    let (oiiotool, iinfo_bin) = (&t[0], &t[1]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let extra = [
        "--attrib:type=float",
        "dpx:FrameRate",
        "23.976",
        "--attrib",
        "dpx:Transfer",
        "Printing density",
        "--attrib",
        "dpx:Colorimetric",
        "Printing density",
        "--attrib:type=float",
        "dpx:ShutterAngle",
        "172.8",
        "--attrib",
        "dpx:Format",
        "Academy",
        "--attrib",
        "DateTime",
        "2024:05:06 07:08:09",
        "--attrib:type=keycode",
        "smpte:KeyCode",
        "1,2,3,4,5,4,64",
        "--attrib",
        "DocumentName",
        "RUSHES",
        "--attrib",
        "Copyright",
        "(c) rushes",
    ];
    // Big-endian plates 1001..1004 with 1003 missing; a little-endian plate of a second shot.
    let mut names = Vec::new();
    for (frame, tc) in [
        (1001, "01:00:00:00"),
        (1002, "01:00:00:01"),
        (1004, "01:00:00:03"),
    ] {
        let n = format!("B002C004/B002C004.{frame}.dpx");
        std::fs::create_dir_all(d.join("B002C004")).unwrap();
        oiiotool_dpx(oiiotool, &d.join(&n), tc, false, &extra);
        names.push(n);
    }
    let le = "le_plate.0001.dpx".to_string();
    oiiotool_dpx(
        oiiotool,
        &d.join(&le),
        "10:20:30:12",
        true,
        &[
            "--attrib:type=float",
            "dpx:FrameRate",
            "25",
            "--attrib",
            "dpx:Transfer",
            "Linear",
            "--attrib",
            "dpx:Colorimetric",
            "ITU-R 709-4",
        ],
    );
    names.push(le.clone());
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let roll = inspect(d, "B002", &refs);
    assert_eq!(roll.clips.len(), 2);

    let be = read_dpx(&mut std::fs::File::open(d.join(&names[0])).unwrap(), "x").unwrap();
    assert!(be.big_endian);
    let le_meta = read_dpx(&mut std::fs::File::open(d.join(&le)).unwrap(), "x").unwrap();
    assert!(!le_meta.big_endian);

    for (clip, file) in [(&roll.clips[0], &names[0]), (&roll.clips[1], &le)] {
        let info = iinfo(iinfo_bin, &d.join(file));
        assert_eq!(clip.format.container, "dpx");
        assert_eq!(
            clip.format.bit_depth.map(|b| b.to_string()),
            info.get("oiio:BitsPerSample").cloned()
        );
        let s = clip.sensor.as_ref().unwrap();
        assert_eq!(summary_size(&info), (s.width, s.height));
        let p = clip.picture.as_ref().unwrap();
        assert_eq!(
            p.transfer.as_deref(),
            info.get("dpx:Transfer").map(String::as_str)
        );
        assert_eq!(
            p.colorimetric.as_deref(),
            info.get("dpx:Colorimetric").map(String::as_str)
        );
        assert_eq!(
            p.descriptor.as_deref(),
            info.get("dpx:ImageDescriptor").map(String::as_str)
        );
        assert_eq!(
            p.packing.as_deref(),
            info.get("dpx:Packing").map(String::as_str)
        );
        assert_eq!(
            clip.timing.start_timecode.as_deref(),
            info.get("dpx:TimeCode").map(String::as_str)
        );
        assert_eq!(clip.attributes.get("version"), info.get("dpx:Version"));
        assert_eq!(clip.attributes.get("creator"), info.get("Software"));
        assert_eq!(clip.attributes.get("project"), info.get("DocumentName"));
        assert_eq!(clip.attributes.get("copyright"), info.get("Copyright"));
        let fr: f64 = info["dpx:FrameRate"].parse().unwrap();
        assert!(
            (clip.timing.frame_rate.unwrap().as_f64() - fr).abs() < 1e-3,
            "{fr}"
        );
        assert_eq!(
            clip.film.as_ref().and_then(|f| f.edge_code.clone()),
            info.get("dpx:FilmEdgeCode").cloned()
        );
        assert_eq!(
            clip.film.as_ref().and_then(|f| f.format.clone()),
            info.get("dpx:Format").cloned()
        );
        let angle = info
            .get("dpx:ShutterAngle")
            .map(|a| a.parse::<f64>().unwrap());
        match (clip.exposure.shutter_angle, angle) {
            (Some(a), Some(b)) => assert!((a - b).abs() < 1e-3),
            (a, b) => assert_eq!(a, b),
        }
        assert_eq!(
            clip.creation_time
                .as_ref()
                .map(|t| t[..19].replacen(':', "x", 3)),
            info.get("DateTime")
                .map(|t| t.replace(' ', ":").replacen(':', "x", 3))
        );
        assert!(
            !clip
                .warnings
                .iter()
                .any(|w| w.code == WarningCode::Unreadable),
            "{:?}",
            clip.warnings
        );
    }
    let seq = &roll.clips[0];
    assert_eq!(seq.clip_name, "B002C004");
    assert_eq!(seq.camera_letter.as_deref(), Some("B"));
    assert_eq!(seq.timing.frame_count, Some(4));
    assert_eq!(seq.timing.start_timecode.as_deref(), Some("01:00:00:00"));
    assert_eq!(seq.timing.end_timecode.as_deref(), Some("01:00:00:04"));
    let rate = seq.timing.frame_rate.unwrap();
    assert_eq!((rate.num, rate.den), (24000, 1001));
    assert!(
        seq.warnings
            .iter()
            .any(|w| w.code == WarningCode::MissingFrames && w.message.contains("1003"))
    );
    assert_eq!(seq.attributes["project"], "RUSHES");
    assert_eq!(seq.attributes["copyright"], "(c) rushes");
    let le_clip = &roll.clips[1];
    assert_eq!(
        le_clip.timing.start_timecode.as_deref(),
        Some("10:20:30:12")
    );
    assert_eq!(
        le_clip.picture.as_ref().unwrap().transfer.as_deref(),
        Some("Linear")
    );
}

#[test]
fn tiff_frames_agree_with_tifffile() {
    let Some(python) = ref_python() else {
        skip("tiff_frames_agree_with_tifffile", "no reference venv");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let script = r#"
import json, sys, numpy as np, tifffile
d = sys.argv[1]
out = {}
for frame in (1, 2, 3):
    p = f"{d}/scan_{frame:04d}.tif"
    tifffile.imwrite(p, np.zeros((30, 40, 3), "uint16"), photometric="rgb",
                     software="rushes scanner 1.0", datetime="2024:05:06 07:08:09",
                     description=f"scan frame {frame}", compression="zlib", metadata=None)
    with tifffile.TiffFile(p) as t:
        page = t.pages[0]
        tags = {tag.name: tag.value for tag in page.tags.values()}
        out[p] = {"width": page.imagewidth, "height": page.imagelength,
                  "bits": list(tags["BitsPerSample"]) if isinstance(tags["BitsPerSample"], tuple) else [tags["BitsPerSample"]],
                  "samples": page.samplesperpixel, "compression": int(page.compression),
                  "photometric": int(page.photometric), "software": tags["Software"],
                  "datetime": tags["DateTime"], "description": tags["ImageDescription"]}
print(json.dumps(out))
"#;
    let script_path = d.join("tiff_ref.py");
    std::fs::write(&script_path, script).unwrap();
    let reference: Value = serde_json::from_slice(&run_python(
        &python,
        &script_path,
        &[d.as_os_str()],
        Vec::new(),
    ))
    .unwrap();
    let names = ["scan_0001.tif", "scan_0002.tif", "scan_0003.tif"];
    let roll = inspect(d, "S001", &names);
    assert_eq!(roll.clips.len(), 1);
    let clip = &roll.clips[0];
    assert_eq!(clip.kind, ClipKind::Camera);
    assert_eq!(clip.timing.frame_count, Some(3));
    let want = &reference[d.join(names[0]).to_str().unwrap()];
    let s = clip.sensor.as_ref().unwrap();
    assert_eq!(json!(s.width), want["width"]);
    assert_eq!(json!(s.height), want["height"]);
    assert_eq!(clip.format.codec, "deflate");
    assert_eq!(want["compression"], json!(8));
    let pic = clip.picture.as_ref().unwrap();
    let bits: Vec<Value> = pic
        .channels
        .iter()
        .map(|c| {
            json!(
                c.sample_type
                    .trim_start_matches("uint")
                    .parse::<u32>()
                    .unwrap()
            )
        })
        .collect();
    assert_eq!(json!(bits), want["bits"]);
    assert_eq!(json!(pic.channels.len()), want["samples"]);
    assert_eq!(want["photometric"], json!(2));
    assert_eq!(pic.descriptor.as_deref(), Some("RGB"));
    assert_eq!(json!(clip.attributes["software"]), want["software"]);
    assert_eq!(json!(clip.attributes["date_time"]), want["datetime"]);
    assert_eq!(
        json!(clip.attributes["image_description"]),
        want["description"]
    );
    let _ = system_tool;
}
