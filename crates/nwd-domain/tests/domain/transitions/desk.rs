//! The directory and the desk: the services (one closed, one for intensive needs), the fixed
//! ids and times every case uses, and [`Desk`], the single point of access that runs a command
//! and keeps the referral's recorded history.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use uuid::Uuid;

use nwd_domain::codes::{DeliveryMode, Priority, ReasonCode, ReferralSource, TeamType};
use nwd_domain::directory::{Capacity, Service, ServiceDetails};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{
    Command, Context, NewReferral, RecordedEvent, Referral, ReferralKind, Referrer,
};
use nwd_domain::ServiceId;
use nwd_domain::{DomainError, OrganisationId, PersonId, ReferralId};

pub(super) const COMMUNITY: ServiceId = ServiceId(Uuid::from_u128(0xC0));
pub(super) const WELLBEING: ServiceId = ServiceId(Uuid::from_u128(0xC1));
pub(super) const INTENSIVE: ServiceId = ServiceId(Uuid::from_u128(0xC2));
pub(super) const CLOSED_SERVICE: ServiceId = ServiceId(Uuid::from_u128(0xC3));

pub(super) const REFERRAL: ReferralId = ReferralId(Uuid::from_u128(0xA0));
pub(super) const PERSON: PersonId = PersonId(Uuid::from_u128(0xB0));
/// An id that is on no referral.
pub(super) const UNKNOWN: Uuid = Uuid::from_u128(0xDEAD);

pub(super) const RECEIVED: &str = "2025-01-06T09:00:00Z";
pub(super) const TRIAGED: &str = "2025-01-08T11:00:00Z";
/// When the command under test runs.
pub(super) const NOW: &str = "2025-02-03T10:00:00Z";

pub(super) fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

pub(super) fn service(
    id: ServiceId,
    name: &str,
    need_groups: &[NeedGroup],
    ages: (i16, i16),
) -> Service {
    Service {
        id,
        details: ServiceDetails {
            organisation_id: OrganisationId(Uuid::from_u128(0x0A)),
            name: name.to_string(),
            description: String::new(),
            need_groups: need_groups.to_vec(),
            age_from: ages.0,
            age_to: ages.1,
            team_type: TeamType::Community,
            delivery_modes: vec![DeliveryMode::FaceToFace],
            areas: vec![],
            self_referral: true,
            capacity: Capacity::default(),
            standards: vec![],
            active: true,
            offer: Default::default(),
            measurement: Default::default(),
        },
    }
}

pub(super) fn directory() -> Vec<Service> {
    use NeedGroup::*;
    let mut closed = service(CLOSED_SERVICE, "Closed pilot", NeedGroup::ALL, (0, 25));
    closed.details.active = false;
    vec![
        service(
            COMMUNITY,
            "Northvale community CYPMHS",
            &[GettingHelp, GettingMoreHelp],
            (0, 17),
        ),
        service(
            WELLBEING,
            "Harbour creative therapy",
            &[GettingAdvice, GettingHelp],
            (5, 18),
        ),
        service(
            INTENSIVE,
            "Northvale intensive support",
            &[GettingMoreHelp, GettingRiskSupport],
            (0, 17),
        ),
        closed,
    ]
}

/// The single point of access: the directory, the area's time zone, the young person's date
/// of birth, an id counter, and the referral's recorded history.
pub(super) struct Desk {
    pub(super) services: Vec<Service>,
    pub(super) tz: TimeZone,
    pub(super) date_of_birth: Date,
    pub(super) next_id: u128,
    pub(super) history: Vec<RecordedEvent>,
}

impl Desk {
    pub(super) fn new(date_of_birth: Date) -> Desk {
        Desk {
            services: directory(),
            tz: TimeZone::get("Europe/London").unwrap(),
            date_of_birth,
            next_id: 0x1000,
            history: Vec::new(),
        }
    }

    /// Receives a referral at `RECEIVED`.
    pub(super) fn receive(&mut self, kind: ReferralKind, source: ReferralSource) -> Referral {
        let new = NewReferral {
            kind,
            source,
            priority: Priority::Routine,
            requested_priority: None,
            request_reason: None,
            reasons: vec![ReasonCode::Anxiety],
            presenting_needs: "Worried all the time; stopped going to school clubs".to_string(),
            referrer: Referrer {
                name: "Alex Example".to_string(),
                role: Some("Designated safeguarding lead".to_string()),
                organisation: Some("Northvale Academy".to_string()),
                phone: None,
                email: None,
            },
            consent_to_share: vec![],
            received_at: ts(RECEIVED),
            details: Default::default(),
        };
        let received = Referral::receive(REFERRAL, PERSON, new, ts(RECEIVED), "SPA admin").unwrap();
        self.history = vec![received];
        Referral::replay(&self.history).unwrap()
    }

    /// Runs a command at `at`; accepted events are added to the history.
    pub(super) fn run(
        &mut self,
        referral: &mut Referral,
        at: &str,
        command: Command,
    ) -> Result<Vec<RecordedEvent>, DomainError> {
        let mut counter = self.next_id;
        let result = {
            let mut new_id = || {
                counter += 1;
                Uuid::from_u128(counter)
            };
            let mut ctx = Context {
                now: ts(at),
                actor: "Jo Triage",
                tz: &self.tz,
                date_of_birth: self.date_of_birth,
                services: &self.services,
                new_id: &mut new_id,
            };
            referral.execute(command, &mut ctx)
        };
        self.next_id = counter;
        if let Ok(events) = &result {
            self.history.extend(events.iter().cloned());
        }
        result
    }

    /// Runs a setup command that must succeed.
    pub(super) fn given(&mut self, referral: &mut Referral, at: &str, command: Command) {
        let description = format!("{command:?}");
        if let Err(error) = self.run(referral, at, command) {
            panic!("setup command {description} was refused: {error}");
        }
    }
}
