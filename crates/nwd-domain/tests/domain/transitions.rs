// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
//! The referral state machine as a table: every command from every kind of state, with the
//! status and events it produces or the error that refuses it. Every case goes through one
//! `check()` helper (rust-analyzer style), which also asserts that a refused command changes
//! nothing and that an accepted one replays to the same state.
//!
//! All people and organisations here are synthetic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use jiff::civil::{date, Date};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use uuid::Uuid;

use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DeliveryMode, DischargeReason, Priority, ReasonCode,
    ReferralSource, TeamType, TransitionOutcome,
};
use nwd_domain::directory::{Capacity, Service, ServiceDetails};
use nwd_domain::need::{NeedGroup, RiskLevel, StepDirection};
use nwd_domain::person::CompetenceDecision;
use nwd_domain::referral::{
    AllocateCommand, AllocationOrigin, Command, ContactInput, ContactKind, Context,
    DestinationRequest, DischargeCommand, NewReferral, RecordedEvent, Referral, ReferralEvent,
    ReferralKind, ReferralStatus, Referrer, StepCommand, TransitionCommand, TransitionPlanCommand,
    TriageCommand,
};
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::waits::entries_for;
use nwd_domain::{AllocationId, ContactId, DomainError, OrganisationId, PersonId, ReferralId};
use nwd_domain::{ServiceId, ValidationErrors};

// ---------------------------------------------------------------------------------------------
// The directory and the desk
// ---------------------------------------------------------------------------------------------

const COMMUNITY: ServiceId = ServiceId(Uuid::from_u128(0xC0));
const WELLBEING: ServiceId = ServiceId(Uuid::from_u128(0xC1));
const INTENSIVE: ServiceId = ServiceId(Uuid::from_u128(0xC2));
const CLOSED_SERVICE: ServiceId = ServiceId(Uuid::from_u128(0xC3));

const REFERRAL: ReferralId = ReferralId(Uuid::from_u128(0xA0));
const PERSON: PersonId = PersonId(Uuid::from_u128(0xB0));
/// An id that is on no referral.
const UNKNOWN: Uuid = Uuid::from_u128(0xDEAD);

const RECEIVED: &str = "2025-01-06T09:00:00Z";
const TRIAGED: &str = "2025-01-08T11:00:00Z";
/// When the command under test runs.
const NOW: &str = "2025-02-03T10:00:00Z";

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

fn service(id: ServiceId, name: &str, need_groups: &[NeedGroup], ages: (i16, i16)) -> Service {
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
        },
    }
}

