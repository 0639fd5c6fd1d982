//! Lossless JPEG encoder (ITU-T T.81 process 14, `SOF3`, predictor 1) for writing compressed
//! DNG tiles: 2 to 16 bits, one to four interleaved components, one optimal Huffman table.

use crate::{Error, Result};

fn bad(problem: impl Into<String>) -> Error {
    Error::LosslessJpeg {
        what: "lossless JPEG encoder".into(),
        problem: problem.into(),
    }
}

/// The difference category (`SSSS`) of `diff` (a difference modulo 2^16, as -32767..=32768).
fn category(diff: i32) -> u8 {
    if diff == 32768 {
        16
    } else {
        (32 - diff.unsigned_abs().leading_zeros()) as u8
    }
}

/// The difference of `x` from `prediction`, modulo 2^16, in -32767..=32768.
fn difference(x: u16, prediction: i32) -> i32 {
    let d = (i32::from(x) - prediction).rem_euclid(65536);
    if d > 32768 { d - 65536 } else { d }
}

/// Code lengths (at most 16 bits) of the 17 categories from their frequencies, JPEG style:
/// Huffman lengths, limited to 16 bits, with no code made of ones only (ITU-T T.81 annex K.2).
fn code_lengths(freq: &[u64; 17]) -> [u8; 17] {
    // Leaves: the used categories plus one reserved symbol (index 17) of frequency 1.
    let mut weights: Vec<(u64, Vec<usize>)> = freq
        .iter()
        .enumerate()
        .filter(|(_, f)| **f > 0)
        .map(|(s, &f)| (f, vec![s]))
        .collect();
    weights.push((1, vec![17]));
    let mut depth = [0usize; 18];
    while weights.len() > 1 {
        // Merge the two lightest nodes (ties: the later one, as annex K does).
        weights.sort_by_key(|w| std::cmp::Reverse(w.0));
        let (Some(a), Some(b)) = (weights.pop(), weights.pop()) else {
            break;
        };
        let mut symbols = a.1;
        symbols.extend(b.1);
        for &s in &symbols {
            depth[s] += 1;
        }
        weights.push((a.0 + b.0, symbols));
    }
    // BITS: how many codes of each length; then limit to 16 (annex K.3).
    let mut bits = [0usize; 33];
    for &d in depth.iter().filter(|&&d| d > 0) {
        bits[d.min(32)] += 1;
    }
    for i in (17..=32).rev() {
        while bits[i] > 0 {
            let mut j = i - 2;
            while bits[j] == 0 {
                j -= 1;
            }
            bits[i] -= 2;
            bits[i - 1] += 1;
            bits[j + 1] += 2;
            bits[j] -= 1;
        }
    }
    // Drop the reserved symbol from the longest length.
    if let Some(i) = (1..=16).rev().find(|&i| bits[i] > 0) {
        bits[i] -= 1;
    }
    // Most frequent categories get the shortest codes.
    let mut order: Vec<usize> = (0..17).filter(|&s| freq[s] > 0).collect();
    order.sort_by(|&a, &b| freq[b].cmp(&freq[a]).then(a.cmp(&b)));
    let mut lengths = [0u8; 17];
    let mut symbols = order.into_iter();
    for (len, &n) in bits.iter().enumerate().take(17).skip(1) {
        for _ in 0..n {
            if let Some(s) = symbols.next() {
                lengths[s] = len as u8;
            }
        }
    }
    lengths
}

/// Canonical codes for `lengths`: the DHT counts, the symbols in code order, and each
/// category's (code, length).
fn canonical(lengths: &[u8; 17]) -> ([u8; 16], Vec<u8>, [(u32, u8); 17]) {
    let mut counts = [0u8; 16];
    let mut values = Vec::new();
    let mut codes = [(0u32, 0u8); 17];
    let mut code = 0u32;
    for len in 1..=16u8 {
        for s in 0..17u8 {
            if lengths[usize::from(s)] == len {
                counts[usize::from(len - 1)] += 1;
                values.push(s);
                codes[usize::from(s)] = (code, len);
                code += 1;
            }
        }
        code <<= 1;
    }
    (counts, values, codes)
}

/// Writes bits most significant first, stuffing a zero byte after every 0xFF.
#[derive(Debug, Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u64,
    count: u32,
}

impl BitWriter {
    #[inline]
    fn put(&mut self, value: u32, n: u8) {
        if n == 0 {
            return;
        }
        let n = u32::from(n);
        self.acc = (self.acc << n) | u64::from(value & ((1u32 << n) - 1));
        self.count += n;
        while self.count >= 8 {
            self.count -= 8;
            let byte = (self.acc >> self.count) as u8;
            self.out.push(byte);
            if byte == 0xFF {
                self.out.push(0);
            }
        }
        self.acc &= (1u64 << self.count) - 1;
    }

