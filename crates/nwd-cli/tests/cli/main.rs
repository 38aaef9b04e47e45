//! Tests of the real `nowrongdoor` binary, in one test binary with a module per area: the
//! administrator commands, the crash harness (SIGKILL) and the SIGTERM drain.

mod admin;
mod audit;
mod crash;
mod lists;
mod outcomes;
mod sigterm;
