//! Accuracy on the synthetic household register at scale (issue 18): a measurement, not a test.
//!
//! ```text
//! cargo run --release -p nwd-match --example household_eval -- PEOPLE [SEED]
//! cargo run --release -p nwd-match --example household_eval -- PEOPLE SEED --write DIR
//! cargo run --release -p nwd-match --example household_eval -- PEOPLE SEED --score DIR
//! cargo run --release -p nwd-match --example household_eval -- PEOPLE SEED --queries 10000
//! ```
//!
//! The first form generates `nwd_match::synthetic` with about PEOPLE register people (1.93
//! children per household) and 2,000 referrals, twice — half the referrals carrying an NHS
//! number, then none — estimates the parameters (below), matches with the default thresholds and prints the report (auto-link
//! precision and recall, auto + review recall, false auto-links of new people, siblings and
//! co-twins, breakdowns by error). Labels are read only to score.
//!
//! Estimation is as `persons match-file` does it: on the register, and when the register
//! teaches no m (it holds no duplicates), m and the prior from the pairs between the referrals
//! and the register (`Matcher::estimate_with_referrals`); `--register-only` estimates on the
//! register alone (match-file before that change).
//!
//! `--write DIR` writes `DIR/register.csv` and `DIR/queries.csv` (half with NHS numbers) for
//! `nowrongdoor persons match-file`; `--score DIR` regenerates the same set and scores
//! `DIR/out.csv`, the file match-file wrote. `--queries N` (any form) generates N referrals
//! instead of 2,000, in the same mix (20 % new people: 10,000 referrals hold 2,000 new people,
//! enough for the 95 % interval of a 0.2 % false-auto-link rate to resolve it).

#![expect(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measurement program: it prints its figures and stops on a bad argument or file"
)]

use std::collections::HashMap;
use std::path::Path;
use std::time::Instant;

use nwd_match::synthetic::{evaluate, generate, Predicted, SyntheticConfig, SyntheticSet};
use nwd_match::{Band, EstimateOptions, Matcher, Params, Record, Thresholds};

/// Referrals per run unless `--queries N` says otherwise (the issue's household test uses 2,000).
const QUERIES: usize = 2_000;
/// Children per household on average (`synthetic`'s 40/35/17/8 % of 1–4 children).
const CHILDREN_PER_HOUSEHOLD: f64 = 1.93;

/// What to generate: register size, seed, referrals; and how to estimate.
#[derive(Clone, Copy)]
struct Run {
    people: usize,
    seed: u64,
    queries: usize,
    /// Estimate on the register alone (`match-file` before issue 18's last change), not with
    /// the referrals' pairs when the register teaches no m.
    register_only: bool,
}

fn config(run: Run, nhs_number_share: f64) -> SyntheticConfig {
    SyntheticConfig {
        seed: run.seed,
        households: (run.people as f64 / CHILDREN_PER_HOUSEHOLD).round() as usize,
        queries: run.queries,
        nhs_number_share,
    }
}

fn generated(run: Run, share: f64) -> SyntheticSet {
    let started = Instant::now();
    let set = generate(&config(run, share));
    eprintln!(
        "generated {} register people, {} referrals in {:.1} s",
        set.register.len(),
        set.queries.len(),
        started.elapsed().as_secs_f64()
    );
    set
}

fn run(run: Run, share: f64) {
    let set = generated(run, share);
    // As `persons match-file` does: index the register once, estimate from it, then match.
    let started = Instant::now();
    let mut matcher = Matcher::new(&Params::default(), Thresholds::default()).expect("matcher");
    matcher.insert_many(&set.register);
    let indexed = started.elapsed().as_secs_f64();
    let queries: Vec<Record> = set.queries.iter().map(|q| q.record.clone()).collect();
    let started = Instant::now();
    let params = if run.register_only {
        matcher.estimate(&EstimateOptions::default())
    } else {
        matcher.estimate_with_referrals(&queries, &EstimateOptions::default())
    }
    .expect("parameters");
    matcher
        .set_params(&params)
        .expect("estimated parameters fit");
    let estimated = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let outcomes = matcher.match_batch(&queries);
    let referral_estimate = params
        .estimation
        .as_ref()
        .and_then(|e| e.referrals.as_ref())
        .map(|r| {
            format!(
                "; referral pairs: used {}, matches per referral {:.3} ({})",
                r.used, r.matches_per_referral, r.note
            )
        })
        .unwrap_or_default();
    let matched = started.elapsed().as_secs_f64();
    let predictions: Vec<Predicted> = outcomes
        .into_iter()
        .map(|outcome| match (outcome.band, outcome.best) {
            (Band::Auto, Some(best)) => Predicted::Auto(best.id),
            (Band::Review, Some(best)) => Predicted::Review(best.id),
            _ => Predicted::New,
        })
        .collect();
    if let Ok(ids) = std::env::var("NWD_EXPLAIN") {
        explain(&set, &matcher, &ids);
    }
    let report = evaluate(&set, &predictions);
    let interval = |ratio: nwd_match::synthetic::Ratio| {
        let (low, high) = ratio.interval_95();
        format!(
            "{ratio}: 95 % interval {:.3} %–{:.3} %",
            low * 100.0,
            high * 100.0
        )
    };
    println!(
        "== seed {}, {} register people, {} referrals, NHS number on {:.0} % of referrals \
         (estimated: {:.1} s; index {:.1} s; matching {:.2} s; matches per \
         record {:.4}{}{})\n{report}false auto-links with their 95 % (Wilson) intervals:\n  \
         new people {}\n  siblings {}\n  co-twins {}",
        run.seed,
        set.register.len(),
        set.queries.len(),
        share * 100.0,
        estimated,
        indexed,
        matched,
        params.matches_per_record,
        params
            .estimation
            .as_ref()
            .and_then(|e| e.m_fallback.as_ref())
            .map(|why| format!("; m fallback: {why}"))
            .unwrap_or_default(),
        referral_estimate,
        interval(report.false_auto_new),
        interval(report.false_auto_sibling),
        interval(report.false_auto_co_twin),
    );
}

