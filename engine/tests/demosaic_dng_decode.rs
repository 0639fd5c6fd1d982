//! Raw decode of the sample card's CinemaDNG frames against rawpy (LibRaw): the stored CFA
//! samples bit-exact (whole image and visible area), the Bayer phase of the active area, and the
//! normalised values against LibRaw's own black and white levels.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use rushes_engine::demosaic::{DemosaicMethod, demosaic};
use rushes_engine::raw::{
    BayerPhase, ByteOrder, ImageLimits, RawLayout, RawLevels, SampleStorage, normalise, unpack,
};
use rushes_engine::sample::{CardPlan, CardSpec, write_dng};
use rushes_test_support::{ref_python, skip};
use serde_json::Value;

fn u64s(v: &Value) -> Vec<u64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_u64().unwrap()).collect(),
        x => vec![x.as_u64().unwrap()],
    }
}

fn f64s(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a.iter().map(|x| x.as_f64().unwrap()).collect(),
        x => vec![x.as_f64().unwrap()],
    }
}

/// The layout a tag reader would build from these tags.
fn layout_from_tags(tags: &Value, byteorder: &str) -> RawLayout {
    let num = |name: &str| u64s(&tags[name])[0];
    let storage = if tags.get("TileOffsets").is_some() {
        SampleStorage::Tiles {
            tile_width: num("TileWidth") as u32,
            tile_length: num("TileLength") as u32,
            offsets: u64s(&tags["TileOffsets"]),
            byte_counts: u64s(&tags["TileByteCounts"]),
        }
    } else {
        SampleStorage::Strips {
            rows_per_strip: num("RowsPerStrip") as u32,
            offsets: u64s(&tags["StripOffsets"]),
            byte_counts: u64s(&tags["StripByteCounts"]),
        }
    };
    RawLayout {
        width: num("ImageWidth") as u32,
        height: num("ImageLength") as u32,
        bits_per_sample: num("BitsPerSample") as u16,
        compression: num("Compression") as u16,
        byte_order: if byteorder == "<" {
            ByteOrder::LittleEndian
        } else {
            ByteOrder::BigEndian
        },
        storage,
    }
}

fn levels_from_tags(tags: &Value) -> RawLevels {
    let opt = |name: &str| tags.get(name).map(f64s).unwrap_or_default();
    let repeat = tags
        .get("BlackLevelRepeatDim")
        .map(u64s)
        .unwrap_or(vec![1, 1]);
    RawLevels {
        linearization_table: opt("LinearizationTable")
            .iter()
            .map(|&v| v as u16)
            .collect(),
        black_level_repeat: [repeat[0] as u16, repeat[1] as u16],
        black_level: tags.get("BlackLevel").map(f64s).unwrap_or(vec![0.0]),
        black_level_delta_h: opt("BlackLevelDeltaH"),
        black_level_delta_v: opt("BlackLevelDeltaV"),
        white_level: f64s(&tags["WhiteLevel"])[0],
        active_area: tags.get("ActiveArea").map(|a| {
            let v = u64s(a);
            [v[0] as u32, v[1] as u32, v[2] as u32, v[3] as u32]
        }),
    }
}

fn read_u16s(path: &str) -> Vec<u16> {
    std::fs::read(path)
        .unwrap()
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect()
}

#[test]
fn sample_card_frames_decode_like_rawpy() {
    let test = "sample_card_frames_decode_like_rawpy";
    let Some(python) = ref_python() else {
        skip(test, "reference venv python3 not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    // The first frame of every clip: both cameras (RGGB and GRBG), anamorphic included.
    let plan = CardPlan::new(&CardSpec::new(5, 1)).unwrap();
    let mut files = Vec::new();
    for (i, clip) in plan.clips().enumerate() {
        let mut bytes = Vec::new();
        write_dng(clip, 0, 5, &mut bytes).unwrap();
        let path = tmp.path().join(format!("clip{i}.dng"));
        std::fs::write(&path, &bytes).unwrap();
        files.push((path, bytes, clip.cfa));
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/demosaic_ref/dng_reference.py");
    let out = Command::new(python)
        .arg(&script)
        .args(files.iter().map(|f| &f.0))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "dng_reference.py failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let refs: Vec<Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(refs.len(), files.len());
    let limits = ImageLimits::default();
    let mut phases_seen = Vec::new();
    for ((path, bytes, _), r) in files.iter().zip(&refs) {
        let name = path.display().to_string();
        let tags = &r["tags"];
        let layout = layout_from_tags(tags, r["byteorder"].as_str().unwrap());
        let samples = unpack(bytes, &layout, &limits).unwrap();

        // Whole stored image, bit-exact.
        let raw_image = read_u16s(&format!("{name}.raw_image.u16"));
        assert_eq!(
            (samples.width() as u64, samples.height() as u64),
            (
                r["raw_width"].as_u64().unwrap(),
                r["raw_height"].as_u64().unwrap()
            )
        );
        assert!(
            samples.samples() == raw_image.as_slice(),
            "{name}: raw_image differs"
        );

        // Visible (active) area, bit-exact.
        let (top, left) = (
            r["top_margin"].as_u64().unwrap() as usize,
            r["left_margin"].as_u64().unwrap() as usize,
        );
        let (vw, vh) = (
            r["width"].as_u64().unwrap() as usize,
            r["height"].as_u64().unwrap() as usize,
        );
        let visible = read_u16s(&format!("{name}.raw_visible.u16"));
        assert_eq!(visible.len(), vw * vh);
        for y in 0..vh {
            assert_eq!(
                &samples.row(top + y)[left..left + vw],
                &visible[y * vw..(y + 1) * vw],
                "{name}: raw_image_visible row {y}"
            );
        }

        // Phase of the active area and normalised values against LibRaw's levels.
        let pattern: Vec<u8> = u64s(&tags["CFAPattern"]).iter().map(|&v| v as u8).collect();
        let phase = BayerPhase::from_cfa_pattern(&pattern).unwrap();
        let cfa = normalise(&samples, phase, &levels_from_tags(tags), &limits).unwrap();
        assert_eq!((cfa.width(), cfa.height()), (vw, vh));
        let cell = r["cell"].as_str().unwrap().to_lowercase();
        assert_eq!(
            cfa.phase().name(),
            cell,
            "{name}: phase of the visible area"
        );
        phases_seen.push(cfa.phase());
        let blacks = f64s(&r["black_level_per_channel"]);
        let white = r["white_level"].as_f64().unwrap();
        let channels = u64s(&r["cell_channels"]);
        for y in 0..vh {
            for x in 0..vw {
                let black = blacks[channels[(y % 2) * 2 + x % 2] as usize];
                let v = f64::from(visible[y * vw + x]);
                let want = ((v - black) / (white - black)).clamp(0.0, 1.0);
                let got = f64::from(cfa.get(x, y).unwrap());
                assert!(
                    (got - want).abs() < 1e-6,
                    "{name} ({x},{y}): {got} vs {want}"
                );
            }
        }

        // And the mosaic develops.
        let rgb = demosaic(&cfa, DemosaicMethod::Rcd).unwrap();
        assert!(rgb.plane(1).iter().all(|v| v.is_finite()));
    }
    assert!(phases_seen.contains(&BayerPhase::Rggb) && phases_seen.contains(&BayerPhase::Grbg));
}
