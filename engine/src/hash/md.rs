//! Merkle–Damgård hashes (MD5, SHA-1, SHA-512) with our own block buffer, so their state is exportable.
//!
//! The compression functions of SHA-1 and SHA-512 come from the RustCrypto `sha1` / `sha2` crates
//! (their `compress` feature, which uses SHA-NI / AVX2 when the CPU has them). MD5's compression
//! function is written here from RFC 1321 because `md-5` 0.10 does not export one. Padding and
//! length encoding are ours too; the tests check every length 0..=300 against the RustCrypto
//! `Digest` implementations.

use sha1::digest::generic_array::GenericArray;

use super::state::{Reader, Writer};

/// One Merkle–Damgård hash: its chaining value, block size and length encoding.
pub(crate) trait MdCore: Clone {
    /// Block size in bytes.
    const BLOCK: usize;
    /// Chaining state words.
    type Words: Copy + PartialEq + AsRef<[Self::Word]> + AsMut<[Self::Word]>;
    /// Type of one chaining word.
    type Word: Copy + PartialEq;
    /// Initial chaining value.
    const INIT: Self::Words;
    /// Width of the serialised word in bytes (4 or 8).
    const WORD_BYTES: usize;
    /// Processes whole blocks (`blocks.len()` is a multiple of [`Self::BLOCK`]).
    fn compress(state: &mut Self::Words, blocks: &[u8]);
    /// Writes the padding's message-length field into `field` (the block's last 8 or 16 bytes).
    fn length_field(total_bytes: u64, block: &mut [u8]);
    /// Serialises the chaining state to bytes of the digest (MD5 little-endian, SHA big-endian).
    fn digest_bytes(state: &Self::Words) -> Vec<u8>;
    /// Word <-> u64 for the portable state encoding.
    fn word_to_u64(w: Self::Word) -> u64;
    /// Inverse of [`Self::word_to_u64`] (the value fits by construction of the reader).
    fn word_from_u64(v: u64) -> Self::Word;
}

/// A streaming Merkle–Damgård hasher: chaining state plus a partial block.
#[derive(Clone)]
pub(crate) struct MdStream<C: MdCore> {
    state: C::Words,
    /// Partial block; only `buf[..total % BLOCK]` is meaningful. Sized for the largest block.
    buf: [u8; 128],
    total: u64,
}

impl<C: MdCore> MdStream<C> {
    pub(crate) fn new() -> Self {
        Self {
            state: C::INIT,
            buf: [0; 128],
            total: 0,
        }
    }

    fn buffered(&self) -> usize {
        (self.total % C::BLOCK as u64) as usize
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let have = self.buffered();
        self.total = self.total.wrapping_add(data.len() as u64);
        if have > 0 {
            let take = (C::BLOCK - have).min(data.len());
            self.buf[have..have + take].copy_from_slice(&data[..take]);
            data = &data[take..];
            if have + take < C::BLOCK {
                return;
            }
            C::compress(&mut self.state, &self.buf[..C::BLOCK]);
        }
        let whole = data.len() - data.len() % C::BLOCK;
        if whole > 0 {
            C::compress(&mut self.state, &data[..whole]);
        }
        let tail = &data[whole..];
        self.buf[..tail.len()].copy_from_slice(tail);
    }

    /// Digest bytes of everything fed so far (the stream itself is not consumed).
    pub(crate) fn digest(&self) -> Vec<u8> {
        let mut state = self.state;
        let have = self.buffered();
        let mut block = [0u8; 256];
        block[..have].copy_from_slice(&self.buf[..have]);
        block[have] = 0x80;
        let len_field = C::BLOCK / 8; // 8 bytes for 64-byte blocks, 16 for 128-byte blocks
        let padded = if have + 1 + len_field <= C::BLOCK {
            C::BLOCK
        } else {
            2 * C::BLOCK
        };
        C::length_field(self.total, &mut block[padded - len_field..padded]);
        C::compress(&mut state, &block[..padded]);
        C::digest_bytes(&state)
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        for &word in self.state.as_ref() {
            w.uint(C::word_to_u64(word), C::WORD_BYTES);
        }
        w.bytes(&self.buf[..self.buffered()]);
    }

