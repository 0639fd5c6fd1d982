//! Timecode: frame rates as exact rationals, SMPTE labels with exact drop-frame counting, frame
//! ranges and conversion between rates. Pure integer arithmetic throughout.

mod range;
mod rate;
mod smpte;

pub use range::{FrameRange, Rounding, convert_frame, convert_range, convert_timecode_frame};
pub use rate::{FrameRate, MAX_NOMINAL_FPS};
pub use smpte::Timecode;
