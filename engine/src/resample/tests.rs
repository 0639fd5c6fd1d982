//! Unit tests of the pixel-plan resampler.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use crate::fdl::{DimensionsInt, Rect};

fn rect(x: f64, y: f64, width: f64, height: f64) -> Rect {
    Rect {
        x,
        y,
        width,
        height,
    }
}

/// A plan mapping `crop` of a `src` image onto `place` of an `out` image.
fn plan(src: (i64, i64), crop: Rect, out: (i64, i64), place: Rect) -> PixelPlan {
    let scale_x = place.width / crop.width;
    let scale_y = place.height / crop.height;
    PixelPlan {
        source_size: DimensionsInt {
            width: src.0,
            height: src.1,
        },
        source_crop: crop,
        output_size: DimensionsInt {
            width: out.0,
            height: out.1,
        },
        placement: place,
        scale_x,
        scale_y,
        desqueeze: scale_x / scale_y,
        scale: scale_y,
        source_squeeze: scale_x / scale_y,
        target_squeeze: 1.0,
        pad_right: out.0 as f64 - place.x - place.width,
        pad_bottom: out.1 as f64 - place.y - place.height,
    }
}

/// A deterministic pseudo-random image with values in roughly [-0.5, 4].
fn noise(w: usize, h: usize, c: usize) -> Vec<f32> {
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    (0..w * h * c)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 24) as f32 * 4.5 - 0.5
        })
        .collect()
}

fn at(img: &[f32], w: usize, c: usize, x: usize, y: usize, ch: usize) -> f32 {
    img[(y * w + x) * c + ch]
}

#[test]
fn identity_is_a_bit_exact_copy() {
    let img = noise(13, 7, 3);
    let p = plan(
        (13, 7),
        rect(0., 0., 13., 7.),
        (13, 7),
        rect(0., 0., 13., 7.),
    );
    let out = apply_plan(&p, 13, 7, 3, &img, 0.0).unwrap();
    assert_eq!(
        out.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        img.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    );
}

#[test]
fn integer_crop_is_exact_and_pads_with_the_fill() {
    let (w, h, c) = (11, 9, 4);
    let img = noise(w, h, c);
    let p = plan((11, 9), rect(3., 2., 5., 4.), (8, 7), rect(1., 2., 5., 4.));
    assert!(p.integer_crop().is_some());
    let out = apply_plan(&p, w, h, c, &img, -7.5).unwrap();
    assert_eq!(out.len(), 8 * 7 * c);
    for y in 0..7 {
        for x in 0..8 {
            for ch in 0..c {
                let got = at(&out, 8, c, x, y, ch);
                if (1..6).contains(&x) && (2..6).contains(&y) {
                    let want = at(&img, w, c, x - 1 + 3, y - 2 + 2, ch);
                    assert_eq!(got.to_bits(), want.to_bits(), "({x},{y},{ch})");
                } else {
                    assert_eq!(got, -7.5, "pad ({x},{y},{ch})");
                }
            }
        }
    }
}

#[test]
fn constant_images_stay_constant_at_every_scale() {
    for value in [0.18f32, 5.0, -0.25] {
        let img = vec![value; 40 * 30 * 3];
        let cases = [
            rect(0., 0., 15., 11.), // downscale by ~0.37
            rect(0., 0., 92., 69.), // upscale by 2.3
            rect(0., 0., 80., 30.), // anamorphic 2x de-squeeze
            rect(0., 0., 3.2, 1.7), // heavy downscale
        ];
        for place in cases {
            let out_size = (place.width.ceil() as i64, place.height.ceil() as i64);
            let p = plan((40, 30), rect(0., 0., 40., 30.), out_size, place);
            let out = apply_plan(&p, 40, 30, 3, &img, value).unwrap();
            for v in &out {
                assert!(
                    ((v - value) / value).abs() < 1e-6,
                    "{value} at {place:?} became {v}"
                );
            }
        }
    }
}

#[test]
fn a_linear_ramp_stays_linear_inside() {
    // f(x) = 0.25 + 0.01 * x at pixel centres; rows identical.
    let (w, h) = (120, 8);
    let img: Vec<f32> = (0..h)
        .flat_map(|_| (0..w).map(|x| 0.25 + 0.01 * (x as f32 + 0.5)))
        .collect();
    for out_w in [60usize, 47, 173, 240] {
        let scale = out_w as f64 / w as f64;
        let p = plan(
            (w as i64, h as i64),
            rect(0., 0., w as f64, h as f64),
            (out_w as i64, h as i64),
            rect(0., 0., out_w as f64, h as f64),
        );
        let out = apply_plan(&p, w, h, 1, &img, 0.0).unwrap();
        // Away from the edges (where the kernel is cut and renormalised) the ramp is reproduced.
        let margin = (3.0 / scale.min(1.0) * scale).ceil() as usize + 1;
        for x in margin..out_w - margin {
            let source_x = (x as f64 + 0.5) / scale;
            let want = 0.25 + 0.01 * source_x;
            let got = at(&out, out_w, 1, x, 3, 0) as f64;
            // Lanczos-3 reproduces a ramp up to a sub-pixel phase shift of at most 0.02 source
            // pixels (a property of the windowed kernel); at exactly half scale the taps are
            // symmetric and the shift vanishes.
            let tolerance = if out_w == 60 {
                2e-6
            } else {
                0.0201 * 0.01 + 1e-6
            };
            assert!(
                (got - want).abs() < tolerance,
                "width {out_w}, x {x}: {got} vs {want}"
            );
        }
    }
}

