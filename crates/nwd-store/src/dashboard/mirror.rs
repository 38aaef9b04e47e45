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
//! [`Mirror::figures`] is the one definition of every dashboard figure (the month bounds,
//! the filters, the domain's function for standards, and the access measures' sweep of
//! `nwd_domain::access::access_measures_for_periods` over the counted contacts);
//! `Store::compute_dashboard` applies it to inputs read afresh, and the store's tests compare
//! that with the kept inputs after random sequences of writes.
//! Everything is kept in flat arrays (referrals by slot, allocations, and counted contacts
//! sorted by person and day) so that counting is a few linear passes.

use std::collections::{BTreeMap, HashMap, HashSet};

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use nwd_domain::access::AccessMeasures;
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

/// The step events' payload pattern for "up" (compact JSON: a free-text reason cannot hold these unescaped quotes).
const STEP_UP: &str = "%\"direction\":\"up\"%";

/// No service (a filter naming a service the mirror does not know matches nothing).
const NO_SERVICE: u32 = u32::MAX;

/// One allocation, as the dashboard counts it.
struct Allocation {
    /// Slot of its referral.
    referral: u32,
    /// Slot of its service.
    service: u32,
    clock_start: i64,
    allocated_at: i64,
    first_attended_at: Option<i64>,
    ended_at: Option<i64>,
    /// For an allocation seen: the days waited to it (`nwd_domain::waits::days_waited`, in
    /// the area's time zone), worked out once when the allocation is read.
    first_wait_days: Option<i32>,
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
    /// An allocation made at triage (`origin = 'triage'`).
    allocated_at_triage: bool,
    signposted: bool,
    /// Need-group changes: instant and whether up.
    steps: Vec<(i64, bool)>,
    /// The young person's uptake groups (`super::uptake_mask`) when the referral was read.
    uptake: u32,
}

/// One counted contact.
#[derive(Clone, Copy)]
struct Counted {
    /// Slot of its person.
    person: u32,
    /// Local date, as days since 1970-01-01.
    day: i32,
    /// Slot of its service.
    service: u32,
    /// Slot of its referral.
    referral: u32,
}

/// A service: id, version and standards.
struct ServiceEntry {
    version: i64,
    standards: Vec<WaitStandard>,
}

/// The dashboard's inputs at (at least) one data version. See the module documentation.
pub(crate) struct Mirror {
    version: i64,
    keys: Vec<String>,
    key_index: HashMap<String, u32>,
    services: Vec<ServiceEntry>,
    /// Each service slot's id.
    service_ids: Vec<ServiceId>,
    service_index: HashMap<ServiceId, u32>,
    /// Referrals by slot (`None`: a free slot).
    entries: Vec<Option<Entry>>,
    free: Vec<u32>,
    index: HashMap<ReferralId, u32>,
    allocations: Vec<Allocation>,
    /// Each person's 18th birthday (days since 1970-01-01) once their date of birth is read.
    eighteenth: Vec<Option<i32>>,
    person_index: HashMap<PersonId, u32>,
    /// Counted contacts, sorted by person and day.
    contacts: Vec<Counted>,
}

/// Brings `slot` up to `version` (the data version, read before) or newer, reading
/// everything if it is empty, and returns the version it is now at (at least `version`: a
/// request that waited for another's update finds it newer). On an error the slot is left
/// empty, so the next call reads everything again.
pub(crate) async fn refresh(
    slot: &mut Option<Mirror>,
    store: &Store,
    version: i64,
) -> Result<i64, StoreError> {
    let mirror = match slot.take() {
        Some(m) if m.version >= version => m,
        Some(mut m) => {
            m.catch_up(store, version).await?;
            m
        }
        None => Mirror::read_all(store, version).await?,
    };
    let at = mirror.version;
    *slot = Some(mirror);
    store
        .cached
        .mirror_read
        .store(true, std::sync::atomic::Ordering::Release);
    Ok(at)
}

impl Mirror {
    fn empty(version: i64) -> Mirror {
        Mirror {
            version,
            keys: Vec::new(),
            key_index: HashMap::new(),
            services: Vec::new(),
            service_ids: Vec::new(),
            service_index: HashMap::new(),
            entries: Vec::new(),
            free: Vec::new(),
            index: HashMap::new(),
            allocations: Vec::new(),
            eighteenth: Vec::new(),
            person_index: HashMap::new(),
            contacts: Vec::new(),
        }
    }

