//! The EDL matching layer: every rule, ambiguity, reel collisions, truncation, rate
//! mismatches, speeds, dissolves, handles, bad clips; and an end-to-end run over a shared EDL
//! with a library built from its own events, then perturbed.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use rushes_engine::edl::matching::{
    LibraryClip, MatchOptions, MatchReport, Outcome, Rule, core_frames, match_edl, transition_tails,
};
use rushes_engine::edl::{Cmx3600Options, Edl, SourceKind, parse_cmx3600};
use rushes_engine::timecode::{FrameRange, FrameRate, Timecode};
use rushes_test_support::{shared_data, skip_no_data};

fn edl(text: &str, rate: FrameRate) -> Edl {
    parse_cmx3600("test.edl", text.as_bytes(), &Cmx3600Options::new(rate)).unwrap()
}

fn frame(tc: &str, rate: FrameRate) -> i64 {
    i64::try_from(Timecode::parse(tc, rate).unwrap().to_frame()).unwrap()
}

/// A clip named `name` starting at `tc` for `frames` frames.
fn clip(id: &str, name: &str, tc: &str, frames: u64, rate: FrameRate) -> LibraryClip {
    LibraryClip {
        clip_id: id.into(),
        roll: None,
        reel: None,
        clip_name: Some(name.into()),
        file_names: vec![format!("{name}.mxf")],
        camera: None,
        rate,
        start: frame(tc, rate),
        frame_count: frames,
        shoot_date: None,
    }
}

fn run(text: &str, rate: FrameRate, clips: &[LibraryClip], handles: u64) -> MatchReport {
    let options = MatchOptions {
        handles,
        ..MatchOptions::default()
    };
    match_edl(&edl(text, rate), clips, &options).unwrap()
}

fn matched(report: &MatchReport, index: usize) -> (String, FrameRange, Rule, u8) {
    match &report.events[index].outcome {
        Outcome::Matched {
            clip_id,
            source_frames,
            rule,
            score,
        } => (clip_id.clone(), *source_frames, *rule, *score),
        other => panic!(
            "event {index} not matched: {other:?}\n{}",
            report.to_table()
        ),
    }
}

fn range(a: i64, b: i64) -> FrameRange {
    FrameRange::new(a, b).unwrap()
}

const R24: FrameRate = FrameRate::FPS_24;

#[test]
fn exact_by_reel_and_by_clip_name() {
    let list = "TITLE: exact\n\
        001  A001C003 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n\
        002  001      V C 01:00:01:00 01:00:02:00 00:00:01:00 00:00:02:00\n\
        * FROM CLIP NAME: A001C003_230612_R1AB\n";
    let mut c = clip("c1", "A001C003_230612_R1AB", "01:00:00:00", 240, R24);
    c.reel = Some("A001C003".into());
    let decoy = clip("c2", "B001C001_230612_R2CD", "01:00:00:00", 240, R24);
    let report = run(list, R24, &[c, decoy], 0);
    let hour = 86_400;
    assert_eq!(
        matched(&report, 0),
        ("c1".into(), range(hour + 24, hour + 48), Rule::Exact, 100)
    );
    assert_eq!(matched(&report, 1).2, Rule::Exact);
    assert!(report.events[1].reasons[0].contains("clip name"));
    // Every clip considered is listed: the decoy shares the timecode, not the name.
    let listed: Vec<_> = report.events[0]
        .candidates
        .iter()
        .map(|c| (c.clip_id.as_str(), c.plausible, c.rule))
        .collect();
    assert_eq!(
        listed,
        [("c1", true, Rule::Exact), ("c2", false, Rule::TimecodeOnly)]
    );
    assert!(
        report.events[0].candidates[1]
            .reasons
            .iter()
            .any(|r| r.contains("is not the event's A001C003"))
    );
    assert_eq!(report.summary.exact, 2);
    assert_eq!(report.title.as_deref(), Some("exact"));
}

