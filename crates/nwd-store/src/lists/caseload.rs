//! A service's caseload: every open allocation, seen first, with the outcome measure due
//! (split from `lists.rs`, which keeps the waiting list, the transition list and the access
//! measures).

use nwd_domain::codes::Priority;
use nwd_domain::referral::measurement::{
    FollowUp, MeasureCounts, MeasurementSchedule, OverdueWhen,
};
use nwd_domain::search::SearchTerms;
use nwd_domain::{AllocationId, PersonId, ReferralId, ServiceId};
use serde::Serialize;
use sqlx::Row;

use crate::codec::{ts, uuid};
use crate::{Store, StoreError};

use super::{bind_terms, by_terms, matching};

/// Someone on a service's caseload: an open allocation, waiting or seen.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaseloadEntry {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Its referral.
    pub referral_id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// The referral's priority.
    pub priority: Priority,
    /// Need group at allocation.
    pub need_group: String,
    /// When allocated.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub allocated_at: jiff::Timestamp,
    /// First attended contact (None: still waiting).
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub first_attended_at: Option<jiff::Timestamp>,
    /// Attended contacts and outcome measures, for what is due
    /// ([`CaseloadEntry::follow_up`]).
    pub measures: MeasureCounts,
}

impl CaseloadEntry {
    /// Whether an outcome measure is due or overdue under the service's schedule (the
    /// domain's rule, `nwd_domain::referral::measurement`).
    pub fn follow_up(&self, schedule: &MeasurementSchedule) -> FollowUp {
        schedule.follow_up(self.measures)
    }
}

/// One page of a service's caseload.
#[derive(Debug, Clone, Serialize)]
pub struct Caseload {
    /// Open allocations at the service in all.
    pub total: u64,
    /// The page asked for, in order.
    pub entries: Vec<CaseloadEntry>,
}

fn count_of(value: Option<i64>) -> u32 {
    u32::try_from(value.unwrap_or(0).max(0)).unwrap_or(u32::MAX)
}

impl Store {
    /// A service's caseload: every open allocation (waiting or seen), seen first and then
    /// by priority and allocation date — `limit` of them after `offset`, with how many there
    /// are in all.
    pub async fn caseload(
        &self,
        service_id: ServiceId,
        limit: u32,
        offset: u32,
    ) -> Result<Caseload, StoreError> {
        self.caseload_matching(service_id, &SearchTerms::default(), None, limit, offset)
            .await
    }

    /// [`Store::caseload`] narrowed to the allocations whose referral or young person
    /// `terms` name (reference, name, NHS number, date of birth); the total is of those.
    pub async fn caseload_matching(
        &self,
        service_id: ServiceId,
        terms: &SearchTerms,
        overdue: Option<OverdueWhen>,
        limit: u32,
        offset: u32,
    ) -> Result<Caseload, StoreError> {
        let (mut matching, term_binds) = matching(terms, 1);
        let searched = !matching.is_empty();
        if let Some(when) = overdue {
            // The domain's thresholds (`MeasurementSchedule::overdue_when`), compared here
            // so that the page and the count are of the overdue allocations alone.
            matching.push_str(&format!(
                " AND ((COALESCE(a.measure_started, 0) = 0 AND COALESCE(a.measure_attended, 0) >= {}) \
                 OR (a.measure_started = 1 AND COALESCE(a.measure_since, 0) >= {}))",
                when.start_attended, when.review_since
            ));
        }
        let total: i64 = bind_terms(
            by_terms(searched, &format!(
                "SELECT COUNT(*) AS n FROM allocations a WHERE a.service_id = $1 AND a.ended_at IS NULL{matching}"
            ))
            .bind(service_id.to_string()),
            &term_binds,
        )
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        let rows = bind_terms(
            by_terms(searched, &format!(
                // The page is chosen from the allocations alone and only its rows read their
                // referral (a name matching 949 of the largest caseload read 949 referrals
                // for a page of 50: 56 ms at 1,000,000 referrals).
                "SELECT a.id, a.referral_id, a.person_id, a.need_group, a.allocated_at, a.first_attended_at, \
                 a.measure_attended, a.measure_since, a.measure_started, r.priority \
                 FROM (SELECT a.* FROM allocations a \
                 WHERE a.service_id = $1 AND a.ended_at IS NULL{matching} \
                 ORDER BY a.waiting, a.priority_rank, a.allocated_at, a.id LIMIT {} OFFSET {offset}) a \
                 JOIN referrals r ON r.id = a.referral_id \
                 ORDER BY a.waiting, a.priority_rank, a.allocated_at, a.id",
                limit.clamp(1, 500)
            ))
            .bind(service_id.to_string()),
            &term_binds,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(rows.len());
        for row in &rows {
            let first: Option<i64> = row.try_get("first_attended_at")?;
            entries.push(CaseloadEntry {
                allocation_id: AllocationId(uuid(&row.try_get::<String, _>("id")?)?),
                referral_id: ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?),
                person_id: PersonId(uuid(&row.try_get::<String, _>("person_id")?)?),
                priority: Priority::parse(&row.try_get::<String, _>("priority")?)
                    .map_err(StoreError::Corrupt)?,
                need_group: row.try_get("need_group")?,
                allocated_at: ts(row.try_get("allocated_at")?)?,
                first_attended_at: first.map(ts).transpose()?,
                measures: MeasureCounts {
                    attended: count_of(row.try_get("measure_attended")?),
                    since_measure: count_of(row.try_get("measure_since")?),
                    measured: row.try_get::<Option<i64>, _>("measure_started")? == Some(1),
                },
            });
        }
        Ok(Caseload {
            total: total.max(0) as u64,
            entries,
        })
    }
}
