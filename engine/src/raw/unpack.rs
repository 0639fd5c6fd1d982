//! Uncompressed CFA sample data of a DNG / TIFF-EP raw image: strips or tiles of 8- to 16-bit
//! samples, byte-aligned or bit-packed, read into 16-bit integers exactly as stored.
//!
//! The caller reads the tags (a TIFF/DNG reader lives elsewhere) and describes the storage with a
//! [`RawLayout`]; this module only checks that description against the file and copies pixels.

use super::image::ImageLimits;
use crate::{Error, Result};

/// Byte order of the file (`II` little-endian, `MM` big-endian); 16-bit samples use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ByteOrder {
    /// `II`.
    #[default]
    LittleEndian,
    /// `MM`.
    BigEndian,
}

/// Where the sample bytes are in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SampleStorage {
    /// `StripOffsets`, `StripByteCounts` and `RowsPerStrip`.
    Strips {
        /// Rows in every strip but possibly the last.
        rows_per_strip: u32,
        /// File offset of each strip.
        offsets: Vec<u64>,
        /// Byte length of each strip.
        byte_counts: Vec<u64>,
    },
    /// `TileOffsets`, `TileByteCounts`, `TileWidth` and `TileLength` (tiles row by row; edge
    /// tiles are stored full size).
    Tiles {
        /// Tile width in pixels.
        tile_width: u32,
        /// Tile height in pixels.
        tile_length: u32,
        /// File offset of each tile.
        offsets: Vec<u64>,
        /// Byte length of each tile.
        byte_counts: Vec<u64>,
    },
}

/// The storage of one raw CFA image, from its IFD's tags.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawLayout {
    /// `ImageWidth`.
    pub width: u32,
    /// `ImageLength`.
    pub height: u32,
    /// `BitsPerSample`: 8 to 16. Other than 8 and 16, samples are packed most significant bit
    /// first and every row (of a strip or tile) starts on a byte boundary.
    pub bits_per_sample: u16,
    /// `Compression`: only 1 (uncompressed) is decoded here.
    pub compression: u16,
    /// The file's byte order.
    pub byte_order: ByteOrder,
    /// Strips or tiles.
    pub storage: SampleStorage,
}

/// Raw integer samples of a whole CFA image (masked borders included), row-major, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawSamples {
    width: usize,
    height: usize,
    samples: Vec<u16>,
}

