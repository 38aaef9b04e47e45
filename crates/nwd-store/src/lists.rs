//! Lists and measures read from the projection: a service's waiting list, the transition
//! list, and the CYP access measures.

use std::collections::HashMap;
use std::sync::Arc;

use jiff::civil::Date;
use nwd_domain::access::{access_measures, AccessMeasures, CountedContact};
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::transition::{transition_due, TransitionDue};
use nwd_domain::waits::{entry, WaitingListEntry};
use nwd_domain::{AllocationId, PersonId, ReferralId, ServiceId};
use serde::Serialize;
use sqlx::Row;

use crate::codec::{date, ms, ts, uuid};
use crate::referrals::Bind;
use crate::{Store, StoreError};
use nwd_domain::search::SearchTerms;

mod caseload;
pub use caseload::{Caseload, CaseloadEntry};

type AnyQuery<'q> = sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>;

/// `terms` as ` AND …` on an allocation `a` (empty when there are none), numbered after
/// `base` values already bound, and its values.
pub(crate) fn matching(terms: &SearchTerms, base: usize) -> (String, Vec<Bind>) {
    let mut binds = Vec::new();
    let clauses = crate::search::terms_on(
        terms,
        "a.referral_id",
        "a.person_id",
        Some("a"),
        base,
        &mut binds,
    );
    let sql = clauses
        .iter()
        .map(|c| format!(" AND {c}"))
        .collect::<String>();
    (sql, binds)
}

/// The priority a stored rank stands for (`Priority::rank`).
fn priority_of(rank: i64) -> Result<Priority, StoreError> {
    Priority::ALL
        .iter()
        .copied()
        .find(|p| p.rank() == rank)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown priority rank {rank}")))
}

/// A list's query: searched by name (or other terms), planned for the values asked each
/// time, as `search::searched` says why; unsearched, kept as a prepared statement.
fn by_terms(searched: bool, sql: &str) -> AnyQuery<'_> {
    if searched {
        crate::search::searched(sql)
    } else {
        sqlx::query(sql)
    }
}

fn bind_terms<'q>(mut query: AnyQuery<'q>, binds: &'q [Bind]) -> AnyQuery<'q> {
    for bind in binds {
        query = match bind {
            Bind::Text(t) => query.bind(t.as_str()),
            Bind::Int(i) => query.bind(*i),
        };
    }
    query
}

/// A service's waiting list at a moment.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WaitingList {
    /// The service.
    pub service_id: ServiceId,
    /// When measured.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub measured_at: jiff::Timestamp,
    /// Everyone waiting.
    pub total: u64,
    /// How many have already breached their standard.
    pub breached: u64,
    /// The requested page, in order: priority, then longest wait.
    pub entries: Vec<WaitingListEntry>,
}

/// Someone on the transition list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionListEntry {
    /// The allocation that will end at the upper age.
    pub allocation_id: AllocationId,
    /// Its referral.
    pub referral_id: ReferralId,
    /// The young person.
    pub person_id: PersonId,
    /// The service.
    pub service_id: ServiceId,
    /// The service's name.
    pub service_name: String,
    /// Current need group (transition is by need).
    pub need_group: Option<String>,
    /// When they leave the service's age range and when review began.
    pub due: TransitionDue,
    /// The planned date of the current transition plan, if one was made.
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub planned_on: Option<Date>,
    /// Where the plan sends them: the receiving service, or the intended destination.
    pub planned_to: Option<String>,
}

impl Store {
    /// The waiting list of a service: open allocations without a first attended contact,
    /// ordered by priority then clock start, with days waited and breach dates.
    pub async fn waiting_list(
        &self,
        service_id: ServiceId,
        limit: u32,
        offset: u32,
    ) -> Result<WaitingList, StoreError> {
        self.waiting_list_matching(service_id, &SearchTerms::default(), limit, offset)
            .await
    }