    /// Pads the last byte with ones.
    fn finish(mut self) -> Vec<u8> {
        if self.count > 0 {
            let pad = 8 - self.count as u8;
            self.put((1 << pad) - 1, pad);
        }
        self.out
    }
}

/// Encodes `samples` (`height` lines of `width * components` samples, components interleaved)
/// as a lossless JPEG with predictor 1 at `precision` bits.
///
/// Errors: precision outside 2..=16, components outside 1..=4, an empty or over-65535 dimension,
/// a buffer of the wrong length, a sample that does not fit `precision` bits.
pub fn encode_lossless_jpeg(
    samples: &[u16],
    width: usize,
    height: usize,
    components: usize,
    precision: u8,
) -> Result<Vec<u8>> {
    encode_with(
        samples,
        width,
        height,
        components,
        precision,
        &EncodeOptions::default(),
    )
}

/// Coding choices beyond the defaults (predictor 1, no restart markers, no point transform);
/// the tests use them to exercise every path of the decoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct EncodeOptions {
    /// Predictor selection value, 1 to 7.
    pub predictor: u8,
    /// Lines between restart markers (0: none).
    pub restart_lines: usize,
    /// Point transform: samples are coded shifted right by this many bits (their low bits
    /// must be zero).
    pub point_transform: u8,
}

impl Default for EncodeOptions {
    fn default() -> Self {
        EncodeOptions {
            predictor: 1,
            restart_lines: 0,
            point_transform: 0,
        }
    }
}

