//! One module per `rushes` subcommand.

pub mod color;
pub mod demo;
pub mod ingest;
pub mod mhl;
pub mod sample_card;