    /// [`Store::waiting_list`] narrowed to the people `terms` name (reference, name, NHS
    /// number, date of birth): the total and breaches are of those.
    pub async fn waiting_list_matching(
        &self,
        service_id: ServiceId,
        terms: &SearchTerms,
        limit: u32,
        offset: u32,
    ) -> Result<WaitingList, StoreError> {
        let (matching, term_binds) = matching(terms, 1);
        // `waiting = 1` implies `ended_at IS NULL` (the table's CHECK), but the planner cannot
        // see that: said out loud, a search by name reads the open allocations' name-key
        // indexes (migration 0019) instead of filtering every waiting row. At 1,000,000
        // referrals the largest list's count went from 92 ms to 1.4 ms (docs/benchmarks.md).
        // Unsearched lists keep reading the waiting index alone.
        let open = if matching.is_empty() {
            ""
        } else {
            " AND a.ended_at IS NULL"
        };
        let (service, _) = self.service(service_id).await?;
        let now = self.now();
        // Counts in the database, in one pass over the service's waiting allocations: all of
        // them, and those whose clock started at or before the breach cut-off of the standard
        // their priority and source select (worked out here for every pair, grouped by
        // priority and cut-off). No row per waiting person leaves SQL.
        let mut cutoffs: Vec<(i64, i64, Vec<&'static str>)> = Vec::new();
        for priority in Priority::ALL {
            for source in ReferralSource::ALL {
                let Some(standard) =
                    nwd_domain::standards::select(&service.details.standards, *priority, *source)
                else {
                    continue;
                };
                let cutoff = ms(standard.target.breach_cutoff(now, &self.tz));
                match cutoffs
                    .iter_mut()
                    .find(|(rank, at, _)| *rank == priority.rank() && *at == cutoff)
                {
                    Some((_, _, sources)) => sources.push(source.as_str()),
                    None => cutoffs.push((priority.rank(), cutoff, vec![source.as_str()])),
                }
            }
        }
        let mut conditions = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        for (rank, cutoff, sources) in &cutoffs {
            let rank_at = binds.len() + 2; // $1 is the service
            binds.push(Bind::Int(*rank));
            let cutoff_at = rank_at + 1;
            binds.push(Bind::Int(*cutoff));
            let mut condition =
                format!("(a.priority_rank = ${rank_at} AND a.clock_start <= ${cutoff_at}");
            if sources.len() < ReferralSource::ALL.len() {
                let mut places = Vec::new();
                for source in sources {
                    places.push(format!("${}", binds.len() + 2));
                    binds.push(Bind::Text((*source).to_owned()));
                }
                condition.push_str(&format!(" AND a.source IN ({})", places.join(", ")));
            }
            condition.push(')');
            conditions.push(condition);
        }
        let breach = if conditions.is_empty() {
            "0".to_owned()
        } else {
            format!("CASE WHEN {} THEN 1 ELSE 0 END", conditions.join(" OR "))
        };
        let (counted, count_binds) = crate::lists::matching(terms, 1 + binds.len());
        let counts = bind_terms(
            bind_terms(
                by_terms(!matching.is_empty(), &format!(
                    "SELECT COUNT(*) AS n, COALESCE(SUM({breach}), 0) AS breached FROM allocations a \
                     WHERE a.service_id = $1 AND a.waiting = 1{open}{counted}"
                ))
                .bind(service_id.to_string()),
                &binds,
            ),
            &count_binds,
        )
        .fetch_one(&self.pool)
        .await?;
        let total = counts.try_get::<i64, _>("n")?.max(0) as u64;
        let breached = counts.try_get::<i64, _>("breached")?.max(0) as u64;
        // The page, in order, with each entry's days waited and breach date.
        let page = bind_terms(
            by_terms(
                !matching.is_empty(),
                &format!(
                "SELECT a.id, a.referral_id, a.person_id, a.clock_start, a.priority_rank, a.source \
                 FROM allocations a \
                 WHERE a.service_id = $1 AND a.waiting = 1{open}{matching} \
                 ORDER BY a.priority_rank, a.clock_start, a.id LIMIT {} OFFSET {offset}",
                limit.clamp(1, 500)
            ),
            )
            .bind(service_id.to_string()),
            &term_binds,
        )
        .fetch_all(&self.pool)
        .await?;
        let mut entries = Vec::with_capacity(page.len());
        for row in &page {
            entries.push(entry(
                AllocationId(uuid(&row.try_get::<String, _>("id")?)?),
                ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?),
                PersonId(uuid(&row.try_get::<String, _>("person_id")?)?),
                service_id,
                priority_of(row.try_get("priority_rank")?)?,
                ReferralSource::parse(&row.try_get::<String, _>("source")?)
                    .map_err(StoreError::Corrupt)?,
                ts(row.try_get("clock_start")?)?,
                &service.details.standards,
                now,
                &self.tz,
            ));
        }
        Ok(WaitingList {
            service_id,
            measured_at: now,
            total,
            breached,
            entries,
        })
    }

    /// Young people with an open allocation who are within the notice period of their
    /// service's upper age, soonest first. Kept under the data version and the day
    /// (`versioned`): computed again after any change, or the next day.
    pub async fn transition_list(&self) -> Result<Vec<TransitionListEntry>, StoreError> {
        let today = self.now().to_zoned(self.tz.clone()).date();
        let version = self.data_version().await?;
        if let Some(kept) = self.cached.transitions.get(&today, version) {
            return Ok((*kept).clone());
        }
        let list = self.compute_transition_list(today).await?;
        self.cached
            .transitions
            .put(today, version, std::sync::Arc::new(list.clone()));
        Ok(list)
    }

