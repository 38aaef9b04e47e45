//! Scratch (not committed): why FEBRL true pairs are not auto-linked.
#![allow(clippy::unwrap_used, clippy::print_stdout, clippy::expect_used)]
use nwd_match::{estimate, Band, EstimateOptions, Matcher, Record, Thresholds};
use std::collections::HashMap;

fn records(path: &str) -> Vec<Record> {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let f: Vec<String> = l.split(',').map(|s| s.trim().to_owned()).collect();
            let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
            let address: Vec<&str> = [&f[3], &f[4], &f[5], &f[6], &f[8]]
                .into_iter()
                .map(String::as_str)
                .filter(|s| !s.is_empty())
                .collect();
            let dob = &f[9];
            let d = if dob.len() == 8 {
                format!("{}-{}-{}", &dob[..4], &dob[4..6], &dob[6..])
            } else {
                dob.clone()
            };
            Record {
                id: f[0].clone(),
                nhs_number: None,
                given_name: some(&f[1]),
                family_name: some(&f[2]),
                date_of_birth: some(&d),
                address: some(&address.join(" ")),
                postcode: some(&f[7]),
                sex: None,
            }
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = "/work/shared/data/febrl";
    let set = &args[1];
    let twin = args.get(2).map(|s| s == "on").unwrap_or(false);
    let link = set == "febrl4";
    let recs = if link {
        records(&format!("{dir}/febrl4a.csv"))
    } else {
        records(&format!("{dir}/{set}.csv"))
    };
    let queries = if link {
        records(&format!("{dir}/febrl4b.csv"))
    } else {
        Vec::new()
    };
    let params = estimate(&recs, &EstimateOptions::default()).unwrap();
    let mut m = Matcher::new(
        &params,
        Thresholds {
            twin_review: twin,
            ..Thresholds::default()
        },
    )
    .unwrap();
    m.insert_many(&recs);
    let by_id: HashMap<&str, &Record> = recs
        .iter()
        .chain(&queries)
        .map(|r| (r.id.as_str(), r))
        .collect();
    let truth = std::fs::read_to_string(format!("{dir}/{set}_truth.csv")).unwrap();
    let mut tally: HashMap<String, usize> = HashMap::new();
    for line in truth.lines().skip(1) {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        if f.len() < 2 {
            continue;
        }
        let (mut a, mut b) = (by_id[f[0]], by_id[f[1]]);
        if link && !a.id.contains("dup") {
            std::mem::swap(&mut a, &mut b);
        }
        let outcome = m.match_record(a);
        let c = outcome.candidates.iter().find(|c| c.id == b.id);
        let key = match c {
            None => "not in top".to_owned(),
            Some(c) if c.band == Band::Auto => continue,
            Some(c) => {
                let rules: Vec<String> = c
                    .explanation
                    .rules
                    .iter()
                    .map(|r| format!("{:?}", r.rule))
                    .collect();
                let rs = rules.join("+");
                if args.get(3).is_some_and(|x| rs.contains(x.as_str())) {
                    println!(
                        "{:?}\n{:?}\n  {:?} p={:.3} levels={:?}",
                        a,
                        b,
                        c.band,
                        c.match_probability,
                        c.explanation
                            .comparisons
                            .iter()
                            .map(|x| (x.level.clone(), (x.weight * 10.0).round() / 10.0))
                            .collect::<Vec<_>>()
                    );
                }
                format!("{:?} {}", c.band, rs)
            }
        };
        *tally.entry(key).or_default() += 1;
    }
    let mut t: Vec<_> = tally.into_iter().collect();
    t.sort_by(|a, b| b.1.cmp(&a.1));
    for (k, v) in t {
        println!("{v:5} {k}");
    }
}
