//! Integration tests of `nwd-match`, in one test binary with a module per area: accuracy on
//! the FEBRL sets and on the synthetic register, and the fuzz corpora.

mod febrl;
mod fuzz_corpus;
mod synthetic_eval;
