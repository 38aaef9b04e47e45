#![no_main]
//! Fuzz target `domain_values`: see `nwd_domain::fuzz::domain_values` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_domain::fuzz::domain_values(data));
