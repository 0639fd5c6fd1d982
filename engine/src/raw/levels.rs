//! From stored raw samples to a normalised CFA mosaic, the DNG way: linearization table, crop to
//! the active area, black level (repeat pattern plus per-column and per-row deltas), white level,
//! scaling so black is 0 and white 1, clipped to [0, 1] (DNG specification, chapter 5).

use rayon::prelude::*;

use super::bayer::BayerPhase;
use super::image::{CfaImage, ImageLimits};
use super::unpack::RawSamples;
use crate::{Error, Result};

/// The DNG tags that map stored samples to linear values. Values are as stored in the tags.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLevels {
    /// `LinearizationTable` (empty: none). Samples past its end take its last value.
    pub linearization_table: Vec<u16>,
    /// `BlackLevelRepeatDim`: rows, columns of the black-level pattern (default 1, 1).
    pub black_level_repeat: [u16; 2],
    /// `BlackLevel`: rows x columns values, row by row, anchored at the active area's top-left.
    pub black_level: Vec<f64>,
    /// `BlackLevelDeltaH`: one value per active-area column (empty: none).
    pub black_level_delta_h: Vec<f64>,
    /// `BlackLevelDeltaV`: one value per active-area row (empty: none).
    pub black_level_delta_v: Vec<f64>,
    /// `WhiteLevel`.
    pub white_level: f64,
    /// `ActiveArea`: top, left, bottom, right (`None`: the whole image).
    pub active_area: Option<[u32; 4]>,
}

impl RawLevels {
    /// No linearization, black 0, the given white level, the whole image active.
    pub fn with_white_level(white_level: f64) -> RawLevels {
        RawLevels {
            linearization_table: Vec::new(),
            black_level_repeat: [1, 1],
            black_level: vec![0.0],
            black_level_delta_h: Vec::new(),
            black_level_delta_v: Vec::new(),
            white_level,
            active_area: None,
        }
    }
}

fn bad(what: &str, problem: String) -> Error {
    Error::RawData {
        what: what.to_string(),
        problem,
    }
}

/// The active area `[top, left, bottom, right]` of `raw`, checked.
fn active_area(raw: &RawSamples, levels: &RawLevels) -> Result<[usize; 4]> {
    let (w, h) = (raw.width(), raw.height());
    let Some(area) = levels.active_area else {
        return Ok([0, 0, h, w]);
    };
    let [top, left, bottom, right] = area.map(|v| v as usize);
    if top >= bottom || left >= right || bottom > h || right > w {
        return Err(bad(
            "ActiveArea",
            format!("{area:?} (top, left, bottom, right) is empty or outside the {w}x{h} image"),
        ));
    }
    Ok([top, left, bottom, right])
}

