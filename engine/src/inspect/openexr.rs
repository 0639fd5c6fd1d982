//! OpenEXR header reader: every attribute of every part (single-part, tiled, deep, multi-part),
//! typed values for the standard attribute types, never the pixel data.

use std::io::{Read, Seek};

use super::source::{Fields, Source};
use super::timecode::Timecode;
use crate::Result;

/// OpenEXR magic number (first four bytes, little-endian `0x01312F76`).
pub const EXR_MAGIC: [u8; 4] = [0x76, 0x2F, 0x31, 0x01];
/// Largest header (all parts) read, in bytes.
pub const MAX_HEADER_BYTES: u64 = 16 << 20;
/// Most attributes accepted in one part.
pub const MAX_ATTRIBUTES: usize = 10_000;
/// Most parts accepted in a multi-part file.
pub const MAX_PARTS: usize = 10_000;

const FLAG_TILED: u32 = 0x200;
const FLAG_LONG_NAMES: u32 = 0x400;
const FLAG_DEEP: u32 = 0x800;
const FLAG_MULTI_PART: u32 = 0x1000;

/// A channel of a `chlist` attribute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExrChannel {
    /// Channel name (`R`, `G`, `B`, `A`, `Z`, `diffuse.R`...).
    pub name: String,
    /// Pixel type: 0 UINT, 1 HALF, 2 FLOAT.
    pub pixel_type: i32,
    /// Perceptually linear flag.
    pub p_linear: bool,
    /// Horizontal subsampling.
    pub x_sampling: i32,
    /// Vertical subsampling.
    pub y_sampling: i32,
}

impl ExrChannel {
    /// `uint`, `half`, `float` or `type_N`.
    pub fn type_name(&self) -> String {
        match self.pixel_type {
            0 => "uint".into(),
            1 => "half".into(),
            2 => "float".into(),
            t => format!("type_{t}"),
        }
    }
}

/// A `timecode` attribute: SMPTE 12M time address and flags (TV60 packing) and user bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExrTimecode {
    /// The packed time and flags word as stored.
    pub time_and_flags: u32,
    /// The user-data word as stored.
    pub user_data: u32,
}

impl ExrTimecode {
    /// The time address (drop-frame flag included); an error text when the BCD is malformed.
    pub fn timecode(&self) -> std::result::Result<Timecode, String> {
        Timecode::from_smpte_331m(&self.time_and_flags.to_le_bytes())
    }

    /// Drop-frame flag (bit 6).
    pub fn drop_frame(&self) -> bool {
        self.time_and_flags & (1 << 6) != 0
    }

    /// Colour-frame flag (bit 7).
    pub fn color_frame(&self) -> bool {
        self.time_and_flags & (1 << 7) != 0
    }

    /// Field / phase flag (bit 15).
    pub fn field_phase(&self) -> bool {
        self.time_and_flags & (1 << 15) != 0
    }

    /// Binary group flags 0, 1, 2 (bits 23, 30, 31).
    pub fn binary_group_flags(&self) -> [bool; 3] {
        let t = self.time_and_flags;
        [t & (1 << 23) != 0, t & (1 << 30) != 0, t & (1 << 31) != 0]
    }
}

/// A typed attribute value.
#[derive(Debug, Clone, PartialEq)]
pub enum ExrValue {
    /// `int`.
    Int(i32),
    /// `float`.
    Float(f32),
    /// `double`.
    Double(f64),
    /// `string` (lossy UTF-8).
    String(String),
    /// `stringvector`.
    StringVector(Vec<String>),
    /// `box2i`: xMin, yMin, xMax, yMax (inclusive).
    Box2i([i32; 4]),
    /// `box2f`.
    Box2f([f32; 4]),
    /// `v2i`.
    V2i([i32; 2]),
    /// `v2f`.
    V2f([f32; 2]),
    /// `v2d`.
    V2d([f64; 2]),
    /// `v3i`.
    V3i([i32; 3]),
    /// `v3f`.
    V3f([f32; 3]),
    /// `v3d`.
    V3d([f64; 3]),
    /// `m33f`, `m44f`, `m33d`, `m44d` and `floatvector`, row major.
    Numbers(Vec<f64>),
    /// `chlist`.
    Channels(Vec<ExrChannel>),
    /// `compression` code.
    Compression(u8),
    /// `lineOrder` code (0 increasing y, 1 decreasing y, 2 random y).
    LineOrder(u8),
    /// `envmap` code (0 lat-long, 1 cube).
    Envmap(u8),
    /// `chromaticities`: red x y, green x y, blue x y, white x y.
    Chromaticities([f32; 8]),
    /// `timecode`.
    Timecode(ExrTimecode),
    /// `keycode`: film manufacturer code, film type, prefix, count, perf offset, perfs per
    /// frame, perfs per count.
    KeyCode([i32; 7]),
    /// `rational`: numerator, denominator.
    Rational(i32, u32),
    /// `tiledesc`: tile width, tile height, level mode and rounding byte.
    TileDesc {
        /// Tile width.
        x_size: u32,
        /// Tile height.
        y_size: u32,
        /// Level mode (low nibble) and rounding mode (high nibble).
        mode: u8,
    },
    /// `preview`: its size (the pixels are not kept).
    Preview {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
    },
    /// Any other type: its size in bytes.
    Opaque(usize),
}

