//! Accuracy on the FEBRL synthetic test sets (`/work/shared/data/febrl`, or `$NWD_FEBRL_DIR`):
//! parameters estimated without labels on each set, the default thresholds (fixed before any
//! evaluation), de-duplication of FEBRL 1–3 and linking of FEBRL 4 b → a. Precision, recall and
//! F1 are over record pairs, recall over every true pair (also those blocking never proposed).
//! Predicted matches are the `auto` pairs; `review` pairs are reported separately.
//!
//! `rec_id` values encode the entity: they are read only as opaque keys and to compare with the
//! truth files. Run in release (`cargo test -p nwd-match --release --test febrl`); the figures
//! are printed for recording.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers outside #[test] functions: a failure stops the test with its message"
)]

use std::collections::HashSet;
use std::path::PathBuf;

use nwd_match::{
    dedupe, estimate, link, Band, EstimateOptions, Matcher, Params, Record, Rule, Thresholds,
};

fn data_dir() -> PathBuf {
    std::env::var_os("NWD_FEBRL_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/work/shared/data/febrl"))
}

fn rows(file: &str) -> Vec<Vec<String>> {
    let path = data_dir().join(file);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split(',').collect();
    assert!(header.len() >= 2, "{file}: no header");
    lines
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|f| f.trim().to_owned()).collect())
        .collect()
}

/// FEBRL columns: rec_id, given_name, surname, street_number, address_1, address_2, suburb,
/// postcode, state, date_of_birth, soc_sec_id.
fn records(file: &str, with_identifier: bool) -> Vec<Record> {
    let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    rows(file)
        .into_iter()
        .map(|f| {
            assert_eq!(f.len(), 11, "{file}: {f:?}");
            let address: Vec<&str> = [&f[3], &f[4], &f[5], &f[6], &f[8]]
                .into_iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            let dob = &f[9];
            let date_of_birth = if dob.len() == 8 && dob.bytes().all(|b| b.is_ascii_digit()) {
                format!("{}-{}-{}", &dob[..4], &dob[4..6], &dob[6..])
            } else {
                dob.clone()
            };
            Record {
                id: f[0].clone(),
                nhs_number: if with_identifier { some(&f[10]) } else { None },
                given_name: some(&f[1]),
                family_name: some(&f[2]),
                date_of_birth: some(&date_of_birth),
                address: some(&address.join(" ")),
                postcode: some(&f[7]),
                sex: None,
            }
        })
        .collect()
}

fn ordered(a: &str, b: &str) -> (String, String) {
    if a <= b {
        (a.to_owned(), b.to_owned())
    } else {
        (b.to_owned(), a.to_owned())
    }
}

fn truth(file: &str) -> Pairs {
    rows(file).iter().map(|f| ordered(&f[0], &f[1])).collect()
}

type Pairs = HashSet<(String, String)>;

/// Precision, recall and F1 of one predicted set.
#[derive(Debug, Clone, Copy)]
struct Prf {
    precision: f64,
    recall: f64,
    f1: f64,
}

fn prf(predicted: &Pairs, truth: &Pairs) -> Prf {
    let tp = predicted.intersection(truth).count() as f64;
    let precision = if predicted.is_empty() {
        0.0
    } else {
        tp / predicted.len() as f64
    };
    let recall = tp / truth.len() as f64;
    Prf {
        precision,
        recall,
        f1: 2.0 * precision * recall / (precision + recall).max(f64::MIN_POSITIVE),
    }
}

/// Auto pairs as links, and auto + review pairs as "proposed" (not registered as new).
#[derive(Debug)]
struct Scores {
    auto: Prf,
    proposed: Prf,
    auto_pairs: usize,
    review_pairs: usize,
    true_pairs: usize,
    /// True pairs held at review by the twin or no-given-name household caps.
    true_pairs_capped: usize,
}

fn scores(auto: &Pairs, review: &Pairs, capped: &Pairs, truth: &Pairs) -> Scores {
    let proposed: Pairs = auto.union(review).cloned().collect();
    Scores {
        auto: prf(auto, truth),
        proposed: prf(&proposed, truth),
        auto_pairs: auto.len(),
        review_pairs: review.len(),
        true_pairs: truth.len(),
        true_pairs_capped: capped.intersection(truth).count(),
    }
}

