//! Reads the first header of an OpenEXR file (magic, version flags, attributes) into the
//! structural facts the reader checks and the typed [`ExrHeader`], with bounded sizes.

use std::io::Read;

use super::attributes::{
    ATTR_CLIP_NAME, ATTR_REEL_NAME, ExrHeader, ExrRational, ExrTimecode, RawAttribute, le_f32,
    le_i32, le_u32, parse_chromaticities,
};
use super::{ExrCompression, ExrPixelType, FORMAT};
use crate::{Error, Result};

/// The OpenEXR magic number, as its four bytes.
pub(crate) const MAGIC: [u8; 4] = [0x76, 0x2f, 0x31, 0x01];
/// Version field bits.
pub(crate) const FLAG_TILED: u32 = 0x200;
pub(crate) const FLAG_LONG_NAMES: u32 = 0x400;
pub(crate) const FLAG_DEEP: u32 = 0x800;
pub(crate) const FLAG_MULTIPART: u32 = 0x1000;

/// Most bytes of header attributes read (previews and manifests included).
const MAX_HEADER_BYTES: usize = 64 << 20;
/// Most attributes in one header.
const MAX_ATTRIBUTES: usize = 10_000;

/// Attributes the writer derives from the image and its options: never kept as pass-through.
pub(crate) const STRUCTURAL: &[&str] = &[
    "channels",
    "compression",
    "dataWindow",
    "displayWindow",
    "lineOrder",
    "pixelAspectRatio",
    "screenWindowCenter",
    "screenWindowWidth",
    "tiles",
    "type",
    "name",
    "version",
    "chunkCount",
    "maxSamplesPerPixel",
    "dwaCompressionLevel",
    "acesImageContainerFlag",
    "chromaticities",
    "adoptedNeutral",
    "timeCode",
    "framesPerSecond",
    "owner",
    "comments",
    "capDate",
    ATTR_CLIP_NAME,
    ATTR_REEL_NAME,
];

/// One channel of the channel list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ChannelEntry {
    pub name: String,
    pub pixel_type: Option<ExrPixelType>,
    pub raw_type: i32,
    pub x_sampling: i32,
    pub y_sampling: i32,
}

/// What the first header says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ParsedHeader {
    pub version: u32,
    pub channels: Vec<ChannelEntry>,
    pub compression: ExrCompression,
    pub data_window: [i32; 4],
    pub display_window: [i32; 4],
    pub line_order: u8,
    pub tiled: bool,
    pub header: ExrHeader,
}

fn bad(input: &str, problem: impl Into<String>) -> Error {
    Error::ImageRead {
        input: input.to_string(),
        format: FORMAT,
        problem: problem.into(),
    }
}

/// Reads bytes up to a NUL (at most `max` bytes before it).
fn read_name(r: &mut impl Read, input: &str, max: usize, what: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    let mut byte = [0u8];
    loop {
        r.read_exact(&mut byte)
            .map_err(|_| bad(input, format!("file ends inside the header ({what})")))?;
        if byte[0] == 0 {
            return Ok(out);
        }
        if out.len() == max {
            return Err(bad(
                input,
                format!("{what} longer than {max} bytes in the header"),
            ));
        }
        out.push(byte[0]);
    }
}

fn parse_channels(input: &str, b: &[u8]) -> Result<Vec<ChannelEntry>> {
    let mut out = Vec::new();
    let mut at = 0usize;
    loop {
        let rest = b
            .get(at..)
            .ok_or_else(|| bad(input, "channel list is truncated"))?;
        let end = rest
            .iter()
            .position(|&c| c == 0)
            .ok_or_else(|| bad(input, "channel list is not terminated"))?;
        if end == 0 {
            return Ok(out);
        }
        let name = String::from_utf8_lossy(&rest[..end]).into_owned();
        let base = at + end + 1;
        let field = |off: usize| {
            le_i32(b, base + off)
                .ok_or_else(|| bad(input, format!("channel `{name}` entry is truncated")))
        };
        let raw_type = field(0)?;
        let x_sampling = field(8)?;
        let y_sampling = field(12)?;
        let pixel_type = match raw_type {
            0 => Some(ExrPixelType::Uint),
            1 => Some(ExrPixelType::Half),
            2 => Some(ExrPixelType::Float),
            _ => None,
        };
        out.push(ChannelEntry {
            name,
            pixel_type,
            raw_type,
            x_sampling,
            y_sampling,
        });
        at = base + 16;
        if out.len() > 4096 {
            return Err(bad(input, "more than 4096 channels"));
        }
    }
}

