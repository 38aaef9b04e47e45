//! What a professional's referral carries besides the coded referral, as triage sees it on
//! the referral page ([`section`]): a referral that also asks for advice, the reasons in the
//! referrer's words, the family's contact and whether it is safe, the young person's own
//! contact, and the safeguarding route — with a warning that the family is not to be
//! contacted.

use nwd_domain::referral::intake::{ContactSafety, IntakeDetails};

/// The section of the referral page.
#[derive(Debug, Clone)]
pub(crate) struct IntakeSection {
    /// Rows of the summary list.
    pub rows: Vec<(&'static str, String)>,
    /// The warning when the family must not be contacted, with the reason.
    pub do_not_contact: Option<String>,
    /// The referral also asks for advice or a consultation.
    pub also_advice: bool,
}

/// The section, or `None` when the referral carries no such answers (other doors).
pub(crate) fn section(details: &IntakeDetails) -> Option<IntakeSection> {
    if details.is_empty() {
        return None;
    }
    let mut rows = Vec::new();
    if !details.plain_reasons.is_empty() {
        rows.push((
            "Worried about (referrer's words)",
            details
                .plain_reasons
                .iter()
                .map(|r| r.label())
                .collect::<Vec<_>>()
                .join(", "),
        ));
    }
    if let Some(contact) = &details.family_contact {
        let mut lines = vec![format!("{} ({})", contact.name, contact.relationship)];
        lines.extend(contact.phone.iter().map(|p| format!("Phone: {p}")));
        lines.extend(contact.email.iter().map(|e| format!("Email: {e}")));
        lines.push(contact.safety.label().to_owned());
        lines.extend(contact.how.iter().map(|h| format!("How: {h}")));
        rows.push(("Family contact", lines.join(" · ")));
    }
    let own: Vec<&str> = [&details.young_person_phone, &details.young_person_email]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect();
    if !own.is_empty() {
        rows.push(("Young person's own contact", own.join(" · ")));
    }
    if let Some(not_sought) = &details.not_sought {
        let detail = if not_sought.detail.trim().is_empty() {
            String::new()
        } else {
            format!(": {}", not_sought.detail)
        };
        rows.push((
            "Consent",
            format!(
                "Not asked, or not agreed. {}{detail}",
                not_sought.reason.label()
            ),
        ));
    }
    let do_not_contact = if let Some(not_sought) = &details.not_sought {
        Some(format!(
            "Made without the young person's or family's agreement ({}). Do not contact the family without first talking to the referrer.",
            not_sought.reason.label().to_lowercase()
        ))
    } else {
        details
            .family_contact
            .as_ref()
            .filter(|c| c.safety == ContactSafety::DoNotContact)
            .map(|_| "The referrer says it is not safe to contact the family.".to_owned())
    };
    Some(IntakeSection {
        rows,
        do_not_contact,
        also_advice: details.also_advice,
    })
}
