//! CMX3600 reader: every construct of the format on hand-written lists, and bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::Error;
use rushes_engine::edl::{Cmx3600Options, Edl, KeyKind, SourceKind, Transition, parse_cmx3600};
use rushes_engine::timecode::{FrameRange, FrameRate, Timecode};

fn parse(text: &str, rate: FrameRate) -> Edl {
    parse_cmx3600("test.edl", text.as_bytes(), &Cmx3600Options::new(rate)).unwrap()
}

fn parse_err(text: &[u8], options: &Cmx3600Options) -> String {
    parse_cmx3600("bad.edl", text, options)
        .unwrap_err()
        .to_string()
}

fn frame(tc: &str, rate: FrameRate) -> i64 {
    Timecode::parse(tc, rate).unwrap().to_frame() as i64
}

const F24: FrameRate = FrameRate::FPS_24;

#[test]
fn cuts_names_cdl_and_locators() {
    let text = "TITLE:   My Cut \r\nFCM: NON-DROP FRAME\r\n\r\n\
001  A001C003 V     C        01:00:04:05 01:00:05:12 00:59:53:11 00:59:54:18\r\n\
* FROM CLIP NAME:  A001C003_230612_R1AB (LAY3)\r\n\
*ASC_SOP (0.1 0.2 0.3) (1.0 -0.0122 0.0305) (1.0 0.0 1.0)\r\n\
*ASC_SAT 0.9\r\n\
* SOURCE FILE: A001C003_230612_R1AB\r\n\
* LOC: 00:59:53:20 RED     ANIM FIX NEEDED\r\n\
*LOC: 00:59:54:01 GREEN\r\n\
*LOC: 00:59:54:02 fix the sky\r\n\
\t002\tAX\tAA/V\tC\t01:00:06:13 01:00:08:15 00:59:54:18 00:59:56:20\r\n\
* FROM CLIP NAME:  ZZ100_502A.take_2.0101.exr\r\n\
* FROM CLIP: S:\\path\\to\\ZZ100_502A.take_2.0101.exr\r\n\
* ASC_SOP: (1, 1, 1)(0, 0, 0)(1, 1, 1)\r\n\
003  BL       V     C        00:00:00:00 00:00:01:00 00:59:56:20 00:59:57:20\r\n";
    let edl = parse(text, F24);
    assert_eq!(edl.title.as_deref(), Some("My Cut"));
    assert!(edl.warnings.is_empty(), "{:?}", edl.warnings);
    assert_eq!(edl.events.len(), 3);
    let e = &edl.events[0];
    assert_eq!((e.number, e.line, e.reel.as_str()), (1, 4, "A001C003"));
    assert_eq!(e.source_kind, SourceKind::Reel);
    assert!(e.channels.video && e.channels.audio.is_empty());
    assert_eq!(e.transition, Transition::Cut);
    assert_eq!(
        e.source,
        FrameRange::new(frame("01:00:04:05", F24), frame("01:00:05:12", F24)).unwrap()
    );
    assert_eq!(e.record.len(), 31);
    assert_eq!(e.source_in().to_string(), "01:00:04:05");
    assert_eq!(e.record_out().to_string(), "00:59:54:18");
    assert_eq!(e.clip_name.as_deref(), Some("A001C003_230612_R1AB (LAY3)"));
    assert_eq!(e.source_file.as_deref(), Some("A001C003_230612_R1AB"));
    let cdl = e.cdl.unwrap();
    assert_eq!(cdl.slope, [0.1, 0.2, 0.3]);
    assert_eq!(cdl.offset, [1.0, -0.0122, 0.0305]);
    assert_eq!(cdl.power, [1.0, 0.0, 1.0]);
    assert_eq!(cdl.saturation, 0.9);
    assert!(cdl.has_sop && cdl.has_sat);
    assert_eq!(e.locators.len(), 3);
    assert_eq!(e.locators[0].frame, frame("00:59:53:20", F24));
    assert_eq!(e.locators[0].color.as_deref(), Some("RED"));
    assert_eq!(e.locators[0].text, "ANIM FIX NEEDED");
    assert_eq!(e.locators[1].color.as_deref(), Some("GREEN"));
    assert_eq!(e.locators[1].text, "");
    assert_eq!(e.locators[2].color, None);
    assert_eq!(e.locators[2].text, "fix the sky");
    assert_eq!(e.comments.len(), 7);
    let e = &edl.events[1];
    assert_eq!(e.source_kind, SourceKind::Aux);
    assert!(e.channels.video);
    assert_eq!(e.channels.audio, vec![1, 2]);
    assert_eq!(
        e.media_path.as_deref(),
        Some("S:\\path\\to\\ZZ100_502A.take_2.0101.exr")
    );
    let cdl = e.cdl.unwrap();
    assert!(cdl.has_sop && !cdl.has_sat);
    assert_eq!(cdl.saturation, 1.0);
    assert_eq!(edl.events[2].source_kind, SourceKind::Black);
    assert_eq!(edl.events[2].cdl, None);
}

