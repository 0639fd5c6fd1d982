//! Round trips of the OpenEXR writer through the reader: every compression, half and float,
//! channel order, header attributes, and the ST 2065-4 checks.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Cursor;

use super::*;
use crate::image_io::exr::{
    ATTR_AMF_FILE, ATTR_FDL_FILE, ExrTimecode, RawAttribute, read, read_all_channels, read_info,
};
use crate::raw::ImageLimits;
use crate::timecode::{FrameRate, Timecode};

fn ramp(width: usize, height: usize, channels: usize) -> Vec<f32> {
    (0..width * height * channels)
        .map(|i| (i as f32 * 0.37).sin() * 4.0 + (i % 7) as f32 * 0.01)
        .collect()
}

fn halved(v: &[f32]) -> Vec<f32> {
    v.iter().map(|x| f16::from_f32(*x).to_f32()).collect()
}

#[test]
fn every_compression_round_trips_half_and_float() {
    let limits = ImageLimits::default();
    for (w, h) in [(1, 1), (37, 45), (64, 70)] {
        for alpha in [false, true] {
            let samples = ramp(w, h, 3 + usize::from(alpha));
            let image = if alpha {
                FloatImage::rgba(w, h, samples.clone()).unwrap()
            } else {
                FloatImage::rgb(w, h, samples.clone()).unwrap()
            };
            for compression in [
                ExrCompression::None,
                ExrCompression::Rle,
                ExrCompression::Zips,
                ExrCompression::Zip,
                ExrCompression::Piz,
            ] {
                for pixel_type in [ExrPixelType::Half, ExrPixelType::Float] {
                    let options = ExrWriteOptions {
                        compression,
                        pixel_type,
                        ..ExrWriteOptions::default()
                    };
                    let bytes = to_vec(&image, &options).unwrap();
                    let (back, _) = read(Cursor::new(&bytes), "t.exr", &limits).unwrap();
                    let want = if pixel_type == ExrPixelType::Half {
                        halved(&samples)
                    } else {
                        samples.clone()
                    };
                    assert_eq!(
                        back.samples(),
                        want,
                        "{w}x{h} {compression:?} {pixel_type:?}"
                    );
                    assert_eq!(back.channel_names(), image.channel_names());
                    let info = read_info(&mut Cursor::new(&bytes), "t.exr").unwrap();
                    assert_eq!(info.compression, compression);
                    assert_eq!((info.width, info.height), (w, h));
                    assert_eq!(info.version, 2);
                    let names: Vec<&str> = info.channels.iter().map(|c| c.name.as_str()).collect();
                    let want_names: &[&str] = if alpha {
                        &["A", "B", "G", "R"]
                    } else {
                        &["B", "G", "R"]
                    };
                    assert_eq!(names, want_names);
                }
            }
        }
    }
}

#[test]
fn header_attributes_round_trip() {
    let image = FloatImage::rgb(4, 2, ramp(4, 2, 3)).unwrap();
    let mut options = ExrWriteOptions::with_compression(ExrCompression::Piz);
    let h = &mut options.header;
    h.set_timecode(&Timecode::parse("11:22:33;14", FrameRate::FPS_29_97_DF).unwrap())
        .unwrap();
    h.clip_name = Some("A001C003_250101_R1AB".into());
    h.reel_name = Some("A001".into());
    h.owner = Some("Rushes Pictures".into());
    h.comments = Some("plate".into());
    h.capture_date = Some("2025:01:01 10:00:00".into());
    h.chromaticities = Some(Chromaticities::ACES_AP1);
    h.adopted_neutral = Some([0.32168, 0.33767]);
    h.pixel_aspect_ratio = 2.0;
    h.set_string(ATTR_AMF_FILE, "A001C003.amf");
    h.set_string(ATTR_FDL_FILE, "A001C003.fdl");
    h.other.push(RawAttribute {
        name: "focus".into(),
        type_name: "float".into(),
        bytes: 2.5f32.to_le_bytes().to_vec(),
    });
    let bytes = to_vec(&image, &options).unwrap();
    let (_, back) = read(Cursor::new(&bytes), "t.exr", &ImageLimits::default()).unwrap();
    assert_eq!(back, options.header);
    assert_eq!(
        back.smpte_timecode().unwrap().unwrap().to_string(),
        "11:22:33;14"
    );
}

