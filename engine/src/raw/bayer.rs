//! The four Bayer colour-filter layouts and the white-balance multipliers applied to a mosaic.

use std::fmt;
use std::str::FromStr;

use crate::{Error, Result};

/// The colour of one photosite of a colour filter array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CfaColor {
    /// Red filter.
    Red,
    /// Green filter.
    Green,
    /// Blue filter.
    Blue,
}

impl CfaColor {
    /// The RGB channel index of this colour: 0 red, 1 green, 2 blue.
    pub fn channel(self) -> usize {
        match self {
            CfaColor::Red => 0,
            CfaColor::Green => 1,
            CfaColor::Blue => 2,
        }
    }
}

/// A Bayer layout, named by the colours of its top-left 2x2 cell read row by row.
///
/// The phase is anchored at pixel (0, 0) of the image it describes: for a DNG this is the
/// top-left pixel of the area being developed (after any active-area crop).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum BayerPhase {
    /// R G / G B.
    #[default]
    Rggb,
    /// B G / G R.
    Bggr,
    /// G R / B G.
    Grbg,
    /// G B / R G.
    Gbrg,
}

impl BayerPhase {
    /// All four phases.
    pub const ALL: [BayerPhase; 4] = [
        BayerPhase::Rggb,
        BayerPhase::Bggr,
        BayerPhase::Grbg,
        BayerPhase::Gbrg,
    ];

    /// Colours of the 2x2 cell, indexed `[row parity][column parity]`.
    pub fn cell(self) -> [[CfaColor; 2]; 2] {
        use CfaColor::{Blue as B, Green as G, Red as R};
        match self {
            BayerPhase::Rggb => [[R, G], [G, B]],
            BayerPhase::Bggr => [[B, G], [G, R]],
            BayerPhase::Grbg => [[G, R], [B, G]],
            BayerPhase::Gbrg => [[G, B], [R, G]],
        }
    }

    /// The filter colour of pixel (`x`, `y`).
    #[inline]
    pub fn color_at(self, x: usize, y: usize) -> CfaColor {
        self.cell()[y & 1][x & 1]
    }

    /// The phase seen from pixel (`dx`, `dy`) of this one: the layout of a crop whose top-left
    /// corner is that pixel.
    pub fn shifted(self, dx: usize, dy: usize) -> BayerPhase {
        let cell = self.cell();
        let top_left = [
            cell[dy & 1][dx & 1],
            cell[dy & 1][(dx + 1) & 1],
            cell[(dy + 1) & 1][dx & 1],
        ];
        Self::ALL
            .into_iter()
            .find(|p| {
                let c = p.cell();
                [c[0][0], c[0][1], c[1][0]] == top_left
            })
            .unwrap_or(self)
    }

    /// The phase from a DNG/TIFF-EP `CFAPattern` of a 2x2 repeat (0 red, 1 green, 2 blue, row
    /// by row). Any other pattern (four colours, X-Trans, non-Bayer 2x2) is unsupported.
    pub fn from_cfa_pattern(pattern: &[u8]) -> Result<BayerPhase> {
        let found = Self::ALL.into_iter().find(|p| {
            let c = p.cell();
            let codes = [c[0][0], c[0][1], c[1][0], c[1][1]].map(|c| c.channel() as u8);
            codes.as_slice() == pattern
        });
        found.ok_or_else(|| Error::UnsupportedCfa {
            what: "CFAPattern".into(),
            problem: format!(
                "{pattern:?} is not a 2x2 Bayer layout of red (0), green (1) and blue (2)"
            ),
        })
    }

    /// The lower-case name (`rggb`, `bggr`, `grbg`, `gbrg`).
    pub fn name(self) -> &'static str {
        match self {
            BayerPhase::Rggb => "rggb",
            BayerPhase::Bggr => "bggr",
            BayerPhase::Grbg => "grbg",
            BayerPhase::Gbrg => "gbrg",
        }
    }
}

impl fmt::Display for BayerPhase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for BayerPhase {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| Error::UnsupportedCfa {
                what: format!("Bayer phase `{s}`"),
                problem: "expected rggb, bggr, grbg or gbrg".into(),
            })
    }
}

/// Per-channel gains applied to the mosaic before demosaicing (red, green, blue).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WhiteBalance {
    multipliers: [f32; 3],
}

impl WhiteBalance {
    /// Gains that change nothing.
    pub const NEUTRAL: WhiteBalance = WhiteBalance {
        multipliers: [1.0; 3],
    };

