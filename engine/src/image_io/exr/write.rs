//! OpenEXR writing: single-part scanline files with half or float channels, blocks built (and
//! compressed) in parallel with rayon, the header and offset table laid out here.

use std::io::Write;

use exr::math::Vec2;
use exr::meta::attribute::{ChannelDescription, IntegerBounds, SampleType, Text};
use exr::meta::{BlockDescription, header::Header};
use half::f16;
use half::slice::HalfFloatSliceExt;
use rayon::prelude::*;

use super::aces::{self, SHORT_NAME_MAX};
use super::attributes::{ATTR_CLIP_NAME, ATTR_REEL_NAME, Chromaticities, ExrHeader, Value};
use super::header_read::{FLAG_LONG_NAMES, MAGIC, STRUCTURAL};
use super::{ExrCompression, ExrPixelType, FORMAT};
use crate::image_io::FloatImage;
use crate::{Error, Result};

/// How to write an OpenEXR file.
#[derive(Debug, Clone, PartialEq)]
pub struct ExrWriteOptions {
    /// Block compression: `None`, `Rle`, `Zips`, `Zip` or `Piz` (the others are read only).
    pub compression: ExrCompression,
    /// Sample type of every channel: `Half` (plates) or `Float`.
    pub pixel_type: ExrPixelType,
    /// Strict SMPTE ST 2065-4 ACES container: options that contradict it are errors; AP0
    /// chromaticities and `acesImageContainerFlag` = 1 are written.
    pub aces_container: bool,
    /// Descriptive attributes (time code, names, chromaticities, sidecar references...).
    pub header: ExrHeader,
}

impl Default for ExrWriteOptions {
    /// Half float, ZIP, not an ACES container, default header.
    fn default() -> Self {
        Self {
            compression: ExrCompression::Zip,
            pixel_type: ExrPixelType::Half,
            aces_container: false,
            header: ExrHeader::default(),
        }
    }
}

impl ExrWriteOptions {
    /// A strict SMPTE ST 2065-4 ACES container: uncompressed half floats, AP0 chromaticities.
    pub fn aces_container() -> Self {
        Self {
            compression: ExrCompression::None,
            pixel_type: ExrPixelType::Half,
            aces_container: true,
            header: ExrHeader {
                chromaticities: Some(Chromaticities::ACES_AP0),
                aces_image_container_flag: Some(1),
                ..ExrHeader::default()
            },
        }
    }

    /// Half-float plate with the given compression (not a strict container).
    pub fn with_compression(compression: ExrCompression) -> Self {
        Self {
            compression,
            ..Self::default()
        }
    }
}

fn options_error(problem: impl Into<String>) -> Error {
    Error::ImageWriteOptions {
        format: FORMAT,
        problem: problem.into(),
    }
}

/// Writes `image` as a single-part scanline OpenEXR file to `out`.
///
/// Channels are stored sorted by name (as OpenEXR requires), the data and display windows
/// both start at (0, 0), lines in increasing Y order.
pub fn write(out: &mut impl Write, image: &FloatImage, options: &ExrWriteOptions) -> Result<()> {
    let bytes = to_vec(image, options)?;
    out.write_all(&bytes).map_err(|e| Error::Io {
        path: "OpenEXR output".into(),
        op: "write",
        source: e,
    })
}

