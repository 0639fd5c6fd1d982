//! OpenTimelineIO `.otio` reader: timelines OTIO itself writes from every EDL it can read,
//! and the adapter's own .otio sample, compared with OTIO's view; then bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use rushes_engine::Error;
use rushes_engine::edl::{Edl, OtioOptions, Transition, parse_otio};
use rushes_engine::timecode::FrameRate;
use rushes_test_support::{ref_python, shared_data, skip, skip_no_data};
use serde_json::Value;

fn reference(python: &Path, mode: &str, path: &Path, rate: FrameRate) -> Value {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edl_ref/edl_reference.py");
    let out = Command::new(python)
        .arg(script)
        .arg(mode)
        .arg(path)
        .arg(rate.num().to_string())
        .arg(rate.den().to_string())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rate_of(name: &str) -> FrameRate {
    if [
        "25fps.edl",
        "timecode_mismatch.edl",
        "test_24psf.edl",
        "test_25.edl",
    ]
    .contains(&name)
    {
        FrameRate::FPS_25
    } else {
        FrameRate::FPS_24
    }
}

#[derive(Default, Debug)]
struct Tally {
    timelines: usize,
    clips: usize,
    transitions: usize,
    speeds: usize,
    cdls: usize,
    markers: usize,
    media: usize,
}

/// Our events against OTIO's view of the same timeline, item by item.
fn compare(name: &str, ours: &Edl, view: &Value, t: &mut Tally) {
    assert_eq!(
        ours.title.as_deref(),
        view["title"].as_str().filter(|s| !s.is_empty()),
        "{name}"
    );
    let mut events = ours.events.iter();
    for track in view["tracks"].as_array().unwrap() {
        let mut transition: Option<&Value> = None;
        for item in track["items"].as_array().unwrap() {
            match item["schema"].as_str().unwrap() {
                "Transition" => {
                    transition = Some(item);
                    continue;
                }
                "Clip" if item["enabled"].as_bool().unwrap() => {}
                _ => continue,
            }
            let e = events
                .next()
                .unwrap_or_else(|| panic!("{name}: OTIO has more clips"));
            let at = format!("{name} track {} clip {}", track["name"], e.number);
            t.clips += 1;
            assert_eq!(
                e.clip_name.as_deref().unwrap_or(""),
                item["name"].as_str().unwrap(),
                "{at}"
            );
            assert_eq!(
                e.source.start as f64,
                item["source_start"].as_f64().unwrap(),
                "{at}"
            );
            assert_eq!(
                e.source.len() as f64,
                item["source_duration"].as_f64().unwrap(),
                "{at}"
            );
            assert_eq!(
                e.record.start as f64,
                item["record_start"].as_f64().unwrap(),
                "{at}"
            );
            assert_eq!(
                e.record.len() as f64,
                item["record_duration"].as_f64().unwrap(),
                "{at}"
            );
            assert_eq!(
                e.reel,
                item["reel"]
                    .as_str()
                    .unwrap_or(if item["generator"] == "black" {
                        "BL"
                    } else {
                        "AX"
                    }),
                "{at}"
            );
            assert_eq!(e.media_path.as_deref(), item["media_url"].as_str(), "{at}");
            if e.media_path.is_some() {
                t.media += 1;
            }
            match (transition.take(), e.transition) {
                (None, Transition::Cut) => {}
                (Some(tr), ours_tr) => {
                    let frames =
                        tr["in_offset"].as_f64().unwrap() + tr["out_offset"].as_f64().unwrap();
                    assert_eq!(f64::from(ours_tr.frames()), frames, "{at}");
                    match (tr["transition_type"].as_str().unwrap(), ours_tr) {
                        ("SMPTE_Dissolve", Transition::Dissolve { .. }) => {}
                        ("SMPTE_Wipe", Transition::Wipe { pattern, .. }) => {
                            assert_eq!(
                                tr["code"].as_str().unwrap(),
                                format!("W{pattern:03}"),
                                "{at}"
                            );
                        }
                        other => panic!("{at}: transition {other:?}"),
                    }
                    t.transitions += 1;
                }
                (None, other) => panic!("{at}: we have {other:?}, OTIO none"),
            }
            let effects = item["effects"].as_array().unwrap();
            match (effects.first(), &e.speed) {
                (None, None) => {}
                (Some(f), Some(s)) if f["kind"] == "freeze" => {
                    assert!(s.is_freeze(), "{at}");
                    t.speeds += 1;
                }
                (Some(f), Some(s)) => {
                    let scalar = f["scalar"].as_f64().unwrap();
                    assert!((s.ratio(e.rate) - scalar).abs() < 1e-9, "{at}");
                    t.speeds += 1;
                }
                other => panic!("{at}: speed {other:?}"),
            }
            match (&e.cdl, item["cdl"].as_object()) {
                (None, None) => {}
                (Some(cdl), Some(theirs)) => {
                    let v = |k: &str| -> Vec<f64> {
                        theirs[k]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|x| x.as_f64().unwrap())
                            .collect()
                    };
                    assert_eq!(
                        (v("slope"), v("offset"), v("power")),
                        (cdl.slope.to_vec(), cdl.offset.to_vec(), cdl.power.to_vec()),
                        "{at}"
                    );
                    assert_eq!(cdl.saturation, theirs["sat"].as_f64().unwrap(), "{at}");
                    t.cdls += 1;
                }
                other => panic!("{at}: cdl {other:?}"),
            }
            let markers = item["markers"].as_array().unwrap();
            assert_eq!(e.locators.len(), markers.len(), "{at}");
            for (l, m) in e.locators.iter().zip(markers) {
                // Ours are on the record timeline; OTIO's in the clip's media time.
                let media = l.frame - e.record.start + e.source.start;
                assert_eq!(media as f64, m["frame"].as_f64().unwrap(), "{at}");
                assert_eq!(l.color.as_deref(), m["color"].as_str(), "{at}");
                assert_eq!(l.text, m["name"].as_str().unwrap(), "{at}");
                t.markers += 1;
            }
        }
    }
    assert!(
        events.next().is_none(),
        "{name}: we have more events than OTIO"
    );
}

