//! The synthetic scene (linear Rec.709) and its capture: colour matrix, exposure, CFA mosaic, noise.
//!
//! The scene holds a sky-to-ground gradient, a chart of saturated patches and a grey ramp, a
//! frequency chirp and a slanted edge for fine detail, and a ball that moves from frame to frame
//! with a clipping specular highlight. It is evaluated in scene space (units of the frame height,
//! origin at the centre, anamorphic squeeze undone), converted to camera RGB with the camera's
//! DNG colour matrix for the shooting illuminant (so `AsShotNeutral` is exactly the camera's
//! response to white), exposed, mosaiced, offset by the black level and given seeded noise.

use super::{CfaPattern, Illuminant, mix64, noise};

/// Linear Rec.709 (D65) to CIE XYZ.
const REC709_TO_XYZ: [[f64; 3]; 3] = [
    [0.412_456_4, 0.357_576_1, 0.180_437_5],
    [0.212_672_9, 0.715_152_2, 0.072_175_0],
    [0.019_333_9, 0.119_192_0, 0.950_304_1],
];

/// Fraction of the black-to-white range a scene value of 1.0 (diffuse white) lands on, in the
/// green channel; leaves about 1.7 stops for highlights before clipping.
const EXPOSURE: f64 = 0.3;

pub(crate) type Mat3 = [[f64; 3]; 3];

fn mul(a: &Mat3, b: &Mat3) -> Mat3 {
    let mut m = [[0.0; 3]; 3];
    for (i, row) in m.iter_mut().enumerate() {
        for (j, v) in row.iter_mut().enumerate() {
            *v = (0..3).map(|k| a[i][k] * b[k][j]).sum();
        }
    }
    m
}

fn apply(m: &Mat3, v: [f64; 3]) -> [f64; 3] {
    [0, 1, 2].map(|i| m[i][0] * v[0] + m[i][1] * v[1] + m[i][2] * v[2])
}

/// Camera RGB from linear Rec.709 scene colour, for a camera whose DNG colour matrix (XYZ to
/// camera) under `illuminant` is `color_matrix`, plus the camera neutral (`AsShotNeutral`).
///
/// The scene is lit by `illuminant`: its XYZ is the Rec.709 colour with the white moved from D65
/// to the illuminant by scaling XYZ. The result is normalised so white gives green = 1.
pub(crate) fn camera_from_rec709(color_matrix: &Mat3, illuminant: Illuminant) -> (Mat3, [f64; 3]) {
    let d65 = Illuminant::D65.white_xyz();
    let w = illuminant.white_xyz();
    let adapt: Mat3 = [
        [w[0] / d65[0], 0.0, 0.0],
        [0.0, w[1] / d65[1], 0.0],
        [0.0, 0.0, w[2] / d65[2]],
    ];
    let mut m = mul(color_matrix, &mul(&adapt, &REC709_TO_XYZ));
    let neutral = apply(&m, [1.0, 1.0, 1.0]);
    let g = neutral[1];
    for row in &mut m {
        for v in row.iter_mut() {
            *v /= g;
        }
    }
    (m, neutral.map(|v| v / g))
}

/// Everything needed to render one frame's raw CFA data.
#[derive(Debug, Clone)]
pub(crate) struct Capture {
    /// Full raw image size.
    pub width: u32,
    pub height: u32,
    /// Active area: top, left, bottom, right.
    pub active: [u32; 4],
    pub cfa: CfaPattern,
    /// Horizontal anamorphic squeeze (1 = spherical).
    pub squeeze: f64,
    /// Camera RGB from linear Rec.709, normalised so white gives green = 1.
    pub camera: Mat3,
    pub black: u16,
    pub white: u16,
    /// Which take: varies chart placement and background hue.
    pub variant: u32,
    /// Frame index within the clip: drives motion.
    pub frame: u32,
    /// Noise key (seed mixed with clip and frame identity).
    pub noise_key: u64,
}

