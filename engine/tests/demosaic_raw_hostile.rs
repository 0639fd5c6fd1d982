//! Hostile raw input never panics: random layouts and levels over random bytes either decode or
//! return an error (a deterministic, seeded stand-in for fuzzing the decoder entry points).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rushes_engine::demosaic::{DemosaicMethod, demosaic};
use rushes_engine::raw::{
    BayerPhase, ByteOrder, ImageLimits, RawLayout, RawLevels, SampleStorage, normalise, unpack,
};

/// A value that is usually plausible and sometimes extreme.
fn wild(rng: &mut StdRng, plausible: u64) -> u64 {
    match rng.random_range(0..10) {
        0 => 0,
        1 => u64::from(u32::MAX),
        2 => u64::MAX,
        3 => rng.random(),
        _ => rng.random_range(0..=plausible),
    }
}

fn offsets(rng: &mut StdRng, n: usize, file_len: usize) -> (Vec<u64>, Vec<u64>) {
    let n = if rng.random_bool(0.2) {
        rng.random_range(0..n + 3)
    } else {
        n
    };
    (0..n)
        .map(|_| (wild(rng, file_len as u64), wild(rng, file_len as u64)))
        .unzip()
}

/// A layout over random bytes that matches them, with one field sometimes made wild.
fn consistent(rng: &mut StdRng) -> (Vec<u8>, RawLayout) {
    let (w, h) = (rng.random_range(1..40u32), rng.random_range(1..40u32));
    let bits = rng.random_range(8..=16u16);
    let rps = rng.random_range(1..=h);
    let stride = (u64::from(w) * u64::from(bits)).div_ceil(8);
    let mut offsets = Vec::new();
    let mut byte_counts = Vec::new();
    let mut pos = rng.random_range(0..64u64);
    for i in 0..h.div_ceil(rps) {
        let len = u64::from(rps.min(h - i * rps)) * stride;
        offsets.push(pos);
        byte_counts.push(len);
        pos += len;
    }
    let file = (0..pos).map(|_| rng.random()).collect();
    let mut layout = RawLayout {
        width: w,
        height: h,
        bits_per_sample: bits,
        compression: 1,
        byte_order: ByteOrder::LittleEndian,
        storage: SampleStorage::Strips {
            rows_per_strip: rps,
            offsets,
            byte_counts,
        },
    };
    match rng.random_range(0..8) {
        0 => layout.width = wild(rng, 80) as u32,
        1 => layout.height = wild(rng, 80) as u32,
        2 => layout.bits_per_sample = rng.random(),
        3 => {
            if let SampleStorage::Strips { byte_counts, .. } = &mut layout.storage {
                byte_counts[0] = wild(rng, 100);
            }
        }
        _ => {}
    }
    (file, layout)
}

/// Random bytes and a random layout.
fn random_layout(rng: &mut StdRng) -> (Vec<u8>, RawLayout) {
    let file: Vec<u8> = (0..rng.random_range(0..4096))
        .map(|_| rng.random())
        .collect();
    let width = wild(rng, 64) as u32;
    let height = wild(rng, 64) as u32;
    let storage = if rng.random_bool(0.5) {
        let rps = wild(rng, 16) as u32;
        let n = (height as usize).div_ceil((rps as usize).max(1)).min(64);
        let (offsets, byte_counts) = offsets(rng, n, file.len());
        SampleStorage::Strips {
            rows_per_strip: rps,
            offsets,
            byte_counts,
        }
    } else {
        let tw = wild(rng, 32) as u32;
        let tl = wild(rng, 32) as u32;
        let n = (width as usize).div_ceil((tw as usize).max(1)).min(64)
            * (height as usize).div_ceil((tl as usize).max(1)).min(64);
        let (offsets, byte_counts) = offsets(rng, n, file.len());
        SampleStorage::Tiles {
            tile_width: tw,
            tile_length: tl,
            offsets,
            byte_counts,
        }
    };
    let layout = RawLayout {
        width,
        height,
        bits_per_sample: rng.random_range(0..20),
        compression: if rng.random_bool(0.9) {
            1
        } else {
            rng.random()
        },
        byte_order: if rng.random_bool(0.5) {
            ByteOrder::LittleEndian
        } else {
            ByteOrder::BigEndian
        },
        storage,
    };
    (file, layout)
}

/// Levels that fit an image of `w` x `h`.
fn sane_levels(rng: &mut StdRng, w: usize, h: usize) -> RawLevels {
    let (top, left) = (rng.random_range(0..h), rng.random_range(0..w));
    let area = [
        top as u32,
        left as u32,
        rng.random_range(top + 1..=h) as u32,
        rng.random_range(left + 1..=w) as u32,
    ];
    let black: Vec<f64> = (0..4).map(|_| rng.random_range(0.0..300.0)).collect();
    RawLevels {
        linearization_table: Vec::new(),
        black_level_repeat: [2, 2],
        black_level: black,
        black_level_delta_h: Vec::new(),
        black_level_delta_v: Vec::new(),
        white_level: rng.random_range(400.0..65535.0),
        active_area: rng.random_bool(0.7).then_some(area),
    }
}

/// Levels with random, often inconsistent values.
fn hostile_levels(rng: &mut StdRng, w: usize) -> RawLevels {
    let reps = [rng.random_range(0..4), rng.random_range(0..4)];
    RawLevels {
        linearization_table: if rng.random_bool(0.05) {
            vec![7; 70_000]
        } else {
            (0..wild(rng, 8) % 300).map(|_| rng.random()).collect()
        },
        black_level_repeat: reps,
        black_level: (0..rng.random_range(0..10))
            .map(|_| rng.random_range(-10.0..5000.0))
            .collect(),
        black_level_delta_h: (0..rng.random_range(0..3) * w / 2)
            .map(|_| rng.random_range(-1.0..1.0))
            .collect(),
        black_level_delta_v: Vec::new(),
        white_level: [f64::NAN, 0.0, 255.0, 4095.0, 65535.0][rng.random_range(0..5)],
        active_area: rng
            .random_bool(0.5)
            .then(|| [0, 1, 2, 3].map(|_| wild(rng, 70) as u32)),
    }
}

#[test]
fn random_layouts_and_levels_never_panic() {
    let mut rng = StdRng::seed_from_u64(0x5eed);
    let limits = ImageLimits {
        max_width: 512,
        max_height: 512,
        max_pixels: 65_536,
    };
    let (mut decoded, mut refused, mut developed) = (0, 0, 0);
    for _ in 0..2000 {
        let (file, layout) = if rng.random_bool(0.5) {
            consistent(&mut rng)
        } else {
            random_layout(&mut rng)
        };
        let Ok(samples) = unpack(&file, &layout, &limits) else {
            refused += 1;
            continue;
        };
        decoded += 1;
        let levels = if rng.random_bool(0.5) {
            sane_levels(&mut rng, samples.width(), samples.height())
        } else {
            hostile_levels(&mut rng, samples.width())
        };
        let phase = BayerPhase::ALL[rng.random_range(0..4)];
        if let Ok(cfa) = normalise(&samples, phase, &levels, &limits) {
            developed += 1;
            assert!(cfa.samples().iter().all(|v| (0.0..=1.0).contains(v)));
            if cfa.width() >= 2 && cfa.height() >= 2 {
                demosaic(&cfa, DemosaicMethod::Rcd).unwrap();
            }
        }
    }
    eprintln!("decoded {decoded}, refused {refused}, developed {developed}");
    // Every path was exercised.
    assert!(
        decoded > 100 && refused > 100 && developed > 20,
        "decoded {decoded}, refused {refused}, developed {developed}"
    );
}
