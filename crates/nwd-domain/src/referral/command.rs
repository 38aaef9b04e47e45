// Over 600 lines: to be split by what it owns in issue 16 (the architecture step), not mid-issue.
//! Commands on a referral and the rules that decide them. `decide` is pure: it reads the
//! state and the context (time, actor, directory, the person's date of birth, an id source)
//! and returns events, or a typed error and no events. Illegal transitions are refused here
//! with a message saying what state the referral is in and what is allowed.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::codes::{
    ConsultationMechanism, ContactStatus, DischargeReason, Priority, ReasonCode, ReferralSource,
    TransitionOutcome,
};
use crate::directory::Service;
use crate::error::{DomainError, ValidationErrors};
use crate::ids::{AllocationId, ContactId, PersonId, ReferralId, ServiceId};
use crate::need::{NeedGroup, RiskLevel, StepDirection};
use crate::person::{age_in_years, CompetenceDecision};

use super::event::{RecordedEvent, ReferralEvent};
use super::state::{
    AllocationOrigin, Contact, ContactKind, Destination, Referral, ReferralKind, ReferralStatus,
    Signpost,
};

/// Longest free text accepted in one field written by staff (a rationale, a note, a reason),
/// in characters. Local default (no national standard): long enough for a clinical note.
pub const MAX_TEXT_CHARS: usize = 10_000;
/// Longest presenting needs a referral may carry, in characters, whichever door it comes
/// through (the public journeys, the professional forms, the JSON API): the one limit that
/// every door states and the domain enforces. Local default (no national standard): the
/// longest any form offered (the professional form's 4,000), about two pages; more is for the
/// conversation that follows, which the young person's page says. Sized to fit the public
/// doors' body limits even in non-Latin scripts (`nwd_web::limits`: 4,000 characters at 3
/// bytes in a JSON body, 12 KB of the 16 KiB; at 9 bytes percent-encoded in a journey page's
/// form, 36 KB of the 64 KiB).
pub const MAX_PRESENTING_NEEDS_CHARS: usize = 4_000;
/// How far ahead of the server's clock a reported time may be (clients' clocks differ).
pub const CLOCK_SKEW_MINUTES: i64 = 5;
/// Age under which a self-referral needs a recorded Gillick competence decision before
/// allocation (domain guide §6).
pub const GILLICK_AGE: i16 = 16;

/// Who made the referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Referrer {
    /// Name (for a self-referral, the young person's own name or "self").
    pub name: String,
    /// Role, e.g. "Designated safeguarding lead".
    #[serde(default)]
    pub role: Option<String>,
    /// Organisation, e.g. the school's name.
    #[serde(default)]
    pub organisation: Option<String>,
    /// Telephone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Email.
    #[serde(default)]
    pub email: Option<String>,
}

/// A referral as received (after parsing into domain types).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewReferral {
    /// Referral or advice request.
    pub kind: ReferralKind,
    /// Who referred.
    pub source: ReferralSource,
    /// Clinical response priority: for an unverified sender, routine (or what the area
    /// assumes), with the stated urgency in `requested_priority` (see
    /// [`super::urgency`]).
    pub priority: Priority,
    /// An unverified sender's stated urgency, a request for triage to confirm.
    #[serde(default)]
    pub requested_priority: Option<Priority>,
    /// Why the sender asked for it (their words, or the safety answers).
    #[serde(default)]
    pub request_reason: Option<String>,
    /// Coded reasons, primary first.
    pub reasons: Vec<ReasonCode>,
    /// Presenting needs in the referrer's words.
    pub presenting_needs: String,
    /// The referrer.
    pub referrer: Referrer,
    /// Named agencies the young person or family consented to share with.
    #[serde(default)]
    pub consent_to_share: Vec<String>,
    /// When received. The waiting clock starts here.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub received_at: Timestamp,
}

