//! `rushes inspect` as a process on a sample card written by `rushes sample-card`: the JSON clips
//! validate against schemas/clip.schema.json (python jsonschema), a removed frame is reported
//! with exit 1, unusable folders are clear errors with exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rushes_test_support::{ref_python, skip};

fn rushes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
        .args(args)
        .output()
        .unwrap()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A fresh sample card in a temporary folder.
fn card() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let card = tmp.path().join("card");
    let out = rushes(&["sample-card", s(&card)]);
    assert!(out.status.success(), "{out:?}");
    (tmp, card)
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stdout)))
}

fn clips(report: &serde_json::Value) -> Vec<serde_json::Value> {
    report["rolls"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["clips"].as_array().unwrap().clone())
        .collect()
}

#[test]
fn the_sample_card_inspects_clean_and_its_clips_follow_the_schema() {
    let (tmp, card) = card();
    let (a, b, snd) = (card.join("A001"), card.join("B001"), card.join("S001"));
    let out = rushes(&["inspect", "--json", s(&a), s(&b), s(&snd)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let report = json(&out);
    let rolls = report["rolls"].as_array().unwrap();
    assert_eq!(rolls.len(), 3);
    assert_eq!(rolls[0]["roll"], "A001");
    assert_eq!(rolls[0]["kind"], "camera");
    assert_eq!(rolls[2]["kind"], "sound");
    // The ASC MHL history the sample card carries is not media.
    let all = clips(&report);
    assert!(all.len() > 3);
    for c in &all {
        assert!(
            c["files"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| { !f["path"].as_str().unwrap().starts_with("ascmhl") })
        );
        assert!(c["warnings"].as_array().unwrap().is_empty(), "{c}");
    }
    let camera = all.iter().find(|c| c["kind"] == "camera").unwrap();
    assert!(camera["timing"]["start_timecode"].is_string(), "{camera}");
    assert!(camera["timing"]["frame_count"].as_u64().unwrap() > 1);
    assert!(!report["format_cards"].as_array().unwrap().is_empty());

    // The human table names every clip and the format cards.
    let table = rushes(&["inspect", s(&a), s(&snd)]);
    assert_eq!(table.status.code(), Some(0), "{table:?}");
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("roll A001 (camera)"), "{text}");
    assert!(text.contains("roll S001 (sound)"), "{text}");
    assert!(text.contains("format cards:"), "{text}");
    for c in all.iter().filter(|c| c["roll"] != "B001") {
        assert!(text.contains(c["clip_id"].as_str().unwrap()), "{text}");
    }

    let Some(python) = ref_python() else {
        skip(
            "the_sample_card_inspects_clean_and_its_clips_follow_the_schema",
            "reference venv python missing",
        );
        return;
    };
    let clips_file = tmp.path().join("clips.json");
    std::fs::write(&clips_file, serde_json::to_vec(&all).unwrap()).unwrap();
    let schema = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/clip.schema.json");
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1]))\n\
        clips = json.load(open(sys.argv[2]))\n\
        v = jsonschema.Draft202012Validator(schema)\n\
        bad = [(c['clip_id'], e.message) for c in clips for e in v.iter_errors(c)]\n\
        print(json.dumps({'checked': len(clips), 'errors': bad}))\n";
    let out = Command::new(python)
        .args(["-c", script, s(&schema), s(&clips_file)])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let verdict = json(&out);
    assert_eq!(verdict["checked"].as_u64().unwrap(), all.len() as u64);
    assert_eq!(verdict["errors"], serde_json::json!([]), "{verdict}");

    // A clip that breaks the schema is refused by the same check (the check is real).
    let mut broken = all[0].clone();
    broken["timing"]["frame_count"] = serde_json::json!("many");
    std::fs::write(&clips_file, serde_json::to_vec(&[broken]).unwrap()).unwrap();
    let out = Command::new(ref_python().unwrap())
        .args(["-c", script, s(&schema), s(&clips_file)])
        .output()
        .unwrap();
    let verdict = json(&out);
    assert_eq!(verdict["errors"].as_array().unwrap().len(), 1, "{verdict}");
}

