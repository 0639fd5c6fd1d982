//! Fills normalized [`Clip`] records from the image-sequence and movie readers: OpenEXR, DPX and
//! TIFF frames, QuickTime / MP4 and MXF files.

use super::clip::{
    Audio, Clip, FilmKeyCode, Picture, PictureChannel, Rational, SensorMode, WarningCode,
};
use super::dpx::{DpxMetadata, characteristic_name, descriptor_name, packing_name};
use super::mxf::MxfMetadata;
use super::normalize::MAX_SENSOR_SIDE;
use super::openexr::{ExrHeader, compression_name};
use super::quicktime::MovieMetadata;
use super::source::reduced;
use super::tiff::TiffMetadata;
use super::timecode::{Timecode, timecode_base};

/// The exact rational of a frame rate given as a float: the NTSC rates (`24000/1001`,
/// `30000/1001`, ...) when within 0.001, whole numbers when within 0.001, else thousandths.
pub fn rate_from_f64(r: f64) -> Option<Rational> {
    if !r.is_finite() || r <= 0.0 || r > 1000.0 {
        return None;
    }
    for base in [24u32, 30, 48, 60, 120] {
        let ntsc = f64::from(base) * 1000.0 / 1001.0;
        if (r - ntsc).abs() < 0.001 {
            return Some(Rational {
                num: base * 1000,
                den: 1001,
            });
        }
    }
    if (r - r.round()).abs() < 0.001 {
        return Some(Rational {
            num: r.round() as u32,
            den: 1,
        });
    }
    let (num, den) = reduced((r * 1000.0).round() as u64, 1000)?;
    Some(Rational { num, den })
}

fn rational_i(num: i64, den: i64) -> Option<Rational> {
    let (num, den) = reduced(u64::try_from(num).ok()?, u64::try_from(den).ok()?)?;
    Some(Rational { num, den })
}

/// Sets frame rate, frame count, duration and start / end timecode of a clip of `frame_count`
/// frames; `last_tc` (the last frame's own timecode, for sequences) is checked for continuity.
pub fn apply_timing(
    clip: &mut Clip,
    rate: Option<Rational>,
    start: Option<Timecode>,
    last_tc: Option<Timecode>,
    frame_count: u64,
) {
    let name = clip.clip_name.clone();
    let rate = rate.filter(|r| timecode_base(r.num, r.den).is_some());
    clip.timing.frame_rate = rate;
    clip.timing.frame_count = Some(frame_count);
    match rate {
        Some(r) => {
            clip.timing.duration_seconds =
                Some(frame_count as f64 * f64::from(r.den) / f64::from(r.num));
        }
        None => clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no usable frame rate"),
        ),
    }
    // The timecode counts at its own base; for a picture rate with no timecode form (e.g. 23.976
    // has base 24), the base is the rate rounded up.
    let base = rate.and_then(|r| timecode_base(r.num, r.den));
    match (start, base) {
        (Some(tc), Some(base)) => {
            if let Err(e) = tc.validate(base) {
                clip.warn(WarningCode::Inconsistent, format!("{name}: timecode {e}"));
            }
            clip.timing.drop_frame = tc.drop_frame;
            clip.timing.start_timecode = Some(tc.to_string());
            clip.timing.end_timecode = Some(tc.plus_frames(frame_count, base).to_string());
            if let Some(last) = last_tc {
                let want = tc.plus_frames(frame_count.saturating_sub(1), base);
                if last != want {
                    clip.warn(
                        WarningCode::Inconsistent,
                        format!("{name}: last frame has timecode {last}, {want} expected for {frame_count} continuous frames"),
                    );
                }
            }
        }
        (Some(tc), None) => {
            clip.timing.drop_frame = tc.drop_frame;
            clip.timing.start_timecode = Some(tc.to_string());
        }
        (None, _) => clip.warn(WarningCode::MissingMetadata, format!("{name}: no timecode")),
    }
}

