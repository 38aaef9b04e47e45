//! The commissioner dashboard's aggregates, month by month: referrals by source and by need
//! group, waits against standards, the CYP access measures (MHS95 and MHS69), step-ups and
//! step-downs, and what triage decided (allocated, signposted, other).
//!
//! Every figure here is an **exact** count. Small-number suppression
//! ([`nwd_domain::disclosure`]) is applied by the caller before anything is shown or
//! downloaded: the exact counts never leave the server.
//!
//! Months are calendar months in the area's time zone. Their boundaries are computed here and
//! bound as parameters into a `months (idx, lo, hi, at_end)` common table expression, so the
//! grouping is plain `>=`/`<` on the stored UTC milliseconds and the same SQL runs on SQLite
//! and PostgreSQL (no date functions, which differ between them). Two measures need a rule
//! per row and are finished here with the domain's functions, reading only the columns they
//! need and no ids: "seen within the standard" (a service's standard is chosen by priority and
//! source, and a days-target is calendar days in the area's time zone) and the access measures
//! (`nwd_domain::access`, which needs each person's counted contacts over 12 months).
//!
//! [`Store::compute_dashboard`] computes all of this in SQL from the record as it is.
//! [`Store::dashboard`] — what the pages and the API serve — counts the same rows from the
//! inputs kept in memory ([`mirror`]), which are brought up to date from the figure change
//! log on each new data version, reading only the referrals that changed; so the first
//! request after a change costs a few small queries and one pass over the kept inputs,
//! not a scan of two years of contacts.

pub(crate) mod mirror;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use nwd_domain::access::{access_measures_for_periods, AccessMeasures, CountedContact};
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::{PersonId, ServiceId};
use sqlx::Row;

use crate::codec::{date, ms, ts, uuid};
use crate::{Store, StoreError};

/// The longest period the dashboard reads at once (three years of months).
pub const MAX_MONTHS: u32 = 36;

/// Which months (and optionally which service) to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DashboardQuery {
    /// First month (any day in it).
    pub from: Date,
    /// Number of months, 1 to [`MAX_MONTHS`].
    pub months: u32,
    /// Only referrals with an allocation at this service (and its waits and contacts).
    pub service_id: Option<ServiceId>,
}

/// Exact monthly counts for the dashboard. Every `Vec` has one entry per month.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dashboard {
    /// First day of each month.
    pub months: Vec<Date>,
    /// Referrals (and advice requests) received, all sources.
    pub referrals: Vec<u64>,
    /// Referrals received by source of referral (API name), sources with none left out.
    pub referrals_by_source: BTreeMap<String, Vec<u64>>,
    /// Referrals received by need group agreed at triage (API name; `not_triaged` for
    /// referrals not triaged yet).
    pub referrals_by_need_group: BTreeMap<String, Vec<u64>>,
    /// Allocations first seen (first attended contact) in the month.
    pub seen: Vec<u64>,
    /// Of those, seen within their service's standard (those with a standard).
    pub seen_within_standard: Vec<u64>,
    /// Of those seen, how many had a standard to be measured against.
    pub seen_with_standard: Vec<u64>,
    /// Allocations waiting (not seen, not ended) at the end of the month, or now for the
    /// current month.
    pub waiting_at_end: Vec<u64>,
    /// The access measures for the 12 months ending on the month's last day.
    pub access: Vec<AccessMeasures>,
    /// Steps up (need group changed to more intensive help) recorded in the month.
    pub step_ups: Vec<u64>,
    /// Steps down.
    pub step_downs: Vec<u64>,
    /// Referrals triaged in the month.
    pub triaged: Vec<u64>,
    /// Of those, with an allocation made at triage.
    pub triaged_allocated: Vec<u64>,
    /// Of those, signposted and not allocated.
    pub triaged_signposted: Vec<u64>,
    /// Uptake by group over the whole period, one entry per
    /// [`nwd_domain::about::UptakeGroup::ALL`] (see [`Uptake`]).
    pub uptake: Vec<Uptake>,
}

