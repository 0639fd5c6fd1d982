//! DNG / CinemaDNG raw decode: finds the raw image's directory, reads its storage, CFA and level
//! tags, decodes uncompressed or lossless-JPEG strips and tiles, and normalises the active area
//! into a [`CfaImage`] (DNG specification 1.4, chapters 3 and 5).
//!
//! Directories and tag values are read with the bounded TIFF walker of `inspect::ifd`; the pixel
//! data comes straight from the caller's bytes.

use std::io::Cursor;

use super::bayer::BayerPhase;
use super::image::{CfaImage, ImageLimits};
use super::levels::{RawLevels, normalise};
use super::unpack::{ByteOrder, RawLayout, RawSamples, SampleStorage, unpack};
use super::unpack_ljpeg::unpack_lossless_jpeg;
use crate::inspect::ifd::{self, Ifd, TiffFile, Value};
use crate::{Error, Result};

/// TIFF / DNG tag numbers read here.
mod tag {
    pub const NEW_SUBFILE_TYPE: u16 = 254;
    pub const IMAGE_WIDTH: u16 = 256;
    pub const IMAGE_LENGTH: u16 = 257;
    pub const BITS_PER_SAMPLE: u16 = 258;
    pub const COMPRESSION: u16 = 259;
    pub const PHOTOMETRIC: u16 = 262;
    pub const STRIP_OFFSETS: u16 = 273;
    pub const SAMPLES_PER_PIXEL: u16 = 277;
    pub const ROWS_PER_STRIP: u16 = 278;
    pub const STRIP_BYTE_COUNTS: u16 = 279;
    pub const PLANAR_CONFIGURATION: u16 = 284;
    pub const TILE_WIDTH: u16 = 322;
    pub const TILE_LENGTH: u16 = 323;
    pub const TILE_OFFSETS: u16 = 324;
    pub const TILE_BYTE_COUNTS: u16 = 325;
    pub const CFA_REPEAT_PATTERN_DIM: u16 = 33421;
    pub const CFA_PATTERN: u16 = 33422;
    pub const CFA_PLANE_COLOR: u16 = 50710;
    pub const CFA_LAYOUT: u16 = 50711;
    pub const LINEARIZATION_TABLE: u16 = 50712;
    pub const BLACK_LEVEL_REPEAT_DIM: u16 = 50713;
    pub const BLACK_LEVEL: u16 = 50714;
    pub const BLACK_LEVEL_DELTA_H: u16 = 50715;
    pub const BLACK_LEVEL_DELTA_V: u16 = 50716;
    pub const WHITE_LEVEL: u16 = 50717;
    pub const DEFAULT_SCALE: u16 = 50718;
    pub const DEFAULT_CROP_ORIGIN: u16 = 50719;
    pub const DEFAULT_CROP_SIZE: u16 = 50720;
    pub const ACTIVE_AREA: u16 = 50829;
}

/// PhotometricInterpretation of a colour-filter-array raw image.
const PHOTOMETRIC_CFA: u32 = 32803;
/// PhotometricInterpretation of a demosaiced ("linear raw") image.
const PHOTOMETRIC_LINEAR_RAW: u32 = 34892;

/// How the raw image's samples are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RawCompression {
    /// Compression 1: uncompressed, 8 to 16 bits, byte-aligned or bit-packed.
    Uncompressed,
    /// Compression 7: lossless JPEG per strip or tile.
    LosslessJpeg,
}

impl RawCompression {
    /// The TIFF `Compression` value.
    pub fn tag_value(self) -> u16 {
        match self {
            RawCompression::Uncompressed => 1,
            RawCompression::LosslessJpeg => 7,
        }
    }
}

/// A rectangle in active-area pixel coordinates (DNG `DefaultCropOrigin` / `DefaultCropSize`
/// may be fractional).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CropRect {
    /// Left edge, pixels from the active area's left.
    pub x: f64,
    /// Top edge, pixels from the active area's top.
    pub y: f64,
    /// Width in pixels.
    pub width: f64,
    /// Height in pixels.
    pub height: f64,
}

