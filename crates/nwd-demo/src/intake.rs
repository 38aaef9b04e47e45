//! Planning the referrals before any of them is simulated: when each arrives, from whom, how
//! urgent, why, about whom (a new person, or about one in ten an earlier one referred again),
//! and what triage will decide. Planning first lets the county size its services to the
//! demand it will see; the care simulation then plays each plan through the domain.

use nwd_domain::codes::{Priority, ReferralSource as S};
use nwd_domain::referral::{NewReferral, ReferralKind};
use rand::Rng;

use crate::calendar::{Arrivals, Clock, DAY, HOUR, MINUTE};
use crate::county::County;
use crate::draw::{chance, one_of, pick, DemoRng};
use crate::people::{Referred, Register};
use crate::referrer::{consent, referrer};
use crate::triage::{plan_triage, TriagePlan};
use crate::wording;

mod mix;

use mix::{
    PRIORITY, PRIORITY_ED, PRIORITY_POLICE, REASONS_CRISIS, REASONS_JUSTICE, REASONS_ROUTINE,
    REASONS_SCHOOL, REASONS_URGENT, SOURCES,
};

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
        details: Default::default(),
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
