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
    assert!(stdout.contains("3/4 matching a demo cut"), "{stdout}");
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
    // The conform package holds the cut's frames plus handles, sealed with an ASC MHL that the
    // reference verifies.
    let package = out_dir.join("library/pulls/demo");
    assert!(package.join("ascmhl").is_dir(), "{stdout}");
    let frames = count_files(&package.join("A001")) + count_files(&package.join("B001"));
    assert!(frames >= 4 * 3, "{frames} frames pulled");
    if let Some(debug) = rushes_test_support::ref_tool("ascmhl-debug") {
        let verify = Command::new(debug)
            .arg("verify")
            .arg(&package)
            .output()
            .unwrap();
        assert!(verify.status.success(), "{verify:?}");
    } else {
        rushes_test_support::skip("demo package verify", "ascmhl-debug missing");
    }
    // A second run replaces its own folder.
    let again = Command::new(env!("CARGO_BIN_EXE_rushes"))
        .arg("demo")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(again.status.success(), "{again:?}");
}

/// Files below `dir` (0 when it does not exist).
fn count_files(dir: &std::path::Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    entries
        .map(|e| e.unwrap().path())
        .map(|p| if p.is_dir() { count_files(&p) } else { 1 })
        .sum()
}
