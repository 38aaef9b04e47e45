//! "Get help": a young person refers themselves (`/get-help`), or a parent or carer refers
//! their child (`/get-help/parent-carer`), one question per page, through the same machinery.
//!
//! The answers travel between pages in hidden fields (no server-side draft holds them, and the
//! pages work without JavaScript); every page is `no-store`. It asks only what triage needs:
//! date of birth (age decides the services and, under 16, the competence conversation), name,
//! postcode (the area), what they want help with (the reasons), what is happening (in their
//! words), how to reach them, and who we may talk to. The last page turns the answers into the
//! domain's types and submits through the same use case as `POST /api/self-referrals`
//! (`usecase::intake::receive_self_referral`, with an idempotency key made when the journey
//! started, so a double submit makes one referral). The rules the questions apply are the
//! domain's (ages served, contact details, the presenting-needs limit, the share choices);
//! the page only words its messages. A parent's or carer's request is recorded with source of referral
//! `ReferralSource::ParentCarer`, MHSDS code B2 "Self referral: carer/relative" (NHS Data
//! Dictionary "Source of referral for mental health", cited in `nwd_domain::codes`); it also
//! asks their relationship and whether the child knows and agrees, which triage needs for the
//! consent and competence conversation.
//!
//! Anonymous submissions pass [`FormGuard`]: a honeypot field and a signed time stamp issued
//! when the journey starts; a script gets a neutral page and nothing is written. The
//! confirmation gives the reference and a private status link (`pages::status`).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use nwd_domain::codes::ReasonCode;
use nwd_domain::contact::ContactDetails;
use nwd_domain::referral::command::GILLICK_AGE;
use nwd_domain::self_referral::ShareWith;
use nwd_domain::ValidationErrors;
use nwd_store::IdempotencyRequest;
use sha2::{Digest, Sha256};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageResult, Sensitivity};
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::{receive_self_referral, reference, ParentCarerAnswers, SelfReferral};
use nwd_usecase::person::{parse_person, PersonInput};
use nwd_usecase::status::status_path;

mod page;
mod steps;
mod validate;

use page::step_page;
pub use page::{neutral_response, step_html, AnswerRow, Choice};
use steps::label_of;
pub use steps::{help_with_label, Step, Who, AWARENESS, HELP_WITH, RELATIONSHIPS};
pub(crate) use validate::thousands;
pub use validate::validate;
use validate::{age, date_of_birth};

#[derive(Template)]
#[template(path = "get_help_done.html")]
struct DonePage {
    layout: Layout,
    reference: String,
    status_path: String,
    under_16: bool,
    parent: bool,
}

/// The first question. A fresh journey id is the idempotency key of the referral it makes.
#[utoipa::path(get, path = "/get-help", tag = "pages",
    responses((status = 200, description = "The first question of the self-referral journey", content_type = "text/html")))]
pub async fn start(State(state): State<AppState>) -> Response {
    begin(&state, Who::YoungPerson)
}

/// The first question of the parent's or carer's journey.
#[utoipa::path(get, path = "/get-help/parent-carer", tag = "pages",
    responses((status = 200, description = "The first question of the parent or carer referral journey", content_type = "text/html")))]
pub async fn start_parent_carer(State(state): State<AppState>) -> Response {
    begin(&state, Who::ParentCarer)
}

fn begin(state: &AppState, who: Who) -> Response {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    if who == Who::ParentCarer {
        form.set("who", "parent_carer".to_owned());
    }
    form.set(
        ISSUED_FIELD,
        FormGuard::get().issue(state.store.now(), form.first("journey")),
    );
    step_page(Step::first(who), form, Vec::new(), false, today(state))
}

