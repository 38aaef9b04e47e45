//! The simulator's correctness tests, in one binary: M/M/c against Erlang C, networks against
//! the traffic equations, conservation (property), determinism across thread counts, scenario
//! validation. Run with `cargo test -p nwd-sim` (the crate is optimised in test builds).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    reason = "tests: a failure stops the test with its message"
)]

mod arrivals;
mod determinism;
mod erlang_a;
mod fuzz_corpus;
mod gave_up;
mod limits;
mod mmc;
mod networks;
mod priority;
mod properties;
mod support;
mod validation;
mod warm_start;
