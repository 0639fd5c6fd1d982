//! Conformance of the DNG raw decode (`raw::decode_dng`) against rawpy (LibRaw) and dngpy (the
//! Adobe DNG SDK): the stored samples of the whole image and of the active area, the black
//! level per channel, the white level and the CFA layout, exactly, on DNGs written by our
//! sample-card generator (uncompressed and lossless JPEG), by pidng (uncompressed and lossless
//! JPEG, 8 to 16 bits, all four Bayer phases) and by tifffile (strips, tiles, SubIFDs, both byte
//! orders, an active area at an odd column). Where LibRaw and the SDK disagree, the SDK decides.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};

use rushes_engine::raw::{BayerPhase, DecodedRaw, ImageLimits, RawCompression, decode_dng_named};
use rushes_engine::sample::{CardPlan, CardSpec, DngCompression, write_dng_with};
use rushes_test_support::{ref_python, run_python, skip};
use serde_json::{Value, json};

fn script(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/raw_ref")
        .join(name)
}

fn read_u16s(path: &Path) -> Vec<u16> {
    std::fs::read(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// One DNG under test: where it is, and the stored samples its writer was given (if known).
struct Case {
    path: PathBuf,
    want: Option<Vec<u16>>,
    compression: RawCompression,
}

/// Frames of the sample card, uncompressed and lossless JPEG (our encoder).
fn generator_cases(dir: &Path) -> Vec<Case> {
    let plan = CardPlan::new(&CardSpec::new(11, 1)).unwrap();
    let mut cases = Vec::new();
    // RGGB (A camera) and the anamorphic GRBG clip (B camera, width not a tile multiple).
    for clip in [
        &plan.camera_rolls[0].clips[0],
        &plan.camera_rolls[1].clips[1],
    ] {
        let mut plain = Vec::new();
        write_dng_with(clip, 2, 11, DngCompression::None, &mut plain).unwrap();
        let decoded = decode_dng_named(&plain, "plain", &ImageLimits::default()).unwrap();
        for (compression, label) in [
            (DngCompression::None, "none"),
            (DngCompression::LosslessJpeg, "ljpeg"),
        ] {
            let mut bytes = Vec::new();
            write_dng_with(clip, 2, 11, compression, &mut bytes).unwrap();
            let path = dir.join(format!("gen_{}_{label}.dng", clip.clip_name));
            std::fs::write(&path, &bytes).unwrap();
            cases.push(Case {
                path,
                // The compressed frame must hold exactly the uncompressed frame's samples.
                want: Some(decoded.raw.samples().to_vec()),
                compression: match compression {
                    DngCompression::None => RawCompression::Uncompressed,
                    DngCompression::LosslessJpeg => RawCompression::LosslessJpeg,
                },
            });
        }
    }
    cases
}

/// pidng DNGs: every phase, 8, 10, 12 and 16 bits, uncompressed and lossless JPEG.
fn pidng_cases(python: &Path, dir: &Path) -> Vec<Case> {
    let mut specs = Vec::new();
    let mut cases = Vec::new();
    for (i, pattern) in ["RGGB", "BGGR", "GRBG", "GBRG"].iter().enumerate() {
        for bits in [8, 10, 12, 16] {
            for compress in [false, true] {
                let path = dir.join(format!("pidng_{pattern}_{bits}_{compress}.dng"));
                specs.push(json!({
                    "path": path, "width": 64, "height": 40, "bits": bits,
                    "pattern": pattern, "compress": compress, "seed": i * 100 + bits,
                }));
                cases.push(Case {
                    path,
                    want: None,
                    compression: if compress {
                        RawCompression::LosslessJpeg
                    } else {
                        RawCompression::Uncompressed
                    },
                });
            }
        }
    }
    run_python(
        python,
        &script("write_pidng.py"),
        &[],
        serde_json::to_vec(&specs).unwrap(),
    );
    for case in &mut cases {
        case.want = Some(read_u16s(&with_suffix(&case.path, ".want.u16")));
    }
    cases
}

/// tifffile DNGs: strips and tiles, both byte orders, 8 and 16 bits, SubIFD, active areas.
fn tifffile_cases(python: &Path, dir: &Path) -> Vec<Case> {
    let specs = json!([
        {"name": "tiled_be_subifd_odd_area", "width": 48, "height": 32, "dtype": "uint16",
         "byteorder": ">", "pattern": [1, 0, 2, 1], "tile": [16, 16], "subifd": true,
         "active_area": [2, 3, 30, 45], "black": [10, 20, 30, 40], "white": 60000, "seed": 1},
        {"name": "strips_le_8bit", "width": 48, "height": 32, "dtype": "uint8",
         "byteorder": "<", "pattern": [2, 1, 1, 0], "tile": null, "subifd": false,
         "active_area": null, "black": [1, 2, 3, 4], "white": 250, "seed": 2},
        {"name": "strips_be_even_area", "width": 50, "height": 34, "dtype": "uint16",
         "byteorder": ">", "pattern": [1, 2, 0, 1], "tile": null, "subifd": false,
         "active_area": [2, 4, 32, 48], "black": [100, 100, 100, 100], "white": 65000, "seed": 3},
        {"name": "tiled_le_rggb", "width": 40, "height": 24, "dtype": "uint16",
         "byteorder": "<", "pattern": [0, 1, 1, 2], "tile": [16, 32], "subifd": true,
         "active_area": [0, 2, 24, 40], "black": [64, 65, 66, 67], "white": 16383, "seed": 4}
    ]);
    let mut specs = specs.as_array().unwrap().clone();
    let mut cases = Vec::new();
    for spec in &mut specs {
        let path = dir.join(format!("tifffile_{}.dng", spec["name"].as_str().unwrap()));
        spec["path"] = json!(path);
        cases.push(Case {
            path,
            want: None,
            compression: RawCompression::Uncompressed,
        });
    }
    run_python(
        python,
        &script("write_tifffile_cfa.py"),
        &[],
        serde_json::to_vec(&specs).unwrap(),
    );
    for case in &mut cases {
        case.want = Some(read_u16s(&with_suffix(&case.path, ".want.u16")));
    }
    cases
}

/// The colour letter (R, G, B) of each site of the 2x2 cell at the active area's origin.
fn our_cell(phase: BayerPhase) -> String {
    (0..4)
        .map(|i| match phase.color_at(i % 2, i / 2).channel() {
            0 => 'R',
            1 => 'G',
            _ => 'B',
        })
        .collect()
}

/// What the comparison found, for the summary line.
#[derive(Default)]
struct Tally {
    files: usize,
    samples_vs_rawpy: usize,
    visible_vs_rawpy: usize,
    samples_vs_sdk: usize,
    libraw_shifted: Vec<String>,
    sdk_files: usize,
}

fn check(case: &Case, ours: &DecodedRaw, r: &Value, tally: &mut Tally) {
    let name = case.path.display().to_string();
    tally.files += 1;
    assert_eq!(ours.compression, case.compression, "{name}");
    if let Some(want) = &case.want {
        assert!(
            ours.raw.samples() == want.as_slice(),
            "{name}: samples differ from the writer's"
        );
    }
    // Whole image: LibRaw's raw_image.
    let (w, h) = (ours.raw.width(), ours.raw.height());
    assert_eq!(
        (
            r["raw_width"].as_u64().unwrap(),
            r["raw_height"].as_u64().unwrap()
        ),
        (w as u64, h as u64),
        "{name}"
    );
    let rawpy_image = read_u16s(&with_suffix(&case.path, ".rawpy.u16"));
    let differing = rawpy_image
        .iter()
        .zip(ours.raw.samples())
        .filter(|(a, b)| a != b)
        .count();
    assert_eq!(
        differing, 0,
        "{name}: {differing} samples differ from rawpy's raw_image"
    );
    assert_eq!(rawpy_image.len(), w * h, "{name}");
    tally.samples_vs_rawpy += w * h;
    assert_eq!(
        r["white_level"].as_f64().unwrap(),
        ours.levels.white_level,
        "{name}: white level"
    );

    let [top, left, bottom, right] = ours.active_area.map(|v| v as usize);
    let libraw_origin = (
        r["top_margin"].as_u64().unwrap() as usize,
        r["left_margin"].as_u64().unwrap() as usize,
    );
    let desc: Vec<char> = r["color_desc"].as_str().unwrap().chars().collect();
    let pattern: Vec<usize> = r["raw_pattern"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|row| {
            row.as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
        })
        .collect();
    let libraw_cell: String = pattern
        .iter()
        .map(|&i| if desc[i] == 'G' { 'G' } else { desc[i] })
        .collect();
    if libraw_origin == (top, left) {
        // Same active area: visible samples, CFA layout and black per channel agree exactly.
        let visible = read_u16s(&with_suffix(&case.path, ".rawpy_visible.u16"));
        assert_eq!(
            (
                r["width"].as_u64().unwrap() as usize,
                r["height"].as_u64().unwrap() as usize
            ),
            (right - left, bottom - top),
            "{name}: visible size"
        );
        assert!(
            visible == ours.active_samples(),
            "{name}: raw_image_visible differs"
        );
        tally.visible_vs_rawpy += visible.len();
        assert_eq!(libraw_cell, our_cell(ours.phase), "{name}: CFA layout");
        let per_channel: Vec<f64> = r["black_level_per_channel"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .collect();
        let [rows, cols] = ours.levels.black_level_repeat.map(usize::from);
        for (site, &channel) in pattern.iter().enumerate() {
            let (y, x) = (site / 2, site % 2);
            let ours_black = ours.levels.black_level[(y % rows) * cols + x % cols];
            assert_eq!(
                per_channel[channel], ours_black,
                "{name}: black of site {site}"
            );
        }
    } else {
        // LibRaw moved the visible area (it keeps an even left margin): the SDK must confirm
        // the active area and layout we read.
        tally.libraw_shifted.push(format!(
            "{}: ActiveArea origin ({top}, {left}), LibRaw's visible origin {libraw_origin:?}",
            case.path.file_name().unwrap().to_string_lossy()
        ));
        assert!(
            r.get("dngpy_top").is_some(),
            "{name}: LibRaw disagrees and the DNG SDK (dngpy) is not there to decide"
        );
    }
    // The Adobe DNG SDK: stage-1 pixels, active-area origin, CFA layout.
    if r.get("dngpy_shape").is_some() {
        tally.sdk_files += 1;
        let sdk = read_u16s(&with_suffix(&case.path, ".dngpy.u16"));
        assert!(
            sdk == ours.raw.samples(),
            "{name}: samples differ from the DNG SDK's"
        );
        tally.samples_vs_sdk += sdk.len();
        assert_eq!(
            (
                r["dngpy_top"].as_u64().unwrap() as usize,
                r["dngpy_left"].as_u64().unwrap() as usize
            ),
            (top, left),
            "{name}: active area origin (SDK)"
        );
        assert_eq!(
            r["dngpy_bayer"].as_str().unwrap(),
            ours.phase.name().to_uppercase(),
            "{name}: CFA layout (SDK)"
        );
    }
}

#[test]
fn decoded_samples_equal_rawpy_and_the_dng_sdk() {
    let test = "decoded_samples_equal_rawpy_and_the_dng_sdk";
    let Some(python) = ref_python() else {
        skip(test, "reference venv python3 not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let mut cases = generator_cases(tmp.path());
    cases.extend(pidng_cases(&python, tmp.path()));
    cases.extend(tifffile_cases(&python, tmp.path()));
    let paths: Vec<&std::ffi::OsStr> = cases.iter().map(|c| c.path.as_os_str()).collect();
    let out = run_python(&python, &script("raw_reference.py"), &paths, Vec::new());
    let refs: Vec<Value> = serde_json::from_slice(&out).unwrap();
    assert_eq!(refs.len(), cases.len());
    let mut tally = Tally::default();
    for (case, r) in cases.iter().zip(&refs) {
        let bytes = std::fs::read(&case.path).unwrap();
        let name = case.path.display().to_string();
        let ours = decode_dng_named(&bytes, &name, &ImageLimits::default())
            .unwrap_or_else(|e| panic!("{e}"));
        check(case, &ours, r, &mut tally);
    }
    if tally.sdk_files == 0 {
        skip(
            test,
            "dngpy (Adobe DNG SDK) is not installed: only LibRaw was compared",
        );
    }
    assert_eq!(tally.files, 2 * 2 + 32 + 4);
    // Only the odd-column active area makes LibRaw and the SDK differ.
    assert_eq!(tally.libraw_shifted.len(), 1, "{:?}", tally.libraw_shifted);
    eprintln!(
        "raw decode conformance: {} files; {} samples equal rawpy raw_image, {} equal \
         raw_image_visible, {} equal the DNG SDK ({} files); LibRaw's visible area differs \
         from ActiveArea (SDK agrees with us) in: {:?}",
        tally.files,
        tally.samples_vs_rawpy,
        tally.visible_vs_rawpy,
        tally.samples_vs_sdk,
        tally.sdk_files,
        tally.libraw_shifted
    );
}
