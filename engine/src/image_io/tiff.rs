//! TIFF writer for deliverables: 16-bit unsigned RGB (or RGBA with unassociated alpha),
//! uncompressed, little-endian, contiguous samples in strips, no ICC profile, with
//! `ImageDescription`, `Software` and `DateTime` tags (laid out by the engine's TIFF encoder).
//!
//! Samples are code values normalised to 0..1: clamped and scaled to 0..65535, NaN as 0.

use std::io::Write;

use crate::image_io::FloatImage;
use crate::sample::tiff::{Ifd, Value, encode_header};
use crate::{Error, Result};

const FORMAT: &str = "TIFF";
/// Target size of one strip of image data.
const STRIP_BYTES: usize = 256 << 10;

/// How to write a TIFF file. Texts must be ASCII without NUL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TiffWriteOptions {
    /// `Software` (305), e.g. `rushes 0.1`.
    pub software: Option<String>,
    /// `DateTime` (306): exactly `YYYY:MM:DD HH:MM:SS`, given by the caller.
    pub date_time: Option<String>,
    /// `ImageDescription` (270).
    pub description: Option<String>,
    /// Also write the `A` channel (as unassociated alpha) when the image has one.
    pub alpha: bool,
}

fn options_error(problem: impl Into<String>) -> Error {
    Error::ImageWriteOptions {
        format: FORMAT,
        problem: problem.into(),
    }
}

fn ascii(v: &str, tag: &str) -> Result<Value> {
    if !v.is_ascii() || v.contains('\0') {
        return Err(options_error(format!(
            "{tag} `{}` must be ASCII without NUL",
            v.escape_debug()
        )));
    }
    Ok(Value::Ascii(v.to_string()))
}

fn is_tiff_date(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 | 13 | 16 => *c == b':',
            10 => *c == b' ',
            _ => c.is_ascii_digit(),
        })
}

/// Encodes `image` (its R, G, B and, with `alpha`, A channels) as a 16-bit TIFF.
pub fn to_vec(image: &FloatImage, options: &TiffWriteOptions) -> Result<Vec<u8>> {
    let [r, g, b] = image.rgb_indices()?;
    let mut channels = vec![r, g, b];
    let alpha = match image.channel_index("A") {
        Some(a) if options.alpha => {
            channels.push(a);
            true
        }
        _ => false,
    };
    let (width, height) = (image.width(), image.height());
    let w32 = u32::try_from(width).map_err(|_| options_error("image too wide"))?;
    let h32 = u32::try_from(height).map_err(|_| options_error("image too tall"))?;
    let spp = channels.len();
    let row_bytes = width * spp * 2;
    let rows_per_strip = (STRIP_BYTES / row_bytes).clamp(1, height);
    let strips = height.div_ceil(rows_per_strip);
    let strip_lens: Vec<u64> = (0..strips)
        .map(|s| (rows_per_strip.min(height - s * rows_per_strip) * row_bytes) as u64)
        .collect();

    let mut ifd = Ifd::default();
    ifd.set(256, Value::Long(vec![w32]));
    ifd.set(257, Value::Long(vec![h32]));
    ifd.set(258, Value::Short(vec![16; spp]));
    ifd.set(259, Value::Short(vec![1])); // no compression
    ifd.set(262, Value::Short(vec![2])); // RGB
    if let Some(d) = &options.description {
        ifd.set(270, ascii(d, "ImageDescription")?);
    }
    // Fits: spp <= 4.
    ifd.set(277, Value::Short(vec![spp as u16]));
    ifd.set(278, Value::Long(vec![rows_per_strip as u32]));
    ifd.set(282, Value::Rational(vec![(72, 1)]));
    ifd.set(283, Value::Rational(vec![(72, 1)]));
    ifd.set(284, Value::Short(vec![1])); // contiguous samples
    ifd.set(296, Value::Short(vec![2])); // inches
    if let Some(s) = &options.software {
        ifd.set(305, ascii(s, "Software")?);
    }
    if let Some(d) = &options.date_time {
        if !is_tiff_date(d) {
            return Err(options_error(format!(
                "DateTime `{}` is not `YYYY:MM:DD HH:MM:SS`",
                d.escape_debug()
            )));
        }
        ifd.set(306, ascii(d, "DateTime")?);
    }
    if alpha {
        ifd.set(338, Value::Short(vec![2])); // unassociated alpha
    }
    ifd.set(339, Value::Short(vec![1; spp])); // unsigned integers
    let mut out = encode_header(ifd, None, &strip_lens).map_err(|e| match e {
        Error::Sample(problem) => options_error(problem),
        other => other,
    })?;
    out.reserve(height * row_bytes);
    let count = image.channel_count();
    for px in image.samples().chunks_exact(count) {
        for &c in &channels {
            let v = px.get(c).copied().unwrap_or(0.0);
            // Clamped to 0..=65535: the cast is exact and in range.
            let code = if v.is_nan() {
                0
            } else {
                (v.clamp(0.0, 1.0) * 65535.0).round() as u16
            };
            out.extend_from_slice(&code.to_le_bytes());
        }
    }
    Ok(out)
}

/// Writes `image` as a 16-bit TIFF to `out` (see [`to_vec`]).
pub fn write(out: &mut impl Write, image: &FloatImage, options: &TiffWriteOptions) -> Result<()> {
    let bytes = to_vec(image, options)?;
    out.write_all(&bytes).map_err(|e| Error::Io {
        path: "TIFF output".into(),
        op: "write",
        source: e,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn strips_cover_the_image_and_options_are_checked() {
        let image = FloatImage::rgba(300, 500, vec![0.5; 300 * 500 * 4]).unwrap();
        let b = to_vec(&image, &TiffWriteOptions::default()).unwrap();
        assert_eq!(&b[..4], b"II*\0");
        let data = 300 * 500 * 3 * 2;
        assert!(b.len() > data && b.len() < data + 4096);
        assert_eq!(&b[b.len() - 2..], &32768u16.to_le_bytes());
        let bad = TiffWriteOptions {
            date_time: Some("2025-01-01 10:00:00".into()),
            ..TiffWriteOptions::default()
        };
        let e = to_vec(&image, &bad).unwrap_err().to_string();
        assert!(e.contains("YYYY:MM:DD HH:MM:SS"), "{e}");
        let bad = TiffWriteOptions {
            software: Some("caf\u{e9}".into()),
            ..TiffWriteOptions::default()
        };
        assert!(
            to_vec(&image, &bad)
                .unwrap_err()
                .to_string()
                .contains("ASCII")
        );
    }
}
