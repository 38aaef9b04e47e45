//! Planning the referrals before any of them is simulated: when each arrives, from whom, how
//! urgent, why, about whom (a new person, or about one in ten an earlier one referred again),
//! and what triage will decide. Planning first lets the county size its services to the
//! demand it will see; the care simulation then plays each plan through the domain.

use nwd_domain::codes::{Priority, ReasonCode as R, ReferralSource as S};
use nwd_domain::referral::{NewReferral, ReferralKind};
use rand::Rng;

use crate::calendar::{Arrivals, Clock, DAY, HOUR, MINUTE};
use crate::county::County;
use crate::draw::{chance, one_of, pick, DemoRng};
use crate::people::{Referred, Register};
use crate::referrer::{consent, referrer};
use crate::triage::{plan_triage, TriagePlan};
use crate::wording;

/// One planned referral.
pub(crate) struct Intake {
    /// When it arrives (simulated seconds).
    pub received: i64,
    /// The person, by index in the register.
    pub person: usize,
    /// What arrives.
    pub referral: NewReferral,
    /// Who records its arrival.
    pub received_by: &'static str,
    /// The triage decision, or `None` when it is still awaiting triage at the end.
    pub triage: Option<TriagePlan>,
}

/// Who refers (MHSDS source), per thousand: GP 30%, school 22%, self 10%, parent or carer
/// 10%, social care 8%, emergency department 5%, voluntary sector 5%, youth justice 2%,
/// police 2%, transfer 2%, other 4%.
const SOURCES: [(S, u32); 11] = [
    (S::Gp, 300),
    (S::School, 220),
    (S::SelfReferral, 100),
    (S::ParentCarer, 100),
    (S::SocialCare, 80),
    (S::EmergencyDepartment, 50),
    (S::VoluntarySector, 50),
    (S::YouthJustice, 20),
    (S::Police, 20),
    (S::Transfer, 20),
    (S::Other, 40),
];

/// Priority for sources other than the emergency department and police, chosen so that the
/// overall mix is routine 80%, urgent 12%, very urgent 5%, emergency 3%.
const PRIORITY: [(Priority, u32); 4] = [
    (Priority::Emergency, 17),
    (Priority::VeryUrgent, 34),
    (Priority::Urgent, 103),
    (Priority::Routine, 846),
];
const PRIORITY_ED: [(Priority, u32); 4] = [
    (Priority::Emergency, 25),
    (Priority::VeryUrgent, 30),
    (Priority::Urgent, 35),
    (Priority::Routine, 10),
];
const PRIORITY_POLICE: [(Priority, u32); 4] = [
    (Priority::Emergency, 10),
    (Priority::VeryUrgent, 15),
    (Priority::Urgent, 35),
    (Priority::Routine, 40),
];

const REASONS_ROUTINE: [(R, u32); 20] = [
    (R::Anxiety, 240),
    (R::Depression, 130),
    (R::SuspectedAutism, 100),
    (R::SuspectedAdhd, 75),
    (R::NeurodevelopmentalExclAutism, 20),
    (R::SelfHarm, 70),
    (R::ConductDisorder, 45),
    (R::RelationshipDifficulties, 55),
    (R::AttachmentDifficulties, 25),
    (R::EatingDisorder, 30),
    (R::Ptsd, 25),
    (R::Ocd, 25),
    (R::Phobias, 15),
    (R::GenderDiscomfort, 12),
    (R::DrugAlcohol, 10),
    (R::SelfCare, 8),
    (R::AdjustmentToHealth, 10),
    (R::DiagnosedAutism, 25),
    (R::DiagnosedAdhd, 10),
    (R::InCrisis, 8),
];
const REASONS_SCHOOL: [(R, u32); 8] = [
    (R::Anxiety, 260),
    (R::SuspectedAutism, 170),
    (R::SuspectedAdhd, 140),
    (R::Depression, 100),
    (R::SelfHarm, 90),
    (R::ConductDisorder, 80),
    (R::RelationshipDifficulties, 40),
    (R::EatingDisorder, 20),
];
const REASONS_JUSTICE: [(R, u32); 6] = [
    (R::ConductDisorder, 350),
    (R::DrugAlcohol, 150),
    (R::Depression, 120),
    (R::Ptsd, 100),
    (R::SuspectedAdhd, 150),
    (R::SelfHarm, 130),
];
const REASONS_URGENT: [(R, u32); 8] = [
    (R::SelfHarm, 280),
    (R::Depression, 180),
    (R::InCrisis, 150),
    (R::EatingDisorder, 120),
    (R::Anxiety, 120),
    (R::Ptsd, 60),
    (R::FirstEpisodePsychosis, 40),
    (R::DrugAlcohol, 30),
];
const REASONS_CRISIS: [(R, u32); 5] = [
    (R::InCrisis, 400),
    (R::SelfHarm, 350),
    (R::Depression, 100),
    (R::EatingDisorder, 90),
    (R::FirstEpisodePsychosis, 60),
];

