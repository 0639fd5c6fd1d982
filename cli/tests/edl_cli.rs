//! `rushes edl info` and `rushes edl match` as a user runs them: tables, JSON, exit codes and
//! error messages naming the file and line.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::{Command, Output};

fn rushes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
        .args(args)
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

const LIST: &str = "TITLE: cli test\n\
FCM: NON-DROP FRAME\n\
001  A001C003 V     C        01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n\
* FROM CLIP NAME: A001C003_230612_R1AB\n\
* ASC_SOP (1.1 1.0 0.9)(0.01 0.0 -0.01)(1.0 1.0 1.0)\n\
* ASC_SAT 0.8\n\
002  B001C001 AA    C        02:00:00:00 02:00:01:00 00:00:01:00 00:00:02:00\n\
003  A001C003 V     C        01:00:03:00 01:00:04:00 00:00:02:00 00:00:03:00\n\
M2   A001C003       012.0                01:00:03:00\n\
004  A001C009 V     C        01:00:03:00 01:00:04:00 00:00:03:00 00:00:04:00\n\
TITLE: again\n";

const CLIPS: &str = r#"[
  {"clip_id": "cam-a", "reel": "A001C003", "clip_name": "A001C003_230612_R1AB",
   "file_names": ["A001C003_230612_R1AB.mxf"],
   "rate": {"num": 24, "den": 1, "drop_frame": false},
   "start": 86400, "frame_count": 240, "shoot_date": "2023-06-12"},
  {"clip_id": "snd", "clip_name": "b001c001",
   "rate": {"num": 24, "den": 1, "drop_frame": false},
   "start": 172800, "frame_count": 48}
]"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

#[test]
fn info_table_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let edl = write(dir.path(), "cut.edl", LIST);
    let out = rushes(&["edl", "info", &edl]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let table = stdout(&out);
    assert!(table.contains("TITLE: cli test"), "{table}");
    let first = table.lines().find(|l| l.starts_with("1 ")).unwrap();
    for part in [
        "A001C003",
        "A001C003_230612_R1AB",
        "01:00:01:00",
        "01:00:02:00",
        "sat 0.8",
    ] {
        assert!(first.contains(part), "{part}: {first}");
    }
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("2 ") && l.contains("A1,2")),
        "{table}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("3 ") && l.contains("12.0fps")),
        "{table}"
    );
    assert!(table.contains("warning: line 11"), "{table}");
    let out = rushes(&["edl", "info", &edl, "--json", "--rate", "25"]);
    assert_eq!(out.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["events"].as_array().unwrap().len(), 4);
    assert_eq!(json["rate"]["num"], 25);
    assert_eq!(json["events"][0]["cdl"]["saturation"], 0.8);
}

#[test]
fn parse_errors_name_the_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let bad = write(
        dir.path(),
        "bad.edl",
        "TITLE: x\n001  A V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
         002  A V C 01:00:00:30 01:00:01:00 00:00:01:00 00:00:02:00\n",
    );
    let out = rushes(&["edl", "info", &bad, "--rate", "25"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.contains("bad.edl") && err.contains("line 3"), "{err}");
    let otio = write(dir.path(), "bad.otio", "{\"OTIO_SCHEMA\": 3}");
    let out = rushes(&["edl", "info", &otio]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("bad.otio"), "{}", stderr(&out));
    let out = rushes(&[
        "edl",
        "info",
        &dir.path().join("none.edl").display().to_string(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let out = rushes(&["edl", "info", &bad, "--rate", "fast"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("--rate"), "{}", stderr(&out));
}

#[test]
fn match_table_json_and_exit_codes() {
    let dir = tempfile::tempdir().unwrap();
    let edl = write(dir.path(), "cut.edl", LIST);
    let clips = write(dir.path(), "clips.json", CLIPS);
    let out = rushes(&[
        "edl",
        "match",
        &edl,
        "--clips",
        &clips,
        "--handles",
        "8",
        "--json",
    ]);
    // Event 4 (A001C009) has no clip: exit 3.
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = report["events"].as_array().unwrap();
    assert_eq!(events[0]["outcome"]["kind"], "matched");
    assert_eq!(events[0]["outcome"]["rule"], "exact");
    assert_eq!(
        events[0]["outcome"]["source_frames"]["start"],
        86_400 + 24 - 8
    );
    assert_eq!(
        events[0]["outcome"]["source_frames"]["end_exclusive"],
        86_400 + 48 + 8
    );
    assert_eq!(events[1]["outcome"]["clip_id"], "snd");
    assert_eq!(events[1]["outcome"]["rule"], "fuzzy");
    assert_eq!(events[3]["outcome"]["kind"], "missing");
    assert_eq!(report["summary"]["matched"], 3);
    assert_eq!(report["summary"]["missing"], 1);
    let out = rushes(&["edl", "match", &edl, "--clips", &clips]);
    let table = stdout(&out);
    assert!(
        table.contains("cam-a") && table.contains("missing"),
        "{table}"
    );
    assert!(table.contains("4 events: 3 matched"), "{table}");
    // All matched: exit 0.
    let short = write(dir.path(), "one.edl", &LIST[..LIST.find("002").unwrap()]);
    let out = rushes(&["edl", "match", &short, "--clips", &clips]);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    // A broken clip list names the file.
    let broken = write(dir.path(), "broken.json", "[{\"clip_id\": 1}]");
    let out = rushes(&["edl", "match", &edl, "--clips", &broken]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("broken.json"), "{}", stderr(&out));
    let negative = write(
        dir.path(),
        "negative.json",
        r#"[{"clip_id": "n", "rate": {"num": 24, "den": 1, "drop_frame": false},
            "start": -1, "frame_count": 1}]"#,
    );
    let out = rushes(&["edl", "match", &edl, "--clips", &negative]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("negative.json") && err.contains("[0]"),
        "{err}"
    );
}
