//! "Get help": a young person refers themselves (`/get-help`), or a parent or carer refers
//! their child (`/get-help/parent-carer`), one question per page, through the same machinery.
//!
//! Post/redirect/get with a server-side draft (`public::journey_draft`): starting a journey
//! makes a draft and redirects to the first question's own address (`/get-help/q/{step}`);
//! each answer is posted there, checked, saved in the draft and answered with `303 See Other`
//! to the next question's address, which shows the question from the draft. So the browser's
//! Back, Forward and refresh only repeat a GET: the answers are still there and nothing is
//! posted again (a question with an error is shown in the post's answer, the GOV.UK pattern).
//! The pages work without JavaScript; every page is `no-store`.
//!
//! It asks only what triage needs: date of birth (age decides the services and, under 16, the
//! competence conversation), name, postcode (the area), what they want help with (the
//! reasons), what is happening (in their words), how to reach them, and who we may talk to.
//! "Send" on the check page checks every answer again, then turns them into the domain's types
//! and submits through the same use case as `POST /api/self-referrals`
//! (`usecase::intake::receive_self_referral`, with the journey id made when the journey started
//! as its idempotency key, so a double submit makes one referral); then the draft keeps only
//! the confirmation, and the send is answered with `303` to `/get-help/done`, which a refresh
//! shows again without sending again. The rules the questions apply are the domain's (ages
//! served, contact details, the presenting-needs limit, the share choices); the page only
//! words its messages. A parent's or carer's request is recorded with source of referral
//! `ReferralSource::ParentCarer`, MHSDS code B2 "Self referral: carer/relative" (NHS Data
//! Dictionary "Source of referral for mental health", cited in `nwd_domain::codes`); it also
//! asks their relationship and whether the child knows and agrees, which triage needs for the
//! consent and competence conversation.
//!
//! Anonymous submissions pass [`FormGuard`]: a honeypot field and a signed time stamp issued
//! when the journey starts (kept in the draft); a script gets a neutral page and nothing is
//! written. The confirmation gives the reference, a private status link (`pages::status`) and
//! when someone will be in touch (`usecase::promise`).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageResult, Sensitivity};
use crate::public::journey_draft::{self, Journey, NotSaved};
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod page;
mod send;
mod steps;
mod validate;

use page::step_page;
pub use page::{neutral_response, step_html, AnswerRow, Choice};
pub use send::promise;
use send::{submit, Confirmation, DonePage};
pub use steps::{help_with_label, Step, Who, AWARENESS, HELP_WITH, RELATIONSHIPS};
pub(crate) use validate::thousands;
pub use validate::validate;

/// The journey's drafts: kept under `/get-help`, where every page of both journeys is.
pub const JOURNEY: Journey = Journey {
    name: "get-help",
    cookie_path: "/get-help",
    start: "/get-help",
};

/// Where the confirmation is shown (again, on a refresh) after the send.
pub const DONE_PATH: &str = "/get-help/done";

/// The address of one question.
pub fn step_path(step: Step) -> String {
    format!("/get-help/q/{}", step.as_str())
}

/// A fresh young person's journey: a draft with its journey id (the idempotency key of the
/// referral it makes) and the [`FormGuard`] stamp, then the first question.
#[utoipa::path(get, path = "/get-help", tag = "pages",
    responses((status = 303, description = "A fresh journey: its draft's cookie, and the first question's address")))]
pub async fn start(State(state): State<AppState>) -> PageResult {
    begin(&state, Who::YoungPerson).await
}

/// A fresh parent's or carer's journey.
#[utoipa::path(get, path = "/get-help/parent-carer", tag = "pages",
    responses((status = 303, description = "A fresh parent or carer journey: its draft's cookie, and the first question's address")))]
pub async fn start_parent_carer(State(state): State<AppState>) -> PageResult {
    begin(&state, Who::ParentCarer).await
}

async fn begin(state: &AppState, who: Who) -> PageResult {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    if who == Who::ParentCarer {
        form.set("who", "parent_carer".to_owned());
    }
    form.set(
        ISSUED_FIELD,
        FormGuard::get().issue(state.store.now(), form.first("journey")),
    );
    journey_draft::start(state, JOURNEY, &form, &step_path(Step::first(who))).await
}

/// The query of a question's address: `change=1` when changing an answer from the check page,
/// `help=now` for the safety question's interruption.
#[derive(Debug, Default, Deserialize)]
pub struct StepQuery {
    change: Option<String>,
    help: Option<String>,
}

/// This journey's draft id and answers, or the page to show instead
/// ([`journey_draft::answers`]).
async fn answers(state: &AppState, headers: &HeaderMap) -> Result<(String, FormData), Response> {
    journey_draft::answers(state, headers, JOURNEY, DONE_PATH).await
}

/// The step at `name` for the draft's journey (`None`: not one of its steps; go to its first).
fn step_named(name: &str, who: Who) -> Option<Step> {
    Step::parse(name).filter(|s| who.steps().contains(s))
}

/// One question, from the draft's answers.
#[utoipa::path(get, path = "/get-help/q/{step}", tag = "pages",
    params(("step" = String, Path, description = "The question, e.g. `date-of-birth`, or `check`")),
    responses((status = 200, description = "The question with the answers so far", content_type = "text/html"),
        (status = 410, description = "No answers kept for this browser: start again", content_type = "text/html")))]