    /// Everything, at `version` (read before).
    pub(super) async fn read_all(store: &Store, version: i64) -> Result<Mirror, StoreError> {
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
            let mut removed = HashSet::new();
            for id in &ids {
                if let Some(slot) = self.index.remove(&ReferralId(uuid(id)?)) {
                    self.entries[slot as usize] = None;
                    self.free.push(slot);
                    removed.insert(slot);
                }
            }
            if !removed.is_empty() {
                self.allocations.retain(|a| !removed.contains(&a.referral));
                self.contacts.retain(|c| !removed.contains(&c.referral));
            }
            self.read_referrals(store, Some(&ids)).await?;
        }
        if !changed_services.is_empty() {
            let (entries, services) = (&self.entries, &self.services);
            for a in self
                .allocations
                .iter_mut()
                .filter(|a| changed_services.contains(&a.service))
            {
                if let Some(entry) = &entries[a.referral as usize] {
                    a.verdict = verdict(a, entry, services, store);
                }
            }
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

    /// The slot of a service, made (with no standards, read at the next update) if new.
    fn service_slot(&mut self, id: ServiceId) -> u32 {
        if let Some(slot) = self.service_index.get(&id) {
            return *slot;
        }
        let slot = self.services.len() as u32;
        self.services.push(ServiceEntry {
            version: -1,
            standards: Vec::new(),
        });
        self.service_ids.push(id);
        self.service_index.insert(id, slot);
        slot
    }

    /// The slot of a person, made if new.
    fn person_slot(&mut self, id: PersonId) -> u32 {
        if let Some(slot) = self.person_index.get(&id) {
            return *slot;
        }
        let slot = self.eighteenth.len() as u32;
        self.eighteenth.push(None);
        self.person_index.insert(id, slot);
        slot
    }

    /// Reads the services whose version moved (or that are new); returns their slots.
    async fn read_services(&mut self, store: &Store) -> Result<HashSet<u32>, StoreError> {
        let rows = sqlx::query("SELECT id, version FROM services")
            .fetch_all(&store.pool)
            .await?;
        let mut changed = HashSet::new();
        for row in &rows {
            let id = ServiceId(uuid(&row.try_get::<String, _>("id")?)?);
            let version: i64 = row.try_get("version")?;
            let slot = self.service_slot(id);
            if self.services[slot as usize].version != version {
                let (service, _) = store.service(id).await?;
                self.services[slot as usize] = ServiceEntry {
                    version,
                    standards: service.details.standards,
                };
                changed.insert(slot);
            }
        }
        Ok(changed)
    }

    /// Reads the referrals with these ids (all when `None`) with their allocations, events
    /// and counted contacts, and files them. None of them may be held already.
    async fn read_referrals(
        &mut self,
        store: &Store,
        ids: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let mut fresh: HashSet<u32> = HashSet::new();
        let mut masks: HashMap<Option<String>, u32> = HashMap::new();
        for row in select(
            store,
            "SELECT id, source, priority, need_group, received_at, triaged_at, pa.record \
             FROM referrals r LEFT JOIN person_about pa ON pa.person_id = r.person_id WHERE 1 = 1",
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
            let record: Option<String> = row.try_get("record")?;
            let uptake = match masks.get(&record) {
                Some(mask) => *mask,
                None => {
                    let mask = super::uptake_mask(record.as_deref())?;
                    masks.insert(record, mask);
                    mask
                }
            };
            let entry = Entry {
                uptake,
                source: self.intern(&source_text),
                need: self.intern(&need_text),
                priority,
                source_code,
                received_at: row.try_get("received_at")?,
                triaged_at: row.try_get("triaged_at")?,
                allocated_at_triage: false,
                signposted: false,
                steps: Vec::new(),
            };
            let slot = match self.free.pop() {
                Some(slot) => {
                    self.entries[slot as usize] = Some(entry);
                    slot
                }
                None => {
                    self.entries.push(Some(entry));
                    (self.entries.len() - 1) as u32
                }
            };
            self.index.insert(id, slot);
            fresh.insert(slot);
        }
        // The slot of a referral read just now (rows of a referral created after its own
        // row was read are read next time, with it).
        let fresh_slot =
            |index: &HashMap<ReferralId, u32>, text: &str| -> Result<Option<u32>, StoreError> {
                let id = ReferralId(uuid(text)?);
                Ok(index.get(&id).copied().filter(|s| fresh.contains(s)))
            };

        // Allocations, and their ids for the contacts.
        let first_new = self.allocations.len();
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
            let Some(referral) =
                fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                continue;
            };
            if ids.is_some() {
                allocation_ids.push(row.try_get::<String, _>("id")?);
            }
            if row.try_get::<String, _>("origin")? == "triage" {
                if let Some(entry) = &mut self.entries[referral as usize] {
                    entry.allocated_at_triage = true;
                }
            }
            let service = self.service_slot(ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?));
            self.allocations.push(Allocation {
                referral,
                service,
                clock_start: row.try_get("clock_start")?,
                allocated_at: row.try_get("allocated_at")?,
                first_attended_at: row.try_get("first_attended_at")?,
                ended_at: row.try_get("ended_at")?,
                first_wait_days: None,
                verdict: None,
            });
        }
        {
            let (entries, services) = (&self.entries, &self.services);
            for a in &mut self.allocations[first_new..] {
                a.first_wait_days = first_wait_days(a, store);
                if let Some(entry) = &entries[a.referral as usize] {
                    a.verdict = verdict(a, entry, services, store);
                }
            }
        }

        // Steps and signposting: on a full read from their partial indexes, one query each;
        // for some referrals, one query by the referrals' keys.
        let events = match ids {
            None => {
                let mut rows = select(
                    store,
                    "SELECT referral_id, event_type, CASE WHEN payload LIKE $1 THEN 1 ELSE 0 END AS up, at \
                     FROM referral_events WHERE event_type = 'need_group_changed'",
                    &[STEP_UP],
                    "referral_id",
                    None,
                )
                .await?;
                rows.extend(
                    select(
                        store,
                        "SELECT DISTINCT referral_id, event_type, 0 AS up, 0 AS at FROM referral_events \
                         WHERE event_type = 'signposted'",
                        &[],
                        "referral_id",
                        None,
                    )
                    .await?,
                );
                rows
            }
            Some(_) => {
                select(
                    store,
                    "SELECT referral_id, event_type, CASE WHEN payload LIKE $1 THEN 1 ELSE 0 END AS up, at \
                     FROM referral_events WHERE event_type IN ('need_group_changed', 'signposted')",
                    &[STEP_UP],
                    "referral_id",
                    ids,
                )
                .await?
            }
        };
        for row in &events {
            let Some(slot) = fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                continue;
            };
            if let Some(entry) = &mut self.entries[slot as usize] {
                if row.try_get::<String, _>("event_type")? == "signposted" {
                    entry.signposted = true;
                } else {
                    entry
                        .steps
                        .push((row.try_get("at")?, row.try_get::<i64, _>("up")? == 1));
                }
            }
        }

        // Counted contacts, by allocation when reading some referrals (the index there).
        let contact_sql =
            "SELECT referral_id, person_id, service_id, at FROM contacts WHERE counts_for_access = 1";
        let rows = match ids {
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
        let mut added = Vec::with_capacity(rows.len());
        for row in &rows {
            let Some(referral) =
                fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                continue;
            };
            let person = self.person_slot(PersonId(uuid(&row.try_get::<String, _>("person_id")?)?));
            let service =
                self.service_slot(ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?));
            let day = day_number(days.date(store, row.try_get("at")?)?);
            added.push(Counted {
                person,
                day,
                service,
                referral,
            });
        }
        if added.len() > 64 {
            self.contacts.extend(added);
            self.contacts
                .sort_unstable_by_key(|c| (c.person, c.day, c.referral));
        } else {
            for c in added {
                let at = self
                    .contacts
                    .partition_point(|x| (x.person, x.day) <= (c.person, c.day));
                self.contacts.insert(at, c);
            }
        }

        // Dates of birth: all at once on a full read, else only for people not seen before
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
                let mut unknown: Vec<String> = self
                    .person_index
                    .iter()
                    .filter(|(_, slot)| self.eighteenth[**slot as usize].is_none())
                    .map(|(id, _)| id.to_string())
                    .collect();
                unknown.sort_unstable();
                if unknown.is_empty() {
                    Vec::new()
                } else {
                    select(
                        store,
                        "SELECT id, date_of_birth FROM persons WHERE 1 = 1",
                        &[],
                        "id",
                        Some(&unknown),
                    )
                    .await?
                }
            }
        };
        for row in &births {
            let person = PersonId(uuid(&row.try_get::<String, _>("id")?)?);
            if let Some(slot) = self.person_index.get(&person) {
                let born = date(&row.try_get::<String, _>("date_of_birth")?)?;
                self.eighteenth[*slot as usize] =
                    Some(day_number(nwd_domain::person::birthday(born, 18)));
            }
        }
        Ok(())
    }

    /// Each service's waits to a first attended contact, in days, for the allocations made
    /// in `[from, to)` (milliseconds) that have been seen: the "usual wait" the public
    /// service page and the referral page's service choices show. The same figure as
    /// `Store::service_waits`'s `to_first_contact_days` (the store's tests compare them).
    pub(crate) fn first_contact_waits(
        &self,
        from: i64,
        to: i64,
    ) -> HashMap<ServiceId, nwd_domain::waits::WaitDistribution> {
        let mut days: Vec<Vec<f64>> = vec![Vec::new(); self.service_ids.len()];
        for a in &self.allocations {
            if a.allocated_at >= from && a.allocated_at < to {
                if let Some(d) = a.first_wait_days {
                    days[a.service as usize].push(f64::from(d));
                }
            }
        }
        self.service_ids
            .iter()
            .zip(days)
            .map(|(id, days)| (*id, nwd_domain::waits::distribution(days)))
            .collect()
    }

    /// The dashboard for these month bounds: the one definition of each figure (each
    /// field of [`Dashboard`] says what it counts).
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
        let wanted = service.map(|s| self.service_index.get(&s).copied().unwrap_or(NO_SERVICE));

        let mut waiting = vec![0u64; n];
        let (mut seen, mut with_standard, mut within) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        // With a service: the referrals that had an allocation there.
        let mut had_service = vec![wanted.is_none(); self.entries.len()];
        // Reached a service / seen there (the uptake table's definitions).
        let mut reached = vec![false; self.entries.len()];
        let mut seen_at_all = vec![false; self.entries.len()];
        for a in &self.allocations {
            if wanted.is_some_and(|s| a.service != s) {
                continue;
            }
            had_service[a.referral as usize] = true;
            reached[a.referral as usize] = true;
            if a.first_attended_at.is_some() {
                seen_at_all[a.referral as usize] = true;
            }
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

        let keys = self.keys.len();
        let mut by_source = vec![vec![0u64; n]; keys];
        let mut by_need = vec![vec![0u64; n]; keys];
        let (mut ups, mut downs) = (vec![0u64; n], vec![0u64; n]);
        let (mut triaged, mut allocated, mut signposted) =
            (vec![0u64; n], vec![0u64; n], vec![0u64; n]);
        let mut uptake = super::empty_uptake();
        for (slot, entry) in self.entries.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if !had_service[slot] {
                continue;
            }
            if let Some(i) = month_of(entry.received_at) {
                by_source[entry.source as usize][i] += 1;
                by_need[entry.need as usize][i] += 1;
                super::count_uptake(&mut uptake, entry.uptake, reached[slot], seen_at_all[slot]);
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
                if entry.allocated_at_triage {
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

        let period_ends: Vec<Date> = bounds.iter().map(|b| b.0.last_of_month()).collect();
        let access = self.access(&period_ends, wanted);

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
            uptake,
        }
    }

    /// The access measures for these period ends (ascending), counting the contacts up to
    /// the last end (at `wanted` only, if given): the sweep of
    /// `nwd_domain::access::access_measures_for_periods` over contacts kept sorted by person
    /// and day, with "which periods contain this day" read from a table of the days the
    /// periods span.
    fn access(&self, period_ends: &[Date], wanted: Option<u32>) -> Vec<AccessMeasures> {
        let starts: Vec<Date> = period_ends.iter().map(|e| period_start(*e)).collect();
        let end_days: Vec<i32> = period_ends.iter().map(|d| day_number(*d)).collect();
        let start_days: Vec<i32> = starts.iter().map(|d| day_number(*d)).collect();
        let periods = period_ends.len();
        let (Some(&base), Some(&top)) = (start_days.iter().min(), end_days.last()) else {
            return Vec::new();
        };
        // The periods containing each day from `base` to `top`, as a half-open range.
        let table: Vec<(usize, usize)> = (base..=top)
            .map(|day| {
                let lo = end_days.partition_point(|end| *end < day);
                let hi = start_days.partition_point(|start| *start <= day);
                (lo, hi.max(lo))
            })
            .collect();
        let containing = |day: i32| -> (usize, usize) {
            if day < base {
                (0, 0)
            } else {
                table[(day - base) as usize]
            }
        };
        let mut one = vec![0i64; periods + 1];
        let mut two = vec![0i64; periods + 1];
        for person in self.contacts.chunk_by(|a, b| a.person == b.person) {
            // People whose date of birth is not (or no longer) there are not counted.
            let Some(eighteenth) = self.eighteenth[person[0].person as usize] else {
                continue;
            };
            let mut covered = 0;
            let mut first_two = [None, None];
            let mut taken = 0;
            for c in person {
                if c.day > top {
                    break;
                }
                if wanted.is_some_and(|s| c.service != s) {
                    continue;
                }
                if taken < 2 {
                    first_two[taken] = Some(c.day);
                    taken += 1;
                }
                if c.day < eighteenth {
                    // MHS95: the union of the runs of every under-18 contact.
                    let (lo, hi) = containing(c.day);
                    let from = lo.max(covered);
                    if from < hi {
                        one[from] += 1;
                        one[hi] -= 1;
                        covered = hi;
                    }
                } else if taken == 2 {
                    break;
                }
            }
            // MHS69: the first contact before 18, the second in the period.
            if let [Some(first), Some(second)] = first_two {
                if first < eighteenth {
                    let (lo, hi) = containing(second);
                    if lo < hi {
                        two[lo] += 1;
                        two[hi] -= 1;
                    }
                }
            }
        }
        let (mut mhs95, mut mhs69) = (0i64, 0i64);
        (0..periods)
            .map(|k| {
                mhs95 += one[k];
                mhs69 += two[k];
                AccessMeasures {
                    period_start: starts[k],
                    period_end: period_ends[k],
                    mhs95_one_contact: mhs95.max(0) as u64,
                    mhs69_two_contacts: mhs69.max(0) as u64,
                }
            })
            .collect()
    }
}

