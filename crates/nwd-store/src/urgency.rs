//! Urgency in the projection and the lists it drives: the current priority, requested
//! priority, risk and risk review date of a referral written after each change
//! ([`write_urgency`], migration 0012), the crisis list ([`Store::crisis_list`]) and the
//! overdue risk reviews ([`Store::overdue_risk_reviews`]).
//!
//! It decides nothing: who is on the crisis list, its order and every due date come from
//! `nwd_domain::referral::urgency` and the standards in force.

use jiff::Timestamp;
use nwd_domain::codes::{Priority, ReferralSource, TeamType};
use nwd_domain::need::RiskLevel;
use nwd_domain::referral::urgency::review_overdue_from;
use nwd_domain::referral::{RecordedEvent, Referral, ReferralEvent};
use nwd_domain::ServiceId;
use sqlx::Row;

use crate::codec::{ms, ts, uuid};
use crate::referrals::{bind_all, summary_from_row, visibility_clause, Bind, SUMMARY_COLUMNS};
use crate::{ReferralSummary, Store, StoreError};

/// True when `events` change what [`write_urgency`] writes.
pub(crate) fn touches_urgency(events: &[RecordedEvent]) -> bool {
    events.iter().any(|e| {
        matches!(
            e.event,
            ReferralEvent::Triaged { .. } | ReferralEvent::UrgencyRecorded { .. }
        ) || matches!(&e.event, ReferralEvent::Received { referral, .. } if referral.requested_priority.is_some())
    })
}

