//! The synthetic county's service directory, shaped like the seeds' Kent: a lead-commissioner
//! ICB, a county council, an NHS trust running the single point of access and the
//! specialist teams, voluntary groups, school mental health support teams run by academy
//! trusts, and one online provider. Every name except the area-shaped public bodies is
//! invented.
//!
//! Each service has a [`Role`] (how triage and step changes route to it) and a
//! [`CareProfile`](crate::profile::CareProfile). Capacity is sized after the referrals are
//! planned ([`County::size`]): commissioners size services to expected demand, except the
//! neurodevelopmental pathway, which runs under capacity as Kent's 2019 decision describes.

use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::directory::{
    Capacity, Organisation, OrganisationDetails, OrganisationKind, Service, ServiceDetails,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::standards::DefaultStandards;
use nwd_domain::{OrganisationId, ServiceId};

use crate::draw::{uuid, DemoRng};
use crate::profile::profile;

/// What a service is for, as far as routing is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The single point of access itself (triages; never allocated to).
    SinglePointOfAccess,
    /// Crisis resolution and home treatment, under 18s.
    CrisisHomeTreatment,
    /// The 24/7 crisis line, all ages.
    CrisisLine,
    /// Community CYP mental health team for part of the county.
    Community,
    /// Community eating disorders service.
    EatingDisorders,
    /// Neurodevelopmental assessment pathway.
    Neurodevelopment,
    /// Looked-after children's mental health.
    LookedAfter,
    /// Youth justice emotional health.
    YouthJustice,
    /// A school mental health support team.
    SchoolTeam,
    /// Mental health in education (health needs education).
    HealthNeedsEducation,
    /// Voluntary counselling, 11–25.
    Counselling,
    /// Wellbeing hub, 0–25.
    WellbeingHub,
    /// Online support, 11–25.
    Online,
    /// Young adults' service, 18–25.
    YoungAdults,
    /// Creative therapies from a voluntary group.
    CreativeTherapies,
    /// Young carers' emotional support.
    YoungCarers,
}

/// The directory plus what the generator needs to route to it.
pub(crate) struct County {
    pub organisations: Vec<Organisation>,
    pub services: Vec<Service>,
    /// `roles[i]` is the role of `services[i]`.
    pub roles: Vec<Role>,
}

pub(crate) struct OrgSpec {
    pub(crate) name: &'static str,
    kind: OrganisationKind,
}

pub(crate) const ORGANISATIONS: [OrgSpec; 11] = [
    org("Kent and Medway ICB", OrganisationKind::IntegratedCareBoard),
    org("Kent County Council", OrganisationKind::LocalAuthority),
    org(
        "Weald and Coast NHS Foundation Trust",
        OrganisationKind::NhsTrust,
    ),
    org(
        "Hopfield Youth Counselling",
        OrganisationKind::VoluntaryCommunity,
    ),
    org(
        "Saltmarsh Family Wellbeing",
        OrganisationKind::VoluntaryCommunity,
    ),
    org(
        "Wealdway Creative Therapies",
        OrganisationKind::VoluntaryCommunity,
    ),
    org(
        "Stourside Young Carers Project",
        OrganisationKind::VoluntaryCommunity,
    ),
    org(
        "Medway Valley Learning Trust",
        OrganisationKind::SchoolOrAcademyTrust,
    ),
    org(
        "Three Shores Academy Trust",
        OrganisationKind::SchoolOrAcademyTrust,
    ),
    org(
        "Downland Schools Partnership",
        OrganisationKind::SchoolOrAcademyTrust,
    ),
    org(
        "Clearwater Online Wellbeing",
        OrganisationKind::OnlineProvider,
    ),
];

const fn org(name: &'static str, kind: OrganisationKind) -> OrgSpec {
    OrgSpec { name, kind }
}

/// Organisation indexes into [`ORGANISATIONS`].
const COUNCIL: usize = 1;
const TRUST: usize = 2;
const COUNSELLING_CHARITY: usize = 3;
const FAMILY_CHARITY: usize = 4;
const CREATIVE_CHARITY: usize = 5;
const CARERS_CHARITY: usize = 6;
const VALLEY_TRUST: usize = 7;
const SHORES_TRUST: usize = 8;
const DOWNLAND_TRUST: usize = 9;
const ONLINE: usize = 10;

