//! One module per `rushes` subcommand.

pub mod color;
pub mod demo;
pub mod demo_pull;
pub mod develop;
pub mod edl;
pub mod edl_dng_luma;
pub mod edl_library;
pub mod edl_reference;
pub mod fdl;
pub mod ingest;
pub mod inspect;
pub mod mhl;
pub mod pull;
pub mod sample_card;
