//! Tests of clip grouping on the sample card: sequences, gaps, sound, unreadable and unsupported files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use super::clip::{ClipKind, WarningCode};
use super::group::{Opener, ReadSeek, RollFile, RollKind, group_roll, missing_ranges};
use crate::sample::{CardPlan, CardSpec, PlannedFile};
use crate::{Error, Result};

fn card() -> (CardPlan, Vec<PlannedFile>) {
    let plan = CardPlan::new(&CardSpec::default()).unwrap();
    let files = plan.files().unwrap();
    (plan, files)
}

/// Files of `roll`, paths relative to the roll.
fn roll_files(files: &[PlannedFile], roll: &str) -> Vec<RollFile> {
    files
        .iter()
        .filter(|f| f.roll == roll)
        .map(|f| RollFile::new(f.path.strip_prefix(&format!("{roll}/")).unwrap(), f.size))
        .collect()
}

fn opener<'a>(
    plan: &'a CardPlan,
    files: &'a [PlannedFile],
    roll: &'a str,
) -> impl FnMut(&str) -> Result<Box<dyn ReadSeek>> + 'a {
    move |path: &str| {
        let full = format!("{roll}/{path}");
        let f = files
            .iter()
            .find(|f| f.path == full)
            .ok_or_else(|| Error::Io {
                path: full.clone(),
                op: "open",
                source: std::io::Error::from(std::io::ErrorKind::NotFound),
            })?;
        let mut buf = Vec::new();
        plan.write_file(f, &mut buf)?;
        Ok(Box::new(Cursor::new(buf)) as Box<dyn ReadSeek>)
    }
}

#[test]
fn camera_roll_clips() {
    let (plan, files) = card();
    let mut list = roll_files(&files, "A001");
    list.push(RollFile::new(
        "ascmhl/0001_A001_2026-11-22_000000Z.mhl",
        900,
    ));
    list.push(RollFile::new(".DS_Store", 10));
    let mut open = opener(&plan, &files, "A001");
    let r = group_roll("A001", &list, &mut open).unwrap();
    assert_eq!(r.kind, RollKind::Camera);
    assert_eq!(r.ignored.len(), 2);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let want = &plan.camera_rolls[0].clips;
    assert_eq!(r.clips.len(), want.len());
    for (c, w) in r.clips.iter().zip(want) {
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.kind, ClipKind::Camera);
        assert_eq!(c.clip_name, w.clip_name);
        assert_eq!(c.clip_id, format!("A001/{}", w.clip_name));
        assert_eq!(c.camera_letter.as_deref(), Some("A"));
        let n = c.camera_name.as_ref().unwrap();
        assert_eq!((n.roll.as_str(), n.clip_number), ("A001", w.clip_number));
        assert_eq!(n.date.as_deref(), Some("2026-11-22"));
        assert_eq!(n.suffix.as_deref(), Some("R1AB"));
        assert_eq!(c.format.container, "cinemadng");
        assert_eq!(c.format.codec, "uncompressed");
        assert_eq!(c.format.cfa_pattern.as_deref(), Some("RGGB"));
        assert_eq!(c.timing.frame_count, Some(u64::from(w.frame_count)));
        assert_eq!(c.timing.first_frame_number, Some(1001));
        assert_eq!(c.timing.start_timecode, Some(w.start_tc.to_string()));
        let end = w.start_tc.plus_frames(u64::from(w.frame_count));
        assert_eq!(c.timing.end_timecode, Some(end.to_string()));
        let fr = c.timing.frame_rate.unwrap();
        assert_eq!((fr.num, fr.den), (24000, 1001));
        assert_eq!(c.reel_name.as_deref(), Some(w.clip_name.as_str()));
        assert_eq!(c.exposure.iso, Some(800));
        assert_eq!(c.exposure.shutter_angle, Some(180.0));
        assert_eq!(c.lens.squeeze, Some(1.0));
        assert_eq!(c.lens.t_stop, Some(2.9));
        assert_eq!(c.files.len(), w.frame_count as usize);
        assert_eq!(c.sensor.as_ref().unwrap().width, w.sensor.width);
    }
    let anamorphic = group_roll(
        "B001",
        &roll_files(&files, "B001"),
        &mut opener(&plan, &files, "B001"),
    )
    .unwrap();
    assert_eq!(anamorphic.clips[1].lens.squeeze, Some(2.0));
    assert_eq!(
        anamorphic.clips[1].format.cfa_pattern.as_deref(),
        Some("GRBG")
    );
    // The JSON of a clip round-trips.
    let json = serde_json::to_string(&r.clips[0]).unwrap();
    let back: super::clip::Clip = serde_json::from_str(&json).unwrap();
    assert_eq!(back, r.clips[0]);
}

