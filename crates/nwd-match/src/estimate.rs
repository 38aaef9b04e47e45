//! Unsupervised estimation of [`Params`], as Splink does it:
//!
//! - **u** (P(level | different people)) from random pairs: a seeded sample of record pairs is
//!   almost entirely non-matches, so level frequencies among them estimate u.
//! - **m** (P(level | same person)) by expectation–maximisation over blocked pairs with u held
//!   fixed, iterating m and λ (the share of matches among the pairs). Blocking on a field forces
//!   its agreement, so each session leaves its blocking fields' m alone: session 1 blocks on
//!   exact date of birth (estimates everything else), session 2 on exact given + family name
//!   (estimates date of birth and the rest again); m of comparisons estimated twice is averaged.
//! - **matches per record**: session 1's λ × its pair count is the expected number of
//!   matching pairs with equal dates of birth; divided by m(date of birth exact) it estimates all
//!   matching pairs, hence the expected matches per record, which sets the prior.
//! - **u corrected for matches among the random pairs**: a random pair is a true match with
//!   probability λ = matches per record / (n − 1), so observed level frequencies are
//!   λ·m + (1 − λ)·u. Once m and λ are known, u is solved from that and m fitted once more.
//!   Negligible in a large register with few duplicates; it matters in test sets where a record
//!   has several duplicates (FEBRL 3), where uncorrected u understates every exact agreement.
//!
//! Term frequencies are not estimated here: the matcher counts names in its own register.

use serde::{Deserialize, Serialize};

use crate::batch::normalise_all;
use crate::comparison::{given, Gamma, DOB, FAMILY, GIVEN, MAX_LEVELS, MODEL, N_COMPARISONS};
use crate::params::{EstimationSummary, Model, Params, SessionSummary};
use crate::record::Record;
use crate::register::Register;

mod em;
mod pairs;

use em::expectation_maximisation;
use pairs::{estimate_u, group, normalise_levels, patterns, sample_blocked_pairs};

/// Settings of [`estimate`]; the defaults are the method, not a tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstimateOptions {
    /// Seed of the pair sampler: the same records and seed give the same parameters.
    pub seed: u64,
    /// Random pairs sampled for u. 1,000,000 (2,000,000 before issue 18): u is a level's
    /// frequency among different people, which does not depend on the register's size, and a
    /// million pairs see the rarest level that carries weight (date of birth exact, about one
    /// pair in 6,500 among children) some 150 times — a standard error of 0.12 bits against
    /// the +12 bits it weighs. Comparing the pairs was half of estimating at a million people.
    pub random_pairs: usize,
    /// Most blocked pairs used per EM session (a deterministic sample beyond that). 1,000,000
    /// (2,000,000 before issue 18): only registers far larger than the test sets reach it.
    pub max_pairs_per_session: usize,
    /// EM iteration limit.
    pub max_iterations: usize,
    /// EM stops when no m or λ moves by more than this.
    pub tolerance: f64,
}

impl Default for EstimateOptions {
    fn default() -> Self {
        EstimateOptions {
            seed: 20_240_401,
            random_pairs: 1_000_000,
            max_pairs_per_session: 1_000_000,
            max_iterations: 200,
            tolerance: 1e-6,
        }
    }
}

/// Why parameters could not be estimated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EstimateError {
    /// Fewer than two records: there are no pairs.
    #[error("estimating parameters needs at least two records; got {0}")]
    TooFewRecords(usize),
}

/// Fewest observations of a comparison for its estimate to replace the starting value.
const MIN_OBSERVATIONS: f64 = 10.0;
/// Pseudo-count added to every level when re-estimating m or u (keeps weights finite).
const PSEUDO_COUNT: f64 = 0.5;

type Table = [[f64; MAX_LEVELS]; N_COMPARISONS];

/// Estimates the model's parameters from unlabelled records.
pub fn estimate(records: &[Record], options: &EstimateOptions) -> Result<Params, EstimateError> {
    if records.len() < 2 {
        return Err(EstimateError::TooFewRecords(records.len()));
    }
    let mut register = Register::default();
    for slice in records.chunks(1 << 16) {
        for (record, person) in slice.iter().zip(normalise_all(slice)) {
            register.push(&record.id, &person);
        }
    }
    Ok(estimate_register(&register, options))
}

