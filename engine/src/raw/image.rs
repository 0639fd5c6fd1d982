//! Image buffers of raw development: a single-plane CFA mosaic and planar RGB, both f32,
//! row-major with an explicit stride, with dimension limits checked before anything is allocated.

use super::bayer::{BayerPhase, WhiteBalance};
use crate::{Error, Result};

/// Largest image the engine agrees to hold, checked before allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageLimits {
    /// Widest image, in pixels.
    pub max_width: usize,
    /// Tallest image, in pixels.
    pub max_height: usize,
    /// Most pixels (width x height).
    pub max_pixels: usize,
}

impl Default for ImageLimits {
    /// 65,536 pixels on a side and 200 megapixels in all (a 16K x 12K sensor fits).
    fn default() -> Self {
        ImageLimits {
            max_width: 65_536,
            max_height: 65_536,
            max_pixels: 200_000_000,
        }
    }
}

impl ImageLimits {
    /// Checks `width` x `height` against these limits; returns the pixel count.
    ///
    /// `what` names the image in the error (a file name, "CFA", ...).
    pub fn check(&self, what: &str, width: usize, height: usize) -> Result<usize> {
        let bad = |problem: String| Error::ImageDimensions {
            what: what.to_string(),
            problem,
        };
        if width == 0 || height == 0 {
            return Err(bad(format!("{width}x{height} is empty")));
        }
        if width > self.max_width || height > self.max_height {
            return Err(bad(format!(
                "{width}x{height} is larger than the limit of {}x{}",
                self.max_width, self.max_height
            )));
        }
        match width.checked_mul(height) {
            Some(n) if n <= self.max_pixels => Ok(n),
            _ => Err(bad(format!(
                "{width}x{height} has more than the limit of {} pixels",
                self.max_pixels
            ))),
        }
    }
}

/// Checks that a buffer of `len` samples holds `height` rows of `width` samples `stride` apart;
/// the last row may stop after its `width` samples.
fn check_layout(
    what: &str,
    width: usize,
    height: usize,
    stride: usize,
    len: usize,
    limits: &ImageLimits,
) -> Result<()> {
    limits.check(what, width, height)?;
    let bad = |problem: String| Error::ImageDimensions {
        what: what.to_string(),
        problem,
    };
    if stride < width {
        return Err(bad(format!(
            "stride {stride} is smaller than width {width}"
        )));
    }
    let full = stride
        .checked_mul(height)
        .ok_or_else(|| bad(format!("stride {stride} x height {height} overflows")))?;
    let needed = full - (stride - width);
    if len < needed || len > full {
        return Err(bad(format!(
            "{len} samples do not fit {height} rows of {width} with stride {stride} \
             (expected {needed} to {full})"
        )));
    }
    Ok(())
}

/// A colour-filter-array mosaic: one sample per photosite, f32, row-major.
///
/// Samples are normally scene-linear and normalised so black is 0 and the white level 1.
#[derive(Debug, Clone, PartialEq)]
pub struct CfaImage {
    width: usize,
    height: usize,
    stride: usize,
    phase: BayerPhase,
    samples: Vec<f32>,
}

impl CfaImage {
    /// A black mosaic of `width` x `height` with stride = width.
    pub fn new(
        width: usize,
        height: usize,
        phase: BayerPhase,
        limits: &ImageLimits,
    ) -> Result<CfaImage> {
        let n = limits.check("CFA image", width, height)?;
        Ok(CfaImage {
            width,
            height,
            stride: width,
            phase,
            samples: vec![0.0; n],
        })
    }