#[test]
fn sound_roll_clips() {
    let (plan, files) = card();
    let r = group_roll(
        "S001",
        &roll_files(&files, "S001"),
        &mut opener(&plan, &files, "S001"),
    )
    .unwrap();
    assert_eq!(r.kind, RollKind::Sound);
    let want: Vec<_> = plan.sound_files().collect();
    assert_eq!(r.clips.len(), want.len());
    for c in &r.clips {
        let w = want
            .iter()
            .find(|w| w.file_name.starts_with(&c.clip_name))
            .unwrap();
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        assert_eq!(c.kind, ClipKind::Sound);
        assert_eq!(c.format.container, "bwf");
        assert_eq!(c.slate.scene.as_deref(), Some(w.scene.as_str()));
        assert_eq!(c.slate.take.as_deref(), Some(w.take.to_string().as_str()));
        assert_eq!(c.slate.circled, Some(w.circled));
        assert_eq!(c.slate.source.as_deref(), Some("ixml"));
        assert_eq!(c.timing.start_timecode, Some(w.start_tc.to_string()));
        let a = c.audio.as_ref().unwrap();
        assert_eq!((a.sample_rate, a.bit_depth, a.channels), (48_000, 24, 2));
        assert_eq!(a.sample_count, w.sample_count);
        assert_eq!(a.track_names, vec!["BOOM", "LAV 1"]);
    }
}

#[test]
fn gaps_duplicates_and_mixed_frames() {
    let (plan, files) = card();
    let mut list = roll_files(&files, "A001");
    // Clip 3 has frames 1001..=1006: drop 1002, 1003 and 1005.
    list.retain(|f| {
        !["_0001002.dng", "_0001003.dng", "_0001005.dng"]
            .iter()
            .any(|s| f.path.starts_with("A001C003") && f.path.ends_with(s))
    });
    let r = group_roll("A001", &list, &mut opener(&plan, &files, "A001")).unwrap();
    let c = &r.clips[2];
    let w = c
        .warnings
        .iter()
        .find(|w| w.code == WarningCode::MissingFrames)
        .unwrap();
    assert!(
        w.message.contains("3 missing frames: 1002-1003, 1005"),
        "{}",
        w.message
    );
    assert_eq!(c.timing.frame_count, Some(6));
    assert!(
        r.warnings
            .iter()
            .any(|w| w.code == WarningCode::MissingFrames)
    );
    // The last frame of clip 1 replaced by a frame of another clip: timecode and size disagree.
    let mut open = opener(&plan, &files, "A001");
    let mut swapped = move |p: &str| {
        if p.ends_with("A001C001_261122_R1AB_0001005.dng") {
            return open("A001C003_261122_R1AB/A001C003_261122_R1AB_0001001.dng");
        }
        open(p)
    };
    let r = group_roll("A001", &roll_files(&files, "A001"), &mut swapped).unwrap();
    let c = &r.clips[0];
    assert!(
        c.warnings
            .iter()
            .any(|w| w.code == WarningCode::Inconsistent
                && w.message.contains("last frame has timecode")),
        "{:?}",
        c.warnings
    );
    assert_eq!(missing_ranges(&[1, 2, 5, 9, 10]), vec![(3, 4), (6, 8)]);
    // Duplicate frame numbers with different padding.
    let dup = vec![
        RollFile::new("x/clip_0001.cin", 1),
        RollFile::new("x/clip_001.cin", 1),
        RollFile::new("x/clip_0002.cin", 1),
    ];
    let r = group_roll("R", &dup, &mut |_: &str| -> Result<Box<dyn ReadSeek>> {
        unreachable!("cin is not read")
    })
    .unwrap();
    assert_eq!(r.clips.len(), 1);
    assert!(
        r.clips[0]
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::DuplicateFrames)
    );
    assert!(
        r.clips[0]
            .warnings
            .iter()
            .any(|w| w.code == WarningCode::Unsupported)
    );
}

