//! The dashboard's inputs kept in memory, so that its first request after a change reads
//! only what changed.
//!
//! [`Mirror`] holds, per referral, the few columns the dashboard counts: when it was
//! received, its source and need group, when it was triaged and with what outcome, its
//! young person's uptake groups and equality answers (four bytes), postcode district and age
//! on the day received, its allocations (with "seen within the standard" decided once, when
//! the allocation is read), its steps, and its counted contacts — the contacts also by person, in date order, with
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
//!
//! `read` reads the rows (services, and referrals whole or by id); `outcomes` replays the
//! closed referrals that have outcome measures and judges them once, as
//! `nwd_domain::outcome_figures` defines; `figures` counts from what is kept. `timeline`
//! files, for the payment and activity statements, one row per thing counted by service
//! and time (taken out and filed again with its referral on each update), and `activity`
//! counts a contract's or the whole system's periods from those rows alone; `need` counts the
//! need page's referrals received in a period (found from the same rows) by what is kept with
//! each. `Store::kept_inputs` is how every reader outside the dashboard gets them up to date.

use std::collections::{HashMap, HashSet};

use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::population::report::AboutFacts;
use nwd_domain::population::Area;
use nwd_domain::standards::WaitStandard;
use nwd_domain::{PersonId, ReferralId, ServiceId};
use sqlx::Row;

use super::Dashboard;
use crate::codec::uuid;
use crate::{Store, StoreError};

mod activity;
#[cfg(feature = "testing")]
mod activity_scan;
mod figures;
mod ledgers;
mod need;
mod outcomes;
mod read;
mod timeline;

use figures::verdict;

/// Above this many changed referrals, everything is read again instead (one scan per table
/// is cheaper than thousands of look-ups by id).
const READ_ALL_ABOVE: usize = 2_000;

/// Ids per `IN (…)` list.
const CHUNK: usize = 500;

/// The step events' payload pattern for "up" (compact JSON: a free-text reason cannot hold these unescaped quotes).
const STEP_UP: &str = "%\"direction\":\"up\"%";

/// No service (a filter naming a service the mirror does not know matches nothing).
const NO_SERVICE: u32 = u32::MAX;

/// No postcode district.
const NO_AREA: u32 = u32::MAX;

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
    /// When its first transition plan was made (`transition_planned` events).
    transition_planned_at: Option<i64>,
    /// What the young person's "about" record said when the referral was read: their uptake
    /// groups and the need page's answers (`super::about_facts`).
    about: AboutFacts,
    /// Their postcode district (an index into `Mirror::areas`; `NO_AREA`: no postcode).
    area: u32,
    /// At least one allocation with a first attended contact.
    seen: bool,
    /// When it was closed (`referrals.closed_at`).
    closed_at: Option<i64>,
    /// Attended direct contacts (read for closed referrals only).
    attended_direct: u32,
    /// Slot of its young person (`Mirror::person_slot`).
    person: u32,
    /// Its direct contacts' attendance (every referral, open or closed).
    booked: Vec<Booked>,
    /// Age in whole years when the referral was received (`None`: born after it, or no date
    /// of birth).
    age: Option<u8>,
    /// What its outcome measures show (`nwd_domain::outcome_figures::ReferralOutcome`,
    /// worked out when read; left empty for referrals not closed or without measures).
    outcome: nwd_domain::outcome_figures::ReferralOutcome,
}

/// One direct contact booked, for the attendance figures.
#[derive(Clone, Copy)]
struct Booked {
    /// When (milliseconds).
    at: i64,
    status: nwd_domain::codes::ContactStatus,
    /// Slot of its service (`NO_SERVICE` when no longer listed).
    service: u32,
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
    /// The area's time zone (the store's), in which the timelines' rows are worked out.
    tz: jiff::tz::TimeZone,
    /// The statements' rows by service and time (`timeline`).
    timelines: timeline::Timelines,
    /// The postcode districts of the referrals' young people, each once (`Entry::area`).
    areas: Vec<Area>,
    area_index: HashMap<Area, u32>,
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

impl Store {
    /// The kept inputs brought up to date — to the data version read now, or newer — and
    /// held (other readers of them wait) until the guard is dropped.
    pub(crate) async fn kept_inputs(
        &self,
    ) -> Result<tokio::sync::MappedMutexGuard<'_, Mirror>, StoreError> {
        let version = self.data_version().await?;
        let mut slot = self.cached.mirror.lock().await;
        refresh(&mut slot, self, version).await?;
        tokio::sync::MutexGuard::try_map(slot, Option::as_mut)
            .map_err(|_| StoreError::Corrupt("the dashboard's inputs were not read".into()))
    }
}

impl Mirror {
    fn empty(version: i64, tz: jiff::tz::TimeZone) -> Mirror {
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
            tz,
            timelines: timeline::Timelines::default(),
            areas: Vec::new(),
            area_index: HashMap::new(),
        }
    }

    /// Everything, at `version` (read before).
    pub(crate) async fn read_all(store: &Store, version: i64) -> Result<Mirror, StoreError> {
        let mut mirror = Mirror::empty(version, store.tz.clone());
        mirror.read_services(store).await?;
        mirror.read_referrals(store, None).await?;
        mirror.file_all();
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
            let mut changed = Vec::with_capacity(ids.len());
            for id in &ids {
                let id = ReferralId(uuid(id)?);
                if let Some(slot) = self.index.get(&id) {
                    removed.insert(*slot);
                }
                changed.push(id);
            }
            if !removed.is_empty() {
                // Out of the timelines first: their rows are found from what is dropped.
                self.unfile(&removed);
                for id in &changed {
                    if let Some(slot) = self.index.remove(id) {
                        self.entries[slot as usize] = None;
                        self.free.push(slot);
                    }
                }
                self.allocations.retain(|a| !removed.contains(&a.referral));
                self.contacts.retain(|c| !removed.contains(&c.referral));
            }
            let first_allocation = self.allocations.len();
            self.read_referrals(store, Some(&ids)).await?;
            let mut fresh: Vec<u32> = changed
                .iter()
                .filter_map(|id| self.index.get(id).copied())
                .collect();
            fresh.sort_unstable();
            fresh.dedup();
            self.file(&fresh, first_allocation);
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
            self.refile_services(&changed_services);
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

    /// The index of a district in `areas`, added if new.
    fn area_slot(&mut self, area: Area) -> u32 {
        if let Some(i) = self.area_index.get(&area) {
            return *i;
        }
        let i = self.areas.len() as u32;
        self.areas.push(area.clone());
        self.area_index.insert(area, i);
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
}
