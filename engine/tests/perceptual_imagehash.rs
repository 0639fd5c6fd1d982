//! Our pHash against the `ImageHash` Python package's `phash` on 32x32 grey images (natural
//! images from scikit-image and seeded noise): every bit equal; and unrelated natural images
//! far apart.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use rushes_engine::edl::matching::perceptual::{hamming, phash_32x32};
use rushes_test_support::{ref_python, run_python, skip, workspace_root};

#[derive(serde::Deserialize)]
struct Reference {
    name: String,
    pixels: Vec<u8>,
    phash: String,
}

#[test]
fn phash_bits_equal_imagehash() {
    let test = "phash_bits_equal_imagehash";
    let Some(python) = ref_python() else {
        return skip(test, "the reference venv's python3 is not installed");
    };
    let script = workspace_root().join("engine/tests/perceptual_ref/imagehash_phash.py");
    let output = run_python(&python, &script, &[], Vec::new());
    let references: Vec<Reference> = serde_json::from_slice(&output).unwrap();
    assert_eq!(references.len(), 30);
    let mut natural = Vec::new();
    for r in &references {
        let mut px = [0.0_f32; 1024];
        assert_eq!(r.pixels.len(), 1024, "{}", r.name);
        for (dst, &src) in px.iter_mut().zip(&r.pixels) {
            *dst = f32::from(src);
        }
        let ours = phash_32x32(&px);
        // Same bits, same order: ImageHash prints the 8x8 boolean array row by row, first
        // element as the most significant bit, which is our bit 63 - (8v + u).
        assert_eq!(format!("{ours:016x}"), r.phash, "{}", r.name);
        if !r.name.starts_with("noise") {
            natural.push((r.name.as_str(), ours));
        }
    }
    // Unrelated photographs differ in many bits (measured minimum over these 45 pairs: 22, page vs coins).
    for (i, (a, ha)) in natural.iter().enumerate() {
        for (b, hb) in &natural[i + 1..] {
            let d = hamming(*ha, *hb);
            assert!(d >= 16, "{a} vs {b}: only {d} bits apart");
        }
    }
}
