//! Reasons for a referral in plain words ([`PlainReason`]), as a teacher, a GP receptionist
//! or a parent would say them, each mapped behind the scenes to the national code of MHSDS
//! v5 `PrimReasonReferralMH` ([`ReasonCode`]).
//!
//! Source of the codes: NHS Data Dictionary, data element *PRIMARY REASON FOR REFERRAL
//! (MENTAL HEALTH)* (MHSDS v5 table MHS101 Referral), national codes 01–31
//! (<https://www.datadictionary.nhs.uk/data_elements/primary_reason_for_referral__mental_health_.html>).
//! That list has no "not known" or "other" value: "Something else" and "Not sure" therefore
//! record **no** code ([`PlainReason::code`] is `None`), and the single point of access codes
//! the reason at triage (the referral page shows it as "not yet coded"), rather than the
//! record claiming a diagnosis nobody made.

use serde::{Deserialize, Serialize};

use super::ReasonCode;

/// A reason for referral in plain words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PlainReason {
    /// Worries or anxiety → 05 Anxiety.
    Worries,
    /// Low mood or sadness → 04 Depression.
    LowMood,
    /// Self-harm → 15 Self-harm behaviours.
    SelfHarm,
    /// Eating or body image → 12 Eating disorders.
    Eating,
    /// Anger or behaviour → 16 Conduct disorders.
    AngerBehaviour,
    /// Something upsetting that happened to them → 11 Post-traumatic stress disorder.
    UpsettingEvent,
    /// Getting on with family or friends → 19 Relationship difficulties.
    Relationships,
    /// Thoughts or habits they cannot stop → 06 Obsessive compulsive disorder.
    Habits,
    /// Attention, learning or development (for example ADHD or autism) → 24 Neurodevelopmental
    /// conditions, excluding autism (triage refines to 25/26/30/31).
    Development,
    /// Feelings about their gender → 20 Gender discomfort issues.
    Gender,
    /// Drugs or alcohol → 09 Drug and alcohol difficulties.
    DrugsAlcohol,
    /// Something else (the referrer tells us) → no national code; triage codes it.
    SomethingElse,
    /// Not sure → no national code; triage codes it.
    NotSure,
}

impl PlainReason {
    /// Every plain reason, in the order a form offers them.
    pub const ALL: [PlainReason; 13] = [
        PlainReason::Worries,
        PlainReason::LowMood,
        PlainReason::SelfHarm,
        PlainReason::Eating,
        PlainReason::AngerBehaviour,
        PlainReason::UpsettingEvent,
        PlainReason::Relationships,
        PlainReason::Habits,
        PlainReason::Development,
        PlainReason::Gender,
        PlainReason::DrugsAlcohol,
        PlainReason::SomethingElse,
        PlainReason::NotSure,
    ];

    /// The national code behind the words (`None` for "something else" and "not sure": the
    /// national list has no such value; see the module documentation).
    pub fn code(self) -> Option<ReasonCode> {
        Some(match self {
            PlainReason::Worries => ReasonCode::Anxiety,
            PlainReason::LowMood => ReasonCode::Depression,
            PlainReason::SelfHarm => ReasonCode::SelfHarm,
            PlainReason::Eating => ReasonCode::EatingDisorder,
            PlainReason::AngerBehaviour => ReasonCode::ConductDisorder,
            PlainReason::UpsettingEvent => ReasonCode::Ptsd,
            PlainReason::Relationships => ReasonCode::RelationshipDifficulties,
            PlainReason::Habits => ReasonCode::Ocd,
            PlainReason::Development => ReasonCode::NeurodevelopmentalExclAutism,
            PlainReason::Gender => ReasonCode::GenderDiscomfort,
            PlainReason::DrugsAlcohol => ReasonCode::DrugAlcohol,
            PlainReason::SomethingElse | PlainReason::NotSure => return None,
        })
    }

