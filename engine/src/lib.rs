//! rushes-engine: the pure, CPU-only media engine. Bytes, readers or images in; bytes or images out.
//!
//! The engine never opens files, sockets or environment variables itself: callers hand it readers,
//! writers, buffers or a small I/O trait object (see [`mhl::fs`]).

pub mod demosaic;
pub mod error;
pub mod hash;
pub mod mhl;
pub mod raw;
pub mod sample;

pub use error::Error;

/// Result type of every fallible engine operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
