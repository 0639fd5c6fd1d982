//! One module per `rushes` subcommand.

pub mod color;
pub mod demo;
pub mod demo_pull;
pub mod edl;
pub mod fdl;
pub mod ingest;
pub mod inspect;
pub mod mhl;
pub mod pull;
pub mod sample_card;
