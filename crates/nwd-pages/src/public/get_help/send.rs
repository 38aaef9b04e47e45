//! The send: the answers (every step already valid) through the self-referral use case, the
//! same as `POST /api/self-referrals` (the page only turns its answers into domain types), and
//! the confirmation kept in the draft for a refresh of `/get-help/done`.

use askama::Template;
use jiff::civil::Date;
use nwd_domain::codes::{Priority, ReasonCode};
use nwd_domain::contact::ContactDetails;
use nwd_domain::referral::command::GILLICK_AGE;
use nwd_domain::self_referral::ShareWith;
use nwd_domain::ValidationErrors;
use nwd_store::IdempotencyRequest;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::steps::{label_of, Who, AWARENESS, RELATIONSHIPS};
use super::validate::{age, date_of_birth};
use crate::form::FormData;
use crate::layout::Layout;
use nwd_http::limits::{HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::{receive_self_referral, reference, ParentCarerAnswers, SelfReferral};
use nwd_usecase::person::{parse_person, PersonInput};
use nwd_usecase::status::status_path;

/// What the confirmation shows, kept in the sent draft (no answers: only the reference, the
/// private status path and the words that depend on who asked).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(super) struct Confirmation {
    pub(super) reference: String,
    pub(super) status_path: String,
    pub(super) under_16: bool,
    pub(super) parent: bool,
    pub(super) promise: String,
}

#[derive(Template)]
#[template(path = "get_help_done.html")]
pub(super) struct DonePage {
    pub(super) layout: Layout,
    pub(super) confirmation: Confirmation,
}

/// When someone will be in touch with the answers so far (`usecase::promise`): a request whose
/// safety answers ask for very urgent review is promised that standard, any other routine.
pub fn promise(state: &AppState, form: &FormData) -> String {
    let priority = crate::public::safety_question::request(form)
        .map(|(priority, _)| priority)
        .unwrap_or(Priority::Routine);
    nwd_usecase::promise::promise_sentence(
        state.store.standards(),
        priority,
        Who::of(form).asker().source(),
    )
}

/// Sends the answers; the confirmation to show.
pub(super) async fn submit(
    trail: &RequestAudit,
    state: &AppState,
    form: &FormData,
    today: Date,
) -> Result<Confirmation, crate::layout::PageError> {
    let who = Who::of(form);
    let non_empty = |name: &str| Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty());
    let person = PersonInput {
        given_name: non_empty("given-name"),
        family_name: non_empty("family-name"),
        preferred_name: non_empty("preferred-name"),
        date_of_birth: date_of_birth(form).map(|d| d.to_string()),
        postcode: non_empty("postcode"),
        ..PersonInput::default()
    };
    let mut errors = ValidationErrors::new();
    let person = parse_person(person, &mut errors);
    let about = crate::public::about::answers(form, person.as_ref(), &mut errors);
    let contact = ContactDetails::parse(
        Some(form.first("phone")),
        Some(form.first("email")),
        "phone",
        "email",
        &mut errors,
    );
    let consent_to_share: Vec<ShareWith> = form
        .all("share")
        .iter()
        .filter_map(|v| errors.check("share", ShareWith::parse(v)))
        .collect();
    let (Some(person), Some(contact), true) = (person, contact, errors.is_empty()) else {
        return Err(nwd_http::problem::ApiError::Invalid(errors.0).into());
    };
    let under_16 = age(form, today).is_some_and(|a| a < GILLICK_AGE);
    let (contact_name, parent_carer) = match who {
        Who::YoungPerson => (
            format!("{} {}", person.given_name, person.family_name),
            None,
        ),
        Who::ParentCarer => (
            form.first("your-name").trim().to_owned(),
            Some(ParentCarerAnswers {
                relationship: label_of(RELATIONSHIPS, form.first("relationship")).to_owned(),
                child_knows: label_of(AWARENESS, form.first("aware")).to_owned(),
            }),
        ),
    };
    let referral = SelfReferral {
        asker: who.asker(),
        person,
        about,
        reasons: form
            .all("reasons")
            .iter()
            .filter_map(|r| ReasonCode::parse(r).ok())
            .collect(),
        presenting_needs: form.first("happening").trim().to_owned(),
        contact_name,
        contact,
        parent_carer,
        consent_to_share,
        safety: crate::public::safety_question::answers(form),
        received_at: state.store.now(),
    };
    let mut hash = Sha256::new();
    for (name, value) in form.pairs() {
        // The time stamp can be re-issued and the honeypot is not an answer.
        if ![ISSUED_FIELD, HONEYPOT_FIELD].contains(&name.as_str()) {
            hash.update(name.as_bytes());
            hash.update([0]);
            hash.update(value.as_bytes());
            hash.update([0]);
        }
    }
    let idempotency = IdempotencyRequest {
        scope: "self-referrals-web".to_owned(),
        key: form.first("journey").to_owned(),
        request_hash: hex::encode(hash.finalize()),
    };
    let promise = promise(state, form);
    let outcome = receive_self_referral(&state.store, trail, referral, Some(idempotency)).await?;
    Ok(Confirmation {
        reference: reference(&outcome.referral),
        status_path: outcome
            .status_token
            .as_deref()
            .map(status_path)
            .unwrap_or_default(),
        under_16,
        parent: who == Who::ParentCarer,
        promise,
    })
}
