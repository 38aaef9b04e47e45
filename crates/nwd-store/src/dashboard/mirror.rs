//! The dashboard's inputs kept in memory, so that its first request after a change reads
//! only what changed.
//!
//! [`Mirror`] holds, per referral, the few columns the dashboard counts: when it was
//! received, its source and need group, when it was triaged and with what outcome, its
//! allocations (with "seen within the standard" decided once, when the allocation is read),
//! its steps, and its counted contacts — the contacts also by person, in date order, with
//! each person's date of birth, ready for the access measures. On a new data version it
//! reads the figure change log (`versioned.rs`, migration 0010) for the referrals changed
//! since the version it holds and reads those referrals' rows again (deleted ones are
//! dropped); services whose version moved have their standards read again. It reads
//! everything on first use, and again when more referrals changed than reading them one by
//! one would repay. A change committed while it reads is stamped with a later version and
//! read again next time, so what it holds is never older than the version it claims.
//!
//! [`Mirror::figures`] then counts exactly what `Store::compute_dashboard` counts in SQL
//! (the same month bounds, the same filters, the same domain functions for standards and the
//! access measures); the store's tests compare the two after random sequences of writes.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::access::{access_measures_for_periods, CountedContact};
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::standards::WaitStandard;
use nwd_domain::{PersonId, ReferralId, ServiceId};
use sqlx::any::AnyRow;
use sqlx::Row;

use super::Dashboard;
use crate::codec::{date, ms, ts, uuid};
use crate::{Store, StoreError};

/// Above this many changed referrals, everything is read again instead (one scan per table
/// is cheaper than thousands of look-ups by id).
const READ_ALL_ABOVE: usize = 2_000;

/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

/// The step events' payload pattern for "up" (as in `compute_dashboard`).
const STEP_UP: &str = "%\"direction\":\"up\"%";

/// One allocation, as the dashboard counts it.
struct Allocation {
    service: ServiceId,
    /// Made at triage (`origin = 'triage'`).
    at_triage: bool,
    clock_start: i64,
    allocated_at: i64,
    first_attended_at: Option<i64>,
    ended_at: Option<i64>,
    /// For an allocation seen: `Some(within)` when its service has a standard for the
    /// referral's priority and source, `None` when it has none (or it was not seen).
    verdict: Option<bool>,
}

/// One referral's inputs.
struct Entry {
    /// Interned source text (`referrals.source`).
    source: u32,
    /// Interned need group text (`COALESCE(need_group, 'not_triaged')`).
    need: u32,
    priority: Priority,
    source_code: ReferralSource,
    received_at: i64,
    triaged_at: Option<i64>,
    allocations: Vec<Allocation>,
    /// Need-group changes: instant and whether up.
    steps: Vec<(i64, bool)>,
    signposted: bool,
    /// The people its counted contacts were filed under in [`Mirror::persons`].
    contact_persons: Vec<PersonId>,
}

/// One counted contact, filed under its person.
struct Counted {
    on: Date,
    service: ServiceId,
    referral: ReferralId,
}

/// The dashboard's inputs at (at least) one data version. See the module documentation.
pub(crate) struct Mirror {
    version: i64,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    /// Each service's version and standards.
    services: HashMap<ServiceId, (i64, Vec<WaitStandard>)>,
    births: HashMap<PersonId, Date>,
    referrals: HashMap<ReferralId, Entry>,
    /// Counted contacts by person, in date order.
    persons: BTreeMap<PersonId, Vec<Counted>>,
}

/// Brings `slot` up to the current data version (reading everything if it is empty) and
/// returns that version. On an error the slot is left empty, so the next call reads
/// everything again.
pub(crate) async fn refresh(slot: &mut Option<Mirror>, store: &Store) -> Result<i64, StoreError> {
    let version = store.data_version().await?;
    let mirror = match slot.take() {
        Some(m) if m.version == version => m,
        Some(mut m) => {
            m.catch_up(store, version).await?;
            m
        }
        None => Mirror::read_all(store, version).await?,
    };
    *slot = Some(mirror);
    Ok(version)
}

