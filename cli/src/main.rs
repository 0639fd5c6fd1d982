//! The `rushes` binary: parses the command line and hands off to the command modules.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rushes_cli::commands;

/// rushes: camera and sound card verification, inspection, proxies, dailies and pulls.
#[derive(Debug, Parser)]
#[command(name = "rushes", version, about)]
struct Cli {
    /// More log output (repeat for more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// ASC MHL v2.0 tools: create, verify, info, diff, flatten.
    Mhl(commands::mhl::Args),
    /// ASC FDL tools: validate, info, apply a canvas template.
    Fdl(commands::fdl::Args),
    /// Write a synthetic shoot day (camera rolls of CinemaDNG clips, a sound roll of BWF files).
    SampleCard(commands::sample_card::Args),
    /// Verify rolls against their ASC MHL history and ingest them into a library.
    Ingest(commands::ingest::Args),
    /// Edit lists: read a CMX3600 EDL or OTIO timeline; match its events to library clips.
    Edl(commands::edl::Args),
    /// Group roll folders into clips and print their camera and sound metadata and format cards.
    Inspect(commands::inspect::Args),
    /// Pulls from the library driven by a cut list: `conform` (source frames plus handles into an
    /// MHL-sealed package).
    Pull(commands::pull::Args),
    /// Develop CinemaDNG / DNG frames into ACES2065-1 OpenEXR plates.
    Develop(commands::develop::Args),
    /// Make a sample card, ingest it into a fresh library, cut and match a demo EDL and pull its
    /// source frames, then say where to look.
    Demo(commands::demo::Args),
    /// ACES Metadata Files: validate, info.
    Amf(commands::color::AmfArgs),
    /// Print and validate an ASC CDL document (.cc, .ccc, .cdl).
    Cdl(commands::color::CdlArgs),
    /// Colour operations on images: apply an AMF pipeline.
    Color(commands::color::ColorArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse_from(commands::mhl::ascmhl_style_args(std::env::args_os()));
    let filter = match cli.verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("RUSHES_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter)),
        )
        .with_writer(std::io::stderr)
        .init();
    let outcome = match cli.command {
        Command::Mhl(args) => commands::mhl::run(args),
        Command::Fdl(args) => commands::fdl::run(args),
        Command::SampleCard(args) => commands::sample_card::run(args),
        Command::Ingest(args) => commands::ingest::run(args),
        Command::Edl(args) => commands::edl::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Pull(args) => commands::pull::run(args),
        Command::Develop(args) => commands::develop::run(args),
        Command::Demo(args) => commands::demo::run(args),
        Command::Amf(args) => commands::color::run_amf(args),
        Command::Cdl(args) => commands::color::run_cdl(args),
        Command::Color(args) => commands::color::run_color(args),
    };
    match outcome {
        Ok(code) => code,
        Err(err) => {
            eprintln!("rushes: error: {err:#}");
            ExitCode::from(2)
        }
    }
}
