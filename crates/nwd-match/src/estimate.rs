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

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::batch::{normalise_all, parallel_chunks};
use crate::comparison::{
    compare, given, Gamma, DOB, FAMILY, GIVEN, MAX_LEVELS, MISSING, MODEL, N_COMPARISONS,
};
use crate::params::{EstimationSummary, Model, Params, SessionSummary};
use crate::prng::SplitMix64;
use crate::record::Record;
use crate::register::Register;

/// Settings of [`estimate`]; the defaults are the method, not a tuning.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EstimateOptions {
    /// Seed of the pair sampler: the same records and seed give the same parameters.
    pub seed: u64,
    /// Random pairs sampled for u.
    pub random_pairs: usize,
    /// Most blocked pairs used per EM session (a deterministic sample beyond that).
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
            random_pairs: 2_000_000,
            max_pairs_per_session: 2_000_000,
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
    let start = Params::default();
    let Ok(start_model) = Model::new(&start) else {
        return Ok(start);
    };
    let u = estimate_u(&register, options, &start_model.u);

    let by_dob = group(&register, |r, i| r.dob(i).map(|d| d.digits().to_vec()));
    let by_names = group(&register, |r, i| {
        r.name_symbols(i)
            .map(|(g, f)| [g.to_le_bytes(), f.to_le_bytes()].concat())
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
        .map(|session| patterns(&register, &session.pairs.1))
        .collect();
    let n = records.len();
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
        records: records.len(),
        random_pairs: options.random_pairs,
        seed: options.seed,
        sessions: fit.summaries,
        m_fallback,
    });
    Ok(params)
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

/// Level frequencies over a seeded sample of random pairs.
fn estimate_u(register: &Register, options: &EstimateOptions, start: &Table) -> Table {
    const CHUNKS: usize = 64;
    let n = register.len() as u64;
    let per_chunk = options.random_pairs.div_ceil(CHUNKS);
    let counts = parallel_chunks(CHUNKS, 1, |chunks| {
        chunks
            .map(|chunk| {
                let mut rng = SplitMix64::new(options.seed ^ (chunk as u64).wrapping_mul(0x9E37));
                let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
                for _ in 0..per_chunk {
                    let i = rng.below(n);
                    let mut j = rng.below(n - 1);
                    if j >= i {
                        j += 1;
                    }
                    let gamma = compare(&register.view(i as u32), &register.view(j as u32));
                    for (c, &level) in gamma.iter().enumerate() {
                        counts[c][usize::from(level)] += 1.0;
                    }
                }
                counts
            })
            .collect()
    });
    let mut total: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
    for table in counts {
        for c in 0..N_COMPARISONS {
            for level in 0..MAX_LEVELS {
                total[c][level] += table[c][level];
            }
        }
    }
    normalise_levels(&total, start)
}

/// Turns level counts (level 0 ignored) into probabilities with a pseudo-count; comparisons
/// with too few observations keep `fallback`.
fn normalise_levels(counts: &Table, fallback: &Table) -> Table {
    let mut out = *fallback;
    for (c, spec) in MODEL.iter().enumerate() {
        let levels = spec.levels.len();
        let observed: f64 = counts[c][1..=levels].iter().sum();
        if observed < MIN_OBSERVATIONS {
            continue;
        }
        for level in 1..=levels {
            out[c][level] =
                (counts[c][level] + PSEUDO_COUNT) / (observed + PSEUDO_COUNT * levels as f64);
        }
    }
    out
}

/// Groups register indices by a key (records without the key are left out).
fn group(register: &Register, key: impl Fn(&Register, u32) -> Option<Vec<u8>>) -> Vec<Vec<u32>> {
    let mut groups: HashMap<Vec<u8>, Vec<u32>> = HashMap::new();
    for i in 0..register.len() as u32 {
        if let Some(k) = key(register, i) {
            groups.entry(k).or_default().push(i);
        }
    }
    let mut groups: Vec<Vec<u32>> = groups.into_values().filter(|g| g.len() > 1).collect();
    groups.sort_unstable();
    groups
}

