//! What a `nwd-bench money` database holds and how big it is: its rows (referrals, contacts,
//! events), its size on disk (PostgreSQL: `pg_database_size` and the largest tables with
//! their indexes and TOAST; SQLite: the file and its WAL) and the bytes per referral; and the
//! process's resident memory (`/proc/self/status`), to show what the kept inputs cost.

use anyhow::Context as _;
use sqlx::Row;

use crate::report;
use crate::server::FreshDatabase;

/// Tables listed by size on PostgreSQL.
const LARGEST: i64 = 8;

/// Reports the rows and the size of `database`.
pub(super) async fn report_size(database: &FreshDatabase) -> anyhow::Result<()> {
    sqlx::any::install_default_drivers();
    let url = if database.backend == "sqlite" {
        format!("sqlite://{}?mode=ro", database.url)
    } else {
        database.url.clone()
    };
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(&url)
        .await
        .context("cannot open the database to measure it")?;
    let mut counts = Vec::new();
    for table in [
        "referrals",
        "contacts",
        "referral_events",
        "allocations",
        "persons",
    ] {
        let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
            .fetch_one(&pool)
            .await?
            .try_get(0)?;
        counts.push((table, n));
    }
    let referrals = counts[0].1.max(1) as f64;
    report(format!(
        "rows: {}",
        counts
            .iter()
            .map(|(t, n)| format!("{t} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let bytes = match database.file_bytes() {
        Some(bytes) => bytes as i64,
        None => sqlx::query("SELECT pg_database_size(current_database())")
            .fetch_one(&pool)
            .await?
            .try_get(0)?,
    };
    report(format!(
        "database size {:.1} MiB, {:.0} bytes per referral",
        bytes as f64 / 1_048_576.0,
        bytes as f64 / referrals
    ));
    if database.backend == "postgresql" {
        let rows = sqlx::query(&format!(
            "SELECT c.relname::text, pg_total_relation_size(c.oid), pg_relation_size(c.oid) \
             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE c.relkind = 'r' AND n.nspname = 'public' \
             ORDER BY pg_total_relation_size(c.oid) DESC LIMIT {LARGEST}"
        ))
        .fetch_all(&pool)
        .await?;
        for row in &rows {
            let name: String = row.try_get(0)?;
            let total: i64 = row.try_get(1)?;
            let heap: i64 = row.try_get(2)?;
            report(format!(
                "  {name}: {:.1} MiB with indexes and TOAST ({:.1} MiB rows), {:.0} bytes per referral",
                total as f64 / 1_048_576.0,
                heap as f64 / 1_048_576.0,
                total as f64 / referrals
            ));
        }
    }
    pool.close().await;
    Ok(())
}

/// The process's resident memory now and at its peak, in MiB (`None` where
/// `/proc/self/status` is not readable).
pub(super) fn resident_mib() -> Option<(f64, f64)> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let field = |name: &str| -> Option<f64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib / 1024.0)
    };
    Some((field("VmRSS:")?, field("VmHWM:")?))
}