fn parse_box(input: &str, name: &str, b: &[u8]) -> Result<[i32; 4]> {
    let v = |i: usize| le_i32(b, i * 4);
    match (b.len(), v(0), v(1), v(2), v(3)) {
        (16, Some(a), Some(c), Some(d), Some(e)) => Ok([a, c, d, e]),
        _ => Err(bad(input, format!("`{name}` is not a box2i"))),
    }
}

fn string_value(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Reads the magic number, version and first header from `r` (positioned at the file start).
pub(crate) fn read_header(r: &mut impl Read, input: &str) -> Result<ParsedHeader> {
    let mut start = [0u8; 8];
    r.read_exact(&mut start)
        .map_err(|_| bad(input, "file is shorter than the 8-byte OpenEXR preamble"))?;
    if start[..4] != MAGIC {
        return Err(bad(
            input,
            "not an OpenEXR file (the magic number 76 2f 31 01 is missing)",
        ));
    }
    let version = u32::from_le_bytes([start[4], start[5], start[6], start[7]]);
    if version & 0xff != 2 {
        return Err(Error::ImageUnsupported {
            input: input.to_string(),
            format: FORMAT,
            problem: format!("file format version {} (only 2 exists)", version & 0xff),
        });
    }
    if version & FLAG_DEEP != 0 {
        return Err(Error::ImageUnsupported {
            input: input.to_string(),
            format: FORMAT,
            problem: "deep data".into(),
        });
    }
    let name_max = if version & FLAG_LONG_NAMES != 0 {
        255
    } else {
        31
    };

    let mut parsed = ParsedHeader {
        version,
        channels: Vec::new(),
        compression: ExrCompression::None,
        data_window: [0; 4],
        display_window: [0; 4],
        line_order: 0,
        tiled: version & FLAG_TILED != 0,
        header: ExrHeader::default(),
    };
    let (mut seen_channels, mut seen_data, mut seen_compression) = (false, false, false);
    let mut budget = MAX_HEADER_BYTES;
    for _ in 0..MAX_ATTRIBUTES {
        let name_bytes = read_name(r, input, name_max, "attribute name")?;
        if name_bytes.is_empty() {
            if !seen_channels || !seen_data || !seen_compression {
                let missing = [
                    (seen_channels, "channels"),
                    (seen_compression, "compression"),
                    (seen_data, "dataWindow"),
                ]
                .iter()
                .filter(|(seen, _)| !seen)
                .map(|(_, n)| *n)
                .collect::<Vec<_>>()
                .join(", ");
                return Err(bad(
                    input,
                    format!("header lacks required attributes: {missing}"),
                ));
            }
            return Ok(parsed);
        }
        let name = String::from_utf8_lossy(&name_bytes).into_owned();
        let type_name =
            String::from_utf8_lossy(&read_name(r, input, name_max, "type name")?).into_owned();
        let mut size = [0u8; 4];
        r.read_exact(&mut size)
            .map_err(|_| bad(input, format!("file ends inside attribute `{name}`")))?;
        let size = i32::from_le_bytes(size);
        let size = usize::try_from(size).map_err(|_| {
            bad(
                input,
                format!("attribute `{name}` has negative size {size}"),
            )
        })?;
        budget = budget.checked_sub(size).ok_or_else(|| {
            bad(
                input,
                format!("header attributes exceed {MAX_HEADER_BYTES} bytes (at `{name}`)"),
            )
        })?;
        let mut value = Vec::new();
        r.take(size as u64)
            .read_to_end(&mut value)
            .map_err(|e| bad(input, format!("reading attribute `{name}`: {e}")))?;
        if value.len() != size {
            return Err(bad(
                input,
                format!("file ends inside attribute `{name}` ({size} bytes announced)"),
            ));
        }
        apply_attribute(
            &mut parsed,
            input,
            name,
            type_name,
            value,
            &mut |n| match n {
                "channels" => seen_channels = true,
                "dataWindow" => seen_data = true,
                "compression" => seen_compression = true,
                _ => {}
            },
        )?;
    }
    Err(bad(input, format!("more than {MAX_ATTRIBUTES} attributes")))
}

/// Stores one attribute: structural ones in `parsed`, typed ones in its header, the rest raw.
fn apply_attribute(
    parsed: &mut ParsedHeader,
    input: &str,
    name: String,
    type_name: String,
    value: Vec<u8>,
    seen: &mut impl FnMut(&str),
) -> Result<()> {
    let h = &mut parsed.header;
    let t = type_name.as_str();
    let b = value.as_slice();
    let v2f = |b: &[u8]| match (b.len(), le_f32(b, 0), le_f32(b, 4)) {
        (8, Some(x), Some(y)) => Some([x, y]),
        _ => None,
    };
    let mistyped = || bad(input, format!("attribute `{name}` has type `{t}`"));
    match (name.as_str(), t) {
        ("channels", "chlist") => parsed.channels = parse_channels(input, b)?,
        ("compression", "compression") => {
            parsed.compression = ExrCompression::from_code(*b.first().ok_or_else(mistyped)?);
        }
        ("dataWindow", "box2i") => parsed.data_window = parse_box(input, &name, b)?,
        ("displayWindow", "box2i") => parsed.display_window = parse_box(input, &name, b)?,
        ("lineOrder", "lineOrder") => parsed.line_order = *b.first().ok_or_else(mistyped)?,
        ("tiles", "tiledesc") => parsed.tiled = true,
        ("pixelAspectRatio", "float") if b.len() == 4 => {
            h.pixel_aspect_ratio = le_f32(b, 0).ok_or_else(mistyped)?;
        }
        ("screenWindowCenter", "v2f") => {
            h.screen_window_center = v2f(b).ok_or_else(mistyped)?;
        }
        ("screenWindowWidth", "float") if b.len() == 4 => {
            h.screen_window_width = le_f32(b, 0).ok_or_else(mistyped)?;
        }
        ("chromaticities", "chromaticities") => {
            h.chromaticities = Some(parse_chromaticities(b).ok_or_else(mistyped)?);
        }
        ("adoptedNeutral", "v2f") => h.adopted_neutral = Some(v2f(b).ok_or_else(mistyped)?),
        ("acesImageContainerFlag", "int") if b.len() == 4 => {
            h.aces_image_container_flag = le_i32(b, 0);
        }
        ("timeCode", "timecode") if b.len() == 8 => {
            let (t, u) = (le_u32(b, 0), le_u32(b, 4));
            let (Some(t), Some(u)) = (t, u) else {
                return Err(mistyped());
            };
            h.timecode =
                Some(ExrTimecode::unpack(t, u).map_err(|e| bad(input, format!("timeCode: {e}")))?);
        }
        ("framesPerSecond", "rational") if b.len() == 8 => {
            let (Some(num), Some(den)) = (le_i32(b, 0), le_u32(b, 4)) else {
                return Err(mistyped());
            };
            h.frames_per_second = Some(ExrRational { num, den });
        }
        ("owner", "string") => h.owner = Some(string_value(b)),
        ("comments", "string") => h.comments = Some(string_value(b)),
        ("capDate", "string") => h.capture_date = Some(string_value(b)),
        (n, "string") if n == ATTR_CLIP_NAME => h.clip_name = Some(string_value(b)),
        (n, "string") if n == ATTR_REEL_NAME => h.reel_name = Some(string_value(b)),
        (n, "string") if !STRUCTURAL.contains(&n) => {
            h.strings.push((name.clone(), string_value(b)));
        }
        ("type", _) => {
            if b.starts_with(b"deep") {
                return Err(Error::ImageUnsupported {
                    input: input.to_string(),
                    format: FORMAT,
                    problem: "deep data".into(),
                });
            }
            if b.starts_with(b"tiled") {
                parsed.tiled = true;
            }
        }
        ("name" | "version" | "chunkCount" | "maxSamplesPerPixel", _)
        | ("dwaCompressionLevel", _) => {}
        (n, _) if STRUCTURAL.contains(&n) => return Err(mistyped()),
        _ => h.other.push(RawAttribute {
            name: name.clone(),
            type_name: type_name.clone(),
            bytes: value.clone(),
        }),
    }
    seen(&name);
    Ok(())
}
