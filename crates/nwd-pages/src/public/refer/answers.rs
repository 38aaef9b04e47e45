//! Reads the referral form's answers into the domain's values, once for the checks
//! (`validate`), the send (`send`) and the journey's pages: whether it is an anonymous
//! consultation, the kind (a referral, advice, or both), the plain-word reasons, and the
//! [`IntakeDetails`] (family contact, the young person's own contact, the safeguarding route).

use crate::form::FormData;
use nwd_domain::codes::PlainReason;
use nwd_domain::referral::intake::{
    ContactSafety, FamilyContact, IntakeDetails, NotSought, NotSoughtReason,
};
use nwd_domain::referral::ReferralKind;

/// The family-contact fields (the parent's or carer's, then the young person's own).
pub const CARER_FIELDS: [&str; 6] = [
    "carer-name",
    "carer-relationship",
    "carer-phone",
    "carer-email",
    "carer-safety",
    "carer-how",
];

/// The answer of `name`, trimmed, when not empty.
fn text(form: &FormData, name: &str) -> Option<String> {
    Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty())
}

/// Whether the answers ask for advice without naming the young person.
pub(crate) fn is_anonymous(form: &FormData) -> bool {
    form.first("kind") == "advice_request" && form.first("identify") == "anonymous"
}

/// Whether the answers ask for advice (alone or with a referral).
pub(crate) fn asks_advice(form: &FormData) -> bool {
    matches!(form.first("kind"), "advice_request" | "both")
}

/// The kind of request, and whether a referral also asks for advice ("both").
pub(crate) fn kind(form: &FormData) -> (ReferralKind, bool) {
    match form.first("kind") {
        "advice_request" => (ReferralKind::AdviceRequest, false),
        "both" => (ReferralKind::Referral, true),
        _ => (ReferralKind::Referral, false),
    }
}

/// The plain-word reasons chosen (unknown values left out: `validate` names them).
pub(crate) fn plain_reasons(form: &FormData) -> Vec<PlainReason> {
    form.all("reasons")
        .iter()
        .filter_map(|r| PlainReason::parse(r).ok())
        .collect()
}

/// Whether any family-contact field was answered.
pub(crate) fn gave_family_contact(form: &FormData) -> bool {
    CARER_FIELDS[..4]
        .iter()
        .any(|f| !form.first(f).trim().is_empty())
}

/// The details as the domain keeps them (not yet normalised: the use case does that).
pub(crate) fn details(form: &FormData) -> IntakeDetails {
    let family_contact = gave_family_contact(form).then(|| FamilyContact {
        name: form.first("carer-name").trim().to_owned(),
        relationship: form.first("carer-relationship").trim().to_owned(),
        phone: text(form, "carer-phone"),
        email: text(form, "carer-email"),
        safety: ContactSafety::parse(form.first("carer-safety")).unwrap_or_default(),
        how: text(form, "carer-how"),
    });
    let not_sought = (form.first("consent") == "not_sought").then(|| NotSought {
        reason: NotSoughtReason::parse(form.first("not-sought-reason"))
            .unwrap_or(NotSoughtReason::Other),
        detail: form.first("not-sought-detail").trim().to_owned(),
    });
    IntakeDetails {
        also_advice: kind(form).1,
        plain_reasons: plain_reasons(form),
        family_contact,
        young_person_phone: text(form, "yp-phone"),
        young_person_email: text(form, "yp-email"),
        not_sought,
    }
}
