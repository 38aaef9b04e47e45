//! The one decision of which person a referral is about. Until the matching issue's
//! probabilistic matcher lands, a referral links to an existing person only on an exact,
//! valid NHS number; otherwise it creates a person. The store calls [`decide_link`] and
//! nothing else, so the matcher replaces this function and no caller changes.

use crate::ids::PersonId;
use crate::person::{Person, PersonDetails};

/// Which person a referral is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonLink {
    /// An existing person in the register.
    Existing(PersonId),
    /// Nobody matched: register a new person.
    New,
}

/// Decides the link, given the incoming details and the registered person (if any) holding
/// the same NHS number. A number is only present on `details` when it passed its check digit.
pub fn decide_link(details: &PersonDetails, same_nhs_number: Option<&Person>) -> PersonLink {
    match (details.nhs_number, same_nhs_number) {
        (Some(number), Some(person)) if person.details.nhs_number == Some(number) => {
            PersonLink::Existing(person.id)
        }
        _ => PersonLink::New,
    }
}