    /// A mosaic over existing samples: row `y` starts at `y * stride`.
    pub fn from_samples(
        width: usize,
        height: usize,
        stride: usize,
        phase: BayerPhase,
        samples: Vec<f32>,
        limits: &ImageLimits,
    ) -> Result<CfaImage> {
        check_layout("CFA image", width, height, stride, samples.len(), limits)?;
        Ok(CfaImage {
            width,
            height,
            stride,
            phase,
            samples,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Distance in samples between the starts of two rows.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// The Bayer layout anchored at pixel (0, 0).
    pub fn phase(&self) -> BayerPhase {
        self.phase
    }

    /// All samples, rows `stride` apart.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// Row `y` (its `width` samples). Panics if `y >= height`.
    pub fn row(&self, y: usize) -> &[f32] {
        let start = y * self.stride;
        &self.samples[start..start + self.width]
    }

    /// Row `y`, mutable. Panics if `y >= height`.
    pub fn row_mut(&mut self, y: usize) -> &mut [f32] {
        let start = y * self.stride;
        &mut self.samples[start..start + self.width]
    }

    /// The sample at (`x`, `y`), `None` outside the image.
    pub fn get(&self, x: usize, y: usize) -> Option<f32> {
        if x < self.width && y < self.height {
            self.samples.get(y * self.stride + x).copied()
        } else {
            None
        }
    }

    /// The `width` x `height` mosaic whose top-left pixel is (`x`, `y`) of this one (a DNG
    /// `DefaultCrop`, say), with the Bayer phase seen from there.
    pub fn crop(&self, x: usize, y: usize, width: usize, height: usize) -> Result<CfaImage> {
        let fits = x.checked_add(width).is_some_and(|r| r <= self.width)
            && y.checked_add(height).is_some_and(|b| b <= self.height);
        if !fits || width == 0 || height == 0 {
            return Err(Error::ImageDimensions {
                what: "CFA crop".into(),
                problem: format!(
                    "{width}x{height} at ({x}, {y}) is empty or outside the {}x{} mosaic",
                    self.width, self.height
                ),
            });
        }
        let mut samples = Vec::with_capacity(width * height);
        for row in y..y + height {
            samples.extend_from_slice(&self.row(row)[x..x + width]);
        }
        Ok(CfaImage {
            width,
            height,
            stride: width,
            phase: self.phase.shifted(x, y),
            samples,
        })
    }

    /// Multiplies every sample by the gain of its filter colour (white balance before demosaic).
    pub fn apply_white_balance(&mut self, wb: &WhiteBalance) {
        let phase = self.phase;
        for y in 0..self.height {
            let gains = [0, 1].map(|x| wb.gain(phase.color_at(x, y)));
            for (x, v) in self.row_mut(y).iter_mut().enumerate() {
                *v *= gains[x & 1];
            }
        }
    }
}

/// A planar RGB image: three f32 planes (red, green, blue) of the same layout, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbImage {
    width: usize,
    height: usize,
    stride: usize,
    planes: [Vec<f32>; 3],
}

impl RgbImage {
    /// A black image of `width` x `height` with stride = width.
    pub fn new(width: usize, height: usize, limits: &ImageLimits) -> Result<RgbImage> {
        let n = limits.check("RGB image", width, height)?;
        Ok(RgbImage {
            width,
            height,
            stride: width,
            planes: [vec![0.0; n], vec![0.0; n], vec![0.0; n]],
        })
    }

    /// A black image whose size was already checked (demosaic output of a valid mosaic).
    pub(crate) fn zeroed(width: usize, height: usize) -> RgbImage {
        let n = width * height;
        RgbImage {
            width,
            height,
            stride: width,
            planes: [vec![0.0; n], vec![0.0; n], vec![0.0; n]],
        }
    }

    /// An image over existing planes: row `y` of each plane starts at `y * stride`.
    pub fn from_planes(
        width: usize,
        height: usize,
        stride: usize,
        planes: [Vec<f32>; 3],
        limits: &ImageLimits,
    ) -> Result<RgbImage> {
        for (name, p) in ["red", "green", "blue"].iter().zip(&planes) {
            check_layout(
                &format!("RGB image {name} plane"),
                width,
                height,
                stride,
                p.len(),
                limits,
            )?;
        }
        Ok(RgbImage {
            width,
            height,
            stride,
            planes,
        })
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Distance in samples between the starts of two rows of a plane.
    pub fn stride(&self) -> usize {
        self.stride
    }

    /// Plane `channel` (0 red, 1 green, 2 blue). Panics if `channel > 2`.
    pub fn plane(&self, channel: usize) -> &[f32] {
        &self.planes[channel]
    }

    /// The three planes, mutable (their lengths must not change).
    pub fn planes_mut(&mut self) -> [&mut [f32]; 3] {
        let [r, g, b] = &mut self.planes;
        [r.as_mut_slice(), g.as_mut_slice(), b.as_mut_slice()]
    }

    /// Row `y` of plane `channel`. Panics if out of range.
    pub fn row(&self, channel: usize, y: usize) -> &[f32] {
        let start = y * self.stride;
        &self.planes[channel][start..start + self.width]
    }

    /// The pixel at (`x`, `y`), `None` outside the image.
    pub fn pixel(&self, x: usize, y: usize) -> Option<[f32; 3]> {
        if x < self.width && y < self.height {
            let i = y * self.stride + x;
            Some([self.planes[0][i], self.planes[1][i], self.planes[2][i]])
        } else {
            None
        }
    }

    /// The pixels as interleaved RGB, rows packed (width x height x 3 values).
    pub fn to_interleaved(&self) -> Vec<f32> {
        let mut out = Vec::with_capacity(self.width * self.height * 3);
        for y in 0..self.height {
            let rows = [0, 1, 2].map(|c| self.row(c, y));
            for x in 0..self.width {
                out.extend(rows.map(|r| r[x]));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::raw::CfaColor;

    fn small() -> ImageLimits {
        ImageLimits {
            max_width: 100,
            max_height: 50,
            max_pixels: 1000,
        }
    }

    #[test]
    fn limits_reject_empty_huge_and_overflowing_sizes_before_allocating() {
        let l = small();
        assert_eq!(l.check("x", 10, 10).unwrap(), 100);
        for (w, h, needle) in [
            (0, 10, "empty"),
            (10, 0, "empty"),
            (101, 1, "larger than the limit"),
            (1, 51, "larger than the limit"),
            (40, 40, "more than the limit of 1000 pixels"),
        ] {
            let err = l.check("frame.dng", w, h).unwrap_err().to_string();
            assert!(err.starts_with("frame.dng: bad image dimensions"), "{err}");
            assert!(err.contains(needle), "{err}");
        }
        let huge = ImageLimits {
            max_width: usize::MAX,
            max_height: usize::MAX,
            max_pixels: usize::MAX,
        };
        assert!(huge.check("x", usize::MAX, 3).is_err());
        assert!(
            CfaImage::new(1 << 20, 1 << 20, BayerPhase::Rggb, &ImageLimits::default()).is_err()
        );
    }

    #[test]
    fn from_samples_checks_stride_and_length() {
        let l = small();
        let ok = CfaImage::from_samples(3, 2, 4, BayerPhase::Rggb, vec![0.0; 8], &l).unwrap();
        assert_eq!(ok.row(1).len(), 3);
        // The last row may stop after its width.
        assert!(CfaImage::from_samples(3, 2, 4, BayerPhase::Rggb, vec![0.0; 7], &l).is_ok());
        for (w, h, s, len, needle) in [
            (3, 2, 2, 6, "stride 2 is smaller than width 3"),
            (3, 2, 4, 6, "6 samples do not fit"),
            (3, 2, 4, 9, "9 samples do not fit"),
            (3, 2, usize::MAX, 9, "overflows"),
        ] {
            let err = CfaImage::from_samples(w, h, s, BayerPhase::Rggb, vec![0.0; len], &l)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        }
        let err = RgbImage::from_planes(2, 2, 2, [vec![0.0; 4], vec![0.0; 3], vec![0.0; 4]], &l)
            .unwrap_err()
            .to_string();
        assert!(err.contains("green plane"), "{err}");
    }

    #[test]
    fn white_balance_scales_each_site_by_its_colour() {
        let l = small();
        let mut cfa = CfaImage::from_samples(4, 3, 5, BayerPhase::Gbrg, vec![1.0; 15], &l).unwrap();
        cfa.apply_white_balance(&WhiteBalance::new(2.0, 1.0, 3.0).unwrap());
        for y in 0..3 {
            for x in 0..4 {
                let want = match BayerPhase::Gbrg.color_at(x, y) {
                    CfaColor::Red => 2.0,
                    CfaColor::Green => 1.0,
                    CfaColor::Blue => 3.0,
                };
                assert_eq!(cfa.get(x, y), Some(want));
            }
        }
        // Padding between rows is left alone.
        assert_eq!(cfa.samples()[4], 1.0);
        assert_eq!(cfa.get(4, 0), None);
    }

    #[test]
    fn crops_copy_the_region_and_shift_the_phase() {
        let l = small();
        let samples: Vec<f32> = (0..5 * 4).map(|i| i as f32).collect();
        let cfa = CfaImage::from_samples(5, 4, 5, BayerPhase::Rggb, samples, &l).unwrap();
        let c = cfa.crop(1, 1, 3, 2).unwrap();
        assert_eq!(c.phase(), BayerPhase::Bggr);
        assert_eq!(c.row(0), &[6.0, 7.0, 8.0]);
        assert_eq!(c.row(1), &[11.0, 12.0, 13.0]);
        assert_eq!(cfa.crop(0, 1, 5, 3).unwrap().phase(), BayerPhase::Gbrg);
        for (x, y, w, h) in [
            (3, 0, 3, 1),
            (0, 2, 1, 3),
            (0, 0, 0, 1),
            (usize::MAX, 0, 2, 1),
        ] {
            let err = cfa.crop(x, y, w, h).unwrap_err().to_string();
            assert!(err.contains("is empty or outside the 5x4 mosaic"), "{err}");
        }
    }

    #[test]
    fn rgb_accessors_and_interleaving() {
        let l = small();
        let img = RgbImage::from_planes(
            2,
            1,
            3,
            [
                vec![1.0, 2.0, 9.0],
                vec![3.0, 4.0, 9.0],
                vec![5.0, 6.0, 9.0],
            ],
            &l,
        )
        .unwrap();
        assert_eq!(img.pixel(1, 0), Some([2.0, 4.0, 6.0]));
        assert_eq!(img.pixel(2, 0), None);
        assert_eq!(img.to_interleaved(), vec![1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
    }
}
