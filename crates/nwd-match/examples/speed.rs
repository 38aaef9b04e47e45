//! Speed and memory of the matcher on a synthetic register (a measurement, not a test).
//!
//! `cargo run --release -p nwd-match --example speed -- [PEOPLE] [QUERIES]`
//! (defaults 1,000,000 and 2,000). The register is built from the FEBRL vocabulary (given
//! names, surnames, streets, suburbs, postcodes from `$NWD_FEBRL_DIR` or
//! `/work/shared/data/febrl`) recombined at random with children's dates of birth and
//! households of one to four children; NHS numbers are minted in the 999 test range for half
//! the people. Queries are registered people with one or two typos, half without NHS number,
//! plus one in four new people. Prints index build time, peak RSS, per-query latency
//! percentiles and the batch time.

#![expect(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a measurement program: it prints its figures and stops if the data is missing"
)]

use std::time::Instant;

use nwd_domain::nhs_number::NhsNumber;
use nwd_match::{Matcher, Params, Record, Thresholds};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &'a [String]) -> &'a str {
        &items[self.below(items.len())]
    }
}

struct Vocabulary {
    given: Vec<String>,
    family: Vec<String>,
    streets: Vec<String>,
    suburbs: Vec<String>,
    postcodes: Vec<String>,
}

fn vocabulary() -> Vocabulary {
    let dir = std::env::var("NWD_FEBRL_DIR").unwrap_or_else(|_| "/work/shared/data/febrl".into());
    let mut v = Vocabulary {
        given: Vec::new(),
        family: Vec::new(),
        streets: Vec::new(),
        suburbs: Vec::new(),
        postcodes: Vec::new(),
    };
    for file in ["febrl4a.csv", "febrl2.csv"] {
        let text = std::fs::read_to_string(format!("{dir}/{file}")).expect("FEBRL data");
        for line in text.lines().skip(1) {
            let f: Vec<&str> = line.split(',').collect();
            if f.len() < 11 {
                continue;
            }
            for (value, list) in [
                (f[1], &mut v.given),
                (f[2], &mut v.family),
                (f[4], &mut v.streets),
                (f[6], &mut v.suburbs),
                (f[7], &mut v.postcodes),
            ] {
                if !value.is_empty() {
                    list.push(value.to_owned());
                }
            }
        }
    }
    for list in [
        &mut v.given,
        &mut v.family,
        &mut v.streets,
        &mut v.suburbs,
        &mut v.postcodes,
    ] {
        list.sort();
        list.dedup();
    }
    v
}

fn synthetic_register(people: usize, v: &Vocabulary, rng: &mut Rng) -> Vec<Record> {
    let mut out = Vec::with_capacity(people);
    let mut stem = 0u32;
    while out.len() < people {
        let family = rng.pick(&v.family).to_owned();
        let address = format!(
            "{} {} {}",
            1 + rng.below(300),
            rng.pick(&v.streets),
            rng.pick(&v.suburbs)
        );
        let postcode = rng.pick(&v.postcodes).to_owned();
        let children = 1 + rng.below(4);
        let twins = rng.below(30) == 0;
        let mut dob = (2000 + rng.below(25), 1 + rng.below(12), 1 + rng.below(28));
        for child in 0..children {
            if child > 0 && !(twins && child == 1) {
                dob = (2000 + rng.below(25), 1 + rng.below(12), 1 + rng.below(28));
            }
            let with_number = rng.below(2) == 0 && stem < 999_000;
            let nhs = with_number.then(|| loop {
                stem += 1;
                let digits = format!("999{stem:06}");
                let mut s = [0u8; 9];
                for (i, b) in digits.bytes().enumerate() {
                    s[i] = b - b'0';
                }
                if let Some(n) = NhsNumber::from_stem(s) {
                    break n.as_digits();
                }
            });
            out.push(Record {
                id: format!("p{}", out.len()),
                nhs_number: nhs,
                given_name: Some(rng.pick(&v.given).to_owned()),
                family_name: Some(family.clone()),
                date_of_birth: Some(format!("{:04}-{:02}-{:02}", dob.0, dob.1, dob.2)),
                address: Some(address.clone()),
                postcode: Some(postcode.clone()),
                sex: Some(if rng.below(2) == 0 { "male" } else { "female" }.to_owned()),
            });
        }
    }
    out.truncate(people);
    out
}