fn directory() -> Vec<Service> {
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
struct Desk {
    services: Vec<Service>,
    tz: TimeZone,
    date_of_birth: Date,
    next_id: u128,
    history: Vec<RecordedEvent>,
}

impl Desk {
    fn new(date_of_birth: Date) -> Desk {
        Desk {
            services: directory(),
            tz: TimeZone::get("Europe/London").unwrap(),
            date_of_birth,
            next_id: 0x1000,
            history: Vec::new(),
        }
    }

    /// Receives a referral at `RECEIVED`.
    fn receive(&mut self, kind: ReferralKind, source: ReferralSource) -> Referral {
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
        };
        let received = Referral::receive(REFERRAL, PERSON, new, ts(RECEIVED), "SPA admin").unwrap();
        self.history = vec![received];
        Referral::replay(&self.history).unwrap()
    }

    /// Runs a command at `at`; accepted events are added to the history.
    fn run(
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
    fn given(&mut self, referral: &mut Referral, at: &str, command: Command) {
        let description = format!("{command:?}");
        if let Err(error) = self.run(referral, at, command) {
            panic!("setup command {description} was refused: {error}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Commands
// ---------------------------------------------------------------------------------------------

fn competence(competent: bool) -> CompetenceDecision {
    CompetenceDecision {
        competent,
        assessed_by: "Jo Triage, CAMHS practitioner".to_string(),
        rationale: "Understands the help offered, its risks and that they can stop".to_string(),
    }
}

fn triage(destinations: Vec<DestinationRequest>) -> TriageCommand {
    TriageCommand {
        need_group: NeedGroup::GettingHelp,
        risk: RiskLevel::Low,
        priority: None,
        risk_review_on: None,
        rationale: "Agreed with the young person and parent: goal-based help".to_string(),
        preference: Some("After school appointments".to_string()),
        destinations,
        competence: None,
    }
}

fn allocate_to(service_id: ServiceId) -> DestinationRequest {
    DestinationRequest::Allocate { service_id }
}

fn signpost() -> DestinationRequest {
    DestinationRequest::Signpost {
        name: "Riverside Youth Counselling".to_string(),
        service_id: None,
        warm_handover: true,
        handover_note: Some("Spoke to the duty counsellor; first session offered".to_string()),
    }
}

fn contact(allocation_id: AllocationId, at: &str, status: ContactStatus) -> Command {
    Command::RecordContact(ContactInput {
        allocation_id,
        at: ts(at),
        status,
        mechanism: ConsultationMechanism::FaceToFace,
        clinician: "Sam Sample".to_string(),
        duration_minutes: 50,
        kind: ContactKind::Direct,
    })
}

fn discharge(allocation_id: AllocationId) -> Command {
    Command::Discharge(DischargeCommand {
        allocation_id,
        reason: DischargeReason::TreatmentCompleted,
        note: None,
    })
}

fn step(end_allocations: Vec<AllocationId>, allocate: Vec<ServiceId>) -> Command {
    Command::Step(StepCommand {
        direction: StepDirection::Up,
        to: NeedGroup::GettingMoreHelp,
        reason: "Low mood worsening despite sessions".to_string(),
        end_allocations,
        allocate,
    })
}

/// The command kinds of the table. Each becomes a concrete, otherwise valid command aimed at
/// the starting referral (its first allocation, its last scheduled contact).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cmd {
    RecordCompetence,
    TriageAllocate,
    TriageSignpost,
    TriageAdvice,
    TriageDeclined,
    Allocate,
    RecordContact,
    RecordContactOutcome,
    Step,
    PlanTransition,
    Transition,
    Discharge,
    Decline,
}

impl Cmd {
    const ALL: [Cmd; 13] = [
        Cmd::RecordCompetence,
        Cmd::TriageAllocate,
        Cmd::TriageSignpost,
        Cmd::TriageAdvice,
        Cmd::TriageDeclined,
        Cmd::Allocate,
        Cmd::RecordContact,
        Cmd::RecordContactOutcome,
        Cmd::Step,
        Cmd::PlanTransition,
        Cmd::Transition,
        Cmd::Discharge,
        Cmd::Decline,
    ];

    fn build(self, referral: &Referral) -> Command {
        let allocation = referral
            .allocations
            .first()
            .map(|a| a.id)
            .unwrap_or(AllocationId(UNKNOWN));
        let scheduled = referral
            .contacts
            .iter()
            .rev()
            .find(|c| c.status == ContactStatus::Scheduled)
            .map(|c| c.id)
            .unwrap_or(ContactId(UNKNOWN));
        match self {
            Cmd::RecordCompetence => Command::RecordCompetence(competence(true)),
            Cmd::TriageAllocate => Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
            Cmd::TriageSignpost => Command::Triage(triage(vec![signpost()])),
            Cmd::TriageAdvice => Command::Triage(triage(vec![DestinationRequest::AdviceGiven {
                summary: "Discussed a graded plan for school attendance".to_string(),
            }])),
            Cmd::TriageDeclined => Command::Triage(triage(vec![DestinationRequest::Declined {
                reason: "The family would rather try the school counsellor first".to_string(),
            }])),
            Cmd::Allocate => Command::Allocate(AllocateCommand {
                service_id: WELLBEING,
                reason: "Creative therapy alongside CYPMHS sessions".to_string(),
            }),
            Cmd::RecordContact => {
                contact(allocation, "2025-02-03T09:00:00Z", ContactStatus::Attended)
            }
            Cmd::RecordContactOutcome => Command::RecordContactOutcome {
                contact_id: scheduled,
                status: ContactStatus::Attended,
            },
            Cmd::Step => step(vec![allocation], vec![INTENSIVE]),
            Cmd::PlanTransition => Command::PlanTransition(TransitionPlanCommand {
                allocation_id: allocation,
                planned_on: "2030-09-01".parse().unwrap(),
                outcome: TransitionOutcome::AdultService,
                receiving_service_id: None,
                receiving_service: Some("Northvale adult mental health service".to_string()),
                note: None,
            }),
            Cmd::Transition => Command::Transition(TransitionCommand {
                allocation_id: allocation,
                outcome: TransitionOutcome::ZeroToTwentyFiveService,
                need_group: NeedGroup::GettingHelp,
                receiving_service: Some("Northvale 18-25 service".to_string()),
                note: None,
            }),
            Cmd::Discharge => discharge(allocation),
            Cmd::Decline => Command::Decline {
                reason: "Feeling better and wants to stop".to_string(),
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Starting states
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    AwaitingTriage,
    /// Triaged to the community service; a contact is booked but not yet attended.
    OpenWaiting,
    /// Triaged to the community service and seen once; a further contact is booked.
    OpenSeen,
    ClosedSignposted,
    /// Seen, then discharged from its only allocation.
    ClosedDischarged,
    ClosedDeclined,
    /// A professional's advice request, awaiting triage.
    AdviceRequest,
}

impl Start {
    const ALL: [Start; 7] = [
        Start::AwaitingTriage,
        Start::OpenWaiting,
        Start::OpenSeen,
        Start::ClosedSignposted,
        Start::ClosedDischarged,
        Start::ClosedDeclined,
        Start::AdviceRequest,
    ];

    fn build(self, desk: &mut Desk) -> Referral {
        if self == Start::AdviceRequest {
            return desk.receive(ReferralKind::AdviceRequest, ReferralSource::School);
        }
        let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::School);
        let r = &mut referral;
        match self {
            Start::AwaitingTriage | Start::AdviceRequest => {}
            Start::ClosedSignposted => {
                desk.given(r, TRIAGED, Command::Triage(triage(vec![signpost()])));
            }
            Start::ClosedDeclined => {
                let declined = Cmd::TriageDeclined.build(r);
                desk.given(r, TRIAGED, declined);
            }
            Start::OpenWaiting | Start::OpenSeen | Start::ClosedDischarged => {
                let triaged = Cmd::TriageAllocate.build(r);
                desk.given(r, TRIAGED, triaged);
                let allocation = r.allocations[0].id;
                let booked = "2025-01-20T16:00:00Z";
                desk.given(
                    r,
                    "2025-01-10T12:00:00Z",
                    contact(allocation, booked, ContactStatus::Scheduled),
                );
                if self != Start::OpenWaiting {
                    let first = r.contacts[0].id;
                    let seen = Command::RecordContactOutcome {
                        contact_id: first,
                        status: ContactStatus::Attended,
                    };
                    desk.given(r, "2025-01-20T17:00:00Z", seen);
                    let next = "2025-01-27T16:00:00Z";
                    desk.given(
                        r,
                        "2025-01-20T17:05:00Z",
                        contact(allocation, next, ContactStatus::Scheduled),
                    );
                }
                if self == Start::ClosedDischarged {
                    desk.given(r, "2025-01-28T09:00:00Z", discharge(allocation));
                }
            }
        }
        referral
    }
}

// ---------------------------------------------------------------------------------------------
// check()
// ---------------------------------------------------------------------------------------------

/// Renders an outcome: `status(destination kind): event, event` or `refused: error kind`.
fn render(referral: &Referral, result: &Result<Vec<RecordedEvent>, DomainError>) -> String {
    match result {
        Ok(events) => {
            let destination = match &referral.closure {
                Some(closure) => format!("({})", closure.destination.kind()),
                None if referral.status == ReferralStatus::Closed => "(NO DESTINATION)".to_string(),
                None => String::new(),
            };
            let names: Vec<&str> = events.iter().map(|e| e.event.type_name()).collect();
            format!(
                "{}{destination}: {}",
                referral.status.as_str(),
                names.join(", ")
            )
        }
        Err(error) => format!("refused: {}", error_kind(error)),
    }
}

fn error_kind(error: &DomainError) -> String {
    match error {
        DomainError::IllegalTransition(_) => "illegal_transition".to_string(),
        DomainError::NotFound(_) => "not_found".to_string(),
        DomainError::Forbidden(_) => "forbidden".to_string(),
        DomainError::Invalid(ValidationErrors(fields)) => {
            let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
            format!("invalid [{}]", names.join(", "))
        }
    }
}

/// Runs `command` at `NOW` on `referral` and compares the rendered outcome with `expected`.
/// Whatever the outcome, checks that a refusal changed nothing and that an acceptance is
/// recorded as consecutive events that replay to the new state.
fn check_command(
    desk: &mut Desk,
    referral: &mut Referral,
    command: Command,
    expected: &str,
    case: &str,
) {
    let before = referral.clone();
    let history_before = desk.history.len();
    let result = desk.run(referral, NOW, command);
    let actual = render(referral, &result);
    assert_eq!(actual, expected, "{case}");
    match &result {
        Err(_) => {
            assert_eq!(
                *referral, before,
                "{case}: a refused command must change nothing"
            );
            assert_eq!(
                desk.history.len(),
                history_before,
                "{case}: no events on refusal"
            );
        }
        Ok(events) => {
            assert!(
                !events.is_empty(),
                "{case}: an accepted command records an event"
            );
            let seqs: Vec<u32> = events.iter().map(|e| e.seq).collect();
            let first = before.version + 1;
            let expected_seqs: Vec<u32> = (first..first + events.len() as u32).collect();
            assert_eq!(seqs, expected_seqs, "{case}: seqs continue the history");
            assert_eq!(
                referral.version,
                before.version + events.len() as u32,
                "{case}"
            );
            assert_eq!(
                Referral::replay(&desk.history).as_ref(),
                Ok(&*referral),
                "{case}: replay"
            );
            assert_eq!(
                referral.status == ReferralStatus::Closed,
                referral.closure.is_some(),
                "{case}: closed if and only if a destination is recorded"
            );
        }
    }
}

fn check(start: Start, cmd: Cmd, expected: &str) {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = start.build(&mut desk);
    let command = cmd.build(&referral);
    check_command(
        &mut desk,
        &mut referral,
        command,
        expected,
        &format!("{start:?} + {cmd:?}"),
    );
}

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const ILLEGAL: &str = "refused: illegal_transition";
const NOT_FOUND: &str = "refused: not_found";

/// Every command from every starting state: the rendered outcome (see [`render`]).
#[rustfmt::skip]
const TABLE: &[(Start, Cmd, &str)] = {
    use Cmd::*;
    use Start::*;
    &[
        // Before triage there is no allocation or contact: commands naming one find nothing.
        (AwaitingTriage, RecordCompetence, "awaiting_triage: competence_recorded"),
        (AwaitingTriage, TriageAllocate, "open: triaged, allocated"),
        (AwaitingTriage, TriageSignpost, "closed(signposted): triaged, signposted, closed"),
        (AwaitingTriage, TriageAdvice, "closed(advice_given): triaged, advice_given, closed"),
        (AwaitingTriage, TriageDeclined, "closed(declined): triaged, closed"),
        (AwaitingTriage, Allocate, ILLEGAL),
        (AwaitingTriage, RecordContact, NOT_FOUND),
        (AwaitingTriage, RecordContactOutcome, NOT_FOUND),
        (AwaitingTriage, Step, ILLEGAL),
        (AwaitingTriage, PlanTransition, NOT_FOUND),
        (AwaitingTriage, Transition, NOT_FOUND),
        (AwaitingTriage, Discharge, NOT_FOUND),
        (AwaitingTriage, Decline, "closed(declined): closed"),

        // Open, waiting or seen alike: triage is done once; closing needs the last allocation.
        (OpenWaiting, RecordCompetence, "open: competence_recorded"),
        (OpenWaiting, TriageAllocate, ILLEGAL),
        (OpenWaiting, TriageSignpost, ILLEGAL),
        (OpenWaiting, TriageAdvice, ILLEGAL),
        (OpenWaiting, TriageDeclined, ILLEGAL),
        (OpenWaiting, Allocate, "open: allocated"),
        (OpenWaiting, RecordContact, "open: contact_recorded"),
        (OpenWaiting, RecordContactOutcome, "open: contact_outcome_recorded"),
        (OpenWaiting, Step, "open: need_group_changed, allocation_ended, allocated"),
        (OpenWaiting, PlanTransition, "open: transition_planned"),
        (OpenWaiting, Transition, "closed(transitioned): transition_recorded, allocation_ended, closed"),
        (OpenWaiting, Discharge, "closed(allocated): allocation_ended, closed"),
        (OpenWaiting, Decline, "closed(declined): allocation_ended, closed"),

        (OpenSeen, RecordCompetence, "open: competence_recorded"),
        (OpenSeen, TriageAllocate, ILLEGAL),
        (OpenSeen, TriageSignpost, ILLEGAL),
        (OpenSeen, TriageAdvice, ILLEGAL),
        (OpenSeen, TriageDeclined, ILLEGAL),
        (OpenSeen, Allocate, "open: allocated"),
        (OpenSeen, RecordContact, "open: contact_recorded"),
        (OpenSeen, RecordContactOutcome, "open: contact_outcome_recorded"),
        (OpenSeen, Step, "open: need_group_changed, allocation_ended, allocated"),
        (OpenSeen, PlanTransition, "open: transition_planned"),
        (OpenSeen, Transition, "closed(transitioned): transition_recorded, allocation_ended, closed"),
        (OpenSeen, Discharge, "closed(allocated): allocation_ended, closed"),
        (OpenSeen, Decline, "closed(declined): allocation_ended, closed"),

        // Closed is final: nothing reopens or edits a closed referral, not even triage.
        (ClosedSignposted, RecordCompetence, ILLEGAL),
        (ClosedSignposted, TriageAllocate, ILLEGAL),
        (ClosedSignposted, TriageSignpost, ILLEGAL),
        (ClosedSignposted, TriageAdvice, ILLEGAL),
        (ClosedSignposted, TriageDeclined, ILLEGAL),
        (ClosedSignposted, Allocate, ILLEGAL),
        (ClosedSignposted, RecordContact, ILLEGAL),
        (ClosedSignposted, RecordContactOutcome, ILLEGAL),
        (ClosedSignposted, Step, ILLEGAL),
        (ClosedSignposted, PlanTransition, ILLEGAL),
        (ClosedSignposted, Transition, ILLEGAL),
        (ClosedSignposted, Discharge, ILLEGAL),
        (ClosedSignposted, Decline, ILLEGAL),

        (ClosedDischarged, RecordCompetence, ILLEGAL),
        (ClosedDischarged, TriageAllocate, ILLEGAL),
        (ClosedDischarged, TriageSignpost, ILLEGAL),
        (ClosedDischarged, TriageAdvice, ILLEGAL),
        (ClosedDischarged, TriageDeclined, ILLEGAL),
        (ClosedDischarged, Allocate, ILLEGAL),
        (ClosedDischarged, RecordContact, ILLEGAL),
        (ClosedDischarged, RecordContactOutcome, ILLEGAL),
        (ClosedDischarged, Step, ILLEGAL),
        (ClosedDischarged, PlanTransition, ILLEGAL),
        (ClosedDischarged, Transition, ILLEGAL),
        (ClosedDischarged, Discharge, ILLEGAL),
        (ClosedDischarged, Decline, ILLEGAL),

        (ClosedDeclined, RecordCompetence, ILLEGAL),
        (ClosedDeclined, TriageAllocate, ILLEGAL),
        (ClosedDeclined, TriageSignpost, ILLEGAL),
        (ClosedDeclined, TriageAdvice, ILLEGAL),
        (ClosedDeclined, TriageDeclined, ILLEGAL),
        (ClosedDeclined, Allocate, ILLEGAL),
        (ClosedDeclined, RecordContact, ILLEGAL),
        (ClosedDeclined, RecordContactOutcome, ILLEGAL),
        (ClosedDeclined, Step, ILLEGAL),
        (ClosedDeclined, PlanTransition, ILLEGAL),
        (ClosedDeclined, Transition, ILLEGAL),
        (ClosedDeclined, Discharge, ILLEGAL),
        (ClosedDeclined, Decline, ILLEGAL),

        // An advice request opens no episode of care: it closes with advice, a signpost or a
        // decline.
        (AdviceRequest, RecordCompetence, "awaiting_triage: competence_recorded"),
        (AdviceRequest, TriageAllocate, "refused: invalid [destinations[0]]"),
        (AdviceRequest, TriageSignpost, "closed(signposted): triaged, signposted, closed"),
        (AdviceRequest, TriageAdvice, "closed(advice_given): triaged, advice_given, closed"),
        (AdviceRequest, TriageDeclined, "closed(declined): triaged, closed"),
        (AdviceRequest, Allocate, ILLEGAL),
        (AdviceRequest, RecordContact, NOT_FOUND),
        (AdviceRequest, RecordContactOutcome, NOT_FOUND),
        (AdviceRequest, Step, ILLEGAL),
        (AdviceRequest, PlanTransition, NOT_FOUND),
        (AdviceRequest, Transition, NOT_FOUND),
        (AdviceRequest, Discharge, NOT_FOUND),
        (AdviceRequest, Decline, "closed(declined): closed"),
    ]
};

#[test]
fn every_command_from_every_state() {
    for start in Start::ALL {
        for cmd in Cmd::ALL {
            let rows = TABLE
                .iter()
                .filter(|(s, c, _)| *s == start && *c == cmd)
                .count();
            assert_eq!(
                rows, 1,
                "{start:?} + {cmd:?} must have exactly one row in the table"
            );
        }
    }
    for (start, cmd, expected) in TABLE {
        check(*start, *cmd, expected);
    }
}

// ---------------------------------------------------------------------------------------------
// Rules worth a case of their own
// ---------------------------------------------------------------------------------------------

#[test]
fn triage_of_a_closed_referral_is_refused_and_names_its_destination() {
    for start in [
        Start::ClosedSignposted,
        Start::ClosedDischarged,
        Start::ClosedDeclined,
    ] {
        let mut desk = Desk::new(date(2011, 5, 20));
        let mut referral = start.build(&mut desk);
        let before = referral.clone();
        let error = desk
            .run(&mut referral, NOW, Cmd::TriageAllocate.build(&before))
            .unwrap_err();
        let DomainError::IllegalTransition(message) = error else {
            panic!("{start:?}: expected an illegal transition, got {error:?}");
        };
        let destination = before.closure.as_ref().unwrap().destination.name();
        assert!(message.contains("closed"), "{message}");
        assert!(
            message.contains(&destination),
            "{message} should name {destination}"
        );
        assert_eq!(referral, before);
    }
}

#[test]
fn contact_on_a_discharged_allocation_is_refused_while_the_referral_stays_open() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let community = r.allocations[0].id;
    let wellbeing = r.allocations[1].id;
    desk.given(
        r,
        "2025-01-09T09:00:00Z",
        contact(community, "2025-01-15T10:00:00Z", ContactStatus::Scheduled),
    );
    let booked = r.contacts[0].id;
    desk.given(r, "2025-01-10T09:00:00Z", discharge(community));
    assert_eq!(r.status, ReferralStatus::Open);

    let case = "contact on discharged allocation";
    let late = contact(community, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(&mut desk, r, late, ILLEGAL, case);
    let outcome = Command::RecordContactOutcome {
        contact_id: booked,
        status: ContactStatus::Attended,
    };
    check_command(
        &mut desk,
        r,
        outcome,
        ILLEGAL,
        "outcome on discharged allocation",
    );
    check_command(
        &mut desk,
        r,
        discharge(community),
        ILLEGAL,
        "discharge twice",
    );
    let other = contact(wellbeing, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(
        &mut desk,
        r,
        other,
        "open: contact_recorded",
        "contact on the other allocation",
    );
}

#[test]
fn an_advice_request_cannot_be_allocated() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::AdviceRequest, ReferralSource::Gp);
    let cases = [
        (
            Command::Triage(triage(vec![signpost(), allocate_to(COMMUNITY)])),
            "refused: invalid [destinations[1]]",
        ),
        (Cmd::Allocate.build(&referral), ILLEGAL),
        (step(vec![], vec![COMMUNITY]), ILLEGAL),
        (
            Cmd::TriageAdvice.build(&referral),
            "closed(advice_given): triaged, advice_given, closed",
        ),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(
            &mut desk,
            &mut referral,
            command,
            expected,
            &format!("advice case {i}"),
        );
    }
    assert!(referral.allocations.is_empty());
}

/// Triage to the community service for someone born on `born`, referred by `source`, with a
/// competence decision recorded beforehand and/or offered with the triage.
fn check_competence(
    born: Date,
    source: ReferralSource,
    recorded_before: Option<bool>,
    with_triage: Option<bool>,
    expected: &str,
) {
    let mut desk = Desk::new(born);
    let mut referral = desk.receive(ReferralKind::Referral, source);
    if let Some(competent) = recorded_before {
        desk.given(
            &mut referral,
            TRIAGED,
            Command::RecordCompetence(competence(competent)),
        );
    }
    let mut command = triage(vec![allocate_to(COMMUNITY)]);
    command.competence = with_triage.map(competence);
    let case =
        format!("born {born}, {source:?}, before {recorded_before:?}, with triage {with_triage:?}");
    check_command(
        &mut desk,
        &mut referral,
        Command::Triage(command),
        expected,
        &case,
    );
}

#[test]
fn an_under_16_self_referral_needs_a_competence_decision_before_allocation() {
    use ReferralSource::*;
    const NEEDS: &str = "refused: invalid [competence]";
    const OPENS: &str = "open: triaged, allocated";
    let fourteen = date(2010, 9, 1);
    // Received 6 January 2025; turns 16 on 20 January 2025, before triage: age at referral counts.
    let fifteen_at_referral = date(2009, 1, 20);
    // 16th birthday on the day the referral is received.
    let sixteen_today = date(2009, 1, 6);

    check_competence(fourteen, SelfReferral, None, None, NEEDS);
    check_competence(fourteen, SelfReferral, None, Some(false), NEEDS);
    check_competence(fourteen, SelfReferral, Some(false), None, NEEDS);
    check_competence(fourteen, SelfReferral, Some(true), Some(false), NEEDS);
    check_competence(fourteen, SelfReferral, Some(true), None, OPENS);
    check_competence(
        fourteen,
        SelfReferral,
        None,
        Some(true),
        "open: competence_recorded, triaged, allocated",
    );
    check_competence(fifteen_at_referral, SelfReferral, None, None, NEEDS);
    check_competence(sixteen_today, SelfReferral, None, None, OPENS);
    // Only self-referrals need it: a parent's or a professional's referral does not.
    check_competence(fourteen, ParentCarer, None, None, OPENS);
    check_competence(fourteen, School, None, None, OPENS);

    // Signposting allocates nothing, so needs no decision.
    let mut desk = Desk::new(fourteen);
    let mut referral = desk.receive(ReferralKind::Referral, SelfReferral);
    let expected = "closed(signposted): triaged, signposted, closed";
    check_command(
        &mut desk,
        &mut referral,
        Command::Triage(triage(vec![signpost()])),
        expected,
        "signpost",
    );
}

#[test]
fn a_later_decision_of_no_competence_stops_further_allocations() {
    let mut desk = Desk::new(date(2010, 9, 1));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::SelfReferral);
    let r = &mut referral;
    let mut first = triage(vec![allocate_to(COMMUNITY)]);
    first.competence = Some(competence(true));
    desk.given(r, TRIAGED, Command::Triage(first));
    desk.given(
        r,
        "2025-01-20T10:00:00Z",
        Command::RecordCompetence(competence(false)),
    );
    let community = r.allocations[0].id;

    let needs = "refused: invalid [competence]";
    let added = Cmd::Allocate.build(r);
    check_command(&mut desk, r, added, needs, "added service");
    let step_to_new = step(vec![community], vec![INTENSIVE]);
    check_command(&mut desk, r, step_to_new, needs, "step to a new service");
    // Support already in place continues; a step that allocates nothing is allowed.
    let keep = step(vec![], vec![]);
    check_command(
        &mut desk,
        r,
        keep,
        "open: need_group_changed",
        "step in place",
    );
    let seen = contact(community, "2025-02-01T10:00:00Z", ContactStatus::Attended);
    check_command(&mut desk, r, seen, "open: contact_recorded", "contact");

    desk.given(
        r,
        "2025-02-02T10:00:00Z",
        Command::RecordCompetence(competence(true)),
    );
    let added = Command::Allocate(AllocateCommand {
        service_id: INTENSIVE,
        reason: "Crisis plan alongside community sessions".to_string(),
    });
    check_command(
        &mut desk,
        r,
        added,
        "open: allocated",
        "allocated once competent",
    );
}

#[test]
fn a_step_change_must_leave_at_least_one_service() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let community = r.allocations[0].id;
    let wellbeing = r.allocations[1].id;

    let cases = [
        (
            step(vec![community, wellbeing], vec![]),
            "refused: invalid [allocate]",
        ),
        (
            step(vec![community, community], vec![]),
            "refused: invalid [end_allocations[1]]",
        ),
        (
            step(vec![AllocationId(UNKNOWN)], vec![]),
            "refused: invalid [end_allocations[0]]",
        ),
        (
            step(vec![community], vec![CLOSED_SERVICE]),
            "refused: invalid [allocate[0]]",
        ),
        (
            step(vec![], vec![COMMUNITY]),
            "refused: invalid [allocate[0]]",
        ),
        // Wellbeing does not serve Getting More Help, but it may continue alongside.
        (
            step(vec![community], vec![INTENSIVE]),
            "open: need_group_changed, allocation_ended, allocated",
        ),
        (step(vec![wellbeing], vec![]), "refused: invalid [to]"),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(&mut desk, r, command, expected, &format!("step case {i}"));
    }
    assert_eq!(r.need_group, Some(NeedGroup::GettingMoreHelp));
    assert_eq!(r.active_allocations().count(), 2);
}

#[test]
fn closing_always_has_a_destination() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let cases = [
        (triage(vec![]), "refused: invalid [destinations]"),
        (
            triage(vec![DestinationRequest::Declined {
                reason: " ".to_string(),
            }]),
            "refused: invalid [destinations[0].reason]",
        ),
        (
            triage(vec![
                signpost(),
                DestinationRequest::Declined {
                    reason: "Not now".to_string(),
                },
            ]),
            "refused: invalid [destinations]",
        ),
        (
            triage(vec![DestinationRequest::Signpost {
                name: String::new(),
                service_id: None,
                warm_handover: false,
                handover_note: None,
            }]),
            "refused: invalid [destinations[0].name]",
        ),
    ];
    for (i, (command, expected)) in cases.into_iter().enumerate() {
        check_command(
            &mut desk,
            &mut referral,
            Command::Triage(command),
            expected,
            &format!("close case {i}"),
        );
    }
    let blank = Command::Decline {
        reason: "  ".to_string(),
    };
    check_command(
        &mut desk,
        &mut referral,
        blank,
        "refused: invalid [reason]",
        "blank decline",
    );
    assert_eq!(referral.status, ReferralStatus::AwaitingTriage);

    // A discharge from the last allocation names every service the young person was seen by.
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY), allocate_to(WELLBEING)])),
    );
    let (community, wellbeing) = (r.allocations[0].id, r.allocations[1].id);
    check_command(
        &mut desk,
        r,
        discharge(community),
        "open: allocation_ended",
        "first discharge",
    );
    check_command(
        &mut desk,
        r,
        discharge(wellbeing),
        "closed(allocated): allocation_ended, closed",
        "last discharge",
    );
    let closure = r.closure.as_ref().unwrap();
    assert_eq!(closure.at, ts(NOW));
    assert_eq!(
        closure.destination.name(),
        "Discharged from Northvale community CYPMHS, Harbour creative therapy"
    );
    assert_eq!(
        closure.destination,
        nwd_domain::referral::Destination::Allocated {
            service_ids: vec![COMMUNITY, WELLBEING],
            service_names: vec![
                "Northvale community CYPMHS".to_string(),
                "Harbour creative therapy".to_string()
            ],
        }
    );
}

