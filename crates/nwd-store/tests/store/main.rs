//! Integration tests of `nwd-store`: the directory, intake, the referral lifecycle, and the
//! lists and measures, each run against **both** backends — a fresh SQLite file and a fresh
//! PostgreSQL database (see [`backend::for_each_backend`]).
//!
//! Run them with `scripts/test -p nwd-store`, which provides a PostgreSQL server. Without
//! `DATABASE_URL` (and without `NWD_REQUIRE_POSTGRES=1`) only SQLite runs, with a warning.
//!
//! Every person here is synthetic; NHS numbers come from the 999 test range.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod about;
mod audit_commit;
mod audit_context;
mod backend;
mod commissioning;
mod dashboard;
mod directory;
mod directory_offer;
mod drafts;
mod intake;
mod intake_group;
mod lifecycle;
mod lists;
mod measure_counts;
mod population;
mod retention;
mod synthetic;
