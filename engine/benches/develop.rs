//! Development throughput: `develop_cfa` (white balance, RCD demosaic, camera -> ACES2065-1 and
//! exposure) on a 12 MP (4000x3000) synthetic mosaic, on one thread and on two, in pixels/s.
//! The machine this runs on may be shared: compare figures from the same quiet run only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use divan::counter::ItemsCount;
use divan::{Bencher, black_box};
use rushes_engine::color::Mat3;
use rushes_engine::color::dng::{CameraColor, CameraColorTags};
use rushes_engine::demosaic::DemosaicMethod;
use rushes_engine::develop::{DevelopOptions, develop_cfa};
use rushes_engine::raw::{BayerPhase, CfaImage, ImageLimits};

const WIDTH: usize = 4000;
const HEIGHT: usize = 3000;

fn main() {
    divan::main();
}

fn m(v: [i32; 9]) -> Mat3 {
    Mat3([0, 1, 2].map(|r| [0, 1, 2].map(|c| f64::from(v[r * 3 + c]) / 10_000.0)))
}

fn camera() -> CameraColor {
    CameraColor::from_tags(&CameraColorTags {
        color_matrix_1: Some(m([7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437])),
        color_matrix_2: Some(m([6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668])),
        forward_matrix_1: Some(m([7868, 92, 1683, 2291, 8615, -906, 27, -4752, 12976])),
        forward_matrix_2: Some(m([7637, 805, 1201, 2649, 9179, -1828, 137, -2456, 10570])),
        calibration_illuminant_1: Some(17),
        calibration_illuminant_2: Some(21),
        as_shot_neutral: Some([0.52, 1.0, 0.61]),
        baseline_exposure: Some(0.25),
        ..CameraColorTags::default()
    })
    .unwrap()
}

/// Smooth shading, hard edges and a little noise, so no step takes a shortcut.
fn mosaic() -> CfaImage {
    let mut cfa = CfaImage::new(WIDTH, HEIGHT, BayerPhase::Rggb, &ImageLimits::default()).unwrap();
    let mut noise = 0x9E37_79B9_7F4A_7C15u64;
    for y in 0..HEIGHT {
        for (x, v) in cfa.row_mut(y).iter_mut().enumerate() {
            noise ^= noise << 13;
            noise ^= noise >> 7;
            noise ^= noise << 17;
            let shade = 0.1 + 0.4 * (x as f32 / WIDTH as f32) * (y as f32 / HEIGHT as f32);
            let stripes = if (x / 41 + y / 59) % 2 == 0 { 0.2 } else { 0.0 };
            let site = [0.5, 1.0, 0.6][(x & 1) + (y & 1)];
            *v = site * (shade + stripes) + (noise >> 40) as f32 / (1u64 << 24) as f32 * 0.01;
        }
    }
    cfa
}

#[divan::bench(args = [1, 2], sample_count = 3, sample_size = 1)]
fn develop_rcd_12mp(bencher: Bencher, threads: usize) {
    let cfa = mosaic();
    let color = camera();
    let options = DevelopOptions {
        demosaic: DemosaicMethod::Rcd,
        ..DevelopOptions::default()
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    bencher
        .counter(ItemsCount::new(WIDTH * HEIGHT))
        .bench_local(|| {
            let out = pool.install(|| develop_cfa(black_box(&cfa), &color, &options).unwrap());
            black_box(out);
        });
}