/// Plans `total` referrals over the clock's period, in the order they arrive.
pub(crate) fn plan_all(
    county: &County,
    clock: &Clock,
    register: &mut Register,
    rng: &mut DemoRng,
    total: u64,
) -> Vec<Intake> {
    let arrivals = Arrivals::new(clock);
    let mut arriving: Vec<(i64, S)> = (0..total)
        .map(|_| {
            let source = pick(rng, &SOURCES);
            let day = arrivals.day(rng);
            let mut t = clock.at(day, time_of_day(rng, source));
            if t > clock.end {
                t = clock.end - rng.gen_range(MINUTE..6 * HOUR);
            }
            (t, source)
        })
        .collect();
    arriving.sort_by_key(|(t, _)| *t);
    arriving
        .into_iter()
        .map(|(received, source)| plan_one(county, clock, register, rng, received, source))
        .collect()
}

fn time_of_day(rng: &mut DemoRng, source: S) -> i64 {
    match source {
        S::EmergencyDepartment | S::Police => rng.gen_range(0..DAY),
        S::SelfReferral | S::ParentCarer if chance(rng, 0.35) => rng.gen_range(0..DAY),
        S::SelfReferral | S::ParentCarer => rng.gen_range(7 * HOUR..22 * HOUR),
        _ => rng.gen_range(8 * HOUR + 30 * MINUTE..17 * HOUR + 30 * MINUTE),
    }
}

fn ages(source: S) -> (i16, i16) {
    match source {
        S::SelfReferral => (11, 25),
        S::ParentCarer | S::SocialCare => (0, 17),
        S::School => (4, 18),
        S::YouthJustice => (10, 17),
        S::Police => (10, 25),
        S::EmergencyDepartment => (8, 25),
        S::VoluntarySector => (5, 25),
        _ => (0, 25),
    }
}

fn plan_one(
    county: &County,
    clock: &Clock,
    register: &mut Register,
    rng: &mut DemoRng,
    received: i64,
    source: S,
) -> Intake {
    let priority = match source {
        S::EmergencyDepartment => pick(rng, &PRIORITY_ED),
        S::Police => pick(rng, &PRIORITY_POLICE),
        _ => pick(rng, &PRIORITY),
    };
    let reason = match (priority, source) {
        (Priority::Emergency | Priority::VeryUrgent, _) => pick(rng, &REASONS_CRISIS),
        (Priority::Urgent, _) => pick(rng, &REASONS_URGENT),
        (_, S::School) => pick(rng, &REASONS_SCHOOL),
        (_, S::YouthJustice) => pick(rng, &REASONS_JUSTICE),
        _ => pick(rng, &REASONS_ROUTINE),
    };
    let mut reasons = vec![reason];
    if chance(rng, 0.25) {
        let second = pick(rng, &REASONS_ROUTINE);
        if second != reason {
            reasons.push(second);
        }
    }
    let professional = !matches!(
        source,
        S::SelfReferral | S::ParentCarer | S::EmergencyDepartment | S::Transfer
    );
    let kind = if professional && priority == Priority::Routine && chance(rng, 0.13) {
        ReferralKind::AdviceRequest
    } else {
        ReferralKind::Referral
    };

    let on = clock.date_of(received);
    let age_range = ages(source);
    let existing = if chance(rng, 0.105) {
        register.rereferral(rng, received, on, age_range)
    } else {
        None
    };
    let person = match existing {
        Some(index) => index,
        None => {
            let created = register.create(
                rng,
                &Referred {
                    on,
                    end: clock.date(clock.end_day),
                    ages: age_range,
                    reason,
                    youth_justice: source == S::YouthJustice,
                },
            );
            register.add(created)
        }
    };
    // `rereferral` and `add` only hand out indexes of people in the register.
    let young_person = &register.persons[person];

    let referral = NewReferral {
        kind,
        source,
        priority,
        requested_priority: None,
        request_reason: None,
        reasons,
        presenting_needs: wording::presenting_needs(rng, reason).to_string(),
        referrer: referrer(rng, source, young_person),
        consent_to_share: consent(rng, source),
        received_at: clock.timestamp(received),
    };
    let received_by = match source {
        S::SelfReferral | S::ParentCarer if chance(rng, 0.6) => "Online referral form",
        _ => one_of(rng, &wording::RECEIVERS),
    };
    let triage = plan_triage(county, clock, rng, &referral, received, young_person);
    if let Some(last) = register.last_referred.get_mut(person) {
        *last = received;
    }
    Intake {
        received,
        person,
        referral,
        received_by,
        triage,
    }
}
