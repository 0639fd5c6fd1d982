//! CinemaDNG frame encoder: 16-bit CFA (12-bit data) in IFD 0 with DNG, EXIF and CinemaDNG tags,
//! uncompressed in strips or lossless-JPEG compressed in tiles.

use std::io::Write;

use super::clip::ClipPlan;
use super::scene::{self, Capture, Mat3};
use super::tiff::{Blocks, Ifd, Value, encode_header, encode_header_blocks};
use super::{DngCompression, Illuminant, mix64};
use crate::raw::encode_lossless_jpeg;
use crate::{Error, Result};

/// A camera's DNG colour profile, matrices in units of 1/10000.
#[derive(Debug)]
pub(crate) struct ColorProfile {
    /// XYZ to camera under Standard light A.
    pub color_matrix_1: [i32; 9],
    /// XYZ to camera under D65.
    pub color_matrix_2: [i32; 9],
    /// White-balanced camera to XYZ (D50) under Standard light A.
    pub forward_matrix_1: [i32; 9],
    /// White-balanced camera to XYZ (D50) under D65.
    pub forward_matrix_2: [i32; 9],
}

/// The fictional SampleCam's sensor reuses a real full-frame CMOS sensor's published DNG
/// profile (Adobe's matrices for the Canon EOS 5D Mark III), so colour numbers are plausible.
pub(crate) const SAMPLECAM_PROFILE: ColorProfile = ColorProfile {
    color_matrix_1: [7234, -1413, -600, -3631, 11150, 2850, -382, 1335, 6437],
    color_matrix_2: [6722, -635, -963, -4287, 12460, 2028, -908, 2162, 5668],
    forward_matrix_1: [7868, 92, 1683, 2291, 8615, -906, 27, -4752, 12976],
    forward_matrix_2: [7637, 805, 1201, 2649, 9179, -1828, 137, -2456, 10570],
};

impl ColorProfile {
    /// The colour matrix (XYZ to camera) calibrated for `illuminant`.
    pub(crate) fn matrix_for(&self, illuminant: Illuminant) -> Mat3 {
        let m = match illuminant {
            Illuminant::StdA => &self.color_matrix_1,
            Illuminant::D65 => &self.color_matrix_2,
        };
        [0, 1, 2].map(|r| [0, 1, 2].map(|c| f64::from(m[r * 3 + c]) / 10_000.0))
    }
}

fn srational9(m: &[i32; 9]) -> Value {
    Value::SRational(m.iter().map(|&v| (v, 10_000)).collect())
}

fn rational(r: super::Rational) -> (u32, u32) {
    (r.num, r.den)
}

/// Rows per strip: strips of about 64 KiB.
fn rows_per_strip(width: u32) -> u32 {
    (65_536 / (width.max(1) * 2)).max(1)
}

/// Byte length of each strip of a frame of this clip.
fn strip_lens(clip: &ClipPlan) -> Vec<u64> {
    let (w, h) = (clip.sensor.width, clip.sensor.height);
    let rps = rows_per_strip(w);
    (0..h.div_ceil(rps))
        .map(|i| u64::from(rps.min(h - i * rps)) * u64::from(w) * 2)
        .collect()
}