/// A decoded DNG raw image: the developed mosaic plus everything needed to check or redo it.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedRaw {
    /// The active area, linearized, black subtracted and divided by white - black, so 0 is black
    /// and 1.0 the white level (clipped to [0, 1]). Its phase is [`DecodedRaw::phase`].
    pub cfa: CfaImage,
    /// The Bayer layout at the active area's top-left pixel (pixel (0, 0) of `cfa`): DNG's
    /// `CFAPattern`, which is anchored there.
    pub phase: BayerPhase,
    /// The stored samples of the whole raw image (masked borders included) exactly as in the
    /// file, before linearization: what LibRaw calls `raw_image`.
    pub raw: RawSamples,
    /// `ActiveArea` as top, left, bottom, right in `raw` pixels (the whole image when absent).
    pub active_area: [u32; 4],
    /// `DefaultCropOrigin` / `DefaultCropSize` in active-area pixels (the whole active area when
    /// absent): the part of the image meant to be shown.
    pub default_crop: CropRect,
    /// `DefaultScale` (horizontal, vertical): multiply pixel widths by horizontal / vertical to
    /// get square pixels (2.0 for a 2x anamorphic squeeze). `[1.0, 1.0]` when absent.
    pub default_scale: [f64; 2],
    /// The linearization, black and white levels used for `cfa`, as the tags gave them.
    pub levels: RawLevels,
    /// `BitsPerSample` of the stored samples.
    pub bits_per_sample: u16,
    /// How the samples were stored.
    pub compression: RawCompression,
    /// Where the raw image's tags were found: `"IFD0"`, `"IFD n"` or `"SubIFD n"`.
    pub raw_ifd: String,
}

impl DecodedRaw {
    /// The stored samples of the active area, row-major (LibRaw's `raw_image_visible`).
    pub fn active_samples(&self) -> Vec<u16> {
        let [top, left, bottom, right] = self.active_area.map(|v| v as usize);
        (top..bottom)
            .flat_map(|y| self.raw.row(y)[left..right].iter().copied())
            .collect()
    }

    /// The default crop rounded to whole pixels and moved to even offsets, so the crop keeps
    /// [`DecodedRaw::phase`]: (x, y, width, height) in `cfa` pixels.
    pub fn default_crop_pixels(&self) -> (usize, usize, usize, usize) {
        let c = self.default_crop;
        let last_x = self.cfa.width().saturating_sub(1);
        let last_y = self.cfa.height().saturating_sub(1);
        let x = (c.x.round() as usize).min(last_x) & !1;
        let y = (c.y.round() as usize).min(last_y) & !1;
        let width = (c.width.round() as usize).min(self.cfa.width().saturating_sub(x));
        let height = (c.height.round() as usize).min(self.cfa.height().saturating_sub(y));
        (x, y, width.max(1), height.max(1))
    }
}

/// Decodes the raw CFA image of a DNG / CinemaDNG file held in memory.
///
/// Same as [`decode_dng_named`] with the file called `DNG` in errors.
pub fn decode_dng(file: &[u8], limits: &ImageLimits) -> Result<DecodedRaw> {
    decode_dng_named(file, "DNG", limits)
}

