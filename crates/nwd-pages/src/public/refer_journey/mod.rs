//! The public professional referral (`/refer`), one question per page, in the NHS service
//! manual's pattern: a start page (what it is for, that it is not for emergencies, who will
//! see what, when someone will be in touch, that asking for advice or a consultation is an
//! option), one question per page with a back link, "Check your answers" with change links
//! that come back to it, and the confirmation with the reference and a private status link.
//!
//! It asks exactly what the signed-in referrer's grouped form (`pages::refer`, `/staff/refer`)
//! asks, and each page checks only its own question with the same [`refer::validate`] (its
//! messages, filtered to the page's fields; [`question`]).
//!
//! Post/redirect/get with a server-side draft, as the young person's journey
//! (`public::journey_draft`): `GET /refer/questions` makes a draft (its journey id, the
//! idempotency key of what it sends, and the [`FormGuard`] stamp) and redirects to the first
//! question's own address, `/refer/q/{question}`. Each answer is posted there, checked, saved
//! in the draft and answered with `303 See Other` to the next question's address (or, when
//! changing an answer from the check page, the check page; or the first later answer the
//! change made wrong, with its message). So the browser's Back, Forward and refresh only
//! repeat a GET, the answers are still there, and no page asks to resend a form. "Send" on the
//! check page posts to `POST /refer` (the one route the anonymous rate limit counts,
//! `limits::LIMITED`): every answer is checked again (the first question with a problem is
//! shown), then the guard, then one write through [`refer::send`]; the draft then keeps only
//! the confirmation ([`refer::Sent`]), shown at `/refer/done`, which a refresh shows again
//! without sending again.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use jiff::civil::Date;
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageResult, Sensitivity};
use crate::public::get_help::neutral_response;
use crate::public::journey_draft::{self, Journey, NotSaved};
use crate::public::refer::{self, Sent};
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

mod question;

use question::question_page;
pub use question::{question_html, validate, Question};

/// The journey's drafts: every page of it is under `/refer`.
pub const JOURNEY: Journey = Journey {
    name: "refer",
    cookie_path: "/refer",
    start: START_PAGE,
};

/// The start page.
pub const START_PAGE: &str = "/refer";

/// Where "Send" on the check page posts.
pub const SEND_PATH: &str = "/refer";

/// Where the confirmation is shown (again, on a refresh) after the send.
pub const DONE_PATH: &str = "/refer/done";

/// The address of one question.
pub fn question_path(question: Question) -> String {
    format!("/refer/q/{}", question.as_str())
}

#[derive(askama::Template)]
#[template(path = "refer_start.html")]
struct StartPage {
    layout: Layout,
    /// The advice door (`/refer/advice`): "Start now" begins the journey with advice chosen.
    advice: bool,
    /// When someone will be in touch about a routine request.
    promise: String,
}

fn start_page_for(state: &AppState, advice: bool, title: &str) -> Response {
    let mut form = FormData::default();
    form.set("priority", "routine".to_owned());
    form.set("source", "other".to_owned());
    render(
        &StartPage {
            layout: Layout::public(title),
            advice,
            promise: refer::promise(state, &form),
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}

/// The start page: what the form is for, what it is not for, who will see what, when someone
/// will be in touch, and "Start now".
#[utoipa::path(get, path = "/refer", tag = "pages",
    responses((status = 200, description = "The start page of the referral and advice request for professionals", content_type = "text/html")))]
pub async fn start_page(State(state): State<AppState>) -> Response {
    start_page_for(&state, false, "Refer a young person, or ask for advice")
}

/// The start page for professionals asking for advice or a consultation: "Start now" begins
/// the same journey with the advice kind chosen (the first question is then whether they can
/// name the young person).
#[utoipa::path(get, path = "/refer/advice", tag = "pages",
    responses((status = 200, description = "The start page of a professional's request for advice or a consultation", content_type = "text/html")))]
pub async fn advice_start_page(State(state): State<AppState>) -> Response {
    start_page_for(
        &state,
        true,
        "Ask for advice or a consultation about a young person",
    )
}

/// `?for=advice`: a journey started from the advice door.
#[derive(Debug, Default, Deserialize)]
pub struct StartQuery {
    #[serde(rename = "for")]
    start_for: Option<String>,
}

