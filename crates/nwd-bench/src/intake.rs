//! `nwd-bench intake`: concurrent clients post referrals for distinct synthetic young people
//! until a given number are accepted; reports throughput and latency, and checks the row
//! count.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use indicatif::{ProgressBar, ProgressStyle};
use nwd_domain::NhsNumber;
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};
use tokio::task::JoinSet;

use crate::report;
use crate::server::{self, FreshDatabase, Matching, Server};
use crate::stats::Latencies;

/// Stems of the 999 test range: one NHS number per referral at most.
const NHS_STEMS: u64 = 1_000_000;

/// Attempts per referral before the run fails (a transport error or a 5xx is retried with
/// the same idempotency key, so a retry can never create a second referral).
const ATTEMPTS: u32 = 5;

/// Options of `nwd-bench intake`.
#[derive(clap::Args)]
pub struct Args {
    /// `postgres://user@host/db` (a fresh database is created on that server and dropped
    /// after), `sqlite` (a fresh file in the temporary folder) or a new SQLite file path.
    #[arg(long)]
    database_url: String,
    /// Concurrent clients.
    #[arg(long, default_value_t = 16)]
    clients: u32,
    /// Referrals to be accepted.
    #[arg(long, default_value_t = 20_000)]
    referrals: u64,
    /// Database connections in the server's pool.
    #[arg(long, default_value_t = 16)]
    max_connections: u32,
    /// Person matching at intake: `register` (the probabilistic matcher, as the server
    /// runs) or `nhs-number-only`.
    #[arg(long, value_enum, default_value_t = Matching::Register)]
    matching: Matching,
    /// Keep the database afterwards (for inspection).
    #[arg(long)]
    keep: bool,
}

/// Runs the intake benchmark.
pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.referrals == 0 || args.clients == 0 {
        bail!("--referrals and --clients must be at least 1");
    }
    if args.referrals > NHS_STEMS {
        bail!("at most {NHS_STEMS} referrals: each young person needs a distinct NHS number stem");
    }
    let database = FreshDatabase::create(&args.database_url).await?;
    let outcome = measure(&args, &database).await;
    if args.keep {
        report(format!("kept: {}", database.location()));
    } else {
        database.remove().await?;
    }
    outcome
}

async fn measure(args: &Args, database: &FreshDatabase) -> anyhow::Result<()> {
    let store = server::open_store(&database.url, args.max_connections, args.matching).await?;
    let server = Server::start(store.clone()).await?;
    let client = server::client()?;
    create_service(&client, &server.base).await?;

    let bar = ProgressBar::new(args.referrals).with_style(
        ProgressStyle::with_template(
            "intake [{bar:40}] {pos}/{len} referrals ({per_sec}, {elapsed}, eta {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> "),
    );
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = JoinSet::new();
    for _ in 0..args.clients {
        let worker = Worker {
            client: client.clone(),
            url: format!("{}/api/referrals", server.base),
            next: next.clone(),
            total: args.referrals,
            bar: bar.clone(),
        };
        workers.spawn(worker.run());
    }
    let mut latencies = Latencies::with_capacity(usize::try_from(args.referrals)?);
    let mut retries = 0u64;
    while let Some(result) = workers.join_next().await {
        let (worker_latencies, worker_retries) = result.context("a client task failed")??;
        latencies.merge(worker_latencies);
        retries += worker_retries;
    }
    let wall = started.elapsed();
    bar.finish();
    server.stop().await?;

    let stored = store.count_rows("referrals").await?;
    let keys = store.count_rows("idempotency_keys").await?;
    store.close().await;
    let accepted = latencies.summary().count as u64;
    let summary = latencies.summary();
    #[expect(clippy::cast_precision_loss, reason = "counts are far below 2^52")]
    let rate = accepted as f64 / wall.as_secs_f64();

    report(format!(
        "intake on {} ({}), matching {:?}: {} clients, {accepted} referrals accepted in {:.2} s = {rate:.0} referrals/s",
        database.backend,
        database.location(),
        args.matching,
        args.clients,
        wall.as_secs_f64()
    ));
    report(format!("latency: {}", summary.line()));
    report(format!(
        "retries: {retries}; rows: {stored} referrals, {keys} idempotency keys"
    ));
    report(
        json!({
            "benchmark": "intake",
            "backend": database.backend,
            "clients": args.clients,
            "matching": format!("{:?}", args.matching),
            "referrals": accepted,
            "wall_s": (wall.as_secs_f64() * 1000.0).round() / 1000.0,
            "referrals_per_s": rate.round(),
            "latency": summary.json(),
            "retries": retries,
            "rows": {"referrals": stored, "idempotency_keys": keys},
        })
        .to_string(),
    );
    if u64::try_from(stored).ok() != Some(args.referrals) {
        bail!(
            "expected exactly {} referrals in the database, found {stored}",
            args.referrals
        );
    }
    Ok(())
}