#[test]
fn unreadable_and_other_files() {
    let files = vec![
        RollFile::new("C/clip_000001.dng", 5),
        RollFile::new("C/clip_000002.dng", 5),
        RollFile::new("take.wav", 5),
        RollFile::new("A002C001_200101_ABCD.mov", 5),
        RollFile::new("notes.txt", 5),
    ];
    let mut open: Box<Opener<'_>> = Box::new(|p: &str| -> Result<Box<dyn ReadSeek>> {
        if p.ends_with(".wav") {
            return Ok(Box::new(Cursor::new(b"RIFF\x04\0\0\0WAVE".to_vec())));
        }
        Ok(Box::new(Cursor::new(b"II*\0".to_vec())))
    });
    let r = group_roll("X", &files, &mut open).unwrap();
    assert_eq!(r.kind, RollKind::Camera);
    assert_eq!(r.ignored, vec!["notes.txt"]);
    assert_eq!(r.clips.len(), 3);
    let by = |n: &str| r.clips.iter().find(|c| c.clip_name == n).unwrap();
    let seq = by("clip");
    assert!(
        seq.warnings
            .iter()
            .any(|w| w.code == WarningCode::Unreadable && w.message.contains("C/clip_000001.dng")),
        "{:?}",
        seq.warnings
    );
    let wav = by("take");
    assert!(
        wav.warnings
            .iter()
            .any(|w| w.code == WarningCode::Unreadable && w.message.contains("no fmt chunk"))
    );
    let mov = by("A002C001_200101_ABCD");
    assert_eq!(mov.camera_letter.as_deref(), Some("A"));
    assert_eq!(mov.kind, ClipKind::Camera);
    assert!(
        mov.warnings
            .iter()
            .any(|w| w.code == WarningCode::Unreadable
                && w.message.contains("A002C001_200101_ABCD.mov")
                && w.message.contains("invalid QuickTime/MP4")),
        "{:?}",
        mov.warnings
    );
    let empty = group_roll("E", &[RollFile::new("readme.pdf", 1)], &mut open).unwrap();
    assert_eq!(empty.kind, RollKind::Other);
    assert_eq!(empty.warnings.len(), 1);
}

#[test]
fn sample_card_format_cards() {
    use super::cards::{CardStatus, format_cards};
    let (plan, files) = card();
    let mut clips = Vec::new();
    for roll in ["A001", "B001", "S001"] {
        let r = group_roll(
            roll,
            &roll_files(&files, roll),
            &mut opener(&plan, &files, roll),
        )
        .unwrap();
        clips.extend(r.clips);
    }
    let cards = format_cards(&clips, &[]);
    let ids: Vec<&str> = cards.iter().map(|c| c.card_id.as_str()).collect();
    assert_eq!(
        ids,
        vec![
            "A/Rushes SampleCam/528x300/uncompressed/1x",
            "B/Rushes SampleCam/400x300/uncompressed/2x",
            "B/Rushes SampleCam/528x300/uncompressed/1x",
        ]
    );
    assert!(
        cards.iter().all(|c| c.status == CardStatus::Resolved),
        "{cards:?}"
    );
    assert_eq!(cards[0].clip_ids.len(), 3);
    assert_eq!(cards[0].cfa_pattern.as_deref(), Some("RGGB"));
    assert_eq!(cards[2].frame_rate.map(|r| (r.num, r.den)), Some((25, 1)));
}

