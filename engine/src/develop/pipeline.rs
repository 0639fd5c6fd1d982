//! The development pass: white balance on the mosaic, demosaic, then one 3x3 matrix (camera ->
//! ACES2065-1 times the exposure gain) per pixel, each step parallel over rows.

use rayon::prelude::*;

use super::options::DevelopOptions;
use crate::Result;
use crate::color::dng::{CameraColor, InputTransform};
use crate::color::matrix::Mat3;
use crate::demosaic::{DemosaicMethod, demosaic};
use crate::raw::{CfaImage, ImageLimits, RgbImage, WhiteBalance};

/// Develops a normalised mosaic (black 0, white 1, cropped to the area to develop) into
/// scene-linear ACES2065-1: the colour of `color` with the white balance, exposure and demosaic
/// method of `options`. The output does not depend on the number of rayon threads.
///
/// `options.framing` and `options.look` are carried for later stages and not applied here.
pub fn develop_cfa(
    cfa: &CfaImage,
    color: &CameraColor,
    options: &DevelopOptions,
) -> Result<RgbImage> {
    options.validate()?;
    let transform = color.input_transform(
        &options.white_balance,
        options.exposure_stops,
        options.apply_baseline_exposure,
    )?;
    develop_with_transform(cfa, &transform, options.demosaic)
}

/// [`develop_cfa`] with an input transform computed beforehand (once per clip, say).
pub fn develop_with_transform(
    cfa: &CfaImage,
    transform: &InputTransform,
    method: DemosaicMethod,
) -> Result<RgbImage> {
    let balanced = white_balanced(cfa, &transform.white_balance)?;
    let mut rgb = demosaic(&balanced, method)?;
    drop(balanced);
    apply_matrix(&mut rgb, &transform.pixel_matrix());
    Ok(rgb)
}

/// A copy of `cfa` with every site multiplied by the gain of its colour, rows in parallel.
pub fn white_balanced(cfa: &CfaImage, wb: &WhiteBalance) -> Result<CfaImage> {
    let (width, height, phase) = (cfa.width(), cfa.height(), cfa.phase());
    let mut samples = vec![0.0f32; width * height];
    samples
        .par_chunks_mut(width)
        .enumerate()
        .for_each(|(y, out)| {
            let gains = [0, 1].map(|x| wb.gain(phase.color_at(x, y)));
            for (x, (o, v)) in out.iter_mut().zip(cfa.row(y)).enumerate() {
                *o = v * gains[x & 1];
            }
        });
    // The mosaic was checked when it was made; do not re-impose default limits on it.
    let limits = ImageLimits {
        max_width: usize::MAX,
        max_height: usize::MAX,
        max_pixels: usize::MAX,
    };
    CfaImage::from_samples(width, height, width, phase, samples, &limits)
}

/// Multiplies every pixel of `img` by `m` (in f32), rows in parallel.
pub fn apply_matrix(img: &mut RgbImage, m: &Mat3) {
    let k = m.0.map(|row| row.map(|v| v as f32));
    let (width, stride) = (img.width(), img.stride());
    let [r, g, b] = img.planes_mut();
    r.par_chunks_mut(stride)
        .zip(g.par_chunks_mut(stride))
        .zip(b.par_chunks_mut(stride))
        .for_each(|((r, g), b)| {
            for ((r, g), b) in r.iter_mut().zip(g.iter_mut()).zip(b.iter_mut()).take(width) {
                let (cr, cg, cb) = (*r, *g, *b);
                *r = k[0][0] * cr + k[0][1] * cg + k[0][2] * cb;
                *g = k[1][0] * cr + k[1][1] * cg + k[1][2] * cb;
                *b = k[2][0] * cr + k[2][1] * cg + k[2][2] * cb;
            }
        });
}
