//! Streaming XXH3 (64- and 128-bit, default secret, seed 0) with exportable state.
//!
//! Written from the xxHash specification. One accumulator serves both widths: XXH3-64 and XXH3-128
//! share the long-input accumulation and differ only in the final merge, so asking for `xxh3` and
//! `xxh128` together costs one pass. Inputs of at most 240 bytes are kept whole in the buffer and
//! finished with xxhash-rust's one-shot functions (those short-input paths are not streaming).
//!
//! Streaming invariant: a stripe is accumulated only once a later byte is known to exist, because
//! the final stripe (the last 64 input bytes) is treated specially. So after any update the buffer
//! holds 1..=256 unconsumed bytes (or all of an input of at most 256 bytes), and `last` keeps the
//! final 64 consumed bytes for the case where fewer than 64 bytes are buffered at the end.

use super::state::{Reader, Writer};
use super::xxh64::{P1 as P64_1, P2 as P64_2, P3 as P64_3, P4 as P64_4, P5 as P64_5};

const P32_1: u64 = 0x9E37_79B1;
const P32_2: u64 = 0x85EB_CA77;
const P32_3: u64 = 0xC2B2_AE3D;
/// XXH3's avalanche multiplier.
const MIX: u64 = 0x1656_6791_9E37_79F9;

const STRIPE: usize = 64;
const STRIPES_PER_BLOCK: usize = 16; // (secret size 192 - 64) / 8
const BLOCK: usize = STRIPE * STRIPES_PER_BLOCK;
const BUF: usize = 256;
const MIDSIZE_MAX: u64 = 240;

const INIT_ACC: [u64; 8] = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1];

/// The 192-byte default secret of the xxHash specification, as hex.
const SECRET_HEX: &[u8; 384] = b"\
b8fe6c3923a44bbe7c01812cf721ad1cded46de9839097db7240a4a4b7b3671f\
cb79e64eccc0e578825ad07dccff7221b8084674f743248ee03590e6813a264c\
3c2852bb91c300cb88d0658b1b532ea371644897a20df94e3819ef46a9deacd8\
a8fa763fe39c343ff9dcbbc7c70b4f1d8a51e04bcdb45931c89f7ec9d9787364\
eac5ac8334d3ebc3c581a0fffa1363eb170ddd51b7f0da49d316552629d4689e\
2b16be587d47a1fc8ff8b8d17ad031ce45cb3a8f95160428afd7fbcabb4b407e";

const fn nibble(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        _ => panic!("bad hex in SECRET_HEX"), // evaluated at compile time only
    }
}

const fn secret() -> [u8; 192] {
    let mut out = [0u8; 192];
    let mut i = 0;
    while i < 192 {
        out[i] = (nibble(SECRET_HEX[2 * i]) << 4) | nibble(SECRET_HEX[2 * i + 1]);
        i += 1;
    }
    out
}

const SECRET: [u8; 192] = secret();

/// Eight little-endian secret words starting at byte `at`.
const fn words(at: usize) -> [u64; 8] {
    let mut out = [0u64; 8];
    let mut w = 0;
    while w < 8 {
        let mut v = 0u64;
        let mut b = 0;
        while b < 8 {
            v |= (SECRET[at + 8 * w + b] as u64) << (8 * b);
            b += 1;
        }
        out[w] = v;
        w += 1;
    }
    out
}

const fn stripe_keys() -> [[u64; 8]; STRIPES_PER_BLOCK] {
    let mut out = [[0u64; 8]; STRIPES_PER_BLOCK];
    let mut s = 0;
    while s < STRIPES_PER_BLOCK {
        out[s] = words(8 * s);
        s += 1;
    }
    out
}

/// Key of stripe `s` within a block: the secret from byte `8 s`.
const STRIPE_KEYS: [[u64; 8]; STRIPES_PER_BLOCK] = stripe_keys();
/// Scramble key: the secret's last 64 bytes.
const SCRAMBLE_KEY: [u64; 8] = words(192 - 64);
/// Key of the final stripe: 7 bytes before the scramble key.
const LAST_KEY: [u64; 8] = words(192 - 64 - 7);
/// Merge keys of the low (and 64-bit) result and of the 128-bit high half.
const MERGE_LO: [u64; 8] = words(11);
const MERGE_HI: [u64; 8] = words(192 - 64 - 11);

#[inline(always)]
fn lane(data: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    b.copy_from_slice(&data[at..at + 8]);
    u64::from_le_bytes(b)
}

/// Accumulates the stripe at `data[at..at + 64]`:
/// `acc[i] += data[i ^ 1] + lo32(data[i] ^ key[i]) * hi32(data[i] ^ key[i])`, written as plain
/// element-wise loops so the compiler can vectorize them (SSE2 `pmuludq` / `paddq`).
#[inline(always)]
fn accumulate_at(acc: &mut [u64; 8], data: &[u8], at: usize, key: &[u64; 8]) {
    let mut d = [0u64; 8];
    for (i, v) in d.iter_mut().enumerate() {
        *v = lane(data, at + 8 * i);
    }
    for i in 0..8 {
        let k = d[i] ^ key[i];
        acc[i] = acc[i]
            .wrapping_add(d[i ^ 1])
            .wrapping_add((k & 0xFFFF_FFFF).wrapping_mul(k >> 32));
    }
}

