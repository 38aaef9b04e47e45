//! The target of a step up or down: the new need group and a service that takes the young
//! person at it, never one the referral is allocated to now (the domain refuses to allocate
//! any of them again in the same step), or `None` when nothing fits.

use nwd_domain::codes::ReasonCode;
use nwd_domain::need::{NeedGroup, StepDirection};

use crate::county::{County, Role};
use crate::draw::{chance, DemoRng};

use NeedGroup::{GettingAdvice, GettingHelp, GettingMoreHelp, GettingRiskSupport, Thriving};

use super::{choose, Seeker};

/// The new need group and service for a step, or `None` when nothing fits (the episode then
/// ends in an ordinary discharge). `active` are services the referral is allocated to now:
/// the domain refuses to allocate any of them again in the same step.
pub(crate) fn step_target(
    county: &County,
    rng: &mut DemoRng,
    direction: StepDirection,
    from: NeedGroup,
    seeker: &Seeker<'_>,
    active: &[usize],
) -> Option<(NeedGroup, usize)> {
    let targets: &[NeedGroup] = match (direction, from) {
        (StepDirection::Up, Thriving | GettingAdvice) => &[GettingHelp, GettingMoreHelp],
        (StepDirection::Up, GettingHelp) => &[GettingMoreHelp, GettingRiskSupport],
        (StepDirection::Up, GettingMoreHelp) => &[GettingRiskSupport],
        (StepDirection::Up, GettingRiskSupport) => &[],
        (StepDirection::Down, GettingRiskSupport) => &[GettingMoreHelp, GettingHelp],
        (StepDirection::Down, GettingMoreHelp) => &[GettingHelp, GettingAdvice],
        (StepDirection::Down, GettingHelp) => &[GettingAdvice],
        (StepDirection::Down, GettingAdvice) => &[Thriving],
        (StepDirection::Down, Thriving) => &[],
    };
    let ed = if seeker.reason == ReasonCode::EatingDisorder {
        100
    } else {
        0
    };
    let lac = if seeker.flags.looked_after { 60 } else { 0 };
    let start = usize::from(targets.len() > 1 && chance(rng, 0.35));
    for to in targets.iter().cycle().skip(start).take(targets.len()) {
        let roles: &[(Role, u32)] = match (direction, to) {
            (StepDirection::Up, GettingHelp) => &[
                (Role::Community, 70),
                (Role::YoungAdults, 70),
                (Role::Counselling, 15),
                (Role::CreativeTherapies, 10),
            ],
            (StepDirection::Up, GettingMoreHelp) | (StepDirection::Down, GettingMoreHelp) => &[
                (Role::Community, 80),
                (Role::YoungAdults, 80),
                (Role::EatingDisorders, ed),
                (Role::LookedAfter, lac),
            ],
            (_, GettingRiskSupport) => &[
                (Role::CrisisHomeTreatment, 80),
                (Role::CrisisLine, 20),
                (Role::YoungAdults, 50),
            ],
            (StepDirection::Down, GettingHelp) => &[
                (Role::SchoolTeam, 30),
                (Role::Counselling, 25),
                (Role::WellbeingHub, 15),
                (Role::Community, 30),
                (Role::YoungAdults, 30),
                (Role::CreativeTherapies, 10),
            ],
            (_, GettingAdvice) => &[
                (Role::SchoolTeam, 30),
                (Role::WellbeingHub, 30),
                (Role::Online, 30),
                (Role::Counselling, 10),
            ],
            (_, Thriving) => &[(Role::WellbeingHub, 50), (Role::Online, 50)],
        };
        if let Some(service) = choose(county, rng, roles, *to, seeker, active) {
            return Some((*to, service));
        }
    }
    None
}