/// A fresh journey: a draft with its journey id (the idempotency key of what it sends) and the
/// [`FormGuard`] stamp, then the first question (with `?for=advice`, advice already chosen).
#[utoipa::path(get, path = "/refer/questions", tag = "pages",
    params(("for" = Option<String>, Query, description = "`advice`: start with advice or a consultation chosen")),
    responses((status = 303, description = "A fresh journey: its draft's cookie, and the first question's address")))]
pub async fn start(State(state): State<AppState>, Query(query): Query<StartQuery>) -> PageResult {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    form.set(
        ISSUED_FIELD,
        FormGuard::get().issue(state.store.now(), form.first("journey")),
    );
    let first = if query.start_for.as_deref() == Some("advice") {
        form.set("kind", "advice_request".to_owned());
        Question::Kind.next(&form)
    } else {
        Question::Kind
    };
    journey_draft::start(&state, JOURNEY, &form, &question_path(first)).await
}

/// The query of a question's address: `change=1` when changing an answer from the check page;
/// `problem=1` when a changed answer made this one wrong (its message is shown).
#[derive(Debug, Default, Deserialize)]
pub struct QuestionQuery {
    change: Option<String>,
    problem: Option<String>,
}

/// This journey's draft id and answers, or the page to show instead
/// ([`journey_draft::answers`]).
async fn answers(state: &AppState, headers: &HeaderMap) -> Result<(String, FormData), Response> {
    journey_draft::answers(state, headers, JOURNEY, DONE_PATH).await
}

/// The question at `name` if the answers ask it.
fn asked(name: &str, form: &FormData) -> Option<Question> {
    Question::parse(name).filter(|q| q.applies(form))
}

fn today(state: &AppState) -> Date {
    state.store.now().to_zoned(state.store.tz().clone()).date()
}

/// The first question with a problem, and its messages.
fn first_problem(form: &FormData, today: Date) -> Option<(Question, Vec<FieldMessage>)> {
    Question::ALL.into_iter().find_map(|q| {
        let errors = validate(q, form, today);
        (!errors.is_empty()).then_some((q, errors))
    })
}

/// One question, from the draft's answers. A question the answers do not ask goes to the
/// first question.
#[utoipa::path(get, path = "/refer/q/{question}", tag = "pages",
    params(("question" = String, Path, description = "The question, e.g. `date-of-birth`, or `check`")),
    responses((status = 200, description = "The question with the answers so far", content_type = "text/html"),
        (status = 303, description = "Not a question these answers ask: the first question"),
        (status = 410, description = "No answers kept for this browser: start again", content_type = "text/html")))]
pub async fn question(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(query): Query<QuestionQuery>,
) -> PageResult {
    let (_, form) = match answers(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let Some(question) = asked(&name, &form) else {
        return Ok(see_other(&question_path(Question::Kind)));
    };
    let changing = query.change.as_deref() == Some("1");
    let errors = if query.problem.as_deref() == Some("1") {
        validate(question, &form, today(&state))
    } else {
        Vec::new()
    };
    let promise = refer::promise(&state, &form);
    Ok(question_page(question, form, errors, changing, promise))
}

/// One answer: checked, saved in the draft, and `303` to the next question (when changing,
/// the check page, or the first later answer the change made wrong); with a problem, the same
/// question with its error summary (the GOV.UK pattern: nothing saved).
#[utoipa::path(post, path = "/refer/q/{question}", tag = "pages",
    params(("question" = String, Path, description = "The question answered")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: the next question's address"),
        (status = 200, description = "The same question with its errors", content_type = "text/html"),
        (status = 410, description = "No answers kept for this browser: start again", content_type = "text/html"),
        (status = 413, description = "The answers are too big to keep; nothing saved", content_type = "text/html")))]
