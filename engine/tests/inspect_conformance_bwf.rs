//! Broadcast WAV reader against the references: every field agrees with exiftool and with
//! Python's wave + struct + ElementTree, the start timecode with one computed by hand from bext
//! TimeReference; and the whole sample card inspects through real files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect_support;

use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

use inspect_support::{exiftool, have_exiftool, ref_script, run_json, write_card};
use rushes_engine::inspect::bwf::{BwfMetadata, read_bwf};
use rushes_engine::inspect::group::{ReadSeek, RollFile, group_roll};
use rushes_test_support::{ref_python, skip};
use serde_json::Value;

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
