//! Edit lists: CMX3600 EDLs and OpenTimelineIO timelines read into one event model.

mod cmx3600;
mod comments;
mod model;
mod otio;

pub use cmx3600::{Cmx3600Options, parse_cmx3600};
pub use model::{
    Cdl, Channels, Edl, Event, KeyKind, Locator, SourceKind, Speed, Transition, Warning,
};
pub use otio::{OtioOptions, parse_otio};
