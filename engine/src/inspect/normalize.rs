//! Fills normalized [`Clip`] records from reader output (DNG/CinemaDNG frames, Broadcast WAV).

use super::bwf::BwfMetadata;
use super::clip::{Audio, Clip, Rational, SensorMode, WarningCode};
use super::dng::{DngMetadata, PHOTOMETRIC_CFA};
use super::ifd::{SRational, URational};
use super::timecode::{Timecode, timecode_base};

/// Largest plausible sensor side in photosites (larger values are reported as absurd).
pub const MAX_SENSOR_SIDE: u32 = 65_536;

fn ur(r: URational) -> Option<f64> {
    r.to_f64().filter(|v| v.is_finite())
}

fn matrix(m: &Option<Vec<SRational>>) -> Option<Vec<f64>> {
    m.as_ref()?.iter().map(|r| r.to_f64()).collect()
}

/// Codec name of a TIFF `Compression` value.
pub fn tiff_codec(compression: Option<u16>) -> String {
    match compression {
        Some(1) => "uncompressed".into(),
        Some(7) => "lossless_jpeg".into(),
        Some(8) | Some(32946) => "deflate".into(),
        Some(34892) => "lossy_jpeg".into(),
        Some(52546) => "jpeg_xl".into(),
        Some(c) => format!("tiff_compression_{c}"),
        None => "unknown".into(),
    }
}

/// `RGGB`-style name of a 2x2 CFA pattern (0 red, 1 green, 2 blue), else the colours joined.
pub fn cfa_name(dim: Option<[u16; 2]>, pattern: &[u8]) -> String {
    let letters: String = pattern
        .iter()
        .map(|&c| match c {
            0 => 'R',
            1 => 'G',
            2 => 'B',
            3 => 'C',
            4 => 'M',
            5 => 'Y',
            6 => 'W',
            _ => '?',
        })
        .collect();
    match dim {
        Some([2, 2]) | None => letters,
        Some([r, c]) => format!("{r}x{c}:{letters}"),
    }
}