/// Creates one organisation and one service, as any deployment starts.
async fn create_service(client: &Client, base: &str) -> anyhow::Result<()> {
    let organisation = post_created(
        client,
        &format!("{base}/api/organisations"),
        &json!({"name": "Synthetic Bench NHS Trust", "kind": "nhs_trust"}),
    )
    .await?;
    let organisation_id = organisation["id"]
        .as_str()
        .context("the organisation has no id")?;
    post_created(
        client,
        &format!("{base}/api/services"),
        &json!({
            "organisation_id": organisation_id,
            "name": "Bench community CAMHS",
            "description": "Synthetic service for the intake benchmark",
            "need_groups": ["getting_help", "getting_more_help"],
            "age_from": 0,
            "age_to": 18,
            "team_type": "community",
            "delivery_modes": ["face_to_face", "online"],
            "areas": ["ME", "CT"],
            "self_referral": false,
            "capacity": {"clinician_wte": 12.0, "slots_per_week": 200}
        }),
    )
    .await?;
    Ok(())
}

async fn post_created(client: &Client, url: &str, body: &Value) -> anyhow::Result<Value> {
    let response = client
        .post(url)
        .header("Authorization", server::authorization())
        .json(body)
        .send()
        .await?;
    let status = response.status();
    let body: Value = response.json().await?;
    if status != StatusCode::CREATED {
        bail!("POST {url} answered {status}: {body}");
    }
    Ok(body)
}

/// One client: claims the next referral number and posts it, until all are claimed.
struct Worker {
    client: Client,
    url: String,
    next: Arc<AtomicU64>,
    total: u64,
    bar: ProgressBar,
}

impl Worker {
    /// Returns the latency of each accepted referral and the number of retries.
    async fn run(self) -> anyhow::Result<(Latencies, u64)> {
        let mut latencies = Latencies::default();
        let mut retries = 0;
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            if n >= self.total {
                return Ok((latencies, retries));
            }
            let body = referral_body(n);
            let key = uuid::Uuid::new_v4().to_string();
            let mut attempt = 1;
            loop {
                let started = Instant::now();
                match self.post(&body, &key).await? {
                    Attempt::Accepted => {
                        latencies.record(started.elapsed());
                        break;
                    }
                    Attempt::Retry(why) if attempt < ATTEMPTS => {
                        retries += 1;
                        attempt += 1;
                        self.bar.println(format!("retrying referral {n}: {why}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Attempt::Retry(why) => {
                        bail!("referral {n} failed {ATTEMPTS} times; last: {why}")
                    }
                }
            }
            self.bar.inc(1);
        }
    }

    /// Posts one referral. Accepted on 201, or 200 (an earlier attempt with this key
    /// succeeded); retried on a transport error or a 5xx; a 4xx is a bug in this benchmark's
    /// request, not load, and stops the run.
    async fn post(&self, body: &Value, key: &str) -> anyhow::Result<Attempt> {
        let sent = self
            .client
            .post(&self.url)
            .header("Authorization", server::authorization())
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        let status = response.status();
        // Read the whole body: the latency is that of the complete answer.
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        if status == StatusCode::CREATED || status == StatusCode::OK {
            Ok(Attempt::Accepted)
        } else if status.is_server_error() {
            Ok(Attempt::Retry(format!("{status}: {text}")))
        } else {
            bail!("the server refused a benchmark referral: {status}: {text}")
        }
    }
}

/// What became of one attempt to post a referral.
enum Attempt {
    Accepted,
    Retry(String),
}

// A synthetic population with a realistic spread of names, dates of birth and postcodes, so
// that the person matcher's blocking keys hold as few candidates as in a real register (a
// handful of names and postcodes would make every intake score thousands of candidates).
const GIVEN: &[&str] = &[
    "Amelia", "Oliver", "Isla", "Noah", "Ava", "Leo", "Mia", "Arlo", "Freya", "Theo", "Ivy",
    "Finley", "Zara", "Kai", "Maya", "Reuben", "Grace", "Oscar", "Lily", "Jacob", "Ella", "Harry",
    "Sophia", "George", "Poppy", "Alfie", "Evie", "Jack", "Rosie", "Charlie", "Daisy", "Ethan",
    "Phoebe", "Mason", "Ruby", "Logan", "Willow", "Isaac", "Esme", "Tommy",
];
const FAMILY_START: &[&str] = &[
    "Ash", "Black", "Brook", "Clay", "Cole", "Dun", "Fair", "Fern", "Gold", "Green", "Hart", "Hay",
    "Holt", "Kings", "Lang", "Marsh", "Mill", "Moor", "North", "Oak", "Pen", "Red", "Rose", "Shaw",
    "Stan", "Stone", "Thorn", "West", "White", "Wood",
];
const FAMILY_END: &[&str] = &[
    "ford", "ley", "ton", "wood", "field", "well", "by", "ham", "more", "worth", "combe", "dale",
    "hurst", "stead", "bridge", "brook", "cott", "den", "gate", "wick",
];
const DISTRICTS: &[&str] = &[
    "ME1", "ME4", "ME5", "ME7", "ME8", "ME10", "ME14", "ME15", "ME16", "CT1", "CT2", "CT5", "CT9",
    "CT10", "CT11", "CT16", "CT19", "CT20", "TN9", "TN10", "TN23", "TN24", "TN25", "DA1", "DA2",
    "DA3", "DA11", "DA12", "BR8",
];
const UNIT_LETTERS: &[u8] = b"ABDEFGHJLNPQRSTUWXYZ";
const REASONS: &[&str] = &["anxiety", "depression", "self_harm", "eating_disorder"];

/// A well-mixed number from `n` and a salt (SplitMix64), so that fields vary independently.
fn mix(n: u64, salt: u64) -> u64 {
    let mut z = n
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xBF58_476D_1CE4_E5B9));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Entry `mix(n, salt) mod len` of `list`.
fn pick<T: Copy + Default>(list: &[T], n: u64, salt: u64) -> T {
    usize::try_from(mix(n, salt) % list.len().max(1) as u64)
        .ok()
        .and_then(|i| list.get(i))
        .copied()
        .unwrap_or_default()
}