use NeedGroup::{GettingAdvice, GettingHelp, GettingMoreHelp, GettingRiskSupport, Thriving};

pub(crate) struct ServiceSpec {
    org: usize,
    role: Role,
    pub(crate) name: &'static str,
    description: &'static str,
    team_type: TeamType,
    groups: &'static [NeedGroup],
    ages: (i16, i16),
    areas: &'static [&'static str],
    self_referral: bool,
    modes: &'static [DeliveryMode],
}

const IN_PERSON: &[DeliveryMode] = &[
    DeliveryMode::FaceToFace,
    DeliveryMode::Telephone,
    DeliveryMode::Online,
];
const WEST: &[&str] = &[
    "ME", "DA1", "DA2", "DA3", "DA4", "DA9", "DA10", "DA11", "DA12", "DA13", "TN1", "TN2", "TN3",
    "TN4", "TN8", "TN9", "TN10", "TN11", "TN12", "TN13", "TN14", "TN15", "TN16", "TN17", "TN18",
];
const EAST: &[&str] = &[
    "CT", "TN23", "TN24", "TN25", "TN26", "TN27", "TN28", "TN29", "TN30",
];

pub(crate) const SERVICES: [ServiceSpec; 21] = [
    ServiceSpec { org: TRUST, role: Role::SinglePointOfAccess, name: "Children and Young People's Single Point of Access",
        description: "One door for referrals, advice, consultation and self-referral for 0–25s across the county.",
        team_type: TeamType::SinglePointOfAccess, groups: &[Thriving, GettingAdvice, GettingHelp, GettingMoreHelp, GettingRiskSupport],
        ages: (0, 25), areas: &[], self_referral: true, modes: IN_PERSON },
    ServiceSpec { org: TRUST, role: Role::CrisisHomeTreatment, name: "CYP Crisis Resolution and Home Treatment",
        description: "Urgent assessment and intensive home treatment for under-18s in crisis, 24/7.",
        team_type: TeamType::CrisisResolution, groups: &[GettingRiskSupport, GettingMoreHelp],
        ages: (0, 17), areas: &[], self_referral: false, modes: &[DeliveryMode::FaceToFace, DeliveryMode::Telephone] },
    ServiceSpec { org: TRUST, role: Role::CrisisLine, name: "24/7 Mental Health Crisis Line (0–25)",
        description: "Round-the-clock telephone and text support for young people in crisis and their families.",
        team_type: TeamType::CrisisLine, groups: &[GettingRiskSupport, GettingAdvice],
        ages: (0, 25), areas: &[], self_referral: true, modes: &[DeliveryMode::Telephone, DeliveryMode::Text] },
    ServiceSpec { org: TRUST, role: Role::Community, name: "Community CYPMHS – North and West Kent",
        description: "Goal-based, evidence-based help for children and young people up to 18 in north and west Kent.",
        team_type: TeamType::Community, groups: &[GettingHelp, GettingMoreHelp],
        ages: (0, 17), areas: WEST, self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: TRUST, role: Role::Community, name: "Community CYPMHS – East Kent",
        description: "Goal-based, evidence-based help for children and young people up to 18 in east Kent.",
        team_type: TeamType::Community, groups: &[GettingHelp, GettingMoreHelp],
        ages: (0, 17), areas: EAST, self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: TRUST, role: Role::EatingDisorders, name: "Children's Eating Disorders Service",
        description: "Assessment and family-based treatment for eating disorders; self-referral welcome.",
        team_type: TeamType::EatingDisorder, groups: &[GettingHelp, GettingMoreHelp, GettingRiskSupport],
        ages: (6, 17), areas: &[], self_referral: true, modes: IN_PERSON },
    ServiceSpec { org: TRUST, role: Role::Neurodevelopment, name: "Neurodevelopmental Assessment Pathway",
        description: "Autism and ADHD assessment for under-18s. Demand far exceeds capacity: expect a long wait.",
        team_type: TeamType::Neurodevelopment, groups: &[GettingHelp, GettingMoreHelp],
        ages: (0, 17), areas: &[], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: TRUST, role: Role::LookedAfter, name: "Looked-After Children's Mental Health Team",
        description: "Priority assessments and therapy for children in care, with their carers and social workers.",
        team_type: TeamType::LookedAfterChildren, groups: &[GettingHelp, GettingMoreHelp, GettingRiskSupport],
        ages: (0, 17), areas: &[], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: COUNCIL, role: Role::YouthJustice, name: "Youth Justice Emotional Health Service",
        description: "Emotional health support for young people known to youth justice.",
        team_type: TeamType::YouthOffending, groups: &[GettingHelp, GettingMoreHelp, GettingRiskSupport],
        ages: (10, 17), areas: &[], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: VALLEY_TRUST, role: Role::SchoolTeam, name: "Mental Health Support Team – Maidstone Schools",
        description: "Low-intensity help in school and whole-school wellbeing work.",
        team_type: TeamType::MentalHealthSupportTeam, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (5, 18), areas: &["ME14", "ME15", "ME16", "ME17"], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: VALLEY_TRUST, role: Role::SchoolTeam, name: "Mental Health Support Team – Dartford and Gravesham Schools",
        description: "Low-intensity help in school and whole-school wellbeing work.",
        team_type: TeamType::MentalHealthSupportTeam, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (5, 18), areas: &["DA1", "DA2", "DA9", "DA10", "DA11", "DA12"], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: SHORES_TRUST, role: Role::SchoolTeam, name: "Mental Health Support Team – Thanet Schools",
        description: "Low-intensity help in school and whole-school wellbeing work.",
        team_type: TeamType::MentalHealthSupportTeam, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (5, 18), areas: &["CT9", "CT10", "CT11", "CT12"], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: SHORES_TRUST, role: Role::SchoolTeam, name: "Mental Health Support Team – Canterbury Schools",
        description: "Low-intensity help in school and whole-school wellbeing work.",
        team_type: TeamType::MentalHealthSupportTeam, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (5, 18), areas: &["CT1", "CT2", "CT3", "CT4"], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: DOWNLAND_TRUST, role: Role::SchoolTeam, name: "Mental Health Support Team – Tunbridge Wells Schools",
        description: "Low-intensity help in school and whole-school wellbeing work.",
        team_type: TeamType::MentalHealthSupportTeam, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (5, 18), areas: &["TN1", "TN2", "TN3", "TN4"], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: COUNCIL, role: Role::HealthNeedsEducation, name: "Health Needs Education Wellbeing Support",
        description: "Mental health support for pupils who cannot attend school for health reasons.",
        team_type: TeamType::MentalHealthInEducation, groups: &[GettingHelp],
        ages: (5, 16), areas: &[], self_referral: false, modes: IN_PERSON },
    ServiceSpec { org: COUNSELLING_CHARITY, role: Role::Counselling, name: "Hopfield Youth Counselling",
        description: "Free counselling for 11 to 25 year olds; refer yourself.",
        team_type: TeamType::Community, groups: &[GettingAdvice, GettingHelp],
        ages: (11, 25), areas: &[], self_referral: true, modes: IN_PERSON },
    ServiceSpec { org: FAMILY_CHARITY, role: Role::WellbeingHub, name: "Saltmarsh Wellbeing Hub (0–25)",
        description: "Drop-in advice, groups and short-term support for children, young people and families.",
        team_type: TeamType::WellbeingHub, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (0, 25), areas: &[], self_referral: true, modes: IN_PERSON },
    ServiceSpec { org: ONLINE, role: Role::Online, name: "Clearwater Online Support (11–25)",
        description: "Anonymous online chat, messaging and counselling, integrated with local services.",
        team_type: TeamType::WellbeingHub, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (11, 25), areas: &[], self_referral: true, modes: &[DeliveryMode::Online, DeliveryMode::Text] },
    ServiceSpec { org: TRUST, role: Role::YoungAdults, name: "Young Adults' Mental Health Service (18–25)",
        description: "Help for 18 to 25 year olds, so that transition is by need, not by a birthday.",
        team_type: TeamType::Community, groups: &[GettingHelp, GettingMoreHelp, GettingRiskSupport],
        ages: (18, 25), areas: &[], self_referral: true, modes: IN_PERSON },
    ServiceSpec { org: CREATIVE_CHARITY, role: Role::CreativeTherapies, name: "Wealdway Creative Therapies",
        description: "Art, music and drama therapy for children and young people, often alongside other help.",
        team_type: TeamType::Community, groups: &[GettingHelp, GettingMoreHelp],
        ages: (5, 18), areas: &[], self_referral: false, modes: &[DeliveryMode::FaceToFace] },
    ServiceSpec { org: CARERS_CHARITY, role: Role::YoungCarers, name: "Stourside Young Carers' Emotional Support",
        description: "Groups and one-to-one support for young carers.",
        team_type: TeamType::WellbeingHub, groups: &[Thriving, GettingAdvice, GettingHelp],
        ages: (8, 18), areas: &[], self_referral: true, modes: &[DeliveryMode::FaceToFace, DeliveryMode::Telephone] },
];

