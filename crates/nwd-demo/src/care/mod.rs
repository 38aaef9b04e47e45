//! Playing each planned referral through the domain, step by step, with the simulated time
//! of each step as the context's `now`: receipt, triage, then for each allocation a first
//! appointment (at once for crisis teams, from the service's booking calendar otherwise),
//! contacts, missed appointments, indirect work with schools, an added service, step ups and
//! downs, transitions as the young person nears the service's upper age, and discharge.
//!
//! Nothing here changes a referral except `Referral::receive` and `Referral::execute`, so
//! every event the demo holds is one the domain itself decided. A refused command is a
//! generator bug: it is counted (tests assert there are none) and that referral stops.
//! Anything due after the end of the period simply has not happened yet, which is why
//! recent referrals are still awaiting triage or on waiting lists when the demo ends.

use std::collections::HashMap;

use nwd_domain::codes::{DischargeReason, Priority, ReasonCode, ReferralSource};
use nwd_domain::directory::Service;
use nwd_domain::need::StepDirection;
use nwd_domain::person::Person;
use nwd_domain::referral::{Command, Context, RecordedEvent, Referral};
use nwd_domain::{AllocationId, ContactId, ReferralId, ServiceId};

use crate::bookings::Bookings;
use crate::calendar::{Clock, MINUTE};
use crate::county::County;
use crate::draw::{uuid, DemoRng};
use crate::intake::Intake;
use crate::profile::{profile, Access};
use crate::triage::TriagePlan;
use crate::DemoReferral;

mod agenda;
mod ending;
mod episode;
mod measures;

use agenda::next;

/// Most direct contacts one allocation has.
const MAX_DIRECT_CONTACTS: u8 = 12;

/// The simulation of care across the county.
pub(crate) struct Care<'a> {
    county: &'a County,
    lookup: &'a HashMap<ServiceId, Service>,
    clock: &'a Clock,
    notice_months: i32,
    /// Booking calendars, per service; `None` for crisis services.
    bookings: Vec<Option<Bookings>>,
    rng: DemoRng,
    /// Ids for the domain's new allocations and contacts.
    ids: DemoRng,
    /// Outcome measures' draws, apart from every other draw (`measures`).
    measures_rng: DemoRng,
    /// Commands the domain refused (generator bugs).
    pub errors: u64,
    /// The first refusal, for the test that asserts there are none.
    pub first_error: Option<String>,
}

/// How an episode at one service is going to end.
#[derive(Debug, Clone, Copy)]
enum Ending {
    Discharge(DischargeReason),
    Step(StepDirection),
    Decline,
}

/// One allocation as the simulation follows it.
struct Episode {
    allocation: AllocationId,
    /// Index into the county's services.
    service: usize,
    /// The lead practitioner, who records the episode's events.
    clinician: &'static str,
    /// Attended direct contacts before it ends.
    planned: u8,
    attended: u8,
    /// Direct contacts recorded, attended or not.
    direct: u8,
    missed_in_row: u8,
    ending: Ending,
    /// When a transition replaces whatever comes next (near the service's upper age).
    transition_at: Option<i64>,
    active: bool,
    /// A concurrent service will be added after the first attended contact.
    wants_companion: bool,
    /// Indirect activities to record after the first attended contact.
    indirect: u8,
}

/// Something due to happen to an episode (times are simulated seconds).
#[derive(Debug, Clone, Copy)]
enum Action {
    /// Book the first appointment, starting at `start`.
    Book { start: i64 },
    /// Record what happened at the booked appointment.
    Outcome { contact: ContactId, start: i64 },
    /// Record a direct contact that started at `start`.
    Contact { start: i64 },
    /// Record indirect activity (e.g. with the school).
    Indirect { start: i64 },
    /// End the episode as planned: discharge, step or decline.
    Close,
    /// Record the transition outcome.
    Transition,
    /// Add a concurrent service.
    AddService,
}

/// An agenda entry: the action is recorded at `at` (ties broken by `seq`).
struct Item {
    at: i64,
    seq: u32,
    episode: usize,
    action: Action,
}

/// One referral being played.
struct Run<'p> {
    referral: Referral,
    events: Vec<RecordedEvent>,
    /// Time of the last event: every command is recorded strictly later.
    last: i64,
    agenda: Vec<Item>,
    seq: u32,
    episodes: Vec<Episode>,
    person: &'p Person,
    priority: Priority,
    source: ReferralSource,
    /// The primary reason for referral.
    reason: ReasonCode,
    /// The outcome measure recorded at the start, until it is recorded again.
    measures: Option<measures::MeasurePlan>,
}

