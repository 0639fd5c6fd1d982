//! Demosaicing throughput per method on a 4K (4096x2160) synthetic mosaic, on one thread and on
//! every core (pixels/s; divide the all-cores figure by the core count for per-core speed), and
//! the raw decode of a 12 MP uncompressed 16-bit DNG strip layout (unpack, then normalise).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use rushes_engine::demosaic::{DemosaicMethod, Tiling, demosaic, demosaic_into};
use rushes_engine::raw::{
    BayerPhase, ByteOrder, CfaImage, ImageLimits, RawLayout, RawLevels, RgbImage, SampleStorage,
    normalise, unpack,
};

const WIDTH: usize = 4096;
const HEIGHT: usize = 2160;

fn main() {
    divan::main();
}

/// A mosaic with smooth shading, hard edges and a little noise, so no method takes a shortcut.
fn mosaic() -> CfaImage {
    let mut cfa = CfaImage::new(WIDTH, HEIGHT, BayerPhase::Rggb, &ImageLimits::default()).unwrap();
    let mut noise = 0x9E37_79B9_7F4A_7C15u64;
    for y in 0..HEIGHT {
        for (x, v) in cfa.row_mut(y).iter_mut().enumerate() {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            let shade = 0.2 + 0.5 * (x as f32 / WIDTH as f32) * (y as f32 / HEIGHT as f32);
            let stripes = if (x / 37 + y / 53) % 2 == 0 {
                0.25
            } else {
                0.0
            };
            let site = [1.0, 0.8, 0.6][(x & 1) + (y & 1)];
            *v = site * (shade + stripes) + (noise >> 40) as f32 / (1u64 << 24) as f32 * 0.02;
        }
    }
    cfa
}

/// One frame after another into the same output image (the steady state of a plate pull).
fn run(bencher: Bencher, method: DemosaicMethod, threads: usize) {
    let cfa = mosaic();
    let mut out = RgbImage::new(WIDTH, HEIGHT, &ImageLimits::default()).unwrap();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher
        .counter(ItemsCount::new(WIDTH * HEIGHT))
        .bench_local(|| {
            pool.install(|| demosaic_into(black_box(&cfa), method, Tiling::default(), &mut out))
                .unwrap();
            black_box(&out);
        });
}

#[divan::bench(args = DemosaicMethod::ALL, sample_count = 4, sample_size = 1)]
fn one_thread(bencher: Bencher, method: DemosaicMethod) {
    run(bencher, method, 1);
}

#[divan::bench(args = DemosaicMethod::ALL, sample_count = 4, sample_size = 1)]
fn all_cores(bencher: Bencher, method: DemosaicMethod) {
    run(
        bencher,
        method,
        std::thread::available_parallelism().map_or(1, |n| n.get()),
    );
}

/// RCD with a freshly allocated output per frame ([`demosaic`]), to show the cost of allocation.
#[divan::bench(sample_count = 4, sample_size = 1)]
fn rcd_allocating_one_thread(bencher: Bencher) {
    let cfa = mosaic();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    bencher
        .counter(ItemsCount::new(WIDTH * HEIGHT))
        .bench_local(|| {
            pool.install(|| black_box(demosaic(black_box(&cfa), DemosaicMethod::Rcd).unwrap()))
        });
}

/// 4000x3000 16-bit little-endian samples in strips of 16 rows, and their layout.
fn dng_like_12mp() -> (Vec<u8>, RawLayout) {
    let (w, h, rps) = (4000u32, 3000u32, 16u32);
    let file: Vec<u8> = (0..w * h)
        .flat_map(|i| ((i.wrapping_mul(2_654_435_761) >> 20) as u16 & 0x0fff).to_le_bytes())
        .collect();
    let strip = u64::from(w * rps * 2);
    let count = h.div_ceil(rps);
    let layout = RawLayout {
        width: w,
        height: h,
        bits_per_sample: 16,
        compression: 1,
        byte_order: ByteOrder::LittleEndian,
        storage: SampleStorage::Strips {
            rows_per_strip: rps,
            offsets: (0..u64::from(count)).map(|i| i * strip).collect(),
            byte_counts: (0..count)
                .map(|i| u64::from(rps.min(h - i * rps)) * u64::from(w) * 2)
                .collect(),
        },
    };
    (file, layout)
}

#[divan::bench(sample_count = 4, sample_size = 1)]
fn raw_unpack_12mp(bencher: Bencher) {
    let (file, layout) = dng_like_12mp();
    bencher
        .counter(ItemsCount::new(12_000_000usize))
        .bench_local(|| black_box(unpack(black_box(&file), &layout, &ImageLimits::default())));
}

#[divan::bench(sample_count = 4, sample_size = 1)]
fn raw_normalise_12mp(bencher: Bencher) {
    let (file, layout) = dng_like_12mp();
    let samples = unpack(&file, &layout, &ImageLimits::default()).unwrap();
    let levels = RawLevels {
        black_level_repeat: [2, 2],
        black_level: vec![256.0, 255.0, 257.0, 256.0],
        active_area: Some([8, 8, 2992, 3992]),
        ..RawLevels::with_white_level(4095.0)
    };
    bencher
        .counter(ItemsCount::new(12_000_000usize))
        .bench_local(|| {
            black_box(normalise(
                black_box(&samples),
                BayerPhase::Rggb,
                &levels,
                &ImageLimits::default(),
            ))
        });
}
