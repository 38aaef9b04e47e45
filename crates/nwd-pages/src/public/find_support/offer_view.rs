//! A service's offer as pages show it: telephone numbers with their `tel:`/`sms:` links,
//! email, web address, where to go, opening hours (on one line and day by day), how to get in
//! and what to bring. Shared by Find support, a service's page and Urgent help.

use nwd_domain::directory::{Service, ServiceOffer};

/// A telephone number to show as a link.
#[derive(Debug, Clone)]
pub struct PhoneView {
    /// What it is for ("Call", "Text").
    pub label: String,
    /// As people read it.
    pub number: String,
    /// `tel:…` or `sms:…`.
    pub href: String,
}

/// Everything a page shows of a service's offer.
#[derive(Debug, Clone, Default)]
pub struct OfferView {
    /// Telephone numbers, most useful first.
    pub phones: Vec<PhoneView>,
    /// Email address.
    pub email: Option<String>,
    /// Web address.
    pub url: Option<String>,
    /// Where you go, on one line.
    pub address: Option<String>,
    /// Online or by telephone only.
    pub remote_only: bool,
    /// The hours on one line ("Monday to Friday, 9am to 5pm").
    pub hours_summary: Option<String>,
    /// Each open day and its times.
    pub hours_by_day: Vec<(String, String)>,
    /// A note about the hours.
    pub hours_note: String,
    /// You can turn up without an appointment.
    pub drop_in: bool,
    /// Who can refer.
    pub referral_from: String,
    /// How to get support.
    pub application_process: String,
    /// What to bring.
    pub what_to_bring: String,
    /// A local crisis line.
    pub crisis_line: bool,
}

impl OfferView {
    /// The view of `offer`.
    pub fn of(offer: &ServiceOffer) -> OfferView {
        let hours = &offer.opening_hours;
        OfferView {
            phones: offer
                .phones
                .iter()
                .map(|p| PhoneView {
                    label: p.label.clone(),
                    number: p.number.clone(),
                    href: p.href(),
                })
                .collect(),
            email: offer.email.clone(),
            url: offer.url.clone(),
            address: offer.physical_address.as_ref().map(|a| a.one_line()),
            remote_only: offer.remote_only,
            hours_summary: hours.summary(),
            hours_by_day: if hours.open_24_7 {
                Vec::new()
            } else {
                hours
                    .by_day()
                    .into_iter()
                    .map(|(day, words)| (day.label().to_owned(), words))
                    .collect()
            },
            hours_note: hours.note.clone(),
            drop_in: offer.drop_in,
            referral_from: offer.referral_from.clone(),
            application_process: offer.application_process.clone(),
            what_to_bring: offer.what_to_bring.clone(),
            crisis_line: offer.crisis_line,
        }
    }

    /// Whether there is any way to contact the service.
    pub fn has_contact(&self) -> bool {
        !self.phones.is_empty() || self.email.is_some() || self.url.is_some()
    }
}

/// A local crisis line as Urgent help and Find support list it.
#[derive(Debug, Clone)]
pub struct CrisisLineView {
    /// Service id (for the link to its page).
    pub id: String,
    /// Name.
    pub name: String,
    /// Numbers.
    pub phones: Vec<PhoneView>,
    /// Opening hours on one line.
    pub hours: Option<String>,
}

impl CrisisLineView {
    /// The view of a crisis line service.
    pub fn of(service: &Service) -> CrisisLineView {
        let offer = OfferView::of(&service.details.offer);
        CrisisLineView {
            id: service.id.to_string(),
            name: service.details.name.clone(),
            phones: offer.phones,
            hours: offer.hours_summary,
        }
    }
}
