//! The need page's counts (`Store::need_counts`, issue 20) timed on the money benchmark's
//! record: the twelve months the page shows by default, from the kept inputs (as the page
//! counts now) and by the one SQL query they replaced (`Store::need_counts_by_sql`, kept as
//! the tests' reference), on the same store; the two must agree or the run stops.

use std::time::{Duration, Instant};

use anyhow::bail;
use jiff::civil::Date;
use nwd_domain::population::Area;
use nwd_store::Store;
use nwd_usecase::need::Period;

use super::ms;
use crate::report;

/// Times both ways `repeat + 1` times each (the demo's population table says which
/// districts are in it) and reports first, median, min and max.
pub(super) async fn time_need(store: &Store, repeat: usize) -> anyhow::Result<()> {
    let tz = store.tz().clone();
    let period = Period::last_twelve_months(store.now().to_zoned(tz.clone()).date());
    let start =
        |d: Date| -> anyhow::Result<jiff::Timestamp> { Ok(d.to_zoned(tz.clone())?.timestamp()) };
    let (from, to) = (start(period.from.first_of_month())?, start(period.end())?);
    let population = nwd_demo::population::population();
    let known = |a: &Area| population.decile(a).is_some();

    let mut kept_times = Vec::with_capacity(repeat + 1);
    let mut kept = None;
    for _ in 0..=repeat {
        let started = Instant::now();
        kept = Some(store.need_counts(from, to, known).await?);
        kept_times.push(started.elapsed());
    }
    let mut sql_times = Vec::with_capacity(repeat + 1);
    let mut by_sql = None;
    for _ in 0..=repeat {
        let started = Instant::now();
        by_sql = Some(store.need_counts_by_sql(from, to, known).await?);
        sql_times.push(started.elapsed());
    }
    let (Some(kept), Some(by_sql)) = (kept, by_sql) else {
        bail!("no need counts");
    };
    if kept != by_sql {
        bail!("the need counts from the kept inputs differ from those read by SQL");
    }
    let line = |times: &[Duration]| {
        let mut warm = times[1..].to_vec();
        warm.sort();
        format!(
            "first {}, then median {} (min {}, max {})",
            ms(times[0]),
            ms(warm[warm.len() / 2]),
            ms(warm[0]),
            ms(warm[warm.len() - 1])
        )
    };
    report(format!(
        "need page's counts, {} ({} referrals received, {} seen; the same both ways): from the kept inputs {}; by SQL (before) {}",
        period.label(),
        kept.completeness.referrals,
        kept.by_area_band.values().map(|c| c.seen).sum::<u64>(),
        line(&kept_times),
        line(&sql_times),
    ));
    Ok(())
}
