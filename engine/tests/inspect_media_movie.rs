//! QuickTime MOV / MP4 and MXF OP1a readers against ffprobe and mediainfo: files made by ffmpeg
//! at test time (timecode tracks, reel names, drop frame, several codecs), every value we report
//! must equal what both reference readers report.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod inspect_media_support;

use std::path::Path;
use std::process::Command;

use inspect_media_support::{ffprobe, inspect, mediainfo, mi_track, num, rate_text, run, tools};
use rushes_engine::inspect::clip::{Clip, ClipKind};
use rushes_engine::inspect::{read_movie, read_mxf};
use serde_json::Value;

/// Makes `name` in `dir` with ffmpeg from lavfi test sources and the given output arguments.
fn make(ffmpeg: &Path, dir: &Path, name: &str, inputs: &[&str], args: &[&str]) {
    run(Command::new(ffmpeg)
        .args(["-v", "error", "-y"])
        .args(inputs)
        .args(args)
        .arg(dir.join(name)));
}

fn video_input(size: &str, rate: &str, seconds: &str) -> Vec<String> {
    vec![
        "-t".into(),
        seconds.into(),
        "-f".into(),
        "lavfi".into(),
        "-i".into(),
        format!("testsrc=size={size}:rate={rate}"),
    ]
}

fn stream<'a>(probe: &'a Value, kind: &str) -> &'a Value {
    probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == kind)
        .unwrap_or_else(|| panic!("no {kind} stream"))
}

/// The assertions shared by every movie: codec, size, rate, frames, timecode, audio.
fn check_against_ffprobe(clip: &Clip, probe: &Value, with_frame_count: bool) {
    let v = stream(probe, "video");
    assert_eq!(clip.kind, ClipKind::Camera);
    assert_eq!(
        clip.format.codec,
        v["codec_name"].as_str().unwrap(),
        "codec"
    );
    let sensor = clip.sensor.as_ref().unwrap();
    assert_eq!(u64::from(sensor.width), v["width"].as_u64().unwrap());
    assert_eq!(u64::from(sensor.height), v["height"].as_u64().unwrap());
    assert_eq!(
        rate_text(clip.timing.frame_rate),
        v["r_frame_rate"].as_str().unwrap()
    );
    if with_frame_count {
        assert_eq!(
            clip.timing.frame_count.unwrap().to_string(),
            v["nb_frames"].as_str().unwrap()
        );
        let d = num(&v["duration"]);
        assert!(
            (clip.timing.duration_seconds.unwrap() - d).abs() < 1e-6,
            "duration {d}"
        );
    }
    let tc = probe["format"]["tags"]["timecode"]
        .as_str()
        .or(v["tags"]["timecode"].as_str())
        .unwrap();
    assert_eq!(clip.timing.start_timecode.as_deref(), Some(tc));
    assert_eq!(clip.timing.drop_frame, tc.contains(';'));
    if let Some(a) = probe["streams"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["codec_type"] == "audio")
    {
        let audio = clip.audio.as_ref().unwrap();
        assert_eq!(
            audio.sample_rate.to_string(),
            a["sample_rate"].as_str().unwrap()
        );
        assert_eq!(u64::from(audio.channels), a["channels"].as_u64().unwrap());
        let bits = a["bits_per_sample"].as_u64().unwrap();
        if bits > 0 {
            assert_eq!(u64::from(audio.bit_depth), bits);
        }
    }
    assert!(
        !clip
            .warnings
            .iter()
            .any(|w| w.message.contains("unreadable")),
        "{:?}",
        clip.warnings
    );
}

