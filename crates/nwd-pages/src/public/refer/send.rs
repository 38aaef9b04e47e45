//! Sends a checked referral form through the professional-referral use case ([`send`]); what
//! the confirmation shows ([`Sent`], kept in the public journey's draft for a refresh of
//! `/refer/done`) and its page ([`done_page`]).

use super::validate::date_of_birth;
use crate::form::FormData;
use crate::layout::{render, Layout, PageError, Sensitivity};
use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use nwd_domain::actor::Actor;
use nwd_domain::codes::{PlainReason, Priority, ReferralSource};
use nwd_domain::referral::{ReferralKind, Referrer};
use nwd_domain::ValidationErrors;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;
use nwd_store::IdempotencyRequest;
use nwd_usecase::intake::{receive_professional_referral, reference, ProfessionalReferral};
use nwd_usecase::person::{parse_person, PersonInput};
use nwd_usecase::status::status_path;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// What the confirmation shows once a referral, request for advice or consultation is sent:
/// no answers, only the reference, the private status path and the words that depend on what
/// was sent. Kept in the public journey's sent draft, so that a refresh of `/refer/done` shows
/// it again and sends nothing.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sent {
    /// The reference, e.g. `NWD-…`.
    pub reference: String,
    /// The private status link's path (empty for a consultation, or when the request had
    /// already been received).
    pub status_path: String,
    /// Advice was asked (alone or with a referral).
    pub advice: bool,
    /// An anonymous consultation: no status link, nobody to contact but the professional.
    pub consultation: bool,
    /// Made on the safeguarding route: the family is not contacted without the referrer.
    pub safeguarding: bool,
    /// When someone will be in touch (`usecase::promise`).
    pub promise: String,
}

#[derive(Template)]
#[template(path = "refer_done.html")]
struct ReferDonePage {
    layout: Layout,
    sent: Sent,
    signed_in: bool,
}

/// The confirmation page for `sent`; `principal` is the signed-in referrer, if any.
pub fn done_page(sent: Sent, principal: Option<&Principal>) -> Response {
    let title = if sent.consultation {
        "Your request for a consultation has been sent"
    } else if sent.advice {
        "Your request for advice has been sent"
    } else {
        "Your referral has been sent"
    };
    let page = ReferDonePage {
        layout: match principal {
            Some(p) => Layout::staff(title, p),
            None => Layout::public(title),
        },
        sent,
        signed_in: principal.is_some(),
    };
    render(&page, StatusCode::OK, Sensitivity::Identifiable)
}

/// When someone will be in touch, for the answers so far: the single point of access's triage
/// standard for the stated priority and the referrer's source (`usecase::promise`). An
/// unverified referrer's urgency is a request, but triage is due by the more urgent of the two
/// (`nwd_domain::referral::urgency`), so the stated one is what is promised.
pub fn promise(state: &AppState, form: &FormData) -> String {
    let priority = Priority::parse(form.first("priority")).unwrap_or(Priority::Routine);
    let source = ReferralSource::parse(form.first("source")).unwrap_or(ReferralSource::Other);
    nwd_usecase::promise::promise_sentence(state.store.standards(), priority, source)
}
/// Every answer the form asks, in the order the idempotency hash reads them (so that the same
/// answers give the same hash whichever order the pages sent them in).
pub const ANSWER_FIELDS: [&str; 47] = [
    "kind",
    "identify",
    "source",
    "referrer-name",
    "referrer-role",
    "organisation",
    "referrer-phone",
    "referrer-email",
    "given-name",
    "family-name",
    "dob-day",
    "dob-month",
    "dob-year",
    "age-band",
    "area",
    "nhs-number",
    "postcode",
    "reasons",
    "needs",
    "priority",
    "consent",
    "not-sought-reason",
    "not-sought-detail",
    "carer-name",
    "carer-relationship",
    "carer-phone",
    "carer-email",
    "carer-safety",
    "carer-how",
    "yp-phone",
    "yp-email",
    "ethnicity",
    "sex_at_birth",
    "gender_same_as_sex_at_birth",
    "gender_identity",
    "disability",
    "first_language",
    "interpreter_needed",
    "school",
    "gp_practice",
    "looked_after",
    "care_leaver",
    "youth_justice",
    "send_ehcp",
    "autistic",
    "adhd",
    "young_carer",
];