/// Estimates from records already normalised into a register (a [`crate::Matcher`]'s own, so
/// that a million records are normalised once, not once for estimating and again for
/// matching). The register holds at least two people.
pub(crate) fn estimate_register(register: &Register, options: &EstimateOptions) -> Params {
    let start = Params::default();
    let Ok(start_model) = Model::new(&start) else {
        return start;
    };
    let u = estimate_u(register, options, &start_model.u);

    let by_dob = group(register, |r, i| r.dob(i).map(|d| hash_bytes(d.digits())));
    let by_names = group(register, |r, i| {
        r.name_symbols(i)
            .map(|(g, f)| (u64::from(g) << 32) | u64::from(f))
    });
    let sessions = [
        Session {
            name: "date_of_birth exact",
            blocked: &[DOB],
            pairs: sample_blocked_pairs(&by_dob, options.max_pairs_per_session, options.seed ^ 1),
        },
        Session {
            name: "given_name and family_name exact",
            blocked: &[GIVEN, FAMILY],
            pairs: sample_blocked_pairs(&by_names, options.max_pairs_per_session, options.seed ^ 2),
        },
    ];
    let patterns: Vec<Vec<(Gamma, f64)>> = sessions
        .iter()
        .map(|session| patterns(register, &session.pairs.1))
        .collect();
    let n = register.len();
    let first = fit_m(&sessions, &patterns, &start_model.m, &u, n, options);
    // Random pairs include some true matches (share λ = matches per record / (n − 1)), which
    // inflate u for agreeing levels: observed = λ·m + (1 − λ)·u. Solve for u, then fit m again.
    let u = decontaminate(&u, &first.m, first.matches_per_record / (n - 1) as f64);
    let mut fit = fit_m(&sessions, &patterns, &first.m, &u, n, options);
    // Matching pairs disagree on the given name far less often than non-matching ones. A fit
    // where they disagree at least half as often has learned households (twins share a date of
    // birth, a home and a family name), which is what EM finds in a register with no duplicates
    // left: keep the starting m and prior rather than teach the matcher that twins are one child.
    let m_fallback = (fit.m[GIVEN][usize::from(given::DIFFERENT)]
        >= 0.5 * u[GIVEN][usize::from(given::DIFFERENT)])
    .then(|| {
        fit.m = start_model.m;
        fit.matches_per_record = start.matches_per_record;
        "the records hold too few duplicates to learn m from (the fit found households): \
             starting m and prior kept; estimate on the register together with incoming referrals"
            .to_owned()
    });

    let mut params = start;
    params.matches_per_record = fit.matches_per_record;
    for (c, comparison) in params.comparisons.iter_mut().enumerate() {
        for (level, values) in comparison.levels.iter_mut().enumerate() {
            values.m = fit.m[c][level + 1];
            values.u = u[c][level + 1];
        }
    }
    params.estimation = Some(EstimationSummary {
        records: n,
        random_pairs: options.random_pairs,
        seed: options.seed,
        sessions: fit.summaries,
        m_fallback,
    });
    params
}

/// A date of birth's digits as one 64-bit key (a collision would only merge two groups).
fn hash_bytes(digits: &[u8]) -> u64 {
    crate::hash::KeyHash::new(0).with(digits).finish()
}

/// One EM session: its blocking rule, the comparisons that rule fixes, and its pairs (the full
/// count and the pairs used).
struct Session {
    name: &'static str,
    blocked: &'static [usize],
    pairs: (u64, Vec<(u32, u32)>),
}

struct Fit {
    m: Table,
    matches_per_record: f64,
    summaries: Vec<SessionSummary>,
}

/// Runs EM in every session, averages m over the sessions that estimated each comparison, and
/// derives the expected matches per record from the date-of-birth session (λ × pairs = matching
/// pairs with equal dates of birth; ÷ m(date of birth exact) = all matching pairs).
fn fit_m(
    sessions: &[Session],
    patterns: &[Vec<(Gamma, f64)>],
    start: &Table,
    u: &Table,
    records: usize,
    options: &EstimateOptions,
) -> Fit {
    let mut m_sum: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
    let mut m_sessions = [0usize; N_COMPARISONS];
    let mut summaries = Vec::new();
    let mut lambdas = Vec::new();
    for (session, patterns) in sessions.iter().zip(patterns) {
        let em = expectation_maximisation(patterns, session.blocked, start, u, options);
        for c in (0..N_COMPARISONS).filter(|&c| em.estimated[c]) {
            for (sum, m) in m_sum[c].iter_mut().zip(em.m[c]) {
                *sum += m;
            }
            m_sessions[c] += 1;
        }
        let (total, used) = (&session.pairs.0, &session.pairs.1);
        lambdas.push((*total, em.lambda, !used.is_empty()));
        summaries.push(SessionSummary {
            blocked_on: session.name.to_owned(),
            pairs: *total,
            pairs_used: used.len() as u64,
            iterations: em.iterations,
            match_share: em.lambda,
        });
    }
    let mut m = *start;
    for c in (0..N_COMPARISONS).filter(|&c| m_sessions[c] > 0) {
        for (m, sum) in m[c].iter_mut().zip(m_sum[c]) {
            *m = sum / m_sessions[c] as f64;
        }
    }
    let matching_pairs = match (lambdas.first(), lambdas.get(1)) {
        (Some(&(total, lambda, true)), _) => lambda * total as f64 / m[DOB][1],
        (_, Some(&(total, lambda, true))) => lambda * total as f64 / (m[GIVEN][1] * m[FAMILY][1]),
        _ => records as f64 / 2.0,
    };
    Fit {
        m,
        matches_per_record: (2.0 * matching_pairs / records as f64).clamp(1e-3, 10.0),
        summaries,
    }
}

/// Removes the true matches' share from random-pair level frequencies: u = (observed − λ·m) /
/// (1 − λ), never below observed / 16 (so the correction raises no weight by more than 4 bits),
/// renormalised per comparison.
fn decontaminate(observed: &Table, m: &Table, lambda: f64) -> Table {
    let lambda = lambda.clamp(0.0, 0.5);
    let mut u = *observed;
    for (c, spec) in MODEL.iter().enumerate() {
        let levels = 1..=spec.levels.len();
        for level in levels.clone() {
            let corrected = (observed[c][level] - lambda * m[c][level]) / (1.0 - lambda);
            u[c][level] = corrected.max(observed[c][level] / 16.0);
        }
        let sum: f64 = levels.clone().map(|level| u[c][level]).sum();
        for level in levels {
            u[c][level] /= sum;
        }
    }
    u
}
