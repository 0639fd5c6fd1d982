//! Fuzz target: the CMX3600 and OpenTimelineIO readers must never panic at any standard rate,
//! every event they accept must have a well-formed range, and matching what they read against
//! a small library must not panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rushes_engine::edl::matching::{LibraryClip, MatchOptions, match_edl};
use rushes_engine::edl::{Cmx3600Options, Edl, OtioOptions, parse_cmx3600, parse_otio};
use rushes_engine::timecode::FrameRate;

fn check(list: &Edl) {
    for event in &list.events {
        assert!(event.source.start <= event.source.end_exclusive);
        assert!(event.record.start <= event.record.end_exclusive);
    }
    let clips: Vec<LibraryClip> = list
        .events
        .iter()
        .take(4)
        .enumerate()
        .map(|(i, event)| LibraryClip {
            clip_id: format!("c{i}"),
            roll: None,
            reel: Some(event.reel.clone()),
            clip_name: event.clip_name.clone(),
            file_names: Vec::new(),
            camera: None,
            rate: FrameRate::FPS_24,
            start: 86_400,
            frame_count: 2_000,
            shoot_date: None,
        })
        .collect();
    let options = MatchOptions {
        handles: 8,
        timecode_only: true,
    };
    if let Ok(report) = match_edl(list, &clips, &options) {
        assert_eq!(report.events.len(), list.events.len());
        let _ = report.to_table();
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, text)) = data.split_first() else {
        return;
    };
    let rate = FrameRate::STANDARD[usize::from(selector) % FrameRate::STANDARD.len()];
    if let Ok(list) = parse_cmx3600("fuzz.edl", text, &Cmx3600Options::new(rate)) {
        check(&list);
    }
    let options = OtioOptions {
        rate: (selector & 0x80 != 0).then_some(rate),
        ..OtioOptions::default()
    };
    if let Ok(list) = parse_otio("fuzz.otio", text, &options) {
        check(&list);
    }
});
