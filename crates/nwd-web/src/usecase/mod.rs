//! Use cases every door shares: the API (`crate::api`) and the pages (`crate::pages`) each turn
//! their input into the domain types a use case takes, call it, and render its result. A use
//! case is written once, here, below both doors: neither door assembles a referral of its own,
//! so the same answers make the same record and meet the same refusals whichever door they
//! came through (the parity tests in `tests/api/intake.rs` hold them to that).
//!
//! Owns: reading the answers both doors receive into domain types (`person`, `about`),
//! assembling what is stored from typed answers and the one write (`intake`, `accounts`,
//! `sign_in`, `privacy`), and what a status link says (`status`). Does not own: routes, forms,
//! JSON bodies or the wording of pages (the doors), nor the rules themselves (`nwd_domain`).
//! Never imports `crate::api` or `crate::pages` (`src/layering.rs` checks it). The use cases
//! take the store, not the web state, so any door — the CLI included — can call them; their
//! refusals are the edge's `ApiError`, which each door renders its own way.

pub mod about;
pub mod accounts;
pub mod intake;
pub mod person;
pub mod privacy;
pub mod sign_in;
pub mod status;
