//! The `rushes` command line as a library: the local state-machine runtime and the commands,
//! so integration tests can drive exactly what the binary runs.

pub mod asl;
pub mod commands;
pub mod fs_tree;
pub mod local;
