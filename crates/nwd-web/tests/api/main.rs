//! Black-box tests of the HTTP API: a real server on port 0 against a fresh real database,
//! once on SQLite and once on PostgreSQL (`DATABASE_URL`; `scripts/test` starts a throw-away
//! cluster). One test binary, modules per area.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod idp;

mod about;
mod access;
mod accounts;
mod admin;
mod admin_oidc;
mod aggregates;
mod audit_anchor;
mod bad_input;
mod commissioning;
mod compression;
mod concurrency;
mod connections;
mod consent;
mod cross_agency;
mod demo_import;
mod demo_sign_in;
mod destinations;
mod directory;
mod error_pages;
mod fuzz_corpus;
mod hardening;
mod intake;
mod intake_disclosure;
mod intake_flood;
mod journeys;
mod lifecycle;
mod limits;
mod measure_links;
mod measure_progress;
mod measure_wording;
mod money;
mod money_forms;
mod money_plan;
mod money_report;
mod need;
mod oidc;
mod openapi;
mod outcome_figures;
mod outcomes;
mod pages;
mod privacy;
mod refer;
mod register;
mod search;
mod sign_in;
mod statements;
mod status;
mod transitions;
mod urgency;
mod urgent_help;
