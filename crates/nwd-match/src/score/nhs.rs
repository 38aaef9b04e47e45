//! The NHS-number rule's facts for a pair ([`NhsRule`]): whether either number failed its check
//! digit, and how two valid numbers relate: equal and confirmed by an exact date of birth or the
//! same family name, equal unconfirmed, or different.

use crate::comparison::{self, dob, Gamma, PersonRef, DOB, IDENTIFIER};
use crate::normalise::IdentifierKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum NhsRelation {
    EqualConfirmed,
    EqualUnconfirmed,
    Different,
    NotComparable,
}

pub(super) struct NhsRule {
    pub(super) invalid_seen: bool,
    pub(super) relation: NhsRelation,
}

pub(super) fn nhs_rule(query: &PersonRef, person: &PersonRef, gamma: &Gamma) -> NhsRule {
    let kind = |p: &PersonRef| p.identifier.map(|(kind, _)| kind);
    let invalid_seen = kind(query) == Some(IdentifierKind::NhsInvalid)
        || kind(person) == Some(IdentifierKind::NhsInvalid);
    let both_valid =
        kind(query) == Some(IdentifierKind::Nhs) && kind(person) == Some(IdentifierKind::Nhs);
    let relation = if !both_valid {
        NhsRelation::NotComparable
    } else if gamma[IDENTIFIER] == comparison::identifier::EXACT {
        let family_agrees = query.family.is_some() && query.family == person.family;
        if gamma[DOB] == dob::EXACT || family_agrees {
            NhsRelation::EqualConfirmed
        } else {
            NhsRelation::EqualUnconfirmed
        }
    } else {
        NhsRelation::Different
    };
    NhsRule {
        invalid_seen,
        relation,
    }
}