    /// The words a referrer chooses.
    pub fn label(self) -> &'static str {
        match self {
            PlainReason::Worries => "Worries or anxiety",
            PlainReason::LowMood => "Low mood or sadness",
            PlainReason::SelfHarm => "Self-harm",
            PlainReason::Eating => "Eating or body image",
            PlainReason::AngerBehaviour => "Anger or behaviour",
            PlainReason::UpsettingEvent => "Something upsetting that happened to them",
            PlainReason::Relationships => "Getting on with family or friends",
            PlainReason::Habits => "Thoughts or habits they cannot stop",
            PlainReason::Development => {
                "Attention, learning or development (for example ADHD or autism)"
            }
            PlainReason::Gender => "Feelings about their gender",
            PlainReason::DrugsAlcohol => "Drugs or alcohol",
            PlainReason::SomethingElse => "Something else (tell us on the next page)",
            PlainReason::NotSure => "Not sure",
        }
    }

    /// The API and form name (`snake_case`).
    pub fn as_str(self) -> &'static str {
        match self {
            PlainReason::Worries => "worries",
            PlainReason::LowMood => "low_mood",
            PlainReason::SelfHarm => "self_harm",
            PlainReason::Eating => "eating",
            PlainReason::AngerBehaviour => "anger_behaviour",
            PlainReason::UpsettingEvent => "upsetting_event",
            PlainReason::Relationships => "relationships",
            PlainReason::Habits => "habits",
            PlainReason::Development => "development",
            PlainReason::Gender => "gender",
            PlainReason::DrugsAlcohol => "drugs_alcohol",
            PlainReason::SomethingElse => "something_else",
            PlainReason::NotSure => "not_sure",
        }
    }

    /// Parses the API name, saying what is allowed.
    pub fn parse(value: &str) -> Result<PlainReason, String> {
        PlainReason::ALL
            .into_iter()
            .find(|r| r.as_str() == value)
            .ok_or_else(|| {
                let allowed: Vec<&str> = PlainReason::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown reason {value:?}; allowed: {}", allowed.join(", "))
            })
    }

    /// The national codes of `reasons`, in order, each once ("something else" and "not sure"
    /// add none).
    pub fn codes(reasons: &[PlainReason]) -> Vec<ReasonCode> {
        let mut codes: Vec<ReasonCode> = Vec::new();
        for code in reasons.iter().filter_map(|r| r.code()) {
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The map, by hand from the NHS Data Dictionary's national codes.
    #[test]
    fn plain_reasons_map_to_the_national_codes() {
        let check = |reason: PlainReason, national: Option<&str>| {
            assert_eq!(reason.code().map(|c| c.code()), national, "{reason:?}");
        };
        check(PlainReason::Worries, Some("05"));
        check(PlainReason::LowMood, Some("04"));
        check(PlainReason::SelfHarm, Some("15"));
        check(PlainReason::Eating, Some("12"));
        check(PlainReason::AngerBehaviour, Some("16"));
        check(PlainReason::UpsettingEvent, Some("11"));
        check(PlainReason::Relationships, Some("19"));
        check(PlainReason::Habits, Some("06"));
        check(PlainReason::Development, Some("24"));
        check(PlainReason::Gender, Some("20"));
        check(PlainReason::DrugsAlcohol, Some("09"));
        check(PlainReason::SomethingElse, None);
        check(PlainReason::NotSure, None);
    }

    #[test]
    fn no_plain_label_is_a_diagnostic_label() {
        for reason in PlainReason::ALL {
            if let Some(code) = reason.code() {
                assert_ne!(reason.label(), code.label(), "{reason:?}");
            }
            assert_eq!(PlainReason::parse(reason.as_str()), Ok(reason));
        }
        assert!(PlainReason::parse("conduct_disorder").is_err());
    }

    #[test]
    fn codes_are_kept_once_in_order_and_unsure_adds_none() {
        use PlainReason::*;
        assert_eq!(
            PlainReason::codes(&[LowMood, NotSure, Worries, SomethingElse]),
            vec![ReasonCode::Depression, ReasonCode::Anxiety]
        );
        assert!(PlainReason::codes(&[NotSure, SomethingElse]).is_empty());
    }
}
