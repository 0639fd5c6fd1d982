//! Correlated colour temperature and tint <-> CIE xy by Robertson's method (as the Adobe DNG SDK
//! computes it), and the colour temperatures of the EXIF `LightSource` codes used by DNG's
//! `CalibrationIlluminant` tags.

use crate::{Error, Result};

/// Robertson's isotemperature lines (Wyszecki & Stiles, *Color Science*, 2nd ed., p. 228): for
/// each line the reciprocal temperature in mired, the CIE 1960 u, v of its Planckian point and
/// the slope of the line. The 325 mired row keeps u = 0.24702 as printed there, which is the value
/// the DNG SDK uses (a later correction reads 0.24792), so whites between about 2,860 K and
/// 3,640 K get the same temperature as in Adobe's raw converters.
const ROBERTSON: [[f64; 4]; 31] = [
    [0.0, 0.18006, 0.26352, -0.24341],
    [10.0, 0.18066, 0.26589, -0.25479],
    [20.0, 0.18133, 0.26846, -0.26876],
    [30.0, 0.18208, 0.27119, -0.28539],
    [40.0, 0.18293, 0.27407, -0.30470],
    [50.0, 0.18388, 0.27709, -0.32675],
    [60.0, 0.18494, 0.28021, -0.35156],
    [70.0, 0.18611, 0.28342, -0.37915],
    [80.0, 0.18740, 0.28668, -0.40955],
    [90.0, 0.18880, 0.28997, -0.44278],
    [100.0, 0.19032, 0.29326, -0.47888],
    [125.0, 0.19462, 0.30141, -0.58204],
    [150.0, 0.19962, 0.30921, -0.70471],
    [175.0, 0.20525, 0.31647, -0.84901],
    [200.0, 0.21142, 0.32312, -1.0182],
    [225.0, 0.21807, 0.32909, -1.2168],
    [250.0, 0.22511, 0.33439, -1.4512],
    [275.0, 0.23247, 0.33904, -1.7298],
    [300.0, 0.24010, 0.34308, -2.0637],
    [325.0, 0.24702, 0.34655, -2.4681],
    [350.0, 0.25591, 0.34951, -2.9641],
    [375.0, 0.26400, 0.35200, -3.5814],
    [400.0, 0.27218, 0.35407, -4.3633],
    [425.0, 0.28039, 0.35577, -5.3762],
    [450.0, 0.28863, 0.35714, -6.7262],
    [475.0, 0.29685, 0.35823, -8.5955],
    [500.0, 0.30505, 0.35907, -11.324],
    [525.0, 0.31320, 0.35968, -15.628],
    [550.0, 0.32129, 0.36011, -23.325],
    [575.0, 0.32931, 0.36038, -40.770],
    [600.0, 0.33724, 0.36051, -116.45],
];

/// Tint units per unit of distance from the Planckian locus in CIE 1960 uv (DNG SDK scale: a
/// positive tint is towards magenta, a negative one towards green).
const TINT_SCALE: f64 = -3000.0;

/// Lowest colour temperature Robertson's table reaches (600 mired).
pub const MIN_KELVIN: f64 = 1.0e6 / 600.0;
/// Highest colour temperature the table resolves (10 mired, as the DNG SDK).
pub const MAX_KELVIN: f64 = 100_000.0;
/// Largest tint accepted (the range of Adobe's white-balance controls).
pub const MAX_TINT: f64 = 150.0;

/// A white point as a correlated colour temperature and a tint off the Planckian locus.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Temperature {
    /// Correlated colour temperature in kelvin.
    pub kelvin: f64,
    /// Distance from the Planckian locus along the isotemperature line, in DNG SDK tint units
    /// (uv distance x -3000: positive is magenta, negative green).
    pub tint: f64,
}

/// Unit direction (du, dv) of isotemperature line `i`.
fn direction(i: usize) -> (f64, f64) {
    let t = ROBERTSON[i][3];
    let len = (1.0 + t * t).sqrt();
    (1.0 / len, t / len)
}

fn row(i: usize) -> [f64; 4] {
    // `i` is always 0..=30 by construction of the loops below.
    ROBERTSON.get(i).copied().unwrap_or(ROBERTSON[30])
}

