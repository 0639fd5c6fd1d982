//! Plain (non-DNG) TIFF metadata: the DNG reader's image fields plus the baseline descriptive
//! tags of IFD 0 (samples per pixel, every sample's bits, DateTime, Software, ImageDescription,
//! Artist), through the bounded IFD reader.

use std::io::{Read, Seek};

use super::dng::{DngMetadata, read_dng_metadata};
use super::ifd::TiffFile;
use crate::Result;

/// TIFF baseline tag numbers read here.
pub mod tag {
    /// `ImageDescription`.
    pub const IMAGE_DESCRIPTION: u16 = 270;
    /// `BitsPerSample`.
    pub const BITS_PER_SAMPLE: u16 = 258;
    /// `SamplesPerPixel`.
    pub const SAMPLES_PER_PIXEL: u16 = 277;
    /// `Software`.
    pub const SOFTWARE: u16 = 305;
    /// `DateTime`.
    pub const DATE_TIME: u16 = 306;
    /// `Artist`.
    pub const ARTIST: u16 = 315;
}

/// What a TIFF file's first image says.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TiffMetadata {
    /// The image fields shared with DNG (size, bits, compression, photometric, make, model...).
    pub image: DngMetadata,
    /// `SamplesPerPixel`.
    pub samples_per_pixel: Option<u16>,
    /// `BitsPerSample`, one value per sample.
    pub bits_per_sample: Vec<u16>,
    /// `DateTime` (`YYYY:MM:DD HH:MM:SS`).
    pub date_time: Option<String>,
    /// `Software`.
    pub software: Option<String>,
    /// `ImageDescription`.
    pub image_description: Option<String>,
    /// `Artist`.
    pub artist: Option<String>,
}

/// Reads the TIFF file behind `reader` (`name` names it in errors).
pub fn read_tiff_metadata<R: Read + Seek + ?Sized>(
    reader: &mut R,
    name: &str,
) -> Result<TiffMetadata> {
    let image = read_dng_metadata(reader, name)?;
    let mut file = TiffFile::open(reader, name)?;
    let ifd0 = file.read_ifd(file.first_ifd())?;
    let mut out = TiffMetadata {
        image,
        ..TiffMetadata::default()
    };
    let mut value = |t: u16| {
        let e = *ifd0.entry(t)?;
        file.value(&e).ok()
    };
    let text = |v: Option<super::tiff_value::Value>| {
        v.and_then(|v| v.as_text())
            .map(|s| s.trim_end().to_string())
            .filter(|s| !s.is_empty())
    };
    out.samples_per_pixel = value(tag::SAMPLES_PER_PIXEL)
        .and_then(|v| v.as_u32s())
        .and_then(|v| v.first().copied())
        .and_then(|v| u16::try_from(v).ok());
    out.bits_per_sample = value(tag::BITS_PER_SAMPLE)
        .and_then(|v| v.as_u32s())
        .map(|v| {
            v.into_iter()
                .filter_map(|b| u16::try_from(b).ok())
                .collect()
        })
        .unwrap_or_default();
    out.date_time = text(value(tag::DATE_TIME));
    out.software = text(value(tag::SOFTWARE));
    out.image_description = text(value(tag::IMAGE_DESCRIPTION));
    out.artist = text(value(tag::ARTIST));
    Ok(out)
}
