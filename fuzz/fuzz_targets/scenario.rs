#![no_main]
//! Fuzz target `scenario`: see `nwd_sim::fuzz::scenario` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_sim::fuzz::scenario(data));
