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
use crate::params::{EstimationSummary, Model, Params, ReferralEstimation, SessionSummary};
use crate::record::Record;
use crate::register::Register;

mod em;
mod pairs;

use em::expectation_maximisation;
use pairs::{
    cross_pairs, cross_patterns, estimate_u, group, normalise_levels, patterns,
    sample_blocked_pairs,
};

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
    // Each matching pair within the register is a match for both of its records.
    let per_pair = 2.0 / n as f64;
    let first = fit_m(&sessions, &patterns, &start_model.m, &u, per_pair, options);
    // Random pairs include some true matches (share λ = matches per record / (n − 1)), which
    // inflate u for agreeing levels: observed = λ·m + (1 − λ)·u. Solve for u, then fit m again.
    let u = decontaminate(&u, &first.m, first.matches_per_record / (n - 1) as f64);
    let mut fit = fit_m(&sessions, &patterns, &first.m, &u, per_pair, options);
    // Matching pairs disagree on the given name far less often than non-matching ones. A fit
    // where they disagree at least half as often has learned households (twins share a date of
    // birth, a home and a family name), which is what EM finds in a register with no duplicates
    // left: keep the starting m and prior rather than teach the matcher that twins are one child.
    let households = fit.m[GIVEN][usize::from(given::DIFFERENT)]
        >= 0.5 * u[GIVEN][usize::from(given::DIFFERENT)];
    // A register kept free of duplicates may instead give EM nothing at all: the match share
    // falls to its floor, m stays where it started, and the matches per record come out as
    // about zero (clamped to 0.001), a prior ten bits below the starting one. That is not an
    // estimate of how many registered people a referral is — only that the register holds no
    // duplicates — so, as for the referrals' pairs, a fit expecting fewer than
    // MIN_EXPECTED_MATCHES true pairs in every session is a fallback too.
    let true_pairs = expected_true_pairs(&sessions, &fit);
    let m_fallback = if households {
        Some(
            "the records hold too few duplicates to learn m from (the fit found households): \
             starting m and prior kept; estimate on the register together with incoming referrals"
                .to_owned(),
        )
    } else if true_pairs < MIN_EXPECTED_MATCHES {
        Some(format!(
            "the records hold too few duplicates to learn m from (about {true_pairs:.0} true \
             pairs, fewer than {MIN_EXPECTED_MATCHES:.0}): starting m and prior kept; estimate \
             on the register together with incoming referrals"
        ))
    } else {
        None
    };
    if m_fallback.is_some() {
        fit.m = start_model.m;
        fit.matches_per_record = start.matches_per_record;
    }

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
        referrals: None,
    });
    params
}

/// Fewest expected true pairs for a fit's m and prior to be used — among the referral–register
/// pairs, and (since session 16) within the register, in at least one session: EM learns m
/// from the matches, and a level with m of about 5 % (a given name at Jaro–Winkler
/// ≥ 0.88, a date of birth within a year) is then seen about [`MIN_OBSERVATIONS`] times.
const MIN_EXPECTED_MATCHES: f64 = MIN_OBSERVATIONS / 0.05;

