//! When someone will be in touch: the one promise every door makes about a new request — the
//! start of each journey, its check and confirmation pages, and the private status link (page
//! and `GET /api/status/{token}`) — so that they all say the same thing.
//!
//! The promise is the single point of access's triage standard from the area's configured
//! standards (`config/standards.toml`, `[[by_team_type.single_point_of_access]]`, each with its
//! source; `nwd_domain::standards`), for the request's priority and source: triage is when the
//! team reads the request and gets in touch. With no such standard configured there is no
//! promise (the pages then say only that someone will be in touch), never an invented figure.
//!
//! Owns: choosing the standard and the words. Does not own the standards (configuration) nor
//! the pages.

use jiff::tz::TimeZone;
use jiff::Timestamp;
use nwd_domain::codes::{Priority, ReferralSource, TeamType};
use nwd_domain::standards::{select, DefaultStandards, WaitTarget};

/// What a request is promised: how soon someone will be in touch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactPromise {
    /// The configured target, e.g. 5 days.
    pub target: WaitTarget,
    /// The target in words, e.g. "5 days" or "4 hours".
    pub within: String,
}

impl ContactPromise {
    /// The sentence the pages and the API use before a request is sent: "Someone from our
    /// team will read it and get in touch within 5 days."
    pub fn sentence(&self) -> String {
        format!(
            "Someone from our team will read it and get in touch within {}.",
            self.within
        )
    }

    /// The same promise for a request received at `received_at`, with its date: "Someone from
    /// our team will get in touch by 10 March 2026." (hour targets keep "within 4 hours of
    /// receiving it", as a date would hide them).
    pub fn by(&self, received_at: Timestamp, tz: &TimeZone) -> String {
        match self.target {
            WaitTarget::Hours(_) => format!(
                "Someone from our team will get in touch within {} of receiving it.",
                self.within
            ),
            WaitTarget::Days(_) => format!(
                "Someone from our team will get in touch by {}.",
                self.target
                    .deadline(received_at, tz)
                    .to_zoned(tz.clone())
                    .date()
                    .strftime("%-d %B %Y")
            ),
        }
    }
}

/// The promise for a request of `priority` from `source`: the first single point of access
/// standard that applies. `None` when the configuration has none.
pub fn contact_promise(
    standards: &DefaultStandards,
    priority: Priority,
    source: ReferralSource,
) -> Option<ContactPromise> {
    let list = standards
        .by_team_type
        .get(TeamType::SinglePointOfAccess.as_str())?;
    let standard = select(list, priority, source)?;
    Some(ContactPromise {
        target: standard.target,
        within: standard.target.describe(),
    })
}

/// The words for a request not yet sent (or just sent): the promise's sentence, or, when the
/// area has configured no triage standard, a sentence without a time.
pub fn promise_sentence(
    standards: &DefaultStandards,
    priority: Priority,
    source: ReferralSource,
) -> String {
    contact_promise(standards, priority, source)
        .map(|p| p.sentence())
        .unwrap_or_else(|| "Someone from our team will read it and get in touch.".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHIPPED: &str = include_str!("../../../config/standards.toml");

    fn shipped() -> DefaultStandards {
        toml::from_str(SHIPPED).expect("the shipped standards parse")
    }

    /// The promise is the configured triage standard for the priority: the shipped file's
    /// routine 5 days and very urgent 4 hours, and follows the file when an area changes it.
    #[test]
    fn the_promise_comes_from_the_configured_triage_standard() {
        let standards = shipped();
        let routine = contact_promise(&standards, Priority::Routine, ReferralSource::SelfReferral);
        assert_eq!(routine.as_ref().map(|p| p.within.as_str()), Some("5 days"));
        assert_eq!(
            promise_sentence(&standards, Priority::Routine, ReferralSource::SelfReferral),
            "Someone from our team will read it and get in touch within 5 days."
        );
        assert_eq!(
            promise_sentence(
                &standards,
                Priority::VeryUrgent,
                ReferralSource::SelfReferral
            ),
            "Someone from our team will read it and get in touch within 4 hours."
        );
        let area: DefaultStandards =
            toml::from_str(&SHIPPED.replace("target = { days = 5 }", "target = { days = 3 }"))
                .expect("parses");
        assert_eq!(
            promise_sentence(&area, Priority::Routine, ReferralSource::SelfReferral),
            "Someone from our team will read it and get in touch within 3 days."
        );
        let mut none = standards.clone();
        none.by_team_type.remove("single_point_of_access");
        assert_eq!(
            promise_sentence(&none, Priority::Routine, ReferralSource::SelfReferral),
            "Someone from our team will read it and get in touch."
        );
    }

    #[test]
    fn a_received_request_is_promised_a_date_in_the_areas_time_zone() {
        let tz = TimeZone::get("Europe/London").expect("tz");
        let received: Timestamp = "2026-03-05T10:00:00Z".parse().expect("ts");
        let routine = contact_promise(&shipped(), Priority::Routine, ReferralSource::SelfReferral)
            .expect("configured");
        assert_eq!(
            routine.by(received, &tz),
            "Someone from our team will get in touch by 10 March 2026."
        );
        let urgent = contact_promise(&shipped(), Priority::Urgent, ReferralSource::SelfReferral)
            .expect("configured");
        assert_eq!(
            urgent.by(received, &tz),
            "Someone from our team will get in touch within 24 hours of receiving it."
        );
    }
}