impl County {
    /// Builds the directory. Capacity is left empty until [`County::size`].
    pub(crate) fn build(rng: &mut DemoRng, standards: &DefaultStandards) -> County {
        let organisations: Vec<Organisation> = ORGANISATIONS
            .iter()
            .map(|spec| Organisation {
                id: OrganisationId(uuid(rng)),
                details: OrganisationDetails {
                    name: spec.name.to_string(),
                    kind: spec.kind,
                    ods_code: None,
                },
            })
            .collect();
        let mut services = Vec::with_capacity(SERVICES.len());
        let mut roles = Vec::with_capacity(SERVICES.len());
        for (index, spec) in SERVICES.iter().enumerate() {
            let organisation_id = organisations
                .get(spec.org)
                .map_or(OrganisationId(uuid::Uuid::nil()), |o| o.id);
            services.push(Service {
                id: ServiceId(uuid(rng)),
                details: ServiceDetails {
                    organisation_id,
                    name: spec.name.to_string(),
                    description: spec.description.to_string(),
                    need_groups: spec.groups.to_vec(),
                    age_from: spec.ages.0,
                    age_to: spec.ages.1,
                    team_type: spec.team_type,
                    delivery_modes: spec.modes.to_vec(),
                    areas: spec.areas.iter().map(|a| (*a).to_string()).collect(),
                    self_referral: spec.self_referral,
                    capacity: Capacity::default(),
                    standards: standards.for_team_type(spec.team_type),
                    active: true,
                    offer: crate::offers::offer(index),
                    measurement: Default::default(),
                },
            });
            roles.push(spec.role);
        }
        County {
            organisations,
            services,
            roles,
        }
    }