/// One attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct ExrAttribute {
    /// Attribute name.
    pub name: String,
    /// Type name as stored (`box2i`, `string`, ...).
    pub type_name: String,
    /// Value.
    pub value: ExrValue,
}

/// The header of one part.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ExrPart {
    /// Attributes in file order.
    pub attributes: Vec<ExrAttribute>,
}

impl ExrPart {
    /// The value of attribute `name`.
    pub fn get(&self, name: &str) -> Option<&ExrValue> {
        self.attributes
            .iter()
            .find(|a| a.name == name)
            .map(|a| &a.value)
    }

    fn string(&self, name: &str) -> Option<String> {
        match self.get(name)? {
            ExrValue::String(s) => Some(s.clone()),
            _ => None,
        }
    }

    /// `dataWindow`.
    pub fn data_window(&self) -> Option<[i32; 4]> {
        match self.get("dataWindow")? {
            ExrValue::Box2i(b) => Some(*b),
            _ => None,
        }
    }

    /// `displayWindow`.
    pub fn display_window(&self) -> Option<[i32; 4]> {
        match self.get("displayWindow")? {
            ExrValue::Box2i(b) => Some(*b),
            _ => None,
        }
    }

    /// `channels`.
    pub fn channels(&self) -> &[ExrChannel] {
        match self.get("channels") {
            Some(ExrValue::Channels(c)) => c,
            _ => &[],
        }
    }

    /// `compression` code.
    pub fn compression(&self) -> Option<u8> {
        match self.get("compression")? {
            ExrValue::Compression(c) => Some(*c),
            _ => None,
        }
    }

    /// `timeCode`.
    pub fn time_code(&self) -> Option<ExrTimecode> {
        match self.get("timeCode")? {
            ExrValue::Timecode(t) => Some(*t),
            _ => None,
        }
    }

    /// `framesPerSecond` as numerator and denominator.
    pub fn frames_per_second(&self) -> Option<(i32, u32)> {
        match self.get("framesPerSecond")? {
            ExrValue::Rational(n, d) => Some((*n, *d)),
            _ => None,
        }
    }

    /// `chromaticities`.
    pub fn chromaticities(&self) -> Option<[f32; 8]> {
        match self.get("chromaticities")? {
            ExrValue::Chromaticities(c) => Some(*c),
            _ => None,
        }
    }

    /// `keyCode`.
    pub fn key_code(&self) -> Option<[i32; 7]> {
        match self.get("keyCode")? {
            ExrValue::KeyCode(k) => Some(*k),
            _ => None,
        }
    }

    /// `pixelAspectRatio`.
    pub fn pixel_aspect_ratio(&self) -> Option<f32> {
        match self.get("pixelAspectRatio")? {
            ExrValue::Float(f) => Some(*f),
            _ => None,
        }
    }

    /// `owner`.
    pub fn owner(&self) -> Option<String> {
        self.string("owner")
    }

    /// `capDate` (`YYYY:MM:DD hh:mm:ss`).
    pub fn cap_date(&self) -> Option<String> {
        self.string("capDate")
    }

    /// `comments`.
    pub fn comments(&self) -> Option<String> {
        self.string("comments")
    }

