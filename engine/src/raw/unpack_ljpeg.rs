//! Lossless-JPEG-compressed (DNG compression 7) strips and tiles of a raw image into the stored
//! 16-bit samples: every strip or tile is its own JPEG, decoded in parallel, whose samples in
//! raster order (components interleaved) fill the block's rows one after another.

use rayon::prelude::*;

use super::image::ImageLimits;
use super::ljpeg::decode_lossless_jpeg;
use super::unpack::{RawLayout, RawSamples, SampleStorage};
use crate::{Error, Result};

fn bad(what: impl Into<String>, problem: impl Into<String>) -> Error {
    Error::RawData {
        what: what.into(),
        problem: problem.into(),
    }
}

/// One strip or tile: where it goes and where its bytes are.
#[derive(Debug, Clone, Copy)]
struct Block {
    index: usize,
    x0: usize,
    y0: usize,
    /// Row length of the block (tile width, or the image width for a strip).
    width: usize,
    /// Rows the block holds when full (tile length or rows per strip).
    full_rows: usize,
    /// Rows and columns of it inside the image.
    rows: usize,
    cols: usize,
    offset: u64,
    byte_count: u64,
}

/// The strips or tiles of `layout`, their counts checked against the image size.
fn blocks(layout: &RawLayout, kind: &str) -> Result<Vec<Block>> {
    let (w, h) = (layout.width as usize, layout.height as usize);
    let (bw, bh, offsets, counts) = match &layout.storage {
        SampleStorage::Strips {
            rows_per_strip,
            offsets,
            byte_counts,
        } => (
            w,
            (*rows_per_strip as usize).clamp(1, h),
            offsets,
            byte_counts,
        ),
        SampleStorage::Tiles {
            tile_width,
            tile_length,
            offsets,
            byte_counts,
        } => {
            let (tw, tl) = (*tile_width as usize, *tile_length as usize);
            if !(1..=65_536).contains(&tw) || !(1..=65_536).contains(&tl) {
                return Err(bad(
                    format!("raw {kind}s"),
                    format!("tile size {tw}x{tl} is outside 1 to 65536"),
                ));
            }
            (tw, tl, offsets, byte_counts)
        }
    };
    let (across, down) = (w.div_ceil(bw), h.div_ceil(bh));
    let count = across * down;
    if offsets.len() != count || counts.len() != count {
        return Err(bad(
            format!("raw {kind}s"),
            format!(
                "{} offsets and {} byte counts, but the {w}x{h} image needs {across}x{down} {kind}s of {bw}x{bh}",
                offsets.len(),
                counts.len()
            ),
        ));
    }
    Ok((0..count)
        .map(|index| {
            let (x0, y0) = ((index % across) * bw, (index / across) * bh);
            Block {
                index,
                x0,
                y0,
                width: bw,
                full_rows: bh,
                rows: bh.min(h - y0),
                cols: bw.min(w - x0),
                offset: offsets[index],
                byte_count: counts[index],
            }
        })
        .collect())
}

/// Decodes one block's JPEG into its `rows` x `width` samples (row-major).
fn decode_block(file: &[u8], block: &Block, kind: &str, max_samples: usize) -> Result<Vec<u16>> {
    let what = format!("raw {kind} {}", block.index);
    let start = usize::try_from(block.offset)
        .ok()
        .filter(|&s| s <= file.len());
    let end = start
        .zip(usize::try_from(block.byte_count).ok())
        .and_then(|(s, n)| s.checked_add(n))
        .filter(|&e| e <= file.len());
    let (Some(start), Some(end)) = (start, end) else {
        return Err(bad(
            what,
            format!(
                "offset {} + {} bytes runs past the end of the data ({} bytes)",
                block.offset,
                block.byte_count,
                file.len()
            ),
        ));
    };
    // At most a full block, and never more than the limits allow for a whole image.
    let full = (block.width * block.full_rows).min(max_samples);
    let jpeg = decode_lossless_jpeg(&file[start..end], &what, full)?;
    let needed = block.width * block.rows;
    if jpeg.samples.len() < needed {
        return Err(bad(
            what,
            format!(
                "its lossless JPEG holds {} samples ({}x{} with {} components), the {kind} needs {needed} ({} rows of {})",
                jpeg.samples.len(),
                jpeg.width,
                jpeg.height,
                jpeg.components,
                block.rows,
                block.width
            ),
        ));
    }
    let mut samples = jpeg.samples;
    samples.truncate(needed);
    Ok(samples)
}

