//! OpenEXR conformance against the OpenEXR 3.5 Python package: files we write decode
//! bit-exact there with the header we meant (chromaticities, ACES container flag, time code,
//! frame rate, strings), and files it writes decode bit-exact here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::io::Cursor;
use std::path::Path;

use half::f16;
use rushes_engine::image_io::FloatImage;
use rushes_engine::image_io::exr::{
    self, ATTR_AMF_FILE, ATTR_FDL_FILE, Chromaticities, ExrCompression, ExrPixelType,
    ExrWriteOptions,
};
use rushes_engine::raw::ImageLimits;
use rushes_engine::timecode::{FrameRate, Timecode};
use rushes_test_support::{ref_python, run_python, skip, workspace_root};
use serde_json::Value;

fn script() -> std::path::PathBuf {
    workspace_root().join("engine/tests/image_io_ref/exr_ref.py")
}

/// A test image with awkward values: zeros of both signs, the largest half, a subnormal,
/// infinities, negatives, and smooth noise.
fn test_image(width: usize, height: usize, channels: usize) -> Vec<f32> {
    let mut v: Vec<f32> = (0..width * height * channels)
        .map(|i| {
            let x = i as f32;
            (x * 0.731).sin() * 3.0 + (x * 0.0123).cos() * 0.2 + 0.18
        })
        .collect();
    let specials = [
        0.0,
        -0.0,
        65504.0,
        1e-7,
        f32::INFINITY,
        f32::NEG_INFINITY,
        6.1e-5,
        -2.0,
    ];
    v[..specials.len()].copy_from_slice(&specials);
    v
}

fn channel_bits(info: &Value, name: &str) -> Vec<u64> {
    info["channels"][name]["bits"]
        .as_array()
        .unwrap_or_else(|| panic!("no channel {name}: {info}"))
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect()
}

fn dump(python: &Path, files: &[std::path::PathBuf]) -> BTreeMap<String, Value> {
    let mut args: Vec<&std::ffi::OsStr> = vec!["dump".as_ref()];
    args.extend(files.iter().map(|f| f.as_os_str()));
    let out = run_python(python, &script(), &args, Vec::new());
    serde_json::from_slice(&out).unwrap()
}