fn edl_files() -> Option<Vec<PathBuf>> {
    let mut files = Vec::new();
    for sub in ["otio-cmx3600", "pycmx"] {
        let dir = shared_data(&format!("edl/{sub}"))?;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e != "otio") {
                files.push(path);
            }
        }
    }
    files.sort();
    Some(files)
}

#[test]
fn reads_what_opentimelineio_writes() {
    let Some(files) = edl_files() else {
        skip_no_data("reads_what_opentimelineio_writes", "edl");
        return;
    };
    let Some(python) = ref_python() else {
        skip(
            "reads_what_opentimelineio_writes",
            "reference venv (opentimelineio) not installed",
        );
        return;
    };
    let mut t = Tally::default();
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let rate = rate_of(&name);
        let reference = reference(&python, "--otio-json", path, rate);
        let Some(ok) = reference.get("ok") else {
            continue; // OTIO cannot read this EDL (see edl_conformance.rs).
        };
        let json = ok["json"].as_str().unwrap();
        let options = OtioOptions {
            rate: Some(rate),
            ..OtioOptions::default()
        };
        let ours = parse_otio(&name, json.as_bytes(), &options).unwrap_or_else(|e| panic!("{e}"));
        // Without a rate, the reader finds the same one in the document.
        let found = parse_otio(&name, json.as_bytes(), &OtioOptions::default()).unwrap();
        assert_eq!(found.rate, rate, "{name}");
        compare(&name, &ours, &ok["view"], &mut t);
        t.timelines += 1;
    }
    eprintln!("OTIO JSON agreement: {t:?}");
    assert_eq!(t.timelines, 36);
    assert_eq!(
        (t.clips, t.transitions, t.speeds, t.cdls, t.markers),
        (3759, 12, 38, 71, 49),
        "{t:?}"
    );
}

#[test]
fn reads_the_adapter_sample_timeline() {
    let Some(dir) = shared_data("edl/otio-cmx3600") else {
        skip_no_data("reads_the_adapter_sample_timeline", "edl");
        return;
    };
    let Some(python) = ref_python() else {
        skip(
            "reads_the_adapter_sample_timeline",
            "reference venv (opentimelineio) not installed",
        );
        return;
    };
    let path = dir.join("enabled.otio");
    let bytes = std::fs::read(&path).unwrap();
    let ours = parse_otio("enabled.otio", &bytes, &OtioOptions::default()).unwrap();
    let view = reference(&python, "--otio-file", &path, ours.rate);
    let mut t = Tally::default();
    compare("enabled.otio", &ours, &view["ok"], &mut t);
    assert_eq!(t.clips, 3);
    // Two video tracks: the second starts after a gap.
    assert!(ours.events.iter().all(|e| e.channels.video));
}

