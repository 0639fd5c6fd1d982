//! OpenEXR in and out for the colour commands: RGB or RGBA images (half or float channels)
//! as interleaved `f32`, written back as half-float RGB(A).

use std::io::{Read, Seek, Write};
use std::path::Path;

use anyhow::{Context, bail};
use exr::prelude::*;

/// The largest image accepted, in pixels (about 268 MP; a 16K x 16K frame fits).
pub const MAX_PIXELS: usize = 1 << 28;

/// An RGB or RGBA image with interleaved `f32` samples, rows top to bottom.
#[derive(Debug, Clone, PartialEq)]
pub struct RgbaImage {
    /// Width in pixels.
    pub width: usize,
    /// Height in pixels.
    pub height: usize,
    /// 3 (RGB) or 4 (RGBA).
    pub channels: usize,
    /// `width * height * channels` samples.
    pub pixels: Vec<f32>,
}

struct Loading {
    image: RgbaImage,
    too_big: bool,
}

/// Reads the first RGB(A) layer of an OpenEXR stream; `name` names it in errors. Images larger
/// than [`MAX_PIXELS`] and files without R, G and B channels are refused.
pub fn read_exr(reader: impl Read + Seek, name: &str) -> anyhow::Result<RgbaImage> {
    let read = exr::prelude::read()
        .no_deep_data()
        .largest_resolution_level()
        .rgba_channels(
            |resolution, channels: &RgbaChannels| {
                let (width, height) = (resolution.width(), resolution.height());
                let count = if channels.3.is_some() { 4 } else { 3 };
                let samples = width
                    .checked_mul(height)
                    .filter(|n| *n <= MAX_PIXELS)
                    .and_then(|n| n.checked_mul(count));
                Loading {
                    image: RgbaImage {
                        width,
                        height,
                        channels: count,
                        pixels: vec![0.0; samples.unwrap_or(0)],
                    },
                    too_big: samples.is_none(),
                }
            },
            |loading: &mut Loading, position: Vec2<usize>, (r, g, b, a): (f32, f32, f32, f32)| {
                let img = &mut loading.image;
                let start = (position.y() * img.width + position.x()) * img.channels;
                if let Some(px) = img.pixels.get_mut(start..start + img.channels) {
                    for (dst, src) in px.iter_mut().zip([r, g, b, a]) {
                        *dst = src;
                    }
                }
            },
        )
        .first_valid_layer()
        .all_attributes()
        .from_buffered(reader)
        .with_context(|| format!("{name}: not a readable RGB(A) OpenEXR image"))?;
    let loading = read.layer_data.channel_data.pixels;
    if loading.too_big {
        bail!(
            "{name}: image of {} x {} pixels is larger than the {MAX_PIXELS} pixels rushes accepts",
            loading.image.width,
            loading.image.height
        );
    }
    Ok(loading.image)
}

/// Reads an OpenEXR file (see [`read_exr`]).
pub fn read_exr_file(path: &Path) -> anyhow::Result<RgbaImage> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    read_exr(std::io::BufReader::new(file), &path.display().to_string())
}

/// Writes the image as a half-float RGB or RGBA OpenEXR (alpha only when the image has it).
pub fn write_exr_half(image: &RgbaImage, writer: impl Write + Seek) -> anyhow::Result<()> {
    let expected = image
        .width
        .checked_mul(image.height)
        .and_then(|n| n.checked_mul(image.channels));
    if !matches!(image.channels, 3 | 4) || expected != Some(image.pixels.len()) {
        bail!(
            "internal: {} samples do not make a {} x {} image of {} channels",
            image.pixels.len(),
            image.width,
            image.height,
            image.channels
        );
    }
    let sample = |x: usize, y: usize, c: usize| -> f16 {
        let i = (y * image.width + x) * image.channels + c;
        f16::from_f32(image.pixels.get(i).copied().unwrap_or(0.0))
    };
    let size = (image.width, image.height);
    let written = if image.channels == 4 {
        Image::from_channels(
            size,
            SpecificChannels::rgba(|Vec2(x, y)| {
                (
                    sample(x, y, 0),
                    sample(x, y, 1),
                    sample(x, y, 2),
                    sample(x, y, 3),
                )
            }),
        )
        .write()
        .to_buffered(writer)
    } else {
        Image::from_channels(
            size,
            SpecificChannels::rgb(|Vec2(x, y)| (sample(x, y, 0), sample(x, y, 1), sample(x, y, 2))),
        )
        .write()
        .to_buffered(writer)
    };
    written.context("cannot encode the OpenEXR image")
}

/// Writes a half-float OpenEXR file (see [`write_exr_half`]).
pub fn write_exr_half_file(image: &RgbaImage, path: &Path) -> anyhow::Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write_exr_half(image, &mut out).with_context(|| format!("writing {}", path.display()))?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