/// Decodes the raw CFA image of the DNG `file` (its whole bytes); `name` names it in errors.
///
/// The raw image is the first full-resolution (`NewSubfileType` 0) CFA image among IFD 0, its
/// SubIFDs and the rest of the IFD chain. Supported: 2x2 Bayer CFAs, uncompressed (8 to 16 bit,
/// packed or not) and lossless JPEG (compression 7) strips or tiles, `LinearizationTable`,
/// `BlackLevel` with `BlackLevelRepeatDim`, `BlackLevelDeltaH/V`, `WhiteLevel`, `ActiveArea`,
/// `DefaultCrop*` and `DefaultScale`. Anything else (another compression, X-Trans or
/// four-colour CFAs, LinearRaw images, several samples per pixel) is a clear "unsupported" error;
/// dimensions are checked against `limits` before anything large is allocated.
pub fn decode_dng_named(file: &[u8], name: &str, limits: &ImageLimits) -> Result<DecodedRaw> {
    let mut cursor = Cursor::new(file);
    let mut tiff = TiffFile::open(&mut cursor, name)?;
    let order = match tiff.byte_order() {
        ifd::ByteOrder::Little => ByteOrder::LittleEndian,
        ifd::ByteOrder::Big => ByteOrder::BigEndian,
    };
    let dirs = tiff.walk()?;
    let mut candidates: Vec<(&Ifd, String)> = Vec::new();
    let mut chain = dirs.chain.iter().enumerate();
    if let Some((_, ifd0)) = chain.next() {
        candidates.push((ifd0, "IFD0".into()));
    }
    candidates.extend(
        dirs.sub
            .iter()
            .enumerate()
            .map(|(i, s)| (s, format!("SubIFD {i}"))),
    );
    candidates.extend(chain.map(|(i, s)| (s, format!("IFD {i}"))));
    let mut tags = Tags { tiff, name };
    let mut seen = Vec::new();
    let mut raw = None;
    for (ifd, label) in candidates {
        let kind = tags.u32_or(ifd, tag::NEW_SUBFILE_TYPE, 0)?;
        let photometric = tags.u32_or(ifd, tag::PHOTOMETRIC, 0)?;
        if kind == 0 {
            if photometric == PHOTOMETRIC_CFA {
                raw = Some((ifd, label));
                break;
            }
            seen.push(format!("{label}: PhotometricInterpretation {photometric}"));
            if photometric == PHOTOMETRIC_LINEAR_RAW {
                return Err(tags.unsupported(format!(
                    "the main image ({label}) is LinearRaw (PhotometricInterpretation 34892, \
                     already demosaiced); only colour-filter-array raw images are decoded"
                )));
            }
        }
    }
    let Some((ifd, label)) = raw else {
        return Err(tags.unsupported(format!(
            "no full-resolution CFA raw image (NewSubfileType 0, PhotometricInterpretation 32803); \
             main images found: {}",
            if seen.is_empty() {
                "none".into()
            } else {
                seen.join(", ")
            }
        )));
    };
    decode_ifd(&mut tags, ifd, label, order, file, limits)
}

/// Reads and checks the raw IFD's tags, then decodes and normalises its pixels.
fn decode_ifd<R: std::io::Read + std::io::Seek>(
    tags: &mut Tags<'_, '_, R>,
    ifd: &Ifd,
    label: String,
    order: ByteOrder,
    file: &[u8],
    limits: &ImageLimits,
) -> Result<DecodedRaw> {
    let width = tags.required_u32(ifd, tag::IMAGE_WIDTH, "ImageWidth")?;
    let height = tags.required_u32(ifd, tag::IMAGE_LENGTH, "ImageLength")?;
    limits.check(tags.name, width as usize, height as usize)?;
    let samples_per_pixel = tags.u32_or(ifd, tag::SAMPLES_PER_PIXEL, 1)?;
    if samples_per_pixel != 1 {
        return Err(tags.unsupported(format!(
            "{samples_per_pixel} samples per pixel in a CFA image (1 expected)"
        )));
    }
    let planar = tags.u32_or(ifd, tag::PLANAR_CONFIGURATION, 1)?;
    if planar != 1 && planar != 2 {
        return Err(tags.invalid(format!("PlanarConfiguration {planar} (1 or 2 expected)")));
    }
    let bits = tags.required_u32(ifd, tag::BITS_PER_SAMPLE, "BitsPerSample")?;
    let bits_per_sample = u16::try_from(bits)
        .ok()
        .filter(|b| (1..=16).contains(b))
        .ok_or_else(|| tags.unsupported(format!("BitsPerSample {bits} (1 to 16 supported)")))?;
    let compression = match tags.u32_or(ifd, tag::COMPRESSION, 1)? {
        1 => RawCompression::Uncompressed,
        7 => RawCompression::LosslessJpeg,
        other => {
            let label = match other {
                6 => "old-style JPEG",
                8 | 32946 => "Deflate",
                34892 => "lossy JPEG",
                52546 => "JPEG XL",
                5 => "LZW",
                32773 => "PackBits",
                _ => "unknown",
            };
            return Err(tags.unsupported(format!(
                "unsupported DNG compression {other} ({label}); uncompressed (1) and lossless JPEG (7) are decoded"
            )));
        }
    };
    let phase = cfa_phase(tags, ifd)?;
    let storage = storage(tags, ifd)?;
    let layout = RawLayout {
        width,
        height,
        bits_per_sample,
        compression: compression.tag_value(),
        byte_order: order,
        storage,
    };
    let levels = levels(tags, ifd, width, height, bits_per_sample)?;
    let active_area = levels.active_area.unwrap_or([0, 0, height, width]);
    let [top, left, bottom, right] = active_area;
    let (active_w, active_h) = (
        f64::from(right.saturating_sub(left)),
        f64::from(bottom.saturating_sub(top)),
    );
    let default_scale = match tags.f64s(ifd, tag::DEFAULT_SCALE)? {
        None => [1.0, 1.0],
        Some(v) => match v.as_slice() {
            [h, v, ..] if *h > 0.0 && *v > 0.0 && h.is_finite() && v.is_finite() => [*h, *v],
            _ => {
                return Err(tags.invalid(format!("DefaultScale {v:?} is not two positive numbers")));
            }
        },
    };
    let origin = tags.f64s(ifd, tag::DEFAULT_CROP_ORIGIN)?;
    let size = tags.f64s(ifd, tag::DEFAULT_CROP_SIZE)?;
    let pair = |v: Option<Vec<f64>>, default: [f64; 2]| match v {
        None => Some(default),
        Some(v) => match v.as_slice() {
            [a, b, ..] => Some([*a, *b]),
            _ => None,
        },
    };
    let (Some([x, y]), Some([cw, ch])) =
        (pair(origin, [0.0, 0.0]), pair(size, [active_w, active_h]))
    else {
        return Err(tags.invalid("DefaultCropOrigin / DefaultCropSize need two values each".into()));
    };
    let default_crop = CropRect {
        x,
        y,
        width: cw,
        height: ch,
    };
    let fits = [x, y, cw, ch].iter().all(|v| v.is_finite() && *v >= 0.0)
        && cw > 0.0
        && ch > 0.0
        && x + cw <= active_w + 1e-9
        && y + ch <= active_h + 1e-9;
    if !fits {
        return Err(tags.invalid(format!(
            "default crop {cw}x{ch} at ({x}, {y}) is empty or outside the {active_w}x{active_h} active area"
        )));
    }
    let raw = match compression {
        RawCompression::Uncompressed => unpack(file, &layout, limits)?,
        RawCompression::LosslessJpeg => unpack_lossless_jpeg(file, &layout, limits)?,
    };
    let cfa = normalise(&raw, phase, &levels, limits)?;
    Ok(DecodedRaw {
        cfa,
        phase,
        raw,
        active_area,
        default_crop,
        default_scale,
        levels,
        bits_per_sample,
        compression,
        raw_ifd: label,
    })
}

