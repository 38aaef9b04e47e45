//! Contact and confidentiality on the referral page: how to reach the young person, their
//! parents or carers and the referrer (from what was received: the self-referrer's own
//! details, the carers on the person's record, the referrer on `NewReferral`), the name the
//! young person prefers, the preference recorded at triage (e.g. "does not want parents told
//! yet") and the entries kept from parents and carers — shown to every team that may open
//! the referral (the guard has already checked the relationship), not only to triage.
//!
//! It does **not** decide who may see the page (the guard does) nor what a parent or carer
//! sees (`nwd_domain::consent`, `Store::parent_view`).

use nwd_domain::codes::ReferralSource;
use nwd_domain::person::Person;
use nwd_domain::referral::Referral;
use nwd_store::StoreError;

use nwd_http::AppState;

/// A parent's or carer's contact.
#[derive(Debug, Clone)]
pub struct CarerLine {
    /// Name and relationship, e.g. "Sam Example (mother)".
    pub who: String,
    /// Telephone, or "Not given".
    pub phone: String,
    /// Email, or "Not given".
    pub email: String,
    /// Parental responsibility, in words.
    pub responsibility: &'static str,
}

/// What the contact and confidentiality section shows.
#[derive(Debug, Clone)]
pub struct ContactSection {
    /// The name the young person prefers, if given.
    pub preferred_name: Option<String>,
    /// The young person's telephone, or "Not given".
    pub phone: String,
    /// The young person's email, or "Not given".
    pub email: String,
    /// The young person's address, or "Not given".
    pub address: String,
    /// Parents and carers.
    pub carers: Vec<CarerLine>,
    /// The referrer: name, role and organisation.
    pub referrer: String,
    /// The referrer's telephone, or "Not given".
    pub referrer_phone: String,
    /// The referrer's email, or "Not given".
    pub referrer_email: String,
    /// The young person's and family's preference recorded at triage.
    pub preference: Option<String>,
    /// Entries kept from parents and carers, in words.
    pub not_for_parent: Vec<String>,
}

fn given(value: Option<&String>) -> String {
    value
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
        .unwrap_or("Not given")
        .to_owned()
}

/// The section for `referral` about `person`.
pub async fn section(
    state: &AppState,
    referral: &Referral,
    person: &Person,
) -> Result<ContactSection, StoreError> {
    let details = &person.details;
    let referrer = &referral.referrer;
    // A young person referring themselves gave their own contact details.
    let own = referral.source == ReferralSource::SelfReferral;
    let carers = details
        .carers
        .iter()
        .map(|c| CarerLine {
            who: format!("{} ({})", c.name, c.relationship),
            phone: given(c.phone.as_ref()),
            email: given(c.email.as_ref()),
            responsibility: if c.parental_responsibility {
                "Has parental responsibility"
            } else {
                "Parental responsibility not confirmed"
            },
        })
        .collect();
    let who = [referrer.role.as_deref(), referrer.organisation.as_deref()]
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join(", ");
    let not_for_parent = state
        .store
        .not_for_parent_entries(referral.id)
        .await?
        .into_iter()
        .map(|entry| match entry.seq {
            None => format!("The whole referral: {}", entry.reason),
            Some(seq) => format!("Timeline entry {seq}: {}", entry.reason),
        })
        .collect();
    Ok(ContactSection {
        preferred_name: details
            .preferred_name
            .clone()
            .filter(|n| !n.trim().is_empty()),
        phone: given(referrer.phone.as_ref().filter(|_| own)),
        email: given(referrer.email.as_ref().filter(|_| own)),
        address: given(details.address.as_ref()),
        carers,
        referrer: if who.is_empty() {
            referrer.name.clone()
        } else {
            format!("{} ({who})", referrer.name)
        },
        referrer_phone: given(referrer.phone.as_ref()),
        referrer_email: given(referrer.email.as_ref()),
        preference: referral
            .triage
            .as_ref()
            .and_then(|t| t.preference.clone())
            .filter(|p| !p.trim().is_empty()),
        not_for_parent,
    })
}
