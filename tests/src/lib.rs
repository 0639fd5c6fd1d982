//! Workspace integration tests live in `tests/`; the helpers they share come from
//! `rushes-test-support` (also used by the engine's own conformance tests).

pub use rushes_test_support::*;