fn set_raster(clip: &mut Clip, width: u32, height: u32) {
    if width == 0 || height == 0 || width > MAX_SENSOR_SIDE || height > MAX_SENSOR_SIDE {
        let name = clip.clip_name.clone();
        clip.warn(
            WarningCode::Inconsistent,
            format!("{name}: absurd image dimensions {width}x{height}"),
        );
    }
    clip.sensor = Some(SensorMode {
        width,
        height,
        active_area: None,
        crop_origin: None,
        crop_size: None,
        black_level: None,
        white_level: None,
    });
}

fn window_size(w: [i32; 4]) -> Option<(u32, u32)> {
    let width = i64::from(w[2]) - i64::from(w[0]) + 1;
    let height = i64::from(w[3]) - i64::from(w[1]) + 1;
    Some((u32::try_from(width).ok()?, u32::try_from(height).ok()?))
}

fn mixed_formats(clip: &mut Clip, first: String, last: String) {
    if first != last {
        let name = clip.clip_name.clone();
        clip.warn(
            WarningCode::Inconsistent,
            format!("{name}: mixed frame formats: first frame {first}, last frame {last}"),
        );
    }
}

/// Applies an OpenEXR sequence's first (and last) frame headers to a clip of `frame_count`
/// frames.
pub fn apply_exr(clip: &mut Clip, first: &ExrHeader, last: Option<&ExrHeader>, frame_count: u64) {
    let name = clip.clip_name.clone();
    clip.format.container = "exr".into();
    let Some(part) = first.parts.first() else {
        return;
    };
    clip.format.codec = part
        .compression()
        .map(compression_name)
        .unwrap_or_else(|| "unknown".into());
    let channels = part.channels();
    clip.format.bit_depth = channels.first().map(|c| match c.pixel_type {
        1 => 16,
        _ => 32,
    });
    if let Some((w, h)) = part.data_window().and_then(window_size) {
        set_raster(clip, w, h);
    } else {
        clip.warn(
            WarningCode::Inconsistent,
            format!("{name}: empty or inverted data window"),
        );
    }
    let display = part.display_window().and_then(window_size);
    clip.picture = Some(Picture {
        display_width: display.map(|d| d.0),
        display_height: display.map(|d| d.1),
        data_window: part.data_window(),
        display_window: part.display_window(),
        channels: channels
            .iter()
            .map(|c| PictureChannel {
                name: c.name.clone(),
                sample_type: c.type_name(),
            })
            .collect(),
        pixel_aspect_ratio: part.pixel_aspect_ratio().map(f64::from),
        chromaticities: part.chromaticities().map(|c| c.map(f64::from)),
        tiled: Some(first.tiled || part.is_tiled()),
        parts: u32::try_from(first.parts.len()).ok(),
        ..Picture::default()
    });
    if let Some(k) = part.key_code() {
        clip.film = Some(FilmKeyCode {
            manufacturer: Some(k[0].to_string()),
            film_type: Some(k[1].to_string()),
            prefix: Some(k[2].to_string()),
            count: Some(k[3].to_string()),
            perf_offset: Some(k[4].to_string()),
            perfs_per_frame: u32::try_from(k[5]).ok(),
            perfs_per_count: u32::try_from(k[6]).ok(),
            ..FilmKeyCode::default()
        });
    }
    clip.creation_time = part.cap_date();
    clip.attributes = part.strings();
    let rate = part
        .frames_per_second()
        .and_then(|(n, d)| rational_i(i64::from(n), i64::from(d)));
    let tc_of = |h: &ExrHeader, clip: &mut Clip| {
        let t = h.parts.first()?.time_code()?;
        match t.timecode() {
            Ok(tc) => Some(tc),
            Err(e) => {
                clip.warn(WarningCode::Unreadable, format!("{name}: timeCode: {e}"));
                None
            }
        }
    };
    let start = tc_of(first, clip);
    if let Some(t) = part.time_code().filter(|t| t.user_data != 0) {
        clip.attributes.insert(
            "timecode_user_bits".into(),
            format!("{:#010x}", t.user_data),
        );
    }
    let last_tc = last.and_then(|l| tc_of(l, clip));
    apply_timing(clip, rate, start, last_tc, frame_count);
    if let Some(l) = last.and_then(|l| l.parts.first()) {
        let sig = |p: &super::openexr::ExrPart| {
            format!(
                "{:?} {:?} {:?}",
                p.data_window(),
                p.channels()
                    .iter()
                    .map(|c| (c.name.clone(), c.pixel_type))
                    .collect::<Vec<_>>(),
                p.compression()
            )
        };
        mixed_formats(clip, sig(part), sig(l));
    }
}