/// The Bayer phase from `CFARepeatPatternDim`, `CFAPattern`, `CFAPlaneColor` and `CFALayout`.
fn cfa_phase<R: std::io::Read + std::io::Seek>(
    tags: &mut Tags<'_, '_, R>,
    ifd: &Ifd,
) -> Result<BayerPhase> {
    let name = tags.name.to_string();
    let unsupported = |problem: String| Error::UnsupportedCfa {
        what: name.clone(),
        problem,
    };
    let layout = tags.u32_or(ifd, tag::CFA_LAYOUT, 1)?;
    if layout != 1 {
        return Err(unsupported(format!(
            "CFALayout {layout} (staggered or other non-rectangular layout); only 1 (rectangular) is supported"
        )));
    }
    let dim = tags
        .u32s(ifd, tag::CFA_REPEAT_PATTERN_DIM)?
        .ok_or_else(|| tags.invalid("CFARepeatPatternDim is missing".into()))?;
    let pattern = tags
        .bytes(ifd, tag::CFA_PATTERN)?
        .ok_or_else(|| tags.invalid("CFAPattern is missing".into()))?;
    let planes = tags
        .bytes(ifd, tag::CFA_PLANE_COLOR)?
        .unwrap_or_else(|| vec![0, 1, 2]);
    match dim.as_slice() {
        [2, 2] => {}
        [6, 6] => {
            return Err(unsupported(
                "a 6x6 CFA repeat pattern (X-Trans); only 2x2 Bayer patterns are supported".into(),
            ));
        }
        [r, c] => {
            return Err(unsupported(format!(
                "a {r}x{c} CFA repeat pattern; only 2x2 Bayer patterns are supported"
            )));
        }
        other => {
            return Err(unsupported(format!(
                "CFARepeatPatternDim {other:?} is not two values"
            )));
        }
    }
    if planes.len() != 3 {
        return Err(unsupported(format!(
            "a {}-colour CFA (CFAPlaneColor {planes:?}); only red, green, blue Bayer CFAs are supported",
            planes.len()
        )));
    }
    if pattern.len() != 4 {
        return Err(unsupported(format!(
            "CFAPattern has {} entries for a 2x2 repeat pattern",
            pattern.len()
        )));
    }
    // Pattern entries index the planes; the planes name colours (0 red, 1 green, 2 blue, ...).
    let colours: Vec<u8> = pattern
        .iter()
        .map(|&p| {
            planes
                .get(usize::from(p))
                .copied()
                .unwrap_or(p.saturating_add(100))
        })
        .collect();
    if colours.iter().any(|&c| c > 2) || planes.iter().any(|&c| c > 2) {
        return Err(unsupported(format!(
            "CFAPattern {pattern:?} with CFAPlaneColor {planes:?} uses colours other than red, green and blue \
             (a four-colour or CMY CFA)"
        )));
    }
    BayerPhase::from_cfa_pattern(&colours).map_err(|e| match e {
        Error::UnsupportedCfa { problem, .. } => Error::UnsupportedCfa {
            what: format!("{name}: CFAPattern"),
            problem,
        },
        other => other,
    })
}

