//! The image type every image file reader and writer of the engine shares: `f32` samples,
//! interleaved, with named channels (RGB, RGBA or any other set for pass-through).

use crate::raw::{ImageLimits, RgbImage};
use crate::{Error, Result};

/// Most channels an image may hold (the resampler's limit too).
pub const MAX_CHANNELS: usize = crate::resample::MAX_CHANNELS;

/// An image of `f32` samples, interleaved pixel by pixel, rows top to bottom.
///
/// This is the one representation the image writers take and the readers return:
/// - RGB is channels `["R", "G", "B"]`, RGBA `["R", "G", "B", "A"]` (in that order in memory);
/// - any other channel set (e.g. `Y`, `Z`, `mask`) is allowed for pass-through of OpenEXR files;
/// - sample `c` of pixel (`x`, `y`) is `samples[(y * width + x) * channels + c]`.
///
/// The demosaic step produces a planar [`RgbImage`]; [`FloatImage::from_rgb_image`] and
/// [`FloatImage::to_rgb_image`] convert. The resampler ([`crate::resample::apply_plan`]) and the
/// colour pipeline ([`crate::amf::Plan::apply`]) work on [`FloatImage::samples`] directly.
#[derive(Debug, Clone, PartialEq)]
pub struct FloatImage {
    width: usize,
    height: usize,
    channels: Vec<String>,
    samples: Vec<f32>,
}

fn invalid(what: &str, problem: String) -> Error {
    Error::ImageInvalid {
        what: what.to_string(),
        problem,
    }
}

impl FloatImage {
    /// An image of `width` x `height` pixels with the named channels; `samples` holds
    /// `width * height * channels.len()` values. Channel names must be non-empty and unique.
    pub fn new(
        width: usize,
        height: usize,
        channels: Vec<String>,
        samples: Vec<f32>,
    ) -> Result<Self> {
        let what = "image";
        if width == 0 || height == 0 {
            return Err(invalid(what, format!("{width}x{height} is empty")));
        }
        if channels.is_empty() || channels.len() > MAX_CHANNELS {
            return Err(invalid(
                what,
                format!(
                    "{} channels (1 to {MAX_CHANNELS} are supported)",
                    channels.len()
                ),
            ));
        }
        for (i, name) in channels.iter().enumerate() {
            if name.is_empty() {
                return Err(invalid(what, format!("channel {i} has no name")));
            }
            if channels[..i].contains(name) {
                return Err(invalid(what, format!("channel `{name}` appears twice")));
            }
        }
        let expected = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(channels.len()));
        if expected != Some(samples.len()) {
            return Err(invalid(
                what,
                format!(
                    "{} samples do not make {width}x{height} pixels of {} channels",
                    samples.len(),
                    channels.len()
                ),
            ));
        }
        Ok(Self {
            width,
            height,
            channels,
            samples,
        })
    }

    /// An RGB image (channels R, G, B) from interleaved samples.
    pub fn rgb(width: usize, height: usize, samples: Vec<f32>) -> Result<Self> {
        Self::new(width, height, names(&["R", "G", "B"]), samples)
    }

    /// An RGBA image (channels R, G, B, A) from interleaved samples.
    pub fn rgba(width: usize, height: usize, samples: Vec<f32>) -> Result<Self> {
        Self::new(width, height, names(&["R", "G", "B", "A"]), samples)
    }

    /// The planar demosaic output as an interleaved RGB image.
    pub fn from_rgb_image(image: &RgbImage) -> Self {
        Self {
            width: image.width(),
            height: image.height(),
            channels: names(&["R", "G", "B"]),
            samples: image.to_interleaved(),
        }
    }

    /// The R, G and B channels as a planar [`RgbImage`] (other channels are dropped).
    pub fn to_rgb_image(&self, limits: &ImageLimits) -> Result<RgbImage> {
        let [r, g, b] = self.rgb_indices()?;
        let n = self.width * self.height;
        let mut planes = [
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        ];
        for px in self.samples.chunks_exact(self.channels.len()) {
            for (plane, c) in planes.iter_mut().zip([r, g, b]) {
                plane.push(px.get(c).copied().unwrap_or(0.0));
            }
        }
        RgbImage::from_planes(self.width, self.height, self.width, planes, limits)
    }

    /// Indices of the R, G and B channels, or an error naming the missing one.
    pub fn rgb_indices(&self) -> Result<[usize; 3]> {
        let find = |name: &str| {
            self.channel_index(name).ok_or_else(|| {
                invalid(
                    "image",
                    format!(
                        "no `{name}` channel (channels: {})",
                        self.channels.join(", ")
                    ),
                )
            })
        };
        Ok([find("R")?, find("G")?, find("B")?])
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// Number of channels (samples per pixel).
    pub fn channel_count(&self) -> usize {
        self.channels.len()
    }

    /// The channel names, in memory order.
    pub fn channel_names(&self) -> &[String] {
        &self.channels
    }

    /// Position of channel `name` within a pixel.
    pub fn channel_index(&self, name: &str) -> Option<usize> {
        self.channels.iter().position(|c| c == name)
    }

    /// True for exactly R, G, B or R, G, B, A in that order.
    pub fn is_rgb_or_rgba(&self) -> bool {
        self.channels == ["R", "G", "B"] || self.channels == ["R", "G", "B", "A"]
    }

    /// All samples, interleaved.
    pub fn samples(&self) -> &[f32] {
        &self.samples
    }

    /// All samples, interleaved, mutable (the length cannot change).
    pub fn samples_mut(&mut self) -> &mut [f32] {
        &mut self.samples
    }

    /// The samples, giving up the image.
    pub fn into_samples(self) -> Vec<f32> {
        self.samples
    }
}

fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn construction_checks_shape_and_names() {
        assert!(FloatImage::rgb(2, 1, vec![0.0; 6]).is_ok());
        let err = |r: Result<FloatImage>| r.unwrap_err().to_string();
        assert!(err(FloatImage::rgb(2, 1, vec![0.0; 5])).contains("5 samples"));
        assert!(err(FloatImage::rgba(0, 1, vec![])).contains("empty"));
        assert!(err(FloatImage::new(1, 1, vec![], vec![])).contains("0 channels"));
        assert!(
            err(FloatImage::new(1, 1, names(&["R", "R"]), vec![0.0; 2])).contains("appears twice")
        );
        assert!(
            err(FloatImage::new(usize::MAX, 2, names(&["Y"]), vec![0.0; 2])).contains("samples")
        );
        let y = FloatImage::new(1, 1, names(&["Y"]), vec![1.0]).unwrap();
        let e = y.rgb_indices().unwrap_err().to_string();
        assert!(e.contains("no `R` channel (channels: Y)"), "{e}");
    }

    #[test]
    fn planar_round_trip() {
        let planar = RgbImage::from_planes(
            2,
            1,
            2,
            [vec![1.0, 2.0], vec![3.0, 4.0], vec![5.0, 6.0]],
            &ImageLimits::default(),
        )
        .unwrap();
        let image = FloatImage::from_rgb_image(&planar);
        assert_eq!(image.samples(), &[1.0, 3.0, 5.0, 2.0, 4.0, 6.0]);
        assert!(image.is_rgb_or_rgba());
        assert_eq!(image.to_rgb_image(&ImageLimits::default()).unwrap(), planar);
        // Channel order in memory does not matter for the planar view.
        let bgr = FloatImage::new(1, 1, names(&["B", "G", "R"]), vec![3.0, 2.0, 1.0]).unwrap();
        let back = bgr.to_rgb_image(&ImageLimits::default()).unwrap();
        assert_eq!(back.pixel(0, 0), Some([1.0, 2.0, 3.0]));
    }
}