/// Whether a seen allocation met its service's standard (`None`: not seen, or no standard).
/// The days waited to an allocation's first attended contact, if it has one.
fn first_wait_days(a: &Allocation, store: &Store) -> Option<i32> {
    let seen = ts(a.first_attended_at?).ok()?;
    let start = ts(a.clock_start).ok()?;
    Some(nwd_domain::waits::days_waited(start, seen, &store.tz))
}

fn verdict(
    a: &Allocation,
    entry: &Entry,
    services: &[ServiceEntry],
    store: &Store,
) -> Option<bool> {
    let seen = a.first_attended_at?;
    let list = services
        .get(a.service as usize)
        .map(|s| s.standards.as_slice())
        .unwrap_or(&[]);
    let standard = nwd_domain::standards::select(list, entry.priority, entry.source_code)?;
    let start = ts(a.clock_start).ok()?;
    let seen = ts(seen).ok()?;
    Some(seen <= standard.target.deadline(start, &store.tz))
}

/// The first day of the rolling 12 months ending on `period_end`, as
/// `nwd_domain::access` defines it (12 months back, plus a day).
fn period_start(period_end: Date) -> Date {
    period_end
        .checked_sub(12.months())
        .and_then(|d| d.checked_add(1.day()))
        .unwrap_or(period_end)
}

