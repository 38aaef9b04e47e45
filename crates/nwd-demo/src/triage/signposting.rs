//! Signposting at triage ([`Signposting`]): a named destination from the county's directory,
//! weighted by the young person's age (online support and counselling from 11), some with a
//! warm handover; or the crisis line, or a family session at the wellbeing hub.

use crate::county::{County, Role};
use crate::draw::{chance, one_of, pick, DemoRng};
use crate::routing::Seeker;
use crate::wording;

/// A named signposting destination.
pub(crate) struct Signposting {
    pub name: String,
    pub service: Option<usize>,
    pub warm: bool,
}

fn named(county: &County, role: Role) -> Option<(usize, String)> {
    county
        .roles
        .iter()
        .position(|r| *r == role)
        .and_then(|i| county.services.get(i).map(|s| (i, s.details.name.clone())))
}

pub(super) fn signposting(county: &County, rng: &mut DemoRng, seeker: &Seeker<'_>) -> Signposting {
    let warm = chance(rng, 0.35);
    let role = pick(
        rng,
        &[
            (Some(Role::Online), if seeker.age >= 11 { 20 } else { 0 }),
            (
                Some(Role::Counselling),
                if seeker.age >= 11 { 12 } else { 0 },
            ),
            (Some(Role::WellbeingHub), 15),
            (
                Some(Role::YoungCarers),
                if seeker.flags.young_carer { 30 } else { 0 },
            ),
            (None, 50),
        ],
    );
    match role.and_then(|r| named(county, r)) {
        Some((service, name)) => Signposting {
            name,
            service: Some(service),
            warm,
        },
        None => Signposting {
            name: one_of(rng, &wording::EXTERNAL_SIGNPOSTS).to_string(),
            service: None,
            warm,
        },
    }
}

pub(super) fn crisis_line(county: &County) -> Signposting {
    let found = named(county, Role::CrisisLine);
    Signposting {
        name: found
            .as_ref()
            .map_or_else(|| "24/7 crisis line".to_string(), |(_, n)| n.clone()),
        service: found.map(|(i, _)| i),
        warm: true,
    }
}

pub(super) fn family_session(county: &County) -> Signposting {
    let found = named(county, Role::WellbeingHub);
    Signposting {
        name: found.as_ref().map_or_else(
            || "Family wellbeing session".to_string(),
            |(_, n)| format!("{n}: session with a parent or carer"),
        ),
        service: found.map(|(i, _)| i),
        warm: true,
    }
}