/// Develops stored samples into a mosaic of the active area, normalised to [0, 1].
///
/// `phase` is the `CFAPattern`, which DNG anchors at the active area's top-left (as LibRaw
/// reads it), like the black-level pattern; the returned mosaic starts there with that phase.
pub fn normalise(
    raw: &RawSamples,
    phase: BayerPhase,
    levels: &RawLevels,
    limits: &ImageLimits,
) -> Result<CfaImage> {
    let [top, left, bottom, right] = active_area(raw, levels)?;
    let (aw, ah) = (right - left, bottom - top);
    let [rep_rows, rep_cols] = levels.black_level_repeat.map(usize::from);
    if rep_rows == 0 || rep_cols == 0 || levels.black_level.len() != rep_rows * rep_cols {
        return Err(bad(
            "BlackLevel",
            format!(
                "{} values for a {rep_rows}x{rep_cols} BlackLevelRepeatDim",
                levels.black_level.len()
            ),
        ));
    }
    for (name, deltas, n) in [
        ("BlackLevelDeltaH", &levels.black_level_delta_h, aw),
        ("BlackLevelDeltaV", &levels.black_level_delta_v, ah),
    ] {
        if !deltas.is_empty() && deltas.len() != n {
            return Err(bad(
                name,
                format!(
                    "{} values for an active area {n} pixels across",
                    deltas.len()
                ),
            ));
        }
    }
    let all_values = levels
        .black_level
        .iter()
        .chain(&levels.black_level_delta_h)
        .chain(&levels.black_level_delta_v)
        .chain(std::iter::once(&levels.white_level));
    if all_values.clone().any(|v| !v.is_finite()) {
        return Err(bad(
            "BlackLevel/WhiteLevel",
            "a value is not a finite number".into(),
        ));
    }
    let max = |v: &[f64]| v.iter().copied().fold(0.0f64, f64::max);
    let darkest_black = max(&levels.black_level)
        + max(&levels.black_level_delta_h)
        + max(&levels.black_level_delta_v);
    if levels.white_level <= darkest_black {
        return Err(bad(
            "WhiteLevel",
            format!(
                "{} is not above the black level (up to {darkest_black})",
                levels.white_level
            ),
        ));
    }
    if levels.linearization_table.len() > 65_536 {
        return Err(bad(
            "LinearizationTable",
            format!(
                "{} entries (at most 65536)",
                levels.linearization_table.len()
            ),
        ));
    }

    let n = limits.check("raw active area", aw, ah)?;
    // A lookup table over every 16-bit value, so the per-pixel work is one load.
    let lut: Option<Vec<f32>> = levels.linearization_table.last().map(|&last| {
        let table = &levels.linearization_table;
        (0..=u16::MAX)
            .map(|v| f32::from(table.get(usize::from(v)).copied().unwrap_or(last)))
            .collect()
    });
    let white = levels.white_level;
    let mut out = vec![0.0f32; n];
    out.par_chunks_mut(aw).enumerate().for_each(|(y, row)| {
        let src = &raw.row(top + y)[left..right];
        let dv = levels.black_level_delta_v.get(y).copied().unwrap_or(0.0);
        let pattern = &levels.black_level[(y % rep_rows) * rep_cols..][..rep_cols];
        // Black and 1 / (white - black) for each column of the pattern, for this row.
        let per_column: Vec<(f32, f32)> = pattern
            .iter()
            .map(|&b| {
                let black = b + dv;
                (black as f32, (1.0 / (white - black)) as f32)
            })
            .collect();
        let linear = |v: u16| lut.as_ref().map_or(f32::from(v), |t| t[usize::from(v)]);
        if levels.black_level_delta_h.is_empty() {
            let mut k = 0;
            for (dst, &v) in row.iter_mut().zip(src) {
                let (black, scale) = per_column[k];
                *dst = ((linear(v) - black) * scale).clamp(0.0, 1.0);
                k = if k + 1 == rep_cols { 0 } else { k + 1 };
            }
        } else {
            for (x, (dst, &v)) in row.iter_mut().zip(src).enumerate() {
                let dh = levels.black_level_delta_h.get(x).copied().unwrap_or(0.0);
                let black = pattern[x % rep_cols] + dv + dh;
                let value = (f64::from(linear(v)) - black) / (white - black);
                *dst = value.clamp(0.0, 1.0) as f32;
            }
        }
    });
    CfaImage::from_samples(aw, ah, aw, phase, out, limits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn raw(w: usize, h: usize, f: impl Fn(usize, usize) -> u16) -> RawSamples {
        let samples = (0..w * h).map(|i| f(i % w, i / w)).collect();
        RawSamples::new(w, h, samples, &ImageLimits::default()).unwrap()
    }

    #[test]
    fn active_area_black_pattern_deltas_and_white_map_to_unit_range() {
        let r = raw(8, 6, |x, y| (100 + 10 * x + 100 * y) as u16);
        let levels = RawLevels {
            linearization_table: Vec::new(),
            black_level_repeat: [2, 2],
            black_level: vec![50.0, 60.0, 70.0, 80.0],
            black_level_delta_h: vec![1.0, 2.0, 3.0, 4.0],
            black_level_delta_v: vec![0.5, 0.25],
            white_level: 1000.0,
            active_area: Some([2, 3, 4, 7]),
        };
        let cfa = normalise(&r, BayerPhase::Rggb, &levels, &ImageLimits::default()).unwrap();
        assert_eq!((cfa.width(), cfa.height()), (4, 2));
        // The pattern is anchored at the active area, even at an odd column.
        assert_eq!(cfa.phase(), BayerPhase::Rggb);
        for y in 0..2 {
            for x in 0..4 {
                let stored = f64::from(100 + 10 * (x + 3) as u16 + 100 * (y + 2) as u16);
                let black = levels.black_level[(y % 2) * 2 + x % 2]
                    + levels.black_level_delta_h[x]
                    + levels.black_level_delta_v[y];
                let want = ((stored - black) / (1000.0 - black)) as f32;
                assert_eq!(cfa.get(x, y), Some(want), "({x},{y})");
            }
        }
    }

    #[test]
    fn linearization_table_applies_and_values_clip() {
        let r = raw(4, 2, |x, y| (x + 4 * y) as u16);
        let levels = RawLevels {
            linearization_table: vec![0, 10, 20, 400, 800, 1200],
            black_level: vec![10.0],
            ..RawLevels::with_white_level(810.0)
        };
        let cfa = normalise(&r, BayerPhase::Bggr, &levels, &ImageLimits::default()).unwrap();
        let got: Vec<f32> = (0..2).flat_map(|y| cfa.row(y).to_vec()).collect();
        // 0 -> below black, clipped; 1 -> 10 = black; 2 -> 20; 3 -> 400; 4 -> 800;
        // 5 -> 1200 and the samples past the table's end take its last value: clipped to 1.
        let want = [
            0.0,
            0.0,
            10.0 / 800.0,
            390.0 / 800.0,
            790.0 / 800.0,
            1.0,
            1.0,
            1.0,
        ];
        for (g, w) in got.iter().zip(want) {
            assert!((f64::from(*g) - w).abs() < 1e-6, "{got:?}");
        }
    }

    #[test]
    fn inconsistent_levels_are_clear_errors() {
        let r = raw(4, 4, |_, _| 0);
        let limits = ImageLimits::default();
        let base = RawLevels::with_white_level(100.0);
        let check = |levels: RawLevels, needle: &str| {
            let err = normalise(&r, BayerPhase::Rggb, &levels, &limits)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        };
        check(
            RawLevels {
                active_area: Some([0, 0, 5, 4]),
                ..base.clone()
            },
            "ActiveArea",
        );
        check(
            RawLevels {
                active_area: Some([2, 0, 2, 4]),
                ..base.clone()
            },
            "is empty or outside",
        );
        check(
            RawLevels {
                black_level_repeat: [2, 2],
                ..base.clone()
            },
            "1 values for a 2x2",
        );
        check(
            RawLevels {
                black_level_repeat: [0, 1],
                ..base.clone()
            },
            "BlackLevel",
        );
        check(
            RawLevels {
                black_level_delta_h: vec![0.0; 3],
                ..base.clone()
            },
            "3 values for an active area 4 pixels across",
        );
        check(
            RawLevels {
                black_level: vec![100.0],
                ..base.clone()
            },
            "is not above the black level",
        );
        check(
            RawLevels {
                white_level: f64::NAN,
                ..base.clone()
            },
            "not a finite number",
        );
        check(
            RawLevels {
                linearization_table: vec![0; 70_000],
                ..base
            },
            "at most 65536",
        );
    }
}
