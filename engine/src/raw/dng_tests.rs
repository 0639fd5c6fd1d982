//! Tests of the DNG raw decode: storage variants (strips, tiles, bit depths, byte orders, lossless
//! JPEG), raw IFD selection, levels, crops, and every class of bad or unsupported file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::inspect::test_tiff::TestTiff;
use crate::raw::ljpeg_encode::encode_lossless_jpeg;

/// What a test DNG looks like.
#[derive(Debug, Clone)]
struct Spec {
    big_endian: bool,
    width: u32,
    height: u32,
    bits: u16,
    /// 1 uncompressed, 7 lossless JPEG (anything else is written as uncompressed data).
    compression: u16,
    /// Tile size; `None`: strips of `rows_per_strip`.
    tile: Option<(u32, u32)>,
    rows_per_strip: u32,
    pattern: Vec<u8>,
    /// Put the raw image in a SubIFD behind a preview IFD 0.
    in_sub_ifd: bool,
    /// Extra tags on the raw IFD: (tag, type, count, little- or big-endian value bytes via f).
    extra: Vec<(u16, Extra)>,
}

#[derive(Debug, Clone)]
enum Extra {
    Shorts(Vec<u16>),
    Longs(Vec<u32>),
    Bytes(Vec<u8>),
    Rationals(Vec<(u32, u32)>),
    SRationals(Vec<(i32, i32)>),
}

impl Default for Spec {
    fn default() -> Self {
        Spec {
            big_endian: false,
            width: 24,
            height: 10,
            bits: 16,
            compression: 1,
            tile: None,
            rows_per_strip: 4,
            pattern: vec![0, 1, 1, 2],
            in_sub_ifd: false,
            extra: Vec::new(),
        }
    }
}

/// Stored sample at (x, y) of a test image.
fn sample_at(x: u32, y: u32, bits: u16) -> u16 {
    ((x * 131 + y * 1031 + (x * y) % 17) % (1 << bits)) as u16
}

fn samples(spec: &Spec) -> Vec<u16> {
    (0..spec.height)
        .flat_map(|y| (0..spec.width).map(move |x| (x, y)))
        .map(|(x, y)| sample_at(x, y, spec.bits))
        .collect()
}

