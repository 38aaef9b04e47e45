//! Tests of the real `nowrongdoor` binary, in one test binary with a module per area: the
//! administrator commands, the crash harness (SIGKILL), the SIGTERM drain, `persons
//! match-file`'s refusals and `outcomes classify`.

mod admin;
mod audit;
mod commissioning;
mod crash;
mod lists;
mod outcomes;
mod persons;
mod sigterm;
mod simulate;