/// Uptake of one group (`nwd_domain::about::UptakeGroup`) over the dashboard's period: of
/// the referrals received in it (with a service filter, those with an allocation there),
/// whose young person's current "about" record puts them in the group (migration 0013;
/// a person with no record counts as "not recorded"), how many were received, how many
/// reached a service (at least one allocation; at the service when filtering), and how many
/// were seen (at least one of those allocations has a first attended contact).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Uptake {
    /// Referrals received.
    pub received: u64,
    /// Of those, allocated to a service.
    pub accepted: u64,
    /// Of those, seen.
    pub seen: u64,
}

/// The uptake groups of a stored "about" record (`None`: no record) as a bit set over
/// [`nwd_domain::about::UptakeGroup::ALL`] — the domain decides the groups.
pub(crate) fn uptake_mask(record: Option<&str>) -> Result<u32, StoreError> {
    let about: nwd_domain::about::AboutYoungPerson = match record {
        None => Default::default(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("person_about: {e}")))?,
    };
    Ok(about
        .uptake_groups()
        .iter()
        .fold(0u32, |mask, group| mask | (1 << group.index())))
}

/// Counts one referral into the uptake table: received, and accepted/seen as given.
pub(crate) fn count_uptake(uptake: &mut [Uptake], mask: u32, accepted: bool, seen: bool) {
    for (i, row) in uptake.iter_mut().enumerate() {
        if mask & (1 << i) != 0 {
            row.received += 1;
            row.accepted += u64::from(accepted);
            row.seen += u64::from(seen);
        }
    }
}

/// An uptake table of zeros.
pub(crate) fn empty_uptake() -> Vec<Uptake> {
    vec![Uptake::default(); nwd_domain::about::UptakeGroup::ALL.len()]
}

/// Month boundaries: `(first day, start instant, end instant)`.
fn month_bounds(
    store: &Store,
    query: &DashboardQuery,
) -> Result<Vec<(Date, Timestamp, Timestamp)>, StoreError> {
    if query.months == 0 || query.months > MAX_MONTHS {
        return Err(StoreError::Corrupt(format!(
            "months must be 1 to {MAX_MONTHS}, not {}",
            query.months
        )));
    }
    let first = query.from.first_of_month();
    let start_of = |day: Date| -> Result<Timestamp, StoreError> {
        Ok(day
            .to_zoned(store.tz.clone())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?
            .timestamp())
    };
    let mut bounds = Vec::with_capacity(query.months as usize);
    for i in 0..query.months {
        let day = first
            .checked_add(i64::from(i).months())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let next = day
            .checked_add(1.month())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        bounds.push((day, start_of(day)?, start_of(next)?));
    }
    Ok(bounds)
}

/// The `WITH months (idx, lo, hi, at_end) AS (…)` prefix and its parameters (`$1`…), where
/// `at_end` is the month's end or `now`, whichever is earlier.
fn months_cte(bounds: &[(Date, Timestamp, Timestamp)], now: Timestamp) -> (String, Vec<i64>) {
    let mut selects = Vec::new();
    let mut binds = Vec::new();
    for (i, (_, lo, hi)) in bounds.iter().enumerate() {
        let n = binds.len();
        selects.push(format!(
            "SELECT ${} AS idx, ${} AS lo, ${} AS hi, ${} AS at_end",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        ));
        binds.extend([i as i64, ms(*lo), ms(*hi), ms((*hi).min(now))]);
    }
    (
        format!(
            "WITH months (idx, lo, hi, at_end) AS ({}) ",
            selects.join(" UNION ALL ")
        ),
        binds,
    )
}