#[test]
fn downscaling_a_checkerboard_by_two_averages_it() {
    let (w, h) = (64, 48);
    let img: Vec<f32> = (0..h)
        .flat_map(|y| (0..w).map(move |x| ((x + y) % 2) as f32))
        .collect();
    let p = plan(
        (64, 48),
        rect(0., 0., 64., 48.),
        (32, 24),
        rect(0., 0., 32., 24.),
    );
    let out = apply_plan(&p, w, h, 1, &img, 0.0).unwrap();
    for y in 3..21 {
        for x in 3..29 {
            let v = at(&out, 32, 1, x, y, 0);
            assert!((v - 0.5).abs() < 1e-5, "({x},{y}) = {v}");
        }
    }
}

#[test]
fn anamorphic_two_times_desqueeze_doubles_the_width() {
    // Columns: left half 0.1, right half 0.9; each row also carries its own offset.
    let (w, h) = (20, 10);
    let img: Vec<f32> = (0..h)
        .flat_map(|y| (0..w).map(move |x| if x < w / 2 { 0.1 } else { 0.9 } + y as f32))
        .collect();
    let p = plan(
        (20, 10),
        rect(0., 0., 20., 10.),
        (40, 10),
        rect(0., 0., 40., 10.),
    );
    assert_eq!((p.scale_x, p.scale_y), (2.0, 1.0));
    let out = apply_plan(&p, w, h, 1, &img, 0.0).unwrap();
    assert_eq!(out.len(), 40 * 10);
    for y in 0..h {
        // Far from the step, the values are untouched; rows are not mixed (scale 1 vertically).
        for x in 0..8 {
            assert!((at(&out, 40, 1, x, y, 0) - (0.1 + y as f32)).abs() < 1e-5);
            assert!((at(&out, 40, 1, 39 - x, y, 0) - (0.9 + y as f32)).abs() < 1e-5);
        }
        // The step sits at the centre of the output.
        let left = at(&out, 40, 1, 19, y, 0);
        let right = at(&out, 40, 1, 20, y, 0);
        assert!(left < 0.5 + y as f32 && right > 0.5 + y as f32);
    }
}

#[test]
fn fractional_placement_pads_around_the_picture() {
    let img = vec![1.0f32; 30 * 20];
    // Letterbox: the picture lands on rows 5..15 of a 20-row output.
    let p = plan(
        (30, 20),
        rect(0., 0., 30., 20.),
        (15, 20),
        rect(0., 5.2, 15., 9.6),
    );
    let out = apply_plan(&p, 30, 20, 1, &img, 0.0).unwrap();
    for y in 0..20 {
        let want = if (5..15).contains(&y) { 1.0 } else { 0.0 };
        for x in 0..15 {
            assert!((at(&out, 15, 1, x, y, 0) - want).abs() < 1e-6, "({x},{y})");
        }
    }
}

#[test]
fn output_does_not_depend_on_the_thread_count() {
    let img = noise(97, 61, 4);
    let p = plan(
        (97, 61),
        rect(3.5, 2.25, 90., 55.),
        (71, 80),
        rect(1.0, 4.0, 69.3, 70.1),
    );
    let run = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| apply_plan(&p, 97, 61, 4, &img, 0.0).unwrap())
    };
    let one = run(1);
    for threads in [2, 3, 8] {
        let many = run(threads);
        assert!(
            one.iter()
                .zip(&many)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
}

#[test]
fn bad_inputs_are_refused_with_clear_errors() {
    let img = vec![0.0f32; 10 * 8];
    let good = plan((10, 8), rect(0., 0., 10., 8.), (5, 4), rect(0., 0., 5., 4.));
    let err = |p: &PixelPlan, w, h, c, px: &[f32]| {
        apply_plan(p, w, h, c, px, 0.0).unwrap_err().to_string()
    };
    // Crop bigger than the image.
    let e = err(
        &plan((10, 8), rect(2., 0., 10., 8.), (5, 4), rect(0., 0., 5., 4.)),
        10,
        8,
        1,
        &img,
    );
    assert!(e.contains("leaves the 10 x 8 image"), "{e}");
    // Plan for another source size.
    let e = err(&good, 8, 10, 1, &img);
    assert!(e.contains("plan is for a 10 x 8 source"), "{e}");
    // Zero sizes.
    assert!(err(&good, 0, 8, 1, &[]).contains("empty"));
    assert!(err(&good, 10, 8, 0, &img).contains("channels"));
    let mut zero_out = good.clone();
    zero_out.output_size.width = 0;
    assert!(err(&zero_out, 10, 8, 1, &img).contains("output size"));
    let mut zero_crop = good.clone();
    zero_crop.source_crop.width = 0.0;
    assert!(err(&zero_crop, 10, 8, 1, &img).contains("empty"));
    // Buffer of the wrong length.
    assert!(err(&good, 10, 8, 1, &img[..79]).contains("79 values"));
    // Huge output: refused before any allocation.
    let mut huge = good.clone();
    huge.output_size = DimensionsInt {
        width: 1 << 20,
        height: 1 << 20,
    };
    assert!(err(&huge, 10, 8, 1, &img).contains("exceeds"));
    huge.output_size = DimensionsInt {
        width: i64::MAX,
        height: i64::MAX,
    };
    assert!(err(&huge, 10, 8, 1, &img).contains("exceeds"));
    // Non-finite and non-positive scales.
    let mut nan = good.clone();
    nan.scale_x = f64::NAN;
    assert!(err(&nan, 10, 8, 1, &img).contains("scale_x is not finite"));
    let mut neg = good.clone();
    neg.scale_y = -1.0;
    assert!(err(&neg, 10, 8, 1, &img).contains("not positive"));
    // Integer crop placed outside the output.
    let off = plan((10, 8), rect(0., 0., 4., 4.), (5, 5), rect(3., 0., 4., 4.));
    assert!(err(&off, 10, 8, 1, &img).contains("does not fit"));
}
