//! Demosaicing: Bayer CFA mosaic to planar RGB with bilinear, Malvar-He-Cutler or RCD
//! interpolation, tiled and parallel (rayon), with mirrored borders.
//!
//! The output does not depend on the number of threads or on the tile size: every tile is
//! computed from its own padded copy of the mosaic, and the padding is wider than any method's
//! reach. Outside the image the mosaic is mirrored about the edge pixels, which keeps the Bayer
//! colour of every mirrored site, so edge pixels are interpolated like interior ones.

mod bilinear;
mod mhc;
mod rcd;
mod tiles;

use std::fmt;
use std::str::FromStr;

use crate::raw::{CfaImage, RgbImage};
use crate::{Error, Result};

pub use tiles::Tiling;

/// A demosaicing algorithm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DemosaicMethod {
    /// Bilinear interpolation of each channel from its nearest samples: fast, soft, for previews.
    Bilinear,
    /// Malvar, He and Cutler (2004), "High-quality linear interpolation for demosaicing of
    /// Bayer-patterned color images": bilinear corrected by the Laplacian of the known channel.
    MalvarHeCutler,
    /// Ratio-corrected demosaicing (RCD) by Luis Sanz Rodríguez: directional green
    /// interpolation with a low-pass ratio correction, then red and blue from colour differences
    /// along diagonal and cardinal directions. The default for plates.
    #[default]
    Rcd,
}

impl DemosaicMethod {
    /// All methods.
    pub const ALL: [DemosaicMethod; 3] = [
        DemosaicMethod::Bilinear,
        DemosaicMethod::MalvarHeCutler,
        DemosaicMethod::Rcd,
    ];

    /// The short name (`bilinear`, `mhc`, `rcd`).
    pub fn name(self) -> &'static str {
        match self {
            DemosaicMethod::Bilinear => "bilinear",
            DemosaicMethod::MalvarHeCutler => "mhc",
            DemosaicMethod::Rcd => "rcd",
        }
    }

    /// How many pixels around a tile each method reads (even, so tiles keep the Bayer phase).
    fn margin(self) -> usize {
        match self {
            DemosaicMethod::Bilinear => bilinear::MARGIN,
            DemosaicMethod::MalvarHeCutler => mhc::MARGIN,
            DemosaicMethod::Rcd => rcd::MARGIN,
        }
    }
}

impl fmt::Display for DemosaicMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DemosaicMethod {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self> {
        match s.to_ascii_lowercase().as_str() {
            "bilinear" => Ok(DemosaicMethod::Bilinear),
            "mhc" | "malvar" | "malvar-he-cutler" => Ok(DemosaicMethod::MalvarHeCutler),
            "rcd" => Ok(DemosaicMethod::Rcd),
            _ => Err(Error::InvalidInput {
                what: format!("demosaic method `{s}`"),
                problem: "expected bilinear, mhc or rcd".into(),
            }),
        }
    }
}

/// Demosaics `cfa` with `method` on the current rayon thread pool, with the default tiling.
///
/// The mosaic must be at least 2x2. White balance belongs before this call
/// ([`CfaImage::apply_white_balance`]).
pub fn demosaic(cfa: &CfaImage, method: DemosaicMethod) -> Result<RgbImage> {
    demosaic_tiled(cfa, method, Tiling::default())
}

/// Demosaics `cfa` with `method` using tiles of the given size (the result is the same for
/// every tiling; the size only changes speed and memory).
pub fn demosaic_tiled(cfa: &CfaImage, method: DemosaicMethod, tiling: Tiling) -> Result<RgbImage> {
    let mut out = RgbImage::zeroed(cfa.width(), cfa.height());
    tiles::run(cfa, method, tiling, &mut out)?;
    Ok(out)
}

/// Demosaics `cfa` into `out`, which must have the mosaic's width and height (any stride):
/// frame after frame, one output image can be reused instead of allocating a new one.
pub fn demosaic_into(
    cfa: &CfaImage,
    method: DemosaicMethod,
    tiling: Tiling,
    out: &mut RgbImage,
) -> Result<()> {
    tiles::run(cfa, method, tiling, out)
}