/// The IFD 0 and EXIF IFD of frame `frame` of `clip` (strip tags are added by the TIFF writer).
fn tags(clip: &ClipPlan, frame: u32) -> (Ifd, Ifd) {
    let p = &SAMPLECAM_PROFILE;
    let s = &clip.sensor;
    let tc = clip.frame_tc(frame);
    let (y, mo, d) = clip.shoot_date;
    let (h, mi, sec, _) = tc.hmsf();
    let datetime = format!("{y:04}:{mo:02}:{d:02} {h:02}:{mi:02}:{sec:02}");
    let neutral = clip
        .as_shot_neutral
        .iter()
        .map(|&v| ((v * 1_000_000.0).round().max(1.0) as u32, 1_000_000))
        .collect();

    let mut ifd = Ifd::default();
    ifd.set(254, Value::Long(vec![0])); // NewSubFileType: main image
    ifd.set(256, Value::Long(vec![s.width]));
    ifd.set(257, Value::Long(vec![s.height]));
    ifd.set(258, Value::Short(vec![16])); // BitsPerSample
    ifd.set(259, Value::Short(vec![1])); // Compression: none
    ifd.set(262, Value::Short(vec![32803])); // PhotometricInterpretation: CFA
    ifd.set(271, Value::Ascii(clip.camera.make.clone()));
    ifd.set(272, Value::Ascii(clip.camera.model.clone()));
    ifd.set(274, Value::Short(vec![1])); // Orientation
    ifd.set(277, Value::Short(vec![1])); // SamplesPerPixel
    ifd.set(278, Value::Long(vec![rows_per_strip(s.width)]));
    ifd.set(284, Value::Short(vec![1])); // PlanarConfiguration
    ifd.set(
        305,
        Value::Ascii(format!("rushes {}", env!("CARGO_PKG_VERSION"))),
    );
    ifd.set(306, Value::Ascii(datetime.clone()));
    ifd.set(33421, Value::Short(vec![2, 2])); // CFARepeatPatternDim
    ifd.set(33422, Value::Byte(clip.cfa.colors().to_vec())); // CFAPattern
    ifd.set(50706, Value::Byte(vec![1, 4, 0, 0])); // DNGVersion
    ifd.set(50707, Value::Byte(vec![1, 3, 0, 0])); // DNGBackwardVersion
    ifd.set(50708, Value::Ascii(clip.camera.unique_camera_model.clone()));
    ifd.set(50710, Value::Byte(vec![0, 1, 2])); // CFAPlaneColor
    ifd.set(50711, Value::Short(vec![1])); // CFALayout: rectangular
    ifd.set(50714, Value::Short(vec![clip.black_level]));
    ifd.set(50717, Value::Short(vec![clip.white_level]));
    ifd.set(50718, Value::Rational(vec![rational(clip.squeeze), (1, 1)])); // DefaultScale
    ifd.set(50719, Value::Long(s.crop_origin.to_vec()));
    ifd.set(50720, Value::Long(s.crop_size.to_vec()));
    ifd.set(50721, srational9(&p.color_matrix_1));
    ifd.set(50722, srational9(&p.color_matrix_2));
    ifd.set(50728, Value::Rational(neutral)); // AsShotNeutral
    ifd.set(50730, Value::SRational(vec![(1, 2)])); // BaselineExposure: +0.5 EV
    ifd.set(50735, Value::Ascii(clip.camera.serial.clone()));
    let (fl, fnum) = ((clip.focal_length_mm, 1), rational(clip.f_number));
    ifd.set(50736, Value::Rational(vec![fl, fl, fnum, fnum])); // LensInfo
    ifd.set(50778, Value::Short(vec![Illuminant::StdA.exif_code()]));
    ifd.set(50779, Value::Short(vec![Illuminant::D65.exif_code()]));
    ifd.set(50829, Value::Long(s.active_area.to_vec()));
    ifd.set(50964, srational9(&p.forward_matrix_1));
    ifd.set(50965, srational9(&p.forward_matrix_2));
    ifd.set(51043, Value::Byte(tc.cinema_dng_bytes().to_vec())); // TimeCodes
    let fps = (
        i32::try_from(clip.fps.num).unwrap_or(i32::MAX),
        i32::try_from(clip.fps.den).unwrap_or(1),
    );
    ifd.set(51044, Value::SRational(vec![fps])); // FrameRate
    ifd.set(51058, Value::Rational(vec![rational(clip.t_stop)])); // TStop
    ifd.set(51081, Value::Ascii(clip.clip_name.clone())); // ReelName
    ifd.set(51105, Value::Ascii(clip.camera.label.clone())); // CameraLabel

    let mut exif = Ifd::default();
    exif.set(33434, Value::Rational(vec![rational(clip.exposure_time)]));
    exif.set(33437, Value::Rational(vec![fnum]));
    let iso = u16::try_from(clip.iso).unwrap_or(u16::MAX);
    exif.set(34855, Value::Short(vec![iso])); // ISOSpeedRatings
    exif.set(36864, Value::Undefined(b"0230".to_vec())); // ExifVersion
    exif.set(36867, Value::Ascii(datetime)); // DateTimeOriginal
    exif.set(37386, Value::Rational(vec![fl])); // FocalLength
    exif.set(42033, Value::Ascii(clip.camera.serial.clone())); // BodySerialNumber
    exif.set(42036, Value::Ascii(clip.lens_model.clone())); // LensModel
    (ifd, exif)
}