/// Counts the rows of `inner` (which selects `idx` and `k` after the months CTE; `$s` stands
/// for the service parameter, `$e1`… for `extra`) by `(idx, k)`. Grouping the outer query by
/// plain column names keeps the SQL the same on both databases.
async fn grouped(
    store: &Store,
    bounds: &[(Date, Timestamp, Timestamp)],
    service_id: Option<ServiceId>,
    sql: &str,
    extra: &[&str],
) -> Result<Vec<(usize, String, u64)>, StoreError> {
    let (cte, binds) = months_cte(bounds, store.now());
    let mut next = binds.len();
    let mut text = sql.to_owned();
    // `$e1`, `$e2`, … are the extra text parameters; `$s` the service.
    for i in (0..extra.len()).rev() {
        text = text.replace(&format!("$e{}", i + 1), &format!("${}", next + i + 1));
    }
    next += extra.len();
    text = text.replace("$s", &format!("${}", next + 1));
    let full = format!("{cte}SELECT idx, k, COUNT(*) AS n FROM ({text}) t GROUP BY idx, k");
    let mut query = sqlx::query(&full);
    for b in binds {
        query = query.bind(b);
    }
    for e in extra {
        query = query.bind(*e);
    }
    if let Some(service) = service_id {
        query = query.bind(service.to_string());
    }
    let rows = query.fetch_all(&store.pool).await?;
    rows.iter()
        .map(|row| {
            let idx: i64 = row.try_get("idx")?;
            let key: Option<String> = row.try_get("k")?;
            let n: i64 = row.try_get("n")?;
            Ok((
                idx.max(0) as usize,
                key.unwrap_or_default(),
                n.max(0) as u64,
            ))
        })
        .collect()
}

/// Spreads `(idx, key, n)` rows into one series per key.
fn by_key(rows: &[(usize, String, u64)], months: usize) -> BTreeMap<String, Vec<u64>> {
    let mut out: BTreeMap<String, Vec<u64>> = BTreeMap::new();
    for (idx, key, n) in rows {
        if *idx < months {
            out.entry(key.clone()).or_insert_with(|| vec![0; months])[*idx] += n;
        }
    }
    out
}

/// One series from rows whose key is ignored.
fn series(rows: &[(usize, String, u64)], months: usize) -> Vec<u64> {
    let mut out = vec![0; months];
    for (idx, _, n) in rows {
        if *idx < months {
            out[*idx] += n;
        }
    }
    out
}

impl Store {
    /// Reads the dashboard's inputs if this process has not yet (the whole record: about a
    /// second at 60,000 referrals), so that the first commissioner to open the dashboard
    /// does not wait for it. The server calls it in the background at start; afterwards
    /// each change costs only the referrals it touched.
    pub async fn warm_dashboard(&self) -> Result<(), StoreError> {
        let version = self.data_version().await?;
        let mut slot = self.cached.mirror.lock().await;
        mirror::refresh(&mut slot, self, version).await?;
        Ok(())
    }

    /// The dashboard's exact monthly counts (see the module documentation for definitions),
    /// kept under the data version (`versioned`): after a change, counted again from the
    /// kept inputs once they have read what changed ([`mirror`]). Always equal to
    /// [`Store::compute_dashboard`] at some version no older than the last change committed
    /// before the call.
    pub async fn dashboard(&self, query: &DashboardQuery) -> Result<Dashboard, StoreError> {
        let bounds = month_bounds(self, query)?;
        let version = self.data_version().await?;
        if let Some(kept) = self.cached.dashboard.get(query, version) {
            return Ok((*kept).clone());
        }
        let mut slot = self.cached.mirror.lock().await;
        // The inputs are brought to `version` at least (another request may have moved
        // them further while this one waited); a change committed meanwhile is read next
        // time.
        let at = mirror::refresh(&mut slot, self, version).await?;
        let Some(inputs) = slot.as_ref() else {
            return Err(StoreError::Corrupt(
                "the dashboard's inputs were not read".into(),
            ));
        };
        let dashboard = inputs.figures(&bounds, self.now(), query.service_id);
        drop(slot);
        self.cached
            .dashboard
            .put(*query, at, Arc::new(dashboard.clone()));
        Ok(dashboard)
    }

