//! The shared service directory: organisations of every sector and the services they offer,
//! with who each service is for, how to get in, its capacity and its waiting-time standards;
//! each service's local offer (contact details, opening hours, what to bring: [`offer`],
//! [`hours`]) and Find support's order ([`relevance`]).

pub mod hours;
pub mod offer;
pub mod relevance;

pub use hours::{OpeningHours, OpeningTimes, Weekday};
pub use offer::{PhoneKind, PhysicalAddress, ServiceOffer, ServicePhone};

use serde::{Deserialize, Serialize};

use crate::codes::{DeliveryMode, TeamType};
use crate::error::ValidationErrors;
use crate::ids::{OrganisationId, ServiceId};
use crate::need::NeedGroup;
use crate::person::MAX_SERVED_AGE_YEARS;
use crate::postcode::Postcode;
use crate::standards::WaitStandard;

/// The sector an organisation belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum OrganisationKind {
    /// An NHS trust.
    NhsTrust,
    /// An integrated care board (commissioner).
    IntegratedCareBoard,
    /// A voluntary or community group.
    VoluntaryCommunity,
    /// A school or academy trust.
    SchoolOrAcademyTrust,
    /// A local authority (council).
    LocalAuthority,
    /// An online provider.
    OnlineProvider,
}

impl OrganisationKind {
    /// Every kind.
    pub const ALL: &'static [OrganisationKind] = &[
        OrganisationKind::NhsTrust,
        OrganisationKind::IntegratedCareBoard,
        OrganisationKind::VoluntaryCommunity,
        OrganisationKind::SchoolOrAcademyTrust,
        OrganisationKind::LocalAuthority,
        OrganisationKind::OnlineProvider,
    ];

    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            OrganisationKind::NhsTrust => "nhs_trust",
            OrganisationKind::IntegratedCareBoard => "integrated_care_board",
            OrganisationKind::VoluntaryCommunity => "voluntary_community",
            OrganisationKind::SchoolOrAcademyTrust => "school_or_academy_trust",
            OrganisationKind::LocalAuthority => "local_authority",
            OrganisationKind::OnlineProvider => "online_provider",
        }
    }

    /// Parses the API name.
    pub fn parse(value: &str) -> Result<Self, String> {
        OrganisationKind::ALL.iter().copied().find(|k| k.as_str() == value).ok_or_else(|| {
            format!("unknown organisation kind {value:?}; allowed: nhs_trust, integrated_care_board, voluntary_community, school_or_academy_trust, local_authority, online_provider")
        })
    }
}

/// An organisation's details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OrganisationDetails {
    /// Name.
    pub name: String,
    /// Sector.
    pub kind: OrganisationKind,
    /// ODS code, if it has one.
    #[serde(default)]
    pub ods_code: Option<String>,
}

impl OrganisationDetails {
    /// Checks the details.
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        if self.name.trim().is_empty() {
            errors.add("name", "enter the organisation's name");
        }
        if let Some(code) = &self.ods_code {
            if code.is_empty()
                || code.len() > 10
                || !code.chars().all(|c| c.is_ascii_alphanumeric())
            {
                errors.add(
                    "ods_code",
                    "an ODS code is 1 to 10 letters and digits, e.g. RXY",
                );
            }
        }
        errors
    }
}

/// An organisation in the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Organisation {
    /// Id.
    pub id: OrganisationId,
    /// Details.
    #[serde(flatten)]
    pub details: OrganisationDetails,
}

/// How much a service can do.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capacity {
    /// Clinician whole-time equivalents.
    pub clinician_wte: f64,
    /// Appointment slots per week.
    pub slots_per_week: u32,
}

