//! Tests of the real `nowrongdoor` binary, in one test binary with a module per area: the
//! administrator commands, the crash harness (SIGKILL), the SIGTERM drain and `persons
//! match-file`'s refusals.

mod admin;
mod audit;
mod crash;
mod lists;
mod persons;
mod sigterm;
