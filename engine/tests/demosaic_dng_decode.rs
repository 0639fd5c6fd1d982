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

/// A copy of a sample-card DNG with its ActiveArea (four LONGs stored out of line) replaced.
fn with_active_area(file: &[u8], area: [u32; 4]) -> Vec<u8> {
    let mut out = file.to_vec();
    let (_, _, count, value_at) = *ifd_entries(file, 8).iter().find(|e| e.0 == 50829).unwrap();
    assert_eq!(count, 4);
    let at = u32::from_le_bytes(file[value_at..value_at + 4].try_into().unwrap()) as usize;
    for (i, v) in area.iter().enumerate() {
        out[at + 4 * i..at + 4 * i + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
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
        files.push((path, bytes.clone(), clip.cfa));
        if i == 0 {
            // The same frame with an active area starting on an odd row and column.
            let odd = with_active_area(&bytes, [7, 9, 293, 519]);
            let path = tmp.path().join("odd_active_area.dng");
            std::fs::write(&path, &odd).unwrap();
            files.push((path, odd, clip.cfa));
        }
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

        // Visible area, bit-exact. (LibRaw starts it on the first even row and column of the
        // active area; we start at the active area itself.)
        let (top, left) = (
            r["top_margin"].as_u64().unwrap() as usize,
            r["left_margin"].as_u64().unwrap() as usize,
        );
        let area = u64s(&tags["ActiveArea"]);
        let (dy, dx) = (top - area[0] as usize, left - area[1] as usize);
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
        assert_eq!(
            (cfa.width(), cfa.height()),
            ((area[3] - area[1]) as usize, (area[2] - area[0]) as usize)
        );
        let cfa = cfa.crop(dx, dy, vw, vh).unwrap();
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
    // RGGB and GRBG cameras, and RGGB seen from LibRaw's even start inside an odd active area.
    for p in [BayerPhase::Rggb, BayerPhase::Grbg, BayerPhase::Bggr] {
        assert!(phases_seen.contains(&p), "{p} not seen");
    }
}

/// One entry of a little-endian TIFF IFD: (tag, type, count, position of its value field).
fn ifd_entries(file: &[u8], ifd: usize) -> Vec<(u16, u16, u32, usize)> {
    let le16 = |p: usize| u16::from_le_bytes([file[p], file[p + 1]]);
    let le32 = |p: usize| u32::from_le_bytes(file[p..p + 4].try_into().unwrap());
    (0..usize::from(le16(ifd)))
        .map(|i| {
            let e = ifd + 2 + 12 * i;
            (le16(e), le16(e + 2), le32(e + 4), e + 8)
        })
        .collect()
}

/// Packs `values` of `bits` bits most significant bit first, the row padded to a byte.
fn pack_row(values: &[u16], bits: u32) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut acc, mut have) = (0u64, 0u32);
    for &v in values {
        acc = (acc << bits) | u64::from(v);
        have += bits;
        while have >= 8 {
            have -= 8;
            out.push((acc >> have) as u8);
        }
        acc &= (1 << have) - 1;
    }
    if have > 0 {
        out.push((acc << (8 - have)) as u8);
    }
    out
}

/// Rewrites a sample-card DNG (16-bit strips at the end of the file) with its samples stored in
/// `bits` bits (shifted down when the 12-bit data does not fit), patching BitsPerSample, the
/// strip offsets and byte counts, BlackLevel and WhiteLevel. Returns the file and the samples.
fn repack(file: &[u8], bits: u32) -> (Vec<u8>, Vec<u16>) {
    let entries = ifd_entries(file, 8);
    let find = |tag: u16| *entries.iter().find(|e| e.0 == tag).unwrap();
    let le32 = |p: usize| u32::from_le_bytes(file[p..p + 4].try_into().unwrap()) as usize;
    let (_, width_type, _, width_at) = find(256);
    let width = if width_type == 3 {
        usize::from(u16::from_le_bytes([file[width_at], file[width_at + 1]]))
    } else {
        le32(width_at)
    };
    let rows_per_strip = le32(find(278).3);
    let (_, _, strips, offsets_at) = find(273);
    let (_, _, _, counts_at) = find(279);
    let (offsets_at, counts_at) = if strips == 1 {
        (offsets_at, counts_at)
    } else {
        (le32(offsets_at), le32(counts_at))
    };
    let first = le32(offsets_at);
    let shift = 12u32.saturating_sub(bits);
    let values: Vec<u16> = file[first..]
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]) >> shift)
        .collect();
    let mut out = file[..first].to_vec();
    let set16 =
        |out: &mut Vec<u8>, pos: usize, v: u16| out[pos..pos + 2].copy_from_slice(&v.to_le_bytes());
    let set32 =
        |out: &mut Vec<u8>, pos: usize, v: u32| out[pos..pos + 4].copy_from_slice(&v.to_le_bytes());
    set16(&mut out, find(258).3, bits as u16);
    for tag in [50714, 50717] {
        let pos = find(tag).3;
        let v = u16::from_le_bytes([file[pos], file[pos + 1]]);
        set16(&mut out, pos, v >> shift);
    }
    for (i, strip) in values.chunks(rows_per_strip * width).enumerate() {
        let start = out.len();
        for row in strip.chunks(width) {
            out.extend(pack_row(row, bits));
        }
        set32(&mut out, offsets_at + 4 * i, start as u32);
        let len = (out.len() - start) as u32;
        set32(&mut out, counts_at + 4 * i, len);
    }
    (out, values)
}

#[test]
fn packed_bit_depths_decode_like_rawpy() {
    let test = "packed_bit_depths_decode_like_rawpy";
    let Some(python) = ref_python() else {
        skip(test, "reference venv python3 not found");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let plan = CardPlan::new(&CardSpec::new(9, 1)).unwrap();
    let clip = plan.clips().nth(3).unwrap();
    let mut original = Vec::new();
    write_dng(clip, 1, 9, &mut original).unwrap();
    let mut files = Vec::new();
    for bits in [8u32, 10, 12, 14] {
        let (bytes, values) = repack(&original, bits);
        let path = tmp.path().join(format!("packed{bits}.dng"));
        std::fs::write(&path, &bytes).unwrap();
        files.push((path, bytes, values, bits));
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
    for ((path, bytes, values, bits), r) in files.iter().zip(&refs) {
        let name = path.display().to_string();
        let tags = &r["tags"];
        assert_eq!(u64s(&tags["BitsPerSample"])[0], u64::from(*bits));
        let layout = layout_from_tags(tags, r["byteorder"].as_str().unwrap());
        let samples = unpack(bytes, &layout, &ImageLimits::default()).unwrap();
        let raw_image = read_u16s(&format!("{name}.raw_image.u16"));
        assert!(
            samples.samples() == values.as_slice(),
            "{name}: not the values we packed"
        );
        assert!(
            samples.samples() == raw_image.as_slice(),
            "{name}: differs from rawpy raw_image"
        );
    }
}