fn report(set: &str, variant: &str, s: &Scores, matches_per_record: f64) {
    eprintln!(
        "FEBRL {set} {variant}: auto P {:.5} R {:.5} F1 {:.5} | auto+review P {:.5} R {:.5} \
         F1 {:.5} | pairs: auto {}, review {}, true {}, true held at review by household caps {} \
         | estimated matches/record {:.3}",
        s.auto.precision,
        s.auto.recall,
        s.auto.f1,
        s.proposed.precision,
        s.proposed.recall,
        s.proposed.f1,
        s.auto_pairs,
        s.review_pairs,
        s.true_pairs,
        s.true_pairs_capped,
        matches_per_record
    );
}

fn held_by_household_cap(rules: &[Rule]) -> bool {
    rules.iter().any(|r| {
        matches!(
            r,
            Rule::TwinCap
                | Rule::PossibleNameChange
                | Rule::SiblingOrSameChild
                | Rule::HouseholdNoGivenName
                | Rule::NoGivenName
                | Rule::DistantDateOfBirth
                | Rule::WeakEvidence
                | Rule::HomeDiffers
        )
    })
}

fn run_dedupe(set: &str, with_identifier: bool) -> Scores {
    run_dedupe_with(set, with_identifier, &Thresholds::default())
}

fn run_dedupe_with(set: &str, with_identifier: bool, thresholds: &Thresholds) -> Scores {
    let records = records(&format!("{set}.csv"), with_identifier);
    let params = estimate(&records, &EstimateOptions::default()).unwrap();
    let result = dedupe(&records, &params, thresholds).unwrap();
    let pairs_where = |keep: &dyn Fn(&nwd_match::Pair) -> bool| -> Pairs {
        result
            .pairs
            .iter()
            .filter(|p| keep(p))
            .map(|p| ordered(&records[p.left].id, &records[p.right].id))
            .collect()
    };
    let s = scores(
        &pairs_where(&|p| p.band == Band::Auto),
        &pairs_where(&|p| p.band == Band::Review),
        &pairs_where(&|p| p.band == Band::Review && held_by_household_cap(&p.rules)),
        &truth(&format!("{set}_truth.csv")),
    );
    let variant = match (with_identifier, thresholds.household_safeguards) {
        (true, true) => "with soc_sec_id",
        (false, true) => "demographics only",
        (true, false) => "with soc_sec_id, twin safeguard off",
        (false, false) => "demographics only, twin safeguard off",
    };
    report(set, variant, &s, params.matches_per_record);
    s
}

fn run_link(with_identifier: bool) -> Scores {
    run_link_with(with_identifier, &Thresholds::default())
}

fn run_link_with(with_identifier: bool, thresholds: &Thresholds) -> Scores {
    let a = records("febrl4a.csv", with_identifier);
    let b = records("febrl4b.csv", with_identifier);
    let both: Vec<Record> = a.iter().chain(&b).cloned().collect();
    let params = estimate(&both, &EstimateOptions::default()).unwrap();
    let outcomes = link(&a, &b, &params, thresholds).unwrap();
    let mut auto = Pairs::new();
    let mut review = Pairs::new();
    let mut capped = Pairs::new();
    for (query, outcome) in b.iter().zip(&outcomes) {
        let Some(best) = &outcome.best else { continue };
        let pair = ordered(&best.id, &query.id);
        match outcome.band {
            Band::Auto => auto.insert(pair),
            Band::Review => {
                let rules: Vec<Rule> = best.explanation.rules.iter().map(|r| r.rule).collect();
                if held_by_household_cap(&rules) {
                    capped.insert(pair.clone());
                }
                review.insert(pair)
            }
            Band::New => false,
        };
    }
    let s = scores(&auto, &review, &capped, &truth("febrl4_truth.csv"));
    let variant = match (with_identifier, thresholds.household_safeguards) {
        (true, true) => "b→a with soc_sec_id",
        (false, true) => "b→a demographics only",
        (true, false) => "b→a with soc_sec_id, twin safeguard off",
        (false, false) => "b→a demographics only, twin safeguard off",
    };
    report("febrl4", variant, &s, params.matches_per_record);
    s
}

/// FEBRL 4 as `nowrongdoor persons match-file` runs it (a as the register, b as the queries, no
/// parameters file): the register normalised and indexed once, parameters estimated from it —
/// and, as it holds no duplicates, m and the prior from the pairs between b and a — then each
/// query matched on its own (no one-to-one assignment).
fn run_match_file(thresholds: &Thresholds) -> Scores {
    run_match_file_estimating(thresholds, Estimation::WithReferrals)
}