impl NewReferral {
    /// Checks a new referral against the rules, at `now`.
    pub fn validate(&self, now: Timestamp, errors: &mut ValidationErrors) {
        if self.reasons.is_empty() {
            errors.add(
                "reasons",
                "give at least one reason for referral (MHSDS primary reason code)",
            );
        }
        let mut seen = Vec::new();
        for reason in &self.reasons {
            if seen.contains(reason) {
                errors.add(
                    "reasons",
                    format!("reason {} is listed twice", reason.as_str()),
                );
            }
            seen.push(*reason);
        }
        text(
            errors,
            "presenting_needs",
            &self.presenting_needs,
            "describe the presenting needs in the referrer's words",
        );
        // (Over MAX_TEXT_CHARS, `text` has said so already.)
        if (MAX_PRESENTING_NEEDS_CHARS + 1..=MAX_TEXT_CHARS)
            .contains(&self.presenting_needs.chars().count())
        {
            errors.add(
                "presenting_needs",
                format!("use {MAX_PRESENTING_NEEDS_CHARS} characters or fewer; there is time to say more when we talk"),
            );
        }
        text(
            errors,
            "referrer.name",
            &self.referrer.name,
            "enter the referrer's name",
        );
        self.referrer.check_lengths(errors);
        if self.received_at
            > now
                .saturating_add(CLOCK_SKEW_MINUTES.minutes())
                .unwrap_or(now)
        {
            errors.add("received_at", "a referral cannot be received in the future");
        }
        if self.kind == ReferralKind::AdviceRequest && self.source.is_self_or_family() {
            errors.add("kind", "advice and consultation requests come from professionals; young people and families make referrals");
        }
        for (i, agency) in self.consent_to_share.iter().enumerate() {
            if agency.trim().is_empty() {
                errors.add(
                    format!("consent_to_share[{i}]"),
                    "name the agency, or leave it out",
                );
            } else {
                crate::person_text::check_text(
                    errors,
                    &format!("consent_to_share[{i}]"),
                    agency,
                    crate::person_text::MAX_SHORT_TEXT_CHARS,
                    false,
                );
            }
        }
        if self.consent_to_share.len() > 20 {
            errors.add("consent_to_share", "name at most 20 agencies");
        }
    }
}

fn text(errors: &mut ValidationErrors, field: &str, value: &str, empty_message: &str) {
    if value.trim().is_empty() {
        errors.add(field, empty_message);
    } else if value.chars().count() > MAX_TEXT_CHARS {
        errors.add(
            field,
            format!("keep this under {MAX_TEXT_CHARS} characters"),
        );
    } else {
        crate::person_text::check_text(errors, field, value, MAX_TEXT_CHARS, true);
    }
}

impl Referrer {
    /// The referrer's contact fields within their limits (`nwd_domain::person_text`).
    fn check_lengths(&self, errors: &mut ValidationErrors) {
        use crate::person_text::{
            check_text, MAX_EMAIL_CHARS, MAX_PHONE_CHARS, MAX_SHORT_TEXT_CHARS,
        };
        check_text(
            errors,
            "referrer.name",
            &self.name,
            MAX_SHORT_TEXT_CHARS,
            false,
        );
        let fields = [
            ("referrer.role", &self.role, MAX_SHORT_TEXT_CHARS),
            (
                "referrer.organisation",
                &self.organisation,
                MAX_SHORT_TEXT_CHARS,
            ),
            ("referrer.phone", &self.phone, MAX_PHONE_CHARS),
            ("referrer.email", &self.email, MAX_EMAIL_CHARS),
        ];
        for (field, value, max) in fields {
            if let Some(value) = value {
                check_text(errors, field, value, max, false);
            }
        }
        crate::contact::check_contact_text(
            errors,
            "referrer.",
            self.phone.as_deref(),
            self.email.as_deref(),
        );
    }
}

/// Where triage sends the referral: one or more destinations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DestinationRequest {
    /// Allocate to a service in the directory (several may be allocated concurrently).
    Allocate {
        /// The service.
        service_id: ServiceId,
    },
    /// Signpost to a named service or organisation.
    Signpost {
        /// Its name.
        name: String,
        /// Its directory entry, when it has one.
        #[serde(default)]
        service_id: Option<ServiceId>,
        /// Warm handover.
        #[serde(default)]
        warm_handover: bool,
        /// A note of the handover: who was spoken to, what was agreed (required for a warm
        /// handover).
        #[serde(default)]
        handover_note: Option<String>,
    },
    /// Advice or consultation given to the referrer (advice requests).
    AdviceGiven {
        /// What was advised.
        summary: String,
    },
    /// The young person or family declined help, with their reason.
    Declined {
        /// Their reason.
        reason: String,
    },
}

