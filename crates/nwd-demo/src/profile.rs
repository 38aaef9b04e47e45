//! How each kind of service works in the simulation: how many contacts an episode has and
//! how often, by what mechanism, how a first appointment is found (at once for crisis teams,
//! from a booking calendar for everyone else), how the service is sized against demand, and
//! how often young people step up or down from it.

use nwd_domain::codes::ConsultationMechanism as M;

use crate::county::Role;

/// How a first appointment is found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Access {
    /// Crisis services: within hours, whatever the demand.
    Immediate,
    /// Booked services: the first free week in the service's calendar.
    Booked {
        /// Earliest first appointment after allocation, in days (inclusive range).
        min_lead_days: (i64, i64),
        /// Weeks already fully booked when the demo period starts (the inherited waiting list).
        backlog_weeks: usize,
        /// First appointment for urgent referrals, which bypass the queue, in days.
        urgent_days: (i64, i64),
    },
}

/// A service's way of working.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CareProfile {
    /// Attended direct contacts planned for an episode (inclusive range).
    pub contacts: (u8, u8),
    /// Days between contacts (inclusive range).
    pub cadence_days: (i64, i64),
    /// Consultation mechanisms and their weights.
    pub mechanisms: &'static [(M, u32)],
    /// Typical contact length in minutes.
    pub minutes: u16,
    /// Who indirect activity is with, and the chance an episode has some.
    pub indirect_with: &'static [&'static str],
    /// Chance an episode includes indirect activity.
    pub indirect_chance: f64,
    /// How a first appointment is found.
    pub access: Access,
    /// Capacity for new episodes as a multiple of planned demand (below 1: waits grow).
    pub capacity_ratio: f64,
    /// Direct appointment slots one whole-time clinician offers a week.
    pub slots_per_wte: f64,
    /// Chance an episode ends in a step up.
    pub step_up: f64,
    /// Chance an episode ends in a step down.
    pub step_down: f64,
}

impl CareProfile {
    /// Expected slots an episode uses, allowing for missed appointments.
    pub(crate) fn mean_contacts(&self) -> f64 {
        (f64::from(self.contacts.0) + f64::from(self.contacts.1)) / 2.0 * 1.15
    }
}

const fn booked(
    min_lead_days: (i64, i64),
    backlog_weeks: usize,
    urgent_days: (i64, i64),
) -> Access {
    Access::Booked {
        min_lead_days,
        backlog_weeks,
        urgent_days,
    }
}

const IN_PERSON: &[(M, u32)] = &[(M::FaceToFace, 55), (M::Video, 20), (M::Telephone, 25)];
const SCHOOL: &[&str] = &["school SENCo", "class teacher", "head of year"];

