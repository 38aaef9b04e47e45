#![no_main]
//! Fuzz target `query_filters`: see `nwd_web::fuzz::query_filters` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_web::fuzz::query_filters(data));
