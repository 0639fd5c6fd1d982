//! SMPTE ST 2065-4 (ACES image container) rules the writer enforces in strict mode.
//!
//! An ACES container is a single-part scanline OpenEXR (version field 2: attribute names of at
//! most 31 bytes), with half-float channels `R`, `G`, `B` and optionally `A`, no compression,
//! increasing-Y line order, `chromaticities` equal to the ACES AP0 primaries and white,
//! `acesImageContainerFlag` = 1, `pixelAspectRatio` 1, `screenWindowCenter` (0, 0) and
//! `screenWindowWidth` 1. Settings that contradict these are errors, never silently replaced.

use super::attributes::Chromaticities;
use super::write::ExrWriteOptions;
use super::{ExrCompression, ExrPixelType};
use crate::image_io::FloatImage;
use crate::{Error, Result};

/// Longest attribute name (and type name) a version-2 file without the long-names flag holds.
pub(crate) const SHORT_NAME_MAX: usize = 31;

fn same(a: f32, b: f32) -> bool {
    (a - b).abs() <= 1e-6
}

fn same_chromaticities(a: &Chromaticities, b: &Chromaticities) -> bool {
    [
        (a.red, b.red),
        (a.green, b.green),
        (a.blue, b.blue),
        (a.white, b.white),
    ]
    .iter()
    .all(|(p, q)| same(p[0], q[0]) && same(p[1], q[1]))
}

/// Every contradiction between the options (and the image's channels) and ST 2065-4, in one
/// error; `Ok` when there is none or strict mode is off (then only a stray container flag is
/// refused: a file must not claim to be an ACES container without being checked as one).
pub(crate) fn check(image: &FloatImage, options: &ExrWriteOptions) -> Result<()> {
    let h = &options.header;
    if !options.aces_container {
        if h.aces_image_container_flag.is_some() {
            return Err(Error::ImageWriteOptions {
                format: "OpenEXR",
                problem: "acesImageContainerFlag is written only in SMPTE ST 2065-4 mode \
                          (aces_container = true); clear it for other files"
                    .into(),
            });
        }
        return Ok(());
    }
    let mut problems = Vec::new();
    if options.compression != ExrCompression::None {
        problems.push(format!(
            "compression must be none, not {:?}",
            options.compression
        ));
    }
    if options.pixel_type != ExrPixelType::Half {
        problems.push(format!(
            "samples must be half floats, not {:?}",
            options.pixel_type
        ));
    }
    if !image.is_rgb_or_rgba() {
        problems.push(format!(
            "channels must be R, G, B and optionally A, not {}",
            image.channel_names().join(", ")
        ));
    }
    if let Some(c) = &h.chromaticities
        && !same_chromaticities(c, &Chromaticities::ACES_AP0)
    {
        problems.push(format!(
            "chromaticities must be the ACES AP0 primaries and white, not {c:?}"
        ));
    }
    if let Some(flag) = h.aces_image_container_flag
        && flag != 1
    {
        problems.push(format!("acesImageContainerFlag must be 1, not {flag}"));
    }
    if let Some(n) = h.adopted_neutral
        && !(same(n[0], 0.32168) && same(n[1], 0.33767))
    {
        problems.push(format!(
            "adoptedNeutral must be the ACES white (0.32168, 0.33767), not {n:?}"
        ));
    }
    if h.pixel_aspect_ratio != 1.0 {
        problems.push(format!(
            "pixelAspectRatio must be 1, not {}",
            h.pixel_aspect_ratio
        ));
    }
    if h.screen_window_center != [0.0, 0.0] || h.screen_window_width != 1.0 {
        problems.push("the screen window must be centred at (0, 0) with width 1".into());
    }
    let long = h
        .strings
        .iter()
        .map(|(n, _)| n.as_str())
        .chain(h.other.iter().map(|a| a.name.as_str()))
        .chain(h.other.iter().map(|a| a.type_name.as_str()))
        .chain(image.channel_names().iter().map(String::as_str))
        .find(|n| n.len() > SHORT_NAME_MAX);
    if let Some(n) = long {
        problems.push(format!(
            "name `{n}` is longer than {SHORT_NAME_MAX} bytes (the container has no long names)"
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::ImageWriteOptions {
            format: "OpenEXR (SMPTE ST 2065-4)",
            problem: problems.join("; "),
        })
    }
}