#[test]
fn transitions_keys_and_audio_channels() {
    let text = "001  TST V     C        01:00:04:05 01:00:04:14 01:00:00:00 01:00:00:09 \n\
* FROM CLIP NAME:  clip_A\n\
002  TST V     C        01:00:04:14 01:00:04:14 01:00:00:09 01:00:00:09 \n\
002  TST2 V     D    010 01:00:08:08 01:00:08:18 01:00:00:09 01:00:00:19 \n\
EFFECTS NAME IS CROSS DISSOLVE\n\
* FROM CLIP NAME:  clip_A\n\
* TO CLIP NAME:  clip_B\n\
003  TST V     C        01:00:08:18 01:00:08:18 01:00:00:19 01:00:00:19 \n\
003  TST V     W012    020 01:00:08:18 01:00:09:14 01:00:00:19 01:00:01:15 \n\
004  BG       V     K B      01:00:00:00 01:00:01:00 01:00:01:15 01:00:02:15\n\
004  FG       V     K    000 01:00:00:00 01:00:01:00 01:00:01:15 01:00:02:15\n\
005  FG       V     KO   012 01:00:00:00 01:00:01:00 01:00:02:15 01:00:03:15\n\
006  SND      A3    C        01:00:00:00 01:00:01:00 01:00:03:15 01:00:04:15\n\
007  SND      A     C        01:00:00:00 01:00:01:00 01:00:03:15 01:00:04:15\n\
AUD  3    4\n\
008  SND      NONE  C        01:00:00:00 01:00:01:00 01:00:03:15 01:00:04:15\n\
009  SND      A2/V  C        01:00:00:00 01:00:01:00 01:00:03:15 01:00:04:15\n";
    let edl = parse(text, F24);
    assert_eq!(edl.title, None);
    let events = &edl.events;
    assert_eq!(events.len(), 12);
    assert_eq!((events[1].number, events[2].number), (2, 2));
    assert_eq!(events[1].clip_name.as_deref(), Some("clip_A"));
    assert_eq!(events[1].source.len(), 0);
    assert_eq!(events[2].clip_name.as_deref(), Some("clip_B"));
    assert_eq!(events[2].reel, "TST2");
    assert_eq!(events[2].transition, Transition::Dissolve { frames: 10 });
    assert_eq!(events[2].effect_name.as_deref(), Some("CROSS DISSOLVE"));
    assert_eq!(events[1].effect_name, None);
    assert_eq!(
        events[4].transition,
        Transition::Wipe {
            pattern: 12,
            frames: 20
        }
    );
    assert_eq!(events[4].transition.frames(), 20);
    assert_eq!(
        events[5].transition,
        Transition::Key {
            kind: KeyKind::Background,
            frames: 0
        }
    );
    assert_eq!(
        events[6].transition,
        Transition::Key {
            kind: KeyKind::Foreground,
            frames: 0
        }
    );
    assert_eq!(
        events[7].transition,
        Transition::Key {
            kind: KeyKind::Out,
            frames: 12
        }
    );
    assert_eq!(events[8].channels.audio, vec![3]);
    assert!(!events[8].channels.video);
    assert_eq!(events[9].channels.audio, vec![1, 3, 4]);
    assert!(events[10].channels.audio.is_empty() && !events[10].channels.video);
    assert!(events[11].channels.video);
    assert_eq!(events[11].channels.audio, vec![2]);
    let groups: Vec<usize> = edl.event_groups().iter().map(|g| g.len()).collect();
    assert_eq!(groups, [1, 2, 2, 2, 1, 1, 1, 1, 1]);
    assert_eq!(
        edl.event_groups()[1][1].clip_name.as_deref(),
        Some("clip_B")
    );
}

