//! Demosaicing properties that hold for every method and Bayer phase: known samples kept, flat
//! and smooth fields reproduced up to the image edges, and output independent of threads, tiles
//! and the phase of a crop.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::demosaic::{DemosaicMethod, Tiling, demosaic, demosaic_into, demosaic_tiled};
use rushes_engine::raw::{BayerPhase, CfaImage, ImageLimits, RgbImage, WhiteBalance};

/// Mosaics an RGB field given as a function of (x, y).
fn mosaic(w: usize, h: usize, phase: BayerPhase, f: impl Fn(usize, usize) -> [f32; 3]) -> CfaImage {
    let mut cfa = CfaImage::new(w, h, phase, &ImageLimits::default()).unwrap();
    for y in 0..h {
        for (x, v) in cfa.row_mut(y).iter_mut().enumerate() {
            *v = f(x, y)[phase.color_at(x, y).channel()];
        }
    }
    cfa
}

/// Deterministic noise in [0, 1).
fn noise(x: usize, y: usize, c: usize) -> f32 {
    let mut s = (x as u64) << 40 ^ (y as u64) << 16 ^ c as u64 ^ 0x9E37_79B9_7F4A_7C15;
    s ^= s >> 33;
    s = s.wrapping_mul(0xff51_afd7_ed55_8ccd);
    s ^= s >> 33;
    s = s.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    s ^= s >> 33;
    (s >> 40) as f32 / (1u64 << 24) as f32
}

fn random_cfa(w: usize, h: usize, phase: BayerPhase) -> CfaImage {
    mosaic(w, h, phase, |x, y| [0, 1, 2].map(|c| noise(x, y, c)))
}

fn max_error(img: &RgbImage, f: impl Fn(usize, usize) -> [f32; 3]) -> f32 {
    max_error_inside(img, 0, f)
}

/// The largest channel error more than `border` pixels from the edges.
fn max_error_inside(img: &RgbImage, border: usize, f: impl Fn(usize, usize) -> [f32; 3]) -> f32 {
    let mut worst = 0.0f32;
    for y in border..img.height() - border {
        for x in border..img.width() - border {
            let got = img.pixel(x, y).unwrap();
            let want = f(x, y);
            for c in 0..3 {
                worst = worst.max((got[c] - want[c]).abs());
            }
        }
    }
    worst
}

#[test]
fn flat_colour_is_reproduced_everywhere_including_the_edges() {
    let colour = [0.8, 0.35, 0.1];
    for method in DemosaicMethod::ALL {
        for phase in BayerPhase::ALL {
            for (w, h) in [(37, 29), (2, 2), (3, 17), (64, 5)] {
                let cfa = mosaic(w, h, phase, |_, _| colour);
                let out = demosaic(&cfa, method).unwrap();
                let err = max_error(&out, |_, _| colour);
                assert!(err < 1e-5, "{method} {phase} {w}x{h}: max error {err}");
            }
        }
    }
}

#[test]
fn smooth_fields_have_small_errors_up_to_the_edges() {
    let field = |x: usize, y: usize| {
        let (x, y) = (x as f32, y as f32);
        [
            0.5 + 0.3 * (x * 0.05).sin() * (y * 0.04).cos(),
            0.4 + 0.25 * (x * 0.03 + y * 0.02).sin(),
            0.45 + 0.3 * (y * 0.045).sin(),
        ]
    };
    for method in DemosaicMethod::ALL {
        for phase in BayerPhase::ALL {
            let out = demosaic(&mosaic(71, 53, phase, field), method).unwrap();
            // Mirroring bends the field at the edges, so they get a looser bound than the inside.
            let whole = max_error(&out, field);
            let inside = max_error_inside(&out, 12, field);
            assert!(whole < 0.03, "{method} {phase}: max error {whole}");
            assert!(
                inside < 0.004,
                "{method} {phase}: max error inside {inside}"
            );
        }
    }
}

#[test]
fn mosaic_samples_are_kept_at_their_sites() {
    for method in DemosaicMethod::ALL {
        for phase in BayerPhase::ALL {
            let cfa = random_cfa(41, 23, phase);
            let out = demosaic(&cfa, method).unwrap();
            for y in 0..cfa.height() {
                for x in 0..cfa.width() {
                    let c = phase.color_at(x, y).channel();
                    assert_eq!(out.pixel(x, y).unwrap()[c], cfa.get(x, y).unwrap());
                }
            }
        }
    }
}

#[test]
fn linear_methods_reproduce_a_linear_ramp_in_the_interior() {
    let ramp = |x: usize, y: usize| {
        let (x, y) = (x as f32, y as f32);
        [
            0.01 * x + 0.002 * y,
            0.2 + 0.003 * x + 0.004 * y,
            0.5 - 0.002 * x + 0.006 * y,
        ]
    };
    for method in [DemosaicMethod::Bilinear, DemosaicMethod::MalvarHeCutler] {
        for phase in BayerPhase::ALL {
            let out = demosaic(&mosaic(40, 30, phase, ramp), method).unwrap();
            for y in 2..28 {
                for x in 2..38 {
                    let got = out.pixel(x, y).unwrap();
                    for (c, (g, want)) in got.iter().zip(ramp(x, y)).enumerate() {
                        assert!((g - want).abs() < 1e-5, "{method} {phase} ({x},{y}) c{c}");
                    }
                }
            }
        }
    }
}