    /// Gains for red, green and blue; each must be finite and greater than zero.
    pub fn new(red: f32, green: f32, blue: f32) -> Result<WhiteBalance> {
        let multipliers = [red, green, blue];
        for (name, m) in ["red", "green", "blue"].iter().zip(multipliers) {
            if !(m.is_finite() && m > 0.0) {
                return Err(Error::InvalidInput {
                    what: format!("white-balance {name} multiplier"),
                    problem: format!("{m} is not a finite number greater than zero"),
                });
            }
        }
        Ok(WhiteBalance { multipliers })
    }

    /// Gains from a DNG `AsShotNeutral` (camera-space neutral, one value per channel): each
    /// channel is divided by its neutral value, then scaled so green keeps gain 1.
    pub fn from_as_shot_neutral(neutral: [f64; 3]) -> Result<WhiteBalance> {
        if neutral.iter().any(|n| !(n.is_finite() && *n > 0.0)) {
            return Err(Error::InvalidInput {
                what: "AsShotNeutral".into(),
                problem: format!("{neutral:?} has a value that is not finite and positive"),
            });
        }
        let g = neutral[1];
        Self::new((g / neutral[0]) as f32, 1.0, (g / neutral[2]) as f32)
    }

    /// The red, green and blue gains.
    pub fn multipliers(&self) -> [f32; 3] {
        self.multipliers
    }

    /// The gain of one filter colour.
    pub fn gain(&self, color: CfaColor) -> f32 {
        self.multipliers[color.channel()]
    }
}

impl Default for WhiteBalance {
    fn default() -> Self {
        Self::NEUTRAL
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn cells_have_two_greens_on_a_diagonal_and_one_red_and_blue() {
        for p in BayerPhase::ALL {
            let c = p.cell();
            assert_eq!(
                c[0][0] == CfaColor::Green,
                c[1][1] == CfaColor::Green,
                "{p}"
            );
            let count = |col| c.iter().flatten().filter(|&&x| x == col).count();
            assert_eq!(
                (
                    count(CfaColor::Red),
                    count(CfaColor::Green),
                    count(CfaColor::Blue)
                ),
                (1, 2, 1)
            );
        }
        assert_eq!(BayerPhase::Grbg.color_at(1, 0), CfaColor::Red);
        assert_eq!(BayerPhase::Grbg.color_at(0, 1), CfaColor::Blue);
        assert_eq!(BayerPhase::Bggr.color_at(3, 5), CfaColor::Red);
    }

    #[test]
    fn shifting_a_phase_matches_reading_from_the_offset() {
        for p in BayerPhase::ALL {
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1), (4, 7)] {
                let s = p.shifted(dx, dy);
                for y in 0..4 {
                    for x in 0..4 {
                        assert_eq!(s.color_at(x, y), p.color_at(x + dx, y + dy));
                    }
                }
            }
        }
        assert_eq!(BayerPhase::Rggb.shifted(1, 1), BayerPhase::Bggr);
    }

    #[test]
    fn cfa_patterns_and_names_round_trip_and_others_are_unsupported() {
        assert_eq!(
            BayerPhase::from_cfa_pattern(&[0, 1, 1, 2]).unwrap(),
            BayerPhase::Rggb
        );
        assert_eq!(
            BayerPhase::from_cfa_pattern(&[1, 2, 0, 1]).unwrap(),
            BayerPhase::Gbrg
        );
        for bad in [
            &[0u8, 1, 1, 3][..],
            &[0, 0, 1, 2],
            &[0, 1, 2],
            &[1, 0, 1, 2, 1, 0, 1, 2, 1],
        ] {
            let err = BayerPhase::from_cfa_pattern(bad).unwrap_err().to_string();
            assert!(err.contains("unsupported CFA"), "{err}");
        }
        for p in BayerPhase::ALL {
            assert_eq!(p.name().to_uppercase().parse::<BayerPhase>().unwrap(), p);
        }
        assert!("xtrans".parse::<BayerPhase>().is_err());
    }

    #[test]
    fn white_balance_rejects_bad_gains_and_normalises_neutral_to_green() {
        for bad in [0.0, -1.0, f32::NAN, f32::INFINITY] {
            let err = WhiteBalance::new(1.0, bad, 1.0).unwrap_err().to_string();
            assert!(err.contains("green"), "{err}");
        }
        let wb = WhiteBalance::from_as_shot_neutral([0.5, 1.0, 0.25]).unwrap();
        assert_eq!(wb.multipliers(), [2.0, 1.0, 4.0]);
        assert!(WhiteBalance::from_as_shot_neutral([0.5, 0.0, 0.25]).is_err());
    }
}