/// Saturated chart patches (linear Rec.709) and a grey ramp.
const PATCHES: [[f64; 3]; 12] = [
    [0.60, 0.05, 0.04],
    [0.06, 0.45, 0.06],
    [0.04, 0.06, 0.55],
    [0.05, 0.45, 0.55],
    [0.55, 0.05, 0.45],
    [0.70, 0.60, 0.04],
    [0.03, 0.03, 0.03],
    [0.06, 0.06, 0.06],
    [0.12, 0.12, 0.12],
    [0.18, 0.18, 0.18],
    [0.36, 0.36, 0.36],
    [0.90, 0.90, 0.90],
];

/// The scene's linear Rec.709 colour at scene point (`x`, `y`), in frame heights from the centre
/// (y down).
pub(crate) fn scene_rgb(x: f64, y: f64, variant: u32, frame: u32) -> [f64; 3] {
    let v = f64::from(variant);
    // Sky (top) to ground (bottom), hue shifting a little per take.
    let t = (y + 0.5).clamp(0.0, 1.0);
    let sky = [0.25 + 0.03 * v, 0.35, 0.55 - 0.03 * v];
    let ground = [0.10, 0.07 + 0.01 * v, 0.04];
    let mut c = [0, 1, 2].map(|i| sky[i] * (1.0 - t) + ground[i] * t);
    c = c.map(|ch| ch * (1.0 + 0.3 * x));

    // Chart: 6 x 2 patches with dark gaps, moved a little per take.
    let (cx0, cy0) = (-0.80 + 0.04 * v, -0.30);
    let (pw, ph) = (0.11, 0.14);
    let (gx, gy) = ((x - cx0) / pw, (y - cy0) / ph);
    if (0.0..6.0).contains(&gx) && (0.0..2.0).contains(&gy) {
        let (fx, fy) = (gx.fract(), gy.fract());
        c = if (0.08..0.92).contains(&fx) && (0.08..0.92).contains(&fy) {
            PATCHES[(gy as usize) * 6 + gx as usize]
        } else {
            [0.02, 0.02, 0.02]
        };
    }

    // Fine detail: a horizontal chirp whose frequency rises to the right.
    if (0.10..0.80).contains(&x) && (0.12..0.40).contains(&y) {
        let u = x - 0.10;
        let s = 0.5 + 0.5 * (600.0 * u * u + 20.0 * u).cos();
        c = [0.05 + 0.6 * s; 3];
    }

    // A slanted (5 degree) bright square on a dark surround: sharp edges for resolution checks.
    if (0.10..0.40).contains(&x) && (-0.38..-0.08).contains(&y) {
        let (sn, cs) = 5.0_f64.to_radians().sin_cos();
        let (dx, dy) = (x - 0.25, y + 0.23);
        let (rx, ry) = (dx * cs + dy * sn, -dx * sn + dy * cs);
        c = if rx.abs() < 0.09 && ry.abs() < 0.09 {
            [0.75, 0.75, 0.75]
        } else {
            [0.04, 0.04, 0.04]
        };
    }

    // A ball rolling right, with a clipping specular highlight.
    let f = f64::from(frame);
    let (bx, by, r) = (-0.55 + 0.035 * f + 0.1 * v, 0.30, 0.09);
    let d2 = (x - bx).powi(2) + (y - by).powi(2);
    if d2 < r * r {
        let shade = 1.0 - d2 / (r * r) * 0.6;
        c = [0.65 * shade, 0.25 * shade, 0.08 * shade];
        let h2 = (x - bx + 0.03).powi(2) + (y - by + 0.03).powi(2);
        if h2 < 0.02 * 0.02 {
            c = [8.0, 8.0, 8.0];
        }
    }

    // Gentle lens vignetting.
    let fall = 1.0 - 0.25 * (x * x + y * y);
    c.map(|ch| ch * fall)
}

