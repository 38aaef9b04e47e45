//! The service form's values as typed, and their reading into `ServiceDetails` (the domain's
//! own checks run in the store).

use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::directory::{Capacity, ServiceDetails, ServiceOffer};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::measurement::MeasurementSchedule;
use nwd_domain::OrganisationId;

use crate::form::FormData;
use crate::layout::FieldMessage;

/// The service form's values as typed.
#[derive(Debug, Clone, Default)]
pub struct ServiceForm {
    /// Organisation id.
    pub organisation_id: String,
    /// Name.
    pub name: String,
    /// Description.
    pub description: String,
    /// Need groups ticked (API names).
    pub need_groups: Vec<String>,
    /// Youngest age.
    pub age_from: String,
    /// Oldest age.
    pub age_to: String,
    /// Team type (API name).
    pub team_type: String,
    /// Delivery modes ticked.
    pub delivery_modes: Vec<String>,
    /// Areas, separated by commas or spaces.
    pub areas: String,
    /// "yes" or "no".
    pub self_referral: String,
    /// Clinician whole-time equivalents.
    pub clinician_wte: String,
    /// Slots per week.
    pub slots_per_week: String,
    /// "yes" or "no".
    pub active: String,
    /// "yes" or "no": routine outcome measures used.
    pub measures_routine: String,
    /// A review measure after this many attended contacts.
    pub measure_every: String,
    /// "yes" or "no": a discharge without a closing measure says why.
    pub closing_measure: String,
    /// "yes" or "no": a young person who referred themselves sees their own scores.
    pub share_progress: String,
}

impl ServiceForm {
    pub(super) fn from_details(d: &ServiceDetails) -> ServiceForm {
        ServiceForm {
            organisation_id: d.organisation_id.to_string(),
            name: d.name.clone(),
            description: d.description.clone(),
            need_groups: d
                .need_groups
                .iter()
                .map(|g| g.as_str().to_owned())
                .collect(),
            age_from: d.age_from.to_string(),
            age_to: d.age_to.to_string(),
            team_type: d.team_type.as_str().to_owned(),
            delivery_modes: d
                .delivery_modes
                .iter()
                .map(|m| m.as_str().to_owned())
                .collect(),
            areas: d.areas.join(", "),
            self_referral: yes_no(d.self_referral),
            clinician_wte: d.capacity.clinician_wte.to_string(),
            slots_per_week: d.capacity.slots_per_week.to_string(),
            active: yes_no(d.active),
            measures_routine: yes_no(d.measurement.routine),
            measure_every: d.measurement.review_every_contacts.to_string(),
            closing_measure: yes_no(d.measurement.closing_measure),
            share_progress: yes_no(d.measurement.share_progress),
        }
    }

    pub(super) fn from_form(form: &FormData) -> ServiceForm {
        let text = |name: &str| form.first(name).to_owned();
        let all = |name: &str| form.all(name).into_iter().map(str::to_owned).collect();
        ServiceForm {
            organisation_id: text("organisation_id"),
            name: text("name"),
            description: text("description"),
            need_groups: all("need_groups"),
            age_from: text("age_from"),
            age_to: text("age_to"),
            team_type: text("team_type"),
            delivery_modes: all("delivery_modes"),
            areas: text("areas"),
            self_referral: text("self_referral"),
            clinician_wte: text("clinician_wte"),
            slots_per_week: text("slots_per_week"),
            active: text("active"),
            measures_routine: text("measures_routine"),
            measure_every: text("measure_every"),
            closing_measure: text("closing_measure"),
            share_progress: text("share_progress"),
        }
    }