    pub(crate) fn load(r: &mut Reader<'_>, total: u64, name: &str) -> Result<Self, String> {
        let mut s = Self::new();
        s.total = total;
        for word in s.state.as_mut() {
            *word = C::word_from_u64(r.uint(C::WORD_BYTES, name)?);
        }
        if total < C::BLOCK as u64 && s.state != C::INIT {
            return Err(format!(
                "{name}: chaining state changed before the first block"
            ));
        }
        let have = s.buffered();
        s.buf[..have].copy_from_slice(r.bytes(have, name)?);
        Ok(s)
    }
}

fn length_bits(total_bytes: u64) -> u128 {
    u128::from(total_bytes) * 8
}

// ---------------------------------------------------------------------------------------------
// MD5 (RFC 1321)

/// MD5: compression function written from RFC 1321.
#[derive(Clone)]
pub(crate) struct Md5;

/// T[i] = floor(|sin(i + 1)| * 2^32), RFC 1321 section 3.4.
const MD5_T: [u32; 64] = [
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
];

/// Per-round left-rotation amounts (four per round, repeated).
const MD5_S: [[u32; 4]; 4] = [
    [7, 12, 17, 22],
    [5, 9, 14, 20],
    [4, 11, 16, 23],
    [6, 10, 15, 21],
];

/// One MD5 step: `a = b + ((a + f + x + t) <<< s)`.
#[inline(always)]
fn md5_step(a: u32, b: u32, f: u32, x: u32, t: u32, s: u32) -> u32 {
    a.wrapping_add(f)
        .wrapping_add(x)
        .wrapping_add(t)
        .rotate_left(s)
        .wrapping_add(b)
}