#[test]
fn output_is_identical_whatever_the_thread_count() {
    for method in DemosaicMethod::ALL {
        let cfa = random_cfa(301, 157, BayerPhase::Gbrg);
        let tiling = Tiling {
            width: 64,
            height: 16,
        };
        let runs: Vec<RgbImage> = [1, 2, 3, 8]
            .into_iter()
            .map(|threads| {
                let pool = rayon::ThreadPoolBuilder::new()
                    .num_threads(threads)
                    .build()
                    .unwrap();
                pool.install(|| demosaic_tiled(&cfa, method, tiling).unwrap())
            })
            .collect();
        for r in &runs[1..] {
            assert!(
                r == &runs[0],
                "{method}: output differs between thread counts"
            );
        }
    }
}

#[test]
fn output_is_identical_whatever_the_tile_size() {
    for method in DemosaicMethod::ALL {
        for phase in BayerPhase::ALL {
            let cfa = random_cfa(123, 77, phase);
            let whole = demosaic_tiled(
                &cfa,
                method,
                Tiling {
                    width: 4096,
                    height: 4096,
                },
            )
            .unwrap();
            for (tw, th) in [(16, 16), (30, 18), (64, 128), (17, 33)] {
                let tiled = demosaic_tiled(
                    &cfa,
                    method,
                    Tiling {
                        width: tw,
                        height: th,
                    },
                )
                .unwrap();
                assert!(
                    tiled == whole,
                    "{method} {phase}: tiles {tw}x{th} change the output"
                );
            }
        }
    }
}

#[test]
fn a_crop_with_another_phase_gives_the_same_interior() {
    // Demosaicing a mosaic and demosaicing its crop from (1, 1) (the opposite phase) must agree
    // away from the crop's edges: the phase is honoured, not assumed.
    for method in DemosaicMethod::ALL {
        for phase in BayerPhase::ALL {
            let (w, h) = (60, 50);
            let full = random_cfa(w, h, phase);
            let (dx, dy) = (1, 1);
            let cw = w - 2;
            let ch = h - 2;
            let mut crop =
                CfaImage::new(cw, ch, phase.shifted(dx, dy), &ImageLimits::default()).unwrap();
            for y in 0..ch {
                crop.row_mut(y)
                    .copy_from_slice(&full.row(y + dy)[dx..dx + cw]);
            }
            let a = demosaic(&full, method).unwrap();
            let b = demosaic(&crop, method).unwrap();
            for y in 14..ch - 14 {
                for x in 14..cw - 14 {
                    assert_eq!(
                        b.pixel(x, y),
                        a.pixel(x + dx, y + dy),
                        "{method} {phase} ({x},{y})"
                    );
                }
            }
        }
    }
}

#[test]
fn white_balance_before_demosaic_scales_a_grey_card_to_neutral() {
    let raw = [0.25, 0.5, 0.4];
    let cfa = mosaic(20, 20, BayerPhase::Bggr, |_, _| raw);
    let mut balanced = cfa.clone();
    balanced.apply_white_balance(&WhiteBalance::from_as_shot_neutral([0.5, 1.0, 0.8]).unwrap());
    let out = demosaic(&balanced, DemosaicMethod::Rcd).unwrap();
    assert!(max_error(&out, |_, _| [0.5; 3]) < 1e-5);
}

#[test]
fn too_small_mosaics_and_unknown_methods_are_errors() {
    let limits = ImageLimits::default();
    for (w, h) in [(1, 10), (10, 1), (1, 1)] {
        let cfa = CfaImage::new(w, h, BayerPhase::Rggb, &limits).unwrap();
        let err = demosaic(&cfa, DemosaicMethod::Rcd).unwrap_err().to_string();
        assert!(err.contains("smaller than one 2x2 Bayer cell"), "{err}");
    }
    for m in DemosaicMethod::ALL {
        assert_eq!(m.name().parse::<DemosaicMethod>().unwrap(), m);
    }
    assert_eq!(DemosaicMethod::default(), DemosaicMethod::Rcd);
    let err = "ahd".parse::<DemosaicMethod>().unwrap_err().to_string();
    assert!(err.contains("expected bilinear, mhc or rcd"), "{err}");
}

#[test]
fn demosaic_into_reuses_a_strided_output_and_checks_its_size() {
    let limits = ImageLimits::default();
    let (w, h, stride) = (45, 33, 50);
    let len = (h - 1) * stride + w;
    let mut out = RgbImage::from_planes(
        w,
        h,
        stride,
        [
            vec![f32::NAN; len],
            vec![f32::NAN; len],
            vec![f32::NAN; len],
        ],
        &limits,
    )
    .unwrap();
    let tiling = Tiling {
        width: 16,
        height: 16,
    };
    for method in DemosaicMethod::ALL {
        for phase in [BayerPhase::Rggb, BayerPhase::Gbrg] {
            let cfa = random_cfa(w, h, phase);
            demosaic_into(&cfa, method, tiling, &mut out).unwrap();
            let want = demosaic(&cfa, method).unwrap();
            for y in 0..h {
                for x in 0..w {
                    assert_eq!(out.pixel(x, y), want.pixel(x, y), "{method} ({x},{y})");
                }
            }
        }
    }
    // Padding between rows is not written.
    assert!(out.plane(0)[w].is_nan());
    let mut wrong = RgbImage::new(w, h + 1, &limits).unwrap();
    let err = demosaic_into(
        &random_cfa(w, h, BayerPhase::Rggb),
        DemosaicMethod::Rcd,
        tiling,
        &mut wrong,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("does not match the 45x33 mosaic"), "{err}");
}