/// Encodes `image` as a single-part scanline OpenEXR file in memory (see [`write`]).
pub fn to_vec(image: &FloatImage, options: &ExrWriteOptions) -> Result<Vec<u8>> {
    aces::check(image, options)?;
    if !matches!(
        options.compression,
        ExrCompression::None
            | ExrCompression::Rle
            | ExrCompression::Zips
            | ExrCompression::Zip
            | ExrCompression::Piz
    ) {
        return Err(options_error(format!(
            "{:?} compression is not written (use none, RLE, ZIPS, ZIP or PIZ)",
            options.compression
        )));
    }
    if options.pixel_type == ExrPixelType::Uint {
        return Err(options_error("integer channels are not written"));
    }
    let (width, height) = (image.width(), image.height());
    let max_x = i32::try_from(width - 1).map_err(|_| options_error("image too wide"))?;
    let max_y = i32::try_from(height - 1).map_err(|_| options_error("image too tall"))?;

    // Channels in file order: sorted by their bytes.
    let mut order: Vec<usize> = (0..image.channel_count()).collect();
    order.sort_by(|&a, &b| image.channel_names()[a].cmp(&image.channel_names()[b]));
    let header = encode_header(image, options, &order, [0, 0, max_x, max_y])?;

    let lines_per_block = options.compression.lines_per_block();
    let block_count = height.div_ceil(lines_per_block);
    let line_bytes = width * image.channel_count() * options.pixel_type.bytes();
    let table_len = block_count * 8;

    if options.compression == ExrCompression::None {
        // Every block is one line of the same size: lay the file out directly.
        let block_len = 8 + line_bytes;
        let total = block_count
            .checked_mul(block_len)
            .and_then(|n| n.checked_add(header.len() + table_len))
            .ok_or_else(|| options_error("image too large"))?;
        let mut file = Vec::with_capacity(total);
        file.extend_from_slice(&header);
        let first = (header.len() + table_len) as u64;
        for i in 0..block_count as u64 {
            file.extend_from_slice(&(first + i * block_len as u64).to_le_bytes());
        }
        let data_at = file.len();
        file.resize(total, 0);
        let data = file.get_mut(data_at..).unwrap_or_default();
        let size = i32::try_from(line_bytes).map_err(|_| options_error("image too wide"))?;
        data.par_chunks_mut(block_len).enumerate().for_each_init(
            || LineScratch::new(width),
            |scratch, (y, block)| {
                let (head, pixels) = block.split_at_mut(8);
                head[..4].copy_from_slice(&(y as i32).to_le_bytes());
                head[4..].copy_from_slice(&size.to_le_bytes());
                scratch.fill_line(image, y, &order, options.pixel_type, pixels, true);
            },
        );
        return Ok(file);
    }

    let exr_header = compression_header(image, options, &order)?;
    let compression = to_exr_compression(options.compression);
    let blocks: Vec<Result<Vec<u8>>> = (0..block_count)
        .into_par_iter()
        .map_init(
            || LineScratch::new(width),
            |scratch, b| {
                let y0 = b * lines_per_block;
                let lines = lines_per_block.min(height - y0);
                let mut raw = vec![0u8; lines * line_bytes];
                for (i, line) in raw.chunks_exact_mut(line_bytes).enumerate() {
                    scratch.fill_line(image, y0 + i, &order, options.pixel_type, line, false);
                }
                let section = IntegerBounds::new(Vec2(0, y0 as i32), Vec2(width, lines));
                compression
                    .compress_image_section_to_le(&exr_header, raw, section)
                    .map_err(|e| options_error(format!("cannot compress block {b}: {e}")))
            },
        )
        .collect();
    let mut file = header;
    let mut at = (file.len() + table_len) as u64;
    let mut table = Vec::with_capacity(table_len);
    let mut body_len = 0usize;
    let blocks = blocks.into_iter().collect::<Result<Vec<_>>>()?;
    for block in &blocks {
        table.extend_from_slice(&at.to_le_bytes());
        at += 8 + block.len() as u64;
        body_len += 8 + block.len();
    }
    file.reserve(table_len + body_len);
    file.extend_from_slice(&table);
    for (b, block) in blocks.iter().enumerate() {
        let y = (b * lines_per_block) as i32;
        let size = i32::try_from(block.len()).map_err(|_| options_error("block too large"))?;
        file.extend_from_slice(&y.to_le_bytes());
        file.extend_from_slice(&size.to_le_bytes());
        file.extend_from_slice(block);
    }
    Ok(file)
}

/// Per-thread buffers for one line of one channel.
struct LineScratch {
    floats: Vec<f32>,
    halves: Vec<f16>,
}

impl LineScratch {
    fn new(width: usize) -> Self {
        Self {
            floats: vec![0.0; width],
            halves: vec![f16::ZERO; width],
        }
    }

    /// Writes line `y` of every channel (in `order`) into `out`, little-endian when `le`, else
    /// in native byte order (what the `exr` crate's compressors take).
    fn fill_line(
        &mut self,
        image: &FloatImage,
        y: usize,
        order: &[usize],
        pixel_type: ExrPixelType,
        out: &mut [u8],
        le: bool,
    ) {
        let (width, count) = (image.width(), image.channel_count());
        let row = image
            .samples()
            .get(y * width * count..(y + 1) * width * count)
            .unwrap_or_default();
        let size = pixel_type.bytes();
        for (&c, dst) in order.iter().zip(out.chunks_exact_mut(width * size)) {
            for (f, s) in self
                .floats
                .iter_mut()
                .zip(row.iter().skip(c).step_by(count))
            {
                *f = *s;
            }
            if pixel_type == ExrPixelType::Half {
                self.halves.convert_from_f32_slice(&self.floats);
                for (d, h) in dst.chunks_exact_mut(2).zip(&self.halves) {
                    d.copy_from_slice(&if le { h.to_le_bytes() } else { h.to_ne_bytes() });
                }
            } else {
                for (d, f) in dst.chunks_exact_mut(4).zip(&self.floats) {
                    d.copy_from_slice(&if le { f.to_le_bytes() } else { f.to_ne_bytes() });
                }
            }
        }
    }
}

fn to_exr_compression(c: ExrCompression) -> exr::compression::Compression {
    use exr::compression::Compression as C;
    match c {
        ExrCompression::Rle => C::RLE,
        ExrCompression::Zips => C::ZIP1,
        ExrCompression::Zip => C::ZIP16,
        ExrCompression::Piz => C::PIZ,
        _ => C::Uncompressed,
    }
}

