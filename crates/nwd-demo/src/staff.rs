//! The demo county's staff (issue 17): a team for each kind of work and one made-up member
//! of staff for every role a newcomer may want to try — a triage clinician at the single
//! point of access, a clinician and a team manager in a community team, a commissioner, an
//! administrator, a privacy officer, and an external referrer at a school. Pure: a plan the
//! caller writes through the store (`Store::create_demo_staff`). Every name is invented.

use nwd_domain::authz::Role;
use nwd_domain::directory::{Organisation, Service};
use nwd_domain::{OrganisationId, ServiceId};

use crate::county::{ORGANISATIONS, SERVICES};

/// What a demo team is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffTeamKind {
    /// The single point of access (relates to every open referral).
    SinglePointOfAccess,
    /// A service's team (relates to the people allocated to the service).
    Service(ServiceId),
    /// Commissioning, administration, governance, a referrer's team: relates to nobody.
    Other,
}

/// One demo team and its members.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffTeam {
    /// Its organisation.
    pub organisation: OrganisationId,
    /// Its name.
    pub name: &'static str,
    /// Its kind.
    pub kind: StaffTeamKind,
    /// Its members.
    pub members: Vec<StaffMember>,
}

/// One made-up member of staff with one role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StaffMember {
    /// Sign-in name.
    pub username: &'static str,
    /// Shown name (invented).
    pub display_name: &'static str,
    /// Role in the team.
    pub role: Role,
}

/// Every role the demo offers one-click sign-in for, in the order the sign-in page lists
/// them, with how the page names it ("Sign in as a demo …").
pub const DEMO_ROLES: [(Role, &str); 7] = [
    (Role::Triage, "triage clinician"),
    (Role::Clinician, "service clinician"),
    (Role::TeamManager, "team manager"),
    (Role::Commissioner, "commissioner"),
    (Role::Administrator, "administrator"),
    (Role::PrivacyOfficer, "privacy officer"),
    (Role::ExternalReferrer, "external referrer"),
];

/// How the demo names a role ("triage clinician"), or `None` for a role it has no account for.
pub fn demo_role_label(role: Role) -> Option<&'static str> {
    DEMO_ROLES
        .iter()
        .find(|(r, _)| *r == role)
        .map(|(_, label)| *label)
}

const ICB: usize = 0;
const TRUST: usize = 2;
const SCHOOLS: usize = 7;
/// `SERVICES` index of the community team for north and west Kent.
const COMMUNITY_WEST: usize = 3;

fn member(username: &'static str, display_name: &'static str, role: Role) -> StaffMember {
    StaffMember {
        username,
        display_name,
        role,
    }
}

/// The demo's teams and staff for the directory `organisations` and `services` (as
/// `crate::generate` made them: found by name, so a directory without one of them gets no
/// team there). One account per role in [`DEMO_ROLES`].
pub fn staff(organisations: &[Organisation], services: &[Service]) -> Vec<StaffTeam> {
    let organisation = |index: usize| {
        let name = ORGANISATIONS.get(index).map(|o| o.name)?;
        organisations
            .iter()
            .find(|o| o.details.name == name)
            .map(|o| o.id)
    };
    let service = |index: usize| {
        let name = SERVICES.get(index).map(|s| s.name)?;
        services.iter().find(|s| s.details.name == name)
    };
    let mut teams = Vec::new();
    if let Some(trust) = organisation(TRUST) {
        teams.push(StaffTeam {
            organisation: trust,
            name: "Single point of access",
            kind: StaffTeamKind::SinglePointOfAccess,
            members: vec![member("demo.triage", "Rowan Ashdown", Role::Triage)],
        });
        if let Some(community) = service(COMMUNITY_WEST) {
            teams.push(StaffTeam {
                organisation: community.details.organisation_id,
                name: "Community team – North and West Kent",
                kind: StaffTeamKind::Service(community.id),
                members: vec![
                    member("demo.clinician", "Morgan Fairleigh", Role::Clinician),
                    member("demo.manager", "Jordan Pellow", Role::TeamManager),
                ],
            });
        }
        teams.push(StaffTeam {
            organisation: trust,
            name: "Information governance",
            kind: StaffTeamKind::Other,
            members: vec![member(
                "demo.privacy",
                "Casey Thornbury",
                Role::PrivacyOfficer,
            )],
        });
    }
    if let Some(icb) = organisation(ICB) {
        teams.push(StaffTeam {
            organisation: icb,
            name: "Children's commissioning",
            kind: StaffTeamKind::Other,
            members: vec![member(
                "demo.commissioner",
                "Avery Stonebridge",
                Role::Commissioner,
            )],
        });
        teams.push(StaffTeam {
            organisation: icb,
            name: "Administration",
            kind: StaffTeamKind::Other,
            members: vec![member("demo.admin", "Robin Harcastle", Role::Administrator)],
        });
    }
    if let Some(schools) = organisation(SCHOOLS) {
        teams.push(StaffTeam {
            organisation: schools,
            name: "Safeguarding – Maidstone schools",
            kind: StaffTeamKind::Other,
            members: vec![member(
                "demo.referrer",
                "Sasha Brenchley",
                Role::ExternalReferrer,
            )],
        });
    }
    teams
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_county_has_one_member_of_staff_for_every_demo_role_in_a_fitting_team() {
        let data = &crate::tests::fixture().0;
        let teams = staff(&data.organisations, &data.services);
        let members: Vec<(&StaffTeam, &StaffMember)> = teams
            .iter()
            .flat_map(|t| t.members.iter().map(move |m| (t, m)))
            .collect();
        for (role, _) in DEMO_ROLES {
            let holders: Vec<_> = members.iter().filter(|(_, m)| m.role == role).collect();
            assert_eq!(holders.len(), 1, "{role:?}");
        }
        assert_eq!(members.len(), DEMO_ROLES.len());
        for (team, m) in &members {
            assert!(
                data.organisations.iter().any(|o| o.id == team.organisation),
                "{}",
                team.name
            );
            match m.role {
                Role::Triage => assert_eq!(team.kind, StaffTeamKind::SinglePointOfAccess),
                Role::Clinician | Role::TeamManager => {
                    let StaffTeamKind::Service(id) = team.kind else {
                        panic!("{:?} not in a service team", m.role)
                    };
                    assert!(data.services.iter().any(|s| s.id == id));
                }
                _ => assert_eq!(team.kind, StaffTeamKind::Other, "{:?}", m.role),
            }
        }
        let mut usernames: Vec<_> = members.iter().map(|(_, m)| m.username).collect();
        usernames.sort_unstable();
        usernames.dedup();
        assert_eq!(usernames.len(), DEMO_ROLES.len());
    }
}