#[inline(always)]
fn md5_block(state: &mut [u32; 4], block: &[u8; 64]) {
    let mut x = [0u32; 16];
    for (word, bytes) in x.iter_mut().zip(block.chunks_exact(4)) {
        *word = u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    let [mut a, mut b, mut c, mut d] = *state;
    // Each round: 16 steps; the roles of a, b, c, d rotate by one register per step.
    macro_rules! round {
        ($r:expr, $f:expr, $g:expr) => {
            let mut i = 0;
            while i < 16 {
                let step = 16 * $r + i;
                let s = MD5_S[$r][i % 4];
                let f = $f(b, c, d);
                let new_b = md5_step(a, b, f, x[$g(i)], MD5_T[step], s);
                a = d;
                d = c;
                c = b;
                b = new_b;
                i += 1;
            }
        };
    }
    round!(0, |b: u32, c: u32, d: u32| (b & c) | (!b & d), |i: usize| i);
    round!(
        1,
        |b: u32, c: u32, d: u32| (b & d) | (c & !d),
        |i: usize| (5 * i + 1) % 16
    );
    round!(2, |b: u32, c: u32, d: u32| b ^ c ^ d, |i: usize| (3 * i
        + 5)
        % 16);
    round!(3, |b: u32, c: u32, d: u32| c ^ (b | !d), |i: usize| (7 * i)
        % 16);
    state[0] = state[0].wrapping_add(a);
    state[1] = state[1].wrapping_add(b);
    state[2] = state[2].wrapping_add(c);
    state[3] = state[3].wrapping_add(d);
}

impl MdCore for Md5 {
    const BLOCK: usize = 64;
    type Words = [u32; 4];
    type Word = u32;
    const INIT: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    const WORD_BYTES: usize = 4;

    fn compress(state: &mut [u32; 4], blocks: &[u8]) {
        let mut rest = blocks;
        while let Some((block, tail)) = rest.split_first_chunk::<64>() {
            md5_block(state, block);
            rest = tail;
        }
    }
    fn length_field(total_bytes: u64, field: &mut [u8]) {
        field.copy_from_slice(&(length_bits(total_bytes) as u64).to_le_bytes());
    }
    fn digest_bytes(state: &[u32; 4]) -> Vec<u8> {
        state.iter().flat_map(|w| w.to_le_bytes()).collect()
    }
    fn word_to_u64(w: u32) -> u64 {
        u64::from(w)
    }
    fn word_from_u64(v: u64) -> u32 {
        v as u32
    }
}

// ---------------------------------------------------------------------------------------------
// SHA-1 and SHA-512 (FIPS 180-4), compression from RustCrypto

/// SHA-1 around `sha1::compress`.
#[derive(Clone)]
pub(crate) struct Sha1;

impl MdCore for Sha1 {
    const BLOCK: usize = 64;
    type Words = [u32; 5];
    type Word = u32;
    const INIT: [u32; 5] = [
        0x6745_2301,
        0xefcd_ab89,
        0x98ba_dcfe,
        0x1032_5476,
        0xc3d2_e1f0,
    ];
    const WORD_BYTES: usize = 4;

    fn compress(state: &mut [u32; 5], blocks: &[u8]) {
        for block in blocks.chunks_exact(64) {
            sha1::compress(state, std::slice::from_ref(GenericArray::from_slice(block)));
        }
    }
    fn length_field(total_bytes: u64, field: &mut [u8]) {
        field.copy_from_slice(&(length_bits(total_bytes) as u64).to_be_bytes());
    }
    fn digest_bytes(state: &[u32; 5]) -> Vec<u8> {
        state.iter().flat_map(|w| w.to_be_bytes()).collect()
    }
    fn word_to_u64(w: u32) -> u64 {
        u64::from(w)
    }
    fn word_from_u64(v: u64) -> u32 {
        v as u32
    }
}

/// SHA-512 around `sha2::compress512` (C4 IDs are SHA-512 digests).
#[derive(Clone)]
pub(crate) struct Sha512;

impl MdCore for Sha512 {
    const BLOCK: usize = 128;
    type Words = [u64; 8];
    type Word = u64;
    const INIT: [u64; 8] = [
        0x6a09_e667_f3bc_c908,
        0xbb67_ae85_84ca_a73b,
        0x3c6e_f372_fe94_f82b,
        0xa54f_f53a_5f1d_36f1,
        0x510e_527f_ade6_82d1,
        0x9b05_688c_2b3e_6c1f,
        0x1f83_d9ab_fb41_bd6b,
        0x5be0_cd19_137e_2179,
    ];
    const WORD_BYTES: usize = 8;

    fn compress(state: &mut [u64; 8], blocks: &[u8]) {
        for block in blocks.chunks_exact(128) {
            sha2::compress512(state, std::slice::from_ref(GenericArray::from_slice(block)));
        }
    }
    fn length_field(total_bytes: u64, field: &mut [u8]) {
        field.copy_from_slice(&length_bits(total_bytes).to_be_bytes());
    }
    fn digest_bytes(state: &[u64; 8]) -> Vec<u8> {
        state.iter().flat_map(|w| w.to_be_bytes()).collect()
    }
    fn word_to_u64(w: u64) -> u64 {
        w
    }
    fn word_from_u64(v: u64) -> u64 {
        v
    }
}

pub(crate) type Md5Stream = MdStream<Md5>;
pub(crate) type Sha1Stream = MdStream<Sha1>;
pub(crate) type Sha512Stream = MdStream<Sha512>;

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use sha1::Digest as _;

    fn data(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 31 + 7) as u8).collect()
    }

    #[test]
    fn md5_table_is_floor_abs_sin() {
        for (i, &t) in MD5_T.iter().enumerate() {
            let v = (((i + 1) as f64).sin().abs() * 4_294_967_296.0).floor() as u32;
            assert_eq!(t, v, "T[{i}]");
        }
    }

    #[test]
    fn every_short_length_matches_rustcrypto() {
        for len in 0..=300 {
            let d = data(len);
            let mut m = Md5Stream::new();
            let mut s1 = Sha1Stream::new();
            let mut s5 = Sha512Stream::new();
            // feed in two uneven pieces to exercise the buffer
            let cut = len / 3;
            for part in [&d[..cut], &d[cut..]] {
                m.update(part);
                s1.update(part);
                s5.update(part);
            }
            assert_eq!(m.digest(), md5::Md5::digest(&d).to_vec(), "md5 len {len}");
            assert_eq!(
                s1.digest(),
                sha1::Sha1::digest(&d).to_vec(),
                "sha1 len {len}"
            );
            assert_eq!(
                s5.digest(),
                sha2::Sha512::digest(&d).to_vec(),
                "sha512 len {len}"
            );
        }
    }

    #[test]
    fn large_input_in_odd_pieces_matches_rustcrypto() {
        let d = data(1 << 20);
        let mut m = Md5Stream::new();
        let mut s1 = Sha1Stream::new();
        let mut s5 = Sha512Stream::new();
        for piece in d.chunks(4093) {
            m.update(piece);
            s1.update(piece);
            s5.update(piece);
        }
        assert_eq!(m.digest(), md5::Md5::digest(&d).to_vec());
        assert_eq!(s1.digest(), sha1::Sha1::digest(&d).to_vec());
        assert_eq!(s5.digest(), sha2::Sha512::digest(&d).to_vec());
    }
}
