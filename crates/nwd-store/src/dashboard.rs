//! The commissioner dashboard's aggregates, month by month: referrals by source and by need
//! group, waits against standards, the CYP access measures (MHS95 and MHS69), step-ups and
//! step-downs, and what triage decided (allocated, signposted, other).
//!
//! Every figure here is an **exact** count. Small-number suppression
//! ([`nwd_domain::disclosure`]) is applied by the caller before anything is shown or
//! downloaded: the exact counts never leave the server.
//!
//! **One definition per figure** (issue 16): each figure is counted in one place,
//! [`mirror::Mirror::figures`], from the few columns it needs per referral (read by
//! [`mirror`]), with the domain's functions for the rules — a service's standard chosen by
//! priority and source, days-targets in calendar days of the area's time zone
//! (`nwd_domain::standards`), and the access measures (`nwd_domain::access`). Months are
//! calendar months in the area's time zone ([`month_bounds`]).
//!
//! [`Store::dashboard`] — what the pages and the API serve — keeps those inputs in memory and
//! brings them up to date from the figure change log on each new data version, reading only
//! the referrals that changed; so the first request after a change costs a few small queries
//! and one pass over the kept inputs, not a scan of two years of contacts.
//! [`Store::compute_dashboard`] reads every input afresh and counts with the same function:
//! the store's tests compare the two after random writes, and check the figures themselves
//! against a hand-computed fixture.

pub(crate) mod mirror;

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use nwd_domain::access::AccessMeasures;
pub use nwd_domain::outcome_figures::OutcomeCounts;
use nwd_domain::population::report::AboutFacts;
use nwd_domain::ServiceId;

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
#[derive(Debug, Clone, PartialEq)]
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
    /// Routine outcome measures of the referrals closed in the period (see [`Outcomes`]).
    pub outcomes: Outcomes,
    /// How long the allocations first seen in the period waited (see [`Waits`]).
    pub waits: Waits,
    /// Where the requests received in the period ended up (see [`Ledger`]).
    pub ledger: Ledger,
    /// Direct contacts by attendance status (API name, `nwd_domain::codes::ContactStatus`)
    /// and the month they were for; with a service filter, that service's. Statuses with
    /// none left out.
    pub contacts_by_status: BTreeMap<String, Vec<u64>>,
}

/// The no-wrong-door ledger over the dashboard's period, by the one definition
/// [`nwd_domain::ledger`]: every request received in the period (with a service filter,
/// those allocated there), by where it has ended up so far and whether it was a return within
/// six months. Exact; published through the suppression rule by the pages.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ledger {
    /// Every request counted.
    pub all: nwd_domain::ledger::LedgerCounts,
    /// By source of referral (API name).
    pub by_source: BTreeMap<String, nwd_domain::ledger::LedgerCounts>,
    /// By need group now (API name; `not_triaged` for requests not triaged).
    pub by_need_group: BTreeMap<String, nwd_domain::ledger::LedgerCounts>,
    /// By service: a request counts at every service it was allocated to (with a service
    /// filter, only that one).
    pub by_service: BTreeMap<ServiceId, nwd_domain::ledger::LedgerCounts>,
}

/// Days waited to a first attended contact (clock start → first attended contact, calendar
/// days in the area's time zone: the allocation's own clock, as the "seen within standard"
/// figures count) by the allocations first seen in the period — with a service filter, at
/// that service. Exact; the pages publish them through `nwd_domain::published`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waits {
    /// Each month: of the allocations first seen in it.
    pub by_month: Vec<nwd_domain::waits::WaitDistribution>,
    /// Each month: hours from a request's receipt to its triage decision, of the requests
    /// triaged in it (the "hidden wait" before any service's clock matters).
    pub to_triage_by_month: Vec<nwd_domain::waits::WaitDistribution>,
    /// The whole period, every service.
    pub all: nwd_domain::waits::FirstContactWaits,
    /// The whole period by service; services with none seen left out.
    pub by_service: BTreeMap<ServiceId, nwd_domain::waits::FirstContactWaits>,
}

/// Outcome figures over the dashboard's period, by the one definition
/// [`nwd_domain::outcome_figures`]: the referrals closed in the period (with a service
/// filter, those with an allocation there) after at least two attended direct contacts, and
/// of them those with paired scores and each kind of change. Exact; published through
/// [`nwd_domain::outcome_figures::PublishedOutcomes`] by the caller.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcomes {
    /// Every counted referral.
    pub all: OutcomeCounts,
    /// By service: a referral counts at each service it had an allocation at (with a service
    /// filter, only that one). Services with none counted are left out.
    pub by_service: BTreeMap<ServiceId, OutcomeCounts>,
    /// By need group at closure (API name).
    pub by_need_group: BTreeMap<String, OutcomeCounts>,
    /// By equality group, one entry per [`nwd_domain::about::UptakeGroup::ALL`] (the uptake
    /// tables' groups; a young person can be in several).
    pub by_group: Vec<OutcomeCounts>,
    /// By age at referral, one entry per [`nwd_domain::outcome_figures::OutcomeAgeBand::ALL`]
    /// (under 18 — MHS112's population —, 18 to 25, not known).
    pub by_age: [OutcomeCounts; 3],
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

/// What the figures read of a stored "about" record (`None`: no record): the uptake groups
/// and the answers the need page counts — the domain decides both
/// (`nwd_domain::population::report::AboutFacts`).
pub(crate) fn about_facts(record: Option<&str>) -> Result<AboutFacts, StoreError> {
    let about: nwd_domain::about::AboutYoungPerson = match record {
        None => Default::default(),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| StoreError::Corrupt(format!("person_about: {e}")))?,
    };
    Ok(AboutFacts::of(&about))
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

impl Store {
    /// Reads the dashboard's inputs if this process has not yet (the whole record: about a
    /// second at 60,000 referrals), so that the first commissioner to open the dashboard
    /// does not wait for it. The server calls it in the background at start; afterwards
    /// each change costs only the referrals it touched.
    pub async fn warm_dashboard(&self) -> Result<(), StoreError> {
        drop(self.kept_inputs().await?);
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

    /// The dashboard computed from the record now, never from what is kept: every input read
    /// afresh and counted by the same definitions ([`mirror::Mirror::figures`]). What
    /// [`Store::dashboard`] returns, brought up to date change by change, must always equal
    /// this (the store's tests compare the two after random writes).
    pub async fn compute_dashboard(&self, query: &DashboardQuery) -> Result<Dashboard, StoreError> {
        let bounds = month_bounds(self, query)?;
        let version = self.data_version().await?;
        let inputs = mirror::Mirror::read_all(self, version).await?;
        Ok(inputs.figures(&bounds, self.now(), query.service_id))
    }
}
