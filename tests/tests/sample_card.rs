//! `rushes sample-card` against the reference readers: rawpy (LibRaw) and tifffile for the DNGs,
//! Python's `wave` plus a chunk walk for the BWF files, and `ascmhl-debug verify` for each roll.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use rushes_cli::commands::sample_card;
use rushes_engine::sample::{CardPlan, CardSpec};
use serde_json::json;

/// Reads every DNG and WAV named in the expectations file and asserts what they hold.
const CHECK_PY: &str = r#"
import json, sys, wave, struct, xml.etree.ElementTree as ET
import numpy as np, rawpy, tifffile

exp = json.load(open(sys.argv[1]))
root = exp["root"]

def eq(what, got, want):
    if got != want:
        raise AssertionError(f"{what}: got {got!r}, want {want!r}")

def tc_frames(b, base):
    bcd = lambda v: (v >> 4) * 10 + (v & 0xF)
    f, s, m, h = bcd(b[0] & 0x3F), bcd(b[1] & 0x7F), bcd(b[2] & 0x7F), bcd(b[3] & 0x3F)
    return ((h * 60 + m) * 60 + s) * base + f

first_frame_tc = {}
for d in exp["dngs"]:
    p = root + "/" + d["path"]
    with rawpy.imread(p) as r:
        raw = r.raw_image.copy()
        eq(p + " raw shape", raw.shape, (d["height"], d["width"]))
        pat = np.where(r.raw_pattern == 3, 1, r.raw_pattern).flatten().tolist()
        eq(p + " raw_pattern", pat, d["cfa"])
        eq(p + " black", list(r.black_level_per_channel), [d["black"]] * 4)
        eq(p + " white", r.white_level, d["white"])
        top, left, bottom, right = d["active_area"]
        eq(p + " visible", (r.sizes.height, r.sizes.width), (bottom - top, right - left))
        eq(p + " margins", (r.sizes.top_margin, r.sizes.left_margin), (top, left))
        eq(p + " pixel aspect", round(r.sizes.pixel_aspect, 6), d["squeeze"])
        eq(p + " max", int(raw.max()) <= d["white"], True)
    with tifffile.TiffFile(p) as t:
        page = t.pages[0]
        tags = {tag.name: tag.value for tag in page.tags}
        eq(p + " pixels tifffile == rawpy", bool((page.asarray() == raw).all()), True)
        eq(p + " NewSubfileType", int(tags["NewSubfileType"]), 0)
        eq(p + " DNGVersion", bytes(tags["DNGVersion"]), bytes([1, 4, 0, 0]))
        eq(p + " Photometric", int(tags["PhotometricInterpretation"]), 32803)
        eq(p + " CFAPattern", list(tags["CFAPattern"]), d["cfa"])
        eq(p + " TimeCodes", bytes(tags["TimeCodes"]).hex(), d["timecodes"])
        eq(p + " FrameRate", tuple(tags["FrameRate"]), tuple(d["fps"]))
        eq(p + " TStop", tuple(tags["TStop"]), tuple(d["t_stop"]))
        eq(p + " ReelName", tags["ReelName"], d["reel"])
        eq(p + " CameraLabel", tags["CameraLabel"], d["label"])
        eq(p + " UniqueCameraModel", tags["UniqueCameraModel"], d["unique_model"])
        eq(p + " Make", tags["Make"], d["make"])
        eq(p + " CameraSerialNumber", tags["CameraSerialNumber"], d["serial"])
        eq(p + " DefaultScale", tuple(tags["DefaultScale"]), (d["squeeze_num"], d["squeeze_den"], 1, 1))
        eq(p + " ColorMatrix1", tuple(tags["ColorMatrix1"]), tuple(d["color_matrix_1"]))
        eq(p + " CalibrationIlluminant1", int(tags["CalibrationIlluminant1"]), 17)
        eq(p + " CalibrationIlluminant2", int(tags["CalibrationIlluminant2"]), 21)
        eq(p + " ActiveArea", tuple(tags["ActiveArea"]), tuple(d["active_area"]))
        eq(p + " DefaultCropSize", tuple(tags["DefaultCropSize"]), tuple(d["crop_size"]))
        eq(p + " BlackLevel", int(np.ravel(tags["BlackLevel"])[0]), d["black"])
        eq(p + " WhiteLevel", int(np.ravel(tags["WhiteLevel"])[0]), d["white"])
        eq(p + " Software", tags["Software"].startswith("rushes "), True)
        exif = tags["ExifTag"]
        eq(p + " LensModel", exif["LensModel"], d["lens"])
        eq(p + " ISO", int(exif["ISOSpeedRatings"]), d["iso"])
        eq(p + " ExposureTime", tuple(exif["ExposureTime"]), tuple(d["exposure"]))
        if d["frame"] == 0:
            fps = d["fps"]
            base = -(-fps[0] // fps[1])
            first_frame_tc[d["reel"]] = (tc_frames(bytes(tags["TimeCodes"]), base), fps)

for w in exp["wavs"]:
    p = root + "/" + w["path"]
    with wave.open(p) as wf:
        eq(p + " channels", wf.getnchannels(), 2)
        eq(p + " sample width", wf.getsampwidth(), 3)
        eq(p + " rate", wf.getframerate(), 48000)
        eq(p + " frames", wf.getnframes(), w["sample_count"])
    data = open(p, "rb").read()
    eq(p + " RIFF", data[:4] + data[8:12], b"RIFFWAVE")
    eq(p + " RIFF size", struct.unpack_from("<I", data, 4)[0], len(data) - 8)
    chunks, at = {}, 12
    while at < len(data):
        cid, n = data[at:at + 4], struct.unpack_from("<I", data, at + 4)[0]
        chunks[cid] = data[at + 8:at + 8 + n]
        at += 8 + n + (n & 1)
    eq(p + " chunk walk ends at EOF", at, len(data))
    bext = chunks[b"bext"]
    text = lambda a, n: bext[a:a + n].split(b"\0")[0].decode("ascii")
    eq(p + " Originator", text(256, 32), "rushes")
    eq(p + " OriginatorReference non-empty", len(text(288, 32)) > 0, True)
    eq(p + " OriginationDate", text(320, 10), "2026-11-22")
    tr = struct.unpack_from("<Q", bext, 338)[0]
    eq(p + " TimeReference", tr, w["time_reference"])
    eq(p + " bext Version", struct.unpack_from("<H", bext, 346)[0], 1)
    eq(p + " Description", text(0, 256).startswith("sSCENE=" + w["scene"] + "\r\n"), True)
    x = ET.fromstring(chunks[b"iXML"].decode("utf-8"))
    eq(p + " PROJECT", x.findtext("PROJECT"), "Rushes Sample Day")
    eq(p + " SCENE", x.findtext("SCENE"), w["scene"])
    eq(p + " TAKE", x.findtext("TAKE"), str(w["take"]))
    eq(p + " TAPE", x.findtext("TAPE"), "S001")
    eq(p + " CIRCLED", x.findtext("CIRCLED"), "TRUE" if w["circled"] else "FALSE")
    eq(p + " NOTE", x.findtext("NOTE"), w["note"])
    eq(p + " TIMECODE_RATE", x.findtext("SPEED/TIMECODE_RATE"), w["tc_rate"])
    eq(p + " TIMECODE_FLAG", x.findtext("SPEED/TIMECODE_FLAG"), "NDF")
    lo = int(x.findtext("SPEED/TIMESTAMP_SAMPLES_SINCE_MIDNIGHT_LO"))
    eq(p + " iXML timestamp", lo, tr)
    eq(p + " TRACK_COUNT", x.findtext("TRACK_LIST/TRACK_COUNT"), "2")
    eq(p + " track names", [t.findtext("NAME") for t in x.findall("TRACK_LIST/TRACK")], ["BOOM", "LAV 1"])
    # Sound sync: the camera clip's first frame, from its DNG TimeCodes, is clip_start_offset
    # samples into this file.
    frames, fps = first_frame_tc[w["clip"]]
    eq(p + " sync", tr + w["clip_start_offset"], frames * 48000 * fps[1] // fps[0])
    # The slate clap is right there.
    pcm = np.frombuffer(chunks[b"data"], dtype=np.uint8).reshape(-1, 6)[:, :3]
    vals = (pcm[:, 0].astype(np.int32) | (pcm[:, 1].astype(np.int32) << 8) | (pcm[:, 2].astype(np.int32) << 16))
    vals = np.where(vals >= 1 << 23, vals - (1 << 24), vals)
    off = w["clip_start_offset"]
    eq(p + " quiet before the clap", int(np.abs(vals[:off]).max()) < 0.05 * (1 << 23), True)
    eq(p + " loud clap", int(np.abs(vals[off:off + 200]).max()) > 0.2 * (1 << 23), True)

eq("all clips have sound", sorted(first_frame_tc), sorted(w["clip"] for w in exp["wavs"]))
"#;

fn expectations(root: &Path, plan: &CardPlan) -> serde_json::Value {
    let mut dngs = Vec::new();
    for clip in plan.clips() {
        let s = &clip.sensor;
        for i in 0..clip.frame_count {
            let tc: String = clip
                .frame_tc(i)
                .cinema_dng_bytes()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect();
            dngs.push(json!({
                "path": clip.frame_path(i),
                "frame": i,
                "width": s.width, "height": s.height,
                "active_area": s.active_area,
                "crop_size": s.crop_size,
                "cfa": clip.cfa.colors(),
                "black": clip.black_level, "white": clip.white_level,
                "squeeze": clip.squeeze.as_f64(),
                "squeeze_num": clip.squeeze.num, "squeeze_den": clip.squeeze.den,
                "timecodes": tc,
                "fps": [clip.fps.num, clip.fps.den],
                "t_stop": [clip.t_stop.num, clip.t_stop.den],
                "exposure": [clip.exposure_time.num, clip.exposure_time.den],
                "reel": clip.clip_name,
                "label": clip.camera.label,
                "unique_model": clip.camera.unique_camera_model,
                "make": clip.camera.make,
                "serial": clip.camera.serial,
                "lens": clip.lens_model,
                "iso": clip.iso,
                // Published Adobe ColorMatrix1 (StdA) of the sensor the SampleCam borrows.
                "color_matrix_1": [7234, 10000, -1413, 10000, -600, 10000, -3631, 10000,
                    11150, 10000, 2850, 10000, -382, 10000, 1335, 10000, 6437, 10000],
            }));
        }
    }
    let wavs: Vec<_> = plan
        .sound_files()
        .map(|w| {
            json!({
                "path": w.path, "scene": w.scene, "take": w.take, "circled": w.circled,
                "note": w.note, "clip": w.camera_clip,
                "sample_count": w.sample_count, "time_reference": w.time_reference,
                "clip_start_offset": w.clip_start_offset,
                "tc_rate": format!("{}/{}", w.timecode_rate.num, w.timecode_rate.den),
            })
        })
        .collect();
    json!({ "root": root.to_string_lossy(), "dngs": dngs, "wavs": wavs })
}

#[test]
fn sample_card_reads_back_in_reference_tools() {
    let Some(python) = rushes_tests::ref_python() else {
        rushes_tests::skip(
            "sample_card_reads_back_in_reference_tools",
            "no reference venv",
        );
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let card = tmp.path().join("card");
    let plan = sample_card::write_media(&card, &CardSpec::default(), false).unwrap();
    assert_eq!(plan.roll_names(), vec!["A001", "B001", "S001"]);
    let exp = tmp.path().join("expect.json");
    std::fs::write(
        &exp,
        serde_json::to_vec(&expectations(&card, &plan)).unwrap(),
    )
    .unwrap();
    let out = Command::new(python)
        .arg("-c")
        .arg(CHECK_PY)
        .arg(&exp)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "reference check failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn same_seed_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
    );
    let plan = sample_card::write_media(&a, &CardSpec::new(7, 1), false).unwrap();
    sample_card::write_media(&b, &CardSpec::new(7, 1), false).unwrap();
    sample_card::write_media(&c, &CardSpec::new(8, 1), false).unwrap();
    for f in plan.files().unwrap() {
        let x = std::fs::read(a.join(&f.path)).unwrap();
        assert_eq!(x, std::fs::read(b.join(&f.path)).unwrap(), "{}", f.path);
        assert_ne!(x, std::fs::read(c.join(&f.path)).unwrap(), "{}", f.path);
    }
}

#[test]
fn every_roll_verifies_in_ascmhl() {
    let Some(verify) = rushes_tests::ref_tool("ascmhl-debug") else {
        rushes_tests::skip("every_roll_verifies_in_ascmhl", "ascmhl is not installed");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let card = tmp.path().join("card");
    // The on-set history: rushes' own create_generation, xxh64.
    let plan = sample_card::write_card(&card, &CardSpec::default(), false).unwrap();
    for roll in plan.roll_names() {
        let dir = card.join(roll);
        assert!(
            dir.join("ascmhl").join("ascmhl_chain.xml").is_file(),
            "{roll}"
        );
        let out = Command::new(&verify)
            .arg("verify")
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{roll}: {out:?}");
        // Every media file of the roll is recorded with an xxh64 hash.
        let history = std::fs::read_dir(dir.join("ascmhl"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .find(|p| p.extension().is_some_and(|x| x == "mhl"))
            .unwrap();
        let xml = std::fs::read_to_string(history).unwrap();
        for f in plan.files().unwrap().iter().filter(|f| f.roll == roll) {
            let rel = &f.path[roll.len() + 1..];
            assert!(
                xml.contains(&format!(">{rel}<")),
                "{roll}: {rel} not in the manifest"
            );
        }
        assert!(xml.contains("<xxh64"), "{roll}: no xxh64 hashes");
    }
}