    /// `tiles` present (a tiled part).
    pub fn is_tiled(&self) -> bool {
        matches!(self.get("tiles"), Some(ExrValue::TileDesc { .. }))
    }

    /// Every `string` attribute, by name.
    pub fn strings(&self) -> std::collections::BTreeMap<String, String> {
        self.attributes
            .iter()
            .filter_map(|a| match &a.value {
                ExrValue::String(s) => Some((a.name.clone(), s.clone())),
                _ => None,
            })
            .collect()
    }
}

/// Name of an OpenEXR compression code.
pub fn compression_name(code: u8) -> String {
    match code {
        0 => "none",
        1 => "rle",
        2 => "zips",
        3 => "zip",
        4 => "piz",
        5 => "pxr24",
        6 => "b44",
        7 => "b44a",
        8 => "dwaa",
        9 => "dwab",
        10 => "htj2k256",
        11 => "htj2k32",
        12 => "lj2k",
        _ => return format!("exr_compression_{code}"),
    }
    .to_string()
}

/// An OpenEXR file's headers.
#[derive(Debug, Clone, PartialEq)]
pub struct ExrHeader {
    /// File format version (2).
    pub version: u8,
    /// Single-part tiled flag of the version field.
    pub tiled: bool,
    /// Long attribute names (up to 255 bytes) flag.
    pub long_names: bool,
    /// Non-image (deep data) flag.
    pub deep: bool,
    /// Multi-part flag.
    pub multi_part: bool,
    /// One header per part (one for a single-part file).
    pub parts: Vec<ExrPart>,
}

/// Reads the headers of the OpenEXR file behind `reader` (`name` names it in errors). Only the
/// header bytes are read.
pub fn read_exr_header<R: Read + Seek + ?Sized>(reader: &mut R, name: &str) -> Result<ExrHeader> {
    let src = Source::new(reader, name, "OpenEXR")?;
    let mut h = HeaderBytes {
        src,
        buf: Vec::new(),
        pos: 0,
    };
    let head = h.take(8, "file header")?;
    if head.get(..4) != Some(&EXR_MAGIC[..]) {
        return Err(h.src.invalid("not an OpenEXR file (bad magic number)"));
    }
    let flags = Fields::le(&head).u32(4).unwrap_or(0);
    let version = (flags & 0xFF) as u8;
    if version != 2 {
        return Err(h
            .src
            .invalid(format!("file format version {version} (only 2 exists)")));
    }
    let long_names = flags & FLAG_LONG_NAMES != 0;
    let multi_part = flags & FLAG_MULTI_PART != 0;
    let max_name = if long_names { 255 } else { 31 };
    let mut parts = Vec::new();
    loop {
        let mut part = ExrPart::default();
        loop {
            let attr_name = h.cstr(max_name, "attribute name")?;
            if attr_name.is_empty() {
                break;
            }
            if part.attributes.len() >= MAX_ATTRIBUTES {
                return Err(h.src.invalid(format!(
                    "part {}: more than {MAX_ATTRIBUTES} attributes",
                    parts.len()
                )));
            }
            let type_name = h.cstr(max_name, &format!("type of attribute {attr_name}"))?;
            let size_bytes = h.take(4, &format!("size of attribute {attr_name}"))?;
            let size = Fields::le(&size_bytes).i32(0).unwrap_or(-1);
            let size = u64::try_from(size).map_err(|_| {
                h.src
                    .invalid(format!("attribute {attr_name}: negative size {size}"))
            })?;
            let bytes = h.take(size, &format!("attribute {attr_name} ({type_name})"))?;
            let value = parse_value(&type_name, &bytes).map_err(|p| {
                h.src
                    .invalid(format!("attribute {attr_name} ({type_name}): {p}"))
            })?;
            part.attributes.push(ExrAttribute {
                name: attr_name,
                type_name,
                value,
            });
        }
        if part.attributes.is_empty() {
            // The empty header ending a multi-part file's header list.
            if parts.is_empty() {
                return Err(h.src.invalid("the header has no attributes"));
            }
            break;
        }
        parts.push(part);
        if !multi_part {
            break;
        }
        if parts.len() >= MAX_PARTS {
            return Err(h.src.invalid(format!("more than {MAX_PARTS} parts")));
        }
    }
    for (i, p) in parts.iter().enumerate() {
        for required in ["channels", "compression", "dataWindow", "displayWindow"] {
            if p.get(required).is_none() {
                return Err(h.src.invalid(format!(
                    "part {i}: required attribute {required} is missing or of the wrong type"
                )));
            }
        }
    }
    Ok(ExrHeader {
        version,
        tiled: flags & FLAG_TILED != 0,
        long_names,
        deep: flags & FLAG_DEEP != 0,
        multi_part,
        parts,
    })
}

