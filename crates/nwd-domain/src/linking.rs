//! Which person a referral is about. Two parts:
//!
//! * the **deterministic NHS-number rule** ([`nhs_number_rule`]): a valid NHS number equal
//!   to a registered person's links when the date of birth or the family name agrees; equal
//!   numbers with both disagreeing go to a person to review; a number failing its check digit
//!   never reaches here (it does not parse);
//! * a **demographic matcher** behind the [`PersonMatcher`] trait (the probabilistic matcher
//!   of `nwd-match`), proposing auto-link, review or new person with an explanation.
//!
//! The store calls these and nothing else, so the matcher can be replaced without touching
//! intake.

use serde::{Deserialize, Serialize};

use crate::ids::PersonId;
use crate::person::{Person, PersonDetails};

/// The three outcomes of matching a referral's person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MatchBand {
    /// Linked to the registered person without review.
    Auto,
    /// A person decides; a new (provisional) record is created meanwhile.
    Review,
    /// Nobody matched: a new person.
    New,
}

impl MatchBand {
    /// The API name.
    pub fn as_str(&self) -> &'static str {
        match self {
            MatchBand::Auto => "auto",
            MatchBand::Review => "review",
            MatchBand::New => "new",
        }
    }
}

/// A registered person proposed as the same as the incoming one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchCandidate {
    /// The registered person.
    pub person_id: PersonId,
    /// Total match weight (log2 Bayes factor), when the matcher scores.
    pub match_weight: f64,
    /// Match probability, 0–1.
    pub match_probability: f64,
    /// Field-by-field explanation (a waterfall of weights), as the matcher produced it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub explanation: serde_json::Value,
}

/// What matching proposes for one incoming person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MatchProposal {
    /// The outcome.
    pub band: MatchBand,
    /// Candidates, best first (the best is the one linked to for `auto`).
    pub candidates: Vec<MatchCandidate>,
    /// Rules that decided or constrained the outcome (e.g. "twin: capped at review").
    pub rules: Vec<String>,
}

impl MatchProposal {
    /// No candidate: a new person.
    pub fn new_person(rule: &str) -> Self {
        MatchProposal {
            band: MatchBand::New,
            candidates: Vec::new(),
            rules: vec![rule.to_string()],
        }
    }

    /// The proposal for a referral from an **unverified source** (anyone, without signing in):
    /// it never links to a registered person by itself, whatever it says — an NHS number and
    /// date of birth are not secrets, and a stranger's free text must not land on a real
    /// child's record. An `auto` link becomes `review`: the referral is received against a
    /// provisional record and a person with the register role decides (issue 15, High 1;
    /// docs/security.md "What an anonymous referral may do to the register").
    pub fn for_unverified_source(mut self) -> Self {
        if self.band == MatchBand::Auto {
            self.band = MatchBand::Review;
            self.rules.push(
                "unverified source (no sign-in): never linked automatically; a person must decide"
                    .to_owned(),
            );
        }
        self
    }
}

/// Actors recorded for referrals made without signing in start with this (`public:young-person`,
/// `public:parent-carer`, `public:professional`): their sources are unverified.
pub const UNVERIFIED_ACTOR_PREFIX: &str = "public:";

/// True when a referral recorded as made by `actor` came from an unverified source.
pub fn is_unverified_actor(actor: &str) -> bool {
    actor.starts_with(UNVERIFIED_ACTOR_PREFIX)
}

/// A demographic matcher over the register, kept in memory and current as people are added.
pub trait PersonMatcher: Send + Sync {
    /// Proposes a link for incoming details.
    fn propose(&self, details: &PersonDetails) -> MatchProposal;
    /// Adds (or refreshes) a registered person.
    fn register(&self, person: &Person);
    /// Removes a person record (merged into another).
    fn forget(&self, id: PersonId);
    /// How many people have been added so far: a proposal made when this was `n` knew every
    /// person added before. Intake scores outside its write lock and re-checks this inside.
    fn generation(&self) -> u64 {
        0
    }
}

/// The foundation's matcher: no demographic matching (only the NHS-number rule links).
#[derive(Debug, Default)]
pub struct NhsNumberOnly;

impl PersonMatcher for NhsNumberOnly {
    fn propose(&self, _details: &PersonDetails) -> MatchProposal {
        MatchProposal::new_person("no demographic matcher configured")
    }
    fn register(&self, _person: &Person) {}
    fn forget(&self, _id: PersonId) {}
}

/// What the deterministic NHS-number rule says about a registered person with the same number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NhsNumberRule {
    /// Same number and the date of birth or family name agrees: the same person.
    Link,
    /// Same number but neither date of birth nor family name agrees: a person must look.
    Review,
}

/// Applies the deterministic rule to a registered person holding the incoming valid number.
pub fn nhs_number_rule(incoming: &PersonDetails, registered: &Person) -> NhsNumberRule {
    let same_dob = incoming.date_of_birth == registered.details.date_of_birth;
    let same_family = fold(&incoming.family_name) == fold(&registered.details.family_name);
    if same_dob || same_family {
        NhsNumberRule::Link
    } else {
        NhsNumberRule::Review
    }
}

fn fold(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes::{EthnicCategory, Sex};
    use jiff::civil::date;
    use uuid::Uuid;

    fn details(family: &str, born: jiff::civil::Date) -> PersonDetails {
        PersonDetails {
            nhs_number: crate::NhsNumber::parse("9990000018").ok(),
            given_name: "Ava".into(),
            family_name: family.into(),
            preferred_name: None,
            date_of_birth: born,
            sex: Sex::Female,
            gender_identity: None,
            ethnic_category: EthnicCategory::NotKnown,
            postcode: None,
            address: None,
            school: None,
            gp_practice: None,
            flags: Default::default(),
            carers: vec![],
            language: None,
            interpreter_needed: false,
        }
    }

    #[test]
    fn the_nhs_number_links_when_birth_date_or_family_name_agrees() {
        let registered = Person {
            id: PersonId(Uuid::nil()),
            details: details("Okafor", date(2011, 3, 4)),
        };
        assert_eq!(
            nhs_number_rule(&details("okafor ", date(2012, 1, 1)), &registered),
            NhsNumberRule::Link
        );
        assert_eq!(
            nhs_number_rule(&details("Smith", date(2011, 3, 4)), &registered),
            NhsNumberRule::Link
        );
        assert_eq!(
            nhs_number_rule(&details("Smith", date(2012, 1, 1)), &registered),
            NhsNumberRule::Review
        );
    }
}