#[test]
fn wait_clocks_start_at_receipt_for_triage_and_at_the_decision_for_later_allocations() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let r = &mut referral;
    desk.given(
        r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let added = "2025-01-13T10:00:00Z";
    let additional = Cmd::Allocate.build(r);
    desk.given(r, added, additional);
    let stepped = "2025-01-20T15:30:00Z";
    let step_up = step(vec![r.allocations[0].id], vec![INTENSIVE]);
    desk.given(r, stepped, step_up);

    let clocks: Vec<(ServiceId, AllocationOrigin, Timestamp, Timestamp)> = r
        .allocations
        .iter()
        .map(|a| (a.service_id, a.origin, a.allocated_at, a.clock_start))
        .collect();
    assert_eq!(
        clocks,
        [
            (
                COMMUNITY,
                AllocationOrigin::Triage,
                ts(TRIAGED),
                ts(RECEIVED)
            ),
            (
                WELLBEING,
                AllocationOrigin::Additional,
                ts(added),
                ts(added)
            ),
            (
                INTENSIVE,
                AllocationOrigin::Step(StepDirection::Up),
                ts(stepped),
                ts(stepped)
            ),
        ]
    );

    // The waiting list measures a four-week standard from those clocks.
    let four_weeks = [WaitStandard {
        name: "Community: 4 weeks".to_string(),
        target: WaitTarget::Days(28),
        priorities: vec![],
        sources: vec![],
        target_share_percent: None,
        source: "test".to_string(),
    }];
    let wait = |service_id: ServiceId| {
        let entries = entries_for(r, service_id, &four_weeks, ts(NOW), &desk.tz);
        entries
            .iter()
            .map(|e| (e.clock_start, e.days_waited, e.breach_at, e.breached))
            .collect::<Vec<_>>()
    };
    // Community ended with the step: it is no longer on a waiting list.
    assert_eq!(wait(COMMUNITY), []);
    assert_eq!(
        wait(WELLBEING),
        [(ts(added), 21, Some(ts("2025-02-10T10:00:00Z")), false)]
    );
    assert_eq!(
        wait(INTENSIVE),
        [(ts(stepped), 14, Some(ts("2025-02-17T15:30:00Z")), false)]
    );

    // A triage allocation that waits past four weeks from receipt has breached, although it
    // was triaged two days after receipt.
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut referral,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let entries = entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz);
    let summary: Vec<_> = entries
        .iter()
        .map(|e| (e.clock_start, e.days_waited, e.breach_at, e.breached))
        .collect();
    assert_eq!(
        summary,
        [(ts(RECEIVED), 28, Some(ts("2025-02-03T09:00:00Z")), true)]
    );

    // Attending the first contact takes the allocation off the list; a booking does not.
    let allocation = referral.allocations[0].id;
    let at = "2025-02-03T09:30:00Z";
    desk.given(
        &mut referral,
        NOW,
        contact(allocation, at, ContactStatus::Scheduled),
    );
    assert_eq!(
        entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz).len(),
        1
    );
    desk.given(
        &mut referral,
        NOW,
        contact(allocation, at, ContactStatus::Attended),
    );
    assert_eq!(
        entries_for(&referral, COMMUNITY, &four_weeks, ts(NOW), &desk.tz),
        []
    );
}