/// Renders the frame as 16-bit raw CFA values, row by row over the full image (masked borders
/// hold the black level plus noise).
pub(crate) fn render(cap: &Capture) -> Vec<u16> {
    let [top, left, bottom, right] = cap.active;
    let (aw, ah) = (f64::from(right - left), f64::from(bottom - top));
    let aspect = aw / ah;
    let range = f64::from(cap.white - cap.black);
    let mut out = Vec::with_capacity(cap.width as usize * cap.height as usize);
    for row in 0..cap.height {
        for col in 0..cap.width {
            let idx = u64::from(row) * u64::from(cap.width) + u64::from(col);
            let inside = (top..bottom).contains(&row) && (left..right).contains(&col);
            let signal = if inside {
                let (r, c) = (row - top, col - left);
                let u = (f64::from(c) + 0.5) / aw - 0.5;
                let y = (f64::from(r) + 0.5) / ah - 0.5;
                let x = u * aspect * cap.squeeze;
                let rgb = scene_rgb(x, y, cap.variant, cap.frame);
                let ch = usize::from(cap.cfa.color_at(r, c));
                let m = &cap.camera[ch];
                let cam = m[0] * rgb[0] + m[1] * rgb[1] + m[2] * rgb[2];
                (cam * EXPOSURE * range).max(0.0)
            } else {
                0.0
            };
            // Read noise of about 2 DN plus photon noise growing with the signal.
            let sigma = (4.0 + 0.35 * signal).sqrt();
            let n = noise(mix64(cap.noise_key) ^ idx) * sigma;
            let v = (f64::from(cap.black) + signal + n).round();
            out.push(v.clamp(0.0, f64::from(cap.white)) as u16);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn identity() -> Mat3 {
        [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    }

    #[test]
    fn neutral_is_the_camera_response_to_white() {
        let cm: Mat3 = [[0.7, -0.1, -0.1], [-0.4, 1.2, 0.2], [-0.1, 0.2, 0.6]];
        for ill in [Illuminant::D65, Illuminant::StdA] {
            let (m, n) = camera_from_rec709(&cm, ill);
            let w = apply(&m, [1.0, 1.0, 1.0]);
            for i in 0..3 {
                assert!((w[i] - n[i]).abs() < 1e-12);
            }
            assert!((n[1] - 1.0).abs() < 1e-12);
        }
        // Under tungsten the camera sees relatively more red and less blue than under daylight.
        let (_, d) = camera_from_rec709(&identity(), Illuminant::D65);
        let (_, a) = camera_from_rec709(&identity(), Illuminant::StdA);
        assert!(a[0] > d[0] && a[2] < d[2]);
    }

    fn capture(cfa: CfaPattern, frame: u32, key: u64) -> Capture {
        Capture {
            width: 40,
            height: 24,
            active: [2, 4, 22, 36],
            cfa,
            squeeze: 1.0,
            camera: identity(),
            black: 256,
            white: 4095,
            variant: 0,
            frame,
            noise_key: key,
        }
    }

    #[test]
    fn render_is_deterministic_bounded_and_moves() {
        let a = render(&capture(CfaPattern::Rggb, 0, 1));
        assert_eq!(a.len(), 40 * 24);
        assert_eq!(a, render(&capture(CfaPattern::Rggb, 0, 1)));
        assert!(a.iter().all(|&v| v <= 4095));
        assert_ne!(
            a,
            render(&capture(CfaPattern::Rggb, 0, 2)),
            "noise follows the key"
        );
        // Masked border: black level plus a little noise.
        let border: Vec<u16> = a[..40].to_vec();
        assert!(
            border.iter().all(|&v| (240..=272).contains(&v)),
            "{border:?}"
        );
        // Frames differ by more than noise somewhere (the ball moves).
        let b = render(&capture(CfaPattern::Rggb, 10, 1));
        let max_diff = a.iter().zip(&b).map(|(x, y)| x.abs_diff(*y)).max().unwrap();
        assert!(max_diff > 200, "{max_diff}");
    }

    #[test]
    fn chart_patches_are_saturated() {
        // The first chart patch is a saturated red.
        let (x, y) = (-0.80 + 0.055, -0.30 + 0.07);
        let rgb = scene_rgb(x, y, 0, 0);
        assert!(rgb[0] > 5.0 * rgb[2]);
        assert!(scene_rgb(0.0, 0.0, 0, 0) != scene_rgb(0.0, 0.0, 1, 0));
    }
}
