//! Throughput of the streaming multi-hasher: each ASC MHL format alone and all six in one pass.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::counter::BytesCount;
use divan::{Bencher, black_box};
use rushes_engine::hash::{HashFormat, MultiHasher};

const SIZE: usize = 64 * 1024 * 1024;
/// Slice size per `update`, like `hash_reader`'s 1 MiB reads.
const CHUNK: usize = 1024 * 1024;

fn main() {
    divan::main();
}

fn buffer() -> Vec<u8> {
    // cheap deterministic noise (xorshift), so no hasher sees a degenerate pattern
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..SIZE)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        })
        .collect()
}

fn run(bencher: Bencher, formats: &[HashFormat]) {
    let data = buffer();
    bencher.counter(BytesCount::new(SIZE)).bench_local(|| {
        let mut h = MultiHasher::new(formats);
        for piece in black_box(&data).chunks(CHUNK) {
            h.update(piece);
        }
        black_box(h.finish())
    });
}

#[divan::bench(args = HashFormat::ALL)]
fn one_format(bencher: Bencher, format: HashFormat) {
    run(bencher, &[format]);
}

#[divan::bench]
fn all_six(bencher: Bencher) {
    run(bencher, &HashFormat::ALL);
}

#[divan::bench]
fn xxh3_and_xxh128(bencher: Bencher) {
    run(bencher, &[HashFormat::Xxh3, HashFormat::Xxh128]);
}

/// The crates' own streaming hashers on the same buffer (xxhash-rust XXH64/XXH3, RustCrypto MD5), as
/// a yardstick for our versions with exportable state.
#[divan::bench(args = ["xxh64", "xxh3", "md5"])]
fn crate_reference(bencher: Bencher, which: &str) {
    let data = buffer();
    bencher.counter(BytesCount::new(SIZE)).bench_local(|| {
        let chunks = black_box(&data).chunks(CHUNK);
        match which {
            "xxh64" => {
                let mut h = xxhash_rust::xxh64::Xxh64::new(0);
                chunks.for_each(|c| h.update(c));
                black_box(h.digest().to_le_bytes().to_vec())
            }
            "xxh3" => {
                let mut h = xxhash_rust::xxh3::Xxh3Default::new();
                chunks.for_each(|c| h.update(c));
                black_box(h.digest().to_le_bytes().to_vec())
            }
            _ => {
                use md5::Digest as _;
                let mut h = md5::Md5::new();
                chunks.for_each(|c| h.update(c));
                black_box(h.finalize().to_vec())
            }
        }
    });
}
