//! # nwd-usecase — the use cases every door shares
//!
//! The JSON API (`nwd-api`), the pages (`nwd-pages`) and the command line each turn their input
//! into the domain types a use case takes, call it, and render its result. A use case is
//! written once, here, below every door: no door assembles a referral of its own, so the same
//! answers make the same record and meet the same refusals whichever door they came through
//! (the parity tests in `crates/nwd-web/tests/api/intake/parity.rs` hold them to that).
//!
//! Owns: reading the answers both doors receive into domain types (`person`, `about`),
//! assembling what is stored from typed answers and the one write (`intake`, `accounts`,
//! `sign_in`, `privacy`), what a status link says (`status`) and when someone will be in touch
//! (`promise`). Does not own: routes, forms,
//! JSON bodies, HTTP or the wording of pages (the doors), nor the rules themselves
//! (`nwd_domain`). It depends on no web crate (Cargo enforces it; `nwd-web`'s `layering`
//! test checks the graph): use cases take the store, not the web state, and refuse with
//! [`UseCaseError`], which each door renders its own way.

pub mod about;
pub mod accounts;
pub mod commissioning;
pub mod error;
pub mod intake;
pub mod ledger;
pub mod measure_links;
pub mod measure_texts;
pub mod need;
pub mod outcomes;
pub mod person;
pub mod privacy;
pub mod promise;
pub mod record_change;
pub mod sign_in;
pub mod status;

pub use error::{UseCaseError, UseCaseResult};
