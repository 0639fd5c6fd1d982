//! ACES Metadata File (AMF) v2.0, read v1.0 too: the document model, a reader that validates
//! against the rules of the AMF XSD (element order and cardinality, enumerations, UUID, date,
//! e-mail and transform-ID forms), a writer, and resolution of ACES transform IDs to the
//! transforms rushes implements.
//!
//! Stricter than the XSD in one place: CDL numbers must be finite (`NaN`/`INF` are refused).
//! Not kept on a round trip: `Description` elements inside inline CDL nodes, XML comments and
//! namespace prefixes; AMF v1 documents are written back as v2.

pub mod model;
pub mod plan;
pub mod read;
pub mod transform_id;
pub mod write;

pub use model::*;
pub use plan::{DEFAULT_OUTPUT_ID, Plan, PlannedLook, check_relative_file};
pub use transform_id::{AcesTransform, TransformSlot, check_form, resolve, resolve_rrt_odt};

#[cfg(test)]
mod tests;