/// [`encode_lossless_jpeg`] with explicit [`EncodeOptions`].
pub(crate) fn encode_with(
    samples: &[u16],
    width: usize,
    height: usize,
    components: usize,
    precision: u8,
    options: &EncodeOptions,
) -> Result<Vec<u8>> {
    if !(2..=16).contains(&precision) {
        return Err(bad(format!("precision {precision} bits (2 to 16 allowed)")));
    }
    if !(1..=4).contains(&components) {
        return Err(bad(format!("{components} components (1 to 4 allowed)")));
    }
    if !(1..=65535).contains(&width) || !(1..=65535).contains(&height) {
        return Err(bad(format!("{width}x{height} (1 to 65535 on a side)")));
    }
    let (predictor, pt) = (options.predictor, options.point_transform);
    if !(1..=7).contains(&predictor) || pt >= precision {
        return Err(bad(format!("predictor {predictor}, point transform {pt}")));
    }
    let line = width * components;
    if samples.len() != line * height {
        return Err(bad(format!(
            "{} samples for {width}x{height} with {components} components",
            samples.len()
        )));
    }
    if precision < 16 {
        if let Some(v) = samples.iter().find(|&&v| v >> precision != 0) {
            return Err(bad(format!("sample {v} does not fit {precision} bits")));
        }
    }
    if let Some(v) = samples.iter().find(|&&v| v & ((1 << pt) - 1) != 0) {
        return Err(bad(format!(
            "sample {v} has low bits under point transform {pt}"
        )));
    }
    let coded: Vec<u16> = samples.iter().map(|&v| v >> pt).collect();
    let restart_lines = if options.restart_lines == 0 {
        usize::MAX
    } else {
        options.restart_lines
    };
    let restart_interval = width
        .checked_mul(options.restart_lines)
        .and_then(|n| u16::try_from(n).ok())
        .ok_or_else(|| bad("restart interval does not fit 16 bits"))?;
    let initial = 1i32 << (precision - pt - 1);
    // The difference category of every sample, in stream order.
    let diffs: Vec<i32> = (0..coded.len())
        .map(|i| {
            let (y, x) = (i / line, i % line);
            let first_line = y % restart_lines == 0;
            let prediction = if first_line {
                if x < components {
                    initial
                } else {
                    i32::from(coded[i - components])
                }
            } else if x < components {
                i32::from(coded[i - line])
            } else {
                let a = i32::from(coded[i - components]);
                let b = i32::from(coded[i - line]);
                let c = i32::from(coded[i - line - components]);
                match predictor {
                    1 => a,
                    2 => b,
                    3 => c,
                    4 => a + b - c,
                    5 => a + ((b - c) >> 1),
                    6 => b + ((a - c) >> 1),
                    _ => (a + b) >> 1,
                }
            };
            difference(coded[i], prediction)
        })
        .collect();
    let mut freq = [0u64; 17];
    for &d in &diffs {
        freq[usize::from(category(d))] += 1;
    }
    let (counts, values, codes) = canonical(&code_lengths(&freq));

    let mut out = vec![0xFF, 0xD8];
    // SOF3: precision, lines, samples per line, components (ids 1.., 1x1 sampling).
    out.extend_from_slice(&[0xFF, 0xC3]);
    out.extend_from_slice(&((8 + 3 * components) as u16).to_be_bytes());
    out.push(precision);
    out.extend_from_slice(&(height as u16).to_be_bytes());
    out.extend_from_slice(&(width as u16).to_be_bytes());
    out.push(components as u8);
    for c in 0..components {
        out.extend_from_slice(&[c as u8 + 1, 0x11, 0]);
    }
    // DHT: one table (class 0, id 0).
    out.extend_from_slice(&[0xFF, 0xC4]);
    out.extend_from_slice(&((2 + 17 + values.len()) as u16).to_be_bytes());
    out.push(0);
    out.extend_from_slice(&counts);
    out.extend_from_slice(&values);
    if restart_interval > 0 {
        out.extend_from_slice(&[0xFF, 0xDD, 0, 4]);
        out.extend_from_slice(&restart_interval.to_be_bytes());
    }
    // SOS: every component with table 0, the predictor, the point transform.
    out.extend_from_slice(&[0xFF, 0xDA]);
    out.extend_from_slice(&((6 + 2 * components) as u16).to_be_bytes());
    out.push(components as u8);
    for c in 0..components {
        out.extend_from_slice(&[c as u8 + 1, 0]);
    }
    out.extend_from_slice(&[predictor, 0, pt]);

    let mut bits = BitWriter {
        out,
        ..BitWriter::default()
    };
    let mut restarts = 0u8;
    for (i, &diff) in diffs.iter().enumerate() {
        if i > 0 && i % line == 0 && (i / line) % restart_lines == 0 {
            let mut out = std::mem::take(&mut bits).finish();
            out.extend_from_slice(&[0xFF, 0xD0 + restarts % 8]);
            restarts = restarts.wrapping_add(1);
            bits = BitWriter {
                out,
                ..BitWriter::default()
            };
        }
        let cat = category(diff);
        let (code, len) = codes[usize::from(cat)];
        bits.put(code, len);
        if cat > 0 && cat < 16 {
            let extra = if diff < 0 { diff - 1 } else { diff };
            bits.put(extra as u32, cat);
        }
    }
    let mut out = bits.finish();
    out.extend_from_slice(&[0xFF, 0xD9]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn categories_and_differences() {
        assert_eq!(category(0), 0);
        assert_eq!(category(1), 1);
        assert_eq!(category(-1), 1);
        assert_eq!(category(-3), 2);
        assert_eq!(category(255), 8);
        assert_eq!(category(32767), 15);
        assert_eq!(category(32768), 16);
        assert_eq!(difference(0, 32768), 32768);
        assert_eq!(difference(65535, 0), -1);
        assert_eq!(difference(1, 65535), 2);
    }

    #[test]
    fn code_lengths_are_a_valid_prefix_code_within_16_bits() {
        // Fibonacci-like frequencies would need codes longer than 16 bits without the limit.
        let mut skewed = [0u64; 17];
        let (mut a, mut b) = (1u64, 1u64);
        for f in skewed.iter_mut() {
            *f = a;
            (a, b) = (b, a + b);
        }
        for freq in [skewed, [1; 17], {
            let mut one = [0u64; 17];
            one[0] = 100;
            one
        }] {
            let lengths = code_lengths(&freq);
            let kraft: f64 = lengths
                .iter()
                .filter(|&&l| l > 0)
                .map(|&l| 0.5f64.powi(i32::from(l)))
                .sum();
            // Strictly below 1: the all-ones code stays unused.
            assert!(kraft < 1.0, "{lengths:?}");
            for (s, &l) in lengths.iter().enumerate() {
                assert_eq!(l > 0, freq[s] > 0, "{lengths:?}");
                assert!(l <= 16);
            }
        }
    }

    #[test]
    fn bad_requests_are_errors() {
        let check = |r: Result<Vec<u8>>, needle: &str| {
            let err = r.unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        };
        check(encode_lossless_jpeg(&[0; 4], 2, 2, 1, 1), "precision 1");
        check(encode_lossless_jpeg(&[0; 4], 2, 2, 1, 17), "precision 17");
        check(encode_lossless_jpeg(&[0; 4], 1, 1, 5, 8), "5 components");
        check(encode_lossless_jpeg(&[], 0, 2, 1, 8), "0x2");
        check(encode_lossless_jpeg(&[0; 3], 2, 2, 1, 8), "3 samples");
        check(
            encode_lossless_jpeg(&[0, 4096, 0, 0], 2, 2, 1, 12),
            "sample 4096",
        );
    }
}