#[test]
fn discharge_accepts_exactly_the_codes_the_pages_offer() {
    // The pages offer the codes for which `accepted_at_discharge` holds; the command accepts
    // exactly those (transition and step changes have their own actions).
    for reason in DischargeReason::ALL {
        let mut desk = Desk::new(date(2011, 5, 20));
        let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
        desk.given(
            &mut r,
            TRIAGED,
            Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
        );
        let allocation_id = r.allocations[0].id;
        let result = desk.run(
            &mut r,
            NOW,
            Command::Discharge(DischargeCommand {
                allocation_id,
                reason: *reason,
                note: None,
            }),
        );
        assert_eq!(
            result.is_ok(),
            reason.accepted_at_discharge(),
            "{reason:?}: {result:?}"
        );
    }
}

#[test]
fn a_warm_handover_needs_a_note_of_the_handover() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    let warm = |note: Option<&str>| {
        Command::Triage(triage(vec![DestinationRequest::Signpost {
            name: "Riverside Youth Counselling".to_string(),
            service_id: None,
            warm_handover: true,
            handover_note: note.map(str::to_string),
        }]))
    };
    let refused = desk.run(&mut r, TRIAGED, warm(None)).unwrap_err();
    assert!(
        refused.to_string().contains("handover")
            || format!("{refused:?}").contains("destinations[0].handover_note"),
        "{refused:?}"
    );
    assert_eq!(r.status, ReferralStatus::AwaitingTriage, "nothing changed");
    desk.given(&mut r, TRIAGED, warm(Some("Spoke to the duty counsellor")));
    assert_eq!(
        r.signposts[0].handover_note.as_deref(),
        Some("Spoke to the duty counsellor")
    );
    assert_eq!(
        r.closure.as_ref().map(|c| c.destination.name()),
        Some("Riverside Youth Counselling".to_string())
    );
}