    /// The details, or a message per field that cannot be read; the domain's own checks
    /// (`ServiceDetails::validate`) run in the store.
    pub(super) fn details(
        &self,
        standards: Vec<nwd_domain::standards::WaitStandard>,
        offer: ServiceOffer,
    ) -> Result<ServiceDetails, Vec<FieldMessage>> {
        let mut errors = Vec::new();
        let organisation_id = self
            .organisation_id
            .parse::<OrganisationId>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "organisation_id",
                    "Choose the organisation that runs the service",
                ))
            })
            .ok();
        let need_groups: Vec<NeedGroup> = self
            .need_groups
            .iter()
            .filter_map(|g| NeedGroup::parse(g).ok())
            .collect();
        let age = |raw: &str, id: &str, errors: &mut Vec<FieldMessage>| {
            raw.trim()
                .parse::<i16>()
                .map_err(|_| {
                    errors.push(FieldMessage::new(
                        id,
                        "Enter an age in whole years, for example 11",
                    ))
                })
                .ok()
        };
        let age_from = age(&self.age_from, "age_from", &mut errors);
        let age_to = age(&self.age_to, "age_to", &mut errors);
        let team_type = TeamType::parse(&self.team_type)
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "team_type",
                    "Choose the service's team type",
                ))
            })
            .ok();
        let delivery_modes: Vec<DeliveryMode> = self
            .delivery_modes
            .iter()
            .filter_map(|m| DeliveryMode::parse(m).ok())
            .collect();
        let yes = |raw: &str, id: &str, question: &str, errors: &mut Vec<FieldMessage>| match raw {
            "yes" => Some(true),
            "no" => Some(false),
            _ => {
                errors.push(FieldMessage::new(id, question));
                None
            }
        };
        let self_referral = yes(
            &self.self_referral,
            "self_referral",
            "Say whether young people and families can refer themselves",
            &mut errors,
        );
        let active = yes(
            &self.active,
            "active",
            "Say whether the service is taking referrals",
            &mut errors,
        );
        let clinician_wte = self
            .clinician_wte
            .trim()
            .parse::<f64>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "clinician_wte",
                    "Enter whole-time equivalents as a number, for example 3.5",
                ))
            })
            .ok();
        let slots_per_week = self
            .slots_per_week
            .trim()
            .parse::<u32>()
            .map_err(|_| {
                errors.push(FieldMessage::new(
                    "slots_per_week",
                    "Enter appointment slots per week as a whole number, for example 40",
                ))
            })
            .ok();
        // The measurement questions came later than the rest of the form (issue 19): a form
        // sent without them keeps the defaults rather than failing.
        let default = MeasurementSchedule::default();
        let or_default = |raw: &str, fallback: bool| {
            if raw.is_empty() {
                yes_no(fallback)
            } else {
                raw.to_owned()
            }
        };
        let routine = yes(
            &or_default(&self.measures_routine, default.routine),
            "measures_routine",
            "Say whether the service uses routine outcome measures",
            &mut errors,
        );
        let closing_measure = yes(
            &or_default(&self.closing_measure, default.closing_measure),
            "closing_measure",
            "Say whether a discharge without a closing measure must say why",
            &mut errors,
        );
        let share_progress = yes(
            &or_default(&self.share_progress, default.share_progress),
            "share_progress",
            "Say whether young people see their own scores through their status link",
            &mut errors,
        );
        let review_every_contacts = match self.measure_every.trim() {
            "" => Some(default.review_every_contacts),
            raw => raw
                .parse::<u8>()
                .map_err(|_| {
                    errors.push(FieldMessage::new(
                        "measure_every",
                        "Enter a number of sessions from 1 to 52, for example 6",
                    ))
                })
                .ok(),
        };
        let measurement = match (
            routine,
            review_every_contacts,
            closing_measure,
            share_progress,
        ) {
            (
                Some(routine),
                Some(review_every_contacts),
                Some(closing_measure),
                Some(share_progress),
            ) => MeasurementSchedule {
                routine,
                review_every_contacts,
                closing_measure,
                share_progress,
            },
            _ => default,
        };
        let areas = self
            .areas
            .split(|c: char| c == ',' || c.is_whitespace())
            .filter(|a| !a.is_empty())
            .map(str::to_uppercase)
            .collect();
        match (
            organisation_id,
            age_from,
            age_to,
            team_type,
            self_referral,
            active,
            clinician_wte,
            slots_per_week,
        ) {
            (
                Some(organisation_id),
                Some(age_from),
                Some(age_to),
                Some(team_type),
                Some(self_referral),
                Some(active),
                Some(clinician_wte),
                Some(slots_per_week),
            ) if errors.is_empty() => Ok(ServiceDetails {
                organisation_id,
                name: self.name.trim().to_owned(),
                description: self.description.trim().to_owned(),
                need_groups,
                age_from,
                age_to,
                team_type,
                delivery_modes,
                areas,
                self_referral,
                capacity: Capacity {
                    clinician_wte,
                    slots_per_week,
                },
                standards,
                active,
                offer,
                measurement,
            }),
            _ => Err(errors),
        }
    }
}

fn yes_no(value: bool) -> String {
    if value { "yes" } else { "no" }.to_owned()
}

/// The id of the form field a domain error is about (`areas[1]` → `areas`).
pub(super) fn field_id(field: &str) -> &'static str {
    let head = field.split(['[', '.']).next().unwrap_or_default();
    match head {
        "organisation_id" => "organisation_id",
        "name" => "name",
        "need_groups" => "need_groups",
        "age_from" => "age_from",
        "age_to" => "age_to",
        "team_type" => "team_type",
        "delivery_modes" => "delivery_modes",
        "areas" => "areas",
        "capacity" => "clinician_wte",
        "self_referral" => "self_referral",
        "measurement" if field.ends_with("review_every_contacts") => "measure_every",
        "measurement" => "measures_routine",
        _ => "name",
    }
}