    /// The dashboard computed from the record now, never from what is kept (what
    /// [`Store::dashboard`] returns must always equal this).
    pub async fn compute_dashboard(&self, query: &DashboardQuery) -> Result<Dashboard, StoreError> {
        let bounds = month_bounds(self, query)?;
        let n = bounds.len();
        let service = query.service_id;
        // Referrals that had an allocation at the service, when filtering.
        let referral_filter = if service.is_some() {
            " AND EXISTS (SELECT 1 FROM allocations fa WHERE fa.referral_id = r.id AND fa.service_id = $s)"
        } else {
            ""
        };

        // Referrals received, by source and need group at once (one range scan).
        let received = grouped(
            self,
            &bounds,
            service,
            &format!(
                "SELECT m.idx AS idx, r.source || '|' || COALESCE(r.need_group, 'not_triaged') AS k FROM referrals r \
                 JOIN months m ON r.received_at >= m.lo AND r.received_at < m.hi \
                 WHERE 1 = 1{referral_filter}"
            ),
            &[],
        )
        .await?;
        let mut by_source = Vec::with_capacity(received.len());
        let mut by_need = Vec::with_capacity(received.len());
        for (idx, key, count) in received {
            let (source, need) = key.split_once('|').unwrap_or((key.as_str(), "not_triaged"));
            by_source.push((idx, source.to_owned(), count));
            by_need.push((idx, need.to_owned(), count));
        }

        let waiting = self.waiting_at_ends(&bounds, service).await?;

        let steps = grouped(
            self,
            &bounds,
            service,
            &format!(
                "SELECT m.idx AS idx, CASE WHEN e.payload LIKE $e1 THEN 'up' ELSE 'down' END AS k \
                 FROM referral_events e JOIN referrals r ON r.id = e.referral_id \
                 JOIN months m ON e.at >= m.lo AND e.at < m.hi \
                 WHERE e.event_type = 'need_group_changed'{referral_filter}"
            ),
            // The payload is the event as compact JSON; a free-text reason cannot contain
            // these unescaped quotes, so the match is exact.
            &["%\"direction\":\"up\"%"],
        )
        .await?;
        let steps = by_key(&steps, n);

        let triage = grouped(
            self,
            &bounds,
            service,
            &format!(
                "SELECT m.idx AS idx, \
                   CASE WHEN EXISTS (SELECT 1 FROM allocations a WHERE a.referral_id = r.id AND a.origin = 'triage') THEN 'allocated' \
                        WHEN EXISTS (SELECT 1 FROM referral_events e WHERE e.referral_id = r.id AND e.event_type = 'signposted') THEN 'signposted' \
                        ELSE 'other' END AS k \
                 FROM referrals r JOIN months m ON r.triaged_at >= m.lo AND r.triaged_at < m.hi \
                 WHERE 1 = 1{referral_filter}"
            ),
            &[],
        )
        .await?;
        let triage_by = by_key(&triage, n);

        let (seen, with_standard, within) = self.seen_against_standards(&bounds, service).await?;
        let access = self.monthly_access(&bounds, service).await?;
        let uptake = self.uptake(&bounds, service).await?;

        let zero = vec![0; n];
        Ok(Dashboard {
            months: bounds.iter().map(|b| b.0).collect(),
            referrals: series(&by_source, n),
            referrals_by_source: by_key(&by_source, n),
            referrals_by_need_group: by_key(&by_need, n),
            seen,
            seen_within_standard: within,
            seen_with_standard: with_standard,
            waiting_at_end: waiting,
            access,
            step_ups: steps.get("up").cloned().unwrap_or_else(|| zero.clone()),
            step_downs: steps.get("down").cloned().unwrap_or_else(|| zero.clone()),
            triaged: series(&triage, n),
            triaged_allocated: triage_by
                .get("allocated")
                .cloned()
                .unwrap_or_else(|| zero.clone()),
            triaged_signposted: triage_by
                .get("signposted")
                .cloned()
                .unwrap_or_else(|| zero.clone()),
            uptake,
        })
    }

