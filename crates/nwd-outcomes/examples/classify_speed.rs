//! Speed of scoring and classifying 1,000,000 synthetic responses (issue 19's target: ≤ 1 s).
//!
//! `cargo run --release -p nwd-outcomes --example classify_speed`
//!
//! Three timings: scoring 1,000,000 PHQ-9 item responses; judging 1,000,000 (first, last)
//! pairs in memory; and `classify_csv` over a 1,000,000-row CSV held in memory (parse,
//! validate, judge, write OUT and REF to memory). Synthetic data only.

use std::io::Write;
use std::time::Instant;

use nwd_outcomes::{bundled, classify_csv, Change};

const ROWS: usize = 1_000_000;

/// A small deterministic generator (xorshift64*): no dependency, same data every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// (measure, scale, rater, lowest, highest) rows are drawn from.
const SCALES: [(&str, &str, &str, u64, u64); 8] = [
    ("rcads", "depression", "self", 30, 90),
    ("rcads_p", "panic", "parent", 40, 110),
    ("sdq_parent", "emotional", "parent", 0, 10),
    ("gbo", "goal1", "self", 0, 10),
    ("phq_9", "total", "self", 0, 27),
    ("ors", "total", "self", 0, 40),
    ("honosca", "scale9", "clinician", 0, 4),
    ("cgas", "total", "clinician", 1, 100),
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut stdout = std::io::stdout().lock();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let measures = bundled();

    // 1. Scoring item responses.
    let phq = measures.get("phq_9").ok_or("no phq_9")?;
    let scorer = phq.scorer();
    let responses: Vec<[Option<f64>; 9]> = (0..ROWS)
        .map(|_| std::array::from_fn(|_| Some(rng.below(4) as f64)))
        .collect();
    let started = Instant::now();
    let mut total = 0.0;
    for response in &responses {
        for scale in scorer.score_items(response)? {
            total += scale?.raw;
        }
    }
    let scoring = started.elapsed();
    writeln!(
        stdout,
        "score {ROWS} PHQ-9 responses: {:.3} s (mean total {:.2})",
        scoring.as_secs_f64(),
        total / ROWS as f64
    )?;

    // 2. Judging pairs in memory.
    // Four rows per referral, on four different scales (a scale is given once per referral
    // and rater), rotating through the eight.
    let pairs: Vec<(usize, f64, f64)> = (0..ROWS)
        .map(|row| {
            let s = (row / 4 * 3 + row % 4) % SCALES.len();
            let (_, _, _, lo, hi) = SCALES[s];
            (
                s,
                (lo + rng.below(hi - lo + 1)) as f64,
                (lo + rng.below(hi - lo + 1)) as f64,
            )
        })
        .collect();
    let started = Instant::now();
    let mut improved = 0usize;
    for &(s, first, last) in &pairs {
        let (measure, scale, ..) = SCALES[s];
        if measures.judge(measure, scale, first, last) == Some(Change::Improved) {
            improved += 1;
        }
    }
    let judging = started.elapsed();
    writeln!(
        stdout,
        "judge {ROWS} pairs in memory: {:.3} s ({improved} improved)",
        judging.as_secs_f64()
    )?;

    // 3. The CSV door end to end, one referral per four rows.
    let mut input = String::with_capacity(ROWS * 40);
    input.push_str("referral_id,rater,measure,scale,first,last\n");
    for (row, &(s, first, last)) in pairs.iter().enumerate() {
        let (measure, scale, rater, ..) = SCALES[s];
        input.push_str(&format!(
            "R{:07},{rater},{measure},{scale},{first},{last}\n",
            row / 4
        ));
    }
    // Reference: reading the same CSV with the csv crate and doing nothing else.
    let started = Instant::now();
    let mut reader = csv::Reader::from_reader(input.as_bytes());
    let mut record = csv::StringRecord::new();
    let mut fields = 0usize;
    while reader.read_record(&mut record)? {
        fields += record.len();
    }
    writeln!(
        stdout,
        "read the CSV only ({fields} fields): {:.3} s",
        started.elapsed().as_secs_f64()
    )?;
    let mut out = Vec::with_capacity(input.len());
    let mut referrals = Vec::new();
    let started = Instant::now();
    let summary = classify_csv(input.as_bytes(), &mut out, Some(&mut referrals))?;
    let csv = started.elapsed();
    writeln!(
        stdout,
        "classify_csv {} rows ({} referral-and-rater rows): {:.3} s",
        summary.rows,
        summary.referral_raters,
        csv.as_secs_f64()
    )?;
    writeln!(
        stdout,
        "total, scoring + CSV classification: {:.3} s",
        (scoring + csv).as_secs_f64()
    )?;
    Ok(())
}