#[test]
fn fuzzy_case_extension_camera_naming_truncation_and_comments() {
    let list = "001  a001c003 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n\
        002  A001_C003 V C 01:00:01:00 01:00:02:00 00:00:01:00 00:00:02:00\n\
        003  INTERVIE V C 02:00:00:00 02:00:01:00 00:00:02:00 00:00:03:00\n\
        004  TAPE9    V C 01:00:01:00 01:00:02:00 00:00:03:00 00:00:04:00\n\
        * SOURCE FILE: /card/A001/a001c003_230612_r1ab.MXF\n\
        005  TAPE9    V C 01:00:01:00 01:00:02:00 00:00:04:00 00:00:05:00\n\
        * NOTE: reshoot of A001C003_230612_R1AB\n";
    let cam = clip("cam", "A001C003_230612_R1AB", "01:00:00:00", 240, R24);
    let interview = clip("int", "INTERVIEW_WIDE", "02:00:00:00", 240, R24);
    let report = run(list, R24, &[cam, interview], 0);
    for index in [0, 1, 3, 4] {
        let (id, _, rule, score) = matched(&report, index);
        assert_eq!((id.as_str(), rule), ("cam", Rule::Fuzzy), "event {index}");
        assert!((80..100).contains(&score), "{score}");
    }
    let (id, frames, rule, score) = matched(&report, 2);
    assert_eq!((id.as_str(), rule, score), ("int", Rule::Fuzzy, 75));
    assert_eq!(frames, range(2 * 86_400, 2 * 86_400 + 24));
    assert!(report.events[2].reasons[0].contains("8 characters"));
    assert!(report.events[1].reasons[0].contains("camera clip A001C003"));
}