/// mediainfo's view: the timecode track's first and last frames, frame count, size, rate.
fn check_against_mediainfo(clip: &Clip, tracks: &[Value], tc_filter: Option<(&str, &str)>) {
    let video = mi_track(tracks, "Video", None);
    let sensor = clip.sensor.as_ref().unwrap();
    assert_eq!(sensor.width.to_string(), video["Width"].as_str().unwrap());
    assert_eq!(sensor.height.to_string(), video["Height"].as_str().unwrap());
    let rate = clip.timing.frame_rate.unwrap();
    match (
        video["FrameRate_Num"].as_str(),
        video["FrameRate_Den"].as_str(),
    ) {
        (Some(n), Some(d)) => assert_eq!(format!("{}/{}", rate.num, rate.den), format!("{n}/{d}")),
        _ => assert!((rate.as_f64() - num(&video["FrameRate"])).abs() < 5e-4),
    }
    let tc = mi_track(tracks, "Other", tc_filter);
    assert_eq!(
        clip.timing.start_timecode.as_deref(),
        tc["TimeCode_FirstFrame"].as_str()
    );
    assert_eq!(
        clip.timing.frame_count.unwrap().to_string(),
        tc["FrameCount"].as_str().unwrap()
    );
    // mediainfo's last frame is inclusive, our end timecode exclusive.
    let base = rate.num.div_ceil(rate.den);
    let end = clip.timing.end_timecode.as_deref().unwrap();
    let last = tc["TimeCode_LastFrame"].as_str().unwrap();
    let frames_of = |t: &str| {
        let p: Vec<u64> = t.split([':', ';']).map(|x| x.parse().unwrap()).collect();
        ((p[0] * 60 + p[1]) * 60 + p[2]) * u64::from(base) + p[3]
    };
    if !clip.timing.drop_frame {
        // mediainfo counts past midnight (24:00:00:01); timecode wraps.
        let day = 24 * 3600 * u64::from(base);
        assert_eq!(
            frames_of(end),
            (frames_of(last) + 1) % day,
            "end {end} after last {last}"
        );
    }
    if let Some(a) = tracks.iter().find(|t| t["@type"] == "Audio") {
        let audio = clip.audio.as_ref().unwrap();
        assert_eq!(
            audio.sample_rate.to_string(),
            a["SamplingRate"].as_str().unwrap()
        );
        if let Some(bits) = a["BitDepth"].as_str() {
            assert_eq!(audio.bit_depth.to_string(), bits);
        }
    }
}

#[test]
fn quicktime_and_mp4_agree_with_ffprobe_and_mediainfo() {
    let Some(t) = tools(
        "quicktime_and_mp4_agree_with_ffprobe_and_mediainfo",
        &["ffmpeg", "ffprobe", "mediainfo"],
    ) else {
        return;
    };
    let (ffmpeg, ffprobe_bin, mediainfo_bin) = (&t[0], &t[1], &t[2]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let sine = ["-f", "lavfi", "-i", "sine=r=48000:d=1"];
    // ProRes 4444 at 23.976 with 24-bit stereo PCM, reel name, title and creation time.
    let mut inputs = video_input("320x240", "24000/1001", "1");
    inputs.extend(sine.iter().map(|s| s.to_string()));
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "A001C001_240506_R1AB.mov",
        &inputs,
        &[
            "-c:v",
            "prores_ks",
            "-c:a",
            "pcm_s24le",
            "-ac",
            "2",
            "-timecode",
            "01:02:03:04",
            "-metadata:s:v:0",
            "reel_name=A001",
            "-metadata",
            "title=Take one",
            "-metadata",
            "creation_time=2024-05-06T07:08:09Z",
        ],
    );
    // H.264 at 29.97 drop frame.
    let v = video_input("352x288", "30000/1001", "2");
    let v: Vec<&str> = v.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "B002C007.mov",
        &v,
        &[
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
            "-timecode",
            "00:59:59;28",
        ],
    );
    // MPEG-4 part 2 in MP4 at 25 with a timecode track and AAC.
    let mut inputs = video_input("320x240", "25", "1");
    inputs.extend(sine.iter().map(|s| s.to_string()));
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "C003C001.mp4",
        &inputs,
        &["-c:v", "mpeg4", "-c:a", "aac", "-timecode", "10:00:00:00"],
    );
    let names = ["A001C001_240506_R1AB.mov", "B002C007.mov", "C003C001.mp4"];
    let roll = inspect(d, "A001", &names);
    assert_eq!(roll.clips.len(), 3);
    for (clip, name) in roll.clips.iter().zip(names) {
        let path = d.join(name);
        let probe = ffprobe(ffprobe_bin, &path);
        check_against_ffprobe(clip, &probe, true);
        let tracks = mediainfo(mediainfo_bin, &path);
        check_against_mediainfo(clip, &tracks, Some(("Type", "Time code")));
        let v = stream(&probe, "video");
        assert_eq!(
            clip.format.codec_tag.as_deref(),
            v["codec_tag_string"].as_str()
        );
        // mediainfo adds the MPEG-4 object type (`mp4v-20`).
        let mi_codec = mi_track(&tracks, "Video", None)["CodecID"]
            .as_str()
            .unwrap();
        assert_eq!(
            clip.format.codec_tag.as_deref(),
            Some(mi_codec.split('-').next().unwrap())
        );
        // The timecode track's own view.
        let tmcd = probe["streams"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["codec_tag_string"] == "tmcd")
            .expect("tmcd stream");
        assert_eq!(
            clip.reel_name.as_deref(),
            tmcd["tags"]["reel_name"].as_str()
        );
    }
    let prores = &roll.clips[0];
    assert_eq!(prores.reel_name.as_deref(), Some("A001"));
    assert_eq!(prores.timing.start_timecode.as_deref(), Some("01:02:03:04"));
    assert_eq!(prores.timing.end_timecode.as_deref(), Some("01:02:04:04"));
    assert_eq!(prores.camera_letter.as_deref(), Some("A"));
    let probe = ffprobe(ffprobe_bin, &d.join(names[0]));
    assert_eq!(
        prores.attributes.get("©nam").map(String::as_str),
        probe["format"]["tags"]["title"].as_str()
    );
    let created = probe["format"]["tags"]["creation_time"].as_str().unwrap();
    assert_eq!(
        prores.creation_time.as_deref(),
        Some(format!("{}Z", &created[..19]).as_str())
    );
    let h264 = &roll.clips[1];
    assert!(h264.timing.drop_frame);
    assert_eq!(h264.timing.start_timecode.as_deref(), Some("00:59:59;28"));
    assert_eq!(h264.timing.end_timecode.as_deref(), Some("01:00:01;28"));
    // Reading twice gives the same answer (no state in the reader).
    let mut f = std::fs::File::open(d.join(names[2])).unwrap();
    assert_eq!(
        read_movie(&mut f, "x").unwrap(),
        read_movie(&mut f, "x").unwrap()
    );
}

