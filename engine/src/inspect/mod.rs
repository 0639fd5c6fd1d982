//! Camera and sound inspection: metadata readers (DNG/CinemaDNG, TIFF, OpenEXR, DPX, QuickTime /
//! MP4, MXF, Broadcast WAV), the normalized clip schema, and grouping of a roll's files into clips.
//!
//! Readers take a caller's `Read + Seek` (or bytes) and read only metadata, every offset and size
//! checked: [`dng::read_dng_metadata`], [`tiff::read_tiff_metadata`],
//! [`openexr::read_exr_header`], [`dpx::read_dpx`], [`quicktime::read_movie`],
//! [`mxf::read_mxf`], [`bwf::read_bwf`]. [`group::group_roll`] turns a roll's file
//! list into [`clip::Clip`] records of the versioned schema ([`clip::CLIP_SCHEMA_VERSION`]);
//! [`cards::format_cards`] groups camera clips into format cards, after a user's
//! [`cards::Overrides`] were applied.

pub mod bmff;
pub mod bwf;
pub mod cards;
pub mod clip;
pub mod dng;
pub mod dpx;
pub mod group;
pub mod ifd;
pub mod ixml;
pub mod klv;
pub mod mxf;
pub mod naming;
pub mod normalize;
pub mod normalize_media;
pub mod openexr;
pub mod quicktime;
pub mod source;
pub mod tiff;
pub mod tiff_value;
pub mod timecode;

pub use bwf::{BwfMetadata, read_bwf};
pub use cards::{FormatCard, Overrides, format_cards};
pub use clip::{CLIP_SCHEMA_VERSION, Clip, clip_json_schema};
pub use dng::{DngMetadata, read_dng_metadata, read_dng_metadata_from_bytes};
pub use dpx::{DpxMetadata, read_dpx};
pub use group::{GroupOptions, RollFile, RollInspection, RollKind, group_roll, group_roll_with};
pub use mxf::{MxfMetadata, read_mxf};
pub use openexr::{ExrHeader, read_exr_header};
pub use quicktime::{MovieMetadata, read_movie};
pub use tiff::{TiffMetadata, read_tiff_metadata};
pub use timecode::Timecode;

#[cfg(test)]
mod bwf_tests;
#[cfg(test)]
mod dng_tests;
#[cfg(test)]
mod group_tests;
#[cfg(test)]
mod media_tests;
#[cfg(test)]
pub(crate) mod test_tiff;
