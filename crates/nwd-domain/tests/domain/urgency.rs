//! Priority and risk as living facts (`nwd_domain::referral::urgency`): the current priority,
//! risk and risk review date are projected from events, whatever sequence of triage and
//! urgency reviews made them; a requested priority waits for triage; triage due follows the
//! triage priority. All people here are synthetic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use proptest::prelude::*;
use uuid::Uuid;

use nwd_domain::codes::{DeliveryMode, Priority, ReasonCode, ReferralSource, TeamType};
use nwd_domain::directory::{Capacity, Service, ServiceDetails};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::referral::urgency::{stated_priority, triage_due};
use nwd_domain::referral::{
    Command, Context, DestinationRequest, NewReferral, RecordedEvent, Referral, ReferralKind,
    Referrer, TriageCommand, UrgencyCommand,
};
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::{DomainError, OrganisationId, PersonId, ReferralId, ServiceId};

const RECEIVED: &str = "2025-03-03T09:00:00Z";

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

fn new_referral(priority: Priority, requested: Option<Priority>) -> NewReferral {
    NewReferral {
        kind: ReferralKind::Referral,
        source: ReferralSource::Gp,
        priority,
        requested_priority: requested,
        request_reason: requested.map(|_| "Safety question: yes".to_owned()),
        reasons: vec![ReasonCode::SelfHarm],
        presenting_needs: "Synthetic: has been hurting themselves".to_owned(),
        referrer: Referrer {
            name: "Sam Synthetic".to_owned(),
            role: None,
            organisation: None,
            phone: None,
            email: None,
        },
        consent_to_share: Vec::new(),
        received_at: ts(RECEIVED),
        details: Default::default(),
    }
}

/// A referral and its history, with the clock and the area's time zone.
struct Case {
    referral: Referral,
    history: Vec<RecordedEvent>,
    now: Timestamp,
    tz: TimeZone,
    next_id: u128,
}

impl Case {
    fn new(priority: Priority, requested: Option<Priority>) -> Case {
        let first = Referral::receive(
            ReferralId(Uuid::from_u128(1)),
            PersonId(Uuid::from_u128(2)),
            new_referral(priority, requested),
            ts(RECEIVED),
            "public:young-person",
        )
        .unwrap();
        Case {
            referral: Referral::replay(std::slice::from_ref(&first)).unwrap(),
            history: vec![first],
            now: ts(RECEIVED),
            tz: TimeZone::get("Europe/London").unwrap(),
            next_id: 100,
        }
    }

    fn run(&mut self, command: Command) -> Result<(), DomainError> {
        self.now = self.now.checked_add(1.hour()).unwrap();
        let services = vec![community()];
        let mut counter = self.next_id;
        let mut new_id = || {
            counter += 1;
            Uuid::from_u128(counter)
        };
        let before = self.referral.clone();
        let result = {
            let mut ctx = Context {
                now: self.now,
                actor: "user:clinician",
                tz: &self.tz,
                date_of_birth: Date::constant(2010, 5, 5),
                services: &services,
                new_id: &mut new_id,
            };
            self.referral.execute(command, &mut ctx)
        };
        self.next_id = counter;
        match result {
            Ok(events) => {
                self.history.extend(events);
                assert_eq!(Referral::replay(&self.history).unwrap(), self.referral);
                Ok(())
            }
            Err(error) => {
                assert_eq!(self.referral, before, "a refused command changes nothing");
                Err(error)
            }
        }
    }

    fn today(&self) -> Date {
        self.now.to_zoned(self.tz.clone()).date()
    }
}

const COMMUNITY: ServiceId = ServiceId(Uuid::from_u128(0xC0));