impl Mirror {
    fn empty(version: i64) -> Mirror {
        Mirror {
            version,
            keys: Vec::new(),
            key_index: HashMap::new(),
            services: HashMap::new(),
            births: HashMap::new(),
            referrals: HashMap::new(),
            persons: BTreeMap::new(),
        }
    }

    /// Everything, at `version` (read before).
    async fn read_all(store: &Store, version: i64) -> Result<Mirror, StoreError> {
        let mut mirror = Mirror::empty(version);
        mirror.read_services(store).await?;
        mirror.read_referrals(store, None).await?;
        Ok(mirror)
    }

    /// What changed since `self.version`, up to at least `version` (read before).
    async fn catch_up(&mut self, store: &Store, version: i64) -> Result<(), StoreError> {
        // No upper bound: a change stamped after `version` is read now and again next time.
        let rows = sqlx::query("SELECT referral_id FROM figure_changes WHERE version > $1")
            .bind(self.version)
            .fetch_all(&store.pool)
            .await?;
        if rows.len() > READ_ALL_ABOVE {
            *self = Mirror::read_all(store, version).await?;
            return Ok(());
        }
        let ids = rows
            .iter()
            .map(|row| row.try_get::<String, _>("referral_id"))
            .collect::<Result<Vec<_>, _>>()?;
        let changed_services = self.read_services(store).await?;
        if !ids.is_empty() {
            for id in &ids {
                self.remove(ReferralId(uuid(id)?));
            }
            self.read_referrals(store, Some(&ids)).await?;
        }
        if !changed_services.is_empty() {
            self.decide_verdicts(store, |a| changed_services.contains(&a.service));
        }
        self.version = version;
        Ok(())
    }

    fn intern(&mut self, key: &str) -> u32 {
        if let Some(i) = self.key_index.get(key) {
            return *i;
        }
        let i = self.keys.len() as u32;
        self.keys.push(key.to_owned());
        self.key_index.insert(key.to_owned(), i);
        i
    }

    /// Reads the services whose version moved (or that are new); returns their ids.
    async fn read_services(&mut self, store: &Store) -> Result<HashSet<ServiceId>, StoreError> {
        let rows = sqlx::query("SELECT id, version FROM services")
            .fetch_all(&store.pool)
            .await?;
        let mut changed = HashSet::new();
        for row in &rows {
            let id = ServiceId(uuid(&row.try_get::<String, _>("id")?)?);
            let version: i64 = row.try_get("version")?;
            if self.services.get(&id).map(|s| s.0) != Some(version) {
                let (service, _) = store.service(id).await?;
                self.services
                    .insert(id, (version, service.details.standards));
                changed.insert(id);
            }
        }
        Ok(changed)
    }

    /// Forgets a referral and its contacts.
    fn remove(&mut self, id: ReferralId) {
        let Some(entry) = self.referrals.remove(&id) else {
            return;
        };
        let mut persons = entry.contact_persons;
        persons.sort_unstable();
        persons.dedup();
        for person in persons {
            if let Some(list) = self.persons.get_mut(&person) {
                list.retain(|c| c.referral != id);
                if list.is_empty() {
                    self.persons.remove(&person);
                }
            }
        }
    }

