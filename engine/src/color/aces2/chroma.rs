//! ACES 2.0 chroma compression: colourfulness scaled with the tonescale's change of lightness,
//! then compressed towards a hue-dependent limit (and expanded near black) with two toe curves.

use super::math::cmax;

/// Base chroma compression and its growth with log10 of the peak.
const COMPRESS: f32 = 2.4;
const COMPRESS_FACT: f32 = 3.3;
/// Saturation expansion near black and its reduction with log10 of the peak.
const EXPAND: f32 = 1.3;
const EXPAND_FACT: f32 = 0.69;
const EXPAND_THRESHOLD: f32 = 0.5;
/// Weights of the hue-dependent normalisation (cos h, cos 2h, cos 3h, -, sin h, sin 2h,
/// sin 3h, constant).
const NORM_WEIGHTS: [f32; 8] = [
    11.34072, 16.46899, 7.88380, 0.0, 14.66441, -6.37224, 9.19364, 77.12896,
];

/// Chroma compression parameters for one peak luminance.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ChromaCompression {
    sat: f32,
    sat_thr: f32,
    compr: f32,
    /// Scale of the hue-dependent normalisation.
    pub scale: f32,
}

/// What chroma compression shares with gamut compression for one hue.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SharedLimits {
    /// J of the display peak.
    pub limit_j_max: f32,
    /// 1 / (c·z).
    pub model_gamma_inv: f32,
    /// M of the reach gamut boundary at `limit_j_max` for this hue.
    pub reach_max_m: f32,
}

impl ChromaCompression {
    /// Parameters for a peak of `peak` cd/m² with `log_peak` = log10(peak / 100).
    pub(crate) fn new(peak: f32, log_peak: f32) -> ChromaCompression {
        ChromaCompression {
            compr: COMPRESS + (COMPRESS * COMPRESS_FACT) * log_peak,
            sat: cmax(0.2, EXPAND - (EXPAND * EXPAND_FACT) * log_peak),
            sat_thr: EXPAND_THRESHOLD / peak,
            scale: (0.03379 * peak).powf(0.30596) - 0.45135,
        }
    }

    /// The hue-dependent normalisation of M from cos h and sin h.
    pub(crate) fn norm(&self, cos_h: f32, sin_h: f32) -> f32 {
        let cos2 = 2.0 * cos_h * cos_h - 1.0;
        let sin2 = 2.0 * cos_h * sin_h;
        let cos3 = 4.0 * cos_h * cos_h * cos_h - 3.0 * cos_h;
        let sin3 = 3.0 * sin_h - 4.0 * sin_h * sin_h * sin_h;
        let w = NORM_WEIGHTS;
        let m = w[0] * cos_h
            + w[1] * cos2
            + w[2] * cos3
            + w[4] * sin_h
            + w[5] * sin2
            + w[6] * sin3
            + w[7];
        m * self.scale
    }

    /// Scene JMh with tonemapped lightness `j_ts` -> compressed (J_ts, M, h).
    pub(crate) fn forward(
        &self,
        jmh: [f32; 3],
        j_ts: f32,
        norm: f32,
        s: &SharedLimits,
    ) -> [f32; 3] {
        let [j, m, h] = jmh;
        let mut mc = m;
        if m != 0.0 {
            let nj = j_ts / s.limit_j_max;
            let snj = cmax(0.0, 1.0 - nj);
            let limit = nj.powf(s.model_gamma_inv) * s.reach_max_m / norm;
            mc = m * (j_ts / j).powf(s.model_gamma_inv);
            mc /= norm;
            mc = limit
                - toe_forward(
                    limit - mc,
                    limit - 0.001,
                    snj * self.sat,
                    (nj * nj + self.sat_thr).sqrt(),
                );
            mc = toe_forward(mc, limit, nj * self.compr, snj);
            mc *= norm;
        }
        [j_ts, mc, h]
    }

    /// Inverse of [`ChromaCompression::forward`]: (J_ts, M, h) and the scene lightness `j`.
    pub(crate) fn inverse(&self, jmh: [f32; 3], j: f32, norm: f32, s: &SharedLimits) -> [f32; 3] {
        let [j_ts, mc, h] = jmh;
        let mut m = mc;
        if mc != 0.0 {
            let nj = j_ts / s.limit_j_max;
            let snj = cmax(0.0, 1.0 - nj);
            let limit = nj.powf(s.model_gamma_inv) * s.reach_max_m / norm;
            m = mc / norm;
            m = toe_inverse(m, limit, nj * self.compr, snj);
            m = limit
                - toe_inverse(
                    limit - m,
                    limit - 0.001,
                    snj * self.sat,
                    (nj * nj + self.sat_thr).sqrt(),
                );
            m *= norm;
            m *= (j_ts / j).powf(-s.model_gamma_inv);
        }
        [j, m, h]
    }
}

/// The toe: identity above `limit`, a hyperbola below it.
fn toe_forward(x: f32, limit: f32, k1_in: f32, k2_in: f32) -> f32 {
    if x > limit {
        return x;
    }
    let k2 = cmax(k2_in, 0.001);
    let k1 = (k1_in * k1_in + k2 * k2).sqrt();
    let k3 = (limit + k1) / (limit + k2);
    let minus_b = k3 * x - k1;
    let minus_ac = k2 * k3 * x;
    0.5 * (minus_b + (minus_b * minus_b + 4.0 * minus_ac).sqrt())
}

/// Inverse of [`toe_forward`].
fn toe_inverse(x: f32, limit: f32, k1_in: f32, k2_in: f32) -> f32 {
    if x > limit {
        return x;
    }
    let k2 = cmax(k2_in, 0.001);
    let k1 = (k1_in * k1_in + k2 * k2).sqrt();
    let k3 = (limit + k1) / (limit + k2);
    (x * x + k1 * x) / (k3 * (x + k2))
}
