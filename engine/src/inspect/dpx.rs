//! DPX (SMPTE 268M-2003) header reader: file, image, orientation, film and television headers,
//! both byte orders; unset fields (all bits set) are absent. Never reads the image data.

use std::io::{Read, Seek};

use super::source::{Fields, Source, fixed_text};
use super::timecode::Timecode;
use crate::Result;

/// Size of the generic + industry headers read.
pub const DPX_HEADER_BYTES: u64 = 2048;

/// One image element of the image header.
#[derive(Debug, Clone, PartialEq)]
pub struct DpxElement {
    /// Data sign: 0 unsigned, 1 signed.
    pub data_sign: Option<u32>,
    /// Descriptor code (50 RGB, 51 RGBA, 6 luma, 100 CbYCrY...).
    pub descriptor: Option<u8>,
    /// Transfer characteristic code.
    pub transfer: Option<u8>,
    /// Colorimetric specification code.
    pub colorimetric: Option<u8>,
    /// Bits per component.
    pub bit_depth: Option<u8>,
    /// Packing: 0 packed, 1 filled method A, 2 filled method B.
    pub packing: Option<u16>,
    /// Encoding: 0 none, 1 run-length.
    pub encoding: Option<u16>,
    /// Offset of the element's data.
    pub data_offset: Option<u32>,
    /// Reference low data code value.
    pub ref_low_data: Option<u32>,
    /// Reference high data code value.
    pub ref_high_data: Option<u32>,
    /// Description.
    pub description: Option<String>,
}

/// Film header: key code (edge code) and film information.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DpxFilm {
    /// Film manufacturer id code (2 digits).
    pub manufacturer_id: Option<String>,
    /// Film type (2 digits).
    pub film_type: Option<String>,
    /// Offset in perforations (2 digits).
    pub offset: Option<String>,
    /// Prefix (6 digits).
    pub prefix: Option<String>,
    /// Count (4 digits).
    pub count: Option<String>,
    /// Format, e.g. `Academy`.
    pub format: Option<String>,
    /// Frame position in sequence.
    pub frame_position: Option<u32>,
    /// Sequence length in frames.
    pub sequence_length: Option<u32>,
    /// Held count.
    pub held_count: Option<u32>,
    /// Frame rate of the original (frames per second).
    pub frame_rate: Option<f32>,
    /// Shutter angle in degrees.
    pub shutter_angle: Option<f32>,
    /// Frame identification (e.g. keyframe).
    pub frame_id: Option<String>,
    /// Slate information.
    pub slate: Option<String>,
}

impl DpxFilm {
    /// The key code as `mfg type prefix count+offset` digits run together (as SMPTE 254 edge
    /// code is printed by OpenImageIO's `dpx:FilmEdgeCode`): manufacturer, type, offset, prefix
    /// and count, when all five are set.
    pub fn edge_code(&self) -> Option<String> {
        Some(format!(
            "{}{}{}{}{}",
            self.manufacturer_id.as_ref()?,
            self.film_type.as_ref()?,
            self.offset.as_ref()?,
            self.prefix.as_ref()?,
            self.count.as_ref()?
        ))
    }
}

/// Television header.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DpxTv {
    /// SMPTE time code as stored (BCD `HHMMSSFF`).
    pub timecode_raw: Option<u32>,
    /// The decoded time code.
    pub timecode: Option<Timecode>,
    /// User bits as stored.
    pub user_bits: Option<u32>,
    /// Interlace: 0 non-interlaced, 1 2:1.
    pub interlace: Option<u8>,
    /// Field number.
    pub field_number: Option<u8>,
    /// Video signal standard code.
    pub video_signal: Option<u8>,
    /// Temporal sampling rate (frame rate) in Hz.
    pub frame_rate: Option<f32>,
    /// Time offset from sync to first pixel in microseconds.
    pub time_offset: Option<f32>,
    /// Gamma.
    pub gamma: Option<f32>,
}