#[test]
fn speed_lines_forward_reverse_freeze() {
    let text = "TITLE: speeds\n\
001  Z682_156 V     C        01:00:10:21 01:00:10:22 01:08:30:00 01:08:30:17 \n\
M2   Z682_156       000.0                01:00:10:21 \n\
* * FREEZE FRAME\n\
002  Z686_5A. V     C        01:00:06:00 01:00:08:22 01:11:31:16 01:11:33:04 \n\
M2   Z686_5A.       047.6                01:00:06:00 \n\
003  AX       V     C        01:00:00:00 01:00:01:00 01:11:33:04 01:11:34:04\n\
M2   AX       -24.0                      01:00:00:23\n\
004  REEL ONE V     C        01:00:00:00 01:00:01:00 01:11:34:04 01:11:35:04\n\
M2   REEL ONE       012.0                01:00:00:00\n";
    let edl = parse(text, F24);
    let speeds: Vec<_> = edl
        .events
        .iter()
        .map(|e| e.speed.clone().unwrap())
        .collect();
    assert!(speeds[0].is_freeze());
    assert_eq!(speeds[0].entry_frame, frame("01:00:10:21", F24));
    assert_eq!(speeds[1].fps, 47.6);
    assert!((speeds[1].ratio(F24) - 47.6 / 24.0).abs() < 1e-12);
    assert!(speeds[2].is_reverse());
    assert_eq!(speeds[2].ratio(F24), -1.0);
    assert_eq!(edl.events[3].reel, "REEL ONE");
    assert_eq!(speeds[3].reel, "REEL ONE");
    assert_eq!(speeds[3].ratio(F24), 0.5);
    assert_eq!(speeds[0].line, 3);
}

#[test]
fn drop_frame_follows_fcm_and_semicolons() {
    let df = FrameRate::FPS_29_97_DF;
    let text = "TITLE: ntsc\n\
FCM: DROP FRAME\n\
001  R1 V C 00:01:00:02 00:01:00:12 01:00:00:00 01:00:00:10\n\
* LOC: 01:00:00;05 BLUE drop frame locator\n\
FCM: NON-DROP FRAME\n\
002  R1 V C 00:01:00:00 00:01:00:10 01:00:00:10 01:00:00:20\n\
003  R1 V C 00:01:00;02 00:01:00;12 01:00:00;20 01:00:01;00\n";
    let edl = parse(text, FrameRate::FPS_29_97_NDF);
    let [a, b, c] = edl.events.as_slice() else {
        panic!()
    };
    assert!(a.rate.is_drop_frame());
    assert_eq!(a.source.start, 1800);
    assert_eq!(a.record.start, frame("01:00:00;00", df));
    assert_eq!(a.locators[0].frame, frame("01:00:00;05", df));
    assert_eq!(a.source_in().to_string(), "00:01:00;02");
    assert!(!b.rate.is_drop_frame());
    assert_eq!(b.source.start, 1800);
    // `;` switches a 29.97 list to drop-frame for that timecode.
    assert!(c.rate.is_drop_frame());
    assert_eq!(c.source.start, 1800);
    // A DF label that does not exist is an error with its line.
    let err = parse_err(
        b"FCM: DROP FRAME\n001  R1 V C 00:01:00;00 00:01:00;12 01:00:00;00 01:00:00;12\n",
        &Cmx3600Options::new(FrameRate::FPS_29_97_NDF),
    );
    assert!(err.contains("line 2") && err.contains("skipped"), "{err}");
    // FCM DROP FRAME at a rate without drop-frame.
    let err = parse_err(b"FCM: DROP FRAME\n", &Cmx3600Options::new(F24));
    assert!(
        err.contains("line 1") && err.contains("no drop-frame"),
        "{err}"
    );
    let err = parse_err(b"FCM: SOMETIMES\n", &Cmx3600Options::new(F24));
    assert!(err.contains("line 1") && err.contains("FCM"), "{err}");
}