impl RawSamples {
    /// Wraps `width` x `height` samples (row-major, no padding).
    pub fn new(
        width: usize,
        height: usize,
        samples: Vec<u16>,
        limits: &ImageLimits,
    ) -> Result<Self> {
        let n = limits.check("raw samples", width, height)?;
        if samples.len() != n {
            return Err(Error::ImageDimensions {
                what: "raw samples".into(),
                problem: format!("{} samples for {width}x{height}", samples.len()),
            });
        }
        Ok(RawSamples {
            width,
            height,
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

    /// All samples, row-major.
    pub fn samples(&self) -> &[u16] {
        &self.samples
    }

    /// Row `y`. Panics if `y >= height`.
    pub fn row(&self, y: usize) -> &[u16] {
        &self.samples[y * self.width..(y + 1) * self.width]
    }
}

fn bad(what: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::RawData {
        what: what.into(),
        problem: problem.into(),
    }
}

/// Unpacks `dst.len()` samples of `bits` bits from `src` (which holds at least enough bytes).
fn unpack_row(src: &[u8], bits: u16, order: ByteOrder, dst: &mut [u16]) {
    match (bits, order) {
        (8, _) => dst
            .iter_mut()
            .zip(src)
            .for_each(|(d, &s)| *d = u16::from(s)),
        (16, ByteOrder::LittleEndian) => dst
            .iter_mut()
            .zip(src.chunks_exact(2))
            .for_each(|(d, s)| *d = u16::from_le_bytes([s[0], s[1]])),
        (16, ByteOrder::BigEndian) => dst
            .iter_mut()
            .zip(src.chunks_exact(2))
            .for_each(|(d, s)| *d = u16::from_be_bytes([s[0], s[1]])),
        _ => {
            let bits = u32::from(bits);
            let mask = (1u32 << bits) - 1;
            let mut acc = 0u32;
            let mut have = 0u32;
            let mut bytes = src.iter();
            for d in dst.iter_mut() {
                while have < bits {
                    acc = (acc << 8) | u32::from(bytes.next().copied().unwrap_or(0));
                    have += 8;
                }
                have -= bits;
                *d = ((acc >> have) & mask) as u16;
                acc &= (1u32 << have) - 1;
            }
        }
    }
}

/// Bytes of one row of `pixels` samples of `bits` bits.
fn row_bytes(pixels: usize, bits: u16) -> Option<usize> {
    pixels.checked_mul(usize::from(bits)).map(|b| b.div_ceil(8))
}

/// The bytes of block `index` (a strip or tile) that must hold `needed` bytes.
fn block<'a>(
    file: &'a [u8],
    kind: &str,
    index: usize,
    offset: u64,
    byte_count: u64,
    needed: usize,
) -> Result<&'a [u8]> {
    let what = format!("raw {kind} {index}");
    if byte_count < needed as u64 {
        return Err(bad(
            what,
            format!("{byte_count} bytes, but its pixels need {needed}"),
        ));
    }
    let start = usize::try_from(offset).ok().filter(|&s| s <= file.len());
    let end = start
        .and_then(|s| s.checked_add(needed))
        .filter(|&e| e <= file.len());
    match (start, end) {
        (Some(s), Some(e)) => Ok(&file[s..e]),
        _ => Err(bad(
            what,
            format!(
                "offset {offset} + {needed} bytes runs past the end of the data ({} bytes)",
                file.len()
            ),
        )),
    }
}

/// Reads the CFA samples that `layout` describes out of `file` (the whole file's bytes).
///
/// Checks the layout before allocating: supported compression and bit depth, dimensions within
/// `limits`, the right number of strips or tiles, every one long enough and inside the file.
pub fn unpack(file: &[u8], layout: &RawLayout, limits: &ImageLimits) -> Result<RawSamples> {
    if layout.compression != 1 {
        let name = match layout.compression {
            7 => " (lossless JPEG)",
            8 | 32946 => " (Deflate)",
            34892 => " (lossy JPEG)",
            52546 => " (JPEG XL)",
            _ => "",
        };
        return Err(Error::UnsupportedCfa {
            what: "raw image".into(),
            problem: format!(
                "compression {}{name} is not supported; only uncompressed (1) data is decoded",
                layout.compression
            ),
        });
    }
    let bits = layout.bits_per_sample;
    if !(8..=16).contains(&bits) {
        return Err(Error::UnsupportedCfa {
            what: "raw image".into(),
            problem: format!("{bits} bits per sample (8 to 16 are supported)"),
        });
    }
    let (w, h) = (layout.width as usize, layout.height as usize);
    limits.check("raw image", w, h)?;
    let mut samples = vec![0u16; w * h];
    match &layout.storage {
        SampleStorage::Strips {
            rows_per_strip,
            offsets,
            byte_counts,
        } => {
            let rps = (*rows_per_strip as usize).clamp(1, h);
            let count = h.div_ceil(rps);
            if offsets.len() != count || byte_counts.len() != count {
                return Err(bad(
                    "raw strips",
                    format!(
                        "{} offsets and {} byte counts, but {h} rows of {rps} per strip need {count}",
                        offsets.len(),
                        byte_counts.len()
                    ),
                ));
            }
            let stride =
                row_bytes(w, bits).ok_or_else(|| bad("raw strips", "row size overflows"))?;
            for (i, (rows, (&off, &len))) in samples
                .chunks_mut(rps * w)
                .zip(offsets.iter().zip(byte_counts))
                .enumerate()
            {
                let n_rows = rows.len() / w;
                let data = block(file, "strip", i, off, len, n_rows * stride)?;
                for (dst, src) in rows.chunks_mut(w).zip(data.chunks(stride)) {
                    unpack_row(src, bits, layout.byte_order, dst);
                }
            }
        }
        SampleStorage::Tiles {
            tile_width,
            tile_length,
            offsets,
            byte_counts,
        } => {
            let (tw, tl) = (*tile_width as usize, *tile_length as usize);
            if !(1..=65_536).contains(&tw) || !(1..=65_536).contains(&tl) {
                return Err(bad(
                    "raw tiles",
                    format!("tile size {tw}x{tl} is outside 1 to 65536"),
                ));
            }
            let (across, down) = (w.div_ceil(tw), h.div_ceil(tl));
            let count = across * down;
            if offsets.len() != count || byte_counts.len() != count {
                return Err(bad(
                    "raw tiles",
                    format!(
                        "{} offsets and {} byte counts, but {across}x{down} tiles of {tw}x{tl} are needed",
                        offsets.len(),
                        byte_counts.len()
                    ),
                ));
            }
            let stride =
                row_bytes(tw, bits).ok_or_else(|| bad("raw tiles", "row size overflows"))?;
            let mut row = vec![0u16; tw];
            for (i, (&off, &len)) in offsets.iter().zip(byte_counts).enumerate() {
                let data = block(file, "tile", i, off, len, tl.saturating_mul(stride))?;
                let (x0, y0) = ((i % across) * tw, (i / across) * tl);
                let cols = tw.min(w - x0);
                for (ty, src) in data
                    .chunks(stride)
                    .take(h.saturating_sub(y0).min(tl))
                    .enumerate()
                {
                    unpack_row(src, bits, layout.byte_order, &mut row);
                    let start = (y0 + ty) * w + x0;
                    samples[start..start + cols].copy_from_slice(&row[..cols]);
                }
            }
        }
    }
    Ok(RawSamples {
        width: w,
        height: h,
        samples,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// Packs `values` of `bits` bits most significant bit first, padding the row to a byte.
    fn pack(values: &[u16], bits: u16) -> Vec<u8> {
        let mut out = Vec::new();
        let (mut acc, mut have) = (0u64, 0u32);
        for &v in values {
            acc = (acc << bits) | u64::from(v);
            have += u32::from(bits);
            while have >= 8 {
                have -= 8;
                out.push((acc >> have) as u8);
            }
        }
        if have > 0 {
            out.push((acc << (8 - have)) as u8);
        }
        out
    }

    fn values(n: usize, bits: u16) -> Vec<u16> {
        (0..n)
            .map(|i| ((i * 2654435761) % (1 << bits)) as u16)
            .collect()
    }

    fn strips(w: u32, h: u32, bits: u16, rps: u32, file: &[u8], order: ByteOrder) -> RawLayout {
        let stride = (w as u64 * u64::from(bits)).div_ceil(8);
        let count = h.div_ceil(rps);
        let mut offsets = Vec::new();
        let mut byte_counts = Vec::new();
        for i in 0..count {
            let rows = rps.min(h - i * rps) as u64;
            offsets.push(u64::from(i * rps) * stride);
            byte_counts.push(rows * stride);
        }
        assert_eq!(
            offsets.last().unwrap() + byte_counts.last().unwrap(),
            file.len() as u64
        );
        RawLayout {
            width: w,
            height: h,
            bits_per_sample: bits,
            compression: 1,
            byte_order: order,
            storage: SampleStorage::Strips {
                rows_per_strip: rps,
                offsets,
                byte_counts,
            },
        }
    }

    #[test]
    fn every_bit_depth_unpacks_packed_rows_exactly() {
        let (w, h) = (13usize, 5usize);
        for bits in 8..=16u16 {
            let want = values(w * h, bits);
            let file: Vec<u8> = match bits {
                16 => want.iter().flat_map(|v| v.to_le_bytes()).collect(),
                _ => want.chunks(w).flat_map(|row| pack(row, bits)).collect(),
            };
            let layout = strips(w as u32, h as u32, bits, 2, &file, ByteOrder::LittleEndian);
            let got = unpack(&file, &layout, &ImageLimits::default()).unwrap();
            assert_eq!(got.samples(), want.as_slice(), "{bits} bits");
        }
        // Big-endian 16-bit.
        let want = values(w * h, 16);
        let file: Vec<u8> = want.iter().flat_map(|v| v.to_be_bytes()).collect();
        let layout = strips(w as u32, h as u32, 16, 3, &file, ByteOrder::BigEndian);
        assert_eq!(
            unpack(&file, &layout, &ImageLimits::default())
                .unwrap()
                .samples(),
            want.as_slice()
        );
    }

    #[test]
    fn tiles_are_placed_and_edge_padding_dropped() {
        let (w, h, tw, tl, bits) = (10usize, 7usize, 4usize, 3usize, 12u16);
        let want = values(w * h, bits);
        let (across, down) = (w.div_ceil(tw), h.div_ceil(tl));
        let mut file = Vec::new();
        let (mut offsets, mut byte_counts) = (Vec::new(), Vec::new());
        for t in 0..across * down {
            let (x0, y0) = ((t % across) * tw, (t / across) * tl);
            offsets.push(file.len() as u64);
            let start = file.len();
            for y in y0..y0 + tl {
                let row: Vec<u16> = (x0..x0 + tw)
                    .map(|x| {
                        if x < w && y < h {
                            want[y * w + x]
                        } else {
                            0xABC
                        }
                    })
                    .collect();
                file.extend(pack(&row, bits));
            }
            byte_counts.push((file.len() - start) as u64);
        }
        let layout = RawLayout {
            width: w as u32,
            height: h as u32,
            bits_per_sample: bits,
            compression: 1,
            byte_order: ByteOrder::LittleEndian,
            storage: SampleStorage::Tiles {
                tile_width: tw as u32,
                tile_length: tl as u32,
                offsets,
                byte_counts,
            },
        };
        let got = unpack(&file, &layout, &ImageLimits::default()).unwrap();
        assert_eq!(got.samples(), want.as_slice());

        // A missing tile, a short tile and a tile past the end are errors.
        let mut missing = layout.clone();
        if let SampleStorage::Tiles {
            offsets,
            byte_counts,
            ..
        } = &mut missing.storage
        {
            offsets.pop();
            byte_counts.pop();
        }
        let err = unpack(&file, &missing, &ImageLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("3x3 tiles of 4x3 are needed"), "{err}");
        let mut short = layout.clone();
        if let SampleStorage::Tiles { byte_counts, .. } = &mut short.storage {
            byte_counts[4] -= 1;
        }
        let err = unpack(&file, &short, &ImageLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("raw tile 4:"), "{err}");
        let mut past = layout;
        if let SampleStorage::Tiles { offsets, .. } = &mut past.storage {
            offsets[8] = u64::MAX;
        }
        let err = unpack(&file, &past, &ImageLimits::default())
            .unwrap_err()
            .to_string();
        assert!(err.contains("runs past the end"), "{err}");
    }

    #[test]
    fn bad_layouts_are_clear_errors() {
        let file = [0u8; 64];
        let base = strips(4, 4, 16, 2, &file[..32], ByteOrder::LittleEndian);
        let check = |layout: RawLayout, needle: &str| {
            let err = unpack(&file[..32], &layout, &ImageLimits::default())
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        };
        check(
            RawLayout {
                compression: 7,
                ..base.clone()
            },
            "compression 7 (lossless JPEG) is not supported",
        );
        check(
            RawLayout {
                bits_per_sample: 7,
                ..base.clone()
            },
            "7 bits per sample",
        );
        check(
            RawLayout {
                bits_per_sample: 32,
                ..base.clone()
            },
            "32 bits per sample",
        );
        check(
            RawLayout {
                width: 0,
                ..base.clone()
            },
            "is empty",
        );
        check(
            RawLayout {
                width: 1 << 20,
                height: 1 << 20,
                ..base.clone()
            },
            "larger than the limit",
        );
        check(
            RawLayout {
                height: 5,
                ..base.clone()
            },
            "need 3",
        );
        let mut truncated = base.clone();
        if let SampleStorage::Strips { byte_counts, .. } = &mut truncated.storage {
            byte_counts[1] = 8;
        }
        check(
            truncated,
            "raw strip 1: bad raw data: 8 bytes, but its pixels need 16",
        );
        let mut past = base;
        if let SampleStorage::Strips { offsets, .. } = &mut past.storage {
            offsets[1] = 20;
        }
        check(
            past,
            "raw strip 1: bad raw data: offset 20 + 16 bytes runs past the end of the data (32 bytes)",
        );
    }
}
