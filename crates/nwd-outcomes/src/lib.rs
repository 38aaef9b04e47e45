//! Routine outcome measures for No Wrong Door (issue 19): what a questionnaire is, how its
//! answers become scale scores, and whether a child's scores changed reliably — exactly as NHS
//! England's CYP outcome metric (MHS112) judges it. Pure: no I/O except through the
//! [`std::io::Read`] and [`std::io::Write`] handed to [`classify_csv`]; no database, no HTTP,
//! no clock. Storage, pages and the `nowrongdoor outcomes` command belong to other crates.
//!
//! # What it owns
//! * **Measures as data** ([`MeasureDefinition`]): items and their answers, who completes the
//!   measure, ages, scales (items, reverse-scored items, prorating rule), direction of
//!   improvement, reliable-change threshold (fixed, or Jacobson & Truax from SD and
//!   reliability: 1.96 × SD × √2 × √(1 − r)), clinical cut-off and T-score norms by age and
//!   sex. Loaded from TOML or JSON and validated with field paths
//!   (`scales[1].items[3]: unknown item "q14"`).
//! * **Bundled measures** ([`bundled`], files in `measures/`): PHQ-9 and GAD-7 with item text
//!   (public domain); YP-CORE, CORE-10, GBO, RCADS (self `rcads`, parent `rcads_p`), SDQ
//!   (`sdq_self`, `sdq_parent`), ORS, CORS, HoNOSCA, CGAS, WEMWBS and SWEMWBS as scoring,
//!   norms and thresholds only — licensed item text is never shipped; an organisation loads
//!   the wording it is licensed to use ([`ItemText`]).
//! * **Scoring** ([`MeasureDefinition::score`], [`Scorer`]): reverse scoring, prorating
//!   (sum × items / answered when at most `max_missing` items are missing), refusal beyond
//!   that, and RCADS raw → T-score ([`ScaleDefinition::t_score`]).
//! * **Change** ([`judge_change`], [`pair_first_last`], [`OutcomeTally`], [`recovery`]) and
//!   the CSV evaluation ([`classify_csv`]).
//!
//! # The rules (MHS112)
//! 1. Pairing: the first score is the earliest assessment on or after the first contact; the
//!    last is the latest, if it is a later assessment on or after the second contact.
//! 2. RCADS raw scores become T-scores, T = (raw − mean) / SD × 10 + 50, with the norm for the
//!    child's age at referral and sex; other measures stay raw.
//! 3. Per scale, change = last − first: reliably improved when it moves the better way by at
//!    least the threshold, deteriorated when it moves the worse way by at least the threshold,
//!    otherwise no change.
//! 4. Per referral and rater: deterioration if any scale deteriorated; meaningful improvement
//!    if any improved and none deteriorated; otherwise no change.
//!
//! What stays with the caller, as NHS England's `cyp_closed_referrals` and `cyp_all_assessments`
//! select it (`cyp_outcomes_prep.py` lines 7–135): closed referrals of under-18s (age 0–17 at
//! referral) with at least two contacts, excluding inpatient spells and specialist teams; only
//! assessments with a score in the measure's range, dated on or before discharge; the rater
//! of each assessment. [`MeasureSet::judge_assessments`] then does steps 1–3 for one scale.
//!
//! # Sources
//! NHS England's own code, `NHSDigital/mental-health-monthly-statistics` (MIT), commit
//! `7b4d7421838b4bcb85729fbc1b53843c35a36e29`:
//! `Mental_Health_Monthly_Statistics/menh_bbrb/notebooks/02_Specific_Prepare/05_cyp_outcomes/cyp_outcomes_prep.py`
//! (pairing, T-scores, change, classification),
//! `Mental_Health_Monthly_Statistics/menh_bbrb/schemas/05_create_cyp_outcomes_tables.py`
//! (RCADS norms `rcads_transform_score`, thresholds `cyp_reliable_change_thresholds`,
//! directions `cyp_ass_type_scaling`) and
//! `Mental_Health_Monthly_Statistics/menh_bbrb/notebooks/01_Generic_Prepare/04_mhsds_ref_tables.py`
//! (score ranges and raters). Every constant in `measures/*.toml` names its file and line.
//! What NHS England's code does not give (item keys, reverse-scored items, prorating rules,
//! clinical cut-offs) is cited to its published source in the file, or marked UNCONFIRMED.
//!
//! Two NHS England choices are reproduced as they are, on purpose, and flagged: SDQ prosocial
//! counts as lower-is-better like the difficulty scales, and an RCADS score without a norm
//! for the child's age or sex is compared raw ([`ScaleDefinition::mhs112_score`]).

mod change;
mod classify_csv;
mod definition;
pub mod fhir;
mod item_text;
mod key_hash;
mod scoring;
mod set;
mod validate;

pub use change::{
    classify, judge_change, pair_first_last, recovery, Change, OutcomeTally, Overall, PairedScores,
    Recovery, THRESHOLD_TOLERANCE,
};
pub use classify_csv::{
    classify_csv, classify_csv_with, ClassifyError, ClassifySummary, INPUT_COLUMNS,
};
pub use definition::{
    AgeRange, ClinicalCutoff, ClinicalWhen, Direction, FieldError, InvalidDefinition,
    ItemDefinition, LoadError, MeasureDefinition, Rater, ReliableChange, ResponseOption,
    ResponseSet, ScaleDefinition, Sex, TScoreNorm,
};
pub use item_text::{ItemText, MAX_TEXT_CHARS};
pub use scoring::{t_from_norm, ScaleScore, Scorer, ScoringError};
pub use set::{bundled, load_bundled, JudgedScale, MeasureSet, BUNDLED_FILES};

#[cfg(test)]
mod tests;