/// The triage decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TriageCommand {
    /// THRIVE group agreed with the young person and family.
    pub need_group: NeedGroup,
    /// Risk level.
    pub risk: RiskLevel,
    /// The clinical response priority. Required while an unverified request for more
    /// urgency is pending; otherwise, when absent, the priority stays as received.
    #[serde(default)]
    pub priority: Option<Priority>,
    /// The date by which the risk is to be reviewed (area's calendar).
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = Date))]
    pub risk_review_on: Option<Date>,
    /// Why.
    pub rationale: String,
    /// The young person's and family's stated preference.
    #[serde(default)]
    pub preference: Option<String>,
    /// One or more destinations.
    pub destinations: Vec<DestinationRequest>,
    /// A competence decision recorded with the triage (needed for under-16 self-referrals).
    #[serde(default)]
    pub competence: Option<CompetenceDecision>,
}

/// An additional, concurrent allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AllocateCommand {
    /// The service.
    pub service_id: ServiceId,
    /// Why.
    pub reason: String,
}

/// A contact or indirect activity to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ContactInput {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// When it happened or is booked.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// Attendance (`scheduled` for a booking).
    pub status: ContactStatus,
    /// How.
    pub mechanism: ConsultationMechanism,
    /// Clinician or practitioner.
    pub clinician: String,
    /// Minutes.
    pub duration_minutes: u16,
    /// Direct or indirect.
    #[serde(default = "direct")]
    pub kind: ContactKind,
}

fn direct() -> ContactKind {
    ContactKind::Direct
}

/// A step up or step down.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct StepCommand {
    /// Up or down.
    pub direction: StepDirection,
    /// The new need group.
    pub to: NeedGroup,
    /// Why.
    pub reason: String,
    /// Allocations that end with the step.
    #[serde(default)]
    pub end_allocations: Vec<AllocationId>,
    /// Services to allocate to; their wait starts now.
    #[serde(default)]
    pub allocate: Vec<ServiceId>,
}

/// Discharge from one allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DischargeCommand {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Coded reason.
    pub reason: DischargeReason,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// A transition outcome, ending an allocation as the young person reaches its upper age.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct TransitionCommand {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// Where to.
    pub outcome: TransitionOutcome,
    /// The need group the destination was chosen by (transition by need, not age).
    pub need_group: NeedGroup,
    /// The receiving service.
    #[serde(default)]
    pub receiving_service: Option<String>,
    /// Note.
    #[serde(default)]
    pub note: Option<String>,
}

/// Everything that can be asked of an existing referral.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Record a Gillick competence decision.
    RecordCompetence(CompetenceDecision),
    /// Triage.
    Triage(TriageCommand),
    /// Add a concurrent allocation.
    Allocate(AllocateCommand),
    /// Record a contact.
    RecordContact(ContactInput),
    /// Record the outcome of a scheduled contact.
    RecordContactOutcome {
        /// Which contact.
        contact_id: ContactId,
        /// What happened.
        status: ContactStatus,
    },
    /// Step up or down.
    Step(StepCommand),
    /// Plan a transition (the allocation stays open; the outcome is recorded later).
    PlanTransition(super::transition_plan::TransitionPlanCommand),
    /// Record a transition's outcome: the allocation ends.
    Transition(TransitionCommand),
    /// Discharge from one allocation.
    Discharge(DischargeCommand),
    /// The young person or family declined; closes the referral.
    Decline {
        /// Their reason.
        reason: String,
    },
    /// Record a change of priority and/or risk, or a risk review date, with the reason.
    RecordUrgency(super::urgency::UrgencyCommand),
}

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
    fn latest_allowed(&self) -> Timestamp {
        self.now
            .saturating_add(CLOCK_SKEW_MINUTES.minutes())
            .unwrap_or(self.now)
    }

    pub(crate) fn today(&self) -> Date {
        self.now.to_zoned(self.tz.clone()).date()
    }
}

impl Referral {
    /// Receives a new referral: validates it and returns its first event.
    pub fn receive(
        id: ReferralId,
        person_id: PersonId,
        new: NewReferral,
        now: Timestamp,
        actor: &str,
    ) -> Result<RecordedEvent, DomainError> {
        let mut errors = ValidationErrors::new();
        new.validate(now, &mut errors);
        errors.into_result()?;
        Ok(RecordedEvent {
            seq: 1,
            at: now,
            actor: actor.to_string(),
            event: ReferralEvent::Received {
                referral_id: id,
                person_id,
                referral: new,
            },
        })
    }

