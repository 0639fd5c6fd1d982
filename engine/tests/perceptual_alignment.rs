//! Perceptual resolution end to end in the engine: a synthetic library of pans over natural
//! photographs (scikit-image, written by `perceptual_ref/make_library.py`, two near-duplicate
//! clips among them), an EDL whose reel names and source timecodes fit no clip, and reference
//! frames that were graded, shrunk, JPEG-compressed and (once) letterboxed. Every event must
//! resolve to its clip and exact in-point; the near duplicate stays ambiguous; the reference
//! from no clip stays missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use rushes_engine::edl::matching::perceptual::{
    ClipSignatures, FrameSignature, LumaImage, PerceptualOptions, ReferenceFrames, SampledFrame,
    Verdict, apply_perceptual,
};
use rushes_engine::edl::matching::{LibraryClip, MatchOptions, Outcome, Rule, match_edl};
use rushes_engine::edl::{Cmx3600Options, parse_cmx3600};
use rushes_engine::timecode::{FrameRate, Timecode};
use rushes_test_support::{ref_python, run_python, skip, workspace_root};

#[derive(serde::Deserialize)]
struct Plan {
    clips: std::collections::BTreeMap<String, u64>,
    events: Vec<PlannedEvent>,
}

#[derive(serde::Deserialize)]
struct PlannedEvent {
    clip: Option<String>,
    offset: u64,
    length: u64,
}

/// Reads a binary PGM (P5, 8-bit) written by Pillow.
fn read_pgm(path: &Path) -> LumaImage {
    let bytes = std::fs::read(path).unwrap();
    let mut fields = Vec::new();
    let mut at = 0;
    while fields.len() < 4 {
        while bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        let start = at;
        while !bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        fields.push(String::from_utf8(bytes[start..at].to_vec()).unwrap());
    }
    assert_eq!(fields[0], "P5");
    let (w, h): (usize, usize) = (fields[1].parse().unwrap(), fields[2].parse().unwrap());
    LumaImage::from_luma_u8(&path.display().to_string(), w, h, &bytes[at + 1..]).unwrap()
}

#[test]
fn events_resolve_to_their_clip_and_in_point() {
    let test = "events_resolve_to_their_clip_and_in_point";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let script = workspace_root().join("engine/tests/perceptual_ref/make_library.py");
    let output = run_python(&python, &script, &[dir.path().as_os_str()], Vec::new());
    let plan: Plan = serde_json::from_slice(&output).unwrap();

    let rate = FrameRate::FPS_24;
    let hour = 24 * 3600;
    let mut clips = Vec::new();
    let mut signatures = Vec::new();
    for (i, (name, &frames)) in plan.clips.iter().enumerate() {
        clips.push(LibraryClip {
            clip_id: name.clone(),
            roll: Some("A001".into()),
            reel: Some(format!("A001C00{}", i + 1)),
            clip_name: Some(format!("A001C00{}", i + 1)),
            file_names: vec![],
            camera: None,
            rate,
            start: (10 + i as i64) * hour,
            frame_count: frames,
            shoot_date: None,
        });
        signatures.push(ClipSignatures {
            clip_id: name.clone(),
            frame_count: frames,
            frames: (0..frames)
                .map(|offset| SampledFrame {
                    offset,
                    signature: FrameSignature::of(&read_pgm(
                        &dir.path().join(format!("clips/{name}/{offset}.pgm")),
                    )),
                })
                .collect(),
        });
    }

    // Reel names that are no clip's, source timecode in no clip: metadata finds nothing.
    let mut edl = String::from("TITLE: PERCEPTUAL\nFCM: NON-DROP FRAME\n\n");
    let mut record = hour;
    let mut reference = ReferenceFrames::default();
    let mut index = 0;
    for (n, e) in plan.events.iter().enumerate() {
        let tc = |f: i64| Timecode::from_frame(f as u64, rate).unwrap().to_string();
        let source = 20 * hour + 100 * n as i64;
        let len = e.length as i64;
        edl.push_str(&format!(
            "{:03}  TAPE{n:<4} V     C        {} {} {} {}\n",
            n + 1,
            tc(source),
            tc(source + len),
            tc(record),
            tc(record + len)
        ));
        for k in 0..len {
            let image = read_pgm(&dir.path().join(format!("ref/{index}.pgm")));
            reference
                .frames
                .insert(record + k, FrameSignature::of(&image));
            index += 1;
        }
        record += len;
    }
    let list = parse_cmx3600("cut.edl", edl.as_bytes(), &Cmx3600Options::new(rate)).unwrap();
    let mut report = match_edl(&list, &clips, &MatchOptions::default()).unwrap();
    assert_eq!(report.summary.missing, 5, "{}", report.to_table());
    let options = PerceptualOptions {
        handles: 2,
        ..PerceptualOptions::default()
    };
    apply_perceptual(
        &mut report,
        &list,
        &clips,
        &signatures,
        &reference,
        &options,
    )
    .unwrap();
    let table = report.to_table();

    for (event, planned) in report.events.iter().zip(&plan.events) {
        let evidence = event.perceptual.as_ref().unwrap();
        match planned.clip.as_deref() {
            Some("cam_a") => {
                // cam_b is the same pan a level step and light noise away: never a silent pick.
                assert_eq!(evidence.verdict, Verdict::Ambiguous, "{table}");
                let Outcome::Ambiguous { candidates } = &event.outcome else {
                    panic!("{table}");
                };
                let mut ids: Vec<&str> = candidates.iter().map(|c| c.clip_id.as_str()).collect();
                ids.sort_unstable();
                assert_eq!(ids, ["cam_a", "cam_b"], "{table}");
                // Both align at the right in-point.
                for c in evidence.candidates.iter().take(2) {
                    let clip = clips.iter().find(|l| l.clip_id == c.clip_id).unwrap();
                    assert_eq!(c.source_frames.start, clip.start + planned.offset as i64);
                }
            }
            Some(name) => {
                let clip = clips.iter().find(|c| c.clip_id == name).unwrap();
                let core = clip.start + planned.offset as i64;
                let Outcome::Matched {
                    clip_id,
                    source_frames,
                    rule,
                    score,
                } = &event.outcome
                else {
                    panic!("{name}: {table}");
                };
                assert_eq!(
                    (clip_id.as_str(), *rule),
                    (name, Rule::Perceptual),
                    "{table}"
                );
                // Exact in-point (to the frame) plus the 2 handles, clipped at the clip's head.
                let head = (core - 2).max(clip.start);
                assert_eq!(source_frames.start, head, "{name}: {table}");
                assert_eq!(
                    source_frames.end_exclusive,
                    core + planned.length as i64 + 2,
                    "{name}: {table}"
                );
                assert_eq!(evidence.verdict, Verdict::Resolved);
                assert!(*score >= 50, "{name}: score {score}\n{table}");
                let best = &evidence.candidates[0];
                assert!(best.distance < 0.15, "{name}: {best:?}");
                assert!(evidence.clip_margin.unwrap() >= 0.1, "{name}: {evidence:?}");
                assert_eq!(best.offset_spread, 0, "{name}: {best:?}");
            }
            None => {
                assert_eq!(evidence.verdict, Verdict::NoMatch, "{table}");
                assert!(matches!(event.outcome, Outcome::Missing { .. }), "{table}");
            }
        }
    }
    eprintln!("{table}");
    assert_eq!(report.summary.perceptual, 3, "{table}");
    assert_eq!(report.summary.ambiguous, 1);
    assert_eq!(report.summary.missing, 1);
    assert!(table.contains("perceptual"), "{table}");
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["events"][0]["outcome"]["rule"], "perceptual");
    assert!(json["events"][0]["perceptual"]["clip_margin"].is_number());
}