/// Estimates m and the matches per referral by EM on the pairs between the referrals and the
/// register — the pairs being linked, as Splink estimates a link job — in the register's two
/// sessions (exact date of birth; exact given and family name), with u and term frequencies
/// from the register (`base`). A register kept free of duplicates has no true pairs to learn m
/// from (EM on it finds households, or learns from near-duplicates that are not the errors a
/// referral carries); the referrals' pairs with it hold exactly the matches to be made. The
/// result is used only when the fit has not learned households (the register's guard) and
/// expects at least [`MIN_EXPECTED_MATCHES`] true pairs; otherwise `base` is returned, with the
/// reason noted.
pub(crate) fn estimate_with_referrals(
    register: &Register,
    referrals: &Register,
    base: &Params,
    options: &EstimateOptions,
) -> Params {
    let mut params = base.clone();
    let Some(summary) = params.estimation.as_mut() else {
        return params;
    };
    if referrals.len() == 0 || register.len() == 0 {
        return params;
    }
    let Ok(model) = Model::new(base) else {
        return params;
    };
    let dob_key = |r: &Register, i: u32| r.dob(i).map(|d| hash_bytes(d.digits()));
    let names_key = |r: &Register, i: u32| {
        r.name_symbols(i)
            .map(|(g, f)| (u64::from(g) << 32) | u64::from(f))
    };
    // A referral's names as the register's symbols: a name the register does not hold pairs
    // with nobody.
    let referral_names_key = |q: &Register, i: u32| {
        let view = q.view(i);
        register
            .name_symbols_of(view.given?, view.family?)
            .map(|(g, f)| (u64::from(g) << 32) | u64::from(f))
    };
    let sessions = [
        Session {
            name: "date_of_birth exact (referrals against the register)",
            blocked: &[DOB],
            pairs: cross_pairs(
                referrals,
                register,
                dob_key,
                dob_key,
                options.max_pairs_per_session,
                options.seed ^ 3,
            ),
        },
        Session {
            name: "given_name and family_name exact (referrals against the register)",
            blocked: &[GIVEN, FAMILY],
            pairs: cross_pairs(
                referrals,
                register,
                referral_names_key,
                names_key,
                options.max_pairs_per_session,
                options.seed ^ 4,
            ),
        },
    ];
    let patterns: Vec<Vec<(Gamma, f64)>> = sessions
        .iter()
        .map(|session| cross_patterns(referrals, register, &session.pairs.1))
        .collect();
    let fit = fit_m(
        &sessions,
        &patterns,
        &model.m,
        &model.u,
        1.0 / referrals.len() as f64,
        options,
    );
    let expected_matches = sessions[0].pairs.0 as f64 * fit.summaries[0].match_share;
    let households = fit.m[GIVEN][usize::from(given::DIFFERENT)]
        >= 0.5 * model.u[GIVEN][usize::from(given::DIFFERENT)];
    let (used, note) = if expected_matches < MIN_EXPECTED_MATCHES {
        (
            false,
            format!(
                "about {expected_matches:.0} true pairs between the referrals and the \
                 register, fewer than {MIN_EXPECTED_MATCHES:.0}: too few to learn m from, the \
                 register's m and prior kept"
            ),
        )
    } else if households {
        (
            false,
            "the fit on the pairs between the referrals and the register found households \
             (matches as likely to differ in given name as non-matches): the register's m and \
             prior kept"
                .to_owned(),
        )
    } else {
        (
            true,
            "m and the matches per referral estimated on the pairs between the referrals and \
             the register (u from the register)"
                .to_owned(),
        )
    };
    summary.referrals = Some(ReferralEstimation {
        referrals: referrals.len(),
        sessions: fit.summaries,
        matches_per_referral: fit.matches_per_record,
        used,
        note,
    });
    if used {
        params.matches_per_record = fit.matches_per_record;
        for (c, comparison) in params.comparisons.iter_mut().enumerate() {
            for (level, values) in comparison.levels.iter_mut().enumerate() {
                values.m = fit.m[c][level + 1];
            }
        }
    }
    params
}

/// The most true pairs EM found in any one session (its match share × the session's pairs):
/// what m was learned from.
fn expected_true_pairs(sessions: &[Session], fit: &Fit) -> f64 {
    sessions
        .iter()
        .zip(&fit.summaries)
        .map(|(session, summary)| session.pairs.0 as f64 * summary.match_share)
        .fold(0.0, f64::max)
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
/// pairs with equal dates of birth; ÷ m(date of birth exact) = all matching pairs; × `per_pair`
/// = matches per record: 2 / n within a register of n, 1 / q for q referrals against one).
fn fit_m(
    sessions: &[Session],
    patterns: &[Vec<(Gamma, f64)>],
    start: &Table,
    u: &Table,
    per_pair: f64,
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
        _ => 1.0 / per_pair,
    };
    Fit {
        m,
        matches_per_record: (per_pair * matching_pairs).clamp(1e-3, 10.0),
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

#[cfg(test)]
mod tests;