#[inline(always)]
fn accumulate(acc: &mut [u64; 8], stripe: &[u8; STRIPE], key: &[u64; 8]) {
    accumulate_at(acc, stripe, 0, key);
}

#[inline(always)]
fn scramble(acc: &mut [u64; 8]) {
    for i in 0..8 {
        let a = acc[i] ^ (acc[i] >> 47) ^ SCRAMBLE_KEY[i];
        acc[i] = a.wrapping_mul(P32_1);
    }
}

/// Accumulates whole stripes of `data` (its length is a multiple of 64), scrambling at block ends.
/// `k` is the stripe index within the current block.
fn consume(acc: &mut [u64; 8], k: &mut usize, data: &[u8]) {
    let mut rest = data;
    while *k != 0 {
        let Some((stripe, tail)) = rest.split_first_chunk::<STRIPE>() else {
            return;
        };
        accumulate(acc, stripe, &STRIPE_KEYS[*k]);
        *k += 1;
        if *k == STRIPES_PER_BLOCK {
            scramble(acc);
            *k = 0;
        }
        rest = tail;
    }
    let mut a = *acc;
    while let Some((block, tail)) = rest.split_first_chunk::<BLOCK>() {
        for (s, key) in STRIPE_KEYS.iter().enumerate() {
            accumulate_at(&mut a, block, s * STRIPE, key);
        }
        scramble(&mut a);
        rest = tail;
    }
    while let Some((stripe, tail)) = rest.split_first_chunk::<STRIPE>() {
        accumulate(&mut a, stripe, &STRIPE_KEYS[*k]);
        *k += 1; // fewer than 16 stripes remain here, so no block ends
        rest = tail;
    }
    *acc = a;
}

