//! OpenEXR reading: the header and its limits first (our own parser), then the pixels of the
//! first part, decoded by the `exr` crate (scanline or tiled, any compression it supports),
//! into a [`FloatImage`].

use std::io::{Read, Seek, SeekFrom};

use exr::prelude::{FlatSamples, ReadChannels, ReadLayers};

use super::attributes::ExrHeader;
use super::header_read::{FLAG_LONG_NAMES, FLAG_MULTIPART, read_header};
use super::{ExrCompression, ExrPixelType, FORMAT};
use crate::image_io::image::{FloatImage, MAX_CHANNELS};
use crate::raw::ImageLimits;
use crate::{Error, Result};

/// One channel of a file's channel list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExrChannel {
    /// Channel name (`R`, `G`, `B`, `A`, `Z`, `left.R`...).
    pub name: String,
    /// Sample type.
    pub pixel_type: ExrPixelType,
    /// Horizontal subsampling (1 for full resolution).
    pub x_sampling: i32,
    /// Vertical subsampling (1 for full resolution).
    pub y_sampling: i32,
}

/// What an OpenEXR file's first header says, without its pixels.
#[derive(Debug, Clone, PartialEq)]
pub struct ExrFileInfo {
    /// Width of the data window.
    pub width: usize,
    /// Height of the data window.
    pub height: usize,
    /// `dataWindow` (x min, y min, x max, y max).
    pub data_window: [i32; 4],
    /// `displayWindow` (x min, y min, x max, y max).
    pub display_window: [i32; 4],
    /// Channels in file order (sorted by name).
    pub channels: Vec<ExrChannel>,
    /// Block compression.
    pub compression: ExrCompression,
    /// `lineOrder`: 0 increasing Y, 1 decreasing Y, 2 random (tiles).
    pub line_order: u8,
    /// Tiled rather than scanline.
    pub tiled: bool,
    /// A multi-part file (only the first part is described and read).
    pub multi_part: bool,
    /// The version field allows attribute names longer than 31 bytes.
    pub long_names: bool,
    /// The raw version field (format version 2 plus flags).
    pub version: u32,
    /// The descriptive attributes.
    pub header: ExrHeader,
}

fn read_error(input: &str, problem: impl Into<String>) -> Error {
    Error::ImageRead {
        input: input.to_string(),
        format: FORMAT,
        problem: problem.into(),
    }
}

fn unsupported(input: &str, problem: impl Into<String>) -> Error {
    Error::ImageUnsupported {
        input: input.to_string(),
        format: FORMAT,
        problem: problem.into(),
    }
}

/// Reads the first header of the file (from its start) and describes it; `input` names the
/// file in errors. Nothing is allocated from the declared image size.
pub fn read_info(reader: &mut (impl Read + Seek), input: &str) -> Result<ExrFileInfo> {
    reader.seek(SeekFrom::Start(0)).map_err(|e| Error::Io {
        path: input.to_string(),
        op: "seek",
        source: e,
    })?;
    let parsed = read_header(&mut std::io::BufReader::new(reader), input)?;
    let [x0, y0, x1, y1] = parsed.data_window;
    let extent = |lo: i32, hi: i32, what: &str| -> Result<usize> {
        let n = i64::from(hi) - i64::from(lo) + 1;
        usize::try_from(n)
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| read_error(input, format!("dataWindow has a negative {what} ({n})")))
    };
    let width = extent(x0, x1, "width")?;
    let height = extent(y0, y1, "height")?;
    let mut channels = Vec::with_capacity(parsed.channels.len());
    for c in parsed.channels {
        let pixel_type = c.pixel_type.ok_or_else(|| {
            read_error(
                input,
                format!("channel `{}` has unknown pixel type {}", c.name, c.raw_type),
            )
        })?;
        channels.push(ExrChannel {
            name: c.name,
            pixel_type,
            x_sampling: c.x_sampling,
            y_sampling: c.y_sampling,
        });
    }
    if channels.is_empty() {
        return Err(read_error(input, "the channel list is empty"));
    }
    Ok(ExrFileInfo {
        width,
        height,
        data_window: parsed.data_window,
        display_window: parsed.display_window,
        channels,
        compression: parsed.compression,
        line_order: parsed.line_order,
        tiled: parsed.tiled,
        multi_part: parsed.version & FLAG_MULTIPART != 0,
        long_names: parsed.version & FLAG_LONG_NAMES != 0,
        version: parsed.version,
        header: parsed.header,
    })
}

