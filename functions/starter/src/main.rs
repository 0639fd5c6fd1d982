//! Lambda wrapper of the starter step.
fn main() {}