    /// The transition list for `today`, computed from the record (never from what is kept).
    pub async fn compute_transition_list(
        &self,
        today: Date,
    ) -> Result<Vec<TransitionListEntry>, StoreError> {
        let notice = self.standards.transition_notice_months;
        // For each upper age in use, the latest birth date that can be on the list today
        // (a week later than exact, for month-end and 29 February rounding; the check below
        // is exact). Only people born by then are read, found by date of birth.
        let ages = sqlx::query("SELECT DISTINCT age_to FROM services")
            .fetch_all(&self.pool)
            .await?;
        let mut conditions = Vec::new();
        let mut binds: Vec<(i64, String)> = Vec::new();
        let mut latest: Option<Date> = None;
        for row in &ages {
            let age_to: i64 = row.try_get("age_to")?;
            let born_by = today
                .checked_add(jiff::Span::new().months(i64::from(notice)).days(7))
                .and_then(|d| d.checked_sub(jiff::Span::new().years(age_to + 1)))
                .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            latest = latest.max(Some(born_by));
            let base = 2 + 2 * binds.len();
            conditions.push(format!(
                "(s.age_to = ${} AND p.date_of_birth <= ${})",
                base,
                base + 1
            ));
            binds.push((age_to, born_by.to_string()));
        }
        let Some(latest) = latest else {
            return Ok(Vec::new());
        };
        let sql = format!(
            "SELECT a.id, a.referral_id, a.person_id, a.service_id, s.name, s.age_to, p.date_of_birth, r.need_group, \
             a.transition_planned_on, a.transition_to \
             FROM persons p JOIN allocations a ON a.person_id = p.id AND a.ended_at IS NULL \
             JOIN services s ON s.id = a.service_id JOIN referrals r ON r.id = a.referral_id \
             WHERE p.date_of_birth <= $1 AND ({})",
            conditions.join(" OR ")
        );
        let mut query = sqlx::query(&sql).bind(latest.to_string());
        for (age_to, born_by) in binds {
            query = query.bind(age_to).bind(born_by);
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut list = Vec::new();
        for row in &rows {
            let born: Date = date(&row.try_get::<String, _>("date_of_birth")?)?;
            let age_to: i64 = row.try_get("age_to")?;
            let due = transition_due(born, age_to as i16, notice);
            if today >= due.review_from {
                list.push(TransitionListEntry {
                    allocation_id: AllocationId(uuid(&row.try_get::<String, _>("id")?)?),
                    referral_id: ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?),
                    person_id: PersonId(uuid(&row.try_get::<String, _>("person_id")?)?),
                    service_id: ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?),
                    service_name: row.try_get("name")?,
                    need_group: row.try_get("need_group")?,
                    due,
                    planned_on: row
                        .try_get::<Option<String>, _>("transition_planned_on")?
                        .map(|d| date(&d))
                        .transpose()?,
                    planned_to: row.try_get("transition_to")?,
                });
            }
        }
        list.sort_by_key(|e| (e.due.leaves_service_on, e.allocation_id));
        Ok(list)
    }

    /// The CYP access measures (MHS95 and MHS69) for the 12 months ending `period_end`.
    pub async fn access_measures(&self, period_end: Date) -> Result<AccessMeasures, StoreError> {
        let end = period_end
            .checked_add(jiff::Span::new().days(1))
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .to_zoned(self.tz.clone())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .timestamp();
        let rows = sqlx::query(
            "SELECT c.person_id, c.at, p.date_of_birth FROM contacts c JOIN persons p ON p.id = c.person_id \
             WHERE c.counts_for_access = 1 AND c.at < $1",
        )
        .bind(ms(end))
        .fetch_all(&self.pool)
        .await?;
        let contacts = rows
            .iter()
            .map(|row| {
                Ok(CountedContact {
                    person_id: PersonId(uuid(&row.try_get::<String, _>("person_id")?)?),
                    date_of_birth: date(&row.try_get::<String, _>("date_of_birth")?)?,
                    on: ts(row.try_get("at")?)?.to_zoned(self.tz.clone()).date(),
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        Ok(access_measures(&contacts, period_end))
    }
}

impl Store {
    /// Every service's waits to a first attended contact (days from the clock start) for the
    /// allocations made there in the 12 months (365 days) up to now: the "usual wait" the
    /// public service page and the referral page's service choices show. Counted from the
    /// dashboard's inputs kept in memory (`dashboard::mirror`, brought up to the last change
    /// committed) and kept under the data version and the day (`versioned`), so a referral
    /// page does not read a year of allocations for each of the services it offers. A
    /// service with none seen has an empty distribution.
    ///
    /// `None` while another request is reading those inputs for the first time since the
    /// server started (about 15 s at a million referrals; `Store::warm_dashboard` starts it
    /// at start-up): the pages then say the usual wait is not yet known instead of making a
    /// clinician wait for it.
    pub async fn first_contact_waits(
        &self,
    ) -> Result<Option<Arc<HashMap<ServiceId, nwd_domain::waits::WaitDistribution>>>, StoreError>
    {
        let today = self.now().to_zoned(self.tz.clone()).date();
        let version = self.data_version().await?;
        if let Some(kept) = self.cached.first_waits.get(&today, version) {
            return Ok(Some(kept));
        }
        let now = self.now();
        let year_ago = now - jiff::SignedDuration::from_hours(24 * 365);
        let mut slot = match self.cached.mirror.try_lock() {
            Ok(slot) => slot,
            Err(_)
                if !self
                    .cached
                    .mirror_read
                    .load(std::sync::atomic::Ordering::Acquire) =>
            {
                return Ok(None)
            }
            Err(_) => self.cached.mirror.lock().await,
        };
        let at = crate::dashboard::mirror::refresh(&mut slot, self, version).await?;
        let Some(inputs) = slot.as_ref() else {
            return Err(StoreError::Corrupt(
                "the dashboard's inputs were not read".into(),
            ));
        };
        let waits = Arc::new(inputs.first_contact_waits(ms(year_ago), ms(now)));
        drop(slot);
        self.cached.first_waits.put(today, at, waits.clone());
        Ok(Some(waits))
    }

    /// Holds the dashboard's kept inputs as a request reading them does, until the returned
    /// guard is dropped: for tests of what must not wait for that read.
    #[cfg(feature = "testing")]
    pub async fn hold_dashboard_inputs(&self) -> Box<dyn Send + '_> {
        Box::new(self.cached.mirror.lock().await)
    }

    /// A service's waits for allocations made in `[from, to)`: the visible wait to first
    /// contact and the hidden ones (to triage, to second contact), with the share seen within
    /// the service's standard.
    pub async fn service_waits(
        &self,
        service_id: ServiceId,
        from: jiff::Timestamp,
        to: jiff::Timestamp,
    ) -> Result<nwd_domain::waits::ServiceWaits, StoreError> {
        use nwd_domain::waits::{days_waited, distribution, ServiceWaits};
        let (service, _) = self.service(service_id).await?;
        let rows = sqlx::query(
            "SELECT a.clock_start, a.origin, a.first_attended_at, a.second_attended_at, r.received_at, r.triaged_at, r.priority, r.source \
             FROM allocations a JOIN referrals r ON r.id = a.referral_id \
             WHERE a.service_id = $1 AND a.allocated_at >= $2 AND a.allocated_at < $3",
        )
        .bind(service_id.to_string())
        .bind(ms(from))
        .bind(ms(to))
        .fetch_all(&self.pool)
        .await?;
        let mut to_triage = Vec::new();
        let mut first = Vec::new();
        let mut second = Vec::new();
        let (mut still_waiting, mut with_standard, mut within) = (0u64, 0u64, 0u64);
        for row in &rows {
            let clock_start = ts(row.try_get("clock_start")?)?;
            let origin: String = row.try_get("origin")?;
            if origin == "triage" {
                if let Some(triaged) = row.try_get::<Option<i64>, _>("triaged_at")? {
                    let received: i64 = row.try_get("received_at")?;
                    to_triage.push((triaged - received) as f64 / 3_600_000.0);
                }
            }
            match row.try_get::<Option<i64>, _>("first_attended_at")? {
                None => still_waiting += 1,
                Some(seen) => {
                    let seen = ts(seen)?;
                    first.push(f64::from(days_waited(clock_start, seen, &self.tz)));
                    let priority = Priority::parse(&row.try_get::<String, _>("priority")?)
                        .map_err(StoreError::Corrupt)?;
                    let source = ReferralSource::parse(&row.try_get::<String, _>("source")?)
                        .map_err(StoreError::Corrupt)?;
                    if let Some(standard) =
                        nwd_domain::standards::select(&service.details.standards, priority, source)
                    {
                        with_standard += 1;
                        if seen <= standard.target.deadline(clock_start, &self.tz) {
                            within += 1;
                        }
                    }
                }
            }
            if let Some(second_at) = row.try_get::<Option<i64>, _>("second_attended_at")? {
                second.push(f64::from(days_waited(
                    clock_start,
                    ts(second_at)?,
                    &self.tz,
                )));
            }
        }
        Ok(ServiceWaits {
            allocations: rows.len() as u64,
            still_waiting,
            referral_to_triage_hours: distribution(to_triage),
            to_first_contact_days: distribution(first),
            to_second_contact_days: distribution(second),
            seen_within_standard_percent: (with_standard > 0)
                .then(|| 100.0 * within as f64 / with_standard as f64),
            seen_with_standard: with_standard,
            seen_within_standard: within,
        })
    }
}