    /// Decides a command and, if allowed, applies its events. Returns the new events; on
    /// error the referral is unchanged.
    pub fn execute(
        &mut self,
        command: Command,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<RecordedEvent>, DomainError> {
        let events = self.decide(command, ctx)?;
        let recorded: Vec<RecordedEvent> = events
            .into_iter()
            .enumerate()
            .map(|(i, event)| RecordedEvent {
                seq: self.version + 1 + i as u32,
                at: ctx.now,
                actor: ctx.actor.to_string(),
                event,
            })
            .collect();
        for event in &recorded {
            self.apply(event);
        }
        Ok(recorded)
    }

    /// Relinks the referral to another person record (merge or unmerge of duplicates). A
    /// register correction, not a change of care, so closed referrals can be relinked too.
    pub fn relink(
        &mut self,
        to: PersonId,
        merge_id: Uuid,
        reason: &str,
        now: Timestamp,
        actor: &str,
    ) -> Result<RecordedEvent, DomainError> {
        if to == self.person_id {
            return Err(DomainError::invalid(
                "person_id",
                "the referral is already linked to this person",
            ));
        }
        if reason.trim().is_empty() {
            return Err(DomainError::invalid(
                "reason",
                "say why the records are being merged or separated",
            ));
        }
        let event = RecordedEvent {
            seq: self.version + 1,
            at: now,
            actor: actor.to_string(),
            event: ReferralEvent::PersonRelinked {
                from: self.person_id,
                to,
                merge_id,
                reason: reason.to_string(),
            },
        };
        self.apply(&event);
        Ok(event)
    }

    /// Decides a command: the events it causes, or why it is refused.
    pub fn decide(
        &self,
        command: Command,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        if self.status == ReferralStatus::Closed {
            return Err(DomainError::illegal(format!(
                "this referral is closed (destination: {}); it cannot be changed. Make a new referral if more help is needed",
                self.closure.as_ref().map(|c| c.destination.name()).unwrap_or_default()
            )));
        }
        match command {
            Command::RecordCompetence(decision) => {
                let mut errors = ValidationErrors::new();
                competence_fields(&decision, "", &mut errors);
                errors.into_result()?;
                Ok(vec![ReferralEvent::CompetenceRecorded { decision }])
            }
            Command::Triage(triage) => self.decide_triage(triage, ctx),
            Command::RecordUrgency(urgency) => self.decide_urgency(urgency, ctx),
            Command::Allocate(allocate) => {
                self.require_open("add an allocation")?;
                let need_group = self.need_group.unwrap_or(NeedGroup::GettingHelp);
                let mut errors = ValidationErrors::new();
                text(
                    &mut errors,
                    "reason",
                    &allocate.reason,
                    "say why another service is being added",
                );
                self.check_service(
                    allocate.service_id,
                    need_group,
                    "service_id",
                    ctx,
                    &[],
                    &mut errors,
                );
                self.check_competence(None, ctx, &mut errors);
                errors.into_result()?;
                Ok(vec![ReferralEvent::Allocated {
                    allocation_id: AllocationId((ctx.new_id)()),
                    service_id: allocate.service_id,
                    need_group,
                    origin: AllocationOrigin::Additional,
                    clock_start: ctx.now,
                }])
            }
            Command::RecordContact(input) => self.decide_contact(input, ctx),
            Command::RecordContactOutcome { contact_id, status } => {
                let contact = self.contact(contact_id).ok_or_else(|| {
                    DomainError::NotFound(format!("contact {contact_id} is not on this referral"))
                })?;
                if contact.status != ContactStatus::Scheduled {
                    return Err(DomainError::illegal(format!(
                        "this contact's outcome is already recorded as {}; outcomes are recorded once",
                        contact.status.as_str()
                    )));
                }
                if status == ContactStatus::Scheduled {
                    return Err(DomainError::invalid(
                        "status",
                        "record what happened: attended, did_not_attend, cancelled_by_patient, …",
                    ));
                }
                self.require_active_allocation(contact.allocation_id, "record a contact outcome")?;
                if status.is_attended() && contact.at > ctx.latest_allowed() {
                    return Err(DomainError::invalid(
                        "status",
                        "a contact booked in the future cannot have been attended yet",
                    ));
                }
                Ok(vec![ReferralEvent::ContactOutcomeRecorded {
                    contact_id,
                    status,
                }])
            }
            Command::Step(step) => self.decide_step(step, ctx),
            Command::PlanTransition(plan) => self.decide_transition_plan(plan, ctx),
            Command::Transition(mut transition) => {
                self.require_active_allocation(transition.allocation_id, "record a transition")?;
                // Recorded as planned: the plan's receiving service unless another is named.
                if transition.receiving_service.is_none() {
                    transition.receiving_service = self
                        .transition_plan(transition.allocation_id)
                        .filter(|p| p.outcome == transition.outcome)
                        .and_then(|p| p.receiving_service.clone());
                }
                let mut events = vec![
                    ReferralEvent::TransitionRecorded {
                        allocation_id: transition.allocation_id,
                        outcome: transition.outcome,
                        need_group: transition.need_group,
                        receiving_service: transition.receiving_service.clone(),
                    },
                    ReferralEvent::AllocationEnded {
                        allocation_id: transition.allocation_id,
                        reason: DischargeReason::Transition,
                        note: transition.note,
                    },
                ];
                if self.active_allocations().count() == 1 {
                    events.push(ReferralEvent::Closed {
                        destination: Destination::Transitioned {
                            outcome: transition.outcome,
                            receiving_service: transition.receiving_service,
                        },
                    });
                }
                Ok(events)
            }
            Command::Discharge(discharge) => {
                self.require_active_allocation(discharge.allocation_id, "discharge")?;
                if !discharge.reason.accepted_at_discharge() {
                    return Err(DomainError::invalid(
                        "reason",
                        "record transitions with the transition action and step changes with step up/down",
                    ));
                }
                let mut events = vec![ReferralEvent::AllocationEnded {
                    allocation_id: discharge.allocation_id,
                    reason: discharge.reason,
                    note: discharge.note,
                }];
                if self.active_allocations().count() == 1 {
                    events.push(ReferralEvent::Closed {
                        destination: self.allocated_destination(ctx),
                    });
                }
                Ok(events)
            }
            Command::Decline { reason } => {
                let mut errors = ValidationErrors::new();
                text(
                    &mut errors,
                    "reason",
                    &reason,
                    "record the young person's or family's reason in their words",
                );
                errors.into_result()?;
                let mut events: Vec<ReferralEvent> = self
                    .active_allocations()
                    .map(|a| ReferralEvent::AllocationEnded {
                        allocation_id: a.id,
                        reason: DischargeReason::DeclinedFurtherSupport,
                        note: Some(reason.clone()),
                    })
                    .collect();
                events.push(ReferralEvent::Closed {
                    destination: Destination::Declined { reason },
                });
                Ok(events)
            }
        }
    }

    fn decide_triage(
        &self,
        triage: TriageCommand,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        if self.status != ReferralStatus::AwaitingTriage {
            return Err(DomainError::illegal(format!(
                "this referral has already been triaged (status {}); use step up/down or add an allocation instead",
                self.status.as_str()
            )));
        }
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "rationale",
            &triage.rationale,
            "record the rationale for the triage decision",
        );
        if triage.destinations.is_empty() {
            errors.add(
                "destinations",
                "choose at least one destination: a service, a named signposting, advice given, or declined — no referral is closed without one",
            );
        }
        let declined = triage
            .destinations
            .iter()
            .any(|d| matches!(d, DestinationRequest::Declined { .. }));
        if declined && triage.destinations.len() > 1 {
            errors.add(
                "destinations",
                "'declined' cannot be combined with other destinations",
            );
        }
        if let Some(decision) = &triage.competence {
            competence_fields(decision, "competence.", &mut errors);
        }
        super::urgency::check_triage_priority(self, triage.priority, &mut errors);
        super::urgency::check_review_date(
            triage.risk_review_on,
            ctx,
            "risk_review_on",
            &mut errors,
        );
        let mut allocated: Vec<ServiceId> = Vec::new();
        for (i, destination) in triage.destinations.iter().enumerate() {
            let field = format!("destinations[{i}]");
            match destination {
                DestinationRequest::Allocate { service_id } => {
                    if self.kind == ReferralKind::AdviceRequest {
                        errors.add(&field, "an advice request opens no episode of care: give advice or signpost, or ask the referrer to make a referral");
                        continue;
                    }
                    if allocated.contains(service_id) {
                        errors.add(
                            format!("{field}.service_id"),
                            "this service is already chosen",
                        );
                        continue;
                    }
                    self.check_service(
                        *service_id,
                        triage.need_group,
                        &format!("{field}.service_id"),
                        ctx,
                        &[],
                        &mut errors,
                    );
                    allocated.push(*service_id);
                }
                DestinationRequest::Signpost {
                    name,
                    service_id,
                    warm_handover,
                    handover_note,
                } => {
                    text(
                        &mut errors,
                        &format!("{field}.name"),
                        name,
                        "name the service or organisation signposted to",
                    );
                    match handover_note {
                        Some(note) => text(
                            &mut errors,
                            &format!("{field}.handover_note"),
                            note,
                            "write a note of the handover, or leave it out",
                        ),
                        None if *warm_handover => errors.add(
                            format!("{field}.handover_note"),
                            "a warm handover needs a note: who you spoke to and what was agreed",
                        ),
                        None => {}
                    }
                    if let Some(id) = service_id {
                        if ctx.services.service(*id).is_none() {
                            errors.add(
                                format!("{field}.service_id"),
                                "no service with this id is in the directory",
                            );
                        }
                    }
                }
                DestinationRequest::AdviceGiven { summary } => {
                    text(
                        &mut errors,
                        &format!("{field}.summary"),
                        summary,
                        "summarise the advice given",
                    );
                }
                DestinationRequest::Declined { reason } => {
                    text(
                        &mut errors,
                        &format!("{field}.reason"),
                        reason,
                        "record the reason in their words",
                    );
                }
            }
        }
        if !allocated.is_empty() {
            self.check_competence(triage.competence.as_ref(), ctx, &mut errors);
        }
        errors.into_result()?;

        let mut events = Vec::new();
        if let Some(decision) = triage.competence {
            events.push(ReferralEvent::CompetenceRecorded { decision });
        }
        events.push(ReferralEvent::Triaged {
            need_group: triage.need_group,
            risk: triage.risk,
            rationale: triage.rationale,
            preference: triage.preference,
            priority: triage.priority,
            risk_review_on: triage.risk_review_on,
        });
        let mut closing = None;
        for destination in triage.destinations {
            match destination {
                DestinationRequest::Allocate { service_id } => {
                    events.push(ReferralEvent::Allocated {
                        allocation_id: AllocationId((ctx.new_id)()),
                        service_id,
                        need_group: triage.need_group,
                        origin: AllocationOrigin::Triage,
                        clock_start: self.received_at,
                    })
                }
                DestinationRequest::Signpost {
                    name,
                    service_id,
                    warm_handover,
                    handover_note,
                } => {
                    closing.get_or_insert(Destination::Signposted {
                        name: name.clone(),
                        service_id,
                        warm_handover,
                    });
                    events.push(ReferralEvent::Signposted {
                        signpost: Signpost {
                            name,
                            service_id,
                            warm_handover,
                            handover_note,
                        },
                    });
                }
                DestinationRequest::AdviceGiven { summary } => {
                    closing.get_or_insert(Destination::AdviceGiven {
                        summary: summary.clone(),
                    });
                    events.push(ReferralEvent::AdviceGiven { summary });
                }
                DestinationRequest::Declined { reason } => {
                    closing.get_or_insert(Destination::Declined { reason });
                }
            }
        }
        if allocated.is_empty() {
            if let Some(destination) = closing {
                events.push(ReferralEvent::Closed { destination });
            }
        }
        Ok(events)
    }