/// Applies a DPX sequence's first (and last) frame headers to a clip of `frame_count` frames.
pub fn apply_dpx(
    clip: &mut Clip,
    first: &DpxMetadata,
    last: Option<&DpxMetadata>,
    frame_count: u64,
) {
    let name = clip.clip_name.clone();
    clip.format.container = "dpx".into();
    let e = first.elements.first();
    clip.format.codec = match e.and_then(|e| e.encoding) {
        Some(1) => "rle".into(),
        _ => "uncompressed".into(),
    };
    clip.format.bit_depth = e.and_then(|e| e.bit_depth).map(u32::from);
    set_raster(clip, first.width, first.height);
    let descriptor = e.and_then(|e| e.descriptor);
    let sample_type = e
        .and_then(|e| e.bit_depth)
        .map(|b| format!("uint{b}"))
        .unwrap_or_else(|| "unknown".into());
    let channel_names: &[&str] = match descriptor {
        Some(50) => &["R", "G", "B"],
        Some(51) => &["R", "G", "B", "A"],
        Some(52) => &["A", "B", "G", "R"],
        Some(6) => &["Y"],
        Some(4) => &["A"],
        Some(1) => &["R"],
        Some(2) => &["G"],
        Some(3) => &["B"],
        _ => &[],
    };
    clip.picture = Some(Picture {
        channels: channel_names
            .iter()
            .map(|n| PictureChannel {
                name: (*n).to_string(),
                sample_type: sample_type.clone(),
            })
            .collect(),
        pixel_aspect_ratio: first.pixel_aspect.map(|[h, v]| f64::from(h) / f64::from(v)),
        transfer: e.and_then(|e| e.transfer).map(characteristic_name),
        colorimetric: e.and_then(|e| e.colorimetric).map(characteristic_name),
        descriptor: descriptor.map(descriptor_name),
        packing: e.and_then(|e| e.packing).map(packing_name),
        orientation: first.orientation,
        interlaced: first.tv.interlace.map(|i| i != 0),
        ..Picture::default()
    });
    let film = &first.film;
    if film.manufacturer_id.is_some() || film.prefix.is_some() || film.format.is_some() {
        clip.film = Some(FilmKeyCode {
            manufacturer: film.manufacturer_id.clone(),
            film_type: film.film_type.clone(),
            prefix: film.prefix.clone(),
            count: film.count.clone(),
            perf_offset: film.offset.clone(),
            format: film.format.clone(),
            edge_code: film.edge_code(),
            ..FilmKeyCode::default()
        });
    }
    clip.creation_time = first.creation_time.clone();
    for (k, v) in [
        ("creator", &first.creator),
        ("project", &first.project),
        ("copyright", &first.copyright),
        ("input_device", &first.input_device),
        ("input_serial", &first.input_serial),
        ("slate", &film.slate),
        ("version", &first.version),
    ] {
        if let Some(v) = v {
            clip.attributes.insert(k.into(), v.clone());
        }
    }
    if let Some(u) = first.tv.user_bits.filter(|&u| u != 0) {
        clip.attributes
            .insert("timecode_user_bits".into(), format!("{u:#010x}"));
    }
    clip.exposure.shutter_angle = film.shutter_angle.map(f64::from);
    let rate = first.frame_rate().and_then(|r| rate_from_f64(f64::from(r)));
    apply_timing(
        clip,
        rate,
        first.tv.timecode,
        last.and_then(|l| l.tv.timecode),
        frame_count,
    );
    if let Some(l) = last {
        let sig = |m: &DpxMetadata| {
            format!(
                "{}x{} {:?}-bit",
                m.width,
                m.height,
                m.elements.first().and_then(|e| e.bit_depth)
            )
        };
        mixed_formats(clip, sig(first), sig(l));
    }
    for w in first
        .warnings
        .iter()
        .chain(last.iter().flat_map(|l| l.warnings.iter()))
    {
        clip.warn(WarningCode::Unreadable, format!("{name}: {w}"));
    }
}