/// Reads the lossless-JPEG-compressed CFA samples that `layout` describes out of `file`.
///
/// Checks before allocating: dimensions within `limits`, the number of strips or tiles, every
/// one inside the file; each JPEG may hold at most a full block's samples (and no more than
/// `limits.max_pixels`) and must hold at least the samples of its rows inside the image.
pub fn unpack_lossless_jpeg(
    file: &[u8],
    layout: &RawLayout,
    limits: &ImageLimits,
) -> Result<RawSamples> {
    if layout.compression != 7 {
        return Err(bad(
            "raw image",
            format!(
                "compression {} is not lossless JPEG (7)",
                layout.compression
            ),
        ));
    }
    let (w, h) = (layout.width as usize, layout.height as usize);
    limits.check("raw image", w, h)?;
    let kind = match layout.storage {
        SampleStorage::Strips { .. } => "strip",
        SampleStorage::Tiles { .. } => "tile",
    };
    let blocks = blocks(layout, kind)?;
    let decoded: Vec<Vec<u16>> = blocks
        .par_iter()
        .map(|b| decode_block(file, b, kind, limits.max_pixels))
        .collect::<Result<_>>()?;
    let mut samples = vec![0u16; w * h];
    for (block, data) in blocks.iter().zip(&decoded) {
        for (r, src) in data.chunks(block.width).take(block.rows).enumerate() {
            let at = (block.y0 + r) * w + block.x0;
            samples[at..at + block.cols].copy_from_slice(&src[..block.cols]);
        }
    }
    RawSamples::new(w, h, samples, limits)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use crate::raw::ByteOrder;
    use crate::raw::ljpeg_encode::encode_lossless_jpeg;

    fn values(w: usize, h: usize) -> Vec<u16> {
        (0..w * h)
            .map(|i| ((i * 7919 + (i / w) * 31) % 4096) as u16)
            .collect()
    }

    /// A file of `w` x `h` samples in tiles of `tw` x `tl`, each coded with `components`.
    fn tiled(w: usize, h: usize, tw: usize, tl: usize, components: usize) -> (Vec<u8>, RawLayout) {
        let want = values(w, h);
        let (across, down) = (w.div_ceil(tw), h.div_ceil(tl));
        let mut file = vec![0u8; 8];
        let (mut offsets, mut byte_counts) = (Vec::new(), Vec::new());
        for t in 0..across * down {
            let (x0, y0) = ((t % across) * tw, (t / across) * tl);
            let tile: Vec<u16> = (0..tw * tl)
                .map(|i| {
                    let (x, y) = (x0 + i % tw, y0 + i / tw);
                    if x < w && y < h { want[y * w + x] } else { 7 }
                })
                .collect();
            let jpeg = encode_lossless_jpeg(&tile, tw / components, tl, components, 12).unwrap();
            offsets.push(file.len() as u64);
            byte_counts.push(jpeg.len() as u64);
            file.extend(jpeg);
        }
        let layout = RawLayout {
            width: w as u32,
            height: h as u32,
            bits_per_sample: 12,
            compression: 7,
            byte_order: ByteOrder::LittleEndian,
            storage: SampleStorage::Tiles {
                tile_width: tw as u32,
                tile_length: tl as u32,
                offsets,
                byte_counts,
            },
        };
        (file, layout)
    }

    #[test]
    fn tiles_with_one_two_and_four_components_decode_exactly() {
        for components in [1, 2, 4] {
            let (file, layout) = tiled(37, 21, 16, 8, components);
            let got = unpack_lossless_jpeg(&file, &layout, &ImageLimits::default()).unwrap();
            assert_eq!(got.samples(), values(37, 21).as_slice(), "{components}");
        }
    }

    #[test]
    fn strips_with_a_short_last_strip_decode_exactly() {
        let (w, h, rps) = (10, 7, 2);
        let want = values(w, h);
        let mut file = Vec::new();
        let (mut offsets, mut byte_counts) = (Vec::new(), Vec::new());
        for rows in want.chunks(w * rps) {
            // Two rows per JPEG line, as pidng writes them, when the row count allows.
            let n = rows.len() / w;
            let jpeg = if n % 2 == 0 {
                encode_lossless_jpeg(rows, 2 * w, n / 2, 1, 12).unwrap()
            } else {
                encode_lossless_jpeg(rows, w / 2, n, 2, 12).unwrap()
            };
            offsets.push(file.len() as u64);
            byte_counts.push(jpeg.len() as u64);
            file.extend(jpeg);
        }
        let layout = RawLayout {
            width: w as u32,
            height: h as u32,
            bits_per_sample: 12,
            compression: 7,
            byte_order: ByteOrder::BigEndian,
            storage: SampleStorage::Strips {
                rows_per_strip: rps as u32,
                offsets,
                byte_counts,
            },
        };
        let got = unpack_lossless_jpeg(&file, &layout, &ImageLimits::default()).unwrap();
        assert_eq!(got.samples(), want.as_slice());
    }

    #[test]
    fn bad_blocks_are_clear_errors() {
        let (file, layout) = tiled(20, 10, 16, 8, 2);
        let limits = ImageLimits::default();
        let check = |layout: &RawLayout, file: &[u8], needle: &str| {
            let err = unpack_lossless_jpeg(file, layout, &limits)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{err}");
        };
        let with_tiles = |f: &dyn Fn(&mut Vec<u64>, &mut Vec<u64>)| {
            let mut l = layout.clone();
            if let SampleStorage::Tiles {
                offsets,
                byte_counts,
                ..
            } = &mut l.storage
            {
                f(offsets, byte_counts);
            }
            l
        };
        // Wrong tile count.
        let missing = with_tiles(&|o, c| {
            o.pop();
            c.pop();
        });
        check(&missing, &file, "needs 2x2 tiles of 16x8");
        // A tile past the end of the file.
        let past = with_tiles(&|o, _| o[3] = 1 << 40);
        check(
            &past,
            &file,
            "raw tile 3: bad raw data: offset 1099511627776",
        );
        // A truncated tile.
        let short = with_tiles(&|_, c| c[1] -= 20);
        check(&short, &file, "raw tile 1: bad lossless JPEG");
        // A tile whose JPEG is smaller than the tile: 16x8 tile, 8x4 JPEG.
        let small = encode_lossless_jpeg(&[0; 8 * 4], 8, 4, 1, 12).unwrap();
        let mut file2 = file.clone();
        let at = file2.len() as u64;
        file2.extend(&small);
        let tiny = with_tiles(&|o, c| {
            o[0] = at;
            c[0] = small.len() as u64;
        });
        check(
            &tiny,
            &file2,
            "holds 32 samples (8x4 with 1 components), the tile needs 128",
        );
        // A JPEG bigger than the tile is refused before allocating.
        let big = encode_lossless_jpeg(&[0; 32 * 8], 32, 8, 1, 12).unwrap();
        let mut file3 = file.clone();
        let at = file3.len() as u64;
        file3.extend(&big);
        let huge = with_tiles(&|o, c| {
            o[2] = at;
            c[2] = big.len() as u64;
        });
        check(&huge, &file3, "more than the 128 samples expected");
        // A huge tile over a small image: its JPEG is bounded by the pixel limit too.
        let (file4, layout4) = tiled(8, 8, 64, 64, 1);
        let small_limits = ImageLimits {
            max_pixels: 1000,
            ..ImageLimits::default()
        };
        let err = unpack_lossless_jpeg(&file4, &layout4, &small_limits)
            .unwrap_err()
            .to_string();
        assert!(err.contains("more than the 1000 samples expected"), "{err}");
        // Not compression 7, dimensions past the limits.
        check(
            &RawLayout {
                compression: 1,
                ..layout.clone()
            },
            &file,
            "not lossless JPEG",
        );
        check(
            &RawLayout {
                width: 1 << 20,
                height: 1 << 20,
                ..layout.clone()
            },
            &file,
            "larger than the limit",
        );
    }
}
