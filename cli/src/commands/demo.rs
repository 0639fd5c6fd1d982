//! `rushes demo`: writes the sample shoot day, ingests every roll into a fresh local library,
//! matches a small edit back to the ingested clips and pulls its source frames into a sealed
//! conform package, then says where to look.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use rushes_engine::sample::CardSpec;

/// Arguments of `rushes demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Working folder: the card goes to `<DIR>/card`, the library to `<DIR>/library`.
    #[arg(default_value = "demo-out")]
    pub dir: PathBuf,
    /// Replace an existing folder even if an earlier demo did not make it.
    #[arg(long)]
    pub force: bool,
}

/// Marker file that identifies a folder made by `rushes demo` (safe to replace on the next run).
const DEMO_MARKER: &str = ".rushes-demo";

/// Runs the command.
pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    if args.dir.exists() {
        anyhow::ensure!(
            args.force || args.dir.join(DEMO_MARKER).is_file(),
            "{} already exists and was not made by `rushes demo`; pass --force to replace it or choose another folder",
            args.dir.display()
        );
        std::fs::remove_dir_all(&args.dir)
            .with_context(|| format!("{}: cannot remove", args.dir.display()))?;
    }
    std::fs::create_dir_all(&args.dir)
        .with_context(|| format!("{}: cannot create", args.dir.display()))?;
    std::fs::write(
        args.dir.join(DEMO_MARKER),
        b"made by rushes demo; replaced by the next run\n",
    )
    .with_context(|| format!("{}: cannot write", args.dir.display()))?;
    let card = args.dir.join("card");
    let library = args.dir.join("library");
    println!("1/4 writing the sample shoot day to {}", card.display());
    let plan = super::sample_card::write_card(&card, &CardSpec::default(), true)?;
    let roll_names: Vec<String> = plan.roll_names().into_iter().map(String::from).collect();
    let rolls: Vec<PathBuf> = roll_names.iter().map(|r| card.join(r)).collect();
    println!(
        "2/4 ingesting {} rolls into {}",
        rolls.len(),
        library.display()
    );
    let code = super::ingest::run(super::ingest::Args {
        rolls,
        library: library.clone(),
        report: Some(args.dir.join("ingest-report.json")),
        quiet: false,
    })?;
    println!();
    println!(
        "3/4 matching a demo cut ({}) to the ingested clips",
        args.dir.join("pull.edl").display()
    );
    let pull = super::demo_pull::run(&args.dir, &library, &roll_names)?;
    print!("{}", pull.to_table());
    println!();
    println!("4/4 pulling the cut's source frames (conform pull, package `demo`)");
    // The demo list is cut at its first clip's rate (see `demo_pull::demo_edl`).
    let rate = super::demo_pull::library_candidates(&library, &roll_names)?
        .first()
        .map(|c| c.rate)
        .context("no camera clip to pull from")?;
    let list_rate = format!(
        "{}/{}{}",
        rate.num(),
        rate.den(),
        if rate.is_drop_frame() { " df" } else { "" }
    );
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let seal = runtime.block_on(super::pull::conform(
        &library,
        &super::pull::ConformOptions {
            list: args.dir.join("pull.edl"),
            package: "demo".into(),
            rolls: roll_names.clone(),
            rate: Some(list_rate),
            handles: super::demo_pull::DEMO_HANDLES,
            quiet: false,
        },
    ))?;
    println!(
        "pulled {} of {} events: {} files sealed in {}",
        seal.matched,
        seal.events,
        seal.files,
        library.join(seal.package.as_str()).display()
    );
    println!();
    println!("Where to look:");
    println!(
        "  {}/rolls/<ROLL>/            the verified library copy of each roll",
        library.display()
    );
    println!(
        "  {}/rolls/<ROLL>/ascmhl/     its ASC MHL history, with the new generation recording this verification",
        library.display()
    );
    println!(
        "  {}/reports/<ROLL>/          the per-roll verification reports (JSON)",
        library.display()
    );
    println!(
        "  {}/ingest-report.json        the summary of this run",
        args.dir.display()
    );
    println!(
        "  {}/pull-match-report.json   every event of pull.edl with its clip, rule, score and frames",
        args.dir.display()
    );
    println!(
        "  {}/pulls/demo/               the conform package: the cut's frames plus handles, with its ASC MHL",
        library.display()
    );
    println!(
        "  rushes inspect {}/rolls/A001      the clips of a roll with their camera metadata",
        library.display()
    );
    println!(
        "  rushes mhl verify {}/rolls/A001   re-verify a roll at any time",
        library.display()
    );
    Ok(code)
}