#[test]
fn every_frame_check_finds_a_foreign_frame_in_the_middle() {
    use super::group::{GroupOptions, group_roll_with};
    let (plan, files) = card();
    let mut open = opener(&plan, &files, "A001");
    // Frame 1003 of clip 3 is really frame 1001 of the anamorphic B clip (another size and
    // timecode); the first and last frames are fine, so only the full check sees it.
    let b_files = files.clone();
    let plan2 = plan.clone();
    let mut swapped = move |p: &str| {
        if p.ends_with("A001C003_261122_R1AB_0001003.dng") {
            let f = b_files
                .iter()
                .find(|f| f.path.ends_with("B001C002_261122_R2KX_0001001.dng"))
                .unwrap();
            let mut buf = Vec::new();
            plan2.write_file(f, &mut buf)?;
            return Ok(Box::new(Cursor::new(buf)) as Box<dyn ReadSeek>);
        }
        open(p)
    };
    let list = roll_files(&files, "A001");
    let quick = group_roll("A001", &list, &mut swapped).unwrap();
    assert!(quick.clips[2].warnings.is_empty());
    let full = group_roll_with(
        "A001",
        &list,
        &mut swapped,
        &GroupOptions {
            check_every_frame: true,
        },
    )
    .unwrap();
    let msgs: Vec<&str> = full.clips[2]
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        msgs.iter().any(|m| m.contains("frames 1003 differ")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("timecode breaks at frames 1003")),
        "{msgs:?}"
    );
    assert!(full.clips[0].warnings.is_empty());
}

#[test]
fn absurd_dimensions_are_flagged() {
    use super::test_tiff::TestTiff;
    let mut t = TestTiff::new(false);
    t.longs(0, 256, &[u32::MAX]);
    t.longs(0, 257, &[0]);
    let (bytes, _) = t.build(&[]);
    let list = vec![RollFile::new("huge.dng", bytes.len() as u64)];
    let mut open =
        move |_: &str| -> Result<Box<dyn ReadSeek>> { Ok(Box::new(Cursor::new(bytes.clone()))) };
    let r = group_roll("H", &list, &mut open).unwrap();
    let c = &r.clips[0];
    assert!(
        c.warnings
            .iter()
            .any(|w| w.message.contains("absurd image dimensions 4294967295x0")),
        "{:?}",
        c.warnings
    );
}

#[test]
fn sound_without_ixml_uses_bext_speed_and_description() {
    let (plan, files) = card();
    let f = files
        .iter()
        .find(|f| f.path == "S001/SC12_T01.WAV")
        .unwrap();
    let mut b = Vec::new();
    plan.write_file(f, &mut b).unwrap();
    // Hide the iXML chunk and put an sSPEED line where sTAPE was (same length).
    let ix = b.windows(4).position(|w| w == b"iXML").unwrap();
    b[ix..ix + 4].copy_from_slice(b"JUNK");
    let tape = b.windows(12).position(|w| w == b"sTAPE=S001\r\n").unwrap();
    b[tape..tape + 12].copy_from_slice(b"sSPEED=24\r\n\0");
    // The description now ends at that NUL: sCIRCLED and sNOTE are gone.
    let bytes = b.clone();
    let list = vec![RollFile::new("SC12_T01.WAV", bytes.len() as u64)];
    let mut open =
        move |_: &str| -> Result<Box<dyn ReadSeek>> { Ok(Box::new(Cursor::new(bytes.clone()))) };
    let r = group_roll("S001", &list, &mut open).unwrap();
    let c = &r.clips[0];
    assert_eq!(c.slate.source.as_deref(), Some("bext"));
    assert_eq!(c.slate.scene.as_deref(), Some("12"));
    assert_eq!(c.slate.take.as_deref(), Some("01"));
    let fr = c.timing.frame_rate.unwrap();
    assert_eq!((fr.num, fr.den), (24, 1));
    // TimeReference read at 24 fps (not the 23.976 the recorder ran at): 1 597 211 616 samples
    // at 48 kHz are 33 275.242 s after midnight, 09:14:35 and 5.8 frames at 24 fps.
    assert_eq!(
        c.audio.as_ref().unwrap().time_reference,
        Some(1_597_211_616)
    );
    assert_eq!(c.timing.start_timecode.as_deref(), Some("09:14:35:05"));
    assert!(c.warnings.is_empty(), "{:?}", c.warnings);
}