/// Reads an RGB or RGBA image: channels `R`, `G`, `B` (and `A` when present), half or float,
/// returned as `["R", "G", "B"(, "A")]`; other channels are ignored. The header's size is
/// checked against `limits` before any pixel is allocated.
pub fn read(
    mut reader: impl Read + Seek,
    input: &str,
    limits: &ImageLimits,
) -> Result<(FloatImage, ExrHeader)> {
    let info = read_info(&mut reader, input)?;
    let has = |n: &str| info.channels.iter().any(|c| c.name == n);
    let mut wanted = Vec::new();
    for name in ["R", "G", "B"] {
        if !has(name) {
            let present: Vec<&str> = info.channels.iter().map(|c| c.name.as_str()).collect();
            return Err(read_error(
                input,
                format!(
                    "no `{name}` channel: an RGB(A) image is expected (channels: {})",
                    present.join(", ")
                ),
            ));
        }
        wanted.push(name.to_string());
    }
    if has("A") {
        wanted.push("A".into());
    }
    decode(reader, input, limits, info, wanted)
}

/// Reads every channel of the first part (half or float, full resolution), in file order
/// (sorted by name), e.g. to crop and resample a plate without losing its extra channels.
pub fn read_all_channels(
    mut reader: impl Read + Seek,
    input: &str,
    limits: &ImageLimits,
) -> Result<(FloatImage, ExrHeader)> {
    let info = read_info(&mut reader, input)?;
    if info.channels.len() > MAX_CHANNELS {
        return Err(unsupported(
            input,
            format!(
                "{} channels (at most {MAX_CHANNELS} are read)",
                info.channels.len()
            ),
        ));
    }
    let wanted = info.channels.iter().map(|c| c.name.clone()).collect();
    decode(reader, input, limits, info, wanted)
}

fn decode(
    mut reader: impl Read + Seek,
    input: &str,
    limits: &ImageLimits,
    info: ExrFileInfo,
    wanted: Vec<String>,
) -> Result<(FloatImage, ExrHeader)> {
    let (width, height) = (info.width, info.height);
    limits.check(input, width, height)?;
    for name in &wanted {
        let Some(c) = info.channels.iter().find(|c| &c.name == name) else {
            continue;
        };
        if c.pixel_type == ExrPixelType::Uint {
            return Err(unsupported(
                input,
                format!("channel `{name}` holds integers, not image samples"),
            ));
        }
        if (c.x_sampling, c.y_sampling) != (1, 1) {
            return Err(unsupported(
                input,
                format!(
                    "channel `{name}` is subsampled ({} x {})",
                    c.x_sampling, c.y_sampling
                ),
            ));
        }
    }
    if let ExrCompression::Other(code) = info.compression {
        return Err(unsupported(input, format!("compression code {code}")));
    }

    reader.seek(SeekFrom::Start(0)).map_err(|e| Error::Io {
        path: input.to_string(),
        op: "seek",
        source: e,
    })?;
    let decoded = exr::prelude::read()
        .no_deep_data()
        .largest_resolution_level()
        .all_channels()
        .first_valid_layer()
        .all_attributes()
        .from_buffered(std::io::BufReader::new(reader))
        .map_err(|e| match e {
            exr::error::Error::NotSupported(what) => unsupported(input, what.to_string()),
            other => read_error(input, other.to_string()),
        })?;
    let layer = decoded.layer_data;
    if (layer.size.width(), layer.size.height()) != (width, height) {
        return Err(read_error(
            input,
            format!(
                "decoded {} x {} pixels, the header says {width} x {height}",
                layer.size.width(),
                layer.size.height()
            ),
        ));
    }
    let n = width * height;
    let count = wanted.len();
    let mut samples = vec![0.0f32; n * count];
    for (c, name) in wanted.iter().enumerate() {
        let channel = layer
            .channel_data
            .list
            .iter()
            .find(|ch| ch.name.to_string() == *name)
            .ok_or_else(|| read_error(input, format!("channel `{name}` was not decoded")))?;
        let len = channel.sample_data.len();
        if len != n {
            return Err(read_error(
                input,
                format!("channel `{name}` has {len} samples, not {width} x {height}"),
            ));
        }
        let dst = samples.iter_mut().skip(c).step_by(count);
        match &channel.sample_data {
            FlatSamples::F16(v) => dst.zip(v).for_each(|(d, s)| *d = s.to_f32()),
            FlatSamples::F32(v) => dst.zip(v).for_each(|(d, s)| *d = *s),
            FlatSamples::U32(_) => {
                return Err(unsupported(
                    input,
                    format!("channel `{name}` holds integers, not image samples"),
                ));
            }
        }
    }
    let image = FloatImage::new(width, height, wanted, samples)?;
    Ok((image, info.header))
}