/// Packs one row of samples MSB first (DNG packing), padding to a byte.
fn pack_row(row: &[u16], bits: u16, big: bool, out: &mut Vec<u8>) {
    match bits {
        8 => out.extend(row.iter().map(|&v| v as u8)),
        16 => row.iter().for_each(|&v| {
            out.extend(if big {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        }),
        _ => {
            let (mut acc, mut have) = (0u64, 0u32);
            for &v in row {
                acc = (acc << bits) | u64::from(v);
                have += u32::from(bits);
                while have >= 8 {
                    have -= 8;
                    out.push((acc >> have) as u8);
                }
            }
            if have > 0 {
                out.push((acc << (8 - have)) as u8);
            }
        }
    }
}

/// The data blocks (strips or tiles) of the test image.
fn blocks(spec: &Spec) -> Vec<Vec<u8>> {
    let all = samples(spec);
    let (w, h) = (spec.width as usize, spec.height as usize);
    let (bw, bh) = spec
        .tile
        .map_or((w, spec.rows_per_strip as usize), |(a, b)| {
            (a as usize, b as usize)
        });
    let (across, down) = (w.div_ceil(bw), h.div_ceil(bh));
    let mut out = Vec::new();
    for t in 0..across * down {
        let (x0, y0) = ((t % across) * bw, (t / across) * bh);
        let rows = if spec.tile.is_some() {
            bh
        } else {
            bh.min(h - y0)
        };
        let block: Vec<u16> = (0..rows * bw)
            .map(|i| {
                let (x, y) = (x0 + i % bw, y0 + i / bw);
                if x < w && y < h { all[y * w + x] } else { 0 }
            })
            .collect();
        let bytes = if spec.compression == 7 {
            let comps = if bw % 2 == 0 { 2 } else { 1 };
            encode_lossless_jpeg(&block, bw / comps, rows, comps, spec.bits as u8).unwrap()
        } else {
            let mut b = Vec::new();
            for row in block.chunks(bw) {
                pack_row(row, spec.bits, spec.big_endian, &mut b);
            }
            b
        };
        out.push(bytes);
    }
    out
}

fn build(spec: &Spec) -> Vec<u8> {
    let data = blocks(spec);
    let raw_ifd = usize::from(spec.in_sub_ifd);
    let make = |offsets: &[u32]| {
        let mut t = TestTiff::new(spec.big_endian);
        t.bytes(0, 50706, &[1, 4, 0, 0]);
        if spec.in_sub_ifd {
            t.longs(0, 254, &[1]);
            t.shorts(0, 262, &[2]);
            t.longs(0, 256, &[4]);
            t.longs(0, 330, &[1]);
        }
        let r = raw_ifd;
        t.longs(r, 254, &[0]);
        t.longs(r, 256, &[spec.width]);
        t.longs(r, 257, &[spec.height]);
        t.shorts(r, 258, &[spec.bits]);
        t.shorts(r, 259, &[spec.compression]);
        t.shorts(r, 262, &[32803]);
        t.shorts(r, 277, &[1]);
        t.shorts(r, 33421, &[2, 2]);
        t.bytes(r, 33422, &spec.pattern);
        let counts: Vec<u32> = data.iter().map(|b| b.len() as u32).collect();
        match spec.tile {
            Some((tw, tl)) => {
                t.longs(r, 322, &[tw]);
                t.longs(r, 323, &[tl]);
                t.longs(r, 324, offsets);
                t.longs(r, 325, &counts);
            }
            None => {
                t.longs(r, 273, offsets);
                t.longs(r, 278, &[spec.rows_per_strip]);
                t.longs(r, 279, &counts);
            }
        }
        for (tag, value) in &spec.extra {
            match value {
                Extra::Shorts(v) => t.shorts(r, *tag, v),
                Extra::Longs(v) => t.longs(r, *tag, v),
                Extra::Bytes(v) => t.bytes(r, *tag, v),
                Extra::Rationals(v) => t.rationals(r, *tag, v),
                Extra::SRationals(v) => t.srationals(r, *tag, v),
            }
        }
        // Extra tags replace the defaults above.
        let mut seen = std::collections::HashSet::new();
        t.ifds[r].reverse();
        t.ifds[r].retain(|e| seen.insert(e.tag));
        t.build(&[]).0
    };
    let head_len = make(&vec![0; data.len()]).len() as u32;
    let mut offsets = Vec::new();
    let mut at = head_len;
    for b in &data {
        offsets.push(at);
        at += b.len() as u32;
    }
    let mut file = make(&offsets);
    assert_eq!(file.len() as u32, head_len);
    for b in &data {
        file.extend(b);
    }
    file
}

fn decode(spec: &Spec) -> Result<DecodedRaw> {
    decode_dng_named(&build(spec), "test.dng", &ImageLimits::default())
}

fn err(spec: &Spec) -> String {
    decode(spec).unwrap_err().to_string()
}

#[test]
fn every_storage_variant_decodes_to_the_stored_samples() {
    let mut variants = Vec::new();
    for bits in [8u16, 10, 12, 14, 16] {
        for big_endian in [false, true] {
            variants.push(Spec {
                bits,
                big_endian,
                ..Spec::default()
            });
            variants.push(Spec {
                bits,
                big_endian,
                tile: Some((16, 16)),
                ..Spec::default()
            });
        }
        for tile in [None, Some((16, 8))] {
            variants.push(Spec {
                bits,
                compression: 7,
                tile,
                ..Spec::default()
            });
        }
    }
    variants.push(Spec {
        in_sub_ifd: true,
        ..Spec::default()
    });
    for spec in variants {
        let got = decode(&spec).unwrap_or_else(|e| panic!("{spec:?}: {e}"));
        assert_eq!(got.raw.samples(), samples(&spec).as_slice(), "{spec:?}");
        assert_eq!(got.bits_per_sample, spec.bits);
        assert_eq!(got.compression.tag_value(), spec.compression);
        assert_eq!(
            got.raw_ifd,
            if spec.in_sub_ifd { "SubIFD 0" } else { "IFD0" }
        );
        // No levels: 0 is black and the largest value of `bits` bits is white.
        let white = f64::from((1u32 << spec.bits) - 1);
        let want = f64::from(sample_at(5, 3, spec.bits)) / white;
        assert!((f64::from(got.cfa.get(5, 3).unwrap()) - want).abs() < 1e-6);
        assert_eq!(got.active_area, [0, 0, spec.height, spec.width]);
        assert_eq!(got.default_scale, [1.0, 1.0]);
        assert_eq!(
            got.default_crop,
            CropRect {
                x: 0.0,
                y: 0.0,
                width: f64::from(spec.width),
                height: f64::from(spec.height)
            }
        );
    }
}

#[test]
fn all_four_phases_are_read_from_the_pattern() {
    for (pattern, phase) in [
        ([0, 1, 1, 2], BayerPhase::Rggb),
        ([2, 1, 1, 0], BayerPhase::Bggr),
        ([1, 0, 2, 1], BayerPhase::Grbg),
        ([1, 2, 0, 1], BayerPhase::Gbrg),
    ] {
        let spec = Spec {
            pattern: pattern.to_vec(),
            ..Spec::default()
        };
        let got = decode(&spec).unwrap();
        assert_eq!((got.phase, got.cfa.phase()), (phase, phase));
    }
    // CFAPlaneColor reorders what the pattern's numbers mean: planes B, G, R.
    let spec = Spec {
        pattern: vec![0, 1, 1, 2],
        extra: vec![(50710, Extra::Bytes(vec![2, 1, 0]))],
        ..Spec::default()
    };
    assert_eq!(decode(&spec).unwrap().phase, BayerPhase::Bggr);
}

#[test]
fn levels_active_area_and_crop_apply() {
    let spec = Spec {
        width: 20,
        height: 12,
        bits: 12,
        extra: vec![
            (50829, Extra::Longs(vec![2, 3, 12, 19])), // 16 x 10 active
            (50713, Extra::Shorts(vec![2, 2])),
            (
                50714,
                Extra::Rationals(vec![(100, 1), (201, 2), (110, 1), (120, 1)]),
            ),
            (50715, Extra::SRationals((0..16).map(|i| (i, 4)).collect())),
            (50716, Extra::SRationals((0..10).map(|i| (-i, 2)).collect())),
            (50717, Extra::Longs(vec![4000])),
            (
                50712,
                Extra::Shorts((0..4096).map(|v| v as u16 / 2 + 50).collect()),
            ),
            (50719, Extra::Rationals(vec![(2, 1), (1, 1)])),
            (50720, Extra::Rationals(vec![(12, 1), (15, 2)])),
            (50718, Extra::Rationals(vec![(2, 1), (1, 1)])),
        ],
        ..Spec::default()
    };
    let got = decode(&spec).unwrap();
    assert_eq!(got.active_area, [2, 3, 12, 19]);
    assert_eq!((got.cfa.width(), got.cfa.height()), (16, 10));
    assert_eq!(got.active_samples().len(), 160);
    assert_eq!(got.active_samples()[0], sample_at(3, 2, 12));
    assert_eq!(got.default_scale, [2.0, 1.0]);
    assert_eq!(
        got.default_crop,
        CropRect {
            x: 2.0,
            y: 1.0,
            width: 12.0,
            height: 7.5
        }
    );
    assert_eq!(got.default_crop_pixels(), (2, 0, 12, 8));
    for (x, y) in [(0usize, 0usize), (1, 0), (0, 1), (5, 7), (15, 9)] {
        let stored = sample_at(x as u32 + 3, y as u32 + 2, 12);
        let linear = f64::from(stored / 2 + 50);
        let pattern = [100.0, 100.5, 110.0, 120.0];
        let black = pattern[(y % 2) * 2 + x % 2] + x as f64 / 4.0 - y as f64 / 2.0;
        let want = ((linear - black) / (4000.0 - black)).clamp(0.0, 1.0);
        let got = f64::from(got.cfa.get(x, y).unwrap());
        assert!((got - want).abs() < 1e-6, "({x},{y}): {got} vs {want}");
    }
}

#[test]
fn unsupported_files_name_what_they_found() {
    let with = |extra: Vec<(u16, Extra)>| Spec {
        extra,
        ..Spec::default()
    };
    for (code, name) in [
        (34892u16, "lossy JPEG"),
        (52546, "JPEG XL"),
        (8, "Deflate"),
        (5, "LZW"),
    ] {
        let spec = Spec {
            compression: code,
            ..Spec::default()
        };
        let e = err(&spec);
        assert!(
            e.contains(&format!("unsupported DNG compression {code} ({name})")),
            "{e}"
        );
    }
    let e = err(&with(vec![(33421, Extra::Shorts(vec![6, 6]))]));
    assert!(e.contains("X-Trans"), "{e}");
    let e = err(&with(vec![(50710, Extra::Bytes(vec![0, 1, 2, 3]))]));
    assert!(e.contains("4-colour CFA"), "{e}");
    let e = err(&Spec {
        pattern: vec![0, 1, 3, 2],
        ..Spec::default()
    });
    assert!(e.contains("colours other than red, green and blue"), "{e}");
    let e = err(&Spec {
        pattern: vec![0, 0, 1, 2],
        ..Spec::default()
    });
    assert!(e.contains("not a 2x2 Bayer layout"), "{e}");
    let e = err(&with(vec![(50711, Extra::Shorts(vec![2]))]));
    assert!(e.contains("CFALayout 2"), "{e}");
    let e = err(&with(vec![(277, Extra::Shorts(vec![3]))]));
    assert!(e.contains("3 samples per pixel"), "{e}");
    // LinearRaw and a plain RGB TIFF.
    let mut linear = build(&Spec::default());
    let mut plain = linear.clone();
    let at = linear
        .windows(4)
        .position(|w| w == [0x06, 0x01, 0x03, 0x00])
        .unwrap();
    linear[at + 8..at + 10].copy_from_slice(&34892u16.to_le_bytes());
    let e = decode_dng(&linear, &ImageLimits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("LinearRaw"), "{e}");
    plain[at + 8..at + 10].copy_from_slice(&2u16.to_le_bytes());
    let e = decode_dng(&plain, &ImageLimits::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no full-resolution CFA raw image")
            && e.contains("IFD0: PhotometricInterpretation 2"),
        "{e}"
    );
}

#[test]
fn malformed_files_are_clear_errors() {
    let with = |extra: Vec<(u16, Extra)>| Spec {
        extra,
        ..Spec::default()
    };
    let e = err(&with(vec![(50829, Extra::Longs(vec![0, 0, 11, 24]))]));
    assert!(e.contains("ActiveArea [0, 0, 11, 24]"), "{e}");
    let e = err(&with(vec![(50829, Extra::Longs(vec![4, 0, 4, 24]))]));
    assert!(e.contains("is empty or outside"), "{e}");
    let e = err(&with(vec![(50720, Extra::Longs(vec![25, 10]))]));
    assert!(e.contains("default crop 25x10"), "{e}");
    let e = err(&with(vec![(50718, Extra::Rationals(vec![(1, 0), (1, 1)]))]));
    assert!(e.contains("finite numbers"), "{e}");
    let e = err(&with(vec![
        (50713, Extra::Shorts(vec![2, 2])),
        (50714, Extra::Shorts(vec![5])),
    ]));
    assert!(e.contains("1 values for a 2x2"), "{e}");
    let e = err(&with(vec![(50717, Extra::Longs(vec![0]))]));
    assert!(e.contains("is not above the black level"), "{e}");
    let e = err(&with(vec![(50715, Extra::SRationals(vec![(1, 1); 3]))]));
    assert!(e.contains("BlackLevelDeltaH"), "{e}");
    let e = err(&Spec {
        bits: 0,
        ..Spec::default()
    });
    assert!(e.contains("BitsPerSample 0"), "{e}");
    // Too big for the limits: refused before the (absent) data is looked at.
    let limits = ImageLimits {
        max_pixels: 100,
        ..ImageLimits::default()
    };
    let e = decode_dng(&build(&Spec::default()), &limits)
        .unwrap_err()
        .to_string();
    assert!(e.contains("more than the limit of 100 pixels"), "{e}");
    // Truncated files: every cut is an error, never a panic.
    for spec in [
        Spec::default(),
        Spec {
            compression: 7,
            tile: Some((16, 8)),
            ..Spec::default()
        },
    ] {
        let file = build(&spec);
        for len in (0..file.len()).step_by(7) {
            assert!(
                decode_dng(&file[..len], &ImageLimits::default()).is_err(),
                "{len}"
            );
        }
    }
    // Not a TIFF at all.
    let e = decode_dng(b"not a dng file", &ImageLimits::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a TIFF file"), "{e}");
}