#[test]
fn mxf_op1a_agrees_with_ffprobe_and_mediainfo() {
    let Some(t) = tools(
        "mxf_op1a_agrees_with_ffprobe_and_mediainfo",
        &["ffmpeg", "ffprobe", "mediainfo"],
    ) else {
        return;
    };
    let (ffmpeg, ffprobe_bin, mediainfo_bin) = (&t[0], &t[1], &t[2]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut inputs = video_input("320x240", "25", "1");
    inputs.extend(["-f", "lavfi", "-i", "sine=r=48000:d=1"].map(String::from));
    let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "A001C002.mxf",
        &inputs,
        &[
            "-c:v",
            "mpeg2video",
            "-c:a",
            "pcm_s16le",
            "-ac",
            "2",
            "-timecode",
            "10:00:00:00",
            "-metadata",
            "material_package_name=A001C002 take 3",
            "-metadata:s:v:0",
            "file_package_name=A001",
            "-f",
            "mxf",
        ],
    );
    let v = video_input("320x240", "30000/1001", "2");
    let v: Vec<&str> = v.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "A001C003.mxf",
        &v,
        &[
            "-c:v",
            "mpeg2video",
            "-timecode",
            "01:02:03;04",
            "-f",
            "mxf",
        ],
    );
    let v = video_input("1920x1080", "25", "0.12");
    let v: Vec<&str> = v.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "A001C004.mxf",
        &v,
        &[
            "-c:v",
            "dnxhd",
            "-b:v",
            "36M",
            "-pix_fmt",
            "yuv422p",
            "-timecode",
            "23:59:59:24",
            "-f",
            "mxf",
        ],
    );
    let names = ["A001C002.mxf", "A001C003.mxf", "A001C004.mxf"];
    let roll = inspect(d, "A001", &names);
    assert_eq!(roll.clips.len(), 3);
    for (clip, name) in roll.clips.iter().zip(names) {
        let path = d.join(name);
        let probe = ffprobe(ffprobe_bin, &path);
        check_against_ffprobe(clip, &probe, false);
        let tracks = mediainfo(mediainfo_bin, &path);
        check_against_mediainfo(
            clip,
            &tracks,
            Some(("TimeCode_Settings", "Material Package")),
        );
        let general = mi_track(&tracks, "General", None);
        assert_eq!(
            clip.attributes
                .get("operational_pattern")
                .map(String::as_str),
            general["Format_Profile"]
                .as_str()
                .map(|p| p.replace('-', ""))
                .as_deref()
        );
        assert_eq!(
            clip.attributes
                .get("material_package_name")
                .map(String::as_str),
            probe["format"]["tags"]["material_package_name"].as_str()
        );
        assert_eq!(
            clip.attributes.get("company_name").map(String::as_str),
            probe["format"]["tags"]["company_name"].as_str()
        );
        assert_eq!(
            clip.timing.frame_count.unwrap().to_string(),
            mi_track(&tracks, "Video", None)["FrameCount"]
                .as_str()
                .unwrap()
        );
    }
    let first = &roll.clips[0];
    assert_eq!(first.attributes["material_package_name"], "A001C002 take 3");
    assert_eq!(first.reel_name.as_deref(), Some("A001"));
    assert_eq!(first.timing.start_timecode.as_deref(), Some("10:00:00:00"));
    assert_eq!(first.timing.end_timecode.as_deref(), Some("10:00:01:00"));
    assert_eq!(first.audio.as_ref().unwrap().channels, 2);
    let df = &roll.clips[1];
    assert!(df.timing.drop_frame);
    assert_eq!(df.timing.start_timecode.as_deref(), Some("01:02:03;04"));
    let dnx = &roll.clips[2];
    assert_eq!(dnx.format.codec, "dnxhd");
    // Wraps at midnight.
    assert_eq!(dnx.timing.end_timecode.as_deref(), Some("00:00:00:02"));
    let mut f = std::fs::File::open(d.join(names[0])).unwrap();
    let m = read_mxf(&mut f, "x").unwrap();
    assert_eq!(m.partition.operational_pattern_name(), "OP1a");
    assert_eq!(m.timecode.unwrap().rounded_base, 25);
}

