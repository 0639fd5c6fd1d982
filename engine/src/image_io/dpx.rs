//! DPX (SMPTE 268M) writer for log deliverables: RGB, 16-bit or 10-bit filled (method A),
//! big-endian, with the file, image, orientation, film and television headers, the transfer
//! and colorimetric codes, time code and frame rate.
//!
//! Samples come in as code values normalised to 0..1 (ACEScct, Cineon-style log, video...):
//! each is clamped to 0..1 and scaled to the full code range (1023 or 65535), NaN as 0.

use std::io::Write;

use crate::image_io::FloatImage;
use crate::timecode::{FrameRate, Timecode};
use crate::{Error, Result};

const FORMAT: &str = "DPX";
/// Bytes before the image data: file (768) + image (640) + orientation (256) + film (256) +
/// television (128) headers.
pub const HEADER_LEN: usize = 2048;
const UNDEFINED_U32: u32 = u32::MAX;

/// Bits per sample and packing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpxBitDepth {
    /// 10 bits, three samples per 32-bit word, filled method A (2 padding bits at the bottom).
    Ten,
    /// 16 bits per sample, packed.
    Sixteen,
}

/// Transfer characteristic and colorimetric specification codes (SMPTE 268M table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DpxCharacteristic {
    /// 0: user defined (e.g. ACEScct).
    UserDefined,
    /// 1: printing density (Cineon-style log scans).
    PrintingDensity,
    /// 2: linear.
    Linear,
    /// 3: logarithmic.
    Logarithmic,
    /// 4: unspecified video.
    UnspecifiedVideo,
    /// 5: SMPTE 274M.
    Smpte274M,
    /// 6: ITU-R BT.709.
    Bt709,
    /// Any other code of the table.
    Code(u8),
}

impl DpxCharacteristic {
    /// The byte stored in the header.
    pub fn code(self) -> u8 {
        match self {
            Self::UserDefined => 0,
            Self::PrintingDensity => 1,
            Self::Linear => 2,
            Self::Logarithmic => 3,
            Self::UnspecifiedVideo => 4,
            Self::Smpte274M => 5,
            Self::Bt709 => 6,
            Self::Code(c) => c,
        }
    }
}

/// How to write a DPX file. Text fields must be ASCII and fit their header field.
#[derive(Debug, Clone, PartialEq)]
pub struct DpxWriteOptions {
    /// 10-bit filled or 16-bit samples.
    pub bit_depth: DpxBitDepth,
    /// Transfer characteristic of the element.
    pub transfer: DpxCharacteristic,
    /// Colorimetric specification of the element.
    pub colorimetric: DpxCharacteristic,
    /// SMPTE time code (television header, BCD `hhmmssff`; drop-frame is not flagged).
    pub timecode: Option<Timecode>,
    /// Frame rate for the film and television headers (default: the time code's rate).
    pub frame_rate: Option<FrameRate>,
    /// File name recorded in the header (100 bytes).
    pub file_name: String,
    /// Creation time, `YYYY:MM:DD:hh:mm:ssLTZ` (24 bytes), given by the caller.
    pub creation_time: String,
    /// Creator (100 bytes), e.g. `rushes 0.1`.
    pub creator: String,
    /// Project name (200 bytes).
    pub project: String,
    /// Copyright statement (200 bytes).
    pub copyright: String,
    /// Input device name (32 bytes), e.g. the camera.
    pub input_device: String,
    /// Element description (32 bytes), e.g. `ACEScct`.
    pub description: String,
}

impl Default for DpxWriteOptions {
    /// 16-bit, user-defined transfer and colorimetry, no time code, empty texts.
    fn default() -> Self {
        Self {
            bit_depth: DpxBitDepth::Sixteen,
            transfer: DpxCharacteristic::UserDefined,
            colorimetric: DpxCharacteristic::UserDefined,
            timecode: None,
            frame_rate: None,
            file_name: String::new(),
            creation_time: String::new(),
            creator: String::new(),
            project: String::new(),
            copyright: String::new(),
            input_device: String::new(),
            description: String::new(),
        }
    }
}

fn options_error(problem: impl Into<String>) -> Error {
    Error::ImageWriteOptions {
        format: FORMAT,
        problem: problem.into(),
    }
}

/// A big-endian header under construction.
struct Header(Vec<u8>);