/// Strips or tiles.
fn storage<R: std::io::Read + std::io::Seek>(
    tags: &mut Tags<'_, '_, R>,
    ifd: &Ifd,
) -> Result<SampleStorage> {
    let longs = |v: Vec<u32>| v.into_iter().map(u64::from).collect::<Vec<u64>>();
    if ifd.entry(tag::TILE_OFFSETS).is_some() {
        let tile_width = tags.required_u32(ifd, tag::TILE_WIDTH, "TileWidth")?;
        let tile_length = tags.required_u32(ifd, tag::TILE_LENGTH, "TileLength")?;
        let offsets = tags.u32s(ifd, tag::TILE_OFFSETS)?.unwrap_or_default();
        let byte_counts = tags
            .u32s(ifd, tag::TILE_BYTE_COUNTS)?
            .ok_or_else(|| tags.invalid("TileByteCounts is missing".into()))?;
        Ok(SampleStorage::Tiles {
            tile_width,
            tile_length,
            offsets: longs(offsets),
            byte_counts: longs(byte_counts),
        })
    } else if ifd.entry(tag::STRIP_OFFSETS).is_some() {
        let rows_per_strip = tags.u32_or(ifd, tag::ROWS_PER_STRIP, u32::MAX)?;
        let offsets = tags.u32s(ifd, tag::STRIP_OFFSETS)?.unwrap_or_default();
        let byte_counts = tags
            .u32s(ifd, tag::STRIP_BYTE_COUNTS)?
            .ok_or_else(|| tags.invalid("StripByteCounts is missing".into()))?;
        Ok(SampleStorage::Strips {
            rows_per_strip,
            offsets: longs(offsets),
            byte_counts: longs(byte_counts),
        })
    } else {
        Err(tags.invalid("the raw image has neither StripOffsets nor TileOffsets".into()))
    }
}

/// Linearization, black and white levels and the active area.
fn levels<R: std::io::Read + std::io::Seek>(
    tags: &mut Tags<'_, '_, R>,
    ifd: &Ifd,
    width: u32,
    height: u32,
    bits: u16,
) -> Result<RawLevels> {
    let linearization_table = match tags.u32s(ifd, tag::LINEARIZATION_TABLE)? {
        None => Vec::new(),
        Some(v) => v
            .into_iter()
            .map(u16::try_from)
            .collect::<std::result::Result<Vec<u16>, _>>()
            .map_err(|_| tags.invalid("LinearizationTable holds values over 65535".into()))?,
    };
    let repeat = match tags.u32s(ifd, tag::BLACK_LEVEL_REPEAT_DIM)? {
        None => [1, 1],
        Some(v) => match v.as_slice() {
            [r, c] if (1..=256).contains(r) && (1..=256).contains(c) => [*r as u16, *c as u16],
            _ => {
                return Err(tags.invalid(format!(
                    "BlackLevelRepeatDim {v:?} is not two values from 1 to 256"
                )));
            }
        },
    };
    let black_level = tags
        .f64s(ifd, tag::BLACK_LEVEL)?
        .unwrap_or_else(|| vec![0.0; usize::from(repeat[0]) * usize::from(repeat[1])]);
    let black_level_delta_h = tags
        .f64s(ifd, tag::BLACK_LEVEL_DELTA_H)?
        .unwrap_or_default();
    let black_level_delta_v = tags
        .f64s(ifd, tag::BLACK_LEVEL_DELTA_V)?
        .unwrap_or_default();
    // DNG: the default white level is the largest value of BitsPerSample bits.
    let default_white = f64::from((1u32 << bits) - 1);
    let white_level = match tags.f64s(ifd, tag::WHITE_LEVEL)? {
        None => default_white,
        Some(v) => *v
            .first()
            .ok_or_else(|| tags.invalid("WhiteLevel has no value".into()))?,
    };
    let active_area = match tags.u32s(ifd, tag::ACTIVE_AREA)? {
        None => None,
        Some(v) => match v.as_slice() {
            &[t, l, b, r] if t < b && l < r && b <= height && r <= width => Some([t, l, b, r]),
            _ => {
                return Err(tags.invalid(format!(
                    "ActiveArea {v:?} (top, left, bottom, right) is empty or outside the {width}x{height} image"
                )));
            }
        },
    };
    Ok(RawLevels {
        linearization_table,
        black_level_repeat: repeat,
        black_level,
        black_level_delta_h,
        black_level_delta_v,
        white_level,
        active_area,
    })
}