    /// Sizes every service's capacity from the episodes planned for it (`planned[i]` for
    /// `services[i]`) over `weeks`, at its profile's ratio of capacity to demand.
    pub(crate) fn size(&mut self, planned: &[u32], weeks: f64, referrals_per_week: f64) {
        for (i, service) in self.services.iter_mut().enumerate() {
            let role = self.roles.get(i).copied().unwrap_or(Role::Community);
            let care = profile(role);
            let demand = f64::from(planned.get(i).copied().unwrap_or(0)) / weeks.max(1.0);
            let episodes_per_week = match role {
                Role::SinglePointOfAccess => referrals_per_week,
                _ => demand * care.capacity_ratio,
            };
            let slots = (episodes_per_week * care.mean_contacts()).ceil().max(4.0);
            service.details.capacity = Capacity {
                clinician_wte: ((slots / care.slots_per_wte) * 10.0).round().max(5.0) / 10.0,
                #[expect(
                    clippy::cast_possible_truncation,
                    clippy::cast_sign_loss,
                    reason = "slots are a small positive count"
                )]
                slots_per_week: slots as u32,
            };
        }
    }

    /// The role of a service by index.
    pub(crate) fn role(&self, index: usize) -> Role {
        self.roles.get(index).copied().unwrap_or(Role::Community)
    }

    /// The index of a service by id.
    pub(crate) fn index_of(&self, id: ServiceId) -> Option<usize> {
        self.services.iter().position(|s| s.id == id)
    }
}

#[cfg(test)]
mod tests;
