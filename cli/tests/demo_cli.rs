//! `rushes demo` end to end: the sample card is ingested, inspected and a demo cut is matched
//! back to the ingested clips (the README's main command).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::Command;

#[test]
fn demo_ingests_inspects_and_matches_a_cut() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_rushes"))
        .arg("demo")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("3/3 matching a demo cut"), "{stdout}");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out_dir.join("pull-match-report.json")).unwrap())
            .unwrap();
    let summary = &report["summary"];
    // Three events on the 23.976 roll match exactly; the 25 fps roll's event matches fuzzily
    // (rate mismatch, labels kept), never silently.
    assert_eq!(summary["events"], 4, "{summary}");
    assert_eq!(summary["matched"], 4, "{summary}");
    assert_eq!(summary["exact"], 3, "{summary}");
    assert_eq!(summary["fuzzy"], 1, "{summary}");
    assert_eq!(summary["missing"], 0, "{summary}");
    // The library holds every roll, verified, and the cut that was matched.
    for roll in ["A001", "B001", "S001"] {
        assert!(
            out_dir
                .join("library/rolls")
                .join(roll)
                .join("ascmhl")
                .is_dir()
        );
    }
    assert!(out_dir.join("pull.edl").is_file());
    // A second run replaces its own folder.
    let again = Command::new(env!("CARGO_BIN_EXE_rushes"))
        .arg("demo")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
}
