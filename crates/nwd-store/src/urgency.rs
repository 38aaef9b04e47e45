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
use nwd_domain::referral::urgency::{crisis_order_key, review_overdue_from, triage_due};
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

/// What the crisis list's order needs of each referral on it.
struct Candidate {
    id: String,
    triaged: bool,
    priority: Priority,
    requested: Option<Priority>,
    source: ReferralSource,
    received_at: Timestamp,
    breach_at: Option<Timestamp>,
}

impl Store {
    /// The crisis list: referrals not closed that are emergency or very urgent (clinical or
    /// requested) or at high or immediate risk, that `visible` may open — untriaged first,
    /// then by time to breach (`nwd_domain::referral::urgency::crisis_order_key`): `limit`
    /// of them after `offset`, with how many there are in all.
    pub async fn crisis_list(
        &self,
        visible: &crate::auth::Visibility,
        filter: &CrisisFilter,
        limit: u32,
        offset: u32,
    ) -> Result<CrisisList, StoreError> {
        let mut binds = Vec::new();
        let mut clauses = vec![
            "r.status <> 'closed'".to_owned(),
            "(r.priority_rank <= 1 OR r.requested_priority IN ('emergency', 'very_urgent') OR r.risk_rank >= 3)"
                .to_owned(),
        ];
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
            Some(true) => clauses.push("r.status <> 'awaiting_triage'".to_owned()),
            Some(false) => clauses.push("r.status = 'awaiting_triage'".to_owned()),
            None => {}
        }
        if let Some(source) = filter.source {
            binds.push(Bind::Text(source.as_str().into()));
            clauses.push(format!("r.source = ${}", binds.len()));
        }
        clauses.push(visibility_clause(visible, &mut binds));
        let filter_sql = clauses.join(" AND ");
        let mut conn = self.pool.acquire().await?;
        let rows = bind_all(
            &format!(
                "SELECT r.id, r.status, r.priority, r.requested_priority, r.source, r.received_at \
                 FROM referrals r WHERE {filter_sql}"
            ),
            &binds,
        )
        .fetch_all(&mut *conn)
        .await?;
        let mut candidates = Vec::with_capacity(rows.len());
        for row in &rows {
            let requested: Option<String> = row.try_get("requested_priority")?;
            candidates.push(Candidate {
                id: row.try_get("id")?,
                triaged: row.try_get::<String, _>("status")? != "awaiting_triage",
                priority: Priority::parse(&row.try_get::<String, _>("priority")?)
                    .map_err(StoreError::Corrupt)?,
                requested: requested
                    .map(|p| Priority::parse(&p))
                    .transpose()
                    .map_err(StoreError::Corrupt)?,
                source: ReferralSource::parse(&row.try_get::<String, _>("source")?)
                    .map_err(StoreError::Corrupt)?,
                received_at: ts(row.try_get("received_at")?)?,
                breach_at: None,
            });
        }
        // Untriaged: the single point of access's triage standard for the triage priority.
        let triage_standards = self.standards.for_team_type(TeamType::SinglePointOfAccess);
        for c in candidates.iter_mut().filter(|c| !c.triaged) {
            let priority = match c.requested {
                Some(r) => nwd_domain::referral::urgency::more_urgent(c.priority, r),
                None => c.priority,
            };
            c.breach_at = triage_due(
                priority,
                c.source,
                c.received_at,
                &triage_standards,
                &self.tz,
            );
        }
        // Triaged: the earliest breach of a waiting allocation, by its service's standard
        // for the current priority.
        if candidates.iter().any(|c| c.triaged) {
            let waiting = bind_all(
                &format!(
                    "SELECT a.referral_id, a.service_id, a.clock_start FROM allocations a \
                     JOIN referrals r ON r.id = a.referral_id WHERE a.waiting = 1 AND {filter_sql}"
                ),
                &binds,
            )
            .fetch_all(&mut *conn)
            .await?;
            let mut service_ids: Vec<ServiceId> = Vec::new();
            let mut waits = Vec::with_capacity(waiting.len());
            for row in &waiting {
                let service = ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?);
                if !service_ids.contains(&service) {
                    service_ids.push(service);
                }
                waits.push((
                    row.try_get::<String, _>("referral_id")?,
                    service,
                    ts(row.try_get("clock_start")?)?,
                ));
            }
            let services = self.services_by_id(&mut conn, &service_ids).await?;
            let index: std::collections::HashMap<&str, usize> = candidates
                .iter()
                .enumerate()
                .map(|(i, c)| (c.id.as_str(), i))
                .collect();
            let mut breaches: Vec<(usize, Timestamp)> = Vec::new();
            for (referral_id, service_id, clock_start) in &waits {
                let (Some(&i), Some(service)) = (
                    index.get(referral_id.as_str()),
                    services.iter().find(|s| s.id == *service_id),
                ) else {
                    continue;
                };
                let c = &candidates[i];
                if let Some(standard) =
                    nwd_domain::standards::select(&service.details.standards, c.priority, c.source)
                {
                    breaches.push((i, standard.target.deadline(*clock_start, &self.tz)));
                }
            }
            for (i, at) in breaches {
                let c = &mut candidates[i];
                c.breach_at = Some(c.breach_at.map_or(at, |b| b.min(at)));
            }
        }
        candidates.sort_by(|a, b| {
            (
                crisis_order_key(a.triaged, a.breach_at, a.received_at),
                &a.id,
            )
                .cmp(&(
                    crisis_order_key(b.triaged, b.breach_at, b.received_at),
                    &b.id,
                ))
        });
        let total = candidates.len() as u64;
        let page: Vec<&Candidate> = candidates
            .iter()
            .skip(offset as usize)
            .take(limit.clamp(1, 500) as usize)
            .collect();
        let summaries = self
            .summaries(
                &mut conn,
                &page.iter().map(|c| c.id.clone()).collect::<Vec<_>>(),
            )
            .await?;
        let items = page
            .iter()
            .filter_map(|c| {
                summaries
                    .iter()
                    .find(|s| s.id.to_string() == c.id)
                    .map(|summary| CrisisEntry {
                        summary: summary.clone(),
                        breach_at: c.breach_at,
                    })
            })
            .collect();
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

    async fn summaries(
        &self,
        conn: &mut sqlx::AnyConnection,
        ids: &[String],
    ) -> Result<Vec<ReferralSummary>, StoreError> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS} FROM referrals r WHERE r.id IN ({})",
            placeholders.join(", ")
        );
        let binds: Vec<Bind> = ids.iter().map(|id| Bind::Text(id.clone())).collect();
        let rows = bind_all(&sql, &binds).fetch_all(&mut *conn).await?;
        rows.iter().map(summary_from_row).collect()
    }
}
