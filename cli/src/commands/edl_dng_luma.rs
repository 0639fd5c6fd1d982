//! Low-resolution grey pictures of uncompressed DNG / CinemaDNG frames for perceptual matching:
//! the raw CFA image's strips or tiles unpacked with the engine, each 2x2 cell of the active
//! area (inside the default crop) black-subtracted, white-balanced with `AsShotNeutral`, weighted
//! with the Rec.709 luma coefficients (camera RGB taken as Rec.709: no colour matrix), normalised
//! to the white level and given a 1/2.4 power curve (close to how a display-referred reference
//! looks; a gain drops out).

use std::io::Cursor;

use anyhow::{Context, bail};
use rushes_engine::edl::matching::perceptual::LumaImage;
use rushes_engine::inspect::ifd::{Ifd, TiffFile};
use rushes_engine::inspect::read_dng_metadata_from_bytes;
use rushes_engine::raw::{ByteOrder, ImageLimits, RawLayout, SampleStorage, unpack};

const NEW_SUBFILE_TYPE: u16 = 254;
const IMAGE_WIDTH: u16 = 256;
const IMAGE_LENGTH: u16 = 257;
const BITS_PER_SAMPLE: u16 = 258;
const COMPRESSION: u16 = 259;
const PHOTOMETRIC: u16 = 262;
const STRIP_OFFSETS: u16 = 273;
const ROWS_PER_STRIP: u16 = 278;
const STRIP_BYTE_COUNTS: u16 = 279;
const TILE_WIDTH: u16 = 322;
const TILE_LENGTH: u16 = 323;
const TILE_OFFSETS: u16 = 324;
const TILE_BYTE_COUNTS: u16 = 325;
const PHOTOMETRIC_CFA: u32 = 32803;

