//! Fuzz target: the DNG raw decode (tags, uncompressed and lossless-JPEG strips and tiles,
//! levels) and the lossless JPEG decoder alone must never panic or allocate without bound;
//! what they accept must be consistent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use rushes_engine::raw::{ImageLimits, decode_dng, decode_lossless_jpeg};

fuzz_target!(|data: &[u8]| {
    // Small limits keep each run fast; the checks are the same at any size.
    let limits = ImageLimits {
        max_width: 4096,
        max_height: 4096,
        max_pixels: 1 << 20,
    };
    let Some((&selector, body)) = data.split_first() else {
        return;
    };
    if selector % 2 == 0 {
        if let Ok(raw) = decode_dng(body, &limits) {
            let [top, left, bottom, right] = raw.active_area.map(|v| v as usize);
            assert_eq!(raw.cfa.width(), right - left);
            assert_eq!(raw.cfa.height(), bottom - top);
            assert_eq!(
                raw.active_samples().len(),
                raw.cfa.width() * raw.cfa.height()
            );
            assert!(raw.cfa.samples().iter().all(|v| (0.0..=1.0).contains(v)));
            let (x, y, w, h) = raw.default_crop_pixels();
            assert!(x + w <= raw.cfa.width() && y + h <= raw.cfa.height());
        }
    } else if let Ok(jpeg) = decode_lossless_jpeg(body, "fuzz", 1 << 20) {
        assert_eq!(
            jpeg.samples.len(),
            jpeg.width * jpeg.height * jpeg.components
        );
    }
});