/// Applies the metadata of a sequence's first frame (and, when given, its last frame, to check
/// the timecode runs continuously) to a camera clip of `frame_count` frames.
pub fn apply_dng(
    clip: &mut Clip,
    first: &DngMetadata,
    last: Option<&DngMetadata>,
    frame_count: u64,
) {
    let name = clip.clip_name.clone();
    clip.format.container = if first.timecode.is_some() || first.frame_rate.is_some() {
        "cinemadng".into()
    } else if first.dng_version.is_some() {
        "dng".into()
    } else {
        "tiff".into()
    };
    clip.format.codec = tiff_codec(first.compression);
    clip.format.bit_depth = first.bits_per_sample.map(u32::from);
    if first.photometric == Some(PHOTOMETRIC_CFA) {
        clip.format.cfa_pattern = first
            .cfa_pattern
            .as_ref()
            .map(|p| cfa_name(first.cfa_repeat_dim, p));
    }
    clip.camera.make = first.make.clone();
    clip.camera.model = first.model.clone();
    clip.camera.unique_model = first.unique_camera_model.clone();
    clip.camera.serial = first.serial.clone();
    clip.camera.label = first.camera_label.clone();
    clip.reel_name = first.reel_name.clone();
    if let (Some(width), Some(height)) = (first.width, first.height) {
        if width == 0 || height == 0 || width > MAX_SENSOR_SIDE || height > MAX_SENSOR_SIDE {
            clip.warn(
                WarningCode::Inconsistent,
                format!("{name}: absurd image dimensions {width}x{height}"),
            );
        }
        clip.sensor = Some(SensorMode {
            width,
            height,
            active_area: first.active_area,
            crop_origin: first.default_crop_origin,
            crop_size: first.default_crop_size,
            black_level: first.black_level.as_ref().and_then(|v| v.first().copied()),
            white_level: first.white_level.as_ref().and_then(|v| v.first().copied()),
        });
    } else {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no image width/height"),
        );
    }

    // Timing.
    let rate = first
        .frame_rate
        .and_then(|r| {
            Some(Rational {
                num: u32::try_from(r.num).ok()?,
                den: u32::try_from(r.den).ok()?,
            })
        })
        .filter(|r| timecode_base(r.num, r.den).is_some());
    clip.timing.frame_rate = rate;
    clip.timing.frame_count = Some(frame_count);
    if rate.is_none() {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no usable frame rate"),
        );
    }
    if let Some(r) = rate {
        clip.timing.duration_seconds =
            Some(frame_count as f64 * f64::from(r.den) / f64::from(r.num));
    }
    match (
        first.timecode,
        rate.and_then(|r| timecode_base(r.num, r.den)),
    ) {
        (Some(tc), Some(base)) => {
            if let Err(e) = tc.validate(base) {
                clip.warn(WarningCode::Inconsistent, format!("{name}: timecode {e}"));
            }
            clip.timing.drop_frame = tc.drop_frame;
            clip.timing.start_timecode = Some(tc.to_string());
            clip.timing.end_timecode = Some(tc.plus_frames(frame_count, base).to_string());
            if let Some(last_tc) = last.and_then(|l| l.timecode) {
                let want = tc.plus_frames(frame_count.saturating_sub(1), base);
                if last_tc != want {
                    clip.warn(
                        WarningCode::Inconsistent,
                        format!(
                            "{name}: last frame has timecode {last_tc}, {want} expected for {frame_count} continuous frames"
                        ),
                    );
                }
            }
        }
        (Some(tc), None) => clip.timing.start_timecode = Some(tc.to_string()),
        (None, _) => clip.warn(WarningCode::MissingMetadata, format!("{name}: no timecode")),
    }
    if let Some(l) = last {
        let same = |a: &DngMetadata, b: &DngMetadata| {
            (a.width, a.height, a.bits_per_sample, a.compression)
                == (b.width, b.height, b.bits_per_sample, b.compression)
        };
        if !same(first, l) {
            clip.warn(
                WarningCode::Inconsistent,
                format!(
                    "{name}: mixed frame formats: first frame {:?}x{:?} {:?}-bit, last frame {:?}x{:?} {:?}-bit",
                    first.width, first.height, first.bits_per_sample, l.width, l.height, l.bits_per_sample
                ),
            );
        }
    }

    // Lens, exposure, colour.
    let squeeze = first
        .default_scale
        .and_then(|[h, v]| Some(ur(h)? / ur(v)?))
        .filter(|s| s.is_finite() && *s > 0.0);
    clip.lens.model = first.lens_model.clone();
    clip.lens.focal_length_mm = first.focal_length.and_then(ur);
    clip.lens.t_stop = first.t_stop.and_then(ur);
    clip.lens.f_number = first.f_number.and_then(ur);
    clip.lens.squeeze = squeeze;
    clip.exposure.iso = first.iso;
    clip.exposure.shutter_seconds = first
        .exposure_time
        .filter(|r| r.den != 0)
        .map(|r| Rational {
            num: r.num,
            den: r.den,
        });
    if let (Some(t), Some(r)) = (clip.exposure.shutter_seconds, rate) {
        let angle = t.as_f64() * r.as_f64() * 360.0;
        clip.exposure.shutter_angle = Some((angle * 1000.0).round() / 1000.0);
    }
    clip.white_balance.as_shot_neutral = first
        .as_shot_neutral
        .as_ref()
        .and_then(|v| v.iter().map(|r| ur(*r)).collect());
    clip.colour.color_matrix_1 = matrix(&first.color_matrix_1);
    clip.colour.color_matrix_2 = matrix(&first.color_matrix_2);
    clip.colour.forward_matrix_1 = matrix(&first.forward_matrix_1);
    clip.colour.forward_matrix_2 = matrix(&first.forward_matrix_2);
    clip.colour.calibration_illuminant_1 = first.calibration_illuminant_1;
    clip.colour.calibration_illuminant_2 = first.calibration_illuminant_2;
    clip.colour.baseline_exposure = first.baseline_exposure.and_then(|r| r.to_f64());

    if clip.camera.make.is_none() && clip.camera.model.is_none() {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no camera make or model"),
        );
    }
    for w in first
        .warnings
        .iter()
        .chain(last.iter().flat_map(|l| l.warnings.iter()))
    {
        clip.warn(WarningCode::Unreadable, format!("{name}: {w}"));
    }
}

