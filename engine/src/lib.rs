//! rushes-engine: the pure, CPU-only media engine. Bytes, readers or images in; bytes or images out.
//!
//! The engine never opens files, sockets or environment variables itself: callers hand it readers,
//! writers, buffers or a small I/O trait object (see [`mhl::fs`]).

pub mod amf;
pub mod cdl;
pub mod color;
pub mod demosaic;
pub mod develop;
pub mod edl;
pub mod error;
pub mod fdl;
pub mod hash;
pub mod image_io;
pub mod inspect;
pub mod mhl;
pub mod raw;
pub mod resample;
pub mod sample;
pub mod timecode;

pub use error::Error;

/// Result type of every fallible engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