/// The binned grey picture of the DNG frame in `bytes` (`name` names it in errors). Refuses
/// compressed raw data and non-CFA images.
pub fn dng_luma(bytes: &[u8], name: &str) -> anyhow::Result<LumaImage> {
    let meta = read_dng_metadata_from_bytes(bytes, name)?;
    let mut cursor = Cursor::new(bytes);
    let mut file = TiffFile::open(&mut cursor, name)?;
    let order = match file.byte_order() {
        rushes_engine::inspect::ifd::ByteOrder::Little => ByteOrder::LittleEndian,
        rushes_engine::inspect::ifd::ByteOrder::Big => ByteOrder::BigEndian,
    };
    let dirs = file.walk()?;
    let mut raw: Option<Ifd> = None;
    for ifd in dirs.chain.iter().take(1).chain(&dirs.sub) {
        let subfile = first(&mut file, ifd, NEW_SUBFILE_TYPE)?.unwrap_or(0);
        if subfile == 0 && first(&mut file, ifd, PHOTOMETRIC)? == Some(PHOTOMETRIC_CFA) {
            raw = Some(ifd.clone());
            break;
        }
    }
    let Some(ifd) = raw else {
        bail!("{name}: no full-resolution CFA raw image");
    };
    let need = |v: Option<u32>, what: &str| v.with_context(|| format!("{name}: no {what} tag"));
    let width = need(first(&mut file, &ifd, IMAGE_WIDTH)?, "ImageWidth")?;
    let height = need(first(&mut file, &ifd, IMAGE_LENGTH)?, "ImageLength")?;
    let bits = need(first(&mut file, &ifd, BITS_PER_SAMPLE)?, "BitsPerSample")?;
    let compression = first(&mut file, &ifd, COMPRESSION)?.unwrap_or(1);
    if compression != 1 {
        bail!("{name}: compressed raw data (Compression {compression}) is not read for thumbnails");
    }
    let storage = if let Some(offsets) = all(&mut file, &ifd, STRIP_OFFSETS)? {
        SampleStorage::Strips {
            rows_per_strip: first(&mut file, &ifd, ROWS_PER_STRIP)?.unwrap_or(height),
            offsets,
            byte_counts: need_all(&mut file, &ifd, STRIP_BYTE_COUNTS, name, "StripByteCounts")?,
        }
    } else {
        SampleStorage::Tiles {
            tile_width: need(first(&mut file, &ifd, TILE_WIDTH)?, "TileWidth")?,
            tile_length: need(first(&mut file, &ifd, TILE_LENGTH)?, "TileLength")?,
            offsets: need_all(&mut file, &ifd, TILE_OFFSETS, name, "TileOffsets")?,
            byte_counts: need_all(&mut file, &ifd, TILE_BYTE_COUNTS, name, "TileByteCounts")?,
        }
    };
    let layout = RawLayout {
        width,
        height,
        bits_per_sample: u16::try_from(bits).with_context(|| format!("{name}: BitsPerSample"))?,
        compression: 1,
        byte_order: order,
        storage,
    };
    let samples = unpack(bytes, &layout, &ImageLimits::default())?;
    let black = meta
        .black_level
        .as_ref()
        .map(|b| b.iter().sum::<f64>() / b.len().max(1) as f64)
        .unwrap_or(0.0);
    let white = meta
        .white_level
        .as_ref()
        .and_then(|w| w.first().copied())
        .map_or_else(|| f64::from((1_u32 << bits.min(16)) - 1), f64::from);
    let range = (white - black).max(1.0);
    // Active area, then the default crop inside it; both kept to whole 2x2 cells.
    let (w, h) = (samples.width(), samples.height());
    let [top, left, bottom, right] = meta.active_area.map_or([0, 0, h, w], |a| {
        a.map(|v| usize::try_from(v).unwrap_or(usize::MAX))
    });
    let (mut x0, mut y0) = (left.min(w), top.min(h));
    let (mut x1, mut y1) = (right.min(w).max(x0), bottom.min(h).max(y0));
    if let (Some([cx, cy]), Some([cw, ch])) = (meta.default_crop_origin, meta.default_crop_size) {
        let (nx, ny) = (x0 + cx.max(0.0) as usize, y0 + cy.max(0.0) as usize);
        let (nx1, ny1) = (nx + cw.max(0.0) as usize, ny + ch.max(0.0) as usize);
        if nx1 <= x1 && ny1 <= y1 && nx < nx1 && ny < ny1 {
            (x0, y0, x1, y1) = (nx, ny, nx1, ny1);
        }
    }
    // Keep the CFA phase of the active area: cells start on even offsets from its origin.
    let (cells_x, cells_y) = ((x1 - x0) / 2, (y1 - y0) / 2);
    if cells_x < 8 || cells_y < 8 {
        bail!("{name}: the raw image is too small for a thumbnail");
    }
    // Weight of each site of a 2x2 cell: colour (CFAPattern at the image origin) x white
    // balance x Rec.709 luma weight / sites of that colour in the cell.
    let pattern = meta.cfa_pattern.clone().unwrap_or_else(|| vec![0, 1, 1, 2]);
    if pattern.len() != 4 || pattern.iter().any(|&c| c > 2) {
        bail!("{name}: only 2x2 RGB colour filter patterns are read for thumbnails");
    }
    let balance: Vec<f64> = match meta.as_shot_neutral.as_deref() {
        Some([r, g, b]) => [r, g, b]
            .iter()
            .map(|v| v.to_f64().filter(|&v| v > 0.0).map_or(1.0, |v| 1.0 / v))
            .collect(),
        _ => vec![1.0; 3],
    };
    let luma = [0.2126, 0.7152, 0.0722];
    let mut weights = [0.0_f64; 4];
    for (site, weight) in weights.iter_mut().enumerate() {
        let (dx, dy) = (site % 2, site / 2);
        let colour = usize::from(pattern[((y0 + dy) % 2) * 2 + (x0 + dx) % 2]);
        let count = (0..4)
            .filter(|&s| usize::from(pattern[((y0 + s / 2) % 2) * 2 + (x0 + s % 2) % 2]) == colour)
            .count();
        *weight = luma[colour] * balance[colour] / count.max(1) as f64;
    }
    let white_luma = luma.iter().zip(&balance).map(|(l, b)| l * b).sum::<f64>();
    let mut grey = Vec::with_capacity(cells_x * cells_y);
    for cy in 0..cells_y {
        let (r0, r1) = (samples.row(y0 + 2 * cy), samples.row(y0 + 2 * cy + 1));
        for cx in 0..cells_x {
            let x = x0 + 2 * cx;
            let sites = [r0[x], r0[x + 1], r1[x], r1[x + 1]];
            let sum: f64 = sites
                .iter()
                .zip(&weights)
                .map(|(&v, w)| (f64::from(v) - black).max(0.0) * w)
                .sum();
            let linear = (sum / range / white_luma).max(0.0);
            grey.push(linear.powf(1.0 / 2.4) as f32);
        }
    }
    Ok(LumaImage::new(name, cells_x, cells_y, grey)?)
}

/// The first integer of `tag` in `ifd`, if present.
fn first(
    file: &mut TiffFile<'_, Cursor<&[u8]>>,
    ifd: &Ifd,
    tag: u16,
) -> anyhow::Result<Option<u32>> {
    Ok(all(file, ifd, tag)?.and_then(|v| v.first().copied().map(|x| x as u32)))
}

/// Every integer of `tag` in `ifd`, if present.
fn all(
    file: &mut TiffFile<'_, Cursor<&[u8]>>,
    ifd: &Ifd,
    tag: u16,
) -> anyhow::Result<Option<Vec<u64>>> {
    let Some(entry) = ifd.entry(tag).copied() else {
        return Ok(None);
    };
    let value = file.value(&entry)?;
    Ok(value
        .as_u32s()
        .map(|v| v.into_iter().map(u64::from).collect()))
}

fn need_all(
    file: &mut TiffFile<'_, Cursor<&[u8]>>,
    ifd: &Ifd,
    tag: u16,
    name: &str,
    what: &str,
) -> anyhow::Result<Vec<u64>> {
    all(file, ifd, tag)?.with_context(|| format!("{name}: no {what} tag"))
}
