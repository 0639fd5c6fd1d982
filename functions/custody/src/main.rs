//! Lambda wrapper of the custody step.
fn main() {}