/// The correlated colour temperature and tint of a CIE 1931 xy chromaticity (Robertson's method:
/// find the two isotemperature lines the point lies between and interpolate in mired).
///
/// Temperatures are limited to the table, 1,667 K to 100,000 K, as in the DNG SDK.
pub fn xy_to_temperature(xy: [f64; 2]) -> Result<Temperature> {
    let [x, y] = xy;
    let denom = 1.5 - x + 6.0 * y;
    if !(x.is_finite() && y.is_finite() && x > 0.0 && y > 0.0 && denom > 0.0) {
        return Err(Error::DngColor {
            what: "white point".into(),
            problem: format!("xy ({x}, {y}) is not a chromaticity"),
        });
    }
    let u = 2.0 * x / denom;
    let v = 3.0 * y / denom;
    let (mut last_dt, mut last_du, mut last_dv) = (0.0, 0.0, 0.0);
    for index in 1..=30 {
        let (du, dv) = direction(index);
        let [_, lu, lv, _] = row(index);
        let dt = -(u - lu) * dv + (v - lv) * du;
        if dt <= 0.0 || index == 30 {
            let dt = -dt.min(0.0);
            let f = if index == 1 { 0.0 } else { dt / (last_dt + dt) };
            let (a, b) = (row(index - 1), row(index));
            let kelvin = 1.0e6 / (a[0] * f + b[0] * (1.0 - f));
            let uu = u - (a[1] * f + b[1] * (1.0 - f));
            let vv = v - (a[2] * f + b[2] * (1.0 - f));
            let (mut du, mut dv) = (du * (1.0 - f) + last_du * f, dv * (1.0 - f) + last_dv * f);
            let len = (du * du + dv * dv).sqrt();
            du /= len;
            dv /= len;
            let tint = (uu * du + vv * dv) * TINT_SCALE;
            if !(kelvin.is_finite() && tint.is_finite()) {
                break;
            }
            return Ok(Temperature { kelvin, tint });
        }
        last_dt = dt;
        last_du = du;
        last_dv = dv;
    }
    Err(Error::DngColor {
        what: "white point".into(),
        problem: format!("xy ({x}, {y}) has no colour temperature"),
    })
}

/// The CIE 1931 xy chromaticity of a colour temperature and tint (the inverse of
/// [`xy_to_temperature`]). `kelvin` must lie in 1,667 K..=100,000 K and `tint` in -150..=150.
pub fn temperature_to_xy(t: Temperature) -> Result<[f64; 2]> {
    let Temperature { kelvin, tint } = t;
    if !(kelvin.is_finite() && (MIN_KELVIN - 1e-9..=MAX_KELVIN).contains(&kelvin)) {
        return Err(Error::DngColor {
            what: "white balance temperature".into(),
            problem: format!("{kelvin} K is outside {MIN_KELVIN:.0} K to {MAX_KELVIN:.0} K"),
        });
    }
    if !(tint.is_finite() && tint.abs() <= MAX_TINT) {
        return Err(Error::DngColor {
            what: "white balance tint".into(),
            problem: format!("{tint} is outside -{MAX_TINT} to {MAX_TINT}"),
        });
    }
    let r = 1.0e6 / kelvin;
    let offset = tint / TINT_SCALE;
    let index = (0..29).find(|&i| r < row(i + 1)[0]).unwrap_or(29);
    let (a, b) = (row(index), row(index + 1));
    let f = (b[0] - r) / (b[0] - a[0]);
    let mut u = a[1] * f + b[1] * (1.0 - f);
    let mut v = a[2] * f + b[2] * (1.0 - f);
    let (du1, dv1) = direction(index);
    let (du2, dv2) = direction(index + 1);
    let (mut du, mut dv) = (du1 * f + du2 * (1.0 - f), dv1 * f + dv2 * (1.0 - f));
    let len = (du * du + dv * dv).sqrt();
    du /= len;
    dv /= len;
    u += du * offset;
    v += dv * offset;
    let d = u - 4.0 * v + 2.0;
    Ok([1.5 * u / d, v / d])
}