/// Writes the referral's place on the crisis list (`Referral::crisis_position`, migration
/// 0018) into its projection row: called with every change to the referral, in the change's
/// transaction. The standards of the services it waits at are read only when it is on the
/// list.
pub(crate) async fn write_crisis(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    referral: &Referral,
) -> Result<(), StoreError> {
    let triage_standards = store.standards.for_team_type(TeamType::SinglePointOfAccess);
    // Without service standards first: `None` means not on the list at all.
    let position = match referral.crisis_position(&triage_standards, &|_| None, &store.tz) {
        None => None,
        Some(_) => {
            let mut waiting: Vec<ServiceId> = referral
                .active_allocations()
                .filter(|a| a.is_waiting())
                .map(|a| a.service_id)
                .collect();
            waiting.sort();
            waiting.dedup();
            let services = store.services_by_id(conn, &waiting).await?;
            referral.crisis_position(
                &triage_standards,
                &|id| {
                    services
                        .iter()
                        .find(|s| s.id == id)
                        .map(|s| s.details.standards.clone())
                },
                &store.tz,
            )
        }
    };
    match position {
        Some(position) => {
            sqlx::query("UPDATE referrals SET crisis_rank = $1, crisis_due = $2 WHERE id = $3")
                .bind(position.rank)
                .bind(position.due.map(ms))
                .bind(referral.id.to_string())
                .execute(&mut *conn)
                .await?;
        }
        None => {
            sqlx::query(
                "UPDATE referrals SET crisis_rank = NULL, crisis_due = NULL WHERE id = $1 AND crisis_rank IS NOT NULL",
            )
            .bind(referral.id.to_string())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Writes the crisis position of every referral `condition` selects (SQL on `referrals r`)
/// from its events, in `conn`'s transaction: a service's waiting referrals when its standards
/// change.
pub(crate) async fn refresh_crisis_in(
    conn: &mut sqlx::AnyConnection,
    store: &Store,
    condition: &str,
    binds: &[Bind],
) -> Result<usize, StoreError> {
    let ids: Vec<String> = bind_all(
        &format!("SELECT r.id FROM referrals r WHERE {condition}"),
        binds,
    )
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| row.try_get("id"))
    .collect::<Result<_, _>>()?;
    for id in &ids {
        let events = crate::referrals::load_events(conn, nwd_domain::ReferralId(uuid(id)?)).await?;
        let referral = Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        write_crisis(conn, store, &referral).await?;
    }
    Ok(ids.len())
}

/// At connect: referrals that may be on the crisis list but have no position yet (stored
/// before migration 0018), and the untriaged ones on it (their due time follows the triage
/// standards configured now).
pub(crate) async fn fill_crisis_positions(store: &Store) -> Result<(), StoreError> {
    // In batches of 500 referrals per transaction: a first start after the migration on a
    // large record does not hold one long transaction.
    loop {
        let mut tx = store.pool.begin().await?;
        let done = refresh_crisis_in(
            &mut tx,
            store,
            &format!(
                "r.id IN (SELECT q.id FROM referrals q WHERE q.status <> 'closed' AND q.crisis_rank IS NULL \
                 AND (q.priority_rank <= 1 OR q.requested_priority IN ('emergency', 'very_urgent') OR q.risk_rank >= 3) \
                 ORDER BY q.id LIMIT {FILL_BATCH})"
            ),
            &[],
        )
        .await?;
        tx.commit().await?;
        if done < FILL_BATCH {
            break;
        }
    }
    // Untriaged referrals on the list again: their due time follows the triage standards
    // configured now (a few hundred at most).
    let mut tx = store.pool.begin().await?;
    refresh_crisis_in(&mut tx, store, "r.crisis_rank IN (0, 1)", &[]).await?;
    tx.commit().await?;
    Ok(())
}

/// Referrals per transaction when filling in crisis positions at connect.
const FILL_BATCH: usize = 500;

/// Writes the referral's current urgency into its projection row, and the priority rank into
/// its allocations (waiting lists and caseloads order by it).
pub(crate) async fn write_urgency(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    tz: &jiff::tz::TimeZone,
) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE referrals SET priority = $1, priority_rank = $2, requested_priority = $3, risk_level = $4, \
         risk_rank = $5, risk_review_due = $6 WHERE id = $7",
    )
    .bind(referral.priority.as_str())
    .bind(referral.priority.rank())
    .bind(referral.requested_priority.map(|p| p.as_str()))
    .bind(referral.risk.map(|r| r.as_str()))
    .bind(referral.risk.map(|r| r.rank()))
    .bind(referral.risk_review_on.map(|on| ms(review_overdue_from(on, tz))))
    .bind(referral.id.to_string())
    .execute(&mut *conn)
    .await?;
    sqlx::query(
        "UPDATE allocations SET priority_rank = $1 WHERE referral_id = $2 AND priority_rank <> $1",
    )
    .bind(referral.priority.rank())
    .bind(referral.id.to_string())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The crisis list's filters (all optional).
#[derive(Debug, Clone, Default)]
pub struct CrisisFilter {
    /// Clinical or requested priority.
    pub priority: Option<Priority>,
    /// Current risk level.
    pub risk: Option<RiskLevel>,
    /// `Some(false)`: awaiting triage only; `Some(true)`: triaged only.
    pub triaged: Option<bool>,
    /// Source of referral.
    pub source: Option<ReferralSource>,
}

/// A referral on the crisis list.
#[derive(Debug, Clone)]
pub struct CrisisEntry {
    /// The referral.
    pub summary: ReferralSummary,
    /// Triage due (untriaged), or the earliest waiting allocation's breach (triaged).
    pub breach_at: Option<Timestamp>,
}

/// One page of the crisis list.
#[derive(Debug, Clone)]
pub struct CrisisList {
    /// Referrals on the list that the caller may open, in all (with the filters).
    pub total: u64,
    /// The page asked for, in the list's order.
    pub items: Vec<CrisisEntry>,
}

/// One page of overdue risk reviews.
#[derive(Debug, Clone)]
pub struct OverdueReviews {
    /// Referrals not closed whose risk review is overdue, that the caller may open.
    pub total: u64,
    /// The page, most overdue first.
    pub items: Vec<ReferralSummary>,
}

impl Store {
    /// Fills in the crisis position of referrals that have none yet (stored before migration
    /// 0018, or by an interrupted bulk import) and computes the untriaged ones again. Run
    /// at connect and after a bulk import; safe to run at any time.
    pub async fn refresh_crisis_positions(&self) -> Result<(), StoreError> {
        fill_crisis_positions(self).await
    }

    /// The crisis list: referrals not closed that are emergency or very urgent (clinical or
    /// requested) or at high or immediate risk, that `visible` may open — untriaged first,
    /// then by time to breach (`Referral::crisis_position`): `limit`
    /// of them after `offset`, with how many there are in all.
    pub async fn crisis_list(
        &self,
        visible: &crate::auth::Visibility,
        filter: &CrisisFilter,
        limit: u32,
        offset: u32,
    ) -> Result<CrisisList, StoreError> {
        let mut binds = Vec::new();
        // On the list exactly when `crisis_rank` is set (`Referral::crisis_position` decides:
        // open, and emergency or very urgent, clinical or requested, or at high or immediate
        // risk), so the whole list and its count are read from `referrals_crisis_order` alone.
        let mut clauses = vec!["r.crisis_rank IS NOT NULL".to_owned()];
        if let Some(priority) = filter.priority {
            binds.push(Bind::Text(priority.as_str().into()));
            let n = binds.len();
            clauses.push(format!(
                "(r.priority = ${n} OR r.requested_priority = ${n})"
            ));
        }
        if let Some(risk) = filter.risk {
            binds.push(Bind::Text(risk.as_str().into()));
            clauses.push(format!("r.risk_level = ${}", binds.len()));
        }
        match filter.triaged {
            // Ranks 0 and 1 are untriaged, 2 and 3 triaged (`CrisisPosition::rank`).
            Some(true) => clauses.push("r.crisis_rank >= 2".to_owned()),
            Some(false) => clauses.push("r.crisis_rank <= 1".to_owned()),
            None => {}
        }
        if let Some(source) = filter.source {
            binds.push(Bind::Text(source.as_str().into()));
            clauses.push(format!("r.source = ${}", binds.len()));
        }
        // The single point of access sees every open referral, and every referral on the list
        // is open; other teams see what `visibility_clause` allows.
        if !visible.single_point_of_access {
            clauses.push(visibility_clause(visible, &mut binds));
        }
        let filter_sql = clauses.join(" AND ");
        let mut conn = self.pool.acquire().await?;
        let total: i64 = bind_all(
            &format!("SELECT COUNT(*) AS n FROM referrals r WHERE {filter_sql}"),
            &binds,
        )
        .fetch_one(&mut *conn)
        .await?
        .try_get("n")?;
        // In the list's order (`Referral::crisis_position`, projected by `write_crisis`), read from
        // `referrals_crisis_order`.
        let rows = bind_all(
            &format!(
                "SELECT {SUMMARY_COLUMNS}, r.crisis_due FROM referrals r WHERE {filter_sql} \
                 ORDER BY r.crisis_rank, r.crisis_due, r.received_at, r.id LIMIT {} OFFSET {offset}",
                limit.clamp(1, 500)
            ),
            &binds,
        )
        .fetch_all(&mut *conn)
        .await?;
        let items = rows
            .iter()
            .map(|row| {
                Ok(CrisisEntry {
                    summary: summary_from_row(row)?,
                    breach_at: row
                        .try_get::<Option<i64>, _>("crisis_due")?
                        .map(ts)
                        .transpose()?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let total = total.max(0) as u64;
        Ok(CrisisList { total, items })
    }

    /// Referrals not closed whose risk review is overdue at now, that `visible` may open,
    /// most overdue first: `limit` of them after `offset`, with how many there are in all.
    pub async fn overdue_risk_reviews(
        &self,
        visible: &crate::auth::Visibility,
        limit: u32,
        offset: u32,
    ) -> Result<OverdueReviews, StoreError> {
        let mut binds = vec![Bind::Int(ms(self.now()))];
        let visibility = visibility_clause(visible, &mut binds);
        let filter = format!(
            "FROM referrals r WHERE r.status <> 'closed' AND r.risk_review_due IS NOT NULL \
             AND r.risk_review_due <= $1 AND {visibility}"
        );
        let total: i64 = bind_all(&format!("SELECT COUNT(*) AS n {filter}"), &binds)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        let rows = bind_all(
            &format!(
                "SELECT {SUMMARY_COLUMNS} {filter} ORDER BY r.risk_review_due, r.id LIMIT {} OFFSET {}",
                limit.clamp(1, 500),
                offset
            ),
            &binds,
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(OverdueReviews {
            total: total.max(0) as u64,
            items: rows
                .iter()
                .map(summary_from_row)
                .collect::<Result<Vec<_>, _>>()?,
        })
    }
}
