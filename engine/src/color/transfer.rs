//! Transfer functions (encodings): ACEScct, ACEScc, sRGB piecewise, BT.1886, gamma 2.6 and
//! SMPTE ST 2084 (PQ), each with its inverse.
//!
//! `encode` goes from linear light to code values, `decode` from code values to linear light.
//! Conventions (documented per variant): gamma encodings clamp negative linear values to 0
//! before the power; PQ works in cd/m² scaled so that linear 1.0 = 100 cd/m² (the OCIO ACES
//! convention); NaN stays NaN everywhere.

/// The encodings rushes implements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TransferFunction {
    /// Linear light, no encoding.
    Linear,
    /// ACEScct (S-2016-001): log with a linear toe below 0.0078125.
    AcesCct,
    /// ACEScc (S-2014-003): pure log, half-slope below 2^-15.
    AcesCc,
    /// IEC 61966-2-1 sRGB piecewise curve; the linear segment (below 0.0031308) extends to
    /// negative values, as OCIO and colour-science do.
    Srgb,
    /// ITU-R BT.1886 with Lw = 1, Lb = 0: a pure 2.4 gamma; negatives clamp to 0.
    Bt1886,
    /// A pure 2.6 gamma (DCI / P3-D65 cinema); negatives clamp to 0.
    Gamma26,
    /// SMPTE ST 2084 (PQ), linear 1.0 = 100 cd/m²; linear is clamped to [0, 100] (10 000 cd/m²).
    St2084,
}

// ACEScct constants (S-2016-001).
const CCT_A: f64 = 0.072_905_534_195_835_5;
const CCT_B: f64 = 10.540_237_741_654_5;
const CCT_LIN_BREAK: f64 = 0.007_812_5;
const CCT_LOG_BREAK: f64 = 0.155_251_141_552_511;
/// The largest half-float value, the ceiling of ACEScc/ACEScct decoding.
const HALF_MAX: f64 = 65_504.0;

// ST 2084 constants.
const PQ_M1: f64 = 2610.0 / 16384.0;
const PQ_M2: f64 = 2523.0 / 4096.0 * 128.0;
const PQ_C1: f64 = 3424.0 / 4096.0;
const PQ_C2: f64 = 2413.0 / 4096.0 * 32.0;
const PQ_C3: f64 = 2392.0 / 4096.0 * 32.0;

impl TransferFunction {
    /// Linear light -> code value.
    pub fn encode(self, linear: f64) -> f64 {
        match self {
            TransferFunction::Linear => linear,
            TransferFunction::AcesCct => {
                if linear <= CCT_LIN_BREAK {
                    CCT_A + CCT_B * linear
                } else {
                    (linear.log2() + 9.72) / 17.52
                }
            }
            TransferFunction::AcesCc => {
                if linear.is_nan() {
                    linear
                } else if linear <= 0.0 {
                    (-16.0 + 9.72) / 17.52
                } else if linear < 2f64.powi(-15) {
                    ((2f64.powi(-16) + linear * 0.5).log2() + 9.72) / 17.52
                } else {
                    (linear.log2() + 9.72) / 17.52
                }
            }
            TransferFunction::Srgb => {
                if linear <= 0.003_130_8 {
                    linear * 12.92
                } else {
                    1.055 * linear.powf(1.0 / 2.4) - 0.055
                }
            }
            TransferFunction::Bt1886 => positive(linear).powf(1.0 / 2.4),
            TransferFunction::Gamma26 => positive(linear).powf(1.0 / 2.6),
            TransferFunction::St2084 => pq_encode_nits(linear * 100.0),
        }
    }