    /// Uptake by group ([`Uptake`]): one row per referral received in the period, with its
    /// young person's "about" record; each distinct record is read into groups once.
    async fn uptake(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        service: Option<ServiceId>,
    ) -> Result<Vec<Uptake>, StoreError> {
        let mut uptake = empty_uptake();
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Ok(uptake);
        };
        let at_service = if service.is_some() {
            " AND a.service_id = $3"
        } else {
            ""
        };
        let sql = format!(
            "SELECT pa.record, \
               CASE WHEN EXISTS (SELECT 1 FROM allocations a WHERE a.referral_id = r.id{at_service}) THEN 1 ELSE 0 END AS accepted, \
               CASE WHEN EXISTS (SELECT 1 FROM allocations a WHERE a.referral_id = r.id AND a.first_attended_at IS NOT NULL{at_service}) THEN 1 ELSE 0 END AS seen \
             FROM referrals r LEFT JOIN person_about pa ON pa.person_id = r.person_id \
             WHERE r.received_at >= $1 AND r.received_at < $2{}",
            if service.is_some() {
                " AND EXISTS (SELECT 1 FROM allocations a WHERE a.referral_id = r.id AND a.service_id = $3)"
            } else {
                ""
            }
        );
        let mut q = sqlx::query(&sql).bind(ms(first.1)).bind(ms(last.2));
        if let Some(s) = service {
            q = q.bind(s.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut masks: HashMap<Option<String>, u32> = HashMap::new();
        for row in &rows {
            let record: Option<String> = row.try_get("record")?;
            let mask = match masks.get(&record) {
                Some(mask) => *mask,
                None => {
                    let mask = uptake_mask(record.as_deref())?;
                    masks.insert(record, mask);
                    mask
                }
            };
            count_uptake(
                &mut uptake,
                mask,
                row.try_get::<i64, _>("accepted")? == 1,
                row.try_get::<i64, _>("seen")? == 1,
            );
        }
        Ok(uptake)
    }

    /// Allocations first seen in each month: how many, how many had a standard, how many met
    /// it. Reads (service, priority, source, clock start, first seen) — no ids.
    async fn seen_against_standards(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        service: Option<ServiceId>,
    ) -> Result<(Vec<u64>, Vec<u64>, Vec<u64>), StoreError> {
        let n = bounds.len();
        let (mut seen, mut with_standard, mut within) = (vec![0; n], vec![0; n], vec![0; n]);
        let (Some(first), Some(last)) = (bounds.first(), bounds.last()) else {
            return Ok((seen, with_standard, within));
        };
        let mut sql = String::from(
            "SELECT a.service_id, r.priority, r.source, a.clock_start, a.first_attended_at \
             FROM allocations a JOIN referrals r ON r.id = a.referral_id \
             WHERE a.first_attended_at >= $1 AND a.first_attended_at < $2",
        );
        if service.is_some() {
            sql.push_str(" AND a.service_id = $3");
        }
        let mut q = sqlx::query(&sql).bind(ms(first.1)).bind(ms(last.2));
        if let Some(s) = service {
            q = q.bind(s.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut standards: HashMap<String, Vec<nwd_domain::standards::WaitStandard>> =
            HashMap::new();
        for row in &rows {
            let service_id: String = row.try_get("service_id")?;
            if !standards.contains_key(&service_id) {
                let (svc, _) = self.service(ServiceId(uuid(&service_id)?)).await?;
                standards.insert(service_id.clone(), svc.details.standards);
            }
            let seen_at = ts(row.try_get("first_attended_at")?)?;
            let Some(idx) = bounds
                .iter()
                .position(|(_, lo, hi)| seen_at >= *lo && seen_at < *hi)
            else {
                continue;
            };
            seen[idx] += 1;
            let priority = Priority::parse(&row.try_get::<String, _>("priority")?)
                .map_err(StoreError::Corrupt)?;
            let source = ReferralSource::parse(&row.try_get::<String, _>("source")?)
                .map_err(StoreError::Corrupt)?;
            let list = standards.get(&service_id).map(Vec::as_slice).unwrap_or(&[]);
            if let Some(standard) = nwd_domain::standards::select(list, priority, source) {
                with_standard[idx] += 1;
                let clock_start = ts(row.try_get("clock_start")?)?;
                if seen_at <= standard.target.deadline(clock_start, &self.tz) {
                    within[idx] += 1;
                }
            }
        }
        Ok((seen, with_standard, within))
    }

    /// Allocations waiting (allocated, not yet seen, not ended) at the end of each month, or
    /// now for the current month: one scan, one count per month.
    async fn waiting_at_ends(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        service: Option<ServiceId>,
    ) -> Result<Vec<u64>, StoreError> {
        let now = self.now();
        let ends: Vec<i64> = bounds.iter().map(|(_, _, hi)| ms((*hi).min(now))).collect();
        let (Some(first), Some(last)) = (ends.first(), ends.last()) else {
            return Ok(Vec::new());
        };
        // Waiting at instant $k: allocated before it, and neither seen nor ended before it.
        let waiting_at = |p: usize| {
            format!(
                "a.allocated_at < ${p} AND (a.first_attended_at IS NULL OR a.first_attended_at >= ${p}) \
                 AND (a.ended_at IS NULL OR a.ended_at >= ${p})"
            )
        };
        let counts: Vec<String> = (0..ends.len())
            .map(|i| format!("COUNT(CASE WHEN {} THEN 1 END) AS w{i}", waiting_at(i + 1)))
            .collect();
        let first_p = ends.len() + 1;
        let last_p = ends.len() + 2;
        let mut sql = format!(
            "SELECT {} FROM allocations a WHERE a.allocated_at < ${last_p} \
             AND (a.first_attended_at IS NULL OR a.first_attended_at >= ${first_p}) \
             AND (a.ended_at IS NULL OR a.ended_at >= ${first_p})",
            counts.join(", ")
        );
        if service.is_some() {
            sql.push_str(&format!(" AND a.service_id = ${}", ends.len() + 3));
        }
        let mut q = sqlx::query(&sql);
        for end in &ends {
            q = q.bind(*end);
        }
        q = q.bind(*first).bind(*last);
        if let Some(s) = service {
            q = q.bind(s.to_string());
        }
        let row = q.fetch_one(&self.pool).await?;
        (0..ends.len())
            .map(|i| Ok(row.try_get::<i64, _>(format!("w{i}").as_str())?.max(0) as u64))
            .collect()
    }

    /// MHS95 and MHS69 for the 12 months ending on each month's last day, from the counted
    /// contacts (read once, in time order) in one sweep
    /// ([`nwd_domain::access::access_measures_for_periods`]).
    async fn monthly_access(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        service: Option<ServiceId>,
    ) -> Result<Vec<AccessMeasures>, StoreError> {
        let Some(last) = bounds.last() else {
            return Ok(Vec::new());
        };
        let mut sql = String::from(
            "SELECT c.person_id, c.at, p.date_of_birth FROM contacts c JOIN persons p ON p.id = c.person_id \
             WHERE c.counts_for_access = 1 AND c.at < $1",
        );
        if service.is_some() {
            sql.push_str(" AND c.service_id = $2");
        }
        sql.push_str(" ORDER BY c.at");
        let mut q = sqlx::query(&sql).bind(ms(last.2));
        if let Some(s) = service {
            q = q.bind(s.to_string());
        }
        let rows = q.fetch_all(&self.pool).await?;
        // Contacts come in time order: the local date changes only at a day boundary, so the
        // time zone is consulted once per day rather than once per contact.
        let mut day: Option<(i64, i64, Date)> = None;
        let mut births: HashMap<String, Date> = HashMap::new();
        let mut contacts = Vec::with_capacity(rows.len());
        for row in &rows {
            let at: i64 = row.try_get("at")?;
            let on = match day {
                Some((from, to, on)) if at >= from && at < to => on,
                _ => {
                    let zoned = ts(at)?.to_zoned(self.tz.clone());
                    let on = zoned.date();
                    let start = zoned
                        .start_of_day()
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    let next = start
                        .tomorrow()
                        .and_then(|d| d.start_of_day())
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                    day = Some((ms(start.timestamp()), ms(next.timestamp()), on));
                    on
                }
            };
            let born: String = row.try_get("date_of_birth")?;
            let date_of_birth = match births.get(&born) {
                Some(d) => *d,
                None => {
                    let d = date(&born)?;
                    births.insert(born, d);
                    d
                }
            };
            contacts.push(CountedContact {
                person_id: PersonId(uuid(&row.try_get::<String, _>("person_id")?)?),
                date_of_birth,
                on,
            });
        }
        let ends: Vec<Date> = bounds
            .iter()
            .map(|(first, _, _)| first.last_of_month())
            .collect();
        Ok(access_measures_for_periods(&contacts, &ends))
    }
}