/// What `match-file`'s parameters are estimated on.
#[derive(Clone, Copy, PartialEq)]
enum Estimation {
    /// The register, then m and the prior from the query–register pairs (the default).
    WithReferrals,
    /// The register alone (as the server's `persons estimate`, and `match-file` before
    /// session 14).
    RegisterAlone,
}

fn run_match_file_estimating(thresholds: &Thresholds, estimation: Estimation) -> Scores {
    let a = records("febrl4a.csv", false);
    let b = records("febrl4b.csv", false);
    let mut matcher = Matcher::new(&Params::default(), thresholds.clone()).unwrap();
    matcher.insert_many(&a);
    let params = if estimation == Estimation::RegisterAlone {
        let params = matcher.estimate(&EstimateOptions::default()).unwrap();
        let summary = params.estimation.as_ref().unwrap();
        // FEBRL 4a holds no duplicates: nothing to learn m or the prior from.
        assert!(summary.m_fallback.is_some(), "{summary:#?}");
        params
    } else {
        let params = matcher
            .estimate_with_referrals(&b, &EstimateOptions::default())
            .unwrap();
        let referrals = params
            .estimation
            .as_ref()
            .and_then(|e| e.referrals.as_ref())
            .unwrap();
        assert!(referrals.used, "{referrals:#?}");
        params
    };
    matcher.set_params(&params).unwrap();
    let mut auto = Pairs::new();
    let mut review = Pairs::new();
    for (query, outcome) in b.iter().zip(matcher.match_batch(&b)) {
        let Some(best) = &outcome.best else { continue };
        let pair = ordered(&best.id, &query.id);
        match outcome.band {
            Band::Auto => auto.insert(pair),
            Band::Review => review.insert(pair),
            Band::New => false,
        };
    }
    let s = scores(&auto, &review, &Pairs::new(), &truth("febrl4_truth.csv"));
    let variant = match (estimation, thresholds.household_safeguards) {
        (Estimation::WithReferrals, true) => "as match-file, demographics only",
        (Estimation::WithReferrals, false) => "as match-file, demographics only, safeguards off",
        (Estimation::RegisterAlone, true) => {
            "as match-file on the register alone, demographics only"
        }
        (Estimation::RegisterAlone, false) => {
            "as match-file on the register alone, demographics only, safeguards off"
        }
    };
    report("febrl4", variant, &s, params.matches_per_record);
    s
}

/// Issue 18, FEBRL 4 through `persons match-file` as a user runs it: with the household
/// safeguards off, auto-link F1 ≥ 0.99 (0.9889 when m stayed at its starting values: the
/// register alone holds no duplicates to learn m from); with them on, auto precision ≥ 0.998
/// and auto + review recall ≥ 0.99.
#[test]
fn febrl4_as_match_file_runs_it() {
    assert_floors(
        &run_match_file(&twin_safeguard_off()),
        demographic(0.99, 0.99),
    );
    let on = run_match_file(&Thresholds::default());
    assert!(on.auto.precision >= 0.998, "{on:#?}");
    assert!(on.proposed.recall >= 0.99, "{on:#?}");
}

/// Issue 18's FEBRL 4 target with the parameters estimated on the register alone: a register
/// with no duplicates teaches EM nothing, and since session 16 that is a fallback (the
/// starting m and prior, one match per record) rather than a prior of 0.001 matches per
/// record, ten bits lower, which left 90 true pairs in review (auto F1 0.9889).
#[test]
fn febrl4_as_match_file_on_the_register_alone() {
    assert_floors(
        &run_match_file_estimating(&twin_safeguard_off(), Estimation::RegisterAlone),
        demographic(0.99, 0.99),
    );
    let on = run_match_file_estimating(&Thresholds::default(), Estimation::RegisterAlone);
    assert!(on.auto.precision >= 0.998, "{on:#?}");
    assert!(on.proposed.recall >= 0.99, "{on:#?}");
}

