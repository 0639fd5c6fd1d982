//! The ACES 1.x segmented quadratic B-spline tone scales: `c5` (the RRT) and `c9` (the 48 nit
//! ODT), in log10 space.

/// Smallest positive half float (subnormal), the floor of the tone scales' input.
pub const HALF_MIN: f64 = 5.960_464_48e-8;

/// Basis of the quadratic B-spline segments (row-vector convention of the CTL).
const M: [[f64; 3]; 3] = [[0.5, -1.0, 0.5], [-1.0, 1.0, 0.5], [0.5, 0.0, 0.0]];

/// Parameters of a segmented spline: knot coefficients below and above the mid point, the
/// (x, y) of its min, mid and max points and the slopes beyond the ends (in log10 space).
#[derive(Debug, Clone, PartialEq)]
pub struct SplineParams<const N: usize> {
    /// Knot coefficients of the low half.
    pub coefs_low: [f64; N],
    /// Knot coefficients of the high half.
    pub coefs_high: [f64; N],
    /// Lowest point (linear x, linear y).
    pub min_point: (f64, f64),
    /// Mid point.
    pub mid_point: (f64, f64),
    /// Highest point.
    pub max_point: (f64, f64),
    /// Slope below `min_point` (log-log).
    pub slope_low: f64,
    /// Slope above `max_point` (log-log).
    pub slope_high: f64,
}

/// The RRT tone scale parameters (`RRT_PARAMS`).
pub const RRT_PARAMS: SplineParams<6> = SplineParams {
    coefs_low: [
        -4.0,
        -4.0,
        -3.157_376_577_3,
        -0.485_249_995_8,
        1.847_732_470_6,
        1.847_732_470_6,
    ],
    coefs_high: [
        -0.718_548_242_5,
        2.081_030_717_2,
        3.668_124_123_7,
        4.0,
        4.0,
        4.0,
    ],
    min_point: (0.18 * 3.051_757_812_5e-5, 0.0001), // 0.18 * 2^-15
    mid_point: (0.18, 4.8),
    max_point: (0.18 * 262_144.0, 10_000.0), // 0.18 * 2^18
    slope_low: 0.0,
    slope_high: 0.0,
};

fn segment(coefs: &[f64], knots: usize, frac: f64) -> Option<f64> {
    let knot_coord = (knots as f64 - 1.0) * frac;
    let j = (knot_coord.floor().max(0.0) as usize).min(knots.saturating_sub(1));
    let t = knot_coord - j as f64;
    let cf = [*coefs.get(j)?, *coefs.get(j + 1)?, *coefs.get(j + 2)?];
    let mut basis = [0.0; 3];
    for (k, b) in basis.iter_mut().enumerate() {
        *b = cf[0] * M[0][k] + cf[1] * M[1][k] + cf[2] * M[2][k];
    }
    Some(t * t * basis[0] + t * basis[1] + basis[2])
}

/// Evaluates a segmented spline at linear `x` (linear result).
pub fn eval<const N: usize>(p: &SplineParams<N>, x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    let knots = N - 2;
    let logx = x.max(HALF_MIN).log10();
    let (lmin, lmid, lmax) = (
        p.min_point.0.log10(),
        p.mid_point.0.log10(),
        p.max_point.0.log10(),
    );
    let logy = if logx <= lmin {
        logx * p.slope_low + (p.min_point.1.log10() - p.slope_low * lmin)
    } else if logx < lmid {
        segment(&p.coefs_low, knots, (logx - lmin) / (lmid - lmin)).unwrap_or(f64::NAN)
    } else if logx < lmax {
        segment(&p.coefs_high, knots, (logx - lmid) / (lmax - lmid)).unwrap_or(f64::NAN)
    } else {
        logx * p.slope_high + (p.max_point.1.log10() - p.slope_high * lmax)
    };
    10f64.powf(logy)
}

/// The RRT tone scale (`segmented_spline_c5_fwd`).
pub fn c5(x: f64) -> f64 {
    eval(&RRT_PARAMS, x)
}

/// The 48 nit ODT tone scale parameters (`ODT_48nits`); its x points go through the RRT.
pub fn odt_48nits() -> SplineParams<10> {
    SplineParams {
        coefs_low: [
            -1.698_970_004_3,
            -1.698_970_004_3,
            -1.477_9,
            -1.229_1,
            -0.864_8,
            -0.448,
            0.005_18,
            0.451_108_033_4,
            0.911_374_441_4,
            0.911_374_441_4,
        ],
        coefs_high: [
            0.515_438_696_5,
            0.847_043_778_3,
            1.135_8,
            1.380_2,
            1.519_7,
            1.598_5,
            1.646_7,
            1.674_609_135_7,
            1.687_873_339,
            1.687_873_339,
        ],
        min_point: (c5(0.18 * 2f64.powf(-6.5)), 0.02),
        mid_point: (c5(0.18), 4.8),
        max_point: (c5(0.18 * 2f64.powf(6.5)), 48.0),
        slope_low: 0.0,
        slope_high: 0.04,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rrt_tonescale_passes_its_defining_points() {
        assert!((c5(0.18) - 4.8).abs() < 1e-9);
        assert!((c5(0.18 * 2f64.powi(18)) - 10_000.0).abs() < 1e-6);
        assert!((c5(1e-12) - 0.0001).abs() < 1e-12);
        // Monotonic over the range.
        let mut last = 0.0;
        for i in 0..2000 {
            let x = 10f64.powf(-7.0 + f64::from(i) * 0.006);
            let y = c5(x);
            assert!(y >= last, "{x}: {y} < {last}");
            last = y;
        }
    }

    #[test]
    fn odt_tonescale_maps_mid_grey_to_4_8_nits() {
        let p = odt_48nits();
        assert!((eval(&p, p.mid_point.0) - 4.8).abs() < 1e-9);
        assert!((eval(&p, p.min_point.0) - 0.02).abs() < 1e-12);
        assert!((eval(&p, p.max_point.0) - 48.0).abs() < 1e-9);
    }
}