fn io_err(path: String) -> impl FnOnce(std::io::Error) -> Error {
    move |source| Error::Io {
        path,
        op: "write",
        source,
    }
}

/// Exact size in bytes of every uncompressed DNG frame of `clip`.
pub fn dng_len(clip: &ClipPlan) -> Result<u64> {
    let strips = strip_lens(clip);
    let (ifd, exif) = tags(clip, 0);
    let head = encode_header(ifd, Some(exif), &strips)?;
    Ok(head.len() as u64 + strips.iter().sum::<u64>())
}

/// Writes frame `frame` (0-based) of `clip` as an uncompressed CinemaDNG file; `seed` selects
/// the noise.
pub fn write_dng(clip: &ClipPlan, frame: u32, seed: u64, out: &mut dyn Write) -> Result<()> {
    write_dng_with(clip, frame, seed, DngCompression::None, out)
}

/// Side of the square tiles of lossless-JPEG frames (a multiple of 16, as TIFF requires).
const LJPEG_TILE: u32 = 256;

/// Writes frame `frame` (0-based) of `clip` as a CinemaDNG file stored as `compression` says;
/// `seed` selects the noise. The pixels are the same whatever the compression.
pub fn write_dng_with(
    clip: &ClipPlan,
    frame: u32,
    seed: u64,
    compression: DngCompression,
    out: &mut dyn Write,
) -> Result<()> {
    let path = clip.frame_path(frame);
    if frame >= clip.frame_count {
        return Err(Error::Sample(format!(
            "{path}: frame {frame} is past the clip's {} frames",
            clip.frame_count
        )));
    }
    let pixels = frame_pixels(clip, frame, seed);
    let (ifd, exif) = tags(clip, frame);
    match compression {
        DngCompression::None => {
            let strips = strip_lens(clip);
            let head = encode_header(ifd, Some(exif), &strips)?;
            out.write_all(&head).map_err(io_err(path.clone()))?;
            let mut buf = Vec::with_capacity(1 << 16);
            for chunk in pixels.chunks(1 << 15) {
                buf.clear();
                chunk
                    .iter()
                    .for_each(|v| buf.extend_from_slice(&v.to_le_bytes()));
                out.write_all(&buf).map_err(io_err(path.clone()))?;
            }
        }
        DngCompression::LosslessJpeg => {
            let tiles = ljpeg_tiles(clip, &pixels)?;
            let mut ifd = ifd;
            ifd.entries.remove(&278); // RowsPerStrip
            ifd.set(259, Value::Short(vec![7])); // Compression: lossless JPEG
            ifd.set(322, Value::Long(vec![LJPEG_TILE])); // TileWidth
            ifd.set(323, Value::Long(vec![LJPEG_TILE])); // TileLength
            let lens: Vec<u64> = tiles.iter().map(|t| t.len() as u64).collect();
            let head = encode_header_blocks(ifd, Some(exif), &lens, Blocks::Tiles)?;
            out.write_all(&head).map_err(io_err(path.clone()))?;
            for tile in &tiles {
                out.write_all(tile).map_err(io_err(path.clone()))?;
            }
        }
    }
    Ok(())
}

/// The stored samples of frame `frame` of `clip`, row-major over the whole sensor.
fn frame_pixels(clip: &ClipPlan, frame: u32, seed: u64) -> Vec<u16> {
    let color_matrix = SAMPLECAM_PROFILE.matrix_for(clip.illuminant);
    let (camera, _) = scene::camera_from_rec709(&color_matrix, clip.illuminant);
    let name_hash = clip
        .clip_name
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
        });
    let cap = Capture {
        width: clip.sensor.width,
        height: clip.sensor.height,
        active: clip.sensor.active_area,
        cfa: clip.cfa,
        squeeze: clip.squeeze.as_f64(),
        camera,
        black: clip.black_level,
        white: clip.white_level,
        variant: clip.take + clip.clip_number,
        frame,
        noise_key: mix64(seed ^ mix64(name_hash.wrapping_add(u64::from(frame)))),
    };
    scene::render(&cap)
}

