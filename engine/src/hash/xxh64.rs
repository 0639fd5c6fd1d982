//! Streaming XXH64 (seed 0) with exportable state, written from the xxHash specification.

use super::state::{Reader, Writer};

pub(crate) const P1: u64 = 0x9E37_79B1_85EB_CA87;
pub(crate) const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
pub(crate) const P3: u64 = 0x1656_67B1_9E37_79F9;
pub(crate) const P4: u64 = 0x85EB_CA77_C2B2_AE63;
pub(crate) const P5: u64 = 0x27D4_EB2F_1656_67C5;

const STRIPE: usize = 32;
const INIT: [u64; 4] = [P1.wrapping_add(P2), P2, 0, 0u64.wrapping_sub(P1)];

#[inline(always)]
fn round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

#[inline(always)]
fn le64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

#[inline(always)]
fn stripes(v: &mut [u64; 4], data: &[u8]) {
    let [mut a, mut b, mut c, mut d] = *v;
    let mut rest = data;
    while let Some((s, tail)) = rest.split_first_chunk::<STRIPE>() {
        a = round(a, le64(&s[0..8]));
        b = round(b, le64(&s[8..16]));
        c = round(c, le64(&s[16..24]));
        d = round(d, le64(&s[24..32]));
        rest = tail;
    }
    *v = [a, b, c, d];
}

/// Running XXH64 state.
#[derive(Clone, Debug)]
pub(crate) struct Xxh64Stream {
    v: [u64; 4],
    buf: [u8; STRIPE],
    total: u64,
}

impl Xxh64Stream {
    pub(crate) fn new() -> Self {
        Self {
            v: INIT,
            buf: [0; STRIPE],
            total: 0,
        }
    }

    fn buffered(&self) -> usize {
        (self.total % STRIPE as u64) as usize
    }

    pub(crate) fn update(&mut self, mut data: &[u8]) {
        let have = self.buffered();
        self.total = self.total.wrapping_add(data.len() as u64);
        if have > 0 {
            let take = (STRIPE - have).min(data.len());
            self.buf[have..have + take].copy_from_slice(&data[..take]);
            data = &data[take..];
            if have + take < STRIPE {
                return;
            }
            let buf = self.buf;
            stripes(&mut self.v, &buf);
        }
        let whole = data.len() - data.len() % STRIPE;
        stripes(&mut self.v, &data[..whole]);
        let tail = &data[whole..];
        self.buf[..tail.len()].copy_from_slice(tail);
    }

    pub(crate) fn digest(&self) -> u64 {
        let mut h = if self.total >= STRIPE as u64 {
            let [a, b, c, d] = self.v;
            let mut h = a
                .rotate_left(1)
                .wrapping_add(b.rotate_left(7))
                .wrapping_add(c.rotate_left(12))
                .wrapping_add(d.rotate_left(18));
            for lane in self.v {
                h = (h ^ round(0, lane)).wrapping_mul(P1).wrapping_add(P4);
            }
            h
        } else {
            P5
        };
        h = h.wrapping_add(self.total);
        let mut rest = &self.buf[..self.buffered()];
        while rest.len() >= 8 {
            h ^= round(0, le64(rest));
            h = h.rotate_left(27).wrapping_mul(P1).wrapping_add(P4);
            rest = &rest[8..];
        }
        if rest.len() >= 4 {
            let w = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
            h ^= u64::from(w).wrapping_mul(P1);
            h = h.rotate_left(23).wrapping_mul(P2).wrapping_add(P3);
            rest = &rest[4..];
        }
        for &byte in rest {
            h ^= u64::from(byte).wrapping_mul(P5);
            h = h.rotate_left(11).wrapping_mul(P1);
        }
        h ^= h >> 33;
        h = h.wrapping_mul(P2);
        h ^= h >> 29;
        h = h.wrapping_mul(P3);
        h ^ (h >> 32)
    }

    pub(crate) fn save(&self, w: &mut Writer) {
        for lane in self.v {
            w.uint(lane, 8);
        }
        w.bytes(&self.buf[..self.buffered()]);
    }

    pub(crate) fn load(r: &mut Reader<'_>, total: u64) -> Result<Self, String> {
        let mut s = Self::new();
        s.total = total;
        for lane in &mut s.v {
            *lane = r.uint(8, "xxh64")?;
        }
        if total < STRIPE as u64 && s.v != INIT {
            return Err("xxh64: lanes changed before the first stripe".into());
        }
        let have = s.buffered();
        s.buf[..have].copy_from_slice(r.bytes(have, "xxh64")?);
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use rand::{Rng, SeedableRng, rngs::StdRng};

    #[test]
    fn random_lengths_and_splits_match_xxhash_rust() {
        let mut rng = StdRng::seed_from_u64(64);
        let mut data = vec![0u8; 3001];
        rng.fill(&mut data[..]);
        for len in 0..=3000 {
            let d = &data[..len];
            let expected = xxhash_rust::xxh64::xxh64(d, 0);
            let mut s = Xxh64Stream::new();
            let mut pos = 0;
            while pos < len {
                // pieces around the 32-byte stripe size, sometimes empty
                let n = rng.random_range(0..=70).min(len - pos);
                s.update(&d[pos..pos + n]);
                pos += n;
            }
            assert_eq!(s.digest(), expected, "len {len}");
        }
    }
}