/// Days since 1970-01-01 (the proleptic Gregorian calendar; increases with the date).
fn day_number(d: Date) -> i32 {
    // Howard Hinnant's days_from_civil.
    let (y, m, day) = (
        i32::from(d.year()),
        i32::from(d.month()),
        i32::from(d.day()),
    );
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
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
        // Not kept as a prepared statement: the text changes with the number of ids, and
        // every length kept would push others out of the connection's statement cache.
        let mut q = sqlx::query(&text).persistent(false);
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

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
mod tests {
    use super::*;
    use jiff::civil::date;

    /// Day numbers are consecutive across month and year ends and leap days, and 0 on
    /// 1970-01-01 (so ordering and differences equal the calendar's).
    #[test]
    fn day_numbers_follow_the_calendar() {
        assert_eq!(day_number(date(1970, 1, 1)), 0);
        assert_eq!(day_number(date(2000, 3, 1)), 11_017);
        let mut d = date(1999, 12, 1);
        let mut n = day_number(d);
        while d < date(2031, 3, 31) {
            let next = d.tomorrow().unwrap();
            assert_eq!(day_number(next), n + 1, "{next}");
            d = next;
            n += 1;
        }
    }

    /// The period start is the domain's: 12 months back plus a day (29 February 2024 for the
    /// period ending 28 February 2025).
    #[test]
    fn period_starts_match_the_domain() {
        use nwd_domain::access::access_measures;
        for end in [date(2025, 2, 28), date(2024, 2, 29), date(2025, 3, 31)] {
            assert_eq!(period_start(end), access_measures(&[], end).period_start);
        }
        assert_eq!(period_start(date(2025, 2, 28)), date(2024, 2, 29));
    }
}
