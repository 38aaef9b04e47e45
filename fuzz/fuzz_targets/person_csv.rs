#![no_main]
//! Fuzz target `person_csv`: see `nwd_match::fuzz::person_csv` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_match::fuzz::person_csv(data));
