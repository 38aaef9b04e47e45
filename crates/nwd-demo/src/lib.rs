//! # nwd-demo — a synthetic county and its referrals, as domain objects
//!
//! Owns the demo data: a Kent-shaped service directory (a lead-commissioner ICB, the county
//! council, an NHS trust, voluntary groups, school mental health support teams, an online
//! provider), synthetic young people, and years of referrals through the single point of
//! access, each played through `nwd-domain`'s referral state machine so that every event is
//! one the domain decided. [`generate`] is deterministic under [`DemoConfig::seed`].
//! [`generate_in_batches`] gives the same data a batch of referrals at a time, for callers
//! that store them as they come (the CLI's `demo` and `nwd-bench money` at a million
//! referrals and more); [`generate`] collects its batches.
//!
//! It does **not** own storage, clocks or I/O: it is pure, returns [`DemoData`] (or hands
//! over [`DemoDirectory`] and the batches) and lets the caller (the CLI, via the store) write
//! it. Nobody in the data is real: names come from
//! short lists, NHS numbers only from the 999 test range, phone numbers from Ofcom's drama
//! ranges, and every organisation except the area-shaped public bodies is invented.
//!
//! How it works: `intake` plans every referral (arrival with weekday and school-term
//! seasonality, source, priority, reasons, person) and `triage` its decision; `county` then
//! sizes each service to the demand planned for it (the neurodevelopmental pathway under
//! capacity, as Kent's 2019 decision describes); `care` plays each plan through the domain
//! with booking calendars, so waits follow capacity. `DemoConfig::years` is clamped to 1–20.

pub mod about;
mod bookings;
mod calendar;
mod care;
mod county;
mod draw;
mod intake;
mod offers;
mod people;
pub mod population;
mod profile;
mod referrer;
mod routing;
pub mod staff;
mod triage;
mod wording;

/// The demo county's commissioning record (`nwd_domain::commissioning`): parties, a section 76
/// pooled fund with a variation, aligned budgets, and block, activity and grant contracts
/// naming the demo's services. Synthetic, Kent-shaped.
pub const COMMISSIONING: &str = include_str!("../commissioning.toml");

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use nwd_domain::directory::{Organisation, Service};
use nwd_domain::person::Person;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::standards::DefaultStandards;
use nwd_domain::ServiceId;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};

use crate::calendar::Clock;
use crate::care::Care;
use crate::county::County;
use crate::draw::DemoRng;
use crate::people::Register;
use crate::triage::{TriageOutcome, TriagePlan};

/// What to generate.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// The seed: the same configuration always gives identical data.
    pub seed: u64,
    /// Years of activity, ending at `end`.
    pub years: u32,
    /// Referrals (including advice requests) per year.
    pub referrals_per_year: u32,
    /// The end of the period: nothing happens after it, and it is "now" for waiting lists.
    pub end: jiff::Timestamp,
    /// The area's time zone (local days, working hours, ages).
    pub tz: jiff::tz::TimeZone,
    /// Default waiting-time standards; each service gets its team type's.
    pub standards: DefaultStandards,
}

/// One referral: its whole history, and the state the domain folded from it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoReferral {
    /// Every event, in order (`seq` 1, 2, …), as the domain recorded them.
    pub events: Vec<RecordedEvent>,
    /// The referral's state after the last event.
    pub state: Referral,
}

/// The generated county and its activity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DemoData {
    /// Organisations in the directory.
    pub organisations: Vec<Organisation>,
    /// Services in the directory.
    pub services: Vec<Service>,
    /// Synthetic young people, each referred at least once.
    pub persons: Vec<Person>,
    /// Referrals in the order they were received.
    pub referrals: Vec<DemoReferral>,
}

/// The directory and the register: everything the referrals point at, complete before the
/// first referral is played.
#[derive(Debug, Clone, PartialEq)]
pub struct DemoDirectory {
    /// Organisations in the directory.
    pub organisations: Vec<Organisation>,
    /// Services in the directory.
    pub services: Vec<Service>,
    /// Synthetic young people, each referred at least once.
    pub persons: Vec<Person>,
}

impl DemoReferral {
    /// The history and the state, for a caller that stores them apart (`Store::import`).
    pub fn into_parts(self) -> (Vec<RecordedEvent>, Referral) {
        (self.events, self.state)
    }
}

/// Generates the demo county and `years × referrals_per_year` referrals ending at
/// `config.end`, all at once (a wrapper over [`generate_in_batches`], whose output it
/// collects). `progress(done, total)` is called about every thousand referrals and once at the
/// end.
pub fn generate(config: &DemoConfig, progress: &mut dyn FnMut(u64, u64)) -> DemoData {
    generate_with_report(config, progress).0
}

