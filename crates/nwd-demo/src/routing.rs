//! Which service a young person goes to: at triage by need group (specialist pathways first,
//! then a weighted choice among the services that serve that group, age and postcode), a
//! concurrent second service, and the target of a step up or down.
//!
//! Every choice is checked against the directory the way the domain will check it (need
//! group and age), plus the service's areas, so the domain never has to refuse it.

use nwd_domain::codes::ReasonCode;
use nwd_domain::need::NeedGroup;
use nwd_domain::person::PersonFlags;
use nwd_domain::Postcode;

use crate::county::{County, Role};
use crate::draw::{chance, pick, pick_weighted, DemoRng};

use NeedGroup::{GettingAdvice, GettingHelp, GettingMoreHelp, GettingRiskSupport, Thriving};

mod step;

pub(crate) use step::step_target;

/// The young person as routing sees them at the moment of the decision.
pub(crate) struct Seeker<'p> {
    pub age: i16,
    pub postcode: Option<&'p Postcode>,
    pub flags: &'p PersonFlags,
    pub reason: ReasonCode,
    pub youth_justice_source: bool,
}

impl Seeker<'_> {
    fn neurodevelopmental(&self) -> bool {
        matches!(
            self.reason,
            ReasonCode::SuspectedAutism
                | ReasonCode::SuspectedAdhd
                | ReasonCode::NeurodevelopmentalExclAutism
                | ReasonCode::Neurodevelopmental
        )
    }
}

/// True when the service serves this group, this age and this postcode.
pub(crate) fn eligible(
    county: &County,
    index: usize,
    group: NeedGroup,
    seeker: &Seeker<'_>,
) -> bool {
    county.services.get(index).is_some_and(|service| {
        let details = &service.details;
        details.need_groups.contains(&group)
            && details.serves_age(seeker.age)
            && seeker.postcode.is_none_or(|p| details.covers(p))
            && county.role(index) != Role::SinglePointOfAccess
    })
}

/// A weighted choice among eligible services whose role is in `roles`, skipping `exclude`.
fn choose(
    county: &County,
    rng: &mut DemoRng,
    roles: &[(Role, u32)],
    group: NeedGroup,
    seeker: &Seeker<'_>,
    exclude: &[usize],
) -> Option<usize> {
    let mut candidates: Vec<(usize, u32)> = Vec::with_capacity(4);
    for index in 0..county.services.len() {
        if exclude.contains(&index) || !eligible(county, index, group, seeker) {
            continue;
        }
        let role = county.role(index);
        let weight: u32 = roles
            .iter()
            .filter(|(r, _)| *r == role)
            .map(|(_, w)| *w)
            .sum();
        if weight > 0 {
            candidates.push((index, weight));
        }
    }
    pick_weighted(rng, &candidates)
}

fn any_eligible(
    county: &County,
    group: NeedGroup,
    seeker: &Seeker<'_>,
    exclude: &[usize],
) -> Option<usize> {
    (0..county.services.len()).find(|i| !exclude.contains(i) && eligible(county, *i, group, seeker))
}

