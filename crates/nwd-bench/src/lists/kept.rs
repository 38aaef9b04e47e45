//! The identifiers for `--reuse`: drawn at random from a database kept by an earlier run
//! (`--keep`), since the demo county depends on the day it is generated and cannot be generated
//! again the next day to find them.

use std::time::Duration;

use anyhow::Context as _;
use nwd_domain::{AllocationId, ReferralId};

use super::{Args, Load, Samples};

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
