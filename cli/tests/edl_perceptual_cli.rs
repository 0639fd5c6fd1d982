//! `rushes edl match --library --reference` end to end: the demo's library (sample card,
//! ingested and inspected), a cut whose second event has a scrambled reel, no clip name and a
//! wrong source hour, and reference frames developed from the library's own DNGs by rawpy and
//! shrunk. The scrambled event is resolved perceptually to its clip and exact frames; the
//! others are matched by metadata and confirmed. Then bad inputs give clear errors.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use rushes_test_support::{ref_python, run_python, skip, workspace_root};

fn rushes(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_rushes"))
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The DNG frames of `clip_id` (`<roll>/<clip name>`) in the library, in frame order.
fn frames_of(library: &Path, clip_id: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(library.join("rolls").join(clip_id))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "dng"))
        .collect();
    files.sort();
    files
}

#[test]
fn scrambled_reel_is_resolved_from_reference_frames() {
    let test = "scrambled_reel_is_resolved_from_reference_frames";
    let Some(python) = ref_python() else {
        return skip(
            test,
            "the reference venv's python3 (rawpy) is not installed",
        );
    };
    let dir = tempfile::tempdir().unwrap();
    let demo = dir.path().join("demo");
    let out = rushes(&["demo", demo.to_str().unwrap()]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let library = demo.join("library");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(demo.join("pull-match-report.json")).unwrap())
            .unwrap();
    let pull = std::fs::read_to_string(demo.join("pull.edl")).unwrap();

    // The first three demo events are cut from 23.976 clips of roll A001, each from the clip's
    // second frame. Keep them; scramble event 2.
    let mut edl = String::new();
    let mut clip_ids = Vec::new();
    let mut dngs = Vec::new();
    let mut event = 0;
    for line in pull.lines() {
        let fields: Vec<&str> = line.split_whitespace().collect();
        if fields.len() == 8
            && fields[0].len() == 3
            && fields[0].bytes().all(|b| b.is_ascii_digit())
        {
            event += 1;
            if event > 3 {
                break;
            }
            let clip_id = report["events"][event - 1]["outcome"]["clip_id"]
                .as_str()
                .unwrap()
                .to_string();
            assert!(clip_id.starts_with("A001/"), "{clip_id}");
            let length = frame_of(fields[7]) - frame_of(fields[6]);
            dngs.extend(
                frames_of(&library, &clip_id)
                    .into_iter()
                    .skip(1)
                    .take(length),
            );
            clip_ids.push(clip_id);
            if event == 2 {
                let wrong_hour = format!(
                    "{:02}{}",
                    5 + fields[4][..2].parse::<u32>().unwrap(),
                    &fields[4][2..]
                );
                let wrong_out = format!(
                    "{:02}{}",
                    5 + fields[5][..2].parse::<u32>().unwrap(),
                    &fields[5][2..]
                );
                edl.push_str(&format!(
                    "002  ZZTOP9   V     C        {wrong_hour} {wrong_out} {} {}\n",
                    fields[6], fields[7]
                ));
                continue;
            }
        } else if event == 2 && line.starts_with("* FROM CLIP NAME") {
            continue;
        }
        if event <= 3 {
            edl.push_str(line);
            edl.push('\n');
        }
    }
    assert_eq!(clip_ids.len(), 3);
    let edl_path = dir.path().join("scrambled.edl");
    std::fs::write(&edl_path, &edl).unwrap();

    let reference = dir.path().join("ref");
    let script = workspace_root().join("cli/tests/perceptual_ref/render_dng.py");
    let mut args: Vec<&std::ffi::OsStr> = vec![reference.as_os_str()];
    args.extend(dngs.iter().map(|p| p.as_os_str()));
    run_python(&python, &script, &args, Vec::new());

    let run = || {
        rushes(&[
            "edl",
            "match",
            edl_path.to_str().unwrap(),
            "--library",
            library.to_str().unwrap(),
            "--reference",
            reference.to_str().unwrap(),
            "--rate",
            "23.976",
            "--json",
        ])
    };
    let out = run();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}\n{}",
        text(&out.stdout),
        text(&out.stderr)
    );
    let matched: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let events = matched["events"].as_array().unwrap();
    assert_eq!(events.len(), 3);
    let scrambled = &events[1];
    assert_eq!(scrambled["outcome"]["rule"], "perceptual", "{scrambled:#}");
    assert_eq!(
        scrambled["outcome"]["clip_id"],
        clip_ids[1].as_str(),
        "{scrambled:#}"
    );
    assert_eq!(scrambled["perceptual"]["verdict"], "resolved");
    // The frames: the demo cut from the clip's second frame, which the library's own timecode
    // puts at (start + 1); the demo report's handles clamp at the clip's head, giving the start.
    // The sample clips are 4-6 frames of a nearly static scene (only a small ball moves), so
    // the pictures fix the in-point only within the reported spread, and say so in a warning.
    let demo_frames = &report["events"][1]["outcome"]["source_frames"];
    let clip_start = demo_frames["start"].as_i64().unwrap();
    let length = pull_length(&edl, 2);
    let frames = &scrambled["outcome"]["source_frames"];
    let start = frames["start"].as_i64().unwrap();
    let spread = scrambled["perceptual"]["candidates"][0]["offset_spread"]
        .as_i64()
        .unwrap();
    assert!((start - (clip_start + 1)).abs() <= spread, "{scrambled:#}");
    assert_eq!(frames["end_exclusive"].as_i64().unwrap() - start, length);
    if spread > 0 {
        let warnings = scrambled["warnings"].to_string();
        assert!(warnings.contains("in-point uncertain"), "{warnings}");
    }
    let distance = scrambled["perceptual"]["distance"].as_f64().unwrap();
    let margin = scrambled["perceptual"]["clip_margin"].as_f64().unwrap();
    eprintln!("scrambled event: distance {distance:.3}, margin {margin:.3}, spread {spread}");
    // The metadata matches are checked and not contradicted. (The sample card's B camera shot
    // the same takes, so a check may find a look-alike on B001 and stay ambiguous: no warning.)
    for i in [0, 2] {
        assert_eq!(events[i]["outcome"]["rule"], "exact", "{:#}", events[i]);
        let verdict = events[i]["perceptual"]["verdict"].as_str().unwrap();
        eprintln!("event {}: perceptual check {verdict}", i + 1);
        assert!(
            matches!(verdict, "confirmed" | "ambiguous"),
            "{:#}",
            events[i]
        );
        assert_eq!(
            events[i]["warnings"],
            serde_json::json!([]),
            "{:#}",
            events[i]
        );
    }
    assert_eq!(matched["summary"]["perceptual"], 1);

    // The signatures were cached next to the library, and a second run uses them.
    let cached = library
        .join("index/perceptual")
        .join(&clip_ids[1])
        .with_extension("json");
    assert!(cached.is_file(), "{}", cached.display());
    let before = std::fs::metadata(&cached).unwrap().modified().unwrap();
    let again = run();
    assert_eq!(again.stdout, out.stdout);
    assert_eq!(
        std::fs::metadata(&cached).unwrap().modified().unwrap(),
        before
    );

    bad_inputs(dir.path(), &edl_path, &library);
}