pub async fn question(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<StepQuery>,
) -> PageResult {
    let (_, form) = match answers(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let who = Who::of(&form);
    let Some(step) = step_named(&name, who) else {
        return Ok(see_other(&step_path(Step::first(who))));
    };
    let changing = query.change.as_deref() == Some("1");
    let today = today(&state);
    if step == Step::Safety
        && query.help.as_deref() == Some("now")
        && crate::public::safety_question::signals_risk(&form)
    {
        let next = if changing {
            Step::Check
        } else {
            step.next(who)
        };
        return Ok(crate::public::safety_question::interruption(
            who,
            step_path(next),
            promise(&state, &form),
        ));
    }
    let promise = promise(&state, &form);
    Ok(step_page(step, form, Vec::new(), changing, today, &promise))
}

/// One answer: checked, saved in the draft, and `303` to the next question (or the check
/// page, when changing); with a problem, the same question with its error summary. On the
/// check page, "Send".
#[utoipa::path(post, path = "/get-help/q/{step}", tag = "pages",
    params(("step" = String, Path, description = "The question answered")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: the next question's address, or the confirmation's after sending"),
        (status = 200, description = "The same question with its errors", content_type = "text/html"),
        (status = 410, description = "No answers kept for this browser: start again", content_type = "text/html"),
        (status = 413, description = "The answers are too big to keep; nothing saved", content_type = "text/html")))]
pub async fn answer(
    trail: RequestAudit,
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let (id, mut form) = match answers(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let who = Who::of(&form);
    let Some(step) = step_named(&name, who) else {
        return Ok(see_other(&step_path(Step::first(who))));
    };
    let posted = FormData::parse(&body);
    let changing = posted.first("changing") == "1";
    let today = today(&state);
    if step == Step::Check {
        return send_from_check(&trail, &state, &id, form, &posted, today).await;
    }
    form.replace_from(&posted, step.fields(who));
    let errors = validate(step, &form, today);
    if !errors.is_empty() {
        let promise = promise(&state, &form);
        return Ok(step_page(step, form, errors, changing, today, &promise));
    }
    match journey_draft::save_checked(&state, &id, JOURNEY, &form).await {
        Ok(()) => {}
        Err(NotSaved::TooLarge(message)) => {
            let field = step.fields(who).first().copied().unwrap_or("send");
            let promise = promise(&state, &form);
            let mut page = step_page(
                step,
                form,
                vec![FieldMessage::new(field, message)],
                changing,
                today,
                &promise,
            );
            *page.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(page);
        }
        Err(NotSaved::Failed(e)) => return Err(e),
    }
    let change = if changing { "?change=1" } else { "" };
    // Answers that signal risk: urgent help at once (its own address), then carry on.
    if step == Step::Safety && crate::public::safety_question::signals_risk(&form) {
        let query = crate::public::safety_question::INTERRUPTION_QUERY;
        let joiner = if changing { "&" } else { "?" };
        return Ok(see_other(&format!(
            "{}{change}{joiner}{query}",
            step_path(step)
        )));
    }
    let next = if changing {
        Step::Check
    } else {
        step.next(who)
    };
    Ok(see_other(&step_path(next)))
}

/// "Send" on the check page: every answer again (the first with a problem is shown), the
/// anti-automation check, one write; then the draft keeps only the confirmation and the send
/// is answered with `303` to it.
async fn send_from_check(
    trail: &RequestAudit,
    state: &AppState,
    id: &str,
    mut form: FormData,
    posted: &FormData,
    today: Date,
) -> PageResult {
    let who = Who::of(&form);
    for earlier in who.steps() {
        let errors = validate(*earlier, &form, today);
        if !errors.is_empty() {
            let promise = promise(state, &form);
            return Ok(step_page(*earlier, form, errors, true, today, &promise));
        }
    }
    let guard = FormGuard::get();
    match guard.check(
        posted.first(HONEYPOT_FIELD),
        form.first(ISSUED_FIELD),
        form.first("journey"),
        state.store.now(),
    ) {
        FormCheck::Person => {
            let confirmation = submit(trail, state, &form, today).await?;
            let json = serde_json::to_string(&confirmation)
                .map_err(|e| nwd_http::problem::ApiError::Internal(e.to_string()))?;
            state
                .store
                .finish_draft(id, JOURNEY.name, &json)
                .await
                .map_err(nwd_http::problem::ApiError::from)?;
            Ok(see_other(DONE_PATH))
        }
        FormCheck::Honeypot | FormCheck::TooFast => Ok(neutral_response()),
        FormCheck::Unsigned => {
            form.set(
                ISSUED_FIELD,
                guard.issue(state.store.now(), form.first("journey")),
            );
            journey_draft::save(state, id, JOURNEY, &form).await?;
            let errors = vec![FieldMessage::new(
                "send",
                "Sorry, we could not send your request. Check your answers, then select the button to send it again",
            )];
            let promise = promise(state, &form);
            Ok(step_page(Step::Check, form, errors, false, today, &promise))
        }
    }
}

/// The confirmation, from the sent draft: a refresh shows it again and sends nothing.
#[utoipa::path(get, path = "/get-help/done", tag = "pages",
    responses((status = 200, description = "The confirmation with the reference, the status link and when someone will be in touch", content_type = "text/html"),
        (status = 410, description = "No sent request kept for this browser", content_type = "text/html")))]
pub async fn done(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let draft = journey_draft::read(&state, &headers, JOURNEY).await?;
    let Some((_, draft)) = draft else {
        return Ok(journey_draft::expired(JOURNEY));
    };
    let Some(sent) = draft.sent else {
        return Ok(see_other(&step_path(Step::Check)));
    };
    let confirmation: Confirmation = serde_json::from_str(&sent)
        .map_err(|e| nwd_http::problem::ApiError::Internal(e.to_string()))?;
    let page = DonePage {
        layout: Layout::public("Your request has been sent"),
        confirmation,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

fn today(state: &AppState) -> Date {
    state.store.now().to_zoned(state.store.tz().clone()).date()
}
