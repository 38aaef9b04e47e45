//! Person matching for No Wrong Door: which registered child, if any, a referral is about.
//! Pure and in memory: no I/O, no async, no clock; the only randomness is the seeded pair
//! sampler of [`estimate`]. It owns normalisation, the matching model, its estimation and the
//! blocking index; it does not own storage, merges or the review queue (the store and web crates
//! do, and keep the [`Explanation`] this crate produces).
//!
//! # The model
//! Each record's fields are normalised once (lower-case ASCII, punctuation dropped, addresses
//! tokenised, postcodes compacted, dates of birth read tolerantly, the identifier classified).
//! A query is then compared with each candidate the blocking index proposes:
//!
//! 1. **Fellegi–Sunter.** Seven comparisons, each with ordered levels; level 0 (a value missing
//!    on either side) weighs 0, every other level weighs log2(m/u):
//!    identifier (exact / one edit / different), given name (exact / swapped with family name /
//!    Jaro–Winkler ≥ 0.92 / ≥ 0.88 / nickname / different), family name (exact / JW ≥ 0.92 /
//!    ≥ 0.88 / different), date of birth (exact / one edit or day–month swap / within a year or
//!    same year-month / different), address as **one** composite comparison (exact / high /
//!    partial token overlap / different — a household shares every address field, so they are
//!    not independent evidence), postcode (exact / same district or one edit / different) and
//!    sex (agree / disagree). Exact name agreement is adjusted for the name's frequency in the
//!    register (a common surname counts for less). The prior is log2(matches per record /
//!    people registered). The total weight gives the match probability.
//! 2. **Rules** on top (see `score.rs`): a valid NHS number equal to the candidate's with date of
//!    birth or family name agreeing links deterministically; two different valid NHS numbers
//!    are two people (never auto); a number failing its check digit, a placeholder
//!    (`0000000000` …) or a number the register holds for different people is flagged and never
//!    used; a move (address and postcode both different) counts once; a candidate at the same
//!    home (whatever the family name; a house number alone is the home) with a different given
//!    name is a sibling (the home's and family name's evidence discounted, penalty applied) or,
//!    born the same day, a twin (never auto; also after a move), or, born a keystroke away, a
//!    possible name change (review); with the household safeguards on (all of these are
//!    household safeguards), no auto-link without a given name, with dates of birth months or years apart, with
//!    fewer than two of the child's own details agreeing, or from another home without exact
//!    names and date of birth — which, when they agree, always reach review.
//! 3. **Bands** from fixed [`Thresholds`]: auto-link, review, or new person; two registered
//!    people both reaching auto send the referral to review.
//!
//! Every candidate carries an [`Explanation`]: the prior, one bar per comparison (level,
//! weight, term-frequency adjustment) and the rules applied; they add up to the match weight.
//!
//! # Parameters
//! [`estimate`] learns [`Params`] without labels, as Splink does: u from a seeded sample of
//! random pairs, m by expectation–maximisation over blocked pairs with u fixed, then u corrected
//! for the true matches among the random pairs. Estimate on the data to be matched — the
//! register together with incoming referrals: a register with no duplicates left teaches EM
//! households instead of people (detected, and the starting m kept). Parameters serialise to
//! JSON; thresholds are configuration, never estimated.
//!
//! # Using it
//! [`Matcher::new`] with parameters and thresholds; [`Matcher::insert`] (or
//! [`Matcher::insert_many`]) as people are registered; [`Matcher::match_record`] per referral
//! (a [`MatchOutcome`]); [`Matcher::match_batch`] or [`link`] for files of queries; [`dedupe`]
//! for proposing duplicate pairs and clusters within a register. `Matcher` is `Send + Sync`.
//! The design and the evaluation are in `docs/design/0003-person-matching.md`.
mod batch;
mod comparison;
mod dob;
mod estimate;
#[doc(hidden)]
pub mod fuzz;
mod hash;
pub mod import;
mod index;
mod matcher;
mod nickname;
mod normalise;
mod outcome;
mod params;
pub mod person_matcher;
mod phonetic;
mod prng;
pub mod record;
mod register;
mod score;
mod similarity;

pub use batch::{clusters, dedupe, dedupe_with_progress, link, Dedupe, Pair};
pub use estimate::{estimate, EstimateError, EstimateOptions};
pub use matcher::Matcher;
pub use outcome::{
    Band, Candidate, ComparisonWeight, Explanation, MatchOutcome, Rule, RuleApplied,
};
pub use params::{
    ComparisonParams, EstimationSummary, LevelParams, Params, ParamsError, ReferralEstimation,
    SessionSummary, TermFrequency, Thresholds, MODEL_VERSION,
};
pub use record::Record;
pub use similarity::jaro_winkler;
pub mod synthetic;