/// Everything read from a DPX header.
#[derive(Debug, Clone, PartialEq)]
pub struct DpxMetadata {
    /// Big-endian file (`SDPX`) or little-endian (`XPDS`).
    pub big_endian: bool,
    /// Header version (`V2.0`, `V1.0`).
    pub version: Option<String>,
    /// Offset of the image data.
    pub image_offset: Option<u32>,
    /// File size recorded in the header.
    pub file_size: Option<u32>,
    /// Ditto key (0 same as previous frame, 1 new).
    pub ditto_key: Option<u32>,
    /// Image file name.
    pub file_name: Option<String>,
    /// Creation time `YYYY:MM:DD:hh:mm:ssLTZ`.
    pub creation_time: Option<String>,
    /// Creator.
    pub creator: Option<String>,
    /// Project.
    pub project: Option<String>,
    /// Copyright.
    pub copyright: Option<String>,
    /// Orientation code (0 left-to-right, top-to-bottom).
    pub orientation: Option<u16>,
    /// Number of image elements.
    pub element_count: u16,
    /// Pixels per line.
    pub width: u32,
    /// Lines per element.
    pub height: u32,
    /// The image elements (as many as `element_count`, at most 8).
    pub elements: Vec<DpxElement>,
    /// Orientation header: X, Y offset.
    pub offset: [Option<u32>; 2],
    /// Orientation header: original X, Y size.
    pub original_size: [Option<u32>; 2],
    /// Orientation header: source file name.
    pub source_file_name: Option<String>,
    /// Orientation header: source creation time.
    pub source_time: Option<String>,
    /// Orientation header: input device name.
    pub input_device: Option<String>,
    /// Orientation header: input device serial number.
    pub input_serial: Option<String>,
    /// Pixel aspect ratio (horizontal, vertical).
    pub pixel_aspect: Option<[u32; 2]>,
    /// Film header.
    pub film: DpxFilm,
    /// Television header.
    pub tv: DpxTv,
    /// Fields that were present but unusable.
    pub warnings: Vec<String>,
}

/// Name of a descriptor code.
pub fn descriptor_name(code: u8) -> String {
    match code {
        0 => "User defined",
        1 => "Red",
        2 => "Green",
        3 => "Blue",
        4 => "Alpha",
        6 => "Luminance",
        7 => "Chrominance",
        8 => "Depth",
        9 => "Composite video",
        50 => "RGB",
        51 => "RGBA",
        52 => "ABGR",
        100 => "CbYCrY",
        101 => "CbYACrYA",
        102 => "CbYCr",
        103 => "CbYCrA",
        c @ 150..=156 => return format!("User defined {} elements", c - 148),
        c => return format!("descriptor {c}"),
    }
    .to_string()
}

/// Name of a transfer characteristic (or, for codes 0..=1 and 4..=10, colorimetric) code, as
/// SMPTE 268M names them.
pub fn characteristic_name(code: u8) -> String {
    match code {
        0 => "User defined",
        1 => "Printing density",
        2 => "Linear",
        3 => "Logarithmic",
        4 => "Unspecified video",
        5 => "SMPTE 274M",
        6 => "ITU-R 709-4",
        7 => "ITU-R 601-5 system B or G",
        8 => "ITU-R 601-5 system M",
        9 => "NTSC composite video",
        10 => "PAL composite video",
        11 => "Z depth linear",
        12 => "Z depth homogeneous",
        c => return format!("code {c}"),
    }
    .to_string()
}

/// Name of a packing code.
pub fn packing_name(code: u16) -> String {
    match code {
        0 => "Packed".into(),
        1 => "Filled, method A".into(),
        2 => "Filled, method B".into(),
        c => format!("packing {c}"),
    }
}

fn set_u8(v: Option<u8>) -> Option<u8> {
    v.filter(|&x| x != 0xFF)
}
fn set_u16(v: Option<u16>) -> Option<u16> {
    v.filter(|&x| x != 0xFFFF)
}
fn set_u32(v: Option<u32>) -> Option<u32> {
    v.filter(|&x| x != 0xFFFF_FFFF)
}
fn set_f32(v: Option<f32>) -> Option<f32> {
    v.filter(|x| x.is_finite() && x.to_bits() != 0xFFFF_FFFF)
}

