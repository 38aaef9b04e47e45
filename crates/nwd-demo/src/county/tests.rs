//! Unit test of the county's directory: every need group and the required team types are
//! covered, and every service is valid.

use super::*;
use rand::SeedableRng;

#[test]
fn every_need_group_and_the_required_team_types_are_covered_and_valid() {
    let mut county = County::build(&mut DemoRng::seed_from_u64(1), &DefaultStandards::default());
    county.size(&vec![100; county.services.len()], 52.0, 500.0);
    for group in NeedGroup::ALL {
        assert!(
            county
                .services
                .iter()
                .any(|s| s.details.need_groups.contains(group)),
            "{group:?}"
        );
    }
    for team in [
        TeamType::SinglePointOfAccess,
        TeamType::CrisisResolution,
        TeamType::CrisisLine,
        TeamType::Community,
        TeamType::EatingDisorder,
        TeamType::Neurodevelopment,
        TeamType::LookedAfterChildren,
        TeamType::YouthOffending,
        TeamType::MentalHealthSupportTeam,
        TeamType::WellbeingHub,
    ] {
        assert!(
            county.services.iter().any(|s| s.details.team_type == team),
            "{team:?}"
        );
    }
    for service in &county.services {
        assert!(
            service.details.validate().is_empty(),
            "{}",
            service.details.name
        );
        assert!(service.details.capacity.slots_per_week > 0);
        assert!(county
            .organisations
            .iter()
            .any(|o| o.id == service.details.organisation_id));
    }
}