impl<'a> Care<'a> {
    pub(crate) fn new(
        county: &'a County,
        lookup: &'a HashMap<ServiceId, Service>,
        clock: &'a Clock,
        notice_months: i32,
        rng: DemoRng,
        ids: DemoRng,
    ) -> Care<'a> {
        let bookings = county
            .services
            .iter()
            .enumerate()
            .map(|(i, service)| {
                let care = profile(county.role(i));
                match care.access {
                    Access::Immediate => None,
                    Access::Booked { backlog_weeks, .. } => {
                        let per_week = f64::from(service.details.capacity.slots_per_week)
                            / care.mean_contacts();
                        Some(Bookings::new(clock, per_week, backlog_weeks))
                    }
                }
            })
            .collect();
        Care {
            county,
            lookup,
            clock,
            notice_months,
            bookings,
            measures_rng: {
                let mut fork = rng.clone();
                fork.set_stream(0x6f75_7463_6f6d_6573);
                fork
            },
            rng,
            ids,
            errors: 0,
            first_error: None,
        }
    }

    /// Plays one planned referral and returns its history and state.
    pub(crate) fn run(&mut self, intake: Intake, person: &Person) -> Option<DemoReferral> {
        let id = ReferralId(uuid(&mut self.ids));
        let source = intake.referral.source;
        let priority = intake.referral.priority;
        let reason = intake
            .referral
            .reasons
            .first()
            .copied()
            .unwrap_or(ReasonCode::Anxiety);
        let received = self.clock.timestamp(intake.received);
        let first =
            match Referral::receive(id, person.id, intake.referral, received, intake.received_by) {
                Ok(event) => event,
                Err(error) => {
                    self.refused("receive", &error);
                    return None;
                }
            };
        let referral = match Referral::replay(std::slice::from_ref(&first)) {
            Ok(referral) => referral,
            Err(error) => {
                self.refused("replay", &error);
                return None;
            }
        };
        let mut run = Run {
            referral,
            events: vec![first],
            last: intake.received,
            agenda: Vec::new(),
            seq: 0,
            episodes: Vec::new(),
            person,
            priority,
            source,
            reason,
            measures: None,
        };
        if let Some(plan) = intake.triage {
            self.triage(&mut run, &plan);
        }
        while let Some(item) = next(&mut run.agenda) {
            if item.at.max(run.last + MINUTE) > self.clock.end {
                break;
            }
            if !self.perform(&mut run, item) {
                break;
            }
        }
        Some(DemoReferral {
            events: run.events,
            state: run.referral,
        })
    }

    fn refused(&mut self, what: &str, error: &dyn std::fmt::Display) {
        self.errors += 1;
        if self.first_error.is_none() {
            self.first_error = Some(format!("{what}: {error}"));
        }
    }

    /// Executes a command at `at` (or just after the previous event). Returns the index of
    /// the first new event, or `None` when the domain refused it or it would fall after the
    /// end of the period.
    fn execute(
        &mut self,
        run: &mut Run<'_>,
        at: i64,
        actor: &'static str,
        label: &str,
        command: Command,
    ) -> Option<usize> {
        let now = at.max(run.last + MINUTE);
        if now > self.clock.end {
            return None;
        }
        let ids = &mut self.ids;
        let mut new_id = || uuid(ids);
        let mut ctx = Context {
            now: self.clock.timestamp(now),
            actor,
            tz: &self.clock.tz,
            date_of_birth: run.person.details.date_of_birth,
            services: self.lookup,
            new_id: &mut new_id,
        };
        match run.referral.execute(command, &mut ctx) {
            Ok(events) => {
                run.last = now;
                let start = run.events.len();
                run.events.extend(events);
                Some(start)
            }
            Err(error) => {
                self.refused(label, &error);
                None
            }
        }
    }

    fn triage(&mut self, run: &mut Run<'_>, plan: &TriagePlan) {
        let command = Command::Triage(plan.command(self.county));
        if let Some(start) = self.execute(run, plan.at, plan.by, "triage", command) {
            self.open_new_allocations(run, start, false, false);
        }
    }
}