/// The colour temperature the DNG SDK assigns to an EXIF `LightSource` code used as a
/// `CalibrationIlluminant` (nominal values: Standard light A 2850 K, D50 5000 K, D55 5500 K,
/// D65 6500 K, D75 7500 K, fluorescent classes at the middle of their ranges).
///
/// Code 0 (unknown) has no temperature; code 255 ("other", described by the DNG 1.6
/// `IlluminantData` tags) is not supported; any other code is not an illuminant.
pub fn illuminant_kelvin(code: u16) -> Result<f64> {
    let kelvin = match code {
        17 | 3 => 2850.0,                  // Standard light A, tungsten
        24 => 3200.0,                      // ISO studio tungsten
        23 => 5000.0,                      // D50
        20 | 1 | 9 | 4 | 18 => 5500.0,     // D55, daylight, fine weather, flash, Standard light B
        21 | 19 | 10 => 6500.0,            // D65, Standard light C, cloudy weather
        22 | 11 => 7500.0,                 // D75, shade
        12 => (5700.0 + 7100.0) * 0.5,     // daylight fluorescent
        13 => (4600.0 + 5500.0) * 0.5,     // day white fluorescent
        14 | 2 => (3800.0 + 4500.0) * 0.5, // cool white fluorescent, fluorescent
        15 => (3250.0 + 3800.0) * 0.5,     // white fluorescent
        16 => (2600.0 + 3250.0) * 0.5,     // warm white fluorescent
        0 => {
            return Err(Error::DngColor {
                what: "CalibrationIlluminant".into(),
                problem: "0 (unknown) gives no colour temperature to interpolate with".into(),
            });
        }
        255 => {
            return Err(Error::DngColor {
                what: "CalibrationIlluminant".into(),
                problem: "255 (other, defined by IlluminantData) is not supported".into(),
            });
        }
        other => {
            return Err(Error::DngColor {
                what: "CalibrationIlluminant".into(),
                problem: format!("{other} is not an EXIF LightSource code"),
            });
        }
    };
    Ok(kelvin)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn known_whites_have_their_nominal_temperatures() {
        // D65 (x 0.3127, y 0.3290) is about 6504 K, a little towards green of the locus.
        let d65 = xy_to_temperature([0.3127, 0.3290]).unwrap();
        assert!((d65.kelvin - 6504.0).abs() < 5.0, "{d65:?}");
        assert!(d65.tint > 0.0 && d65.tint < 15.0, "{d65:?}");
        // Standard illuminant A (Planckian 2856 K) lies on the locus.
        let a = xy_to_temperature([0.44757, 0.40745]).unwrap();
        assert!((a.kelvin - 2856.0).abs() < 5.0, "{a:?}");
        assert!(a.tint.abs() < 1.0, "{a:?}");
        // D50.
        let d50 = xy_to_temperature([0.3457, 0.3585]).unwrap();
        assert!((d50.kelvin - 5003.0).abs() < 5.0, "{d50:?}");
    }

    #[test]
    fn temperature_and_xy_round_trip() {
        for kelvin in [
            1700.0, 2000.0, 2850.0, 3200.0, 4150.0, 5000.0, 6500.0, 9000.0, 30000.0,
        ] {
            for tint in [-150.0, -20.0, 0.0, 10.0, 150.0] {
                let xy = temperature_to_xy(Temperature { kelvin, tint }).unwrap();
                let back = xy_to_temperature(xy).unwrap();
                // Robertson's method interpolates between isotemperature lines differently in
                // the two directions, so a round trip is exact only on a line of the table
                // (2000 K = 500 mired, 5000 K = 200 mired) and within 0.35 K elsewhere (the
                // worst case lies next to the 325 mired row).
                let on_line = kelvin == 2000.0 || kelvin == 5000.0;
                let (dk, dt) = if on_line { (1e-9, 1e-9) } else { (0.4, 2e-3) };
                assert!(
                    (back.kelvin - kelvin).abs() < dk,
                    "{kelvin} {tint} {back:?}"
                );
                assert!((back.tint - tint).abs() < dt, "{kelvin} {tint} {back:?}");
            }
        }
        for xy in [
            [0.3127, 0.3290],
            [0.44757, 0.40745],
            [0.30, 0.36],
            [0.40, 0.37],
        ] {
            let t = xy_to_temperature(xy).unwrap();
            let back = temperature_to_xy(t).unwrap();
            let d = (back[0] - xy[0]).abs().max((back[1] - xy[1]).abs());
            assert!(d < 2e-5, "{xy:?} -> {t:?} -> {back:?}");
        }
    }

    #[test]
    fn bad_whites_and_codes_are_errors() {
        for xy in [
            [0.0, 0.3],
            [0.3, -0.1],
            [f64::NAN, 0.3],
            [0.3, f64::INFINITY],
        ] {
            assert!(xy_to_temperature(xy).is_err(), "{xy:?}");
        }
        for (kelvin, tint) in [(1000.0, 0.0), (2e5, 0.0), (f64::NAN, 0.0), (5000.0, 151.0)] {
            let err = temperature_to_xy(Temperature { kelvin, tint })
                .unwrap_err()
                .to_string();
            assert!(err.contains("outside"), "{err}");
        }
        assert_eq!(illuminant_kelvin(17).unwrap(), 2850.0);
        assert_eq!(illuminant_kelvin(21).unwrap(), 6500.0);
        assert_eq!(illuminant_kelvin(14).unwrap(), 4150.0);
        for (code, needle) in [(0, "unknown"), (255, "not supported"), (5, "not an EXIF")] {
            let err = illuminant_kelvin(code).unwrap_err().to_string();
            assert!(err.contains(needle), "{err}");
        }
    }
}
