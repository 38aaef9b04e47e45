//! # nwd-bench — measures, does not test
//!
//! Runs No Wrong Door end to end — a fresh database (PostgreSQL or SQLite), the store, the
//! HTTP server in this process on `127.0.0.1:0` — and reports how fast it is:
//!
//! - `intake`: concurrent clients post referrals until a given number are accepted
//!   (throughput and latency of `POST /api/referrals`, durable commits);
//! - `outcomes`: the demo county with its outcome measures imported, then the dashboard's
//!   outcome figures timed (computed afresh, from the kept inputs, after a change);
//! - `money`: the demo county and its commissioning record, then each contract's payment
//!   and activity statement timed (first, then from the kept inputs);
//! - `lists`: the demo county sized to a given number of referrals is imported, then the
//!   waiting list, searches and a referral read are timed one request at a time.
//!
//! It asserts nothing about behaviour (the test suites do that) beyond what keeps a figure
//! honest: every request counted must have succeeded, and intake checks the row count at the
//! end. Figures go to stdout (a readable report and one JSON line); progress bars go to
//! stderr. Results and how to read them are in `docs/benchmarks.md`.

mod intake;
mod lists;
mod money;
mod outcomes;
mod server;
mod sim;
mod stats;

use std::io::Write as _;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "nwd-bench",
    about = "Measures No Wrong Door's intake throughput and list latency (build with --release)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Concurrent clients post referrals until `--referrals` are accepted.
    Intake(intake::Args),
    /// Imports the demo county at scale, then times lists, searches and reads.
    Lists(lists::Args),
    /// Times the what-if simulator on the reference county pathway.
    Sim(sim::Args),
    /// Imports the demo county with its outcome measures, then times the dashboard's
    /// outcome figures (computed afresh, kept, after a change).
    Outcomes(outcomes::Args),
    /// Imports the demo county and its commissioning record, then times each contract's
    /// payment and activity statement.
    Money(money::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Intake(args) => intake::run(args).await,
            Command::Lists(args) => lists::run(args).await,
            Command::Sim(args) => sim::run_bench(args).await,
            Command::Outcomes(args) => outcomes::run(args).await,
            Command::Money(args) => money::run(args).await,
        }
    })
}

/// Writes one line of the report to stdout (progress bars use stderr).
pub(crate) fn report(line: impl std::fmt::Display) {
    let mut out = std::io::stdout().lock();
    // A closed stdout (e.g. `| head`) must not abort a long run.
    let _ = writeln!(out, "{line}");
}