    /// Reads the referrals with these ids (all when `None`) with their allocations, events
    /// and counted contacts, and files them. None of them may be held already.
    async fn read_referrals(
        &mut self,
        store: &Store,
        ids: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let mut fresh: HashSet<ReferralId> = HashSet::new();
        for row in select(
            store,
            "SELECT id, source, priority, need_group, received_at, triaged_at FROM referrals WHERE 1 = 1",
            &[],
            "id",
            ids,
        )
        .await?
        {
            let id = ReferralId(uuid(&row.try_get::<String, _>("id")?)?);
            let source_text: String = row.try_get("source")?;
            let need_text = row
                .try_get::<Option<String>, _>("need_group")?
                .unwrap_or_else(|| "not_triaged".to_owned());
            let priority = Priority::parse(&row.try_get::<String, _>("priority")?)
                .map_err(StoreError::Corrupt)?;
            let source_code = ReferralSource::parse(&source_text).map_err(StoreError::Corrupt)?;
            let entry = Entry {
                source: self.intern(&source_text),
                need: self.intern(&need_text),
                priority,
                source_code,
                received_at: row.try_get("received_at")?,
                triaged_at: row.try_get("triaged_at")?,
                allocations: Vec::new(),
                steps: Vec::new(),
                signposted: false,
                contact_persons: Vec::new(),
            };
            self.referrals.insert(id, entry);
            fresh.insert(id);
        }

        // Allocations, and their ids for the contacts.
        let mut allocation_ids = Vec::new();
        for row in select(
            store,
            "SELECT id, referral_id, service_id, origin, clock_start, allocated_at, first_attended_at, ended_at \
             FROM allocations WHERE 1 = 1",
            &[],
            "referral_id",
            ids,
        )
        .await?
        {
            let referral = ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?);
            // A referral created after its own rows were read: read next time.
            let Some(entry) = self.referrals.get_mut(&referral).filter(|_| fresh.contains(&referral))
            else {
                continue;
            };
            if ids.is_some() {
                allocation_ids.push(row.try_get::<String, _>("id")?);
            }
            entry.allocations.push(Allocation {
                service: ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?),
                at_triage: row.try_get::<String, _>("origin")? == "triage",
                clock_start: row.try_get("clock_start")?,
                allocated_at: row.try_get("allocated_at")?,
                first_attended_at: row.try_get("first_attended_at")?,
                ended_at: row.try_get("ended_at")?,
                verdict: None,
            });
        }

        // Steps and signposting.
        for row in select(
            store,
            "SELECT referral_id, event_type, CASE WHEN payload LIKE $1 THEN 1 ELSE 0 END AS up, at \
             FROM referral_events WHERE event_type = 'need_group_changed'",
            &[STEP_UP],
            "referral_id",
            ids,
        )
        .await?
        {
            let referral = ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?);
            if let Some(entry) = self.referrals.get_mut(&referral).filter(|_| fresh.contains(&referral)) {
                entry
                    .steps
                    .push((row.try_get("at")?, row.try_get::<i64, _>("up")? == 1));
            }
        }
        for row in select(
            store,
            "SELECT DISTINCT referral_id FROM referral_events WHERE event_type = 'signposted'",
            &[],
            "referral_id",
            ids,
        )
        .await?
        {
            let referral = ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?);
            if let Some(entry) = self
                .referrals
                .get_mut(&referral)
                .filter(|_| fresh.contains(&referral))
            {
                entry.signposted = true;
            }
        }

        // Counted contacts, by allocation when reading some referrals (the index there).
        let contact_sql = "SELECT referral_id, person_id, service_id, at FROM contacts WHERE counts_for_access = 1";
        let contacts = match ids {
            None => select(store, contact_sql, &[], "allocation_id", None).await?,
            Some(_) if allocation_ids.is_empty() => Vec::new(),
            Some(_) => {
                select(
                    store,
                    contact_sql,
                    &[],
                    "allocation_id",
                    Some(&allocation_ids),
                )
                .await?
            }
        };
        let mut days = LocalDays::default();
        let mut unknown_births: Vec<String> = Vec::new();
        let mut filed = Vec::with_capacity(contacts.len());
        for row in &contacts {
            let referral = ReferralId(uuid(&row.try_get::<String, _>("referral_id")?)?);
            if !fresh.contains(&referral) {
                continue;
            }
            let person_text: String = row.try_get("person_id")?;
            let person = PersonId(uuid(&person_text)?);
            if !self.births.contains_key(&person) && ids.is_some() {
                unknown_births.push(person_text);
            }
            let on = days.date(store, row.try_get("at")?)?;
            let service = ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?);
            filed.push((person, referral, on, service));
        }
        // Dates of birth: all at once on a full read, else only the people not seen before
        // (a date of birth is never changed, only removed with the person).
        let births = match ids {
            None => {
                select(
                    store,
                    "SELECT id, date_of_birth FROM persons WHERE 1 = 1",
                    &[],
                    "id",
                    None,
                )
                .await?
            }
            Some(_) => {
                unknown_births.sort_unstable();
                unknown_births.dedup();
                if unknown_births.is_empty() {
                    Vec::new()
                } else {
                    select(
                        store,
                        "SELECT id, date_of_birth FROM persons WHERE 1 = 1",
                        &[],
                        "id",
                        Some(&unknown_births),
                    )
                    .await?
                }
            }
        };
        for row in &births {
            let person = PersonId(uuid(&row.try_get::<String, _>("id")?)?);
            self.births
                .insert(person, date(&row.try_get::<String, _>("date_of_birth")?)?);
        }
        for (person, referral, on, service) in filed {
            if let Some(entry) = self.referrals.get_mut(&referral) {
                entry.contact_persons.push(person);
            }
            let list = self.persons.entry(person).or_default();
            let at = list.partition_point(|c| c.on <= on);
            list.insert(
                at,
                Counted {
                    on,
                    service,
                    referral,
                },
            );
        }

        self.decide_verdicts(store, |_| true);
        Ok(())
    }

    /// Decides "seen within the standard" for the allocations `which` selects (when read,
    /// and for every allocation at a service whose standards changed).
    fn decide_verdicts(&mut self, store: &Store, which: impl Fn(&Allocation) -> bool) {
        let services = &self.services;
        for entry in self.referrals.values_mut() {
            for allocation in entry.allocations.iter_mut().filter(|a| which(a)) {
                allocation.verdict = allocation.first_attended_at.and_then(|seen| {
                    let list = services
                        .get(&allocation.service)
                        .map(|s| s.1.as_slice())
                        .unwrap_or(&[]);
                    let standard =
                        nwd_domain::standards::select(list, entry.priority, entry.source_code)?;
                    let start = ts(allocation.clock_start).ok()?;
                    let seen = ts(seen).ok()?;
                    Some(seen <= standard.target.deadline(start, &store.tz))
                });
            }
        }
    }

    /// The dashboard for these month bounds (see `compute_dashboard` for each figure's
    /// definition; this counts the same rows).
    pub(crate) fn figures(
        &self,
        bounds: &[(Date, Timestamp, Timestamp)],
        now: Timestamp,
        service: Option<ServiceId>,
    ) -> Dashboard {
        let n = bounds.len();
        let los: Vec<i64> = bounds.iter().map(|b| ms(b.1)).collect();
        let his: Vec<i64> = bounds.iter().map(|b| ms(b.2)).collect();
        // The month an instant falls in (months are contiguous and ascending).
        let month_of = |at: i64| -> Option<usize> {
            let i = los.partition_point(|lo| *lo <= at).checked_sub(1)?;
            (at < his[i]).then_some(i)
        };
        let ends: Vec<i64> = bounds.iter().map(|b| ms(b.2.min(now))).collect();
        let keys = self.keys.len();
        let mut by_source = vec![vec![0u64; n]; keys];
        let mut by_need = vec![vec![0u64; n]; keys];
        let mut waiting = vec![0u64; n];
        let (mut ups, mut downs) = (vec![0u64; n], vec![0u64; n]);
        let (mut triaged, mut allocated, mut signposted) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        let (mut seen, mut with_standard, mut within) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);

        for entry in self.referrals.values() {
            // Allocations filter by their own service; the rest by "had an allocation there".
            for a in entry
                .allocations
                .iter()
                .filter(|a| service.is_none_or(|s| a.service == s))
            {
                for (i, end) in ends.iter().enumerate() {
                    if a.allocated_at < *end
                        && a.first_attended_at.is_none_or(|f| f >= *end)
                        && a.ended_at.is_none_or(|e| e >= *end)
                    {
                        waiting[i] += 1;
                    }
                }
                if let Some(i) = a.first_attended_at.and_then(month_of) {
                    seen[i] += 1;
                    if let Some(met) = a.verdict {
                        with_standard[i] += 1;
                        if met {
                            within[i] += 1;
                        }
                    }
                }
            }
            if let Some(s) = service {
                if !entry.allocations.iter().any(|a| a.service == s) {
                    continue;
                }
            }
            if let Some(i) = month_of(entry.received_at) {
                by_source[entry.source as usize][i] += 1;
                by_need[entry.need as usize][i] += 1;
            }
            for (at, up) in &entry.steps {
                if let Some(i) = month_of(*at) {
                    if *up {
                        ups[i] += 1;
                    } else {
                        downs[i] += 1;
                    }
                }
            }
            if let Some(i) = entry.triaged_at.and_then(month_of) {
                triaged[i] += 1;
                if entry.allocations.iter().any(|a| a.at_triage) {
                    allocated[i] += 1;
                } else if entry.signposted {
                    signposted[i] += 1;
                }
            }
        }

        let spread = |counts: Vec<Vec<u64>>| -> BTreeMap<String, Vec<u64>> {
            counts
                .into_iter()
                .enumerate()
                .filter(|(_, series)| series.iter().any(|c| *c > 0))
                .map(|(k, series)| (self.keys[k].clone(), series))
                .collect()
        };
        let referrals_by_source = spread(by_source);
        let mut referrals = vec![0u64; n];
        for series in referrals_by_source.values() {
            for (total, count) in referrals.iter_mut().zip(series) {
                *total += count;
            }
        }

        // The access measures: every counted contact up to the last month's end, by person in
        // date order (so the sweep's sort finds them sorted).
        let last_day = bounds.last().map(|b| b.0.last_of_month());
        let mut contacts = Vec::new();
        for (person, list) in &self.persons {
            let Some(born) = self.births.get(person) else {
                continue;
            };
            for c in list {
                if last_day.is_some_and(|last| c.on > last) {
                    break;
                }
                if service.is_none_or(|s| c.service == s) {
                    contacts.push(CountedContact {
                        person_id: *person,
                        date_of_birth: *born,
                        on: c.on,
                    });
                }
            }
        }
        let period_ends: Vec<Date> = bounds.iter().map(|b| b.0.last_of_month()).collect();
        let access = access_measures_for_periods(&contacts, &period_ends);

        Dashboard {
            months: bounds.iter().map(|b| b.0).collect(),
            referrals,
            referrals_by_source,
            referrals_by_need_group: spread(by_need),
            seen,
            seen_within_standard: within,
            seen_with_standard: with_standard,
            waiting_at_end: waiting,
            access,
            step_ups: ups,
            step_downs: downs,
            triaged,
            triaged_allocated: allocated,
            triaged_signposted: signposted,
        }
    }
}

