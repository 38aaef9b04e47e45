//! A referral's agenda: actions pushed with their simulated time (unless the young person's
//! transition comes first), taken earliest first (ties in the order they were added), and
//! performed through the domain. Performing one returns false once the referral is closed or a
//! command was refused, which ends that referral's run.

use nwd_domain::codes::{ConsultationMechanism, ContactStatus};
use nwd_domain::referral::{
    Command, ContactInput, ContactKind, RecordedEvent, ReferralEvent, ReferralStatus,
};
use nwd_domain::ContactId;
use rand::Rng;

use crate::calendar::MINUTE;
use crate::draw::{pick, DemoRng};
use crate::profile::profile;

use super::{Action, Care, Item, Run};

impl<'a> Care<'a> {
    /// Adds an action, unless the young person's transition comes first.
    pub(super) fn push(&mut self, run: &mut Run<'_>, episode: usize, at: i64, action: Action) {
        let transition = run.episodes.get(episode).and_then(|e| e.transition_at);
        let (at, action) = match transition {
            Some(due) if at >= due && !matches!(action, Action::Outcome { .. }) => {
                (due, Action::Transition)
            }
            _ => (at, action),
        };
        run.seq += 1;
        run.agenda.push(Item {
            at,
            seq: run.seq,
            episode,
            action,
        });
    }

    pub(super) fn push_transition_if_due(&mut self, run: &mut Run<'_>, episode: usize) {
        if let Some(due) = run.episodes.get(episode).and_then(|e| e.transition_at) {
            self.push(run, episode, due, Action::Transition);
        }
    }

    /// Performs one agenda item; `false` stops the referral (refused, or closed).
    pub(super) fn perform(&mut self, run: &mut Run<'_>, item: Item) -> bool {
        let Some(episode) = run.episodes.get(item.episode) else {
            return true;
        };
        if !episode.active {
            return true;
        }
        let care = profile(self.county.role(episode.service));
        let (allocation, clinician) = (episode.allocation, episode.clinician);
        let ok = match item.action {
            Action::Book { start } => {
                let input = self.contact_input(
                    allocation,
                    clinician,
                    &care,
                    start,
                    ContactStatus::Scheduled,
                );
                let duration = i64::from(input.duration_minutes) * MINUTE;
                match self.execute(
                    run,
                    item.at,
                    clinician,
                    "book",
                    Command::RecordContact(input),
                ) {
                    Some(from) => {
                        if let Some(contact) = recorded_contact(&run.events, from) {
                            let at = start + duration + self.rng.gen_range(5 * MINUTE..90 * MINUTE);
                            self.push(run, item.episode, at, Action::Outcome { contact, start });
                        }
                        true
                    }
                    None => false,
                }
            }
            Action::Outcome { contact, start } => {
                let status = attendance(&mut self.rng);
                let command = Command::RecordContactOutcome {
                    contact_id: contact,
                    status,
                };
                let ok = self
                    .execute(run, item.at, clinician, "outcome", command)
                    .is_some();
                if ok {
                    self.after_direct(run, item.episode, &care, start, status);
                    if status.is_attended() {
                        self.record_baseline(run, item.episode, item.at, start);
                    }
                }
                ok
            }
            Action::Contact { start } => {
                let status = attendance(&mut self.rng);
                let input = self.contact_input(allocation, clinician, &care, start, status);
                let ok = self
                    .execute(
                        run,
                        item.at,
                        clinician,
                        "contact",
                        Command::RecordContact(input),
                    )
                    .is_some();
                if ok {
                    self.after_direct(run, item.episode, &care, start, status);
                    if status.is_attended() {
                        self.record_baseline(run, item.episode, item.at, start);
                    }
                }
                ok
            }
            Action::Indirect { start } => {
                let with = care
                    .indirect_with
                    .get(self.rng.gen_range(0..care.indirect_with.len().max(1)));
                let input = ContactInput {
                    allocation_id: allocation,
                    at: self.clock.timestamp(start),
                    status: ContactStatus::Attended,
                    mechanism: pick(
                        &mut self.rng,
                        &[
                            (ConsultationMechanism::Telephone, 50),
                            (ConsultationMechanism::FaceToFace, 30),
                            (ConsultationMechanism::Email, 20),
                        ],
                    ),
                    clinician: clinician.to_string(),
                    duration_minutes: self.rng.gen_range(15..=45),
                    kind: ContactKind::Indirect {
                        with: with.copied().unwrap_or("school").to_string(),
                    },
                };
                self.execute(
                    run,
                    item.at,
                    clinician,
                    "indirect",
                    Command::RecordContact(input),
                )
                .is_some()
            }
            Action::Close => {
                self.record_follow_up(run, item.episode, item.at);
                self.close(run, item.episode, item.at)
            }
            Action::Transition => self.transition(run, item.episode, item.at),
            Action::AddService => self.add_service(run, item.episode, item.at),
        };
        ok && run.referral.status != ReferralStatus::Closed
    }
}

/// The earliest agenda item (ties in the order they were added).
pub(super) fn next(agenda: &mut Vec<Item>) -> Option<Item> {
    let index = agenda
        .iter()
        .enumerate()
        .min_by_key(|(_, item)| (item.at, item.seq))
        .map(|(i, _)| i)?;
    Some(agenda.swap_remove(index))
}

/// The id of the contact recorded by the events from `from`.
pub(super) fn recorded_contact(events: &[RecordedEvent], from: usize) -> Option<ContactId> {
    events.get(from..)?.iter().find_map(|e| match &e.event {
        ReferralEvent::ContactRecorded { contact } => Some(contact.id),
        _ => None,
    })
}

/// Attendance: about one in ten did not attend; some cancelled.
pub(super) fn attendance(rng: &mut DemoRng) -> ContactStatus {
    pick(
        rng,
        &[
            (ContactStatus::Attended, 800),
            (ContactStatus::AttendedLate, 30),
            (ContactStatus::DidNotAttend, 100),
            (ContactStatus::CancelledByPatient, 40),
            (ContactStatus::CancelledByProvider, 25),
            (ContactStatus::LateNotSeen, 5),
        ],
    )
}
