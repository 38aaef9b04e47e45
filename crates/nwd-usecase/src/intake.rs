//! Receiving a self-referral: a young person asking for themselves, or a parent or carer for
//! their child. One use case for `POST /api/self-referrals` (`api::intake`) and the public
//! journeys `/get-help` and `/get-help/parent-carer` (`pages::get_help`): each door parses its
//! input into a [`SelfReferral`] (domain types, never display labels), and this module
//! assembles the referral — source, clinical and requested priority, referrer, consent list —
//! and makes the one write. The store runs the domain's checks again before writing
//! (`PersonDetails::validate`, `NewReferral::validate`), so a door cannot skip a rule.

use jiff::Timestamp;
use nwd_domain::about::AboutYoungPerson;
use nwd_domain::actor::Actor;
use nwd_domain::codes::{Priority, ReasonCode};
use nwd_domain::contact::ContactDetails;
use nwd_domain::person::{CarerContact, PersonDetails};
use nwd_domain::referral::{NewReferral, Referral, ReferralKind, Referrer};
use nwd_domain::search::ReferencePrefix;
use nwd_domain::self_referral::{Asker, SafetyAnswers, ShareWith};
use nwd_store::audit::{AuditContext, AuditScope};
use nwd_store::{IdempotencyRequest, Intake, IntakeOutcome, Store, StoreError};

/// What a parent or carer told the journey about themselves and the child, in the words they
/// chose (the page's relationship and awareness choices).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParentCarerAnswers {
    /// How they are related to the child, e.g. "Foster carer".
    pub relationship: String,
    /// Whether the child knows and agrees, e.g. "Yes, and they agree to it".
    pub child_knows: String,
}

/// A self-referral in domain types: what any door hands the use case.
#[derive(Debug, Clone)]
pub struct SelfReferral {
    /// Who is asking.
    pub asker: Asker,
    /// The young person.
    pub person: PersonDetails,
    /// About the young person (equality monitoring, the groups the area's plans name).
    pub about: AboutYoungPerson,
    /// What they want help with, primary first.
    pub reasons: Vec<ReasonCode>,
    /// What is happening, in their words.
    pub presenting_needs: String,
    /// The name of the person asking (a young person's own name).
    pub contact_name: String,
    /// How to reach the person asking.
    pub contact: ContactDetails,
    /// A parent's or carer's relationship and whether the child knows, when asked.
    pub parent_carer: Option<ParentCarerAnswers>,
    /// Whom they agree we may talk to.
    pub consent_to_share: Vec<ShareWith>,
    /// The safety question's answers, when asked.
    pub safety: Option<SafetyAnswers>,
    /// When it was received: the waiting clock starts here.
    pub received_at: Timestamp,
}

impl SelfReferral {
    /// The intake to store and the public actor it is recorded as. Pure.
    ///
    /// The single point of access sets the clinical priority at triage, so a self-referral
    /// arrives routine; safety answers that signal risk ask triage for very urgent review
    /// (`requested_priority`, a request to confirm: `nwd_domain::referral::urgency`). Urgent
    /// help is one click from every public page.
    pub fn into_intake(self) -> (Intake, Actor) {
        let SelfReferral {
            asker,
            mut person,
            about,
            reasons,
            mut presenting_needs,
            contact_name,
            contact,
            parent_carer,
            consent_to_share,
            safety,
            received_at,
        } = self;
        let phone = contact.phone().map(|p| p.as_str().to_owned());
        let email = contact.email().map(|e| e.as_str().to_owned());
        let role = match (asker, &parent_carer) {
            (Asker::YoungPerson, _) => "Young person (self-referral)".to_owned(),
            (Asker::ParentCarer, Some(answers)) => {
                format!("Parent or carer ({})", answers.relationship.to_lowercase())
            }
            (Asker::ParentCarer, None) => "Parent or carer".to_owned(),
        };
        if let (Asker::ParentCarer, Some(answers)) = (asker, &parent_carer) {
            person.carers.push(CarerContact {
                name: contact_name.clone(),
                relationship: answers.relationship.to_lowercase(),
                phone: phone.clone(),
                email: email.clone(),
                // Not asked: parental responsibility is for the team to confirm, not to guess.
                parental_responsibility: false,
            });
            // What triage needs before contacting the young person, in the words chosen.
            presenting_needs.push_str(&format!(
                "\n\nAsked by their {}. Does the young person know? {}.",
                answers.relationship.to_lowercase(),
                answers.child_knows
            ));
        }
        let request = safety.and_then(|answers| answers.request(asker));
        let referral = NewReferral {
            kind: ReferralKind::Referral,
            source: asker.source(),
            priority: Priority::Routine,
            requested_priority: request.as_ref().map(|(priority, _)| *priority),
            request_reason: request.map(|(_, reason)| reason),
            reasons,
            presenting_needs,
            referrer: Referrer {
                name: contact_name,
                role: Some(role),
                organisation: None,
                phone,
                email,
            },
            consent_to_share: consent_to_share
                .iter()
                .map(|s| s.agency().to_owned())
                .collect(),
            received_at,
            details: Default::default(),
        };
        (
            Intake {
                person,
                referral,
                about,
            },
            Actor::asking(asker),
        )
    }
}