/// Reads the DPX header of the file behind `reader` (`name` names it in errors).
pub fn read_dpx<R: Read + Seek + ?Sized>(reader: &mut R, name: &str) -> Result<DpxMetadata> {
    let mut src = Source::new(reader, name, "DPX")?;
    if src.len() < DPX_HEADER_BYTES {
        let magic = src.read_up_to(0, 4, "magic")?;
        if magic != b"SDPX" && magic != b"XPDS" {
            return Err(src.invalid("not a DPX file (no SDPX/XPDS magic number)"));
        }
        return Err(src.invalid(format!(
            "truncated header: {} bytes, the generic and industry headers take {DPX_HEADER_BYTES}",
            src.len()
        )));
    }
    let b = src.read_at(0, DPX_HEADER_BYTES, DPX_HEADER_BYTES, "header")?;
    let big_endian = match b.get(..4) {
        Some(b"SDPX") => true,
        Some(b"XPDS") => false,
        _ => return Err(src.invalid("not a DPX file (no SDPX/XPDS magic number)")),
    };
    let f = Fields {
        bytes: &b,
        big_endian,
    };
    let text = |at: usize, len: usize| f.slice(at, len).and_then(fixed_text);
    let mut warnings = Vec::new();
    let element_count = set_u16(f.u16(770)).unwrap_or(0);
    let width = set_u32(f.u32(772)).unwrap_or(0);
    let height = set_u32(f.u32(776)).unwrap_or(0);
    if element_count == 0 || element_count > 8 {
        return Err(src.invalid(format!(
            "image header: {element_count} image elements (1 to 8 allowed)"
        )));
    }
    if width == 0 || height == 0 {
        return Err(src.invalid(format!(
            "image header: image size {width}x{height} is empty or unset"
        )));
    }
    let elements = (0..usize::from(element_count))
        .map(|i| {
            let e = 780 + 72 * i;
            DpxElement {
                data_sign: set_u32(f.u32(e)),
                ref_low_data: set_u32(f.u32(e + 4)),
                ref_high_data: set_u32(f.u32(e + 12)),
                descriptor: set_u8(f.u8(e + 20)),
                transfer: set_u8(f.u8(e + 21)),
                colorimetric: set_u8(f.u8(e + 22)),
                bit_depth: set_u8(f.u8(e + 23)),
                packing: set_u16(f.u16(e + 24)),
                encoding: set_u16(f.u16(e + 26)),
                data_offset: set_u32(f.u32(e + 28)),
                description: text(e + 40, 32),
            }
        })
        .collect::<Vec<_>>();
    let image_offset = set_u32(f.u32(4));
    if let Some(off) = image_offset.filter(|&o| u64::from(o) > src.len()) {
        warnings.push(format!(
            "image data offset {off} is past the end of the file ({} bytes)",
            src.len()
        ));
    }
    let timecode_raw = set_u32(f.u32(1920));
    let timecode = match timecode_raw {
        Some(t) => match Timecode::from_smpte_331m(&t.to_le_bytes()) {
            Ok(tc) => Some(tc),
            Err(e) => {
                warnings.push(format!("television header: time code {t:#010x}: {e}"));
                None
            }
        },
        None => None,
    };
    let pixel_aspect = match (set_u32(f.u32(1628)), set_u32(f.u32(1632))) {
        (Some(h), Some(v)) if h > 0 && v > 0 => Some([h, v]),
        _ => None,
    };
    Ok(DpxMetadata {
        big_endian,
        version: text(8, 8),
        image_offset,
        file_size: set_u32(f.u32(16)),
        ditto_key: set_u32(f.u32(20)),
        file_name: text(36, 100),
        creation_time: text(136, 24),
        creator: text(160, 100),
        project: text(260, 200),
        copyright: text(460, 200),
        orientation: set_u16(f.u16(768)),
        element_count,
        width,
        height,
        elements,
        offset: [set_u32(f.u32(1408)), set_u32(f.u32(1412))],
        original_size: [set_u32(f.u32(1424)), set_u32(f.u32(1428))],
        source_file_name: text(1432, 100),
        source_time: text(1532, 24),
        input_device: text(1556, 32),
        input_serial: text(1588, 32),
        pixel_aspect,
        film: DpxFilm {
            manufacturer_id: text(1664, 2),
            film_type: text(1666, 2),
            offset: text(1668, 2),
            prefix: text(1670, 6),
            count: text(1676, 4),
            format: text(1680, 32),
            frame_position: set_u32(f.u32(1712)),
            sequence_length: set_u32(f.u32(1716)),
            held_count: set_u32(f.u32(1720)),
            frame_rate: set_f32(f.f32(1724)),
            shutter_angle: set_f32(f.f32(1728)),
            frame_id: text(1732, 32),
            slate: text(1764, 100),
        },
        tv: DpxTv {
            timecode_raw,
            timecode,
            user_bits: set_u32(f.u32(1924)),
            interlace: set_u8(f.u8(1928)),
            field_number: set_u8(f.u8(1929)),
            video_signal: set_u8(f.u8(1930)),
            frame_rate: set_f32(f.f32(1940)),
            time_offset: set_f32(f.f32(1944)),
            gamma: set_f32(f.f32(1948)),
        },
        warnings,
    })
}

impl DpxMetadata {
    /// The frame rate: the film header's, else the television header's.
    pub fn frame_rate(&self) -> Option<f32> {
        self.film
            .frame_rate
            .or(self.tv.frame_rate)
            .filter(|r| *r > 0.0)
    }
}