    fn decide_contact(
        &self,
        input: ContactInput,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        self.require_active_allocation(input.allocation_id, "record a contact")?;
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "clinician",
            &input.clinician,
            "name the clinician or practitioner",
        );
        if input.at < self.received_at {
            errors.add("at", "a contact cannot be before the referral was received");
        } else if let Some(allocation) = self.allocation(input.allocation_id) {
            if input.at < allocation.clock_start {
                errors.add(
                    "at",
                    "a contact on this allocation cannot be before the allocation's wait started",
                );
            }
        }
        if input.status != ContactStatus::Scheduled && input.at > ctx.latest_allowed() {
            errors.add("status", "only a scheduled contact can be in the future; record the outcome after it happens");
        }
        if input.duration_minutes == 0 && input.status.is_attended() {
            errors.add(
                "duration_minutes",
                "an attended contact lasts at least one minute",
            );
        }
        if input.duration_minutes > 24 * 60 {
            errors.add("duration_minutes", "a contact cannot last more than a day");
        }
        if let ContactKind::Indirect { with } = &input.kind {
            text(
                &mut errors,
                "kind.with",
                with,
                "say who the indirect activity was with, e.g. the school SENCo",
            );
        }
        errors.into_result()?;
        Ok(vec![ReferralEvent::ContactRecorded {
            contact: Contact {
                id: ContactId((ctx.new_id)()),
                allocation_id: input.allocation_id,
                at: input.at,
                status: input.status,
                mechanism: input.mechanism,
                clinician: input.clinician,
                duration_minutes: input.duration_minutes,
                kind: input.kind,
            },
        }])
    }

    fn decide_step(
        &self,
        step: StepCommand,
        ctx: &mut Context<'_>,
    ) -> Result<Vec<ReferralEvent>, DomainError> {
        self.require_open("step up or down")?;
        let from = self.need_group.unwrap_or(NeedGroup::GettingHelp);
        let mut errors = ValidationErrors::new();
        text(
            &mut errors,
            "reason",
            &step.reason,
            "record why the need group changed",
        );
        if step.to == from {
            errors.add(
                "to",
                format!(
                    "the young person is already in {}; choose a different need group",
                    from.label()
                ),
            );
        }
        for (i, id) in step.end_allocations.iter().enumerate() {
            if step.end_allocations[..i].contains(id) {
                errors.add(
                    format!("end_allocations[{i}]"),
                    "this allocation is listed twice",
                );
                continue;
            }
            match self.allocation(*id) {
                Some(a) if a.is_active() => {}
                Some(_) => errors.add(
                    format!("end_allocations[{i}]"),
                    "this allocation has already ended",
                ),
                None => errors.add(
                    format!("end_allocations[{i}]"),
                    "no such allocation on this referral",
                ),
            }
        }
        let remaining: Vec<ServiceId> = self
            .active_allocations()
            .filter(|a| !step.end_allocations.contains(&a.id))
            .map(|a| a.service_id)
            .collect();
        for (i, service_id) in step.allocate.iter().enumerate() {
            let field = format!("allocate[{i}]");
            if remaining.contains(service_id) || step.allocate[..i].contains(service_id) {
                errors.add(
                    &field,
                    "the young person is already allocated to this service",
                );
                continue;
            }
            self.check_service(
                *service_id,
                step.to,
                &field,
                ctx,
                &step.end_allocations,
                &mut errors,
            );
        }
        if !step.allocate.is_empty() {
            self.check_competence(None, ctx, &mut errors);
        }
        if remaining.is_empty() && step.allocate.is_empty() {
            errors.add(
                "allocate",
                "a step change must leave the young person with at least one service; to end support, discharge instead",
            );
        }
        errors.into_result()?;
        let mut events = vec![ReferralEvent::NeedGroupChanged {
            from,
            to: step.to,
            direction: step.direction,
            reason: step.reason.clone(),
        }];
        for id in step.end_allocations {
            events.push(ReferralEvent::AllocationEnded {
                allocation_id: id,
                reason: DischargeReason::SteppedUpOrDown,
                note: Some(step.reason.clone()),
            });
        }
        for service_id in step.allocate {
            events.push(ReferralEvent::Allocated {
                allocation_id: AllocationId((ctx.new_id)()),
                service_id,
                need_group: step.to,
                origin: AllocationOrigin::Step(step.direction),
                clock_start: ctx.now,
            });
        }
        Ok(events)
    }

    fn require_open(&self, action: &str) -> Result<(), DomainError> {
        match self.status {
            ReferralStatus::Open => Ok(()),
            ReferralStatus::AwaitingTriage => Err(DomainError::illegal(format!(
                "cannot {action}: this referral has not been triaged yet"
            ))),
            ReferralStatus::Closed => Err(DomainError::illegal(format!(
                "cannot {action}: this referral is closed"
            ))),
        }
    }

    pub(crate) fn require_active_allocation(
        &self,
        id: AllocationId,
        action: &str,
    ) -> Result<(), DomainError> {
        match self.allocation(id) {
            None => Err(DomainError::NotFound(format!(
                "allocation {id} is not on this referral"
            ))),
            Some(a) if !a.is_active() => Err(DomainError::illegal(format!(
                "cannot {action}: this allocation ended ({}) on {}",
                a.ended
                    .as_ref()
                    .map(|e| e.reason.label())
                    .unwrap_or_default(),
                a.ended
                    .as_ref()
                    .map(|e| e.at.to_string())
                    .unwrap_or_default()
            ))),
            Some(_) => Ok(()),
        }
    }

    /// The destination of a referral closed by discharging its last allocation: the services
    /// it was allocated to, each named from the directory (in allocation order, once each).
    fn allocated_destination(&self, ctx: &Context<'_>) -> Destination {
        let mut service_ids: Vec<ServiceId> = Vec::new();
        for allocation in &self.allocations {
            if !service_ids.contains(&allocation.service_id) {
                service_ids.push(allocation.service_id);
            }
        }
        let service_names = service_ids
            .iter()
            .map(|id| {
                ctx.services
                    .service(*id)
                    .map(|s| s.details.name.clone())
                    .unwrap_or_else(|| format!("service {id}"))
            })
            .collect();
        Destination::Allocated {
            service_ids,
            service_names,
        }
    }

    fn check_service(
        &self,
        service_id: ServiceId,
        need_group: NeedGroup,
        field: &str,
        ctx: &Context<'_>,
        ending: &[AllocationId],
        errors: &mut ValidationErrors,
    ) {
        let Some(service) = ctx.services.service(service_id) else {
            errors.add(field, "no service with this id is in the directory");
            return;
        };
        let details = &service.details;
        if !details.active {
            errors.add(field, format!("{} is not taking referrals", details.name));
        }
        if !details.need_groups.contains(&need_group) {
            errors.add(
                field,
                format!("{} does not serve {}", details.name, need_group.label()),
            );
        }
        let age = age_in_years(ctx.date_of_birth, ctx.today());
        if !details.serves_age(age) {
            errors.add(
                field,
                format!(
                    "{} serves ages {} to {}; this young person is {age}",
                    details.name, details.age_from, details.age_to
                ),
            );
        }
        if self
            .active_allocations()
            .any(|a| a.service_id == service_id && !ending.contains(&a.id))
        {
            errors.add(
                field,
                format!("the young person is already allocated to {}", details.name),
            );
        }
    }

    /// An under-16 self-referral is allocated only on a decision that the young person is
    /// competent: the one `offered` with this command, else the latest recorded. Applies to
    /// every allocation (triage, added service, step), not only the first.
    fn check_competence(
        &self,
        offered: Option<&CompetenceDecision>,
        ctx: &Context<'_>,
        errors: &mut ValidationErrors,
    ) {
        if !self.needs_competence_decision(ctx) {
            return;
        }
        match offered.or(self.competence.as_ref()) {
            None => errors.add(
                "competence",
                "this young person referred themselves and is under 16: record a Gillick competence decision before allocating",
            ),
            Some(decision) if !decision.competent => errors.add(
                "competence",
                "the young person was not judged competent to consent: involve a parent or carer (recorded separately) before allocating",
            ),
            Some(_) => {}
        }
    }

    fn needs_competence_decision(&self, ctx: &Context<'_>) -> bool {
        self.competence_question_applies(ctx.date_of_birth, ctx.tz)
    }

    /// True when this referral is a young person's own and they were under [`GILLICK_AGE`]
    /// when it was **received** (not today: a young person who was 15 when they asked for
    /// help and is 16 at triage is still asked), so that allocating it needs a Gillick
    /// competence decision. The one home of the rule; the triage page asks the question
    /// exactly when this says so.
    pub fn competence_question_applies(&self, date_of_birth: Date, tz: &TimeZone) -> bool {
        let received_on = self.received_at.to_zoned(tz.clone()).date();
        self.source == ReferralSource::SelfReferral
            && age_in_years(date_of_birth, received_on) < GILLICK_AGE
    }
}

fn competence_fields(decision: &CompetenceDecision, prefix: &str, errors: &mut ValidationErrors) {
    text(
        errors,
        &format!("{prefix}assessed_by"),
        &decision.assessed_by,
        "name who assessed competence",
    );
    text(
        errors,
        &format!("{prefix}rationale"),
        &decision.rationale,
        "record the reasoning for the competence decision",
    );
}