#[test]
fn bad_timecodes_name_line_and_problem() {
    let opts = Cmx3600Options::new(FrameRate::FPS_25);
    let line =
        |tc: &str| format!("TITLE: x\n\n001  R1 V C {tc} 01:00:01:00 00:00:00:00 00:00:01:00\n");
    for (tc, expect) in [
        ("01:00:00:25", "frames must be below 25"),
        ("01:00:00;05", "drop-frame"),
        ("25:00:00:00", "hours"),
        ("01:61:00:00", "minutes"),
        ("01:00:00", "four fields"),
        ("01:0O:00:00", "expected"),
        ("01:00:00:00:00", "four fields"),
    ] {
        let err = parse_err(line(tc).as_bytes(), &opts);
        assert!(err.contains("bad.edl: line 3"), "{tc}: {err}");
        assert!(err.contains(expect), "{tc}: {err}");
    }
}

#[test]
fn bad_event_lines() {
    let opts = Cmx3600Options::new(F24);
    let cases: [(&str, &str); 9] = [
        (
            "001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00\n",
            "truncated",
        ),
        ("001\n", "truncated"),
        ("001  R1 V\n", "truncated"),
        (
            "0x1  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "bad event number",
        ),
        (
            "99999999999  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "too large",
        ),
        (
            "001  R1 V X 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "unknown transition",
        ),
        (
            "001  R1 Q C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "unknown channels",
        ),
        (
            "001  V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "truncated",
        ),
        (
            "001  R1 V D 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n",
            "without a duration",
        ),
    ];
    for (text, expect) in cases {
        let err = parse_err(format!("TITLE: t\n{text}").as_bytes(), &opts);
        assert!(
            err.contains("line 2") && err.contains(expect),
            "{text}: {err}"
        );
    }
    // Three lines with one event number.
    let three = "001  R1 V C 01:00:00:00 01:00:00:00 00:00:00:00 00:00:00:00\n\
001  R2 V D 010 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
001  R3 V D 010 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n";
    let err = parse_err(three.as_bytes(), &opts);
    assert!(
        err.contains("line 3") && err.contains("third line"),
        "{err}"
    );
    // M2 and AUD lines that make no sense.
    let err = parse_err(b"M2 R1 024.0 01:00:00:00\n", &opts);
    assert!(
        err.contains("line 1") && err.contains("before any event"),
        "{err}"
    );
    let ev = "001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n";
    let err = parse_err(format!("{ev}M2 R1 fast 01:00:00:00\n").as_bytes(), &opts);
    assert!(
        err.contains("line 2") && err.contains("not a number"),
        "{err}"
    );
    let err = parse_err(format!("{ev}M2 R1\n").as_bytes(), &opts);
    assert!(
        err.contains("line 2") && err.contains("truncated M2"),
        "{err}"
    );
    let err = parse_err(format!("{ev}AUD 3 x\n").as_bytes(), &opts);
    assert!(err.contains("line 2") && err.contains("AUD"), "{err}");
}

