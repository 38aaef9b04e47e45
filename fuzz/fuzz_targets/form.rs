#![no_main]
//! Fuzz target `form`: see `nwd_web::fuzz::form` for what it checks.

libfuzzer_sys::fuzz_target!(|data: &[u8]| nwd_web::fuzz::form(data));
