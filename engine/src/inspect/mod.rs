//! Camera and sound inspection: metadata readers (DNG/CinemaDNG, Broadcast WAV), the normalized
//! clip schema, and grouping of a roll's files into clips.
//!
//! Readers take a caller's `Read + Seek` (or bytes) and read only metadata, every offset and size
//! checked: [`dng::read_dng_metadata`], [`bwf::read_bwf`]. [`group::group_roll`] turns a roll's file
//! list into [`clip::Clip`] records of the versioned schema ([`clip::CLIP_SCHEMA_VERSION`]);
//! [`cards::format_cards`] groups camera clips into format cards, after a user's
//! [`cards::Overrides`] were applied.

pub mod bwf;
pub mod cards;
pub mod clip;
pub mod dng;
pub mod group;
pub mod ifd;
pub mod ixml;
pub mod naming;
pub mod normalize;
pub mod tiff_value;
pub mod timecode;

pub use bwf::{BwfMetadata, read_bwf};
pub use cards::{FormatCard, Overrides, format_cards};
pub use clip::{CLIP_SCHEMA_VERSION, Clip, clip_json_schema};
pub use dng::{DngMetadata, read_dng_metadata, read_dng_metadata_from_bytes};
pub use group::{GroupOptions, RollFile, RollInspection, RollKind, group_roll, group_roll_with};
pub use timecode::Timecode;

#[cfg(test)]
mod bwf_tests;
#[cfg(test)]
mod dng_tests;
#[cfg(test)]
mod group_tests;
#[cfg(test)]
pub(crate) mod test_tiff;
