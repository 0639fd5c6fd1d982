//! The 64-bit DCT perceptual hash (pHash) of a 32x32 grey thumbnail, and Hamming distance.
//!
//! Definition (the one of the `ImageHash` Python package's `phash`, checked bit for bit by
//! `engine/tests/perceptual_imagehash.rs`): a 32x32 grey image; the 2-D DCT-II (rows, then
//! columns; unnormalised, as `scipy.fftpack.dct`); the top-left 8x8 block of coefficients
//! (lowest vertical x horizontal frequencies); each bit says whether its coefficient is above
//! the median of those 64 values (NumPy's median: the mean of the two middle values).
//!
//! Bit order: coefficient (v, u) (vertical frequency v, horizontal u) is bit `63 - (8v + u)`,
//! so the hash written as 16 hex digits reads like `str(imagehash.phash(...))`.
//!
//! The DC coefficient keeps its bit, as in `ImageHash`: for an image with a positive mean it
//! is the largest coefficient and its bit is always 1, so 63 bits carry information. Keeping
//! it costs nothing in distances (equal in every hash) and keeps the hashes comparable with
//! other tools'.

use std::f64::consts::PI;
use std::sync::OnceLock;

/// Side of the thumbnail the hash is computed on.
pub const PHASH_INPUT_SIDE: usize = 32;
/// Side of the block of low-frequency coefficients kept.
const KEPT: usize = 8;

/// `2 cos(pi k (2n + 1) / 64)` for k < 8, n < 32: the DCT-II basis, scaled like SciPy's.
fn basis() -> &'static [[f64; PHASH_INPUT_SIDE]; KEPT] {
    static BASIS: OnceLock<[[f64; PHASH_INPUT_SIDE]; KEPT]> = OnceLock::new();
    BASIS.get_or_init(|| {
        let mut b = [[0.0; PHASH_INPUT_SIDE]; KEPT];
        for (k, row) in b.iter_mut().enumerate() {
            for (n, v) in row.iter_mut().enumerate() {
                *v = 2.0
                    * (PI * k as f64 * (2 * n + 1) as f64 / (2 * PHASH_INPUT_SIDE) as f64).cos();
            }
        }
        b
    })
}

/// The top-left 8x8 DCT-II coefficients of a 32x32 image (row-major input; output `[v][u]`).
pub fn low_frequency_dct(pixels: &[f32; PHASH_INPUT_SIDE * PHASH_INPUT_SIDE]) -> [[f64; 8]; 8] {
    let b = basis();
    // Along each row (horizontal frequencies u), keeping 8.
    let mut rows = [[0.0_f64; KEPT]; PHASH_INPUT_SIDE];
    for (y, out) in rows.iter_mut().enumerate() {
        let line = &pixels[y * PHASH_INPUT_SIDE..][..PHASH_INPUT_SIDE];
        for (u, coefficient) in out.iter_mut().enumerate() {
            *coefficient = line
                .iter()
                .zip(&b[u])
                .map(|(&p, &c)| f64::from(p) * c)
                .sum();
        }
    }
    // Down each column (vertical frequencies v).
    let mut out = [[0.0_f64; KEPT]; KEPT];
    for (v, out_row) in out.iter_mut().enumerate() {
        for (u, coefficient) in out_row.iter_mut().enumerate() {
            *coefficient = rows.iter().zip(&b[v]).map(|(r, &c)| r[u] * c).sum();
        }
    }
    out
}

/// The 64-bit pHash of a 32x32 grey image (see the module documentation for the definition
/// and bit order).
pub fn phash_32x32(pixels: &[f32; PHASH_INPUT_SIDE * PHASH_INPUT_SIDE]) -> u64 {
    let dct = low_frequency_dct(pixels);
    let mut sorted: Vec<f64> = dct.iter().flatten().copied().collect();
    sorted.sort_by(f64::total_cmp);
    let median = (sorted[31] + sorted[32]) / 2.0;
    let mut hash = 0_u64;
    for (i, &c) in dct.iter().flatten().enumerate() {
        if c > median {
            hash |= 1 << (63 - i);
        }
    }
    hash
}