/// The `exr` crate header its block compressors need (channel list and block size).
fn compression_header(
    image: &FloatImage,
    options: &ExrWriteOptions,
    order: &[usize],
) -> Result<Header> {
    let sample_type = match options.pixel_type {
        ExrPixelType::Float => SampleType::F32,
        _ => SampleType::F16,
    };
    let mut channels = exr::prelude::SmallVec::new();
    for &c in order {
        let name = &image.channel_names()[c];
        let text = Text::new_or_none(name)
            .ok_or_else(|| options_error(format!("channel name `{name}` is not Latin-1 text")))?;
        channels.push(ChannelDescription::new(text, sample_type, false));
    }
    let name = Text::new_or_none("rushes").unwrap_or_default();
    Ok(
        Header::new(name, (image.width(), image.height()), channels).with_encoding(
            to_exr_compression(options.compression),
            BlockDescription::ScanLines,
            exr::meta::attribute::LineOrder::Increasing,
        ),
    )
}

/// Checks an attribute or type name the caller supplied.
fn check_name(name: &str, what: &str) -> Result<()> {
    if name.is_empty() || name.len() > 255 || name.contains('\0') {
        return Err(options_error(format!(
            "{what} `{}` must be 1 to 255 bytes without NUL",
            name.escape_debug()
        )));
    }
    Ok(())
}

/// Magic number, version field and the header attributes (sorted by name), terminated.
fn encode_header(
    image: &FloatImage,
    options: &ExrWriteOptions,
    order: &[usize],
    window: [i32; 4],
) -> Result<Vec<u8>> {
    let h = &options.header;
    let mut attrs: Vec<(&str, Value)> = vec![
        (
            "channels",
            Value::Channels(
                order
                    .iter()
                    .map(|&c| (image.channel_names()[c].as_str(), options.pixel_type.code()))
                    .collect(),
            ),
        ),
        (
            "compression",
            Value::Compression(options.compression.code()),
        ),
        ("dataWindow", Value::Box2i(window)),
        ("displayWindow", Value::Box2i(window)),
        ("lineOrder", Value::LineOrder(0)),
        ("pixelAspectRatio", Value::Float(h.pixel_aspect_ratio)),
        ("screenWindowCenter", Value::V2f(h.screen_window_center)),
        ("screenWindowWidth", Value::Float(h.screen_window_width)),
    ];
    let chromaticities = match (options.aces_container, h.chromaticities) {
        (true, _) => Some(Chromaticities::ACES_AP0),
        (false, c) => c,
    };
    if let Some(c) = chromaticities {
        attrs.push(("chromaticities", Value::Chromaticities(c)));
    }
    if options.aces_container {
        attrs.push(("acesImageContainerFlag", Value::Int(1)));
    }
    if let Some(n) = h.adopted_neutral {
        attrs.push(("adoptedNeutral", Value::V2f(n)));
    }
    if let Some(tc) = &h.timecode {
        let (t, u) = tc.pack()?;
        attrs.push(("timeCode", Value::Timecode(t, u)));
    }
    if let Some(r) = h.frames_per_second {
        attrs.push(("framesPerSecond", Value::Rational(r)));
    }
    for (name, value) in [
        (ATTR_CLIP_NAME, &h.clip_name),
        (ATTR_REEL_NAME, &h.reel_name),
        ("owner", &h.owner),
        ("comments", &h.comments),
        ("capDate", &h.capture_date),
    ] {
        if let Some(v) = value {
            attrs.push((name, Value::Str(v)));
        }
    }
    for (name, value) in &h.strings {
        check_name(name, "attribute name")?;
        attrs.push((name, Value::Str(value)));
    }
    for raw in &h.other {
        check_name(&raw.name, "attribute name")?;
        check_name(&raw.type_name, "attribute type")?;
        attrs.push((&raw.name, Value::Raw(&raw.type_name, &raw.bytes)));
    }
    attrs.sort_by(|a, b| a.0.cmp(b.0));
    for pair in attrs.windows(2) {
        if pair[0].0 == pair[1].0 {
            let name = pair[0].0;
            let hint = if STRUCTURAL.contains(&name) {
                " (the writer derives it from the image or a typed header field)"
            } else {
                ""
            };
            return Err(options_error(format!(
                "attribute `{name}` is given twice{hint}"
            )));
        }
    }
    for name in image.channel_names() {
        check_name(name, "channel name")?;
    }
    let long = attrs
        .iter()
        .any(|(n, v)| n.len() > SHORT_NAME_MAX || v.type_name().len() > SHORT_NAME_MAX)
        || image
            .channel_names()
            .iter()
            .any(|n| n.len() > SHORT_NAME_MAX);
    let version = 2u32 | if long { FLAG_LONG_NAMES } else { 0 };

    let mut out = Vec::with_capacity(1024);
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&version.to_le_bytes());
    for (name, value) in &attrs {
        let bytes = value.bytes();
        let size = i32::try_from(bytes.len())
            .map_err(|_| options_error(format!("attribute `{name}` is too large")))?;
        out.extend_from_slice(name.as_bytes());
        out.push(0);
        out.extend_from_slice(value.type_name().as_bytes());
        out.push(0);
        out.extend_from_slice(&size.to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    out.push(0);
    Ok(out)
}

#[cfg(test)]
mod tests;