#[test]
fn hand_written_timeline_with_every_item_kind() {
    let rt = |v: f64, r: f64| serde_json::json!({"OTIO_SCHEMA": "RationalTime.1", "value": v, "rate": r});
    let tr = |s: f64, d: f64| serde_json::json!({"OTIO_SCHEMA": "TimeRange.1", "start_time": rt(s, 24.0), "duration": rt(d, 24.0)});
    let doc = serde_json::json!({
        "OTIO_SCHEMA": "Timeline.1", "name": "cut", "global_start_time": rt(86400.0, 24.0),
        "tracks": {"OTIO_SCHEMA": "Stack.1", "children": [
            {"OTIO_SCHEMA": "Track.1", "name": "V1", "kind": "Video", "children": [
                {"OTIO_SCHEMA": "Clip.1", "name": "A001C003", "source_range": tr(1000.0, 48.0),
                 "metadata": {"cmx_3600": {"reel": "A001C003"}, "cdl": {"asc_sop": {"slope": [1.1, 1.0, 0.9], "offset": [0, 0, 0.01], "power": [1, 1, 1]}, "asc_sat": 0.8}},
                 "media_reference": {"OTIO_SCHEMA": "ExternalReference.1", "target_url": "file:///r/A001C003.mov"},
                 "markers": [{"OTIO_SCHEMA": "Marker.2", "name": "fix", "color": "RED", "marked_range": tr(1010.0, 0.0)}]},
                {"OTIO_SCHEMA": "Gap.1", "source_range": tr(0.0, 12.0)},
                {"OTIO_SCHEMA": "Transition.1", "transition_type": "SMPTE_Dissolve", "in_offset": rt(6.0, 24.0), "out_offset": rt(6.0, 24.0)},
                {"OTIO_SCHEMA": "Clip.2", "name": "slow", "source_range": tr(500.0, 24.0),
                 "effects": [{"OTIO_SCHEMA": "LinearTimeWarp.1", "time_scalar": 0.5}],
                 "active_media_reference_key": "HI", "media_references": {"HI": {"OTIO_SCHEMA": "ImageSequenceReference.1", "target_url_base": "/plates/", "name_prefix": "sh010.", "name_suffix": ".exr"}}},
                {"OTIO_SCHEMA": "Clip.2", "name": "held", "source_range": tr(0.0, 10.0), "effects": [{"OTIO_SCHEMA": "FreezeFrame.1"}]},
                {"OTIO_SCHEMA": "Clip.2", "name": "off", "enabled": false, "source_range": tr(0.0, 10.0)},
                {"OTIO_SCHEMA": "Stack.1", "name": "nested", "source_range": tr(0.0, 5.0), "children": []},
                {"OTIO_SCHEMA": "Clip.2", "name": "black", "source_range": tr(0.0, 5.0),
                 "media_references": {"DEFAULT_MEDIA": {"OTIO_SCHEMA": "GeneratorReference.1", "generator_kind": "black"}}}
            ]},
            {"OTIO_SCHEMA": "Track.1", "name": "A2", "kind": "Audio", "children": [
                {"OTIO_SCHEMA": "Clip.2", "name": "sound", "source_range": {"OTIO_SCHEMA": "TimeRange.1", "start_time": rt(48000.0, 48000.0), "duration": rt(96000.0, 48000.0)}}
            ]}
        ]}
    });
    let edl = parse_otio(
        "cut.otio",
        doc.to_string().as_bytes(),
        &OtioOptions::default(),
    )
    .unwrap();
    assert_eq!(edl.title.as_deref(), Some("cut"));
    assert_eq!(edl.rate, FrameRate::FPS_24);
    let e = &edl.events;
    assert_eq!(e.len(), 5, "{:?}", edl.warnings);
    assert_eq!(
        (e[0].source.start, e[0].source.len(), e[0].record.start),
        (1000, 48, 86400)
    );
    assert_eq!(e[0].reel, "A001C003");
    assert_eq!(e[0].media_path.as_deref(), Some("file:///r/A001C003.mov"));
    assert_eq!(e[0].cdl.unwrap().slope, [1.1, 1.0, 0.9]);
    assert_eq!(e[0].cdl.unwrap().saturation, 0.8);
    assert_eq!(e[0].locators[0].frame, 86410);
    assert_eq!(e[0].locators[0].color.as_deref(), Some("RED"));
    assert_eq!(e[1].clip_name.as_deref(), Some("slow"));
    assert_eq!(e[1].transition, Transition::Dissolve { frames: 12 });
    assert_eq!(e[1].record.start, 86400 + 48 + 12);
    assert_eq!(e[1].speed.as_ref().unwrap().ratio(FrameRate::FPS_24), 0.5);
    assert_eq!(e[1].media_path.as_deref(), Some("/plates/sh010.#.exr"));
    assert_eq!(e[1].reel, "AX");
    assert!(e[2].speed.as_ref().unwrap().is_freeze());
    // The disabled clip and the nested stack take their time.
    assert_eq!(e[3].record.start, 86400 + 48 + 12 + 24 + 10 + 10 + 5);
    assert_eq!(e[3].reel, "BL");
    assert_eq!(edl.warnings.len(), 2);
    // Audio track A2, with its times in samples: one second from 1 s.
    assert_eq!(e[4].channels.audio, vec![2]);
    assert!(!e[4].channels.video);
    assert_eq!((e[4].source.start, e[4].source.len()), (24, 48));
}