/// Runs `sql` (which has a `WHERE`, and `$1`… for `fixed`) as it is when `ids` is `None`,
/// else once per chunk of ids with `AND {column} IN (…)`, and returns every row.
async fn select(
    store: &Store,
    sql: &str,
    fixed: &[&str],
    column: &str,
    ids: Option<&[String]>,
) -> Result<Vec<AnyRow>, StoreError> {
    let Some(ids) = ids else {
        let mut q = sqlx::query(sql);
        for f in fixed {
            q = q.bind(*f);
        }
        return Ok(q.fetch_all(&store.pool).await?);
    };
    let mut rows = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        let list: Vec<String> = (0..chunk.len())
            .map(|i| format!("${}", fixed.len() + i + 1))
            .collect();
        let text = format!("{sql} AND {column} IN ({})", list.join(", "));
        let mut q = sqlx::query(&text);
        for f in fixed {
            q = q.bind(*f);
        }
        for id in chunk {
            q = q.bind(id.as_str());
        }
        rows.extend(q.fetch_all(&store.pool).await?);
    }
    Ok(rows)
}

/// Local dates of instants, each day's bounds worked out once.
#[derive(Default)]
struct LocalDays {
    /// Day start (ms) → (next day's start, date).
    days: BTreeMap<i64, (i64, Date)>,
}

impl LocalDays {
    fn date(&mut self, store: &Store, at: i64) -> Result<Date, StoreError> {
        if let Some((_, (end, on))) = self.days.range(..=at).next_back() {
            if at < *end {
                return Ok(*on);
            }
        }
        let zoned = ts(at)?.to_zoned(store.tz.clone());
        let on = zoned.date();
        let start = zoned
            .start_of_day()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let next = start
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.days
            .insert(ms(start.timestamp()), (ms(next.timestamp()), on));
        Ok(on)
    }
}