/// Adds the plain-TIFF descriptive tags and channel layout to a clip the DNG normalisation
/// already filled.
pub fn apply_tiff_extras(clip: &mut Clip, m: &TiffMetadata) {
    let names: &[&str] = match (m.image.photometric, m.samples_per_pixel) {
        (Some(2), Some(3)) => &["R", "G", "B"],
        (Some(2), Some(4)) => &["R", "G", "B", "A"],
        (Some(0 | 1), Some(1)) => &["Y"],
        (Some(0 | 1), Some(2)) => &["Y", "A"],
        _ => &[],
    };
    let picture = clip.picture.get_or_insert_with(Picture::default);
    picture.channels = names
        .iter()
        .zip(m.bits_per_sample.iter().chain(std::iter::repeat(&0)))
        .map(|(n, b)| PictureChannel {
            name: (*n).to_string(),
            sample_type: format!("uint{b}"),
        })
        .collect();
    picture.descriptor = m.image.photometric.map(|p| match p {
        0 => "WhiteIsZero".to_string(),
        1 => "BlackIsZero".to_string(),
        2 => "RGB".to_string(),
        6 => "YCbCr".to_string(),
        p => format!("photometric {p}"),
    });
    for (k, v) in [
        ("software", &m.software),
        ("date_time", &m.date_time),
        ("image_description", &m.image_description),
        ("artist", &m.artist),
    ] {
        if let Some(v) = v {
            clip.attributes.insert(k.into(), v.clone());
        }
    }
    if clip.creation_time.is_none() {
        clip.creation_time = m.date_time.clone();
    }
}

/// Applies a QuickTime / MP4 file's metadata to its clip.
pub fn apply_movie(clip: &mut Clip, m: &MovieMetadata, container: &str) {
    let name = clip.clip_name.clone();
    clip.format.container = container.into();
    clip.creation_time = m.creation_time();
    clip.attributes = m.strings.clone();
    let tc = m.timecode();
    clip.reel_name = tc.and_then(|t| t.reel_name.clone());
    if let Some(v) = m.video() {
        clip.format.codec = v
            .codec
            .as_deref()
            .map(codec_of_fourcc)
            .unwrap_or_else(|| "unknown".into());
        clip.format.codec_tag = v.codec.clone();
        clip.format.codec_name = v.codec_name.clone();
        if let (Some(w), Some(h)) = (v.width, v.height) {
            set_raster(clip, w, h);
        }
        clip.picture = Some(Picture {
            display_width: v.display_width.map(|w| w.round() as u32),
            display_height: v.display_height.map(|h| h.round() as u32),
            ..Picture::default()
        });
        let rate = v.frame_rate.map(|(num, den)| Rational { num, den });
        apply_timing(
            clip,
            rate,
            tc.and_then(|t| t.start_timecode()),
            None,
            v.sample_count,
        );
        clip.timing.duration_seconds = v.duration_seconds();
        if tc.is_some_and(|t| t.first_frame.is_none()) {
            clip.warn(
                WarningCode::Unreadable,
                format!("{name}: timecode track sample unreadable"),
            );
        }
    } else {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no video track"),
        );
        clip.timing.duration_seconds = m.duration_seconds();
    }
    if let Some(s) = m.sound() {
        if let Some(a) = &s.audio {
            clip.audio = Some(Audio {
                sample_rate: a.sample_rate.round() as u32,
                bit_depth: a.bits_per_sample,
                channels: a.channels,
                sample_count: s.sample_count,
                time_reference: None,
                track_names: Vec::new(),
                originator: None,
                tape: None,
            });
        }
    }
    for w in &m.warnings {
        clip.warn(WarningCode::Unreadable, format!("{name}: {w}"));
    }
}

