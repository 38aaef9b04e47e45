//! Following one allocation: its first appointment (within hours for crisis teams, from the
//! service's booking calendar for everyone else, bypassed by urgent referrals), its contacts
//! and missed appointments, indirect work, and when the young person's transition falls due.

use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReferralSource,
};
use nwd_domain::need::StepDirection;
use nwd_domain::referral::{ContactInput, ContactKind, ReferralEvent};
use nwd_domain::transition::transition_due;
use nwd_domain::{AllocationId, ServiceId};
use rand::Rng;

use super::{Action, Care, Ending, Episode, Run, MAX_DIRECT_CONTACTS};
use crate::calendar::{HOUR, MINUTE};
use crate::draw::{chance, one_of, pick, pick_weighted, DemoRng};
use crate::profile::{profile, Access, CareProfile};
use crate::wording;

impl Care<'_> {
    /// Starts following every allocation made by the events from `start`.
    pub(super) fn open_new_allocations(
        &mut self,
        run: &mut Run<'_>,
        start: usize,
        from_step: bool,
        urgent: bool,
    ) {
        let made: Vec<(AllocationId, ServiceId)> = run
            .events
            .get(start..)
            .unwrap_or_default()
            .iter()
            .filter_map(|e| match &e.event {
                ReferralEvent::Allocated {
                    allocation_id,
                    service_id,
                    ..
                } => Some((*allocation_id, *service_id)),
                _ => None,
            })
            .collect();
        for (allocation, service_id) in made {
            if let Some(service) = self.county.index_of(service_id) {
                self.open_episode(run, allocation, service, from_step, urgent);
            }
        }
    }

    fn open_episode(
        &mut self,
        run: &mut Run<'_>,
        allocation: AllocationId,
        service: usize,
        from_step: bool,
        urgent: bool,
    ) {
        let care = profile(self.county.role(service));
        let transition_at = self.transition_time(run, service);
        let rng = &mut self.rng;
        let mut planned = rng.gen_range(care.contacts.0..=care.contacts.1);
        let damp = if from_step { 0.5 } else { 1.0 };
        let ticket: f64 = rng.gen();
        let ending = if ticket < care.step_up * damp {
            Ending::Step(StepDirection::Up)
        } else if ticket < (care.step_up + care.step_down) * damp {
            Ending::Step(StepDirection::Down)
        } else if ticket < (care.step_up + care.step_down) * damp + 0.015 {
            Ending::Decline
        } else {
            Ending::Discharge(pick(
                rng,
                &[
                    (DischargeReason::TreatmentCompleted, 680),
                    (DischargeReason::NoFurtherInterventionNeeded, 120),
                    (DischargeReason::TransferredToAnotherService, 60),
                    (DischargeReason::DeclinedFurtherSupport, 80),
                    (DischargeReason::MovedOutOfArea, 30),
                    (DischargeReason::DidNotEngage, 30),
                ],
            ))
        };
        if matches!(ending, Ending::Step(_) | Ending::Decline) {
            planned = planned.min(rng.gen_range(1..=4));
        }
        let episode = Episode {
            allocation,
            service,
            clinician: one_of(rng, &wording::CLINICIANS),
            planned,
            attended: 0,
            direct: 0,
            missed_in_row: 0,
            ending,
            transition_at,
            active: true,
            wants_companion: !from_step && chance(rng, 0.03),
            indirect: if chance(rng, care.indirect_chance) {
                rng.gen_range(1..=2)
            } else {
                0
            },
        };
        run.episodes.push(episode);
        let index = run.episodes.len() - 1;
        self.schedule_first(
            run,
            index,
            &care,
            urgent || run.priority != Priority::Routine,
        );
    }

    /// When the young person, if still with the service, moves on: between the start of
    /// their transition notice period (17½ for a service that runs to 18) and the birthday
    /// on which they leave its age range.
    fn transition_time(&mut self, run: &Run<'_>, service: usize) -> Option<i64> {
        let age_to = self.county.services.get(service)?.details.age_to;
        let due = transition_due(run.person.details.date_of_birth, age_to, self.notice_months);
        let clock = self.clock;
        let today = clock.day_of(run.last);
        let leaves = clock.day_of_date(due.leaves_service_on);
        let review = clock.day_of_date(due.review_from);
        let day = (review.max(today + 7) + self.rng.gen_range(0..90)).min(leaves - 1);
        if day > clock.end_day {
            return None;
        }
        if day <= today {
            return Some(run.last + 2 * HOUR);
        }
        Some(clock.working_time(&mut self.rng, day))
    }

    fn schedule_first(
        &mut self,
        run: &mut Run<'_>,
        episode: usize,
        care: &CareProfile,
        urgent: bool,
    ) {
        let Some(service) = run.episodes.get(episode).map(|e| e.service) else {
            return;
        };
        let now = run.last;
        let clock = self.clock;
        let rng = &mut self.rng;
        let minutes = i64::from(care.minutes);
        match care.access {
            Access::Immediate => {
                let lead = match (run.source, run.priority) {
                    (ReferralSource::EmergencyDepartment, _) => {
                        rng.gen_range(15 * MINUTE..70 * MINUTE)
                    }
                    (_, Priority::Emergency) => rng.gen_range(15 * MINUTE..90 * MINUTE),
                    (_, Priority::VeryUrgent) => rng.gen_range(30 * MINUTE..5 * HOUR),
                    (_, Priority::Urgent) => rng.gen_range(2 * HOUR..30 * HOUR),
                    (_, Priority::Routine) => rng.gen_range(4 * HOUR..72 * HOUR),
                };
                let start = now + lead;
                let at = start + minutes * MINUTE + rng.gen_range(5 * MINUTE..60 * MINUTE);
                self.push(run, episode, at, Action::Contact { start });
            }
            Access::Booked {
                min_lead_days,
                urgent_days,
                ..
            } => {
                let today = clock.day_of(now);
                let calendar = self.bookings.get_mut(service).and_then(Option::as_mut);
                if urgent {
                    let day = today + rng.gen_range(urgent_days.0..=urgent_days.1);
                    if let Some(calendar) = calendar {
                        calendar.force(day);
                    }
                    let mut start = clock.working_time(rng, day);
                    if start <= now {
                        start = clock.next_working_time(rng, now + HOUR);
                    }
                    let at = start + minutes * MINUTE + rng.gen_range(5 * MINUTE..90 * MINUTE);
                    self.push(run, episode, at, Action::Contact { start });
                    return;
                }
                let earliest = today + rng.gen_range(min_lead_days.0..=min_lead_days.1);
                let booked = match calendar {
                    Some(calendar) => calendar.book(earliest),
                    None => Some(earliest),
                };
                let Some(day) = booked else {
                    // Still waiting when the calendar runs out: only a transition can come first.
                    self.push_transition_if_due(run, episode);
                    return;
                };
                let spread = rng.gen_range(0..3);
                let mut start = clock.working_time(rng, day + spread);
                if start <= now + HOUR {
                    // A same-day slot: never before the allocation itself.
                    start = clock.next_working_time(rng, now + HOUR);
                }
                let booking_day = today.max(clock.day_of(start) - rng.gen_range(3..22));
                let mut booked_at = clock.working_time(rng, booking_day);
                if booked_at <= now || booked_at >= start {
                    booked_at = now + rng.gen_range(10 * MINUTE..3 * HOUR);
                }
                if booked_at >= start {
                    self.push(
                        run,
                        episode,
                        start + minutes * MINUTE,
                        Action::Contact { start },
                    );
                } else {
                    self.push(run, episode, booked_at, Action::Book { start });
                }
            }
        }
    }

    pub(super) fn contact_input(
        &mut self,
        allocation: AllocationId,
        clinician: &str,
        care: &CareProfile,
        start: i64,
        status: ContactStatus,
    ) -> ContactInput {
        let rng = &mut self.rng;
        let mechanism =
            pick_weighted(rng, care.mechanisms).unwrap_or(ConsultationMechanism::FaceToFace);
        let minutes = care.minutes.saturating_sub(10) + rng.gen_range(0..=20);
        ContactInput {
            allocation_id: allocation,
            at: self.clock.timestamp(start),
            status,
            mechanism,
            clinician: clinician.to_string(),
            duration_minutes: minutes.max(10),
            kind: ContactKind::Direct,
        }
    }

    /// After a direct contact: count it, and decide what comes next.
    pub(super) fn after_direct(
        &mut self,
        run: &mut Run<'_>,
        index: usize,
        care: &CareProfile,
        start: i64,
        status: ContactStatus,
    ) {
        let clock = self.clock;
        let rng = &mut self.rng;
        let Some(episode) = run.episodes.get_mut(index) else {
            return;
        };
        episode.direct += 1;
        let mut follow_ups: Vec<(i64, Action)> = Vec::new();
        if status.is_attended() {
            episode.attended += 1;
            episode.missed_in_row = 0;
            if episode.attended == 1 {
                for _ in 0..episode.indirect {
                    let day = clock.day_of(start) + rng.gen_range(2..28);
                    let when = clock.working_time(rng, day);
                    follow_ups.push((when + HOUR, Action::Indirect { start: when }));
                }
                if episode.wants_companion {
                    let day = clock.day_of(start) + rng.gen_range(7..42);
                    follow_ups.push((clock.working_time(rng, day), Action::AddService));
                }
            }
        } else if matches!(
            status,
            ContactStatus::DidNotAttend
                | ContactStatus::LateNotSeen
                | ContactStatus::CancelledByPatient
        ) {
            episode.missed_in_row += 1;
        }
        let next_day = |rng: &mut DemoRng, days: (i64, i64)| {
            clock.day_of(start) + rng.gen_range(days.0..=days.1)
        };
        if episode.missed_in_row >= 2 && chance(rng, 0.6) {
            episode.ending = Ending::Discharge(DischargeReason::DidNotEngage);
            let day = next_day(rng, (7, 21));
            follow_ups.push((clock.working_time(rng, day), Action::Close));
        } else if episode.attended >= episode.planned || episode.direct >= MAX_DIRECT_CONTACTS {
            let day = next_day(rng, (1, 10));
            follow_ups.push((clock.working_time(rng, day), Action::Close));
        } else {
            let gap = if status.is_attended() {
                care.cadence_days
            } else {
                (5, 14)
            };
            let day = next_day(rng, gap);
            let next = clock.working_time(rng, day);
            let at =
                next + i64::from(care.minutes) * MINUTE + rng.gen_range(5 * MINUTE..120 * MINUTE);
            follow_ups.push((at, Action::Contact { start: next }));
        }
        for (at, action) in follow_ups {
            self.push(run, index, at, action);
        }
    }
}
