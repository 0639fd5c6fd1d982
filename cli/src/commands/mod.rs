//! One module per `rushes` subcommand.

pub mod demo;
pub mod fdl;
pub mod ingest;
pub mod mhl;
pub mod sample_card;