#[inline(always)]
fn mul_fold(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

fn merge(acc: &[u64; 8], key: &[u64; 8], start: u64) -> u64 {
    let mut h = start;
    for i in 0..4 {
        h = h.wrapping_add(mul_fold(
            acc[2 * i] ^ key[2 * i],
            acc[2 * i + 1] ^ key[2 * i + 1],
        ));
    }
    h ^= h >> 37;
    h = h.wrapping_mul(MIX);
    h ^ (h >> 32)
}

/// Running XXH3 state (serves both the 64- and the 128-bit digest).
#[derive(Clone, Debug)]
pub(crate) struct Xxh3Stream {
    acc: [u64; 8],
    /// Stripe index within the current block (derived from the consumed length).
    k: usize,
    total: u64,
    buf: [u8; BUF],
    buffered: usize,
    /// The last 64 consumed bytes (meaningful once anything was consumed).
    last: [u8; STRIPE],
}

impl Xxh3Stream {
    pub(crate) fn new() -> Self {
        Self {
            acc: INIT_ACC,
            k: 0,
            total: 0,
            buf: [0; BUF],
            buffered: 0,
            last: [0; STRIPE],
        }
    }

    pub(crate) fn update(&mut self, mut input: &[u8]) {
        if input.is_empty() {
            return;
        }
        self.total = self.total.wrapping_add(input.len() as u64);
        let room = BUF - self.buffered;
        if input.len() <= room {
            self.buf[self.buffered..self.buffered + input.len()].copy_from_slice(input);
            self.buffered += input.len();
            return;
        }
        if self.buffered > 0 {
            // Input continues past a full buffer, so all of the buffer can be accumulated.
            let (head, rest) = input.split_at(room);
            self.buf[self.buffered..].copy_from_slice(head);
            input = rest;
            consume(&mut self.acc, &mut self.k, &self.buf);
            self.last.copy_from_slice(&self.buf[BUF - STRIPE..]);
            self.buffered = 0;
        }
        // Accumulate whole stripes straight from the input, keeping 1..=64 bytes back.
        let whole = (input.len() - 1) / STRIPE * STRIPE;
        if whole > 0 {
            let body = &input[..whole];
            consume(&mut self.acc, &mut self.k, body);
            self.last.copy_from_slice(&body[whole - STRIPE..]);
        }
        let tail = &input[whole..];
        self.buf[..tail.len()].copy_from_slice(tail);
        self.buffered = tail.len();
    }

    /// Accumulator after the buffered stripes and the final stripe (inputs over 240 bytes only).
    fn final_acc(&self) -> [u64; 8] {
        let mut acc = self.acc;
        let mut k = self.k;
        let n = self.buffered;
        let full = n.saturating_sub(1) / STRIPE * STRIPE;
        consume(&mut acc, &mut k, &self.buf[..full]);
        let mut last = [0u8; STRIPE];
        if n >= STRIPE {
            last.copy_from_slice(&self.buf[n - STRIPE..n]);
        } else {
            last[..STRIPE - n].copy_from_slice(&self.last[n..]);
            last[STRIPE - n..].copy_from_slice(&self.buf[..n]);
        }
        accumulate(&mut acc, &last, &LAST_KEY);
        acc
    }

    pub(crate) fn digest64(&self) -> u64 {
        if self.total <= MIDSIZE_MAX {
            return xxhash_rust::xxh3::xxh3_64(&self.buf[..self.buffered]);
        }
        merge(&self.final_acc(), &MERGE_LO, self.total.wrapping_mul(P64_1))
    }

    pub(crate) fn digest128(&self) -> u128 {
        if self.total <= MIDSIZE_MAX {
            return xxhash_rust::xxh3::xxh3_128(&self.buf[..self.buffered]);
        }
        let acc = self.final_acc();
        let lo = merge(&acc, &MERGE_LO, self.total.wrapping_mul(P64_1));
        let hi = merge(&acc, &MERGE_HI, !self.total.wrapping_mul(P64_2));
        (u128::from(hi) << 64) | u128::from(lo)
    }

    fn consumed(&self) -> u64 {
        self.total - self.buffered as u64
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        for a in self.acc {
            w.uint(a, 8);
        }
        w.uint(self.buffered as u64, 2);
        w.bytes(&self.buf[..self.buffered]);
        if self.consumed() > 0 && self.buffered < STRIPE {
            w.bytes(&self.last[self.buffered..]);
        }
    }

    pub(crate) fn load(r: &mut Reader<'_>, total: u64) -> Result<Self, String> {
        let mut s = Self::new();
        s.total = total;
        for a in &mut s.acc {
            *a = r.uint(8, "xxh3")?;
        }
        let n = r.uint(2, "xxh3")?;
        if n > BUF as u64 || n > total || (total > 0 && n == 0) {
            return Err(format!(
                "xxh3: {n} buffered bytes is impossible after {total} bytes"
            ));
        }
        s.buffered = n as usize;
        let consumed = total - n;
        if consumed == 0 {
            if s.acc != INIT_ACC {
                return Err("xxh3: accumulator changed before the first stripe".into());
            }
        } else if total <= BUF as u64 || consumed % STRIPE as u64 != 0 {
            return Err(format!(
                "xxh3: {n} buffered bytes is impossible after {total} bytes"
            ));
        }
        s.k = ((consumed / STRIPE as u64) % STRIPES_PER_BLOCK as u64) as usize;
        s.buf[..s.buffered].copy_from_slice(r.bytes(s.buffered, "xxh3")?);
        if consumed > 0 && s.buffered < STRIPE {
            s.last[s.buffered..].copy_from_slice(r.bytes(STRIPE - s.buffered, "xxh3")?);
        }
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};
    use xxhash_rust::xxh3::{Xxh3Default, xxh3_64, xxh3_128};

    fn random(n: usize, seed: u64) -> Vec<u8> {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut v = vec![0u8; n];
        rng.fill(&mut v[..]);
        v
    }

    #[test]
    fn secret_matches_the_specification_start_and_end() {
        assert_eq!(&SECRET[..4], &[0xb8, 0xfe, 0x6c, 0x39]);
        assert_eq!(&SECRET[188..], &[0xbb, 0x4b, 0x40, 0x7e]);
    }

    #[test]
    fn every_length_to_3000_in_random_pieces_matches_xxhash_rust() {
        let data = random(3000, 3);
        let mut rng = StdRng::seed_from_u64(33);
        for len in 0..=3000 {
            let d = &data[..len];
            let mut s = Xxh3Stream::new();
            let mut pos = 0;
            while pos < len {
                // pieces around stripe (64), buffer (256) and block (1024) sizes, sometimes empty
                let max = [1, 63, 64, 65, 255, 256, 257, 1023, 1024, 1025][rng.random_range(0..10)];
                let n = rng.random_range(0..=max).min(len - pos);
                s.update(&d[pos..pos + n]);
                pos += n;
            }
            assert_eq!(s.digest64(), xxh3_64(d), "xxh3 len {len}");
            assert_eq!(s.digest128(), xxh3_128(d), "xxh128 len {len}");
        }
    }

    #[test]
    fn block_boundary_lengths_in_exact_pieces_match() {
        let data = random(5000, 5);
        for len in [1024, 1025, 2047, 2048, 2049, 3072, 4096, 4160, 4161] {
            for piece in [64, 256, 1024, 1, 4096] {
                let d = &data[..len];
                let mut s = Xxh3Stream::new();
                for c in d.chunks(piece) {
                    s.update(c);
                }
                assert_eq!(s.digest64(), xxh3_64(d), "len {len} piece {piece}");
                assert_eq!(s.digest128(), xxh3_128(d), "len {len} piece {piece}");
            }
        }
    }

    #[test]
    fn large_input_matches_the_streaming_reference() {
        let data = random(3 << 20, 7);
        let mut reference = Xxh3Default::new();
        let mut s = Xxh3Stream::new();
        for c in data.chunks(1_000_003) {
            reference.update(c);
            s.update(c);
        }
        assert_eq!(s.digest64(), reference.digest());
        assert_eq!(s.digest128(), reference.digest128());
    }
}
