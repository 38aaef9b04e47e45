//! What a command is decided against besides the referral: the time, the actor, the area's
//! time zone, the young person's date of birth, the service directory ([`ServiceLookup`]) and
//! a source of new ids. `decide` reads nothing else, which keeps it pure.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use uuid::Uuid;

use crate::directory::Service;
use crate::ids::ServiceId;

use super::CLOCK_SKEW_MINUTES;

/// Looks services up in the directory.
pub trait ServiceLookup {
    /// The service with this id, if it exists.
    fn service(&self, id: ServiceId) -> Option<&Service>;
}

impl ServiceLookup for std::collections::HashMap<ServiceId, Service> {
    fn service(&self, id: ServiceId) -> Option<&Service> {
        self.get(&id)
    }
}

impl ServiceLookup for [Service] {
    fn service(&self, id: ServiceId) -> Option<&Service> {
        self.iter().find(|s| s.id == id)
    }
}

impl ServiceLookup for Vec<Service> {
    fn service(&self, id: ServiceId) -> Option<&Service> {
        self.as_slice().service(id)
    }
}

/// What a command is decided against, besides the referral itself.
pub struct Context<'a> {
    /// Now.
    pub now: Timestamp,
    /// Who is acting.
    pub actor: &'a str,
    /// The area's time zone (for ages and dates).
    pub tz: &'a TimeZone,
    /// The young person's date of birth.
    pub date_of_birth: Date,
    /// The service directory.
    pub services: &'a dyn ServiceLookup,
    /// A source of new ids.
    pub new_id: &'a mut dyn FnMut() -> Uuid,
}

impl Context<'_> {
    pub(super) fn latest_allowed(&self) -> Timestamp {
        self.now
            .saturating_add(CLOCK_SKEW_MINUTES.minutes())
            .unwrap_or(self.now)
    }

    pub(crate) fn today(&self) -> Date {
        self.now.to_zoned(self.tz.clone()).date()
    }
}