#[test]
fn bad_otio_documents() {
    let opts = OtioOptions::default();
    let err = |doc: &str| {
        parse_otio("bad.otio", doc.as_bytes(), &opts)
            .unwrap_err()
            .to_string()
    };
    assert!(err("{").contains("not JSON"));
    assert!(err("[]").contains("expected an object"));
    assert!(err(r#"{"OTIO_SCHEMA": "Clip.1"}"#).contains("expected a Timeline"));
    assert!(err(r#"{"OTIO_SCHEMA": "Timeline"}"#).contains("malformed OTIO_SCHEMA"));
    assert!(err(r#"{"name": "x"}"#).contains("missing OTIO_SCHEMA"));
    assert!(err(r#"{"OTIO_SCHEMA": "Timeline.1"}"#).contains("without tracks"));
    let with_item = |item: &str| {
        format!(
            r#"{{"OTIO_SCHEMA": "Timeline.1", "tracks": {{"OTIO_SCHEMA": "Stack.1", "children": [{{"OTIO_SCHEMA": "Track.1", "kind": "Video", "children": [{item}]}}]}}}}"#
        )
    };
    let range = |s: &str, d: &str, r: &str| {
        format!(
            r#"{{"OTIO_SCHEMA": "TimeRange.1", "start_time": {{"value": {s}, "rate": {r}}}, "duration": {{"value": {d}, "rate": {r}}}}}"#
        )
    };
    let clip = |range: &str| {
        format!(r#"{{"OTIO_SCHEMA": "Clip.2", "name": "c", "source_range": {range}}}"#)
    };
    let e = err(&with_item(&clip(&range("0", "-5", "24"))));
    assert!(
        e.contains("negative duration")
            && e.contains("$.tracks.children[0].children[0].source_range"),
        "{e}"
    );
    assert!(err(&with_item(&clip(&range("1e300", "5", "24")))).contains("out of range"));
    assert!(err(&with_item(&clip(&range("0", "5", "0")))).contains("rate 0"));
    assert!(err(&with_item(&clip(&range("0", "5", "\"fast\"")))).contains("no timed item"));
    let at_24 = OtioOptions {
        rate: Some(FrameRate::FPS_24),
        ..OtioOptions::default()
    };
    let doc = with_item(&clip(&range("0", "5", "\"fast\"")));
    let e = parse_otio("bad.otio", doc.as_bytes(), &at_24)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`rate` must be a finite number") && e.contains("start_time"),
        "{e}"
    );
    let doc = with_item(r#"{"OTIO_SCHEMA": "Clip.2", "name": "c"}"#);
    let e = parse_otio("bad.otio", doc.as_bytes(), &at_24)
        .unwrap_err()
        .to_string();
    assert!(e.contains("without a source_range"), "{e}");
    let warp = format!(
        r#"{{"OTIO_SCHEMA": "Clip.2", "name": "c", "source_range": {}, "effects": [{{"OTIO_SCHEMA": "LinearTimeWarp.1", "time_scalar": "x"}}]}}"#,
        range("0", "5", "24")
    );
    assert!(err(&with_item(&warp)).contains("time_scalar"));
    let cdl = format!(
        r#"{{"OTIO_SCHEMA": "Clip.2", "name": "c", "source_range": {}, "metadata": {{"cdl": {{"asc_sop": {{"slope": [1, 2]}}}}}}}}"#,
        range("0", "5", "24")
    );
    assert!(err(&with_item(&cdl)).contains("three finite numbers"));
    // Deep nesting is refused by the JSON parser's depth limit, not a stack overflow.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(err(&deep).contains("not JSON"));
    // Size and item limits.
    let small = OtioOptions {
        max_bytes: 10,
        ..OtioOptions::default()
    };
    assert!(matches!(
        parse_otio("big.otio", &[b' '; 11], &small),
        Err(Error::EdlTooLarge { .. })
    ));
    let few = OtioOptions {
        max_items: 2,
        ..OtioOptions::default()
    };
    let items = [
        clip(&range("0", "5", "24")),
        clip(&range("0", "5", "24")),
        clip(&range("0", "5", "24")),
    ]
    .join(",");
    assert!(matches!(
        parse_otio("many.otio", with_item(&items).as_bytes(), &few),
        Err(Error::EdlTooLarge { .. })
    ));
    // Non-UTF-8 bytes.
    assert!(
        parse_otio("x", b"{\"OTIO_SCHEMA\": \"\xff\"}", &opts)
            .unwrap_err()
            .to_string()
            .contains("not JSON")
    );
}