/// Tag values of one file, every problem an error naming the file and the tag.
struct Tags<'r, 'n, R: std::io::Read + std::io::Seek> {
    tiff: TiffFile<'r, R>,
    name: &'n str,
}

impl<R: std::io::Read + std::io::Seek> Tags<'_, '_, R> {
    fn invalid(&self, problem: String) -> Error {
        Error::MetadataInvalid {
            file: self.name.to_string(),
            format: "DNG",
            problem,
        }
    }

    fn unsupported(&self, problem: String) -> Error {
        Error::UnsupportedDng {
            file: self.name.to_string(),
            problem,
        }
    }

    fn value(&mut self, ifd: &Ifd, tag: u16) -> Result<Option<Value>> {
        match ifd.entry(tag).copied() {
            None => Ok(None),
            Some(entry) => self.tiff.value(&entry).map(Some),
        }
    }

    fn u32s(&mut self, ifd: &Ifd, tag: u16) -> Result<Option<Vec<u32>>> {
        match self.value(ifd, tag)? {
            None => Ok(None),
            Some(v) => v
                .as_u32s()
                .map(Some)
                .ok_or_else(|| self.invalid(format!("tag {tag}: expected unsigned integers"))),
        }
    }

    fn u32_or(&mut self, ifd: &Ifd, tag: u16, default: u32) -> Result<u32> {
        Ok(self
            .u32s(ifd, tag)?
            .and_then(|v| v.first().copied())
            .unwrap_or(default))
    }

    fn required_u32(&mut self, ifd: &Ifd, tag: u16, name: &str) -> Result<u32> {
        self.u32s(ifd, tag)?
            .and_then(|v| v.first().copied())
            .ok_or_else(|| self.invalid(format!("{name} (tag {tag}) is missing")))
    }

    fn f64s(&mut self, ifd: &Ifd, tag: u16) -> Result<Option<Vec<f64>>> {
        match self.value(ifd, tag)? {
            None => Ok(None),
            Some(v) => match v.as_f64s() {
                Some(v) if v.iter().all(|x| x.is_finite()) => Ok(Some(v)),
                _ => Err(self.invalid(format!(
                    "tag {tag}: expected finite numbers (a rational with a zero denominator?)"
                ))),
            },
        }
    }

    fn bytes(&mut self, ifd: &Ifd, tag: u16) -> Result<Option<Vec<u8>>> {
        match self.value(ifd, tag)? {
            None => Ok(None),
            Some(Value::Bytes(b)) => Ok(Some(b)),
            Some(v) => match v.as_u32s() {
                Some(v) => v
                    .into_iter()
                    .map(|x| u8::try_from(x).ok())
                    .collect::<Option<Vec<u8>>>()
                    .map(Some)
                    .ok_or_else(|| self.invalid(format!("tag {tag}: values over 255"))),
                None => Err(self.invalid(format!("tag {tag}: expected bytes"))),
            },
        }
    }
}

#[cfg(test)]
#[path = "dng_tests.rs"]
mod tests;