/// The profile for a role.
pub(crate) fn profile(role: Role) -> CareProfile {
    let base = CareProfile {
        contacts: (3, 10),
        cadence_days: (7, 14),
        mechanisms: IN_PERSON,
        minutes: 55,
        indirect_with: &[],
        indirect_chance: 0.0,
        access: booked((5, 12), 3, (2, 10)),
        capacity_ratio: 1.08,
        slots_per_wte: 14.0,
        step_up: 0.06,
        step_down: 0.04,
    };
    match role {
        Role::SinglePointOfAccess => CareProfile {
            contacts: (1, 1),
            access: Access::Immediate,
            capacity_ratio: 1.0,
            slots_per_wte: 25.0,
            ..base
        },
        Role::CrisisHomeTreatment => CareProfile {
            contacts: (2, 8),
            cadence_days: (1, 2),
            mechanisms: &[(M::FaceToFace, 75), (M::Telephone, 25)],
            minutes: 60,
            access: Access::Immediate,
            capacity_ratio: 1.5,
            slots_per_wte: 8.0,
            step_up: 0.0,
            step_down: 0.3,
            ..base
        },
        Role::CrisisLine => CareProfile {
            contacts: (1, 2),
            cadence_days: (1, 3),
            mechanisms: &[(M::Telephone, 85), (M::TextMessage, 15)],
            minutes: 25,
            access: Access::Immediate,
            capacity_ratio: 2.0,
            slots_per_wte: 20.0,
            step_up: 0.0,
            step_down: 0.25,
            ..base
        },
        Role::Community => CareProfile {
            contacts: (3, 12),
            indirect_with: &["school SENCo", "designated safeguarding lead", "GP"],
            indirect_chance: 0.25,
            step_up: 0.06,
            step_down: 0.05,
            ..base
        },
        Role::EatingDisorders => CareProfile {
            contacts: (6, 12),
            cadence_days: (7, 7),
            mechanisms: &[(M::FaceToFace, 75), (M::Video, 25)],
            minutes: 60,
            indirect_with: &["GP (physical health monitoring)", "school nurse"],
            indirect_chance: 0.3,
            access: booked((2, 10), 0, (1, 5)),
            capacity_ratio: 1.35,
            slots_per_wte: 12.0,
            step_up: 0.03,
            step_down: 0.04,
        },
        Role::Neurodevelopment => CareProfile {
            contacts: (2, 4),
            cadence_days: (14, 35),
            mechanisms: &[(M::FaceToFace, 85), (M::Video, 10), (M::Telephone, 5)],
            minutes: 90,
            indirect_with: &["school SENCo (classroom observation)", "class teacher"],
            indirect_chance: 0.5,
            access: booked((7, 21), 30, (14, 42)),
            capacity_ratio: 0.8,
            slots_per_wte: 12.0,
            step_up: 0.03,
            step_down: 0.02,
        },
        Role::LookedAfter => CareProfile {
            cadence_days: (10, 14),
            mechanisms: &[(M::FaceToFace, 80), (M::Video, 10), (M::Telephone, 10)],
            minutes: 60,
            indirect_with: &["social worker", "foster carer", "virtual school"],
            indirect_chance: 0.5,
            access: booked((3, 10), 1, (2, 7)),
            capacity_ratio: 1.25,
            slots_per_wte: 13.0,
            ..base
        },
        Role::YouthJustice => CareProfile {
            contacts: (3, 8),
            mechanisms: &[(M::FaceToFace, 80), (M::Telephone, 20)],
            minutes: 50,
            indirect_with: &["youth justice officer"],
            indirect_chance: 0.5,
            access: booked((3, 10), 1, (2, 7)),
            capacity_ratio: 1.3,
            ..base
        },
        Role::SchoolTeam => CareProfile {
            contacts: (4, 8),
            cadence_days: (7, 7),
            mechanisms: &[(M::FaceToFace, 75), (M::Video, 10), (M::Telephone, 15)],
            minutes: 45,
            indirect_with: SCHOOL,
            indirect_chance: 0.35,
            access: booked((5, 14), 2, (2, 7)),
            capacity_ratio: 1.15,
            slots_per_wte: 18.0,
            step_up: 0.09,
            step_down: 0.02,
        },
        Role::HealthNeedsEducation => CareProfile {
            contacts: (3, 6),
            cadence_days: (7, 7),
            mechanisms: &[(M::FaceToFace, 90), (M::Video, 10)],
            minutes: 45,
            indirect_with: &["home school tutor"],
            indirect_chance: 0.3,
            access: booked((5, 14), 2, (3, 7)),
            capacity_ratio: 1.2,
            slots_per_wte: 16.0,
            ..base
        },
        Role::Counselling => CareProfile {
            contacts: (4, 8),
            cadence_days: (7, 7),
            minutes: 50,
            access: booked((5, 14), 4, (3, 10)),
            capacity_ratio: 1.0,
            slots_per_wte: 20.0,
            step_up: 0.08,
            step_down: 0.01,
            ..base
        },
        Role::WellbeingHub => CareProfile {
            contacts: (1, 3),
            minutes: 45,
            indirect_with: &["family hub worker"],
            indirect_chance: 0.1,
            access: booked((2, 7), 1, (1, 3)),
            capacity_ratio: 1.3,
            slots_per_wte: 20.0,
            step_up: 0.08,
            step_down: 0.01,
            ..base
        },
        Role::Online => CareProfile {
            contacts: (1, 6),
            cadence_days: (3, 7),
            mechanisms: &[
                (M::InstantMessaging, 45),
                (M::ChatRoom, 10),
                (M::Video, 30),
                (M::TextMessage, 15),
            ],
            minutes: 40,
            access: booked((0, 2), 0, (0, 1)),
            capacity_ratio: 2.0,
            slots_per_wte: 25.0,
            step_up: 0.08,
            step_down: 0.01,
            ..base
        },
        Role::YoungAdults => CareProfile {
            indirect_with: &["GP", "university wellbeing service"],
            indirect_chance: 0.2,
            capacity_ratio: 1.05,
            step_up: 0.05,
            step_down: 0.05,
            ..base
        },
        Role::CreativeTherapies => CareProfile {
            contacts: (4, 10),
            cadence_days: (7, 7),
            mechanisms: &[(M::FaceToFace, 100)],
            minutes: 60,
            indirect_with: SCHOOL,
            indirect_chance: 0.15,
            access: booked((7, 21), 4, (7, 14)),
            capacity_ratio: 1.0,
            slots_per_wte: 16.0,
            step_up: 0.02,
            step_down: 0.01,
        },
        Role::YoungCarers => CareProfile {
            contacts: (1, 4),
            mechanisms: &[(M::FaceToFace, 70), (M::Telephone, 30)],
            minutes: 60,
            indirect_with: SCHOOL,
            indirect_chance: 0.1,
            access: booked((3, 10), 1, (2, 5)),
            capacity_ratio: 1.3,
            slots_per_wte: 20.0,
            step_up: 0.03,
            step_down: 0.01,
            ..base
        },
    }
}