/// The sensor cut into [`LJPEG_TILE`]-square tiles, row by row, each a 16-bit lossless JPEG of
/// two interleaved components (pairs of neighbouring samples, as DNG cameras write them).
/// Edge tiles are padded with the nearest sample of the same CFA colour.
fn ljpeg_tiles(clip: &ClipPlan, pixels: &[u16]) -> Result<Vec<Vec<u8>>> {
    let (w, h) = (clip.sensor.width as usize, clip.sensor.height as usize);
    let t = LJPEG_TILE as usize;
    let same_colour = |i: usize, n: usize| {
        if i < n {
            i
        } else {
            // The last index of i's parity inside 0..n.
            let last = n - 1;
            if (i - last) % 2 == 0 {
                last
            } else {
                last.saturating_sub(1)
            }
        }
    };
    let mut tiles = Vec::new();
    for y0 in (0..h).step_by(t) {
        for x0 in (0..w).step_by(t) {
            let mut tile = Vec::with_capacity(t * t);
            for y in y0..y0 + t {
                let row = same_colour(y, h) * w;
                tile.extend((x0..x0 + t).map(|x| pixels[row + same_colour(x, w)]));
            }
            tiles.push(encode_lossless_jpeg(&tile, t / 2, t, 2, 16)?);
        }
    }
    Ok(tiles)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::super::tiff::tests::{Entry, longs, parse_ifd};
    use super::super::{CardPlan, CardSpec, CfaPattern};
    use super::*;

    fn frame(clip: &ClipPlan, i: u32, seed: u64) -> Vec<u8> {
        let mut out = Vec::new();
        write_dng(clip, i, seed, &mut out).unwrap();
        out
    }

    fn find(e: &[Entry], tag: u16) -> &Entry {
        e.iter()
            .find(|x| x.0 == tag)
            .unwrap_or_else(|| panic!("tag {tag} missing"))
    }

    #[test]
    fn frame_structure() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        let clip = &plan.camera_rolls[1].clips[1]; // B001C002: anamorphic, GRBG
        let bytes = frame(clip, 2, 7);
        assert_eq!(bytes.len() as u64, dng_len(clip).unwrap());
        assert_eq!(&bytes[..8], b"II\x2a\x00\x08\x00\x00\x00");
        let e = parse_ifd(&bytes, 8);
        assert_eq!(longs(find(&e, 256)), vec![clip.sensor.width]);
        assert_eq!(find(&e, 262).3, 32803u16.to_le_bytes());
        assert_eq!(find(&e, 33422).3, CfaPattern::Grbg.colors());
        assert_eq!(find(&e, 50706).3, vec![1, 4, 0, 0]);
        assert_eq!(
            find(&e, 51081).3,
            format!("{}\0", clip.clip_name).as_bytes()
        );
        assert_eq!(find(&e, 51105).3, b"B\0");
        // TimeCodes of frame 2: 14:09:33:22, BCD.
        assert_eq!(find(&e, 51043).3, vec![0x22, 0x33, 0x09, 0x14, 0, 0, 0, 0]);
        let fr = find(&e, 51044);
        assert_eq!((fr.1, fr.2), (10, 1));
        assert_eq!(longs(fr), vec![25, 1]);
        assert_eq!(longs(find(&e, 50718)), vec![2, 1, 1, 1]);
        // Strips cover the image exactly, back to back, inside the file.
        let offs = longs(find(&e, 273));
        let lens = longs(find(&e, 279));
        let total: u32 = lens.iter().sum();
        assert_eq!(total, clip.sensor.width * clip.sensor.height * 2);
        assert_eq!(
            offs.last().unwrap() + lens.last().unwrap(),
            bytes.len() as u32
        );
        for i in 1..offs.len() {
            assert_eq!(offs[i], offs[i - 1] + lens[i - 1]);
        }
        // EXIF IFD with the lens.
        let exif = parse_ifd(&bytes, longs(find(&e, 34665))[0] as usize);
        assert_eq!(
            find(&exif, 42036).3,
            format!("{}\0", clip.lens_model).as_bytes()
        );
        assert_eq!(find(&exif, 34855).3, 1600u16.to_le_bytes());
        // Pixels stay within the white level.
        let data = &bytes[offs[0] as usize..];
        assert!(
            data.chunks(2)
                .all(|c| u16::from_le_bytes([c[0], c[1]]) <= 4095)
        );
    }

    #[test]
    fn lossless_jpeg_frames_hold_the_same_samples() {
        use crate::raw::{ImageLimits, RawCompression, decode_dng};
        let spec = CardSpec {
            dng_compression: DngCompression::LosslessJpeg,
            ..CardSpec::default()
        };
        let plan = CardPlan::new(&spec).unwrap();
        let files = plan.files().unwrap();
        // Both cameras: RGGB and the anamorphic GRBG clip, whose width is not a tile multiple.
        for clip in [
            &plan.camera_rolls[0].clips[0],
            &plan.camera_rolls[1].clips[1],
        ] {
            let plain = decode_dng(&frame(clip, 1, 4), &ImageLimits::default()).unwrap();
            let mut bytes = Vec::new();
            write_dng_with(clip, 1, 4, DngCompression::LosslessJpeg, &mut bytes).unwrap();
            let packed = decode_dng(&bytes, &ImageLimits::default()).unwrap();
            assert_eq!(packed.compression, RawCompression::LosslessJpeg);
            assert_eq!(plain.compression, RawCompression::Uncompressed);
            assert_eq!(packed.raw, plain.raw);
            assert_eq!(packed.cfa, plain.cfa);
            assert!(
                bytes.len() * 4 < frame(clip, 1, 4).len() * 3,
                "{}",
                bytes.len()
            );
            // The planned size is the written size.
            let planned = files.iter().find(|f| f.path == clip.frame_path(1)).unwrap();
            let mut written = Vec::new();
            plan.write_file(planned, &mut written).unwrap();
            assert_eq!(planned.size, written.len() as u64);
        }
    }

    #[test]
    fn deterministic_per_seed_and_frame() {
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        let clip = &plan.camera_rolls[0].clips[0];
        let a = frame(clip, 0, 1);
        assert_eq!(a, frame(clip, 0, 1));
        assert_ne!(a, frame(clip, 0, 2));
        assert_ne!(a, frame(clip, 1, 1));
    }

    #[test]
    fn white_patch_matches_as_shot_neutral() {
        // The chart's 90% grey patch, averaged per CFA colour, is proportional to AsShotNeutral.
        let plan = CardPlan::new(&CardSpec::default()).unwrap();
        for clip in [
            &plan.camera_rolls[0].clips[0],
            &plan.camera_rolls[1].clips[0],
        ] {
            let bytes = frame(clip, 0, 3);
            let e = parse_ifd(&bytes, 8);
            let start = longs(find(&e, 273))[0] as usize;
            let px = |r: u32, c: u32| {
                let i = start + 2 * (r * clip.sensor.width + c) as usize;
                f64::from(u16::from_le_bytes([bytes[i], bytes[i + 1]]))
            };
            // Patch 12 (bottom-right of the chart) spans scene x in [cx0+5pw, cx0+6pw].
            let s = &clip.sensor;
            let (aw, ah) = (f64::from(s.active_width()), f64::from(s.active_height()));
            let v = f64::from(clip.take + clip.clip_number);
            let (x, y) = (-0.80 + 0.04 * v + 5.5 * 0.11, -0.30 + 1.5 * 0.14);
            let col = ((x / (aw / ah) + 0.5) * aw) as u32 + s.active_area[1];
            let row = ((y + 0.5) * ah) as u32 + s.active_area[0];
            let mut sums = [0.0; 3];
            let mut counts = [0.0; 3];
            for r in row - 4..row + 4 {
                for c in col - 4..col + 4 {
                    let ch = usize::from(
                        clip.cfa
                            .color_at(r - s.active_area[0], c - s.active_area[1]),
                    );
                    sums[ch] += px(r, c) - f64::from(clip.black_level);
                    counts[ch] += 1.0;
                }
            }
            let mean = [0, 1, 2].map(|i| sums[i] / counts[i]);
            let n = clip.as_shot_neutral;
            for ch in [0, 2] {
                let ratio = (mean[ch] / mean[1]) / n[ch];
                assert!(
                    (ratio - 1.0).abs() < 0.05,
                    "{} ch {ch}: {ratio}",
                    clip.clip_name
                );
            }
        }
    }
}