pub async fn answer(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(name): Path<String>,
    body: Bytes,
) -> PageResult {
    let (id, mut form) = match answers(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let Some(question) = asked(&name, &form) else {
        return Ok(see_other(&question_path(Question::Kind)));
    };
    if question == Question::Check {
        // Only `POST /refer` sends.
        return Ok(see_other(&question_path(Question::Check)));
    }
    let posted = FormData::parse(&body);
    let changing = posted.first("changing") == "1";
    form.replace_from(&posted, question.fields());
    let today = today(&state);
    let errors = validate(question, &form, today);
    if !errors.is_empty() {
        let promise = refer::promise(&state, &form);
        return Ok(question_page(question, form, errors, changing, promise));
    }
    match journey_draft::save_checked(&state, &id, JOURNEY, &form).await {
        Ok(()) => {}
        Err(NotSaved::TooLarge(message)) => {
            let field = question.fields().first().copied().unwrap_or("send");
            let promise = refer::promise(&state, &form);
            let errors = vec![FieldMessage::new(field, message)];
            let mut page = question_page(question, form, errors, changing, promise);
            *page.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return Ok(page);
        }
        Err(NotSaved::Failed(e)) => return Err(e),
    }
    if changing {
        // A changed answer can make a later one wrong (a referral, not advice, needs
        // agreement): that question next, with its message, else back to the check page.
        return Ok(match first_problem(&form, today) {
            Some((first, _)) => see_other(&format!("{}?change=1&problem=1", question_path(first))),
            None => see_other(&question_path(Question::Check)),
        });
    }
    Ok(see_other(&question_path(question.next(&form))))
}

/// "Send" on the check page: every answer checked again (the first question with a problem is
/// shown), then the anti-automation check, then one write; the draft keeps only the
/// confirmation and the send is answered with `303` to it.
#[utoipa::path(post, path = "/refer", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Sent: the confirmation's address"),
        (status = 200, description = "The first question with a problem", content_type = "text/html"),
        (status = 410, description = "No answers kept for this browser: start again", content_type = "text/html")))]
pub async fn send(
    trail: RequestAudit,
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> PageResult {
    let (id, mut form) = match answers(&state, &headers).await {
        Ok(found) => found,
        Err(page) => return Ok(page),
    };
    let posted = FormData::parse(&body);
    let today = today(&state);
    if let Some((first, errors)) = first_problem(&form, today) {
        let promise = refer::promise(&state, &form);
        return Ok(question_page(first, form, errors, true, promise));
    }
    let guard = FormGuard::get();
    let now = state.store.now();
    match guard.check(
        posted.first(HONEYPOT_FIELD),
        form.first(ISSUED_FIELD),
        form.first("journey"),
        now,
    ) {
        FormCheck::Person => {
            let sent = refer::send(&trail, &state, &form, None).await?;
            let json = serde_json::to_string(&sent)
                .map_err(|e| nwd_http::problem::ApiError::Internal(e.to_string()))?;
            state
                .store
                .finish_draft(&id, JOURNEY.name, &json)
                .await
                .map_err(nwd_http::problem::ApiError::from)?;
            Ok(see_other(DONE_PATH))
        }
        FormCheck::Honeypot | FormCheck::TooFast => Ok(neutral_response()),
        FormCheck::Unsigned => {
            form.set(ISSUED_FIELD, guard.issue(now, form.first("journey")));
            journey_draft::save(&state, &id, JOURNEY, &form).await?;
            let errors = vec![FieldMessage::new(
                "send",
                "Sorry, we could not send it. Check your answers, then select the button to send it again",
            )];
            let promise = refer::promise(&state, &form);
            Ok(question_page(Question::Check, form, errors, false, promise))
        }
    }
}

/// The confirmation, from the sent draft: a refresh shows it again and sends nothing.
#[utoipa::path(get, path = "/refer/done", tag = "pages",
    responses((status = 200, description = "The confirmation with the reference, the status link and when someone will be in touch", content_type = "text/html"),
        (status = 303, description = "Not sent yet: the check page"),
        (status = 410, description = "No sent request kept for this browser", content_type = "text/html")))]
pub async fn done(State(state): State<AppState>, headers: HeaderMap) -> PageResult {
    let Some((_, draft)) = journey_draft::read(&state, &headers, JOURNEY).await? else {
        return Ok(journey_draft::expired(JOURNEY));
    };
    let Some(sent) = draft.sent else {
        return Ok(see_other(&question_path(Question::Check)));
    };
    let sent: Sent = serde_json::from_str(&sent)
        .map_err(|e| nwd_http::problem::ApiError::Internal(e.to_string()))?;
    Ok(refer::done_page(sent, None))
}