/// Applies a Broadcast WAV file's metadata to a sound clip.
pub fn apply_bwf(clip: &mut Clip, m: &BwfMetadata) {
    let name = clip.clip_name.clone();
    clip.format.container = if m.bext.is_some() { "bwf" } else { "wav" }.into();
    clip.format.codec = match m.format.format_tag {
        1 => "pcm".into(),
        3 => "float".into(),
        t => format!("wave_format_{t:#06x}"),
    };
    clip.format.bit_depth = Some(u32::from(m.format.bits_per_sample));
    let ixml = m.ixml.as_ref();
    clip.audio = Some(Audio {
        sample_rate: m.format.sample_rate,
        bit_depth: u32::from(m.format.bits_per_sample),
        channels: u32::from(m.format.channels),
        sample_count: m.sample_frames,
        time_reference: m.bext.as_ref().map(|b| b.time_reference),
        track_names: ixml.map(|x| x.track_names.clone()).unwrap_or_default(),
        originator: m
            .bext
            .as_ref()
            .map(|b| b.originator.clone())
            .filter(|s| !s.is_empty()),
        tape: ixml.and_then(|x| x.tape.clone()),
    });
    clip.timing.duration_seconds = Some(m.duration_seconds());

    // Slate: iXML, else the bext description's key/value lines.
    if let Some(x) = ixml.filter(|x| x.scene.is_some() || x.take.is_some()) {
        clip.slate.scene = x.scene.clone();
        clip.slate.take = x.take.clone();
        clip.slate.circled = x.circled;
        clip.slate.note = x.note.clone();
        clip.slate.source = Some("ixml".into());
    } else if let Some(b) = m
        .bext
        .as_ref()
        .filter(|b| b.description_field("SCENE").is_some())
    {
        clip.slate.scene = b.description_field("SCENE");
        clip.slate.take = b.description_field("TAKE");
        clip.slate.circled = b
            .description_field("CIRCLED")
            .map(|v| v.eq_ignore_ascii_case("TRUE"));
        clip.slate.note = b.description_field("NOTE");
        clip.slate.source = Some("bext".into());
    } else {
        clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no scene/take in iXML or bext"),
        );
    }

    // Timecode: iXML rate and flag, bext time reference.
    // Rate and flag: iXML, else the bext description's `sSPEED=` line.
    let bext_speed = m.bext.as_ref().and_then(|b| b.speed());
    let rate = ixml
        .and_then(|x| x.timecode_rate)
        .or(bext_speed.map(|s| s.0));
    let drop = ixml
        .and_then(|x| x.timecode_drop_frame)
        .or(bext_speed.map(|s| s.1))
        .unwrap_or(false);
    clip.timing.drop_frame = drop;
    if let (Some(tr), Some(ts)) = (
        m.bext.as_ref().map(|b| b.time_reference),
        ixml.and_then(|x| x.timestamp_samples_since_midnight),
    ) {
        if tr != ts {
            clip.warn(
                WarningCode::Inconsistent,
                format!("{name}: bext TimeReference {tr} differs from iXML timestamp {ts}"),
            );
        }
    }
    match (rate, m.bext.as_ref()) {
        (Some((num, den)), Some(b)) if timecode_base(num, den).is_some() => {
            clip.timing.frame_rate = Some(Rational { num, den });
            let rate_hz = u128::from(m.format.sample_rate);
            let frames =
                u128::from(m.sample_frames) * u128::from(num) / (rate_hz.max(1) * u128::from(den));
            let frames = u64::try_from(frames).unwrap_or(u64::MAX);
            clip.timing.frame_count = Some(frames);
            match Timecode::from_samples(b.time_reference, m.format.sample_rate, num, den, drop) {
                Ok(tc) => {
                    clip.timing.start_timecode = Some(tc.to_string());
                    let end = b.time_reference.saturating_add(m.sample_frames);
                    if let Ok(e) = Timecode::from_samples(end, m.format.sample_rate, num, den, drop)
                    {
                        clip.timing.end_timecode = Some(e.to_string());
                    }
                }
                Err(e) => clip.warn(WarningCode::Inconsistent, format!("{name}: timecode: {e}")),
            }
        }
        (_, None) => clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no bext chunk: no timecode"),
        ),
        _ => clip.warn(
            WarningCode::MissingMetadata,
            format!("{name}: no usable timecode rate (iXML TIMECODE_RATE or bext sSPEED): timecode not computed"),
        ),
    }
    if let Some(x) = ixml {
        if let Some(fsr) = x.file_sample_rate.filter(|&r| r != m.format.sample_rate) {
            clip.warn(
                WarningCode::Inconsistent,
                format!(
                    "{name}: iXML FILE_SAMPLE_RATE {fsr} differs from fmt {}",
                    m.format.sample_rate
                ),
            );
        }
        for w in &x.warnings {
            clip.warn(WarningCode::Unreadable, format!("{name}: iXML {w}"));
        }
    }
    for w in &m.warnings {
        clip.warn(WarningCode::Unreadable, format!("{name}: {w}"));
    }
}
