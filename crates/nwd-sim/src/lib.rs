//! # nwd-sim — what-if simulator of demand and capacity
//!
//! Owns the model of the pathway as an **open queueing network** and its own discrete-event
//! engine; does not own the data it is calibrated from (`nwd-store::calibrate` reads the
//! database, `nwd-cli` wires the two), nor any I/O: no files, no clock, no database. The only
//! randomness is each replication's seeded generator.
//!
//! ## The model
//! External Poisson arrivals per (referral source, need group), optionally shaped by weekly and
//! seasonal profiles (simulated by thinning), arrive at a node — usually the triage node (the
//! single point of access). Each node is a queue (first come first served within two priorities,
//! urgent before routine) in front of `c` servers (caseload or
//! appointment slots) whose number may change on a schedule; service times are exponential,
//! gamma, lognormal (mean and coefficient of variation), fixed or empirical. After service a
//! visit is routed on (probabilities that may depend on need group, and may change it: step up,
//! step down) or leaves. Waiting visits may renege (competing patience clocks, each with a
//! reason); a booked start may be a did-not-attend; a node may have a booking lead (a wait for
//! a date before a visit joins the queue). Nodes may start with a waiting list (with the
//! days already waited) and with visits in service.
//!
//! ## Using it
//! [`Scenario::from_toml`] (or `from_json`) reads a file; [`Model::new`] validates it, every
//! problem named by its field path; [`run`] runs replications in parallel (bit-identical for a
//! seed whatever the thread count); [`summarise`] gives the [`Report`] (means with 95 %
//! half-widths, snapshots, and beside them the closed-form [`analytic`] figures);
//! [`compare`] puts two scenarios side by side. `docs/simulator.md` is the reference.

pub mod analytic;
pub mod calibrate;
mod dist;
mod engine;
mod error;
#[doc(hidden)]
pub mod fuzz;
mod model;
mod queue;
mod report;
mod run;
pub mod scenario;
mod stats;

pub use analytic::{analyse, erlang_c, Analytic, Capa, ErlangC, NodeAnalytic};
pub use error::{FieldError, ScenarioErrors, SimError};
pub use model::{limits, Model, DAYS_PER_YEAR};
pub use report::{
    compare, flatten, keys, summarise, t_975, table, Comparison, ComparisonRow, Estimate, Key,
    NetworkAnalytic, NodeReport, PerReplication, ReferralReport, Report, Snapshot,
};
pub use run::{check_replications, replicate, run, RunOptions};
pub use scenario::Scenario;
pub use stats::{GroupStats, NodeRep, ReferralStats, RepStats, RunCounts};
