//! Integration tests of `nwd-domain`, in one test binary with a module per area: the state
//! machine as a table, property tests of its invariants, urgency, the fuzz corpora, the
//! architecture's purity rule and the clinical safety hazard log.

mod architecture;
mod fuzz_corpus;
mod hazard_log;
mod invariants;
mod purity;
mod transitions;
mod urgency;
