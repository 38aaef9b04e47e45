//! An anonymous consultation: a professional asks the single point of access for advice
//! about a child who is **not to be identified** — no name, date of birth, NHS number or
//! address; only an age band, the area and the question. It is not a referral (a referral
//! concerns a registered person, and the matcher links every person), so it has its own
//! type, [`NewConsultation`], with no field that could hold anything identifying, and it is
//! never matched to a person.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::{PlainReason, Priority, ReferralSource};
use crate::error::ValidationErrors;
use crate::person_text::{check_text, MAX_SHORT_TEXT_CHARS};
use crate::referral::command::MAX_PRESENTING_NEEDS_CHARS;
use crate::referral::Referrer;

/// Longest area, in characters (a town, a district, a school's area: never an address).
pub const MAX_AREA_CHARS: usize = 60;

/// How old the child is, as a band (an exact age, with an area, narrows who they are).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AgeBand {
    /// Under 5.
    Under5,
    /// 5 to 10.
    From5To10,
    /// 11 to 15.
    From11To15,
    /// 16 or 17.
    From16To17,
    /// 18 to 25.
    From18To25,
}

impl AgeBand {
    /// Every band, youngest first.
    pub const ALL: [AgeBand; 5] = [
        AgeBand::Under5,
        AgeBand::From5To10,
        AgeBand::From11To15,
        AgeBand::From16To17,
        AgeBand::From18To25,
    ];
    /// The API name.
    pub fn as_str(self) -> &'static str {
        match self {
            AgeBand::Under5 => "under_5",
            AgeBand::From5To10 => "5_to_10",
            AgeBand::From11To15 => "11_to_15",
            AgeBand::From16To17 => "16_to_17",
            AgeBand::From18To25 => "18_to_25",
        }
    }
    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            AgeBand::Under5 => "Under 5",
            AgeBand::From5To10 => "5 to 10",
            AgeBand::From11To15 => "11 to 15",
            AgeBand::From16To17 => "16 or 17",
            AgeBand::From18To25 => "18 to 25",
        }
    }
    /// Parses the API name.
    pub fn parse(value: &str) -> Result<AgeBand, String> {
        AgeBand::ALL
            .into_iter()
            .find(|b| b.as_str() == value)
            .ok_or_else(|| {
                format!(
                    "unknown age band {value:?}; allowed: under_5, 5_to_10, 11_to_15, 16_to_17, 18_to_25"
                )
            })
    }
}

/// An anonymous consultation as received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewConsultation {
    /// Where the professional works.
    pub source: ReferralSource,
    /// The professional asking.
    pub referrer: Referrer,
    /// How old the child is.
    pub age_band: AgeBand,
    /// The area (a town or district), never an address.
    pub area: String,
    /// What they are worried about, in plain words.
    pub plain_reasons: Vec<PlainReason>,
    /// The question, in the professional's words.
    pub question: String,
    /// How soon they need an answer.
    pub priority: Priority,
    /// When received.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
}

impl NewConsultation {
    /// Checks the consultation: the area is short text, the question is given and within the
    /// presenting-needs limit, the professional named with a way to reach them.
    pub fn validate(&self, errors: &mut ValidationErrors) {
        if self.area.trim().is_empty() {
            errors.add(
                "anonymous.area",
                "say which area the child lives in, e.g. a town",
            );
        } else {
            check_text(errors, "anonymous.area", &self.area, MAX_AREA_CHARS, false);
        }
        if self.question.trim().is_empty() {
            errors.add("presenting_needs", "say what you would like advice about");
        } else if self.question.chars().count() > MAX_PRESENTING_NEEDS_CHARS {
            errors.add(
                "presenting_needs",
                format!("use {MAX_PRESENTING_NEEDS_CHARS} characters or fewer"),
            );
        }
        if self.referrer.name.trim().is_empty() {
            errors.add("referrer.name", "enter the referrer's name");
        } else {
            check_text(
                errors,
                "referrer.name",
                &self.referrer.name,
                MAX_SHORT_TEXT_CHARS,
                false,
            );
        }
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&self.referrer.phone) && blank(&self.referrer.email) {
            errors.add(
                "referrer.phone",
                "give a phone number or e-mail address so that the team can answer you",
            );
        }
        crate::contact::check_contact_text(
            errors,
            "referrer.",
            self.referrer.phone.as_deref(),
            self.referrer.email.as_deref(),
        );
        if self.source.is_self_or_family() {
            errors.add(
                "source",
                "consultations are for professionals; young people and families make referrals",
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn consultation() -> NewConsultation {
        NewConsultation {
            source: ReferralSource::School,
            referrer: Referrer {
                name: "Alex Teacher".into(),
                role: Some("Head of year".into()),
                organisation: Some("Example School".into()),
                phone: None,
                email: Some("alex@school.example".into()),
            },
            age_band: AgeBand::From11To15,
            area: "Maidstone".into(),
            plain_reasons: vec![PlainReason::NotSure],
            question: "A pupil is withdrawn; how can we help?".into(),
            priority: Priority::Routine,
            received_at: Timestamp::UNIX_EPOCH,
        }
    }

    #[test]
    fn a_consultation_needs_an_area_a_question_and_a_way_to_answer() {
        let mut fine = ValidationErrors::new();
        consultation().validate(&mut fine);
        assert!(fine.0.is_empty(), "{fine:?}");
        let mut errors = ValidationErrors::new();
        NewConsultation {
            area: " ".into(),
            question: String::new(),
            referrer: Referrer {
                email: None,
                ..consultation().referrer
            },
            ..consultation()
        }
        .validate(&mut errors);
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["anonymous.area", "presenting_needs", "referrer.phone"]
        );
        for band in AgeBand::ALL {
            assert_eq!(AgeBand::parse(band.as_str()), Ok(band));
        }
    }
}
