//! Throughput of the pixel-plan resampler on a UHD RGBA frame (values as decoded from half
//! floats): a 2x downscale, an anamorphic 2x de-squeeze to UHD width, and an exact crop; run with
//! one and two rayon threads to show the multi-core scaling.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use rushes_engine::fdl::{DimensionsInt, PixelPlan, Rect};
use rushes_engine::resample::apply_plan;

const W: usize = 3840;
const H: usize = 2160;
const C: usize = 4;

fn main() {
    divan::main();
}

fn frame() -> Vec<f32> {
    let mut x = 0x9E37_79B9_7F4A_7C15u64;
    (0..W * H * C)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            // Values a half float can hold exactly.
            half_like((x >> 40) as f32 / (1u64 << 24) as f32)
        })
        .collect()
}

fn half_like(v: f32) -> f32 {
    (v * 1024.0).round() / 1024.0
}

fn plan(crop: Rect, out: (i64, i64)) -> PixelPlan {
    let scale_x = out.0 as f64 / crop.width;
    let scale_y = out.1 as f64 / crop.height;
    PixelPlan {
        source_size: DimensionsInt {
            width: W as i64,
            height: H as i64,
        },
        source_crop: crop,
        output_size: DimensionsInt {
            width: out.0,
            height: out.1,
        },
        placement: Rect {
            x: 0.0,
            y: 0.0,
            width: out.0 as f64,
            height: out.1 as f64,
        },
        scale_x,
        scale_y,
        desqueeze: scale_x / scale_y,
        scale: scale_y,
        source_squeeze: 1.0,
        target_squeeze: 1.0,
        pad_right: 0.0,
        pad_bottom: 0.0,
    }
}

fn full() -> Rect {
    Rect {
        x: 0.0,
        y: 0.0,
        width: W as f64,
        height: H as f64,
    }
}

fn run(bencher: Bencher, plan: PixelPlan, threads: usize) {
    let image = frame();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher.counter(ItemsCount::new(W * H)).bench_local(|| {
        pool.install(|| apply_plan(black_box(&plan), W, H, C, &image, 0.0).unwrap())
    });
}

/// UHD -> HD (Lanczos-3 widened to 12 taps per axis).
#[divan::bench(args = [1, 2], sample_count = 5)]
fn downscale_half(bencher: Bencher, threads: usize) {
    run(bencher, plan(full(), (1920, 1080)), threads);
}

/// A 1920-wide 2x anamorphic crop de-squeezed to UHD (upscale 2x horizontally, 1x vertically).
#[divan::bench(args = [1, 2], sample_count = 5)]
fn desqueeze_2x(bencher: Bencher, threads: usize) {
    let crop = Rect {
        x: 960.0,
        y: 0.0,
        width: 1920.0,
        height: H as f64,
    };
    run(bencher, plan(crop, (3840, 2160)), threads);
}

/// A whole-pixel crop without scaling (exact copy).
#[divan::bench(args = [1, 2], sample_count = 5)]
fn exact_crop(bencher: Bencher, threads: usize) {
    let crop = Rect {
        x: 64.0,
        y: 40.0,
        width: 3200.0,
        height: 1800.0,
    };
    run(bencher, plan(crop, (3200, 1800)), threads);
}