/// The `n`-th synthetic referral: a distinct young person (NHS number from stem `999nnnnnn`
/// for three in four, where that stem has a valid check digit; none otherwise), from a
/// school or a GP.
fn referral_body(n: u64) -> Value {
    let nhs_number = (n % 4 != 3)
        .then(|| nhs_number(n))
        .flatten()
        .map(|number| number.as_digits());
    let born = jiff::civil::date(2003, 1, 1)
        .checked_add(jiff::Span::new().days(i64::try_from(mix(n, 1) % 8000).unwrap_or(0)))
        .unwrap_or(jiff::civil::date(2010, 1, 1));
    let family = format!("{}{}", pick(FAMILY_START, n, 2), pick(FAMILY_END, n, 3));
    let postcode = format!(
        "{} {}{}{}",
        pick(DISTRICTS, n, 4),
        mix(n, 5) % 9 + 1,
        char::from(pick(UNIT_LETTERS, n, 6)),
        char::from(pick(UNIT_LETTERS, n, 7)),
    );
    let (source, referrer) = match n % 3 {
        0 => (
            "gp",
            json!({"name": "Dr G. Practitioner", "role": "GP", "organisation": "Synthetic Surgery"}),
        ),
        _ => (
            "school",
            json!({"name": "R. Teacher", "role": "Designated safeguarding lead", "organisation": "Synthetic Academy"}),
        ),
    };
    json!({
        "person": {
            "nhs_number": nhs_number,
            "given_name": pick(GIVEN, n, 8),
            "family_name": family,
            "date_of_birth": born.to_string(),
            "sex": pick(&["female", "male"], n, 9),
            "ethnic_category": "not_stated",
            "postcode": postcode,
            "school": "Synthetic Academy",
        },
        "source": source,
        "priority": match n % 10 {
            0 => "urgent",
            _ => "routine",
        },
        "reasons": [pick(REASONS, n, 10)],
        "presenting_needs": "Low mood and worry for several weeks (synthetic benchmark referral).",
        "referrer": referrer,
        "consent_to_share": ["GP"],
    })
}

/// The NHS number with stem `999` followed by `n` in six digits, if its check digit exists.
fn nhs_number(n: u64) -> Option<NhsNumber> {
    let mut stem = [9u8, 9, 9, 0, 0, 0, 0, 0, 0];
    let mut rest = n % NHS_STEMS;
    for digit in stem[3..].iter_mut().rev() {
        *digit = u8::try_from(rest % 10).ok()?;
        rest /= 10;
    }
    NhsNumber::from_stem(stem)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthetic_people_are_spread_and_valid() {
        let bodies: Vec<Value> = (0..2000).map(referral_body).collect();
        let postcodes: std::collections::HashSet<&str> = bodies
            .iter()
            .filter_map(|b| b["person"]["postcode"].as_str())
            .collect();
        assert!(postcodes.len() > 1900, "{}", postcodes.len());
        assert!(postcodes
            .iter()
            .all(|p| nwd_domain::Postcode::parse(p).is_ok()));
        let families: std::collections::HashSet<&str> = bodies
            .iter()
            .filter_map(|b| b["person"]["family_name"].as_str())
            .collect();
        assert!(families.len() > 400, "{}", families.len());
    }

    #[test]
    fn nhs_numbers_are_distinct_and_in_the_test_range() {
        let numbers: std::collections::HashSet<String> = (0..2000)
            .filter_map(nhs_number)
            .map(|n| n.as_digits())
            .collect();
        assert!(numbers.len() > 1700, "{}", numbers.len());
        assert!(numbers.iter().all(|n| n.starts_with("999")));
        assert!(numbers
            .iter()
            .all(|n| NhsNumber::parse(n).is_ok_and(|p| p.as_digits() == *n)));
    }
}