#[test]
fn out_before_in_is_repaired_or_refused() {
    let text = "001  R1 A C 00:00:00:00 00:00:01:19 00:00:14:06 00:00:00:00\n\
002  R1 A C 00:00:02:00 00:00:01:00 00:00:14:06 00:00:15:06\n";
    let edl = parse(text, F24);
    assert_eq!(
        edl.events[0].record,
        FrameRange::from_start_len(frame("00:00:14:06", F24), 43).unwrap()
    );
    assert_eq!(
        edl.events[1].source,
        FrameRange::from_start_len(48, 24).unwrap()
    );
    assert_eq!(edl.warnings.len(), 2);
    assert_eq!((edl.warnings[0].line, edl.warnings[1].line), (1, 2));
    let strict = Cmx3600Options {
        strict: true,
        ..Cmx3600Options::new(F24)
    };
    let err = parse_err(text.as_bytes(), &strict);
    assert!(
        err.contains("line 1") && err.contains("record out"),
        "{err}"
    );
}

#[test]
fn mixed_rate_sources_are_read_at_their_rate() {
    let text = "001  SR39     A     C        17:52:28:26 17:52:29:22 03:05:38:16 03:05:39:13\n";
    let edl = parse(text, FrameRate::FPS_23_976);
    let e = &edl.events[0];
    assert_eq!(e.source_rate, FrameRate::FPS_29_97_NDF);
    assert_eq!(e.source_in().to_string(), "17:52:28:26");
    assert_eq!(e.source.len(), 26);
    assert_eq!(edl.warnings.len(), 1);
    let strict = Cmx3600Options {
        strict: true,
        ..Cmx3600Options::new(FrameRate::FPS_23_976)
    };
    assert!(parse_err(text.as_bytes(), &strict).contains("frames must be below 24"));
    // Picture must be at the list's rate.
    let picture = text.replace(" A  ", " V  ");
    let err = parse_err(
        picture.as_bytes(),
        &Cmx3600Options::new(FrameRate::FPS_23_976),
    );
    assert!(
        err.contains("line 1") && err.contains("frames must be below 24"),
        "{err}"
    );
}

#[test]
fn size_limits() {
    let mut opts = Cmx3600Options::new(F24);
    opts.max_bytes = 100;
    let big = vec![b'*'; 101];
    assert!(matches!(
        parse_cmx3600("big.edl", &big, &opts),
        Err(Error::EdlTooLarge { .. })
    ));
    let opts = Cmx3600Options {
        max_events: 2,
        ..Cmx3600Options::new(F24)
    };
    let ev = "001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n";
    let err = parse_err(ev.repeat(3).as_bytes(), &opts);
    assert!(err.contains("more than 2 events"), "{err}");
    let long = format!("* {}\n", "x".repeat(5000));
    let err = parse_err(format!("{ev}{long}").as_bytes(), &Cmx3600Options::new(F24));
    assert!(
        err.contains("line 2") && err.contains("longer than"),
        "{err}"
    );
    // A large list within the limits reads quickly and completely.
    let many: String = (1..=20_000)
        .map(|n| format!("{n:05}  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n* FROM CLIP NAME: c{n}\n"))
        .collect();
    let edl = parse(&many, F24);
    assert_eq!(edl.events.len(), 20_000);
    assert_eq!(edl.events[19_999].clip_name.as_deref(), Some("c20000"));
}

