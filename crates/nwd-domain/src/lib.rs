//! # nwd-domain — the pure core of No Wrong Door
//!
//! Owns the vocabulary and the rules: who a person is, what a referral is, how it moves from
//! the single point of access to a named destination, what a waiting list is, how long a wait
//! is against its standard, and the national measures computed from contacts.
//!
//! It does **not** own storage, HTTP, clocks or randomness: callers pass the current time and
//! an id generator in. No I/O, no async — a test reads `cargo metadata` and fails if sqlx,
//! tokio, axum or reqwest ever become dependencies (see `tests/domain/purity.rs`).
//!
//! Each rule has one home here, and every door (the API, the pages, the command line) reads it
//! from there: the ages served ([`person::SERVED_AGES`]), contact details
//! ([`contact::Phone`], [`contact::Email`]), the presenting-needs limit
//! ([`referral::command::MAX_PRESENTING_NEEDS_CHARS`]), what a self-referral asks
//! ([`self_referral`]: consent-to-share choices, the safety answers), who acted
//! ([`actor::Actor`]), and when the competence question applies
//! ([`referral::Referral::competence_question_applies`], age at receipt). ARCHITECTURE.md's
//! "Where each rule lives" lists them with their tests.
//!
//! The referral is event-sourced: [`referral::Referral::decide`] turns a command into events
//! (or a typed error, changing nothing) and [`referral::Referral::apply`] folds events into
//! state. Every state change is therefore an event with who, when and why.

pub mod about;
pub mod access;
pub mod actor;
pub mod authz;
pub mod codes;
pub mod commissioning;
pub mod consent;
pub mod consultation;
pub mod contact;
pub mod directory;
pub mod disclosure;
pub mod error;
pub mod fit;
#[doc(hidden)]
pub mod fuzz;
pub mod ids;
pub mod ledger;
pub mod linking;
pub mod need;
pub mod nhs_number;
pub mod outcome_figures;
pub mod person;
pub mod person_text;
pub mod population;
pub mod postcode;
pub mod published;
pub mod referral;
pub mod retention;
pub mod search;
pub mod self_referral;
pub mod spreadsheet;
pub mod standards;
pub mod transition;
pub mod waits;

pub use error::{DomainError, FieldError, ValidationErrors};
pub use ids::{AllocationId, ContactId, OrganisationId, PersonId, ReferralId, ServiceId};
pub use nhs_number::NhsNumber;
pub use postcode::Postcode;
