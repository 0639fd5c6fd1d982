//! Demosaicing throughput per method on a 4K (4096x2160) synthetic mosaic, on one thread and on
//! every core (pixels/s; divide the all-cores figure by the core count for per-core speed).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use rushes_engine::demosaic::{DemosaicMethod, Tiling, demosaic, demosaic_into};
use rushes_engine::raw::{BayerPhase, CfaImage, ImageLimits, RgbImage};

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