#[test]
fn non_utf8_and_hostile_names() {
    // Latin-1 bytes are read as Latin-1 characters.
    let mut bytes = b"TITLE: caf\xe9\n001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n* FROM CLIP NAME: \xe9t\xe9.wav\n".to_vec();
    let edl = parse_cmx3600("latin1.edl", &bytes, &Cmx3600Options::new(F24)).unwrap();
    assert_eq!(edl.title.as_deref(), Some("café"));
    assert_eq!(edl.events[0].clip_name.as_deref(), Some("été.wav"));
    // A UTF-8 BOM is skipped; UTF-8 names stay UTF-8.
    bytes = "\u{feff}TITLE: ünïcode\n001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n"
        .as_bytes()
        .to_vec();
    let edl = parse_cmx3600("bom.edl", &bytes, &Cmx3600Options::new(F24)).unwrap();
    assert_eq!(edl.title.as_deref(), Some("ünïcode"));
    // Names are data: kept verbatim, never interpreted.
    let text = "001  ../../etc V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
* FROM CLIP NAME: ../../../etc/passwd\u{0}\u{7}\n\
* SOURCE FILE: $(rm -rf /); DROP TABLE clips\n";
    let edl = parse(text, F24);
    assert_eq!(edl.events[0].reel, "../../etc");
    assert_eq!(
        edl.events[0].clip_name.as_deref(),
        Some("../../../etc/passwd\u{0}\u{7}")
    );
    assert_eq!(
        edl.events[0].source_file.as_deref(),
        Some("$(rm -rf /); DROP TABLE clips")
    );
    // Garbage between events is kept with the event; before the first event it is a warning.
    let text = "garbage at the top\n001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\nmore garbage\n";
    let edl = parse(text, F24);
    assert_eq!(edl.warnings.len(), 1);
    assert_eq!(edl.warnings[0].line, 1);
    assert_eq!(edl.events[0].comments, vec!["more garbage".to_string()]);
    // Lone-CR line endings.
    let edl = parse(
        "TITLE: mac\r001  R1 V C 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\r",
        F24,
    );
    assert_eq!(edl.events.len(), 1);
    assert_eq!(edl.events[0].line, 2);
}

#[test]
fn random_bytes_never_panic() {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let seed = "TITLE: t\nFCM: NON-DROP FRAME\n001  R1 V D 010 01:00:00:00 01:00:01:00 00:00:00:00 00:00:01:00\n\
M2 R1 -12.0 01:00:00:00\nAUD 3 4\n* LOC: 00:00:00:05 RED x\n*ASC_SOP (1 1 1)(0 0 0)(1 1 1)\n*ASC_SAT 1\n";
    let opts = Cmx3600Options::new(FrameRate::FPS_29_97_DF);
    for _ in 0..3000 {
        let mut bytes = seed.as_bytes().to_vec();
        for _ in 0..rng.random_range(1..8) {
            let at = rng.random_range(0..bytes.len());
            match rng.random_range(0..3) {
                0 => bytes[at] = rng.random(),
                1 => {
                    bytes.remove(at);
                }
                _ => bytes.insert(
                    at,
                    *b" :;0123456789\n*DWKBO"
                        .get(rng.random_range(0..20))
                        .unwrap(),
                ),
            }
        }
        let _ = parse_cmx3600("fuzz.edl", &bytes, &opts);
    }
}

#[test]
fn the_model_serialises_to_json_and_back() {
    let text = "TITLE: json\nFCM: DROP FRAME\n001  R1 V C 01:00:00;00 01:00:01;00 00:00:00;00 00:00:01;00\n\
M2   R1       -29.9                01:00:00;00\n* LOC: 00:00:00;10 RED x\n*ASC_SAT 0.5\n";
    let edl = parse(text, FrameRate::FPS_29_97_NDF);
    let json = serde_json::to_string(&edl).unwrap();
    let back: Edl = serde_json::from_str(&json).unwrap();
    assert_eq!(back, edl);
    // A rate that cannot exist is refused when read back.
    let forged = json.replacen(
        "\"num\":30000,\"den\":1001,\"drop_frame\":true",
        "\"num\":25,\"den\":1,\"drop_frame\":true",
        1,
    );
    assert_ne!(forged, json);
    assert!(serde_json::from_str::<Edl>(&forged).is_err());
}