#[test]
fn files_we_write_decode_bit_exact_in_openexr() {
    let test = "files_we_write_decode_bit_exact_in_openexr";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let (w, h) = (67, 45);
    let mut cases = Vec::new();
    for alpha in [false, true] {
        let count = 3 + usize::from(alpha);
        let samples = test_image(w, h, count);
        let image = if alpha {
            FloatImage::rgba(w, h, samples).unwrap()
        } else {
            FloatImage::rgb(w, h, samples).unwrap()
        };
        for (compression, label) in [
            (ExrCompression::None, "NO_COMPRESSION"),
            (ExrCompression::Rle, "RLE_COMPRESSION"),
            (ExrCompression::Zips, "ZIPS_COMPRESSION"),
            (ExrCompression::Zip, "ZIP_COMPRESSION"),
            (ExrCompression::Piz, "PIZ_COMPRESSION"),
        ] {
            for pixel_type in [ExrPixelType::Half, ExrPixelType::Float] {
                let options = ExrWriteOptions {
                    compression,
                    pixel_type,
                    ..ExrWriteOptions::default()
                };
                let name = format!("{label}_{pixel_type:?}_{count}.exr");
                cases.push((name, image.clone(), options, label));
            }
        }
    }
    // The strict ACES container with every typed attribute.
    let mut aces = ExrWriteOptions::aces_container();
    let tc = Timecode::parse("10:11:12:13", FrameRate::FPS_23_976).unwrap();
    aces.header.set_timecode(&tc).unwrap();
    aces.header.clip_name = Some("A001C003_250101_R1AB".into());
    aces.header.reel_name = Some("A001".into());
    aces.header.owner = Some("Rushes Pictures".into());
    aces.header.comments = Some("plate for sh010".into());
    aces.header.capture_date = Some("2025:01:01 10:11:12".into());
    aces.header.set_string(ATTR_AMF_FILE, "A001C003.amf");
    aces.header.set_string(ATTR_FDL_FILE, "A001C003.fdl");
    for count in [3, 4] {
        let samples = test_image(w, h, count);
        let image = if count == 4 {
            FloatImage::rgba(w, h, samples).unwrap()
        } else {
            FloatImage::rgb(w, h, samples).unwrap()
        };
        cases.push((
            format!("aces_{count}.exr"),
            image,
            aces.clone(),
            "NO_COMPRESSION",
        ));
    }
    // Drop-frame time code at 29.97 on a PIZ plate with AP1 primaries.
    let mut df = ExrWriteOptions::with_compression(ExrCompression::Piz);
    df.header
        .set_timecode(&Timecode::parse("01:09:59;29", FrameRate::FPS_29_97_DF).unwrap())
        .unwrap();
    df.header.chromaticities = Some(Chromaticities::ACES_AP1);
    cases.push((
        "df.exr".into(),
        FloatImage::rgb(w, h, test_image(w, h, 3)).unwrap(),
        df,
        "PIZ_COMPRESSION",
    ));

    let mut files = Vec::new();
    for (name, image, options, _) in &cases {
        let path = dir.path().join(name);
        let mut file = std::fs::File::create(&path).unwrap();
        exr::write(&mut file, image, options).unwrap();
        files.push(path);
    }
    let infos = dump(&python, &files);
    let mut compared = 0usize;
    for (name, image, options, label) in &cases {
        let info = &infos[name.as_str()];
        assert_eq!(info["compression"], *label, "{name}");
        assert_eq!(info["lineOrder"], "INCREASING_Y", "{name}");
        for (c, channel) in image.channel_names().iter().enumerate() {
            let want: Vec<u64> = image
                .samples()
                .iter()
                .skip(c)
                .step_by(image.channel_count())
                .map(|v| match options.pixel_type {
                    ExrPixelType::Half => u64::from(f16::from_f32(*v).to_bits()),
                    _ => u64::from(v.to_bits()),
                })
                .collect();
            let kind = if options.pixel_type == ExrPixelType::Half {
                "half"
            } else {
                "float"
            };
            assert_eq!(info["channels"][channel]["type"], kind, "{name} {channel}");
            assert_eq!(
                info["channels"][channel]["shape"],
                serde_json::json!([h, w])
            );
            assert_eq!(channel_bits(info, channel), want, "{name} {channel}");
            compared += want.len();
        }
        assert_eq!(
            info["channels"].as_object().unwrap().len(),
            image.channel_count()
        );
    }
    assert!(compared > 100_000, "{compared}");

    // The ACES containers: exactly the attributes we meant, with their values.
    let ap0 = Chromaticities::ACES_AP0;
    for count in [3, 4] {
        let info = &infos[format!("aces_{count}.exr").as_str()];
        let chroma: Vec<f32> = info["chromaticities"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        let want = [ap0.red, ap0.green, ap0.blue, ap0.white].concat();
        assert_eq!(chroma, want);
        assert_eq!(info["acesImageContainerFlag"], 1);
        assert_eq!(info["colorMetadata"], 0, "OpenEXR color metadata warnings");
        assert_eq!(info["pixelAspectRatio"], 1.0);
        let tc = &info["timeCode"];
        assert_eq!(
            (&tc["hours"], &tc["minutes"], &tc["seconds"], &tc["frame"]),
            (&10.into(), &11.into(), &12.into(), &13.into())
        );
        assert_eq!(tc["dropFrame"], false);
        assert_eq!(info["framesPerSecond"], serde_json::json!([24000, 1001]));
        assert_eq!(info["owner"], "Rushes Pictures");
        assert_eq!(info["comments"], "plate for sh010");
        assert_eq!(info["capDate"], "2025:01:01 10:11:12");
        assert_eq!(info["clipName"], "A001C003_250101_R1AB");
        assert_eq!(info["reelName"], "A001");
        assert_eq!(info["amfFile"], "A001C003.amf");
        assert_eq!(info["fdlFile"], "A001C003.fdl");
        let attributes: Vec<&str> = info["attributes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(
            attributes,
            [
                "acesImageContainerFlag",
                "amfFile",
                "capDate",
                "channels",
                "chromaticities",
                "clipName",
                "comments",
                "compression",
                "dataWindow",
                "displayWindow",
                "fdlFile",
                "framesPerSecond",
                "lineOrder",
                "owner",
                "pixelAspectRatio",
                "reelName",
                "screenWindowCenter",
                "screenWindowWidth",
                "timeCode",
                // The binding reports the part type of every file, present in the file or not.
                "type",
            ]
        );
        // The file itself carries only the attributes ST 2065-4 and we define (no `type`,
        // `chunkCount` or `name`, which single-part files do not need).
        let bytes = std::fs::read(dir.path().join(format!("aces_{count}.exr"))).unwrap();
        for absent in [&b"type\0"[..], b"chunkCount\0", b"name\0"] {
            assert!(!bytes.windows(absent.len()).any(|w| w == absent));
        }
        assert_eq!(&bytes[4..8], &[2, 0, 0, 0], "version 2, no flags");
    }
    let df = &infos["df.exr"];
    assert_eq!(df["timeCode"]["dropFrame"], true);
    assert_eq!(
        (
            &df["timeCode"]["minutes"],
            &df["timeCode"]["seconds"],
            &df["timeCode"]["frame"]
        ),
        (&9.into(), &59.into(), &29.into())
    );
    assert_eq!(df["framesPerSecond"], serde_json::json!([30000, 1001]));
    // Not an ACES container: no flag; AP1 primaries as written.
    assert!(df.get("acesImageContainerFlag").is_none());
    assert_eq!(df["chromaticities"][0].as_f64().unwrap() as f32, 0.713);
}

#[test]
fn files_openexr_writes_decode_bit_exact_here() {
    let test = "files_openexr_writes_decode_bit_exact_here";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let dir = tempfile::tempdir().unwrap();
    let out = run_python(
        &python,
        &script(),
        &["write".as_ref(), dir.path().as_os_str()],
        Vec::new(),
    );
    let infos: BTreeMap<String, Value> = serde_json::from_slice(&out).unwrap();
    assert!(infos.len() >= 40, "{}", infos.len());
    let limits = ImageLimits::default();
    let mut compared = 0usize;
    for (name, info) in &infos {
        let bytes = std::fs::read(dir.path().join(name)).unwrap();
        let file_info = exr::read_info(&mut Cursor::new(&bytes), name).unwrap();
        let (image, _) =
            exr::read(Cursor::new(&bytes), name, &limits).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!((image.width(), image.height()), (67, 45), "{name}");
        assert_eq!(file_info.tiled, name.starts_with("tiled"), "{name}");
        let rgba = name.contains("rgba");
        let want_channels: &[&str] = if rgba {
            &["R", "G", "B", "A"]
        } else {
            &["R", "G", "B"]
        };
        assert_eq!(image.channel_names(), want_channels, "{name}");
        for (c, channel) in want_channels.iter().enumerate() {
            let theirs = channel_bits(info, channel);
            let half = info["channels"][channel]["type"] == "half";
            let ours: Vec<u64> = image
                .samples()
                .iter()
                .skip(c)
                .step_by(want_channels.len())
                .map(|v| {
                    if half {
                        u64::from(f16::from_f32(*v).to_bits())
                    } else {
                        u64::from(v.to_bits())
                    }
                })
                .collect();
            let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
            assert_eq!(
                (ours.len(), differ),
                (theirs.len(), 0),
                "{name} channel {channel}: samples differing from OpenEXR's decoding"
            );
            compared += ours.len();
        }
    }
    assert!(compared > 400_000, "{compared}");
}