/// The header bytes read so far and a read position in them.
struct HeaderBytes<'r, R: Read + Seek + ?Sized> {
    src: Source<'r, R>,
    buf: Vec<u8>,
    pos: usize,
}

impl<R: Read + Seek + ?Sized> HeaderBytes<'_, R> {
    /// Makes sure `n` bytes from the position are loaded (reading in growing chunks).
    fn need(&mut self, n: u64, what: &str) -> Result<()> {
        let want = (self.pos as u64).saturating_add(n);
        if want <= self.buf.len() as u64 {
            return Ok(());
        }
        if want > MAX_HEADER_BYTES {
            return Err(self.src.invalid(format!(
                "{what}: header larger than the {MAX_HEADER_BYTES} byte limit"
            )));
        }
        if want > self.src.len() {
            return Err(self.src.invalid(format!(
                "{what}: truncated header ({} bytes needed, the file has {})",
                want,
                self.src.len()
            )));
        }
        let target = want
            .max((self.buf.len() as u64).saturating_mul(2))
            .max(64 * 1024)
            .min(self.src.len())
            .min(MAX_HEADER_BYTES);
        let start = self.buf.len() as u64;
        let more = self
            .src
            .read_at(start, target - start, MAX_HEADER_BYTES, what)?;
        self.buf.extend_from_slice(&more);
        Ok(())
    }

    fn take(&mut self, n: u64, what: &str) -> Result<Vec<u8>> {
        self.need(n, what)?;
        let end = self.pos + n as usize;
        let out = self.buf.get(self.pos..end).unwrap_or_default().to_vec();
        self.pos = end;
        Ok(out)
    }

    /// A NUL-terminated name of at most `max` bytes.
    fn cstr(&mut self, max: usize, what: &str) -> Result<String> {
        let mut out = Vec::new();
        loop {
            let b = self.take(1, what)?;
            match b.first() {
                Some(0) | None => break,
                Some(&c) => out.push(c),
            }
            if out.len() > max {
                return Err(self.src.invalid(format!(
                    "{what}: longer than {max} bytes (not NUL-terminated?)"
                )));
            }
        }
        Ok(String::from_utf8_lossy(&out).into_owned())
    }
}

fn need_len(b: &[u8], n: usize) -> std::result::Result<(), String> {
    if b.len() < n {
        Err(format!("{} bytes, at least {n} expected", b.len()))
    } else {
        Ok(())
    }
}

fn f32s<const N: usize>(b: &[u8]) -> std::result::Result<[f32; N], String> {
    need_len(b, 4 * N)?;
    let f = Fields::le(b);
    let mut out = [0f32; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = f.f32(4 * i).unwrap_or(0.0);
    }
    Ok(out)
}

fn i32s<const N: usize>(b: &[u8]) -> std::result::Result<[i32; N], String> {
    need_len(b, 4 * N)?;
    let f = Fields::le(b);
    let mut out = [0i32; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = f.i32(4 * i).unwrap_or(0);
    }
    Ok(out)
}

fn f64s<const N: usize>(b: &[u8]) -> std::result::Result<[f64; N], String> {
    need_len(b, 8 * N)?;
    let f = Fields::le(b);
    let mut out = [0f64; N];
    for (i, v) in out.iter_mut().enumerate() {
        *v = f.f64(8 * i).unwrap_or(0.0);
    }
    Ok(out)
}

fn parse_channels(b: &[u8]) -> std::result::Result<Vec<ExrChannel>, String> {
    let mut out = Vec::new();
    let mut at = 0usize;
    loop {
        let rest = b.get(at..).ok_or("channel list runs past its size")?;
        let nul = rest
            .iter()
            .position(|&c| c == 0)
            .ok_or("channel list is not terminated")?;
        if nul == 0 {
            return Ok(out);
        }
        let name = String::from_utf8_lossy(rest.get(..nul).unwrap_or_default()).into_owned();
        let f = Fields::le(rest);
        let p = nul + 1;
        let (Some(pixel_type), Some(p_linear), Some(xs), Some(ys)) =
            (f.i32(p), f.u8(p + 4), f.i32(p + 8), f.i32(p + 12))
        else {
            return Err(format!("channel {name} is truncated"));
        };
        out.push(ExrChannel {
            name,
            pixel_type,
            p_linear: p_linear != 0,
            x_sampling: xs,
            y_sampling: ys,
        });
        at += p + 16;
    }
}

