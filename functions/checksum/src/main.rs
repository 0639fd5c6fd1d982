//! Lambda wrapper of the checksum step.
fn main() {}
