//! Edit lists: CMX3600 EDLs and OpenTimelineIO timelines read into one event model.

mod cmx3600;
mod cmx_fields;
mod comments;
pub mod matching;
mod model;
mod otio;
mod otio_values;

pub use cmx3600::{Cmx3600Options, parse_cmx3600};
pub use model::{
    Cdl, Channels, Edl, Event, KeyKind, Locator, SourceKind, Speed, Transition, Warning,
};
pub use otio::{OtioOptions, parse_otio};