/// Sends answers that [`validate`] accepted and that passed the [`FormGuard`]: the one write
/// (idempotent by the form's `journey` id); what the confirmation shows. `principal` is the
/// signed-in referrer, if any.
pub(crate) async fn send(
    trail: &RequestAudit,
    state: &AppState,
    form: &FormData,
    principal: Option<&Principal>,
) -> Result<Sent, PageError> {
    let now = state.store.now();
    let non_empty = |name: &str| Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty());
    if super::answers::is_anonymous(form) {
        return super::consult::send(trail, state, form, principal, &idempotency_hash(form)).await;
    }
    let person = PersonInput {
        nhs_number: non_empty("nhs-number"),
        given_name: non_empty("given-name"),
        family_name: non_empty("family-name"),
        date_of_birth: date_of_birth(form).map(|d| d.to_string()),
        postcode: non_empty("postcode"),
        school: (form.first("source") == "school")
            .then(|| form.first("organisation").trim().to_owned()),
        ..PersonInput::default()
    };
    let mut problems = ValidationErrors::new();
    let person = parse_person(person, &mut problems);
    let about = crate::public::about::answers(form, person.as_ref(), &mut problems);
    let (Some(person), true) = (person, problems.is_empty()) else {
        return Err(nwd_http::problem::ApiError::Invalid(problems.0).into());
    };
    let (kind, _) = super::answers::kind(form);
    let details = super::answers::details(form);
    let source = ReferralSource::parse(form.first("source"))
        .map_err(nwd_http::problem::ApiError::BadRequest)?;
    let stated =
        Priority::parse(form.first("priority")).map_err(nwd_http::problem::ApiError::BadRequest)?;
    let organisation = form.first("organisation").trim().to_owned();
    // Signed in, the referrer is verified and the stated priority is the clinical one; on the
    // anonymous form it is a request for triage to confirm (the use case decides).
    let actor = match principal {
        Some(p) => Actor::User(p.username.clone()),
        None => Actor::Professional,
    };
    let referral = ProfessionalReferral {
        actor,
        kind,
        source,
        stated_priority: stated,
        person,
        about,
        reasons: PlainReason::codes(&details.plain_reasons),
        presenting_needs: form.first("needs").trim().to_owned(),
        referrer: Referrer {
            name: form.first("referrer-name").trim().to_owned(),
            role: non_empty("referrer-role"),
            organisation: Some(organisation.clone()),
            phone: non_empty("referrer-phone"),
            email: non_empty("referrer-email"),
        },
        consent_to_share: if form.first("consent") == "yes" {
            vec![organisation]
        } else {
            Vec::new()
        },
        received_at: now,
        details,
    };
    let idempotency = IdempotencyRequest {
        scope: "referrals-web".to_owned(),
        key: form.first("journey").to_owned(),
        request_hash: idempotency_hash(form),
    };
    let outcome =
        receive_professional_referral(&state.store, trail, principal, referral, Some(idempotency))
            .await?;
    Ok(Sent {
        reference: reference(&outcome.referral),
        status_path: outcome
            .status_token
            .as_deref()
            .map(status_path)
            .unwrap_or_default(),
        advice: kind == ReferralKind::AdviceRequest,
        consultation: false,
        safeguarding: outcome.referral.details.not_sought.is_some(),
        promise: promise(state, form),
    })
}

/// A hash of every answer in [`ANSWER_FIELDS`]' order: the same answers give the same hash
/// whichever order the pages sent them in.
fn idempotency_hash(form: &FormData) -> String {
    let mut hash = Sha256::new();
    for name in ANSWER_FIELDS {
        hash.update(name.as_bytes());
        for value in form.all(name) {
            hash.update([0]);
            hash.update(value.as_bytes());
        }
        hash.update([1]);
    }
    hex::encode(hash.finalize())
}