/// Generates the same data as [`generate`] without holding the referrals: `on_directory`
/// receives the directory and the register once, before any referral; `on_batch` then
/// receives the referrals in the order they were received, `batch_size` at a time (the last
/// batch may be shorter; a `batch_size` of 0 is taken as 1). The data does not depend on
/// `batch_size`. Either callback stops the generation by returning an error, which is
/// returned. What stays in memory is the planned intakes and the register (about 2 KiB per
/// referral, measured in docs/benchmarks.md), not the referrals' histories.
///
/// Returns the directory and the register once every batch has been handed over.
pub fn generate_in_batches<E>(
    config: &DemoConfig,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
    on_directory: impl FnOnce(&DemoDirectory) -> Result<(), E>,
    on_batch: impl FnMut(Vec<DemoReferral>) -> Result<(), E>,
) -> Result<DemoDirectory, E> {
    generate_batches_with_report(config, batch_size, progress, on_directory, on_batch).0
}

/// What went wrong while generating (nothing, unless the generator has a bug).
#[derive(Debug, Default)]
#[cfg_attr(
    not(test),
    expect(
        dead_code,
        reason = "read by the tests, which assert the domain refused nothing"
    )
)]
pub(crate) struct Report {
    /// Commands the domain refused.
    pub refused: u64,
    /// The first refusal.
    pub first_refusal: Option<String>,
}

pub(crate) fn generate_with_report(
    config: &DemoConfig,
    progress: &mut dyn FnMut(u64, u64),
) -> (DemoData, Report) {
    let mut referrals = Vec::new();
    let (directory, report) = generate_batches_with_report(
        config,
        1000,
        progress,
        |_| Ok::<(), std::convert::Infallible>(()),
        |batch| {
            referrals.extend(batch);
            Ok(())
        },
    );
    let directory = match directory {
        Ok(directory) => directory,
        Err(never) => match never {},
    };
    let data = DemoData {
        organisations: directory.organisations,
        services: directory.services,
        persons: directory.persons,
        referrals,
    };
    (data, report)
}

/// The one generation path: [`generate_in_batches`] with the refusals report.
pub(crate) fn generate_batches_with_report<E>(
    config: &DemoConfig,
    batch_size: usize,
    progress: &mut dyn FnMut(u64, u64),
    on_directory: impl FnOnce(&DemoDirectory) -> Result<(), E>,
    mut on_batch: impl FnMut(Vec<DemoReferral>) -> Result<(), E>,
) -> (Result<DemoDirectory, E>, Report) {
    // Independent streams, drawn in a fixed order, so that each part is reproducible.
    let mut master = DemoRng::seed_from_u64(config.seed);
    let mut directory_rng = DemoRng::seed_from_u64(master.gen());
    let mut plan_rng = DemoRng::seed_from_u64(master.gen());
    let care_rng = DemoRng::seed_from_u64(master.gen());
    let id_rng = DemoRng::seed_from_u64(master.gen());

    let clock = Clock::new(config.end, &config.tz, config.years);
    let mut county = County::build(&mut directory_rng, &config.standards);
    let mut register = Register::new();
    let total = u64::from(config.years) * u64::from(config.referrals_per_year);
    let intakes = intake::plan_all(&county, &clock, &mut register, &mut plan_rng, total);

    let mut planned = vec![0u32; county.services.len()];
    for intake in &intakes {
        if let Some(TriagePlan {
            outcome: TriageOutcome::Allocate(services),
            ..
        }) = &intake.triage
        {
            for service in services {
                if let Some(count) = planned.get_mut(*service) {
                    *count += 1;
                }
            }
        }
    }
    #[expect(
        clippy::cast_precision_loss,
        reason = "day and referral counts are small"
    )]
    let (weeks, per_week) = {
        let weeks = clock.end_day as f64 / 7.0;
        (weeks, total as f64 / weeks.max(1.0))
    };
    county.size(&planned, weeks, per_week);

    // The county is sized and every person registered: the directory is final.
    let directory = DemoDirectory {
        organisations: county.organisations.clone(),
        services: county.services.clone(),
        persons: std::mem::take(&mut register.persons),
    };
    drop(register);
    if let Err(stop) = on_directory(&directory) {
        return (Err(stop), Report::default());
    }

    let lookup: HashMap<ServiceId, Service> =
        county.services.iter().map(|s| (s.id, s.clone())).collect();
    let mut care = Care::new(
        &county,
        &lookup,
        &clock,
        config.standards.transition_notice_months,
        care_rng,
        id_rng,
    );
    let batch_size = batch_size.max(1);
    let mut batch = Vec::with_capacity(batch_size.min(intakes.len()));
    let mut outcome = Ok(());
    for (done, intake) in (1u64..).zip(intakes) {
        if let Some(person) = directory.persons.get(intake.person) {
            batch.extend(care.run(intake, person));
        }
        if batch.len() >= batch_size {
            outcome = on_batch(std::mem::replace(
                &mut batch,
                Vec::with_capacity(batch_size),
            ));
            if outcome.is_err() {
                break;
            }
        }
        if done % 1000 == 0 {
            progress(done, total);
        }
    }
    if outcome.is_ok() && !batch.is_empty() {
        outcome = on_batch(batch);
    }
    let report = Report {
        refused: care.errors,
        first_refusal: care.first_error.take(),
    };
    if let Err(stop) = outcome {
        return (Err(stop), report);
    }
    progress(total, total);
    (Ok(directory), report)
}