/// One answer: validates it and shows the next question (or the same one with errors), goes
/// back, or (on the last page) sends the referral.
#[utoipa::path(post, path = "/get-help", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The next question, the same one with errors, or the confirmation", content_type = "text/html")))]
pub async fn answer(trail: RequestAudit, State(state): State<AppState>, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    if form.first("journey").is_empty() {
        return Ok(crate::layout::see_other("/get-help"));
    }
    let who = Who::of(&form);
    let step = Step::parse(form.first("step"))
        .filter(|s| who.steps().contains(s))
        .unwrap_or(Step::first(who));
    let changing = form.first("changing") == "1";
    let action = form.first("go").to_owned();
    if action == "back" {
        let previous = if changing {
            Step::Check
        } else {
            step.previous(who).unwrap_or(Step::first(who))
        };
        return Ok(step_page(previous, form, Vec::new(), false, today(&state)));
    }
    if let Some(target) = action
        .strip_prefix("change-")
        .and_then(Step::parse)
        .filter(|s| who.steps().contains(s))
    {
        return Ok(step_page(target, form, Vec::new(), true, today(&state)));
    }
    let today = today(&state);
    if step == Step::Check {
        // Every answer again: the hidden fields could have been edited.
        for earlier in who.steps() {
            let errors = validate(*earlier, &form, today);
            if !errors.is_empty() {
                return Ok(step_page(*earlier, form, errors, true, today));
            }
        }
        let guard = FormGuard::get();
        match guard.check(
            form.first(HONEYPOT_FIELD),
            form.first(ISSUED_FIELD),
            form.first("journey"),
            state.store.now(),
        ) {
            FormCheck::Person => return submit(&trail, &state, form, today).await,
            FormCheck::Honeypot | FormCheck::TooFast => return Ok(neutral_response()),
            FormCheck::Unsigned => {
                let mut form = form;
                form.set(
                    ISSUED_FIELD,
                    guard.issue(state.store.now(), form.first("journey")),
                );
                let errors = vec![FieldMessage::new(
                    "send",
                    "Sorry, we could not send your request. Check your answers, then select the button to send it again",
                )];
                return Ok(step_page(Step::Check, form, errors, false, today));
            }
        }
    }
    let errors = validate(step, &form, today);
    if !errors.is_empty() {
        return Ok(step_page(step, form, errors, changing, today));
    }
    // Answers that signal risk: urgent help at once, then carry on.
    if step == Step::Safety
        && action != crate::public::safety_question::CONTINUE
        && crate::public::safety_question::signals_risk(&form)
    {
        return Ok(crate::public::safety_question::interruption(form, changing));
    }
    let next = if changing {
        Step::Check
    } else {
        step.next(who)
    };
    Ok(step_page(next, form, Vec::new(), false, today))
}

fn today(state: &AppState) -> Date {
    state.store.now().to_zoned(state.store.tz().clone()).date()
}

/// Sends the answers (every step already valid) through the self-referral use case, the same
/// as `POST /api/self-referrals`: the page only turns its answers into domain types.
async fn submit(trail: &RequestAudit, state: &AppState, form: FormData, today: Date) -> PageResult {
    let who = Who::of(&form);
    let non_empty = |name: &str| Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty());
    let person = PersonInput {
        given_name: non_empty("given-name"),
        family_name: non_empty("family-name"),
        preferred_name: non_empty("preferred-name"),
        date_of_birth: date_of_birth(&form).map(|d| d.to_string()),
        postcode: non_empty("postcode"),
        ..PersonInput::default()
    };
    let mut errors = ValidationErrors::new();
    let person = parse_person(person, &mut errors);
    let about = crate::public::about::answers(&form, person.as_ref(), &mut errors);
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
    let under_16 = age(&form, today).is_some_and(|a| a < GILLICK_AGE);
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
        safety: crate::public::safety_question::answers(&form),
        received_at: state.store.now(),
    };
    let mut hash = Sha256::new();
    for (name, value) in form.pairs() {
        // The time stamp can be re-issued and the honeypot is not an answer.
        if !["go", ISSUED_FIELD, HONEYPOT_FIELD].contains(&name.as_str()) {
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
    let outcome = receive_self_referral(&state.store, trail, referral, Some(idempotency)).await?;
    let page = DonePage {
        layout: Layout::public("Your request has been sent"),
        reference: reference(&outcome.referral),
        status_path: outcome
            .status_token
            .as_deref()
            .map(status_path)
            .unwrap_or_default(),
        under_16,
        parent: who == Who::ParentCarer,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
