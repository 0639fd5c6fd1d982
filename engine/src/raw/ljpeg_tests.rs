//! Tests of the lossless JPEG decoder: round trips through the encoder over every predictor,
//! precision and component count, restart markers, point transform, and every class of bad
//! stream.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::raw::ljpeg_encode::{EncodeOptions, encode_lossless_jpeg, encode_with};

/// Deterministic test samples of `bits` bits: a smooth ramp plus hashed noise.
fn samples(n: usize, bits: u8, seed: u64) -> Vec<u16> {
    let max = (1u64 << bits) - 1;
    (0..n as u64)
        .map(|i| {
            let h = (i ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 40;
            let smooth = (i * 37) % (max + 1);
            ((smooth + h % 64) % (max + 1)) as u16
        })
        .collect()
}

fn decode(data: &[u8]) -> Result<LosslessJpeg> {
    decode_lossless_jpeg(data, "test", 1 << 24)
}

#[test]
fn round_trips_every_predictor_precision_and_component_count() {
    for precision in [2u8, 8, 10, 12, 14, 16] {
        for components in 1..=4 {
            for predictor in 1..=7 {
                let (w, h) = (13, 7);
                let want = samples(w * h * components, precision, u64::from(predictor));
                let options = EncodeOptions {
                    predictor,
                    ..EncodeOptions::default()
                };
                let data = encode_with(&want, w, h, components, precision, &options).unwrap();
                let got = decode(&data).unwrap();
                assert_eq!(
                    (got.width, got.height, got.components, got.precision),
                    (w, h, components, precision)
                );
                assert_eq!(
                    got.samples, want,
                    "{precision} bits, {components} components, predictor {predictor}"
                );
            }
        }
    }
}

#[test]
fn sixteen_bit_extremes_use_category_16() {
    // 0 next to 32768 and 65535 next to 0: differences of 32768 and wrap-arounds.
    let want: Vec<u16> = vec![0, 32768, 0, 65535, 0, 65535, 32768, 32767, 1, 65534];
    let data = encode_lossless_jpeg(&want, 5, 2, 1, 16).unwrap();
    assert_eq!(decode(&data).unwrap().samples, want);
}

#[test]
fn restart_markers_and_point_transform_decode() {
    let (w, h) = (9, 11);
    let want = samples(w * h * 2, 12, 5);
    for restart_lines in [1, 2, 3, 11] {
        let options = EncodeOptions {
            predictor: 4,
            restart_lines,
            point_transform: 0,
        };
        let data = encode_with(&want, w, h, 2, 12, &options).unwrap();
        assert!(data.windows(2).any(|m| m == [0xFF, 0xDD]));
        assert_eq!(decode(&data).unwrap().samples, want, "{restart_lines}");
    }
    let shifted: Vec<u16> = want.iter().map(|v| v & !3).collect();
    let options = EncodeOptions {
        predictor: 6,
        restart_lines: 0,
        point_transform: 2,
    };
    let data = encode_with(&shifted, w, h, 2, 12, &options).unwrap();
    assert_eq!(decode(&data).unwrap().samples, shifted);
}

#[test]
fn truncated_streams_are_errors_at_every_length() {
    let want = samples(16 * 6 * 2, 14, 9);
    let options = EncodeOptions {
        predictor: 1,
        restart_lines: 2,
        point_transform: 0,
    };
    let data = encode_with(&want, 16, 6, 2, 14, &options).unwrap();
    // Everything but the final EOI is needed (the last byte may be padding only).
    for len in 0..data.len() - 3 {
        assert!(decode(&data[..len]).is_err(), "accepted {len} bytes");
    }
    let err = decode(&data[..data.len() - 40]).unwrap_err().to_string();
    assert!(
        err.contains("truncated") || err.contains("restart marker"),
        "{err}"
    );
}

#[test]
fn corrupted_streams_never_panic() {
    let want = samples(20 * 8, 12, 3);
    let data = encode_lossless_jpeg(&want, 20, 8, 1, 12).unwrap();
    let mut state = 0x1234_5678_u64;
    for _ in 0..3000 {
        let mut bad = data.clone();
        for _ in 0..3 {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let at = (state >> 33) as usize % bad.len();
            bad[at] ^= (state >> 20) as u8 | 1;
        }
        // Any result is fine; what matters is no panic and a bounded allocation.
        let _ = decode_lossless_jpeg(&bad, "fuzz", 20 * 8);
    }
}

/// A valid stream with `edit` applied to its bytes.
fn edited(edit: impl Fn(&mut Vec<u8>)) -> Vec<u8> {
    let mut data = encode_lossless_jpeg(&samples(4 * 3 * 2, 12, 1), 4, 3, 2, 12).unwrap();
    edit(&mut data);
    data
}

/// Index of the byte after marker `0xFF m` in a stream made by the encoder.
fn after(data: &[u8], m: u8) -> usize {
    data.windows(2).position(|w| w == [0xFF, m]).unwrap() + 2
}

#[test]
fn malformed_headers_are_clear_errors() {
    let check = |data: Vec<u8>, needle: &str| {
        let err = decode(&data).unwrap_err().to_string();
        assert!(err.contains(needle), "{err}");
        assert!(err.starts_with("test: bad lossless JPEG"), "{err}");
    };
    check(edited(|d| d[1] = 0xD9), "SOI");
    check(edited(|d| d.truncate(2)), "no SOS marker");
    check(vec![0xFF, 0xD8, 0xFF, 0xD9], "end of image before any scan");
    check(edited(|d| d[3] = 0xC0), "baseline DCT");
    check(edited(|d| d[3] = 0xC2), "progressive DCT");
    check(edited(|d| d[3] = 0xCB), "arithmetic coding");
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d[at + 2] = 17;
        }),
        "precision 17",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d[at + 3..at + 5].copy_from_slice(&[0, 0]);
        }),
        "DNL",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d[at + 9] = 0x22;
        }),
        "sampling factors 2x2",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d[at + 7] = 5;
        }),
        "5 components",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC4);
            d[at + 2] = 0x02; // table id 2 instead of 0
        }),
        "Huffman table 0, which was not defined",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC4);
            d[at + 3] = 2; // two codes of length 1 on top of the others
        }),
        "Huffman",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC4);
            let first_value = at + 3 + 16;
            d[first_value] = 17;
        }),
        "symbol 17",
    );
    check(
        edited(|d| {
            let at = after(d, 0xDA);
            d[at + 7] = 0; // predictor 0
        }),
        "predictor 0",
    );
    check(
        edited(|d| {
            let at = after(d, 0xDA);
            d[at + 3] = 9; // component selector 9
        }),
        "scan component 0 is 9",
    );
    check(
        edited(|d| {
            let at = after(d, 0xDA);
            d[at + 2] = 1; // one of two components
        }),
        "scan codes 1 of the frame's 2",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d[at..at + 2].copy_from_slice(&[0xFF, 0xF0]);
        }),
        "claims 65520 bytes",
    );
    check(
        edited(|d| {
            let at = after(d, 0xC3);
            d.insert(at - 2, 0x12);
        }),
        "expected a marker",
    );
    // More samples than the caller expects: refused before allocating.
    let big = encode_lossless_jpeg(&samples(64 * 64, 8, 1), 64, 64, 1, 8).unwrap();
    let err = decode_lossless_jpeg(&big, "tile", 4095)
        .unwrap_err()
        .to_string();
    assert!(err.contains("more than the 4095 samples"), "{err}");
}

#[test]
fn restart_problems_are_errors() {
    let want = samples(6 * 4, 10, 2);
    let options = EncodeOptions {
        predictor: 1,
        restart_lines: 1,
        point_transform: 0,
    };
    let data = encode_with(&want, 6, 4, 1, 10, &options).unwrap();
    // RST0 replaced by RST3.
    let mut wrong = data.clone();
    let at = wrong.windows(2).position(|w| w == [0xFF, 0xD0]).unwrap();
    wrong[at + 1] = 0xD3;
    let err = decode(&wrong).unwrap_err().to_string();
    assert!(err.contains("RST3 where RST0 was due"), "{err}");
    // A restart interval that is not a whole number of lines.
    let mut partial = data.clone();
    let at = after(&partial, 0xDD);
    partial[at + 2..at + 4].copy_from_slice(&4u16.to_be_bytes());
    let err = decode(&partial).unwrap_err().to_string();
    assert!(err.contains("restart interval 4"), "{err}");
}
