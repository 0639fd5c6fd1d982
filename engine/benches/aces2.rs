//! ACES 2.0 SDR Rec.709 output transform throughput (megapixels per second) on a synthetic
//! 1920x1080 ACES2065-1 frame, single-threaded per-pixel and parallel (rayon) over the buffer.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::color::aces2::{Aces2Output, Aces2Renderer};

fn main() {
    divan::main();
}

const WIDTH: usize = 1920;
const HEIGHT: usize = 1080;

/// A frame of smooth gradients and saturated patches across about 12 stops.
fn frame() -> Vec<f32> {
    let mut px = Vec::with_capacity(WIDTH * HEIGHT * 3);
    for y in 0..HEIGHT {
        for x in 0..WIDTH {
            let u = x as f32 / WIDTH as f32;
            let v = y as f32 / HEIGHT as f32;
            let exposure = 2f32.powf(-8.0 + 12.0 * u);
            px.extend([
                exposure * (0.2 + 0.8 * v),
                exposure * (0.5 + 0.5 * (6.0 * u).sin() * v),
                exposure * (1.0 - v),
            ]);
        }
    }
    px
}

fn renderer() -> Aces2Renderer {
    Aces2Output::SDR_REC709.renderer().unwrap()
}

/// One thread: the per-pixel cost.
#[divan::bench(sample_count = 5)]
fn rec709_forward_one_thread(bencher: divan::Bencher) {
    let r = renderer();
    let src = frame();
    bencher
        .counter(divan::counter::ItemsCount::new(WIDTH * HEIGHT))
        .with_inputs(|| src.clone())
        .bench_local_refs(|px| {
            for p in px.chunks_exact_mut(3) {
                let out = r.forward([p[0], p[1], p[2]]);
                p.copy_from_slice(&out);
            }
        });
}

/// All cores via `Aces2Renderer::apply`.
#[divan::bench(sample_count = 5)]
fn rec709_forward_parallel(bencher: divan::Bencher) {
    let r = renderer();
    let src = frame();
    bencher
        .counter(divan::counter::ItemsCount::new(WIDTH * HEIGHT))
        .with_inputs(|| src.clone())
        .bench_local_refs(|px| r.apply(px, 3).unwrap());
}

/// Building the tables of one output.
#[divan::bench(sample_count = 5)]
fn rec709_build_tables() -> Aces2Renderer {
    renderer()
}