/// The service triage allocates to for this need group.
pub(crate) fn first_choice(
    county: &County,
    rng: &mut DemoRng,
    group: NeedGroup,
    seeker: &Seeker<'_>,
) -> Option<usize> {
    let carer = if seeker.flags.young_carer { 40 } else { 0 };
    let specialist: Option<&[(Role, u32)]> = match group {
        _ if seeker.reason == ReasonCode::EatingDisorder => Some(&[(Role::EatingDisorders, 1)]),
        GettingHelp | GettingMoreHelp if seeker.neurodevelopmental() => {
            Some(&[(Role::Neurodevelopment, 1)])
        }
        GettingHelp | GettingMoreHelp | GettingRiskSupport
            if seeker.flags.looked_after && chance(rng, 0.65) =>
        {
            Some(&[(Role::LookedAfter, 1)])
        }
        GettingHelp | GettingMoreHelp | GettingRiskSupport
            if (seeker.youth_justice_source || seeker.flags.youth_justice) && chance(rng, 0.65) =>
        {
            Some(&[(Role::YouthJustice, 1)])
        }
        _ => None,
    };
    if let Some(found) = specialist.and_then(|roles| choose(county, rng, roles, group, seeker, &[]))
    {
        return Some(found);
    }
    let general: &[(Role, u32)] = match group {
        Thriving => &[
            (Role::WellbeingHub, 50),
            (Role::Online, 30),
            (Role::SchoolTeam, 20),
            (Role::YoungCarers, carer),
        ],
        GettingAdvice => &[
            (Role::SchoolTeam, 35),
            (Role::WellbeingHub, 25),
            (Role::Online, 25),
            (Role::Counselling, 10),
            (Role::YoungCarers, carer),
        ],
        GettingHelp => &[
            (Role::Community, 40),
            (Role::SchoolTeam, 25),
            (Role::Counselling, 15),
            (Role::WellbeingHub, 8),
            (Role::Online, 6),
            (
                Role::HealthNeedsEducation,
                if seeker.flags.send_ehcp { 5 } else { 1 },
            ),
            (Role::CreativeTherapies, 3),
            (Role::YoungAdults, 60),
            (Role::YoungCarers, carer / 2),
        ],
        GettingMoreHelp => &[
            (Role::Community, 85),
            (Role::YoungAdults, 85),
            (Role::CreativeTherapies, 4),
        ],
        GettingRiskSupport => &[
            (Role::CrisisHomeTreatment, 80),
            (Role::CrisisLine, 20),
            (Role::YoungAdults, 50),
        ],
    };
    choose(county, rng, general, group, seeker, &[])
        .or_else(|| any_eligible(county, group, seeker, &[]))
}

/// A second, concurrent service for the same need group (e.g. creative therapy alongside a
/// community team), never one of `exclude` nor of the same role as `primary`.
pub(crate) fn companion(
    county: &County,
    rng: &mut DemoRng,
    group: NeedGroup,
    seeker: &Seeker<'_>,
    primary: usize,
    exclude: &[usize],
) -> Option<usize> {
    let primary_role = county.role(primary);
    let roles: Vec<(Role, u32)> = [
        (Role::CreativeTherapies, 30),
        (Role::SchoolTeam, 25),
        (Role::Counselling, 15),
        (
            Role::YoungCarers,
            if seeker.flags.young_carer { 40 } else { 0 },
        ),
        (Role::WellbeingHub, 10),
        (
            Role::CrisisLine,
            if group == GettingRiskSupport { 30 } else { 0 },
        ),
    ]
    .into_iter()
    .filter(|(role, _)| *role != primary_role)
    .collect();
    let mut skip = exclude.to_vec();
    skip.push(primary);
    choose(county, rng, &roles, group, seeker, &skip)
}

/// The THRIVE group triage agrees for a referral (before any signposting decision).
pub(crate) fn need_group(
    rng: &mut DemoRng,
    priority: nwd_domain::codes::Priority,
    reason: ReasonCode,
) -> NeedGroup {
    use nwd_domain::codes::Priority;
    match (priority, reason) {
        (Priority::Emergency | Priority::VeryUrgent, _) => GettingRiskSupport,
        (Priority::Urgent, ReasonCode::InCrisis) => GettingRiskSupport,
        (Priority::Urgent, _) => pick(
            rng,
            &[
                (GettingMoreHelp, 55),
                (GettingHelp, 35),
                (GettingRiskSupport, 10),
            ],
        ),
        (_, ReasonCode::EatingDisorder) => pick(rng, &[(GettingHelp, 50), (GettingMoreHelp, 50)]),
        (
            _,
            ReasonCode::FirstEpisodePsychosis | ReasonCode::OngoingPsychosis | ReasonCode::Bipolar,
        ) => GettingMoreHelp,
        (_, ReasonCode::InCrisis) => pick(rng, &[(GettingRiskSupport, 50), (GettingMoreHelp, 50)]),
        (
            _,
            ReasonCode::SuspectedAutism
            | ReasonCode::SuspectedAdhd
            | ReasonCode::NeurodevelopmentalExclAutism,
        ) => pick(rng, &[(GettingHelp, 75), (GettingMoreHelp, 25)]),
        _ => pick(
            rng,
            &[
                (GettingAdvice, 28),
                (GettingHelp, 52),
                (GettingMoreHelp, 17),
                (Thriving, 3),
            ],
        ),
    }
}