/// All pairs within groups, or when there are more than `max`, a seeded sample of about `max`
/// (each group contributing in proportion to its pairs). Returns the full pair count too.
fn sample_blocked_pairs(groups: &[Vec<u32>], max: usize, seed: u64) -> (u64, Vec<(u32, u32)>) {
    let pairs_in = |g: &Vec<u32>| (g.len() as u64) * (g.len() as u64 - 1) / 2;
    let total: u64 = groups.iter().map(pairs_in).sum();
    let mut rng = SplitMix64::new(seed);
    let mut out = Vec::new();
    let share = if total as f64 <= max as f64 {
        1.0
    } else {
        max as f64 / total as f64
    };
    for g in groups {
        if share >= 1.0 {
            for (a, &x) in g.iter().enumerate() {
                out.extend(g[a + 1..].iter().map(|&y| (x, y)));
            }
            continue;
        }
        let wanted = pairs_in(g) as f64 * share;
        let draws = wanted.floor() as u64 + u64::from(rng.unit() < wanted.fract());
        for _ in 0..draws {
            let a = rng.below(g.len() as u64) as usize;
            let mut b = rng.below(g.len() as u64 - 1) as usize;
            if b >= a {
                b += 1;
            }
            out.push((g[a], g[b]));
        }
    }
    (total, out)
}

/// Distinct comparison vectors of the pairs, with counts (EM runs over these, not the pairs).
fn patterns(register: &Register, pairs: &[(u32, u32)]) -> Vec<(Gamma, f64)> {
    let partial = parallel_chunks(pairs.len(), 1 << 16, |range| {
        let mut counts: HashMap<Gamma, f64> = HashMap::new();
        for &(a, b) in &pairs[range] {
            *counts
                .entry(compare(&register.view(a), &register.view(b)))
                .or_default() += 1.0;
        }
        counts.into_iter().collect()
    });
    let mut counts: HashMap<Gamma, f64> = HashMap::new();
    for (gamma, count) in partial {
        *counts.entry(gamma).or_default() += count;
    }
    let mut out: Vec<(Gamma, f64)> = counts.into_iter().collect();
    out.sort_unstable_by_key(|a| a.0);
    out
}

struct EmResult {
    m: Table,
    lambda: f64,
    iterations: usize,
    estimated: [bool; N_COMPARISONS],
}

/// EM with u fixed: E-step gives each pattern's probability of being a match; M-step re-estimates
/// m (for comparisons not in `blocked`) and λ.
fn expectation_maximisation(
    patterns: &[(Gamma, f64)],
    blocked: &[usize],
    start: &Table,
    u: &Table,
    options: &EstimateOptions,
) -> EmResult {
    let free: Vec<usize> = (0..N_COMPARISONS)
        .filter(|c| !blocked.contains(c))
        .collect();
    let mut m = *start;
    let mut lambda = 0.5;
    let mut iterations = 0;
    let mut estimated = [false; N_COMPARISONS];
    if patterns.is_empty() {
        return EmResult {
            m,
            lambda: 0.0,
            iterations,
            estimated,
        };
    }
    let total: f64 = patterns.iter().map(|(_, count)| count).sum();
    while iterations < options.max_iterations {
        iterations += 1;
        let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
        let mut matches = 0.0;
        for (gamma, count) in patterns {
            let (mut as_match, mut as_non_match) = (lambda, 1.0 - lambda);
            for &c in &free {
                let level = usize::from(gamma[c]);
                if gamma[c] != MISSING {
                    as_match *= m[c][level];
                    as_non_match *= u[c][level];
                }
            }
            let posterior = as_match / (as_match + as_non_match);
            let weight = count * posterior;
            matches += weight;
            for &c in &free {
                counts[c][usize::from(gamma[c])] += weight;
            }
        }
        let new_m = normalise_levels(&counts, &m);
        let new_lambda = (matches / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change = (new_lambda - lambda).abs();
        for c in 0..N_COMPARISONS {
            for level in 0..MAX_LEVELS {
                change = change.max((new_m[c][level] - m[c][level]).abs());
            }
        }
        m = new_m;
        lambda = new_lambda;
        if change < options.tolerance {
            break;
        }
    }
    let mut counts: Table = [[0.0; MAX_LEVELS]; N_COMPARISONS];
    for (gamma, count) in patterns {
        for &c in &free {
            counts[c][usize::from(gamma[c])] += count;
        }
    }
    for &c in &free {
        estimated[c] = counts[c][1..].iter().sum::<f64>() >= MIN_OBSERVATIONS;
    }
    EmResult {
        m,
        lambda,
        iterations,
        estimated,
    }
}