#[test]
fn a_removed_frame_is_reported_as_missing_frames_with_exit_1() {
    let (_tmp, card) = card();
    let roll = card.join("A001");
    let clip_dir = std::fs::read_dir(&roll)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap() != "ascmhl")
        .min()
        .unwrap();
    let mut frames: Vec<PathBuf> = std::fs::read_dir(&clip_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    frames.sort();
    assert!(frames.len() >= 3);
    let removed = frames[1].clone();
    std::fs::remove_file(&removed).unwrap();

    let out = rushes(&["inspect", "--json", s(&roll)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = json(&out);
    let warned: Vec<&serde_json::Value> = report["rolls"][0]["clips"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| {
            c["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "missing_frames")
        })
        .collect();
    assert_eq!(warned.len(), 1, "{report}");
    let clip_name = clip_dir.file_name().unwrap().to_str().unwrap();
    assert!(
        warned[0]["files"][0]["path"]
            .as_str()
            .unwrap()
            .starts_with(clip_name)
    );

    let table = rushes(&["inspect", s(&roll)]);
    assert_eq!(table.status.code(), Some(1));
    let text = String::from_utf8(table.stdout).unwrap();
    assert!(text.contains("error "), "{text}");
    assert!(text.to_lowercase().contains("missing"), "{text}");
}

#[test]
fn unusable_roll_folders_are_clear_errors_with_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("no-such-roll");
    let out = rushes(&["inspect", s(&missing)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("no-such-roll") && err.contains("cannot open the roll folder"),
        "{err}"
    );

    let file = tmp.path().join("A001.dng");
    std::fs::write(&file, b"II*\0").unwrap();
    let out = rushes(&["inspect", s(&file)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("A001.dng") && err.contains("not a folder"),
        "{err}"
    );

    // A malformed overrides file names itself and the line.
    let roll = tmp.path().join("A001");
    std::fs::create_dir(&roll).unwrap();
    let overrides = tmp.path().join("overrides.json");
    std::fs::write(&overrides, "{\n \"formats\": [ {\"set\": 3} ]\n}\n").unwrap();
    let out = rushes(&["inspect", "--overrides", s(&overrides), s(&roll)]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("overrides.json") && err.contains("line 2"),
        "{err}"
    );
}

#[test]
fn garbage_media_files_are_unreadable_clips_not_crashes() {
    let tmp = tempfile::tempdir().unwrap();
    let roll = tmp.path().join("C001");
    std::fs::create_dir_all(roll.join("C001C001")).unwrap();
    std::fs::create_dir_all(roll.join(".Trashes")).unwrap();
    std::fs::write(roll.join(".Trashes/x.dng"), b"junk").unwrap();
    for i in 1..=3 {
        // Not TIFF at all, then a TIFF header whose first IFD points past the end.
        let bytes: &[u8] = if i == 2 {
            b"II*\0\xff\xff\xff\x7f"
        } else {
            b"hostile bytes"
        };
        std::fs::write(roll.join(format!("C001C001/C001C001_{i:07}.dng")), bytes).unwrap();
    }
    std::fs::write(roll.join("S01T01.wav"), b"RIFF\xff\xff\xff\xffWAVEfmt ").unwrap();
    let out = rushes(&["inspect", "--json", "--every-frame", s(&roll)]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let report = json(&out);
    let all = clips(&report);
    assert_eq!(all.len(), 2, "{report}");
    for c in &all {
        assert!(
            c["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .any(|w| w["code"] == "unreadable"),
            "{c}"
        );
        assert!(
            c["files"]
                .as_array()
                .unwrap()
                .iter()
                .all(|f| !f["path"].as_str().unwrap().contains(".Trashes"))
        );
    }
}

#[test]
fn an_overrides_file_changes_the_clips_and_their_format_card() {
    let (tmp, card) = card();
    let roll = card.join("A001");
    let overrides = tmp.path().join("formats.json");
    std::fs::write(
        &overrides,
        r#"{"formats": [{"match": {"roll": "A001"}, "set": {"squeeze": 2.0, "lens_model": "Anamorphic 50"}, "note": "2x lenses on A"}]}"#,
    )
    .unwrap();
    let plain = json(&rushes(&["inspect", "--json", s(&roll)]));
    let out = rushes(&["inspect", "--json", "--overrides", s(&overrides), s(&roll)]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let fixed = json(&out);
    for c in clips(&fixed) {
        assert_eq!(c["lens"]["squeeze"], 2.0, "{c}");
        assert_eq!(c["lens"]["model"], "Anamorphic 50", "{c}");
    }
    let card_ids = |r: &serde_json::Value| -> Vec<String> {
        r["format_cards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["card_id"].as_str().unwrap().to_string())
            .collect()
    };
    let (before, after) = (card_ids(&plain), card_ids(&fixed));
    assert_eq!(before.len(), 1);
    assert_eq!(after.len(), 1);
    assert!(before[0].ends_with("/1x"), "{before:?}");
    assert!(after[0].ends_with("/2x"), "{after:?}");
    assert_eq!(
        fixed["format_cards"][0]["overrides_applied"],
        serde_json::json!([0])
    );
}
