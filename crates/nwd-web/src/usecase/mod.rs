//! Use cases every door shares: the API (`crate::api`) and the pages (`crate::pages`) each turn
//! their input into the domain types a use case takes, call it, and render its result. A use
//! case is written once, here, below both doors: neither door assembles a referral of its own,
//! so the same answers make the same record and meet the same refusals whichever door they
//! came through (the parity tests in `tests/api/intake.rs` hold them to that).
//!
//! Owns: assembling what is stored from typed answers, and the one write. Does not own: HTTP,
//! forms, JSON or wording of pages (the doors), nor the rules themselves (`nwd_domain`).

pub mod intake;