    /// Code value -> linear light.
    pub fn decode(self, code: f64) -> f64 {
        match self {
            TransferFunction::Linear => code,
            TransferFunction::AcesCct => {
                if code <= CCT_LOG_BREAK {
                    (code - CCT_A) / CCT_B
                } else if code < (HALF_MAX.log2() + 9.72) / 17.52 {
                    (code * 17.52 - 9.72).exp2()
                } else {
                    HALF_MAX
                }
            }
            TransferFunction::AcesCc => {
                if code < (9.72 - 15.0) / 17.52 {
                    ((code * 17.52 - 9.72).exp2() - 2f64.powi(-16)) * 2.0
                } else if code < (HALF_MAX.log2() + 9.72) / 17.52 {
                    (code * 17.52 - 9.72).exp2()
                } else if code.is_nan() {
                    code
                } else {
                    HALF_MAX
                }
            }
            TransferFunction::Srgb => {
                if code <= 0.040_45 {
                    code / 12.92
                } else {
                    ((code + 0.055) / 1.055).powf(2.4)
                }
            }
            TransferFunction::Bt1886 => positive(code).powf(2.4),
            TransferFunction::Gamma26 => positive(code).powf(2.6),
            TransferFunction::St2084 => pq_decode_nits(code) / 100.0,
        }
    }
}

/// `max(v, 0)` that keeps NaN as NaN.
fn positive(v: f64) -> f64 {
    if v.is_nan() { v } else { v.max(0.0) }
}

/// ST 2084 inverse EOTF: luminance in cd/m² (clamped to [0, 10 000]) -> PQ code value in [0, 1].
pub fn pq_encode_nits(nits: f64) -> f64 {
    let y = positive(nits / 10_000.0).min(1.0);
    let ym = y.powf(PQ_M1);
    ((PQ_C1 + PQ_C2 * ym) / (1.0 + PQ_C3 * ym)).powf(PQ_M2)
}

/// ST 2084 EOTF: PQ code value (clamped to [0, 1]) -> luminance in cd/m².
pub fn pq_decode_nits(code: f64) -> f64 {
    let e = positive(code).min(1.0).powf(1.0 / PQ_M2);
    let y = (positive(e - PQ_C1) / (PQ_C2 - PQ_C3 * e)).powf(1.0 / PQ_M1);
    y * 10_000.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransferFunction::*;

    #[test]
    fn every_encoding_round_trips() {
        for tf in [Linear, AcesCct, AcesCc, Srgb, Bt1886, Gamma26, St2084] {
            for i in 0..=400 {
                let x = f64::from(i) / 100.0; // 0 .. 4
                let x = if tf == St2084 { x * 25.0 } else { x };
                let back = tf.decode(tf.encode(x));
                let tol = 1e-12 * x.max(1.0);
                assert!((back - x).abs() <= tol, "{tf:?}: {x} -> {back}");
            }
        }
    }

    #[test]
    fn published_anchor_values() {
        // ACEScct: 18 % grey is 0.4135884; the toe/log break is continuous.
        assert!((AcesCct.encode(0.18) - 0.413_588_402_492_442).abs() < 1e-12);
        let lo = AcesCct.encode(CCT_LIN_BREAK);
        assert!((lo - CCT_LOG_BREAK).abs() < 1e-9);
        // ACEScc of 0 and of 18 % grey.
        assert!((AcesCc.encode(0.0) - (-0.358_447_488_584_474_9)).abs() < 1e-12);
        assert!((AcesCc.encode(0.18) - 0.413_588_402_492_442).abs() < 1e-12);
        // sRGB and PQ anchors.
        assert!((Srgb.encode(0.18) - 0.461_356_129_500_441_3).abs() < 1e-12);
        assert!((pq_encode_nits(100.0) - 0.508_078_421_517_399_4).abs() < 1e-12);
        assert!((pq_encode_nits(10_000.0) - 1.0).abs() < 1e-12);
        assert!((pq_decode_nits(1.0) - 10_000.0).abs() < 1e-9);
    }

    #[test]
    fn negatives_nan_and_infinity_have_defined_results() {
        assert_eq!(Bt1886.encode(-0.5), 0.0);
        assert_eq!(Gamma26.decode(-0.5), 0.0);
        assert_eq!(Srgb.encode(-0.5), -0.5 * 12.92);
        assert!(AcesCct.encode(f64::NAN).is_nan());
        assert!(AcesCc.encode(f64::NAN).is_nan());
        assert!(Bt1886.encode(f64::NAN).is_nan());
        assert_eq!(AcesCct.decode(f64::INFINITY), HALF_MAX);
        assert_eq!(St2084.encode(f64::INFINITY), 1.0);
        assert_eq!(St2084.encode(-1.0), pq_encode_nits(0.0));
    }
}