fn community() -> Service {
    Service {
        id: COMMUNITY,
        details: ServiceDetails {
            organisation_id: OrganisationId(Uuid::from_u128(0x0A)),
            name: "Synthetic community CYPMHS".to_owned(),
            description: String::new(),
            need_groups: NeedGroup::ALL.to_vec(),
            age_from: 0,
            age_to: 25,
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

/// Triage allocating to the community service: the referral stays open.
fn triage(priority: Option<Priority>, risk: RiskLevel) -> Command {
    triage_to(
        priority,
        risk,
        DestinationRequest::Allocate {
            service_id: COMMUNITY,
        },
    )
}

fn triage_to(
    priority: Option<Priority>,
    risk: RiskLevel,
    destination: DestinationRequest,
) -> Command {
    Command::Triage(TriageCommand {
        need_group: NeedGroup::GettingHelp,
        risk,
        priority,
        risk_review_on: None,
        rationale: "Synthetic triage".to_owned(),
        preference: None,
        destinations: vec![destination],
        competence: None,
    })
}

fn urgency(priority: Option<Priority>, risk: Option<RiskLevel>, review: Option<Date>) -> Command {
    Command::RecordUrgency(UrgencyCommand {
        priority,
        risk,
        risk_review_on: review,
        reason: "Synthetic review".to_owned(),
    })
}

fn field(error: &DomainError) -> String {
    match error {
        DomainError::Invalid(errors) => errors
            .0
            .iter()
            .map(|f| f.field.clone())
            .collect::<Vec<_>>()
            .join(","),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_request_waits_for_triage_and_triage_must_confirm_it() {
    let mut case = Case::new(Priority::Routine, Some(Priority::VeryUrgent));
    assert_eq!(case.referral.priority, Priority::Routine);
    assert_eq!(case.referral.requested_priority, Some(Priority::VeryUrgent));
    assert_eq!(case.referral.triage_priority(), Priority::VeryUrgent);
    assert!(case.referral.on_crisis_list());
    // Triage without a priority would drop the request silently: refused, naming the field.
    let refused = case.run(triage(None, RiskLevel::Medium)).unwrap_err();
    assert_eq!(field(&refused), "priority");
    // Triage confirms routine: the request is settled, the referral leaves the crisis list.
    case.run(triage(Some(Priority::Routine), RiskLevel::Low))
        .unwrap();
    assert_eq!(case.referral.requested_priority, None);
    assert_eq!(case.referral.risk, Some(RiskLevel::Low));
    assert!(!case.referral.on_crisis_list());
}

#[test]
fn a_request_for_less_urgency_than_the_clinical_priority_is_no_request() {
    let case = Case::new(Priority::Urgent, Some(Priority::Routine));
    assert_eq!(case.referral.requested_priority, None);
    assert_eq!(case.referral.request_reason, None);
}

#[test]
fn unverified_senders_request_and_verified_senders_set() {
    assert_eq!(stated_priority(Priority::Urgent, true).0, Priority::Urgent);
    let (clinical, requested, reason) = stated_priority(Priority::Urgent, false);
    assert_eq!(
        (clinical, requested),
        (Priority::Routine, Some(Priority::Urgent))
    );
    assert!(reason.unwrap().contains("not signed in"));
    assert_eq!(
        stated_priority(Priority::Routine, false),
        (Priority::Routine, None, None)
    );
}

#[test]
fn urgency_changes_need_a_reason_a_change_and_a_sensible_date() {
    let mut case = Case::new(Priority::Routine, None);
    let mut no_reason = UrgencyCommand {
        priority: Some(Priority::Urgent),
        risk: None,
        risk_review_on: None,
        reason: "  ".to_owned(),
    };
    assert_eq!(
        field(
            &case
                .run(Command::RecordUrgency(no_reason.clone()))
                .unwrap_err()
        ),
        "reason"
    );
    no_reason.reason = "Synthetic".to_owned();
    case.run(Command::RecordUrgency(no_reason)).unwrap();
    // The same priority again, with nothing else: nothing would change.
    assert_eq!(
        field(
            &case
                .run(urgency(Some(Priority::Urgent), None, None))
                .unwrap_err()
        ),
        "priority"
    );
    let yesterday = case.today().checked_sub(1.day()).unwrap();
    assert_eq!(
        field(
            &case
                .run(urgency(None, Some(RiskLevel::High), Some(yesterday)))
                .unwrap_err()
        ),
        "risk_review_on"
    );
    let far = case.today().checked_add(400.days()).unwrap();
    assert_eq!(
        field(&case.run(urgency(None, None, Some(far))).unwrap_err()),
        "risk_review_on"
    );
}

#[test]
fn a_closed_referral_keeps_its_last_urgency() {
    let mut case = Case::new(Priority::Routine, None);
    let signpost = DestinationRequest::Signpost {
        name: "Synthetic helpline".to_owned(),
        service_id: None,
        warm_handover: false,
        handover_note: None,
    };
    case.run(triage_to(Some(Priority::Urgent), RiskLevel::High, signpost))
        .unwrap();
    assert!(matches!(
        case.run(urgency(Some(Priority::Emergency), None, None)),
        Err(DomainError::IllegalTransition(_))
    ));
    assert_eq!(case.referral.priority, Priority::Urgent);
}

#[test]
fn triage_due_follows_the_triage_priority() {
    let tz = TimeZone::get("Europe/London").unwrap();
    let standard = |name: &str, target, priorities: Vec<Priority>| WaitStandard {
        name: name.to_owned(),
        target,
        priorities,
        sources: Vec::new(),
        target_share_percent: None,
        source: "test".to_owned(),
    };
    let standards = vec![
        standard(
            "very urgent",
            WaitTarget::Hours(4),
            vec![Priority::VeryUrgent],
        ),
        standard("routine", WaitTarget::Days(5), Vec::new()),
    ];
    let received = ts(RECEIVED);
    let due = |p| triage_due(p, ReferralSource::SelfReferral, received, &standards, &tz).unwrap();
    assert_eq!(due(Priority::VeryUrgent), ts("2025-03-03T13:00:00Z"));
    assert_eq!(due(Priority::Routine), ts("2025-03-08T09:00:00Z"));
    // A pending request moves triage due earlier; the clinical priority stays.
    let case = Case::new(Priority::Routine, Some(Priority::VeryUrgent));
    assert_eq!(
        due(case.referral.triage_priority()),
        ts("2025-03-03T13:00:00Z")
    );
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Step {
    Triage(Option<Priority>, RiskLevel),
    Urgency(Option<Priority>, Option<RiskLevel>, Option<u8>),
}

fn priority() -> impl Strategy<Value = Priority> {
    prop::sample::select(vec![
        Priority::Emergency,
        Priority::VeryUrgent,
        Priority::Urgent,
        Priority::Routine,
    ])
}

fn risk() -> impl Strategy<Value = RiskLevel> {
    prop::sample::select(RiskLevel::ALL.to_vec())
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (prop::option::of(priority()), risk()).prop_map(|(p, r)| Step::Triage(p, r)),
        (
            prop::option::of(priority()),
            prop::option::of(risk()),
            prop::option::of(0u8..30)
        )
            .prop_map(|(p, r, d)| Step::Urgency(p, r, d)),
    ]
}

proptest! {
    /// Whatever sequence of triage and urgency reviews is accepted, the current priority,
    /// risk and review date are the last ones recorded (or as received), a request is pending
    /// only until triage or a priority is recorded, and the state replays from its events.
    #[test]
    fn current_urgency_is_the_last_recorded(
        start in priority(),
        requested in prop::option::of(priority()),
        steps in prop::collection::vec(step(), 0..12),
    ) {
        let mut case = Case::new(start, requested);
        let mut expected_priority = start;
        let mut expected_requested = requested.filter(|r| r.rank() < start.rank());
        let mut expected_risk = None;
        let mut expected_review = None;
        for step in steps {
            match step {
                Step::Triage(p, r) => {
                    let was_pending = case.referral.requested_priority.is_some();
                    let awaiting = case.referral.triage.is_none();
                    match case.run(triage(p, r)) {
                        Ok(()) => {
                            prop_assert!(awaiting);
                            prop_assert!(p.is_some() || !was_pending);
                            if let Some(p) = p { expected_priority = p; }
                            expected_requested = None;
                            expected_risk = Some(r);
                        }
                        Err(_) => prop_assert!(!awaiting || (p.is_none() && was_pending)),
                    }
                }
                Step::Urgency(p, r, days) => {
                    let review = days.map(|d| case.today().checked_add(i64::from(d).days()).unwrap());
                    let closed = case.referral.closure.is_some();
                    if let Ok(()) = case.run(urgency(p, r, review)) {
                        prop_assert!(!closed);
                        if let Some(p) = p { expected_priority = p; expected_requested = None; }
                        if r.is_some() { expected_risk = r; }
                        if review.is_some() { expected_review = review; }
                    }
                }
            }
            prop_assert_eq!(case.referral.priority, expected_priority);
            prop_assert_eq!(case.referral.requested_priority, expected_requested);
            prop_assert_eq!(case.referral.risk, expected_risk);
            prop_assert_eq!(case.referral.risk_review_on, expected_review);
            let crisis = matches!(case.referral.triage_priority(), Priority::Emergency | Priority::VeryUrgent)
                || expected_risk.is_some_and(|r| r >= RiskLevel::High);
            prop_assert_eq!(case.referral.on_crisis_list(), crisis && case.referral.closure.is_none());
        }
    }
}