#[test]
fn extra_channels_pass_through_sorted() {
    let names = ["Z", "R", "mask", "G", "B"].map(String::from).to_vec();
    let image = FloatImage::new(3, 2, names, ramp(3, 2, 5)).unwrap();
    let bytes = to_vec(&image, &ExrWriteOptions::default()).unwrap();
    let (all, _) =
        read_all_channels(Cursor::new(&bytes), "t.exr", &ImageLimits::default()).unwrap();
    assert_eq!(all.channel_names(), ["B", "G", "R", "Z", "mask"]);
    let (rgb, _) = read(Cursor::new(&bytes), "t.exr", &ImageLimits::default()).unwrap();
    assert_eq!(rgb.channel_names(), ["R", "G", "B"]);
    let src = halved(image.samples());
    for p in 0..6 {
        assert_eq!(rgb.samples()[p * 3], src[p * 5 + 1]);
        assert_eq!(all.samples()[p * 5 + 4], src[p * 5 + 2]);
    }
}

#[test]
fn aces_container_contradictions_are_errors() {
    let rgb = FloatImage::rgb(2, 2, ramp(2, 2, 3)).unwrap();
    let ok = to_vec(&rgb, &ExrWriteOptions::aces_container()).unwrap();
    let info = read_info(&mut Cursor::new(&ok), "t.exr").unwrap();
    assert_eq!(info.header.aces_image_container_flag, Some(1));
    assert_eq!(info.header.chromaticities, Some(Chromaticities::ACES_AP0));
    type Tweak = Box<dyn Fn(&mut ExrWriteOptions)>;
    let cases: Vec<(Tweak, &str)> = vec![
        (
            Box::new(|o| o.compression = ExrCompression::Piz),
            "compression must be none",
        ),
        (
            Box::new(|o| o.pixel_type = ExrPixelType::Float),
            "half floats",
        ),
        (
            Box::new(|o| o.header.chromaticities = Some(Chromaticities::REC709)),
            "AP0",
        ),
        (
            Box::new(|o| o.header.aces_image_container_flag = Some(2)),
            "must be 1, not 2",
        ),
        (
            Box::new(|o| o.header.pixel_aspect_ratio = 2.0),
            "pixelAspectRatio",
        ),
        (
            Box::new(|o| o.header.adopted_neutral = Some([0.3127, 0.329])),
            "adoptedNeutral",
        ),
        (
            Box::new(|o| {
                o.header
                    .set_string("aVeryLongAttributeNameOfMoreThan31", "x")
            }),
            "longer than 31",
        ),
    ];
    for (change, needle) in cases {
        let mut o = ExrWriteOptions::aces_container();
        change(&mut o);
        let e = to_vec(&rgb, &o).unwrap_err().to_string();
        assert!(e.contains("ST 2065-4") && e.contains(needle), "{e}");
    }
    let y = FloatImage::new(2, 2, vec!["Y".into()], vec![0.0; 4]).unwrap();
    let e = to_vec(&y, &ExrWriteOptions::aces_container())
        .unwrap_err()
        .to_string();
    assert!(e.contains("channels must be R, G, B"), "{e}");
    // Outside strict mode the flag may not be claimed.
    let mut o = ExrWriteOptions::default();
    o.header.aces_image_container_flag = Some(1);
    assert!(
        to_vec(&rgb, &o)
            .unwrap_err()
            .to_string()
            .contains("only in SMPTE ST 2065-4")
    );
}

#[test]
fn bad_options_are_errors() {
    let rgb = FloatImage::rgb(2, 2, ramp(2, 2, 3)).unwrap();
    let mut o = ExrWriteOptions::with_compression(ExrCompression::Dwaa);
    assert!(
        to_vec(&rgb, &o)
            .unwrap_err()
            .to_string()
            .contains("not written")
    );
    o = ExrWriteOptions::default();
    o.header.set_string("channels", "x");
    assert!(
        to_vec(&rgb, &o)
            .unwrap_err()
            .to_string()
            .contains("given twice")
    );
    o = ExrWriteOptions::default();
    o.header.set_string("", "x");
    assert!(
        to_vec(&rgb, &o)
            .unwrap_err()
            .to_string()
            .contains("1 to 255 bytes")
    );
    o = ExrWriteOptions::default();
    o.header.timecode = Some(ExrTimecode {
        hours: 24,
        ..Default::default()
    });
    assert!(
        to_vec(&rgb, &o)
            .unwrap_err()
            .to_string()
            .contains("hours 24")
    );
    // Long names set the long-names flag outside strict mode.
    o = ExrWriteOptions::default();
    o.header
        .set_string("aVeryLongAttributeNameOfMoreThan31", "x");
    let bytes = to_vec(&rgb, &o).unwrap();
    let info = read_info(&mut Cursor::new(&bytes), "t.exr").unwrap();
    assert!(info.long_names);
    assert_eq!(
        info.header.string("aVeryLongAttributeNameOfMoreThan31"),
        Some("x")
    );
}