/// `NWD_EXPLAIN=Q00330,Q01881`: each named referral, its truth, the register records of its
/// candidates and their explanations (for finding why a false link happened).
fn explain(set: &SyntheticSet, matcher: &Matcher, ids: &str) {
    let register: HashMap<&str, &Record> =
        set.register.iter().map(|r| (r.id.as_str(), r)).collect();
    for query in set
        .queries
        .iter()
        .filter(|q| ids.split(',').any(|id| id == q.record.id))
    {
        println!(
            "{:?} {:?} {:?} nearest {:?}\n  {:?}",
            query.kind, query.truth, query.errors, query.nearest, query.record
        );
        let outcome = matcher.match_record(&query.record);
        for c in outcome.candidates.iter().take(3) {
            println!(
                "  -> {:?} p={:.4} {:?}",
                c.band,
                c.match_probability,
                register.get(c.id.as_str())
            );
            for w in &c.explanation.comparisons {
                println!(
                    "       {:<14} {:<32} {:+.2} tf {:+.2}",
                    w.comparison, w.level, w.weight, w.tf_adjustment
                );
            }
            for r in &c.explanation.rules {
                println!("       rule {:?} {:+.2}", r.rule, r.weight_adjustment);
            }
            println!(
                "       prior {:+.2} total {:+.2}",
                c.explanation.prior_weight, c.match_weight
            );
        }
    }
}

fn write_csv(path: &Path, records: &[Record]) {
    let mut writer = csv::Writer::from_path(path).expect("writable output");
    writer
        .write_record([
            "id",
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "address",
            "postcode",
        ])
        .expect("write");
    for r in records {
        let cell = |v: &Option<String>| v.clone().unwrap_or_default();
        writer
            .write_record([
                r.id.clone(),
                cell(&r.nhs_number),
                cell(&r.given_name),
                cell(&r.family_name),
                cell(&r.date_of_birth),
                cell(&r.address),
                cell(&r.postcode),
            ])
            .expect("write");
    }
    writer.flush().expect("flush");
}

fn score(set: &SyntheticSet, out: &Path) {
    let mut reader = csv::Reader::from_path(out).expect("match-file output");
    let mut by_query: HashMap<String, Predicted> = HashMap::new();
    for row in reader.records() {
        let row = row.expect("row");
        let (query, person, band) = (&row[0], &row[1], &row[3]);
        let predicted = match band {
            "auto" => Predicted::Auto(person.to_owned()),
            "review" if !person.is_empty() => Predicted::Review(person.to_owned()),
            _ => Predicted::New,
        };
        by_query.insert(query.to_owned(), predicted);
    }
    let predictions: Vec<Predicted> = set
        .queries
        .iter()
        .map(|q| by_query.remove(&q.record.id).expect("every query answered"))
        .collect();
    println!(
        "== match-file output {}\n{}",
        out.display(),
        evaluate(set, &predictions)
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut queries = QUERIES;
    let register_only = args.iter().any(|a| a == "--register-only");
    args.retain(|a| a != "--register-only");
    if let Some(at) = args.iter().position(|a| a == "--queries") {
        queries = args
            .get(at + 1)
            .and_then(|n| n.parse().ok())
            .expect("--queries takes a number");
        args.drain(at..at + 2);
    }
    let people: usize = args
        .first()
        .map_or(100_000, |a| a.parse().expect("PEOPLE is a number"));
    let seed: u64 = args
        .get(1)
        .map_or(18, |a| a.parse().expect("SEED is a number"));
    let run_of = Run {
        people,
        seed,
        queries,
        register_only,
    };
    match (args.get(2).map(String::as_str), args.get(3)) {
        (Some("--write"), Some(dir)) => {
            let set = generated(run_of, 0.5);
            let dir = Path::new(dir);
            write_csv(&dir.join("register.csv"), &set.register);
            let queries: Vec<Record> = set.queries.iter().map(|q| q.record.clone()).collect();
            write_csv(&dir.join("queries.csv"), &queries);
            eprintln!("wrote {}/register.csv and queries.csv", dir.display());
        }
        (Some("--score"), Some(dir)) => {
            let set = generated(run_of, 0.5);
            score(&set, &Path::new(dir).join("out.csv"));
        }
        _ => {
            run(run_of, 0.5);
            run(run_of, 0.0);
        }
    }
}
