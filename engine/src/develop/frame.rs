//! One DNG / CinemaDNG frame to an ACES2065-1 plate: decode, develop, crop to the DNG default
//! crop, and the OpenEXR header that carries the frame's timecode, rate, reel and camera.

use super::options::DevelopOptions;
use super::pipeline::develop_with_transform;
use crate::Result;
use crate::color::dng::{CameraColor, InputTransform};
use crate::image_io::FloatImage;
use crate::image_io::exr::{ExrCompression, ExrHeader, ExrWriteOptions};
use crate::inspect::dng::{DngMetadata, read_dng_metadata_from_bytes};
use crate::raw::ImageLimits;
use crate::raw::RgbImage;
use crate::raw::dng::decode_dng_named;
use crate::timecode::{FrameRate, Timecode};

/// A developed frame: the scene-linear ACES2065-1 picture inside the DNG default crop, and the
/// metadata a plate carries.
#[derive(Debug, Clone)]
pub struct DevelopedFrame {
    /// The picture, ACES2065-1, planar f32.
    pub image: RgbImage,
    /// The frame's tags (timecode, rate, reel, camera, colour).
    pub metadata: DngMetadata,
    /// The input transform used (white point, matrices, exposure).
    pub transform: InputTransform,
}

/// Develops one DNG held in memory; `name` names it in errors.
pub fn develop_dng(
    bytes: &[u8],
    name: &str,
    options: &DevelopOptions,
    limits: &ImageLimits,
) -> Result<DevelopedFrame> {
    options.validate()?;
    let metadata = read_dng_metadata_from_bytes(bytes, name)?;
    let color = CameraColor::from_dng(&metadata)?;
    let transform = color.input_transform(
        &options.white_balance,
        options.exposure_stops,
        options.apply_baseline_exposure,
    )?;
    let decoded = decode_dng_named(bytes, name, limits)?;
    let (x, y, width, height) = decoded.default_crop_pixels();
    let cropped = if (x, y, width, height) == (0, 0, decoded.cfa.width(), decoded.cfa.height()) {
        decoded.cfa
    } else {
        decoded.cfa.crop(x, y, width, height)?
    };
    let image = develop_with_transform(&cropped, &transform, options.demosaic)?;
    Ok(DevelopedFrame {
        image,
        metadata,
        transform,
    })
}

/// The frame rate of a DNG (`FrameRate` tag), with drop frame from its timecode.
pub fn dng_frame_rate(metadata: &DngMetadata) -> Option<FrameRate> {
    let rate = metadata.frame_rate?;
    let num = u32::try_from(rate.num).ok()?;
    let den = u32::try_from(rate.den).ok()?;
    let drop = metadata.timecode.is_some_and(|t| t.drop_frame);
    FrameRate::new(num, den, drop)
        .or_else(|_| FrameRate::new(num, den, false))
        .ok()
}

/// The OpenEXR header of a plate developed from `metadata`: SMPTE timecode and frame rate (when
/// the DNG has both), reel name, owner (the camera), the clip name, and string attributes
/// `rushes/camera`, `rushes/serial`, `rushes/whitePoint` and `rushes/exposureGain`.
pub fn plate_header(
    metadata: &DngMetadata,
    transform: &InputTransform,
    clip_name: Option<&str>,
) -> Result<ExrHeader> {
    let mut header = ExrHeader::default();
    if let (Some(tc), Some(rate)) = (metadata.timecode, dng_frame_rate(metadata)) {
        let smpte = Timecode::new(
            u32::from(tc.hours),
            u32::from(tc.minutes),
            u32::from(tc.seconds),
            u32::from(tc.frames),
            rate,
        )?;
        header.set_timecode(&smpte)?;
    }
    header.reel_name = metadata.reel_name.clone();
    header.clip_name = clip_name.map(str::to_string);
    let camera: Vec<&str> = [metadata.make.as_deref(), metadata.model.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    if !camera.is_empty() {
        header.set_string("rushes/camera", &camera.join(" "));
    }
    if let Some(serial) = &metadata.serial {
        header.set_string("rushes/serial", serial);
    }
    header.set_string(
        "rushes/whitePoint",
        &format!(
            "{:.0}K tint {:+.1} (xy {:.5} {:.5})",
            transform.white_temperature.kelvin,
            transform.white_temperature.tint,
            transform.white_xy[0],
            transform.white_xy[1]
        ),
    );
    Ok(header)
}

/// Writes a developed frame as an OpenEXR plate: half float, `compression`, AP0 chromaticities;
/// a strict SMPTE ST 2065-4 container when `aces_container` (which requires no compression).
pub fn plate_exr(
    frame: &DevelopedFrame,
    clip_name: Option<&str>,
    compression: ExrCompression,
    aces_container: bool,
) -> Result<Vec<u8>> {
    let mut options = if aces_container {
        ExrWriteOptions::aces_container()
    } else {
        ExrWriteOptions::default()
    };
    // A strict container with a compression is refused by the writer, naming the conflict.
    options.compression = compression;
    let header = plate_header(&frame.metadata, &frame.transform, clip_name)?;
    options.header = merge_header(options.header, header);
    let image = FloatImage::from_rgb_image(&frame.image);
    crate::image_io::exr::to_vec(&image, &options)
}

/// `base` (e.g. the ACES container's chromaticities) with the plate's attributes added.
fn merge_header(mut base: ExrHeader, plate: ExrHeader) -> ExrHeader {
    base.timecode = plate.timecode.or(base.timecode);
    base.frames_per_second = plate.frames_per_second.or(base.frames_per_second);
    base.reel_name = plate.reel_name.or(base.reel_name);
    base.clip_name = plate.clip_name.or(base.clip_name);
    base.owner = plate.owner.or(base.owner);
    for (k, v) in plate.strings {
        base.set_string(&k, &v);
    }
    if base.chromaticities.is_none() {
        base.chromaticities = Some(crate::image_io::exr::Chromaticities::ACES_AP0);
    }
    base
}
