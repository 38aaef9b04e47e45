//! One small real write before a timed quarterly report, so that the report follows a change
//! and pays for bringing the kept inputs up to date (the changed referral read again and its
//! rows filed again): a contact recorded now, attended, face to face, on an open allocation.

use anyhow::{bail, Context as _};
use nwd_domain::codes::{ConsultationMechanism, ContactStatus};
use nwd_domain::referral::{Command, ContactInput, ContactKind};
use nwd_domain::{AllocationId, ReferralId};
use nwd_store::Store;
use sqlx::Row;

/// Up to `n` open allocations (referral, allocation) of the database at `url`.
pub(super) async fn open_allocations(
    url: &str,
    n: usize,
) -> anyhow::Result<Vec<(ReferralId, AllocationId)>> {
    sqlx::any::install_default_drivers();
    let pool = sqlx::any::AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("cannot open the database to pick open allocations")?;
    let rows = sqlx::query(&format!(
        "SELECT referral_id, id FROM allocations WHERE ended_at IS NULL ORDER BY id LIMIT {n}"
    ))
    .fetch_all(&pool)
    .await?;
    let mut open = Vec::with_capacity(rows.len());
    for row in &rows {
        let referral: String = row.try_get(0)?;
        let allocation: String = row.try_get(1)?;
        open.push((
            ReferralId(referral.parse()?),
            AllocationId(allocation.parse()?),
        ));
    }
    pool.close().await;
    Ok(open)
}

/// Records one attended contact now on `open`.
pub(super) async fn record_contact(
    store: &Store,
    (referral_id, allocation_id): (ReferralId, AllocationId),
) -> anyhow::Result<()> {
    let referral = store.referral(referral_id).await?;
    let audit = nwd_store::audit::AuditContext::job("nwd-bench money");
    store
        .execute(
            &audit,
            referral_id,
            referral.version,
            Command::RecordContact(ContactInput {
                allocation_id,
                at: store.now(),
                status: ContactStatus::Attended,
                mechanism: ConsultationMechanism::FaceToFace,
                clinician: "Benchmark Clinician".into(),
                duration_minutes: 30,
                kind: ContactKind::Direct,
            }),
            "nwd-bench",
        )
        .await
        .context("recording a contact before a timed report")?;
    Ok(())
}

/// Refuses to go on without an open allocation.
pub(super) fn check(open: &[(ReferralId, AllocationId)]) -> anyhow::Result<()> {
    if open.is_empty() {
        bail!("the database has no open allocation to record a contact on");
    }
    Ok(())
}
