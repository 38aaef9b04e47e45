//! Where the timed requests' identifiers come from: generating and importing the demo county
//! at the asked size (`load`), or drawing them at random from a database kept by an earlier run
//! (`kept`). Either way the result is the same [`Samples`] and [`Load`].

use std::time::{Duration, Instant};

use anyhow::Context as _;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::{AllocationId, ReferralId};
use nwd_store::{DemoImport, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::stats::{self};

use super::{bar, Args, Load, Samples};

/// The identifiers the requests will pick from, drawn at random from a kept database
/// (`--reuse`): the demo county depends on the day it is generated (its two years end now),
/// so generating it again the next day would not give the kept database's ids.
pub(super) async fn kept(url: &str, args: &Args) -> anyhow::Result<(Load, Samples)> {
    use sqlx::Row;
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("cannot open the kept database")?;
    let wanted = args.requests + args.warmup;
    let strings = |sql: String| {
        let pool = pool.clone();
        async move {
            let rows = sqlx::query(&sql).fetch_all(&pool).await?;
            rows.iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<Vec<String>, sqlx::Error>>()
        }
    };
    let count = |table: &'static str| {
        let pool = pool.clone();
        async move {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&pool)
                .await?
                .try_get(0)?;
            Ok::<usize, sqlx::Error>(n as usize)
        }
    };
    let services = strings("SELECT id FROM services ORDER BY id".into()).await?;
    let referrals = strings(format!(
        "SELECT id FROM referrals ORDER BY random() LIMIT {wanted}"
    ))
    .await?;
    let nhs_numbers = strings(format!(
        "SELECT nhs_number FROM persons WHERE nhs_number IS NOT NULL ORDER BY random() LIMIT {wanted}"
    ))
    .await?;
    let people = sqlx::query(&format!(
        "SELECT given_name, family_name, date_of_birth FROM persons ORDER BY random() LIMIT {wanted}"
    ))
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?, row.try_get(2)?)))
    .collect::<Result<Vec<(String, String, String)>, sqlx::Error>>()?;
    let open_allocations = sqlx::query(
        "SELECT referral_id, id FROM allocations WHERE ended_at IS NULL ORDER BY random() LIMIT 1000",
    )
    .fetch_all(&pool)
    .await?
    .iter()
    .map(|row| {
        let referral: String = row.try_get(0)?;
        let allocation: String = row.try_get(1)?;
        Ok((
            ReferralId(referral.parse()?),
            AllocationId(allocation.parse()?),
        ))
    })
    .collect::<anyhow::Result<Vec<_>>>()?;
    let load = Load {
        referrals: count("referrals").await?,
        persons: count("persons").await?,
        services: services.len(),
        events: count("referral_events").await?,
        generate: Duration::ZERO,
        import: Duration::ZERO,
        peak_rss_after_generate_mib: None,
    };
    pool.close().await;
    Ok((
        load,
        Samples {
            services,
            referrals,
            nhs_numbers,
            people,
            open_allocations,
        },
    ))
}

/// Generates the demo county with `--referrals` over `--years` and imports it; returns what
/// it cost and the identifiers the requests will pick from.
pub(super) async fn load(
    args: &Args,
    store: &Store,
    rng: &mut StdRng,
) -> anyhow::Result<(Load, Samples)> {
    let config = nwd_demo::DemoConfig {
        seed: args.seed,
        years: args.years,
        referrals_per_year: args.referrals.div_ceil(args.years),
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let planned = u64::from(config.years) * u64::from(config.referrals_per_year);
    let progress = bar(planned, "generate", "referrals");
    let started = Instant::now();
    let data = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || {
            nwd_demo::generate(&config, &mut |done, _| progress.set_position(done))
        })
        .await
        .context("the generator failed")?
    };
    progress.finish();
    let generate = started.elapsed();
    let peak_rss_after_generate_mib = stats::peak_rss_mib();

    let histories: Vec<(&[RecordedEvent], &Referral)> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let progress = bar(histories.len() as u64, "import", "referrals");
    let started = Instant::now();
    if args.reuse.is_none() {
        store
            .import(
                &nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench lists", "demo"),
                DemoImport {
                    organisations: &data.organisations,
                    services: &data.services,
                    persons: &data.persons,
                    referrals: &histories,
                    abouts: &nwd_demo::about::abouts(&data.persons),
                },
                &mut |done, _| progress.set_position(done),
            )
            .await
            .context("the import failed")?;
    }
    progress.finish();
    let import = started.elapsed();

    let wanted = args.requests + args.warmup;
    let services = data.services.iter().map(|s| s.id.to_string()).collect();
    let referrals = data
        .referrals
        .choose_multiple(rng, wanted)
        .map(|r| r.state.id.to_string())
        .collect();
    let with_numbers: Vec<String> = data
        .persons
        .iter()
        .filter_map(|p| p.details.nhs_number.map(|n| n.as_digits()))
        .collect();
    let nhs_numbers = with_numbers.choose_multiple(rng, wanted).cloned().collect();
    let people = data
        .persons
        .choose_multiple(rng, wanted)
        .map(|p| {
            (
                p.details.given_name.clone(),
                p.details.family_name.clone(),
                p.details.date_of_birth.to_string(),
            )
        })
        .collect();
    let mut open_allocations: Vec<(ReferralId, AllocationId)> = data
        .referrals
        .iter()
        .filter(|r| r.state.closure.is_none())
        .filter_map(|r| {
            r.state
                .allocations
                .iter()
                .find(|a| a.ended.is_none())
                .map(|a| (r.state.id, a.id))
        })
        .collect();
    open_allocations.shuffle(rng);
    let load = Load {
        referrals: data.referrals.len(),
        persons: data.persons.len(),
        services: data.services.len(),
        events: data.referrals.iter().map(|r| r.events.len()).sum(),
        generate,
        import,
        peak_rss_after_generate_mib,
    };
    Ok((
        load,
        Samples {
            services,
            referrals,
            nhs_numbers,
            people,
            open_allocations,
        },
    ))
}
