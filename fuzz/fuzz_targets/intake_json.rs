#![no_main]
//! Fuzz target `intake_json`: see `nwd_web::fuzz::intake_json` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_web::fuzz::intake_json(data));
