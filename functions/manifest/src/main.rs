//! Lambda wrapper of the manifest step.
fn main() {}