/// A service's details.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceDetails {
    /// The organisation that runs it.
    pub organisation_id: OrganisationId,
    /// Name.
    pub name: String,
    /// Who it is for and what it offers, in plain English.
    #[serde(default)]
    pub description: String,
    /// THRIVE groups it serves.
    pub need_groups: Vec<NeedGroup>,
    /// Youngest age served, in years.
    pub age_from: i16,
    /// Oldest age served, in years (inclusive: 17 means up to the 18th birthday). At most 25.
    pub age_to: i16,
    /// MHSDS team type.
    pub team_type: TeamType,
    /// How it is delivered.
    pub delivery_modes: Vec<DeliveryMode>,
    /// Areas covered: postcode areas (`ME`) or districts (`ME14`). Empty means the whole area.
    #[serde(default)]
    pub areas: Vec<String>,
    /// Whether young people and families can refer themselves.
    pub self_referral: bool,
    /// Capacity.
    pub capacity: Capacity,
    /// Waiting-time standards, first match wins.
    #[serde(default)]
    pub standards: Vec<WaitStandard>,
    /// Whether it is taking referrals.
    #[serde(default = "yes")]
    pub active: bool,
    /// When it collects routine outcome measures (issue 19).
    #[serde(default)]
    pub measurement: crate::referral::measurement::MeasurementSchedule,
    /// How to reach it, where to go, when it is open, how to get in and what to bring
    /// (flat in JSON: `phones`, `email`, `url`, `physical_address`, `opening_hours`, …).
    #[serde(flatten)]
    pub offer: ServiceOffer,
}

fn yes() -> bool {
    true
}

impl ServiceDetails {
    /// Checks the details; every problem is reported against its field.
    pub fn validate(&self) -> ValidationErrors {
        let mut errors = ValidationErrors::new();
        if self.name.trim().is_empty() {
            errors.add("name", "enter the service's name");
        }
        if self.need_groups.is_empty() {
            errors.add(
                "need_groups",
                "choose at least one need group the service serves",
            );
        }
        if self.age_from < 0 {
            errors.add("age_from", "the youngest age cannot be negative");
        }
        if self.age_to > MAX_SERVED_AGE_YEARS {
            errors.add(
                "age_to",
                format!("services run to age {MAX_SERVED_AGE_YEARS} at most"),
            );
        }
        if self.age_from > self.age_to {
            errors.add(
                "age_to",
                "the oldest age must not be below the youngest age",
            );
        }
        if self.delivery_modes.is_empty() {
            errors.add(
                "delivery_modes",
                "choose at least one way the service is delivered",
            );
        }
        for (i, area) in self.areas.iter().enumerate() {
            if !is_area_or_district(area) {
                errors.add(
                    format!("areas[{i}]"),
                    "use a postcode area (ME) or district (ME14), upper case",
                );
            }
        }
        if !(self.capacity.clinician_wte.is_finite() && self.capacity.clinician_wte >= 0.0) {
            errors.add(
                "capacity.clinician_wte",
                "whole-time equivalents must be zero or more",
            );
        }
        for (i, standard) in self.standards.iter().enumerate() {
            standard.validate(&format!("standards[{i}]"), &mut errors);
        }
        self.offer.validate(&mut errors);
        self.measurement.validate("measurement", &mut errors);
        errors
    }

    /// Whether someone of this age (in years) is in the service's range.
    pub fn serves_age(&self, age: i16) -> bool {
        (self.age_from..=self.age_to).contains(&age)
    }

    /// Whether the service covers this postcode (no areas listed means it covers all).
    pub fn covers(&self, postcode: &Postcode) -> bool {
        self.areas.is_empty()
            || self
                .areas
                .iter()
                .any(|a| a == postcode.district() || a == postcode.area())
    }
}

fn is_area_or_district(value: &str) -> bool {
    let letters = value.chars().take_while(|c| c.is_ascii_uppercase()).count();
    let rest = &value[letters..];
    (1..=2).contains(&letters)
        && rest.len() <= 2
        && rest.chars().enumerate().all(|(i, c)| {
            if i == 0 {
                c.is_ascii_digit()
            } else {
                c.is_ascii_digit() || c.is_ascii_uppercase()
            }
        })
}

/// A service in the directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Service {
    /// Id.
    pub id: ServiceId,
    /// Details.
    #[serde(flatten)]
    pub details: ServiceDetails,
}

#[cfg(test)]
mod offer_tests;
#[cfg(test)]
mod relevance_tests;
#[cfg(test)]
mod tests;