#[test]
fn a_transition_is_planned_by_need_and_its_outcome_recorded_later() {
    // Born 20 May 2008: 17 on the day of triage, 18 on 20 May 2026.
    let mut desk = Desk::new(date(2008, 5, 20));
    let mut r = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut r,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let allocation = r.allocations[0].id;
    let plan = |planned_on: &str, service: Option<ServiceId>, name: Option<&str>| {
        Command::PlanTransition(TransitionPlanCommand {
            allocation_id: allocation,
            planned_on: planned_on.parse().unwrap(),
            outcome: TransitionOutcome::ZeroToTwentyFiveService,
            receiving_service_id: service,
            receiving_service: name.map(str::to_string),
            note: Some("Met the 18-25 team together".to_string()),
        })
    };
    let field_of = |error: DomainError| match error {
        DomainError::Invalid(errors) => errors.0.into_iter().map(|e| e.field).collect::<Vec<_>>(),
        other => panic!("expected a field error, got {other:?}"),
    };
    // A date in the past is not a plan.
    let refused = desk.run(&mut r, NOW, plan("2025-01-01", None, Some("Adult team")));
    assert_eq!(field_of(refused.unwrap_err()), vec!["planned_on"]);
    // The receiving service is checked against the need group and the age on the planned
    // date: Harbour creative therapy serves Getting help to 18, and on 1 June 2027 they are 19.
    let refused = desk.run(&mut r, NOW, plan("2027-06-01", Some(WELLBEING), None));
    assert_eq!(field_of(refused.unwrap_err()), vec!["receiving_service_id"]);
    // Another service must be named.
    let refused = desk.run(&mut r, NOW, plan("2026-05-01", None, None));
    assert_eq!(field_of(refused.unwrap_err()), vec!["receiving_service"]);
    assert!(r.transition_plans.is_empty(), "nothing was planned");
    // Before the 19th birthday Harbour still serves them: planned, and the service stays open.
    desk.given(&mut r, NOW, plan("2026-05-01", Some(WELLBEING), None));
    assert_eq!(r.status, ReferralStatus::Open);
    assert!(r.allocations[0].is_active());
    let current = r.transition_plan(allocation).expect("planned");
    assert_eq!(
        current.receiving_service.as_deref(),
        Some("Harbour creative therapy")
    );
    assert_eq!(current.planned_on, date(2026, 5, 1));
    // Planning again replaces the plan.
    desk.given(&mut r, NOW, plan("2026-05-15", Some(WELLBEING), None));
    assert_eq!(r.open_transition_plans().len(), 1);
    assert_eq!(r.open_transition_plans()[0].planned_on, date(2026, 5, 15));
    // Later, the outcome as planned: the plan's receiving service is recorded.
    let events = desk
        .run(
            &mut r,
            "2026-05-15T10:00:00Z",
            Command::Transition(TransitionCommand {
                allocation_id: allocation,
                outcome: TransitionOutcome::ZeroToTwentyFiveService,
                need_group: NeedGroup::GettingHelp,
                receiving_service: None,
                note: None,
            }),
        )
        .unwrap();
    assert!(events.iter().any(|e| matches!(
        &e.event,
        ReferralEvent::TransitionRecorded { receiving_service: Some(name), .. }
            if name == "Harbour creative therapy"
    )));
    assert_eq!(r.status, ReferralStatus::Closed);
    assert!(
        r.open_transition_plans().is_empty(),
        "the plan is history now"
    );
}