/// Bits that differ between two hashes (0 = same, 64 = complementary).
pub fn hamming(a: u64, b: u64) -> u32 {
    (a ^ b).count_ones()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::needless_range_loop)]
    use super::*;

    fn image(f: impl Fn(usize, usize) -> f32) -> [f32; 1024] {
        let mut px = [0.0; 1024];
        for y in 0..32 {
            for x in 0..32 {
                px[y * 32 + x] = f(x, y);
            }
        }
        px
    }

    #[test]
    fn dct_of_a_constant_is_dc_only() {
        let dct = low_frequency_dct(&image(|_, _| 1.0));
        // SciPy's unnormalised DCT-II of 32 ones is 2 * 32 = 64 per axis: 4096.
        assert!((dct[0][0] - 4096.0).abs() < 1e-9);
        for (i, &c) in dct.iter().flatten().enumerate().skip(1) {
            assert!(c.abs() < 1e-9, "coefficient {i}: {c}");
        }
    }

    #[test]
    fn dct_of_a_basis_image_is_one_coefficient() {
        // cos(pi * 3 (2x + 1) / 64): only coefficient (v = 0, u = 3) is non-zero.
        let px = image(|x, _| (PI * 3.0 * (2 * x + 1) as f64 / 64.0).cos() as f32);
        let dct = low_frequency_dct(&px);
        assert!((dct[0][3] - 2048.0).abs() < 1e-3, "{}", dct[0][3]);
        for v in 0..8 {
            for u in 0..8 {
                if (v, u) != (0, 3) {
                    assert!(dct[v][u].abs() < 1e-3, "({v},{u}) = {}", dct[v][u]);
                }
            }
        }
    }

    #[test]
    fn known_hash_of_an_image_built_from_chosen_coefficients() {
        // The image whose 8x8 DCT block is `want` (a permutation of 1..=63 plus a large DC):
        // each basis product transforms to a single coefficient scaled by 64 (k = 0) or 32.
        let want = |v: usize, u: usize| {
            let i = v * 8 + u;
            if i == 0 {
                1000.0
            } else {
                ((i * 37) % 64) as f64
            }
        };
        let scale = |k: usize| if k == 0 { 64.0 } else { 32.0 };
        let px = image(|x, y| {
            let mut sum = 0.0;
            for v in 0..8 {
                for u in 0..8 {
                    let bx = 2.0 * (PI * u as f64 * (2 * x + 1) as f64 / 64.0).cos();
                    let by = 2.0 * (PI * v as f64 * (2 * y + 1) as f64 / 64.0).cos();
                    sum += want(v, u) / (scale(u) * scale(v)) * bx * by / 4.0;
                }
            }
            sum as f32
        });
        let dct = low_frequency_dct(&px);
        for v in 0..8 {
            for u in 0..8 {
                assert!(
                    (dct[v][u] - want(v, u)).abs() < 1e-2,
                    "({v},{u}) {}",
                    dct[v][u]
                );
            }
        }
        // Values 1..=63 and 1000: the median is (32 + 33) / 2, so a bit is set for 33 and up.
        let mut expected = 0_u64;
        for i in 0..64 {
            if want(i / 8, i % 8) > 32.5 {
                expected |= 1 << (63 - i);
            }
        }
        assert_eq!(expected.count_ones(), 32);
        assert_eq!(phash_32x32(&px), expected);
        assert_eq!(format!("{expected:016x}"), "d4ad5a952b52a56a");
    }

    #[test]
    fn hamming_counts_differing_bits() {
        assert_eq!(hamming(0, u64::MAX), 64);
        assert_eq!(hamming(0b1010, 0b0110), 2);
        assert_eq!(hamming(7, 7), 0);
    }
}