fn typo(s: &str, rng: &mut Rng) -> String {
    let mut b = s.as_bytes().to_vec();
    if b.len() > 2 {
        let at = 1 + rng.below(b.len() - 1);
        b[at] = b'a' + rng.below(26) as u8;
    }
    String::from_utf8(b).unwrap_or_default()
}

fn queries(register: &[Record], n: usize, v: &Vocabulary, rng: &mut Rng) -> Vec<Record> {
    (0..n)
        .map(|i| {
            if i % 4 == 3 {
                let mut fresh = synthetic_register(1, v, rng).remove(0);
                fresh.id = format!("q{i}");
                fresh.nhs_number = None;
                return fresh;
            }
            let mut q = register[rng.below(register.len())].clone();
            q.id = format!("q{i}");
            if rng.below(2) == 0 {
                q.nhs_number = None;
            }
            q.given_name = q.given_name.map(|g| typo(&g, rng));
            if rng.below(2) == 0 {
                q.family_name = q.family_name.map(|f| typo(&f, rng));
            }
            q
        })
        .collect()
}

fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let mut args = std::env::args().skip(1);
    let people: usize = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let n_queries: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(2_000);
    let v = vocabulary();
    let mut rng = Rng(42);
    let started = Instant::now();
    let records = synthetic_register(people, &v, &mut rng);
    let queries = queries(&records, n_queries, &v, &mut rng);
    println!(
        "generated {people} people and {n_queries} queries in {:.1} s (peak RSS so far {:.0} MB)",
        started.elapsed().as_secs_f64(),
        peak_rss_mb()
    );

    let params = if args.next().as_deref() == Some("estimate") {
        let started = Instant::now();
        let params = nwd_match::estimate(&records, &nwd_match::EstimateOptions::default())
            .expect("estimate");
        println!(
            "parameters estimated in {:.1} s (matches per record {:.3}); peak RSS {:.0} MB",
            started.elapsed().as_secs_f64(),
            params.matches_per_record,
            peak_rss_mb()
        );
        params
    } else {
        Params::default()
    };
    let started = Instant::now();
    let mut matcher = Matcher::new(&params, Thresholds::default()).expect("params");
    matcher.insert_many(&records);
    let build = started.elapsed().as_secs_f64();
    println!(
        "index built for {} people in {build:.1} s ({} blocking keys); peak RSS {:.0} MB",
        matcher.len(),
        matcher.blocking_keys(),
        peak_rss_mb()
    );

    let mut latencies = Vec::with_capacity(queries.len());
    let mut scored = Vec::with_capacity(queries.len());
    for q in &queries {
        let t = Instant::now();
        let outcome = matcher.match_record(q);
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
        scored.push(outcome.candidates_scored);
    }
    latencies.sort_by(f64::total_cmp);
    scored.sort_unstable();
    let pct = |p: f64| latencies[((latencies.len() - 1) as f64 * p) as usize];
    println!(
        "one query at a time: p50 {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         candidates scored p50 {} p95 {} max {}",
        pct(0.5),
        pct(0.95),
        pct(0.99),
        latencies[latencies.len() - 1],
        scored[scored.len() / 2],
        scored[scored.len() * 95 / 100],
        scored[scored.len() - 1]
    );

    let started = Instant::now();
    let outcomes = matcher.match_batch(&queries);
    println!(
        "batch of {} queries: {:.2} s ({} auto, {} review, {} new)",
        outcomes.len(),
        started.elapsed().as_secs_f64(),
        outcomes
            .iter()
            .filter(|o| o.band == nwd_match::Band::Auto)
            .count(),
        outcomes
            .iter()
            .filter(|o| o.band == nwd_match::Band::Review)
            .count(),
        outcomes
            .iter()
            .filter(|o| o.band == nwd_match::Band::New)
            .count(),
    );
    println!("peak RSS {:.0} MB", peak_rss_mb());
}