/// Receives a self-referral under the request's audit entry `trail`: the one write (idempotent by `idempotency`, when given), with
/// its audit entry and private status link (`Store::receive_referral`).
pub async fn receive_self_referral(
    store: &Store,
    trail: &AuditScope,
    referral: SelfReferral,
    idempotency: Option<IdempotencyRequest>,
) -> Result<IntakeOutcome, StoreError> {
    let (intake, actor) = referral.into_intake();
    let audit = AuditContext::request(actor, None, trail.clone());
    store
        .receive_referral(&audit, intake, None, idempotency)
        .await
}

/// A referral's reference to quote on the phone (`NWD-1A2B-3C4D`): the domain's
/// [`ReferencePrefix`], as every door shows it.
pub fn reference(referral: &Referral) -> String {
    ReferencePrefix::of(referral.id).shown()
}

/// A referral or advice request from a professional in domain types: what the JSON API
/// (`POST /api/referrals`) and the referral forms (`/refer`, `/staff/refer`) hand the use case.
#[derive(Debug, Clone)]
pub struct ProfessionalReferral {
    /// Who is sending it: a signed-in user, or [`Actor::Professional`] on the public form.
    pub actor: Actor,
    /// Referral or advice request.
    pub kind: ReferralKind,
    /// Where the referrer works (source of referral).
    pub source: nwd_domain::codes::ReferralSource,
    /// The priority the referrer stated.
    pub stated_priority: Priority,
    /// The young person.
    pub person: PersonDetails,
    /// About the young person.
    pub about: AboutYoungPerson,
    /// Coded reasons, primary first.
    pub reasons: Vec<ReasonCode>,
    /// Presenting needs, in the referrer's words.
    pub presenting_needs: String,
    /// The referrer.
    pub referrer: Referrer,
    /// Agencies the young person or family agreed we may talk to.
    pub consent_to_share: Vec<String>,
    /// When it was received.
    pub received_at: Timestamp,
    /// The family's contact, the young person's own contact, plain-word reasons, advice asked
    /// together with a referral, the safeguarding route.
    pub details: nwd_domain::referral::intake::IntakeDetails,
}

impl ProfessionalReferral {
    /// The intake to store and the actor it is recorded as. Pure. A signed-in sender's stated
    /// priority is the clinical priority; an anonymous sender's is a request for triage to
    /// confirm (`nwd_domain::referral::urgency::stated_priority`).
    pub fn into_intake(self) -> (Intake, Actor) {
        let verified = !self.actor.is_public();
        let (priority, requested_priority, request_reason) =
            nwd_domain::referral::urgency::stated_priority(self.stated_priority, verified);
        let referral = NewReferral {
            kind: self.kind,
            source: self.source,
            priority,
            requested_priority,
            request_reason,
            reasons: self.reasons,
            presenting_needs: self.presenting_needs,
            referrer: self.referrer,
            consent_to_share: self.consent_to_share,
            received_at: nwd_store::truncate_to_millis(self.received_at),
            // On the safeguarding route the family is marked do-not-contact here, whatever
            // door it came through.
            details: Box::new(self.details.normalise()),
        };
        (
            Intake {
                person: self.person,
                referral,
                about: self.about,
            },
            self.actor,
        )
    }
}

/// Receives a professional's referral or advice request under the request's audit entry
/// `trail`: the one write, idempotent by
/// `idempotency` when given.
pub async fn receive_professional_referral(
    store: &Store,
    trail: &AuditScope,
    sender: Option<&nwd_store::auth::Principal>,
    referral: ProfessionalReferral,
    idempotency: Option<IdempotencyRequest>,
) -> Result<IntakeOutcome, StoreError> {
    let (intake, actor) = referral.into_intake();
    let audit = AuditContext::request(actor, sender.map(|p| p.user_id.as_str()), trail.clone());
    store
        .receive_referral(
            &audit,
            intake,
            sender.map(|p| p.organisation_id.as_str()),
            idempotency,
        )
        .await
}

/// Receives an anonymous consultation (`nwd_domain::consultation`) from `actor` under the
/// request's audit entry `trail`: one write, never matched to a person, once per
/// `idempotency_key`. `sender` is the signed-in professional, if any.
pub async fn receive_consultation(
    store: &Store,
    trail: &AuditScope,
    actor: Actor,
    sender: Option<&nwd_store::auth::Principal>,
    consultation: nwd_domain::consultation::NewConsultation,
    idempotency_key: Option<&str>,
) -> Result<nwd_store::consultation::ConsultationOutcome, StoreError> {
    let audit = AuditContext::request(actor, sender.map(|p| p.user_id.as_str()), trail.clone());
    store
        .receive_consultation(
            &audit,
            consultation,
            sender.map(|p| p.organisation_id.as_str()),
            idempotency_key,
        )
        .await
}