#[test]
fn metadata_matches_are_checked() {
    // Two clips of different pictures; the EDL names clip "a" but its reference shows "b".
    let frame = |seed: u32, t: u64| {
        let (w, h) = (64, 36);
        let px = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32 + 2.0 * t as f32, (i / w) as f32);
                100.0 + 80.0 * ((x / 9.0 + seed as f32).sin() * (y / (5.0 + seed as f32)).cos())
            })
            .collect();
        FrameSignature::of(&LumaImage::new("f", w, h, px).unwrap())
    };
    let rate = FrameRate::FPS_24;
    let mk = |id: &str, start| LibraryClip {
        clip_id: id.into(),
        roll: None,
        reel: Some(id.to_uppercase()),
        clip_name: None,
        file_names: vec![],
        camera: None,
        rate,
        start,
        frame_count: 20,
        shoot_date: None,
    };
    let clips = vec![mk("a", 1000), mk("b", 5000)];
    let sigs: Vec<ClipSignatures> = [(0, "a"), (3, "b")]
        .iter()
        .map(|&(seed, id)| ClipSignatures {
            clip_id: id.into(),
            frame_count: 20,
            frames: (0..20)
                .map(|offset| SampledFrame {
                    offset,
                    signature: frame(seed, offset),
                })
                .collect(),
        })
        .collect();
    let tc = |f: u64| Timecode::from_frame(f, rate).unwrap().to_string();
    let edl = format!(
        "001  A        V     C        {} {} {} {}\n002  B        V     C        {} {} {} {}\n",
        tc(1004),
        tc(1008),
        tc(86_400),
        tc(86_404),
        tc(5002),
        tc(5006),
        tc(86_404),
        tc(86_408)
    );
    let list = parse_cmx3600("check.edl", edl.as_bytes(), &Cmx3600Options::new(rate)).unwrap();
    let mut report = match_edl(&list, &clips, &MatchOptions::default()).unwrap();
    let mut reference = ReferenceFrames::default();
    for k in 0..4 {
        // Event 1's frames come from clip b (the metadata is wrong); event 2's agree.
        reference.frames.insert(86_400 + k, frame(3, 7 + k as u64));
        reference.frames.insert(86_404 + k, frame(3, 2 + k as u64));
    }
    let options = PerceptualOptions::default();
    apply_perceptual(&mut report, &list, &clips, &sigs, &reference, &options).unwrap();
    let first = &report.events[0];
    assert!(matches!(&first.outcome, Outcome::Matched { clip_id, .. } if clip_id == "a"));
    assert_eq!(
        first.perceptual.as_ref().unwrap().verdict,
        Verdict::Disagrees
    );
    assert!(
        first
            .warnings
            .iter()
            .any(|w| w.contains("looks like b") || w.contains("look like b")),
        "{:?}",
        first.warnings
    );
    let second = &report.events[1];
    assert_eq!(
        second.perceptual.as_ref().unwrap().verdict,
        Verdict::Confirmed
    );
    assert!(second.warnings.is_empty(), "{:?}", second.warnings);

    // A report that does not belong to the list is refused.
    let mut short = report.clone();
    short.events.pop();
    let err = apply_perceptual(&mut short, &list, &clips, &sigs, &reference, &options)
        .unwrap_err()
        .to_string();
    assert!(err.contains("1 event lines, the list has 2"), "{err}");
}