fn frame_of(tc: &str) -> usize {
    let p: Vec<usize> = tc.split([':', ';']).map(|f| f.parse().unwrap()).collect();
    ((p[0] * 60 + p[1]) * 60 + p[2]) * 24 + p[3]
}

fn pull_length(edl: &str, event: usize) -> i64 {
    let line = edl
        .lines()
        .find(|l| l.starts_with(&format!("{event:03} ")))
        .unwrap();
    let f: Vec<&str> = line.split_whitespace().collect();
    (frame_of(f[7]) - frame_of(f[6])) as i64
}

fn bad_inputs(dir: &Path, edl: &Path, library: &Path) {
    let edl = edl.to_str().unwrap();
    let lib = library.to_str().unwrap();
    let fails = |args: &[&str], expected: &str| {
        let out = rushes(args);
        let err = text(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
        assert!(err.contains(expected), "{args:?}: {err}");
    };
    // A folder that is no library.
    let empty = dir.join("not-a-library");
    std::fs::create_dir_all(&empty).unwrap();
    fails(
        &["edl", "match", edl, "--library", empty.to_str().unwrap()],
        "not a rushes library",
    );
    assert!(
        !empty.join("catalog.redb").exists(),
        "no catalog is created"
    );
    // An empty reference folder.
    let refs = dir.join("bad-ref");
    std::fs::create_dir_all(&refs).unwrap();
    let r = refs.to_str().unwrap();
    let with_ref = ["edl", "match", edl, "--library", lib, "--reference", r];
    fails(&with_ref, "no PNG, JPEG or TIFF images");
    fails(
        &[
            "edl",
            "match",
            edl,
            "--library",
            lib,
            "--reference",
            dir.join("nowhere").to_str().unwrap(),
        ],
        "cannot read the folder",
    );
    // An image that does not decode.
    std::fs::write(refs.join("000001.png"), b"not a png at all").unwrap();
    fails(&with_ref, "000001.png: cannot decode the image");
    // Frames of different sizes.
    image::GrayImage::new(64, 36)
        .save(refs.join("000001.png"))
        .unwrap();
    image::GrayImage::new(32, 18)
        .save(refs.join("000002.png"))
        .unwrap();
    fails(&with_ref, "must share a size");
    // A frame too small to compare.
    std::fs::remove_file(refs.join("000001.png")).unwrap();
    image::GrayImage::new(8, 8)
        .save(refs.join("000002.png"))
        .unwrap();
    fails(&with_ref, "too small to compare");
    // --reference needs --library.
    fails(
        &["edl", "match", edl, "--clips", "x.json", "--reference", r],
        "--reference needs --library",
    );
    // Neither --clips nor --library.
    let out = rushes(&["edl", "match", edl]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
}
