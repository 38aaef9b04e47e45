//! How an allocation ends: discharge with a coded reason, a step up or down with
//! re-allocation, the young person declining, a transition by need as they reach the
//! service's upper age, or a concurrent service added along the way.

use nwd_domain::codes::{DischargeReason, ReferralSource, TransitionOutcome};
use nwd_domain::need::{NeedGroup, StepDirection};
use nwd_domain::referral::measurement::{MissingMeasure, MissingMeasureReason};
use nwd_domain::referral::{
    AllocateCommand, Command, DischargeCommand, StepCommand, TransitionCommand,
};

use super::{Care, Ending, Run};
use crate::calendar::MINUTE;
use crate::county::Role;
use crate::draw::pick;
use crate::routing::{companion, step_target, Seeker};
use crate::wording;

impl Care<'_> {
    fn end_episode(run: &mut Run<'_>, index: usize) {
        if let Some(episode) = run.episodes.get_mut(index) {
            episode.active = false;
        }
        run.agenda.retain(|item| item.episode != index);
    }

    fn seeker<'p>(&self, run: &Run<'p>, at: i64) -> Seeker<'p> {
        let details = &run.person.details;
        Seeker {
            age: details.age_on(self.clock.exact_date(at)),
            postcode: details.postcode.as_ref(),
            flags: &details.flags,
            reason: run.reason,
            youth_justice_source: run.source == ReferralSource::YouthJustice,
        }
    }

    fn active_services(run: &Run<'_>) -> Vec<usize> {
        run.episodes
            .iter()
            .filter(|e| e.active)
            .map(|e| e.service)
            .collect()
    }

    pub(super) fn close(&mut self, run: &mut Run<'_>, index: usize, at: i64) -> bool {
        let Some(episode) = run.episodes.get(index) else {
            return true;
        };
        let (allocation, clinician, ending) =
            (episode.allocation, episode.clinician, episode.ending);
        let now = at.max(run.last + MINUTE);
        match ending {
            Ending::Step(direction) => {
                let from = run.referral.need_group.unwrap_or(NeedGroup::GettingHelp);
                let seeker = self.seeker(run, now);
                let active = Self::active_services(run);
                if let Some((to, service)) = step_target(
                    self.county,
                    &mut self.rng,
                    direction,
                    from,
                    &seeker,
                    &active,
                ) {
                    let Some(service_id) = self.county.services.get(service).map(|s| s.id) else {
                        return true;
                    };
                    let reason = match direction {
                        StepDirection::Up => "Needs have increased; more intensive help agreed with the young person and family.",
                        StepDirection::Down => "Goals largely met; continuing with lighter-touch support agreed.",
                    };
                    let command = Command::Step(StepCommand {
                        direction,
                        to,
                        reason: reason.to_string(),
                        end_allocations: vec![allocation],
                        allocate: vec![service_id],
                    });
                    let Some(start) = self.execute(run, now, clinician, "step", command) else {
                        return false;
                    };
                    Self::end_episode(run, index);
                    self.open_new_allocations(run, start, true, direction == StepDirection::Up);
                    return true;
                }
                self.discharge(run, index, now, DischargeReason::TreatmentCompleted)
            }
            Ending::Decline => {
                let reason = wording::ended_support(&mut self.rng).to_string();
                let ok = self
                    .execute(run, now, clinician, "decline", Command::Decline { reason })
                    .is_some();
                run.agenda.clear();
                for episode in &mut run.episodes {
                    episode.active = false;
                }
                ok
            }
            Ending::Discharge(reason) => self.discharge(run, index, now, reason),
        }
    }

    fn discharge(
        &mut self,
        run: &mut Run<'_>,
        index: usize,
        now: i64,
        reason: DischargeReason,
    ) -> bool {
        let Some(episode) = run.episodes.get(index) else {
            return true;
        };
        let (allocation, clinician) = (episode.allocation, episode.clinician);
        let note = match reason {
            DischargeReason::TreatmentCompleted => {
                Some("Goals met; relapse-prevention plan shared with the young person and family.")
            }
            DischargeReason::DidNotEngage => {
                Some("Did not attend after two offers; GP and referrer informed.")
            }
            DischargeReason::DeclinedFurtherSupport => Some(wording::ended_support(&mut self.rng)),
            _ => None,
        };
        // Without a closing measure since the last session, the discharge says why, as a
        // clinician must (`nwd_domain::referral::measurement`).
        let without_closing_measure =
            (run.referral.has_closing_measure(allocation, &self.clock.tz) == Some(false))
                .then_some(MissingMeasure {
                    reason: match reason {
                        DischargeReason::DidNotEngage | DischargeReason::MovedOutOfArea => {
                            MissingMeasureReason::LostContact
                        }
                        DischargeReason::DeclinedFurtherSupport => MissingMeasureReason::Declined,
                        DischargeReason::TransferredToAnotherService => {
                            MissingMeasureReason::CompletedElsewhere
                        }
                        _ => MissingMeasureReason::NotClinicallyAppropriate,
                    },
                    note: None,
                });
        let command = Command::Discharge(DischargeCommand {
            allocation_id: allocation,
            reason,
            note: note.map(str::to_string),
            without_closing_measure,
        });
        let ok = self
            .execute(run, now, clinician, "discharge", command)
            .is_some();
        Self::end_episode(run, index);
        ok
    }

    pub(super) fn transition(&mut self, run: &mut Run<'_>, index: usize, at: i64) -> bool {
        let Some(episode) = run.episodes.get(index) else {
            return true;
        };
        let (allocation, clinician) = (episode.allocation, episode.clinician);
        let need_group = run.referral.need_group.unwrap_or(NeedGroup::GettingHelp);
        let young_adults = self
            .county
            .roles
            .iter()
            .position(|r| *r == Role::YoungAdults)
            .and_then(|i| self.county.services.get(i))
            .map_or("Young adults' service", |s| s.details.name.as_str());
        let rng = &mut self.rng;
        let (outcome, receiving) = match need_group {
            NeedGroup::GettingMoreHelp | NeedGroup::GettingRiskSupport => pick(
                rng,
                &[
                    (
                        (
                            TransitionOutcome::AdultService,
                            Some("Adult community mental health team"),
                        ),
                        65,
                    ),
                    (
                        (
                            TransitionOutcome::ZeroToTwentyFiveService,
                            Some(young_adults),
                        ),
                        35,
                    ),
                ],
            ),
            NeedGroup::GettingHelp => pick(
                rng,
                &[
                    (
                        (
                            TransitionOutcome::ZeroToTwentyFiveService,
                            Some(young_adults),
                        ),
                        30,
                    ),
                    (
                        (
                            TransitionOutcome::ZeroToTwentyFiveService,
                            Some("Hopfield Youth Counselling"),
                        ),
                        20,
                    ),
                    ((TransitionOutcome::Gp, None), 30),
                    ((TransitionOutcome::NoFurtherServiceNeeded, None), 20),
                ],
            ),
            _ => pick(
                rng,
                &[
                    ((TransitionOutcome::NoFurtherServiceNeeded, None), 60),
                    ((TransitionOutcome::Gp, None), 40),
                ],
            ),
        };
        let command = Command::Transition(TransitionCommand {
            allocation_id: allocation,
            outcome,
            need_group,
            receiving_service: receiving.map(str::to_string),
            note: Some("Transition planned with the young person from their notice date, by need rather than age.".to_string()),
        });
        let ok = self
            .execute(run, at, clinician, "transition", command)
            .is_some();
        Self::end_episode(run, index);
        ok
    }

    pub(super) fn add_service(&mut self, run: &mut Run<'_>, index: usize, at: i64) -> bool {
        let Some(primary) = run.episodes.get(index).map(|e| e.service) else {
            return true;
        };
        let group = run.referral.need_group.unwrap_or(NeedGroup::GettingHelp);
        let now = at.max(run.last + MINUTE);
        let seeker = self.seeker(run, now);
        let active = Self::active_services(run);
        let Some(service) = companion(self.county, &mut self.rng, group, &seeker, primary, &active)
        else {
            return true;
        };
        let Some(service_id) = self.county.services.get(service).map(|s| s.id) else {
            return true;
        };
        let clinician = run
            .episodes
            .get(index)
            .map_or("SPA duty clinician", |e| e.clinician);
        let command = Command::Allocate(AllocateCommand {
            service_id,
            reason: "Added alongside current help, agreed with the young person and family."
                .to_string(),
        });
        match self.execute(run, now, clinician, "allocate", command) {
            Some(start) => {
                self.open_new_allocations(run, start, true, false);
                true
            }
            None => false,
        }
    }
}