/// What a run must reach. Issue 18's targets with the household safeguards on (the default):
/// auto-link precision ≥ 0.998 and auto + review recall ≥ 0.99 — met on every set (FEBRL 3
/// since session 16: 0.9902): FEBRL makes duplicates by replacing the given name and
/// the date of birth while keeping the home and the family name, which is exactly what a
/// brother or sister looks like. Those born a keystroke apart go to review as possible name
/// changes, those without a date of birth as `sibling_or_same_child`; with dates of birth
/// further apart the sibling penalty registers them as new by design. Auto-link F1 is lower than before issue 18 (0.84–0.90): the safeguards hold pairs
/// with a replaced given name, date of birth or home at review. The floors are what the matcher
/// reaches, less a hair, so that a regression fails; docs/benchmarks.md has the figures.
struct Floors {
    auto_precision: f64,
    auto_f1: f64,
    proposed_precision: f64,
    proposed_recall: f64,
    proposed_f1: f64,
}

fn assert_floors(s: &Scores, floors: Floors) {
    assert!(
        s.auto.precision >= floors.auto_precision,
        "auto precision {s:#?}"
    );
    assert!(s.auto.f1 >= floors.auto_f1, "auto F1 {s:#?}");
    assert!(
        s.proposed.precision >= floors.proposed_precision,
        "auto+review precision {s:#?}"
    );
    assert!(
        s.proposed.recall >= floors.proposed_recall,
        "auto+review recall {s:#?}"
    );
    assert!(s.proposed.f1 >= floors.proposed_f1, "auto+review F1 {s:#?}");
}

/// Demographics only: auto precision and auto+review precision/F1 at the targets.
fn demographic(auto_f1_reached: f64, proposed_recall_reached: f64) -> Floors {
    Floors {
        auto_precision: 0.998,
        auto_f1: auto_f1_reached,
        proposed_precision: 0.997,
        proposed_recall: proposed_recall_reached,
        proposed_f1: 0.99,
    }
}

/// With the identifier: auto+review F1 at the target unless stated.
fn with_identifier(auto_f1_reached: f64, proposed_f1: f64) -> Floors {
    Floors {
        auto_precision: 0.998,
        auto_f1: auto_f1_reached,
        proposed_precision: 0.998,
        proposed_recall: 0.99,
        proposed_f1,
    }
}

#[test]
fn febrl1_demographics() {
    assert_floors(&run_dedupe("febrl1", false), demographic(0.88, 0.995));
}

#[test]
fn febrl2_demographics() {
    assert_floors(&run_dedupe("febrl2", false), demographic(0.86, 0.991));
}

#[test]
fn febrl3_demographics() {
    // auto + review recall 0.9902 (0.9879 before session 16's crosswise family name and
    // initials + house number key: docs/benchmarks.md).
    assert_floors(&run_dedupe("febrl3", false), demographic(0.843, 0.99));
}

#[test]
fn febrl4_demographics() {
    assert_floors(&run_link(false), demographic(0.885, 0.9935));
}

#[test]
fn febrl1_with_identifier() {
    assert_floors(&run_dedupe("febrl1", true), with_identifier(0.985, 0.999));
}

#[test]
fn febrl2_with_identifier() {
    // auto+review F1 reaches 0.99896, a hair under the 0.999 target.
    assert_floors(&run_dedupe("febrl2", true), with_identifier(0.985, 0.9985));
}

#[test]
fn febrl3_with_identifier() {
    assert_floors(&run_dedupe("febrl3", true), with_identifier(0.98, 0.999));
}

#[test]
fn febrl4_with_identifier() {
    assert_floors(&run_link(true), with_identifier(0.99, 0.999));
}

fn twin_safeguard_off() -> Thresholds {
    Thresholds {
        household_safeguards: false,
        ..Thresholds::default()
    }
}

/// The trade-off, measured: with the household safeguards off (`household_safeguards = false`:
/// the weights alone decide twin-like, sibling-like, no-given-name, distant-birthday and thin
/// pairs — the sibling penalty is one of the safeguards since issue 18), FEBRL's
/// duplicates with a replaced given name or date of birth auto-link and auto-link F1 reaches
/// 0.99 (issue 18's target, estimated here on each set; through `persons match-file`, estimated
/// on the register alone, see docs/benchmarks.md) — while the synthetic register shows the
/// price in co-twins (`synthetic_eval::turning_the_twin_safeguard_off_links_co_twins`).
#[test]
fn febrl_demographics_with_twin_safeguard_off() {
    for set in ["febrl1", "febrl2", "febrl3"] {
        let s = run_dedupe_with(set, false, &twin_safeguard_off());
        assert_floors(&s, demographic(0.99, 0.99));
    }
    assert_floors(
        &run_link_with(false, &twin_safeguard_off()),
        demographic(0.99, 0.99),
    );
}