fn parse_value(type_name: &str, b: &[u8]) -> std::result::Result<ExrValue, String> {
    let f = Fields::le(b);
    let byte = || -> std::result::Result<u8, String> {
        need_len(b, 1)?;
        Ok(f.u8(0).unwrap_or(0))
    };
    Ok(match type_name {
        "int" => ExrValue::Int(i32s::<1>(b)?[0]),
        "float" => ExrValue::Float(f32s::<1>(b)?[0]),
        "double" => ExrValue::Double(f64s::<1>(b)?[0]),
        "string" => ExrValue::String(String::from_utf8_lossy(b).into_owned()),
        "stringvector" => {
            let mut v = Vec::new();
            let mut at = 0usize;
            while at < b.len() {
                let n = f.i32(at).ok_or("truncated string length")?;
                let n = usize::try_from(n).map_err(|_| format!("negative string length {n}"))?;
                let s = f.slice(at + 4, n).ok_or("string runs past the attribute")?;
                v.push(String::from_utf8_lossy(s).into_owned());
                at += 4 + n;
            }
            ExrValue::StringVector(v)
        }
        "box2i" => ExrValue::Box2i(i32s(b)?),
        "box2f" => ExrValue::Box2f(f32s(b)?),
        "v2i" => ExrValue::V2i(i32s(b)?),
        "v2f" => ExrValue::V2f(f32s(b)?),
        "v2d" => ExrValue::V2d(f64s(b)?),
        "v3i" => ExrValue::V3i(i32s(b)?),
        "v3f" => ExrValue::V3f(f32s(b)?),
        "v3d" => ExrValue::V3d(f64s(b)?),
        "m33f" => ExrValue::Numbers(f32s::<9>(b)?.iter().map(|&v| f64::from(v)).collect()),
        "m44f" => ExrValue::Numbers(f32s::<16>(b)?.iter().map(|&v| f64::from(v)).collect()),
        "m33d" => ExrValue::Numbers(f64s::<9>(b)?.to_vec()),
        "m44d" => ExrValue::Numbers(f64s::<16>(b)?.to_vec()),
        "floatvector" => ExrValue::Numbers(
            b.chunks_exact(4)
                .map(|c| f64::from(Fields::le(c).f32(0).unwrap_or(0.0)))
                .collect(),
        ),
        "chlist" => ExrValue::Channels(parse_channels(b)?),
        "compression" => ExrValue::Compression(byte()?),
        "lineOrder" => ExrValue::LineOrder(byte()?),
        "envmap" => ExrValue::Envmap(byte()?),
        "chromaticities" => ExrValue::Chromaticities(f32s(b)?),
        "timecode" => {
            let [t, u] = i32s::<2>(b)?;
            ExrValue::Timecode(ExrTimecode {
                time_and_flags: t as u32,
                user_data: u as u32,
            })
        }
        "keycode" => ExrValue::KeyCode(i32s(b)?),
        "rational" => {
            let [n, d] = i32s::<2>(b)?;
            ExrValue::Rational(n, d as u32)
        }
        "tiledesc" => {
            need_len(b, 9)?;
            ExrValue::TileDesc {
                x_size: f.u32(0).unwrap_or(0),
                y_size: f.u32(4).unwrap_or(0),
                mode: f.u8(8).unwrap_or(0),
            }
        }
        "preview" => {
            let [w, h] = i32s::<2>(b)?;
            let (w, h) = (w as u32, h as u32);
            let needed = u128::from(w) * u128::from(h) * 4 + 8;
            if needed != b.len() as u128 {
                return Err(format!(
                    "{w}x{h} preview needs {needed} bytes, the attribute has {}",
                    b.len()
                ));
            }
            ExrValue::Preview {
                width: w,
                height: h,
            }
        }
        _ => ExrValue::Opaque(b.len()),
    })
}