impl Header {
    fn u8(&mut self, at: usize, v: u8) {
        self.0[at] = v;
    }
    fn u16(&mut self, at: usize, v: u16) {
        self.0[at..at + 2].copy_from_slice(&v.to_be_bytes());
    }
    fn u32(&mut self, at: usize, v: u32) {
        self.0[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
    fn f32(&mut self, at: usize, v: f32) {
        self.0[at..at + 4].copy_from_slice(&v.to_be_bytes());
    }
    fn undefined(&mut self, at: usize, len: usize) {
        self.0[at..at + len].fill(0xff);
    }
    fn text(&mut self, at: usize, len: usize, v: &str, field: &str) -> Result<()> {
        if !v.is_ascii() || v.contains('\0') || v.len() > len {
            return Err(options_error(format!(
                "{field} `{}` must be ASCII without NUL and at most {len} bytes",
                v.escape_debug()
            )));
        }
        self.0[at..at + v.len()].copy_from_slice(v.as_bytes());
        Ok(())
    }
}

/// The SMPTE time address as the 32-bit BCD word `hhmmssff`.
fn timecode_word(tc: &Timecode) -> Result<u32> {
    let (h, m, s, f) = tc.fields();
    if f > 99 {
        return Err(options_error(format!(
            "frame {f} does not fit two BCD digits"
        )));
    }
    let bcd = |v: u32| (v / 10) << 4 | (v % 10);
    Ok(bcd(u32::from(h)) << 24
        | bcd(u32::from(m)) << 16
        | bcd(u32::from(s)) << 8
        | bcd(u32::from(f)))
}

fn quantize(v: f32, max: f32) -> u32 {
    if v.is_nan() {
        0
    } else {
        // Clamped to 0..=max: the cast is exact and in range.
        (v.clamp(0.0, 1.0) * max).round() as u32
    }
}

/// Encodes the R, G and B channels of `image` (other channels are not written) as a DPX file.
pub fn to_vec(image: &FloatImage, options: &DpxWriteOptions) -> Result<Vec<u8>> {
    let [r, g, b] = image.rgb_indices()?;
    let (width, height) = (image.width(), image.height());
    let w32 = u32::try_from(width).map_err(|_| options_error("image too wide"))?;
    let h32 = u32::try_from(height).map_err(|_| options_error("image too tall"))?;
    let pixel_bytes = match options.bit_depth {
        DpxBitDepth::Ten => 4,
        DpxBitDepth::Sixteen => 6,
    };
    let data_len = width
        .checked_mul(height)
        .and_then(|n| n.checked_mul(pixel_bytes))
        .filter(|&n| n <= (u32::MAX as usize) - HEADER_LEN)
        .ok_or_else(|| options_error("image too large for a DPX file (4 GiB)"))?;
    let file_len = (HEADER_LEN + data_len) as u32;
    let rate = options.frame_rate.or(options.timecode.map(|tc| tc.rate()));

    let mut h = Header(vec![0u8; HEADER_LEN]);
    // File header.
    h.text(0, 4, "SDPX", "magic")?;
    h.u32(4, HEADER_LEN as u32);
    h.text(8, 8, "V2.0", "version")?;
    h.u32(16, file_len);
    h.u32(20, 1); // ditto key: new frame
    h.u32(24, 1664); // generic header size
    h.u32(28, 384); // industry header size
    h.u32(32, 0); // user data size
    h.text(36, 100, &options.file_name, "file name")?;
    h.text(136, 24, &options.creation_time, "creation time")?;
    h.text(160, 100, &options.creator, "creator")?;
    h.text(260, 200, &options.project, "project")?;
    h.text(460, 200, &options.copyright, "copyright")?;
    h.u32(660, UNDEFINED_U32); // not encrypted

    // Image header: one element.
    h.u16(768, 0); // left to right, top to bottom
    h.u16(770, 1);
    h.u32(772, w32);
    h.u32(776, h32);
    h.undefined(780 + 72, 72 * 7);
    let e = 780;
    h.u32(e, 0); // unsigned
    let (max, bits, packing) = match options.bit_depth {
        DpxBitDepth::Ten => (1023u32, 10u8, 1u16),
        DpxBitDepth::Sixteen => (65535, 16, 0),
    };
    h.u32(e + 4, 0);
    h.undefined(e + 8, 4);
    h.u32(e + 12, max);
    h.undefined(e + 16, 4);
    h.u8(e + 20, 50); // RGB
    h.u8(e + 21, options.transfer.code());
    h.u8(e + 22, options.colorimetric.code());
    h.u8(e + 23, bits);
    h.u16(e + 24, packing);
    h.u16(e + 26, 0); // no run-length encoding
    h.u32(e + 28, HEADER_LEN as u32);
    h.u32(e + 32, 0);
    h.u32(e + 36, 0);
    h.text(e + 40, 32, &options.description, "description")?;

    // Orientation header.
    h.u32(1408, 0);
    h.u32(1412, 0);
    h.undefined(1416, 8);
    h.u32(1424, w32);
    h.u32(1428, h32);
    h.text(1432, 100, &options.file_name, "file name")?;
    h.text(1532, 24, &options.creation_time, "creation time")?;
    h.text(1556, 32, &options.input_device, "input device")?;
    h.undefined(1588 + 32, 8); // border
    h.u32(1628, 1);
    h.u32(1632, 1);
    h.undefined(1636, 8);

    // Film header: only the frame rate is known.
    h.undefined(1712, 12);
    match rate {
        Some(r) => h.f32(1724, r.as_f64() as f32),
        None => h.undefined(1724, 4),
    }
    h.undefined(1728, 4);

    // Television header.
    match &options.timecode {
        Some(tc) => h.u32(1920, timecode_word(tc)?),
        None => h.undefined(1920, 4),
    }
    h.u32(1924, 0);
    h.u8(1928, 0); // not interlaced
    h.u8(1929, 0xff);
    h.u8(1930, 0);
    h.undefined(1932, 8);
    match rate {
        Some(r) => h.f32(1940, r.as_f64() as f32),
        None => h.undefined(1940, 4),
    }
    h.undefined(1944, 28);

    let mut out = h.0;
    out.reserve(data_len);
    let count = image.channel_count();
    let maxf = max as f32;
    for px in image.samples().chunks_exact(count) {
        let v = |c: usize| quantize(px.get(c).copied().unwrap_or(0.0), maxf);
        match options.bit_depth {
            DpxBitDepth::Ten => {
                let word = v(r) << 22 | v(g) << 12 | v(b) << 2;
                out.extend_from_slice(&word.to_be_bytes());
            }
            DpxBitDepth::Sixteen => {
                for c in [r, g, b] {
                    out.extend_from_slice(&(v(c) as u16).to_be_bytes());
                }
            }
        }
    }
    Ok(out)
}

/// Writes `image` as a DPX file to `out` (see [`to_vec`]).
pub fn write(out: &mut impl Write, image: &FloatImage, options: &DpxWriteOptions) -> Result<()> {
    let bytes = to_vec(image, options)?;
    out.write_all(&bytes).map_err(|e| Error::Io {
        path: "DPX output".into(),
        op: "write",
        source: e,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn be32(b: &[u8], at: usize) -> u32 {
        u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
    }

    #[test]
    fn headers_and_samples_are_laid_out_big_endian() {
        let image = FloatImage::rgb(2, 1, vec![0.0, 0.5, 1.0, -1.0, 2.0, f32::NAN]).unwrap();
        let options = DpxWriteOptions {
            timecode: Some(Timecode::parse("01:02:03:04", FrameRate::FPS_24).unwrap()),
            creator: "rushes".into(),
            ..DpxWriteOptions::default()
        };
        let b = to_vec(&image, &options).unwrap();
        assert_eq!(b.len(), 2048 + 12);
        assert_eq!(&b[..4], b"SDPX");
        assert_eq!(be32(&b, 16), b.len() as u32);
        assert_eq!(be32(&b, 1920), 0x0102_0304);
        assert_eq!(f32::from_be_bytes(b[1940..1944].try_into().unwrap()), 24.0);
        assert_eq!(&b[160..167], b"rushes\0");
        let px: Vec<u16> = b[2048..]
            .chunks(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(px, [0, 32768, 65535, 0, 65535, 0]);

        let ten = DpxWriteOptions {
            bit_depth: DpxBitDepth::Ten,
            ..DpxWriteOptions::default()
        };
        let b = to_vec(&image, &ten).unwrap();
        assert_eq!(b[780 + 23], 10);
        assert_eq!(be32(&b, 2048), 512 << 12 | 1023 << 2);
        assert_eq!(be32(&b, 2052), 1023 << 12);
    }

    #[test]
    fn bad_texts_and_channels_are_errors() {
        let image = FloatImage::rgb(1, 1, vec![0.0; 3]).unwrap();
        let long = DpxWriteOptions {
            creation_time: "x".repeat(25),
            ..DpxWriteOptions::default()
        };
        let e = to_vec(&image, &long).unwrap_err().to_string();
        assert!(e.contains("creation time") && e.contains("24 bytes"), "{e}");
        let y = FloatImage::new(1, 1, vec!["Y".into()], vec![0.0]).unwrap();
        assert!(to_vec(&y, &DpxWriteOptions::default()).is_err());
    }
}