/// The ffmpeg codec name of a QuickTime / MP4 video four-CC, else the four-CC itself.
pub fn codec_of_fourcc(fourcc: &str) -> String {
    match fourcc {
        "apch" | "apcn" | "apcs" | "apco" | "ap4h" | "ap4x" => "prores",
        "avc1" | "avc3" => "h264",
        "hvc1" | "hev1" => "hevc",
        "mp4v" => "mpeg4",
        "jpeg" | "mjpa" | "mjpb" => "mjpeg",
        "AVdn" | "AVdh" => "dnxhd",
        "dvc " | "dvcp" | "dv5n" | "dv5p" | "dvh5" | "dvh6" => "dvvideo",
        "mjp2" => "jpeg2000",
        "raw " | "2vuy" | "v210" => "rawvideo",
        other => other,
    }
    .to_string()
}

/// Applies an MXF file's header metadata to its clip.
pub fn apply_mxf(clip: &mut Clip, m: &MxfMetadata) {
    let name = clip.clip_name.clone();
    clip.format.container = "mxf".into();
    clip.reel_name = m.file_package_name.clone();
    for (k, v) in [
        ("material_package_name", &m.material_package_name),
        ("company_name", &m.company_name),
        ("product_name", &m.product_name),
        (
            "operational_pattern",
            &Some(m.partition.operational_pattern_name()),
        ),
    ] {
        if let Some(v) = v {
            clip.attributes.insert(k.into(), v.clone());
        }
    }
    if let Some(p) = m.pictures.first() {
        clip.format.codec = p.codec().unwrap_or_else(|| "unknown".into());
        clip.format.codec_tag = p.coding.as_ref().map(super::klv::ul_text);
        clip.format.bit_depth = p.component_depth;
        // The displayed picture (stored sizes may include coding padding: 1088 for 1080).
        let width = p.display_width.or(p.stored_width);
        let height = p.display_height.or(p.stored_height);
        if let (Some(w), Some(h)) = (width, height) {
            // Separated fields store each field's height.
            let h = if matches!(p.frame_layout, Some(1)) {
                h.saturating_mul(2)
            } else {
                h
            };
            set_raster(clip, w, h);
        }
        clip.picture = Some(Picture {
            display_width: p.display_width,
            display_height: p.display_height,
            display_aspect_ratio: p
                .aspect_ratio
                .and_then(|(n, d)| rational_i(i64::from(n), i64::from(d))),
            interlaced: p.frame_layout.map(|l| l != 0),
            ..Picture::default()
        });
    } else {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no picture essence descriptor"),
        );
    }
    let rate = m
        .edit_rate
        .or_else(|| m.pictures.first().and_then(|p| p.sample_rate))
        .and_then(|(n, d)| rational_i(i64::from(n), i64::from(d)));
    let frames = m.duration.and_then(|d| u64::try_from(d).ok()).unwrap_or(0);
    if m.duration.is_none() {
        clip.warn(WarningCode::MissingMetadata, format!("{name}: no duration"));
    }
    apply_timing(
        clip,
        rate,
        m.timecode.and_then(|t| t.start_timecode()),
        None,
        frames,
    );
    if let Some(t) = m.timecode {
        clip.timing.drop_frame = t.drop_frame;
    }
    if let Some(s) = m.sounds.first() {
        let sample_rate = s
            .sample_rate
            .and_then(|(n, d)| (d > 0).then(|| (f64::from(n) / f64::from(d)).round() as u32))
            .unwrap_or(0);
        let channels: u32 = m.sounds.iter().filter_map(|s| s.channels).sum();
        let sample_count = match rate {
            Some(r) if r.num > 0 => {
                let n = u128::from(frames) * u128::from(sample_rate) * u128::from(r.den)
                    / u128::from(r.num);
                u64::try_from(n).unwrap_or(u64::MAX)
            }
            _ => 0,
        };
        clip.audio = Some(Audio {
            sample_rate,
            bit_depth: s.bits.unwrap_or(0),
            channels,
            sample_count,
            time_reference: None,
            track_names: Vec::new(),
            originator: None,
            tape: None,
        });
    }
    for w in &m.warnings {
        clip.warn(WarningCode::Unreadable, format!("{name}: {w}"));
    }
}
