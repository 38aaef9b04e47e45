//! What the single point of access decides for each planned referral: the THRIVE group
//! agreed, the risk, and the destination — advice to a professional, a named signposting
//! (some with a warm handover), declined, or one or two services chosen by need, age and
//! area. Under-16 self-referrals get a Gillick competence decision recorded with the triage.

use nwd_domain::codes::{Priority, ReasonCode as R, ReferralSource as S};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::{CompetenceDecision, Person};
use nwd_domain::referral::{DestinationRequest, NewReferral, ReferralKind, TriageCommand};
use rand::Rng;
use rand_distr::{Distribution, Exp1};

use crate::calendar::{Clock, HOUR, MINUTE};
use crate::county::County;
use crate::draw::{chance, one_of, pick, DemoRng};
use crate::routing::{companion, first_choice, need_group, Seeker};
use crate::wording;

mod signposting;

pub(crate) use signposting::Signposting;
use signposting::{crisis_line, family_session, signposting};

/// What triage will decide, and when.
pub(crate) struct TriagePlan {
    pub at: i64,
    pub by: &'static str,
    pub need_group: NeedGroup,
    pub risk: RiskLevel,
    pub rationale: &'static str,
    pub preference: Option<&'static str>,
    pub competence: Option<CompetenceDecision>,
    pub outcome: TriageOutcome,
}