#[test]
fn timecode_only_when_no_name_matches() {
    let list = "001  TAPE1 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n\
        002  TAPE1 V C 03:00:01:00 03:00:02:00 00:00:01:00 00:00:02:00\n\
        003  TAPE1 V C 05:00:00:00 05:00:01:00 00:00:02:00 00:00:03:00\n";
    let mut day1 = clip("day1", "X1", "01:00:00:00", 240, R24);
    day1.shoot_date = Some("2023-06-12".into());
    let mut day2 = clip("day2", "X2", "03:00:00:00", 240, R24);
    day2.shoot_date = Some("2023-06-13".into());
    let mut day3 = clip("day3", "X3", "03:00:00:00", 240, R24);
    day3.shoot_date = Some("2023-06-14".into());
    let report = run(list, R24, &[day1, day2, day3], 0);
    let (id, _, rule, score) = matched(&report, 0);
    assert_eq!((id.as_str(), rule, score), ("day1", Rule::TimecodeOnly, 40));
    assert!(report.events[0].warnings[0].contains("timecode only"));
    // Two shoot days hold 03:00:01:00: never a silent pick.
    match &report.events[1].outcome {
        Outcome::Ambiguous { candidates } => {
            let ids: Vec<_> = candidates.iter().map(|c| c.clip_id.as_str()).collect();
            assert_eq!(ids, ["day2", "day3"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        &report.events[2].outcome,
        Outcome::Missing { near_misses } if near_misses.is_empty()
    ));
    // Switched off, the lone fit becomes a near miss.
    let off = MatchOptions {
        timecode_only: false,
        ..MatchOptions::default()
    };
    let clips = [clip("day1", "X1", "01:00:00:00", 240, R24)];
    let report = match_edl(&edl(list, R24), &clips, &off).unwrap();
    match &report.events[0].outcome {
        Outcome::Missing { near_misses } => {
            assert_eq!(near_misses[0].clip_id, "day1");
            assert!(near_misses[0].reasons.iter().any(|r| r.contains("is off")));
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn reel_collisions_across_shoot_days() {
    // The same roll/clip name on two days with different timecode: the timecode decides.
    let mut monday = clip("mon", "A001C001", "10:00:00:00", 480, R24);
    monday.shoot_date = Some("230612".into());
    let mut tuesday = clip("tue", "A001C001", "14:00:00:00", 480, R24);
    tuesday.shoot_date = Some("230613".into());
    let list = "001  A001C001 V C 14:00:05:00 14:00:06:00 00:00:00:00 00:00:01:00\n";
    let report = run(list, R24, &[monday.clone(), tuesday.clone()], 0);
    assert_eq!(matched(&report, 0).0, "tue");
    // Same timecode on both days: ambiguous unless the event names its day.
    tuesday.start = monday.start;
    let list = "001  A001C001 V C 10:00:05:00 10:00:06:00 00:00:00:00 00:00:01:00\n";
    let report = run(list, R24, &[monday.clone(), tuesday.clone()], 0);
    match &report.events[0].outcome {
        Outcome::Ambiguous { candidates } => {
            assert_eq!(candidates.len(), 2);
            assert!(
                candidates
                    .iter()
                    .all(|c| c.rule == Rule::Exact && c.score == 100)
            );
        }
        other => panic!("{other:?}"),
    }
    assert!(report.events[0].reasons[0].contains("not picking"));
    let dated = "001  A001C001 V C 10:00:05:00 10:00:06:00 00:00:00:00 00:00:01:00\n\
        * SOURCE FILE: A001C001_230613_R1AB\n";
    let report = run(dated, R24, &[monday, tuesday], 0);
    assert_eq!(matched(&report, 0).0, "tue");
    assert!(
        report.events[0]
            .reasons
            .iter()
            .any(|r| r.contains("230613"))
    );
}

#[test]
fn rate_mismatches() {
    // A 23.976 list against a 24 fps clip: the same labels, exact.
    let list = "001  A001C003 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n";
    let c24 = clip("c", "A001C003", "01:00:00:00", 240, R24);
    let report = run(list, FrameRate::FPS_23_976, &[c24], 0);
    let (_, frames, rule, score) = matched(&report, 0);
    assert_eq!((rule, score), (Rule::Exact, 98));
    assert_eq!(frames, range(86_424, 86_448));
    assert!(
        report.events[0]
            .reasons
            .iter()
            .any(|r| r.contains("converted exactly"))
    );
    // A drop-frame list against a non-drop clip: 01:00:10;00 DF is label 01:00:10:00 NDF.
    let df = "FCM: DROP FRAME\n\
        001  A001C003 V C 01:00:10;00 01:00:11;00 00:00:00;00 00:00:01;00\n";
    let ndf = clip(
        "c",
        "A001C003",
        "01:00:00:00",
        900,
        FrameRate::FPS_29_97_NDF,
    );
    let report = run(df, FrameRate::FPS_29_97_DF, &[ndf], 0);
    let (_, frames, rule, _) = matched(&report, 0);
    assert_eq!(rule, Rule::Exact);
    let start = frame("01:00:10:00", FrameRate::FPS_29_97_NDF);
    assert_eq!(frames, range(start, start + 30));
    // 25 against 24: labels kept, rounded, fuzzy.
    let c24 = clip("c", "A001C003", "01:00:00:00", 240, R24);
    let report = run(list, FrameRate::FPS_25, &[c24], 0);
    let (_, frames, rule, score) = matched(&report, 0);
    assert_eq!((rule, score), (Rule::Fuzzy, 85));
    assert_eq!(frames, range(86_424, 86_448));
}

#[test]
fn speeds_dissolves_and_handles() {
    let list = "001  A001C001 V C        01:00:01:00 01:00:03:00 00:00:00:00 00:00:02:00\n\
        M2   A001C001       012.0                01:00:01:00\n\
        002  A001C002 V C        01:00:02:00 01:00:02:00 00:00:02:00 00:00:02:00\n\
        002  A001C003 V D 012    01:00:05:00 01:00:06:00 00:00:02:00 00:00:03:00\n\
        003  A001C003 V C        01:00:00:10 01:00:01:10 00:00:03:00 00:00:04:00\n\
        M2   A001C003       -024.0               01:00:01:09\n\
        004  BL       V C        00:00:00:00 00:00:01:00 00:00:04:00 00:00:05:00\n";
    let clips = [
        clip("c1", "A001C001", "01:00:00:00", 240, R24),
        clip("c2", "A001C002", "01:00:00:00", 240, R24),
        clip("c3", "A001C003", "01:00:00:00", 240, R24),
    ];
    let hour = 86_400;
    let report = run(list, R24, &clips, 8);
    // Half speed over 48 record frames: 24 source frames from 01:00:01:00, plus 8 each side.
    assert_eq!(matched(&report, 0).1, range(hour + 24 - 8, hour + 48 + 8));
    // The outgoing side of the 12-frame dissolve: 12 frames from 01:00:02:00, plus handles.
    assert_eq!(matched(&report, 1).1, range(hour + 48 - 8, hour + 60 + 8));
    assert!(
        report.events[1]
            .warnings
            .iter()
            .any(|w| w.contains("12 frames past"))
    );
    assert_eq!(matched(&report, 2).1, range(hour + 120 - 8, hour + 144 + 8));
    // Reverse from 01:00:01:09 over 24 frames: 01:00:00:10 to 01:00:01:09; the clip starts
    // 10 frames before, so the 8-frame head handle fits.
    assert_eq!(matched(&report, 3).1, range(hour + 10 - 8, hour + 34 + 8));
    assert!(matches!(report.events[4].outcome, Outcome::Skipped { .. }));
    assert_eq!(report.summary.skipped, 1);
    // Handles past the media are clipped with a warning.
    let report = run(list, R24, &clips, 24);
    assert_eq!(matched(&report, 3).1, range(hour, hour + 34 + 24));
    assert!(
        report.events[3]
            .warnings
            .iter()
            .any(|w| w.contains("handles run past the media") && w.contains("14 frames short"))
    );
}

#[test]
fn missing_lists_near_misses_and_why() {
    let list = "001  A001C003 V C 01:00:20:00 01:00:21:00 00:00:00:00 00:00:01:00\n";
    let c = clip("c", "A001C003", "01:00:00:00", 240, R24);
    let report = run(list, R24, &[c], 0);
    match &report.events[0].outcome {
        Outcome::Missing { near_misses } => {
            assert_eq!(near_misses[0].clip_id, "c");
            assert!(!near_misses[0].plausible);
            assert!(
                near_misses[0]
                    .reasons
                    .iter()
                    .any(|r| r.contains("lies outside"))
            );
            assert_eq!(near_misses[0].score, 60);
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(report.summary.missing, 1);
    let table = report.to_table();
    assert!(
        table.contains("missing") && table.contains("lies outside"),
        "{table}"
    );
    assert!(table.contains("1 events: 0 matched"), "{table}");
}

#[test]
fn bad_clips_are_refused() {
    let mut c = clip("c", "A", "01:00:00:00", 10, R24);
    c.start = -4;
    let err = match_edl(
        &edl("", R24),
        &[clip("ok", "B", "01:00:00:00", 1, R24), c],
        &MatchOptions::default(),
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("[1]") && err.contains("negative"), "{err}");
    let json = r#"[{"clip_id": "x", "rate": {"num": 24, "den": 0, "drop_frame": false},
        "start": 0, "frame_count": 1}]"#;
    assert!(serde_json::from_str::<Vec<LibraryClip>>(json).is_err());
}

#[test]
fn report_round_trips_through_json() {
    let list = "001  A001C003 V C 01:00:01:00 01:00:02:00 00:00:00:00 00:00:01:00\n";
    let report = run(
        list,
        R24,
        &[clip("c", "A001C003", "01:00:00:00", 240, R24)],
        0,
    );
    let json = serde_json::to_string(&report).unwrap();
    assert!(json.contains(r#""kind":"matched""#) && json.contains(r#""rule":"exact""#));
    let back: MatchReport = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
}

/// A library built from an EDL's own events: one clip per reel covering every frame its
/// events need, with 48 frames to spare.
fn library_from(edl: &Edl) -> Vec<LibraryClip> {
    let tails = transition_tails(&edl.events);
    let mut spans: BTreeMap<String, (Option<String>, FrameRate, i64, i64)> = BTreeMap::new();
    for (event, tail) in edl.events.iter().zip(tails) {
        if event.source_kind != SourceKind::Reel {
            continue;
        }
        let core = core_frames(event, tail, &mut Vec::new());
        let entry = spans.entry(event.reel.clone()).or_insert((
            event.clip_name.clone(),
            event.source_rate,
            core.start,
            core.end_exclusive,
        ));
        entry.2 = entry.2.min(core.start);
        entry.3 = entry.3.max(core.end_exclusive);
    }
    spans
        .into_iter()
        .enumerate()
        .map(|(i, (reel, (name, rate, start, end)))| {
            let start = (start - 48).max(0);
            LibraryClip {
                clip_id: format!("clip{i:03}"),
                roll: None,
                reel: Some(reel),
                clip_name: name,
                file_names: vec![],
                camera: None,
                rate,
                start,
                frame_count: u64::try_from(end + 48 - start).unwrap(),
                shoot_date: None,
            }
        })
        .collect()
}

/// Every shared list named here matches itself exactly: each reel's events to the clip built
/// from them, whatever their speed changes and transitions.
#[test]
fn shared_edls_match_a_library_built_from_their_own_events() {
    let test = "shared_edls_match_a_library_built_from_their_own_events";
    let Some(root) = shared_data("edl") else {
        skip_no_data(test, "edl");
        return;
    };
    let mut events_checked = 0;
    for (name, rate) in [
        ("otio-cmx3600/dissolve_test_4.edl", R24),
        ("otio-cmx3600/wipe_test.edl", R24),
        ("otio-cmx3600/speed_effects_small.edl", R24),
        ("otio-cmx3600/premiere_example.edl", R24),
        ("otio-cmx3600/25fps.edl", FrameRate::FPS_25),
        ("pycmx/INS4_R1_DX_092117.edl", FrameRate::FPS_23_976),
        ("pycmx/TEST.edl", R24),
    ] {
        let bytes = std::fs::read(root.join(name)).unwrap();
        let list = parse_cmx3600(name, &bytes, &Cmx3600Options::new(rate)).unwrap();
        let library = library_from(&list);
        let report = match_edl(&list, &library, &MatchOptions::default()).unwrap();
        for (event, result) in list.events.iter().zip(&report.events) {
            if event.source_kind != SourceKind::Reel {
                continue;
            }
            events_checked += 1;
            match &result.outcome {
                Outcome::Matched { clip_id, rule, .. } => {
                    let clip = library.iter().find(|c| &c.clip_id == clip_id).unwrap();
                    assert_eq!(clip.reel.as_deref(), Some(event.reel.as_str()), "{name}");
                    assert_eq!(*rule, Rule::Exact, "{name}: {result:?}");
                }
                other => panic!("{name} line {}: {other:?}", event.line),
            }
        }
    }
    assert!(events_checked > 300, "{events_checked}");
}

#[test]
fn end_to_end_over_a_shared_edl_then_perturbed() {
    let test = "end_to_end_over_a_shared_edl_then_perturbed";
    let Some(dir) = shared_data("edl/otio-cmx3600") else {
        skip_no_data(test, "edl/otio-cmx3600");
        return;
    };
    let bytes = std::fs::read(dir.join("speed_effects.edl")).unwrap();
    let list = parse_cmx3600("speed_effects.edl", &bytes, &Cmx3600Options::new(R24)).unwrap();
    let library = library_from(&list);
    assert!(library.len() > 20, "{}", library.len());
    let options = MatchOptions::default();
    let report = match_edl(&list, &library, &options).unwrap();
    let reels = list
        .events
        .iter()
        .filter(|e| e.source_kind == SourceKind::Reel)
        .count();
    assert_eq!(report.summary.matched, reels, "{}", report.to_table());
    assert_eq!(report.summary.exact, reels);
    for (event, result) in list.events.iter().zip(&report.events) {
        if let Outcome::Matched { clip_id, .. } = &result.outcome {
            let clip = library.iter().find(|c| &c.clip_id == clip_id).unwrap();
            assert_eq!(clip.reel.as_deref(), Some(event.reel.as_str()));
        }
    }

    // Perturbed: one clip renamed (case + extension), one known only by its long name (the
    // 8-character reel truncates it), one removed.
    let eight = library
        .iter()
        .position(|c| {
            c.reel
                .as_deref()
                .is_some_and(|r| r.len() == 8 && !r.ends_with('.'))
        })
        .unwrap();
    let renamed = (eight + 1) % library.len();
    let mut perturbed = library.clone();
    let reel_of = |i: usize| library[i].reel.clone().unwrap();
    perturbed[eight].reel = None;
    perturbed[eight].clip_name = Some(format!("{}_LONGNAME", reel_of(eight)));
    perturbed[renamed].reel = None;
    perturbed[renamed].clip_name = None;
    perturbed[renamed].file_names = vec![format!(
        "/media/{}.mov",
        reel_of(renamed).trim_end_matches('.').to_lowercase()
    )];
    let removed = (eight + 2) % library.len();
    let removed_id = perturbed.remove(removed).clip_id;
    let report = match_edl(&list, &perturbed, &options).unwrap();
    let mut seen = [0usize; 3];
    for (event, result) in list.events.iter().zip(&report.events) {
        if event.source_kind != SourceKind::Reel {
            continue;
        }
        if event.reel == reel_of(eight) || event.reel == reel_of(renamed) {
            let (id, _, rule, _) = matched(
                &report,
                report.events.iter().position(|r| r == result).unwrap(),
            );
            let want = if event.reel == reel_of(eight) {
                eight
            } else {
                renamed
            };
            assert_eq!((id, rule), (library[want].clip_id.clone(), Rule::Fuzzy));
            seen[usize::from(event.reel == reel_of(renamed))] += 1;
        } else if event.reel == reel_of(removed) {
            seen[2] += 1;
            // Never matched to another clip by name; a timecode-only fit is flagged.
            match &result.outcome {
                Outcome::Matched { rule, clip_id, .. } => {
                    assert_eq!(*rule, Rule::TimecodeOnly);
                    assert_ne!(clip_id, &removed_id);
                    assert!(!result.warnings.is_empty());
                }
                Outcome::Ambiguous { candidates } => {
                    assert!(candidates.iter().all(|c| c.rule == Rule::TimecodeOnly));
                }
                Outcome::Missing { .. } => {}
                Outcome::Skipped { .. } => panic!("skipped"),
            }
        } else {
            assert!(
                matches!(
                    result.outcome,
                    Outcome::Matched {
                        rule: Rule::Exact,
                        ..
                    }
                ),
                "{result:?}"
            );
        }
    }
    assert!(seen.iter().all(|&n| n > 0), "{seen:?}");
    // Without timecode-only matching, the removed clip's events are missing.
    let strict = MatchOptions {
        timecode_only: false,
        ..options
    };
    let report = match_edl(&list, &perturbed, &strict).unwrap();
    let missing = list
        .events
        .iter()
        .zip(&report.events)
        .filter(|(e, _)| e.reel == reel_of(removed))
        .all(|(_, r)| matches!(r.outcome, Outcome::Missing { .. }));
    assert!(missing);
    assert_eq!(report.summary.missing, seen[2]);
}