#[test]
fn sound_only_and_damaged_movies() {
    let Some(t) = tools("sound_only_and_damaged_movies", &["ffmpeg", "ffprobe"]) else {
        return;
    };
    let (ffmpeg, ffprobe_bin) = (&t[0], &t[1]);
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    make(
        ffmpeg,
        d,
        "wild_track.mov",
        &["-f", "lavfi", "-i", "sine=r=44100:d=1"],
        &["-c:a", "pcm_s16be", "-ac", "2"],
    );
    let v = video_input("320x240", "25", "1");
    let v: Vec<&str> = v.iter().map(String::as_str).collect();
    make(
        ffmpeg,
        d,
        "A001C009.mov",
        &v,
        &["-c:v", "mpeg4", "-timecode", "10:00:00:00"],
    );
    make(
        ffmpeg,
        d,
        "A001C010.mxf",
        &v,
        &["-c:v", "mpeg2video", "-f", "mxf"],
    );
    // Cut the movie (its moov is at the end) and the MXF (inside its header metadata).
    for (name, keep) in [("A001C009.mov", 0.9), ("A001C010.mxf", 0.02)] {
        let bytes = std::fs::read(d.join(name)).unwrap();
        let n = (bytes.len() as f64 * keep) as usize;
        std::fs::write(d.join(name), &bytes[..n]).unwrap();
    }
    let roll = inspect(
        d,
        "S001",
        &["wild_track.mov", "A001C009.mov", "A001C010.mxf"],
    );
    let by = |n: &str| roll.clips.iter().find(|c| c.clip_name == n).unwrap();
    let wild = by("wild_track");
    assert_eq!(wild.kind, ClipKind::Sound);
    let probe = ffprobe(ffprobe_bin, &d.join("wild_track.mov"));
    let a = stream(&probe, "audio");
    let audio = wild.audio.as_ref().unwrap();
    assert_eq!(
        audio.sample_rate.to_string(),
        a["sample_rate"].as_str().unwrap()
    );
    assert_eq!(u64::from(audio.channels), a["channels"].as_u64().unwrap());
    assert_eq!(
        u64::from(audio.bit_depth),
        a["bits_per_sample"].as_u64().unwrap()
    );
    assert_eq!(audio.sample_count, 44_100);
    for (name, file) in [("A001C009", "A001C009.mov"), ("A001C010", "A001C010.mxf")] {
        let c = by(name);
        assert_eq!(c.kind, ClipKind::Camera);
        assert!(
            c.warnings.iter().any(|w| w.message.contains(file)
                && (w.message.contains("past the end") || w.message.contains("truncated"))),
            "{name}: {:?}",
            c.warnings
        );
    }
}