/// Where triage sends the referral.
pub(crate) enum TriageOutcome {
    /// Advice given to a professional (advice requests), perhaps with a signposting.
    Advice(&'static str, Option<Signposting>),
    /// Signposted to a named destination.
    Signposted(Signposting),
    /// The young person or family declined.
    Declined(&'static str),
    /// Allocated to one or two services (indexes into the county's services).
    Allocate(Vec<usize>),
}

impl TriagePlan {
    /// The domain command for this decision.
    pub(crate) fn command(&self, county: &County) -> TriageCommand {
        let signpost = |s: &Signposting| DestinationRequest::Signpost {
            name: s.name.clone(),
            service_id: s
                .service
                .and_then(|i| county.services.get(i))
                .map(|svc| svc.id),
            warm_handover: s.warm,
            // A warm handover is a person-to-person introduction: the record keeps its note.
            handover_note: s.warm.then(|| {
                format!(
                    "Introduced by phone to {}; they will contact the family within a week.",
                    s.name
                )
            }),
        };
        let destinations = match &self.outcome {
            TriageOutcome::Advice(summary, extra) => {
                let mut list = vec![DestinationRequest::AdviceGiven {
                    summary: (*summary).to_string(),
                }];
                list.extend(extra.as_ref().map(signpost));
                list
            }
            TriageOutcome::Signposted(s) => vec![signpost(s)],
            TriageOutcome::Declined(reason) => vec![DestinationRequest::Declined {
                reason: (*reason).to_string(),
            }],
            TriageOutcome::Allocate(services) => services
                .iter()
                .filter_map(|i| county.services.get(*i))
                .map(|s| DestinationRequest::Allocate { service_id: s.id })
                .collect(),
        };
        TriageCommand {
            need_group: self.need_group,
            risk: self.risk,
            priority: None,
            risk_review_on: None,
            rationale: self.rationale.to_string(),
            preference: self.preference.map(str::to_string),
            destinations,
            competence: self.competence.clone(),
        }
    }
}

pub(crate) fn plan_triage(
    county: &County,
    clock: &Clock,
    rng: &mut DemoRng,
    referral: &NewReferral,
    received: i64,
    person: &Person,
) -> Option<TriagePlan> {
    let at = triage_time(clock, rng, referral, received);
    if at > clock.end {
        return None;
    }
    let reason = referral.reasons.first().copied().unwrap_or(R::Anxiety);
    let details = &person.details;
    let age = details.age_on(clock.exact_date(at));
    let seeker = Seeker {
        age,
        postcode: details.postcode.as_ref(),
        flags: &details.flags,
        reason,
        youth_justice_source: referral.source == S::YouthJustice,
    };
    let by = one_of(rng, &wording::TRIAGE_STAFF);
    let competence = (referral.source == S::SelfReferral
        && details.age_on(clock.exact_date(received)) < nwd_domain::referral::command::GILLICK_AGE)
        .then(|| competence_decision(rng, by));
    let competent = competence.as_ref().is_none_or(|c| c.competent);

    let mut need_group = need_group(rng, referral.priority, reason);
    let outcome = if referral.kind == ReferralKind::AdviceRequest {
        need_group = NeedGroup::GettingAdvice;
        let extra = chance(rng, 0.25).then(|| signposting(county, rng, &seeker));
        TriageOutcome::Advice(wording::advice(rng), extra)
    } else {
        let signpost_share = if referral.priority == Priority::Routine {
            0.29
        } else {
            0.05
        };
        let ticket: f64 = rng.gen();
        if ticket < 0.02 {
            TriageOutcome::Declined(wording::declined(rng))
        } else if ticket < 0.02 + signpost_share || !competent {
            if need_group == NeedGroup::GettingRiskSupport {
                TriageOutcome::Signposted(crisis_line(county))
            } else {
                need_group = pick(
                    rng,
                    &[
                        (NeedGroup::GettingAdvice, 60),
                        (NeedGroup::Thriving, 15),
                        (need_group, 25),
                    ],
                );
                TriageOutcome::Signposted(if competent {
                    signposting(county, rng, &seeker)
                } else {
                    family_session(county)
                })
            }
        } else {
            match first_choice(county, rng, need_group, &seeker) {
                Some(primary) => {
                    let mut services = vec![primary];
                    if chance(rng, 0.07) {
                        services.extend(companion(county, rng, need_group, &seeker, primary, &[]));
                    }
                    TriageOutcome::Allocate(services)
                }
                None => TriageOutcome::Signposted(signposting(county, rng, &seeker)),
            }
        }
    };
    let risk = match need_group {
        NeedGroup::GettingRiskSupport if referral.priority == Priority::Emergency => {
            RiskLevel::Immediate
        }
        NeedGroup::GettingRiskSupport => {
            pick(rng, &[(RiskLevel::High, 70), (RiskLevel::Immediate, 30)])
        }
        NeedGroup::GettingMoreHelp => pick(rng, &[(RiskLevel::Medium, 60), (RiskLevel::High, 40)]),
        NeedGroup::GettingHelp => pick(rng, &[(RiskLevel::Low, 55), (RiskLevel::Medium, 45)]),
        _ => RiskLevel::Low,
    };
    Some(TriagePlan {
        at,
        by,
        need_group,
        risk,
        rationale: wording::rationale(rng, need_group),
        preference: wording::preference(rng),
        competence,
        outcome,
    })
}

/// When triage happens: within the hour for emergencies, hours for very urgent and urgent
/// referrals, working days for routine ones (sometimes weeks, when information is chased).
fn triage_time(clock: &Clock, rng: &mut DemoRng, referral: &NewReferral, received: i64) -> i64 {
    let after = match referral.priority {
        Priority::Emergency => rng.gen_range(10 * MINUTE..HOUR),
        Priority::VeryUrgent => rng.gen_range(30 * MINUTE..4 * HOUR),
        Priority::Urgent => rng.gen_range(2 * HOUR..24 * HOUR),
        Priority::Routine => {
            let exp: f64 = Exp1.sample(rng);
            #[expect(clippy::cast_possible_truncation, reason = "a few days")]
            let mut days = 1 + (exp * 2.5) as i64;
            if referral.kind == ReferralKind::Referral && chance(rng, 0.06) {
                days += rng.gen_range(7..22);
            }
            let day = clock.day_of(received) + days;
            return clock.working_time(rng, day);
        }
    };
    received + after
}

fn competence_decision(rng: &mut DemoRng, by: &str) -> CompetenceDecision {
    let competent = chance(rng, 0.9);
    CompetenceDecision {
        competent,
        assessed_by: by.to_string(),
        rationale: if competent {
            "Understands the help on offer, its benefits and risks, and can say what they want from it.".to_string()
        } else {
            "Could not yet weigh up the options; agreed to involve a parent or carer.".to_string()
        },
    }
}
