//! The public professional referral (`/refer`), one question per page, in the NHS service
//! manual's pattern: a start page (what it is for, that it is not for emergencies, that asking
//! for advice or a consultation is an option), one question per page with a back link, "Check
//! your answers" with change links that come back to it, and the confirmation with the
//! reference and a private status link.
//!
//! It asks exactly what the signed-in referrer's grouped form (`pages::refer`, `/staff/refer`)
//! asks, and each page checks only its own question with the same [`refer::validate`] (its
//! messages, filtered to the page's fields). The machinery is the young person's journey's
//! (`pages::get_help`): answers travel between pages in hidden fields (no draft on the server,
//! no JavaScript needed, every page `no-store`); the journey id made at the first question is
//! the idempotency key; the [`FormGuard`] stamp is issued at the first question. Nothing is
//! written until "Send": that checks every answer again (the hidden fields could have been
//! edited; the first question with a problem is shown with its error summary), then the guard,
//! then writes once through [`refer::send`].
//!
//! Routes: `GET /refer` (the start page), `GET /refer/questions` (a fresh journey: the first
//! question), `POST /refer/questions` (each answer, "Back" and "Change"), and `POST /refer` (the
//! send from the check page). Only the send is counted by the anonymous rate limit
//! (`limits::LIMITED`), as a journey posts once per question; and only the send writes (the
//! check page's answers posted to `/refer/questions` show the check page again).
//!
//! `/staff/refer` stays one page of grouped questions (`pages::refer`): a signed-in referrer
//! refers often, and the same checks and the same send apply there.

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageResult, Sensitivity};
use crate::public::get_help::{neutral_response, AnswerRow};
use crate::public::refer::{
    self, age_band_choices, asks_advice, group, is_anonymous, reason_choices, safety_choices,
    source_choices, Group, CARER_FIELDS, CONSENT, CONSENT_QUESTION, IDENTIFY, IDENTIFY_QUESTION,
    KINDS, NOT_SOUGHT, NOT_SOUGHT_QUESTION, PRIORITIES, PRIORITY_QUESTION, SOURCE_QUESTION,
};
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The questions, in the order they are asked, then the check page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Referral, advice or a consultation, or both.
    Kind,
    /// For advice: whether the referrer can say who the young person is (no: an anonymous
    /// consultation, which asks nothing that identifies them).
    Identify,
    /// Where the referrer works (the source of referral).
    Source,
    /// The referrer's name, role, organisation, phone and email: "How can we contact you?".
    Contact,
    /// The young person's name.
    Name,
    /// Their date of birth.
    DateOfBirth,
    /// An anonymous consultation's age band and area (instead of name, date of birth, NHS
    /// number and postcode).
    AgeArea,
    /// Their NHS number, if known.
    NhsNumber,
    /// Their postcode, if known.
    Postcode,
    /// What the referrer is worried about, in plain words (mapped to the national codes).
    Reasons,
    /// What is happening and what has been tried.
    Needs,
    /// How soon a response is needed.
    Priority,
    /// Whether the young person (or family) knows and agrees.
    Consent,
    /// The safeguarding route: why they were not asked, or did not agree.
    NotSought,
    /// Who to contact: a parent or carer (and whether it is safe), or the young person's own
    /// contact at 16 or over.
    Family,
    /// About the young person: optional equality-monitoring and group questions
    /// (`pages::about`).
    About,
    /// Check your answers.
    Check,
}

impl Question {
    /// Every page, in order.
    pub const ALL: [Question; 17] = [
        Question::Kind,
        Question::Identify,
        Question::Source,
        Question::Contact,
        Question::Name,
        Question::DateOfBirth,
        Question::AgeArea,
        Question::NhsNumber,
        Question::Postcode,
        Question::Reasons,
        Question::Needs,
        Question::Priority,
        Question::Consent,
        Question::NotSought,
        Question::Family,
        Question::About,
        Question::Check,
    ];

    /// Whether the answers so far ask this question: advice is asked whether the young
    /// person can be named; an anonymous consultation is asked their age band and area and
    /// nothing that identifies them; the safeguarding route is asked why.
    pub fn applies(self, form: &FormData) -> bool {
        let anonymous = is_anonymous(form);
        match self {
            Question::Identify => form.first("kind") == "advice_request",
            Question::AgeArea => anonymous,
            Question::Name
            | Question::DateOfBirth
            | Question::NhsNumber
            | Question::Postcode
            | Question::Consent
            | Question::Family
            | Question::About => !anonymous,
            Question::NotSought => !anonymous && form.first("consent") == "not_sought",
            _ => true,
        }
    }

    /// The question's name in forms (`step`, `go=change-…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Question::Kind => "kind",
            Question::Identify => "identify",
            Question::Source => "source",
            Question::Contact => "contact",
            Question::Name => "name",
            Question::DateOfBirth => "date-of-birth",
            Question::AgeArea => "age-and-area",
            Question::NhsNumber => "nhs-number",
            Question::Postcode => "postcode",
            Question::Reasons => "reasons",
            Question::Needs => "needs",
            Question::Priority => "priority",
            Question::Consent => "consent",
            Question::NotSought => "not-sought",
            Question::Family => "family",
            Question::About => "about",
            Question::Check => "check",
        }
    }

    fn parse(text: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.as_str() == text)
    }

    fn index(self) -> usize {
        Question::ALL.iter().position(|q| *q == self).unwrap_or(0)
    }

    /// The next question the answers ask.
    fn next(self, form: &FormData) -> Question {
        Question::ALL[self.index() + 1..]
            .iter()
            .copied()
            .find(|q| q.applies(form))
            .unwrap_or(Question::Check)
    }

    /// The question before, among those the answers ask.
    fn previous(self, form: &FormData) -> Option<Question> {
        Question::ALL[..self.index()]
            .iter()
            .rev()
            .copied()
            .find(|q| q.applies(form))
    }

    /// The form fields this page asks (every field of [`refer::ANSWER_FIELDS`] is asked on
    /// exactly one page).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Question::Kind => &["kind"],
            Question::Identify => &["identify"],
            Question::Source => &["source"],
            Question::Contact => &[
                "referrer-name",
                "referrer-role",
                "organisation",
                "referrer-phone",
                "referrer-email",
            ],
            Question::Name => &["given-name", "family-name"],
            Question::DateOfBirth => &["dob-day", "dob-month", "dob-year"],
            Question::AgeArea => &["age-band", "area"],
            Question::NhsNumber => &["nhs-number"],
            Question::Postcode => &["postcode"],
            Question::Reasons => &["reasons"],
            Question::Needs => &["needs"],
            Question::Priority => &["priority"],
            Question::Consent => &["consent"],
            Question::NotSought => &["not-sought-reason", "not-sought-detail"],
            Question::Family => &[
                CARER_FIELDS[0],
                CARER_FIELDS[1],
                CARER_FIELDS[2],
                CARER_FIELDS[3],
                CARER_FIELDS[4],
                CARER_FIELDS[5],
                "yp-phone",
                "yp-email",
            ],
            Question::About => &nwd_usecase::about::FIELDS,
            Question::Check => &[],
        }
    }

    fn title(self, advice: bool) -> &'static str {
        match self {
            Question::Kind => "What would you like to do?",
            Question::Identify => IDENTIFY_QUESTION,
            Question::Source => SOURCE_QUESTION,
            Question::Contact => "How can we contact you?",
            Question::Name => "What is the young person's name?",
            Question::DateOfBirth => "What is their date of birth?",
            Question::AgeArea => "How old is the young person?",
            Question::NhsNumber => "What is their NHS number?",
            Question::Postcode => "What is their postcode?",
            Question::Reasons => "What are you worried about?",
            Question::Needs if advice => "What are you worried about, and what has been tried?",
            Question::Needs => "What is happening, and what has been tried?",
            Question::Priority => PRIORITY_QUESTION,
            Question::Consent => CONSENT_QUESTION,
            Question::NotSought => NOT_SOUGHT_QUESTION,
            Question::Family => "Who can we contact about the young person?",
            Question::About => "About the young person",
            Question::Check => "Check your answers before sending",
        }
    }

    /// The hint under the question.
    fn hint(self) -> &'static str {
        match self {
            Question::Kind => "If you are not sure a referral is right, you can ask for advice or a consultation first, or do both. The team will talk it through with you.",
            Question::Identify => "If you would rather not name them, or the young person or family does not know you are asking, you can ask without naming them: we will ask only their age and the area they live in.",
            Question::AgeArea => "Choose an age band. We do not ask anything that could identify them.",
            Question::Source => "This tells the team who is referring and how to work with you.",
            Question::Reasons => "Choose all that apply, in your own words. If you are not sure, choose \"Not sure\". You can say more on the next page.",
            Question::NotSought => "The team will not contact the family without talking to you first, and the privacy officer can see referrals made without agreement.",
            Question::NhsNumber => "If you know it. It is 10 digits long, like 999 000 0018. Leave this empty if you do not know it.",
            Question::Postcode => "If you know it: it tells us which local services can help. Leave this empty if you do not know it.",
            Question::Priority => "A routine request is read within a few working days.",
            Question::Consent => "Young people aged 16 or over, and many younger ones, decide about their own support. For a younger child, ask their family.",
            _ => "",
        }
    }
}

/// Whether the answers so far ask for advice (alone or with a referral).
fn is_advice(form: &FormData) -> bool {
    asks_advice(form)
}

/// The messages for one page's answers (empty when they are fine): [`refer::validate`]'s,
/// for the fields this page asks.
pub fn validate(question: Question, form: &FormData, today: Date) -> Vec<FieldMessage> {
    refer::validate(form, today)
        .into_iter()
        .filter(|e| question.fields().contains(&e.id.as_str()))
        .collect()
}

#[derive(Template)]
#[template(path = "refer_start.html")]
struct StartPage {
    layout: Layout,
    /// The advice door (`/refer/advice`): starts the journey with advice chosen.
    advice: bool,
    /// The journey's id and stamp, for the advice door's "Start now" (a form that answers
    /// the first question).
    journey: String,
    issued: String,
    issued_field: &'static str,
}

#[derive(Template)]
#[template(path = "refer_question.html")]
struct QuestionPage {
    layout: Layout,
    question: &'static str,
    form: FormData,
    hidden: Vec<(String, String)>,
    changing: bool,
    advice: bool,
    hint: &'static str,
    choices: Option<Group>,
    /// A second group of radios below the page's inputs (whether the family may be contacted).
    extra: Option<Group>,
    answers: Vec<AnswerRow>,
    honeypot: &'static str,
    about_questions: Vec<crate::public::about::AboutQuestion>,
}

impl QuestionPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }
}

/// Fields that never travel between pages as hidden answers.
const NOT_CARRIED: [&str; 4] = ["step", "go", "changing", HONEYPOT_FIELD];

/// The start page: what the form is for, what it is not for, who will see what, and
/// "Start now".
#[utoipa::path(get, path = "/refer", tag = "pages",
    responses((status = 200, description = "The start page of the referral and advice request for professionals", content_type = "text/html")))]
pub async fn start_page() -> Response {
    render(
        &StartPage {
            layout: Layout::public("Refer a young person, or ask for advice"),
            advice: false,
            journey: String::new(),
            issued: String::new(),
            issued_field: ISSUED_FIELD,
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}

/// The start page for professionals asking for advice or a consultation: "Start now" begins
/// the same journey with the advice kind chosen (the next question is whether they can name
/// the young person).
#[utoipa::path(get, path = "/refer/advice", tag = "pages",
    responses((status = 200, description = "The start page of a professional's request for advice or a consultation", content_type = "text/html")))]
pub async fn advice_start_page(State(state): State<AppState>) -> Response {
    let journey = uuid::Uuid::new_v4().simple().to_string();
    let issued = FormGuard::get().issue(state.store.now(), &journey);
    render(
        &StartPage {
            layout: Layout::public("Ask for advice or a consultation about a young person"),
            advice: true,
            journey,
            issued,
            issued_field: ISSUED_FIELD,
        },
        StatusCode::OK,
        Sensitivity::Public,
    )
}

/// The first question of a fresh journey. Its journey id is the idempotency key of the
/// referral it makes; its stamp is the [`FormGuard`]'s issue time.
#[utoipa::path(get, path = "/refer/questions", tag = "pages",
    responses((status = 200, description = "The first question of the referral for professionals", content_type = "text/html")))]
pub async fn start(State(state): State<AppState>) -> Response {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    form.set(
        ISSUED_FIELD,
        FormGuard::get().issue(state.store.now(), form.first("journey")),
    );
    question_page(Question::Kind, form, Vec::new(), false)
}

/// One answer: checks it and shows the next question (or the same one with its error
/// summary), goes back, or opens a question to change from the check page.
#[utoipa::path(post, path = "/refer/questions", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The next question, or the same one with errors", content_type = "text/html")))]
pub async fn answer(trail: RequestAudit, State(state): State<AppState>, body: Bytes) -> PageResult {
    step(&trail, &state, FormData::parse(&body), false).await
}

/// Sends the answers from the check page: every answer checked again, then the anti-automation
/// check, then one write; the confirmation with the reference and the status link.
#[utoipa::path(post, path = "/refer", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The confirmation with a reference and status link, or the first question with a problem", content_type = "text/html")))]
pub async fn send(trail: RequestAudit, State(state): State<AppState>, body: Bytes) -> PageResult {
    step(&trail, &state, FormData::parse(&body), true).await
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

/// One post of the journey; `sending` only on `POST /refer`, so that every write passes the
/// anonymous rate limit (`limits::LIMITED`).
async fn step(trail: &RequestAudit, state: &AppState, form: FormData, sending: bool) -> PageResult {
    if form.first("journey").is_empty() {
        return Ok(crate::layout::see_other("/refer/questions"));
    }
    let question = Question::parse(form.first("step")).unwrap_or(Question::Kind);
    let changing = form.first("changing") == "1";
    let action = form.first("go").to_owned();
    if action == "back" {
        let previous = if changing {
            Question::Check
        } else {
            question.previous(&form).unwrap_or(Question::Kind)
        };
        return Ok(question_page(previous, form, Vec::new(), false));
    }
    if let Some(target) = action.strip_prefix("change-").and_then(Question::parse) {
        return Ok(question_page(target, form, Vec::new(), true));
    }
    let today = today(state);
    if question == Question::Check && !sending {
        return Ok(question_page(Question::Check, form, Vec::new(), false));
    }
    if question == Question::Check {
        if let Some((first, errors)) = first_problem(&form, today) {
            return Ok(question_page(first, form, errors, true));
        }
        let guard = FormGuard::get();
        let now = state.store.now();
        return match guard.check(
            form.first(HONEYPOT_FIELD),
            form.first(ISSUED_FIELD),
            form.first("journey"),
            now,
        ) {
            FormCheck::Person => refer::send(trail, state, &form, None).await,
            FormCheck::Honeypot | FormCheck::TooFast => Ok(neutral_response()),
            FormCheck::Unsigned => {
                let mut form = form;
                let stamp = guard.issue(now, form.first("journey"));
                form.set(ISSUED_FIELD, stamp);
                let errors = vec![FieldMessage::new(
                    "send",
                    "Sorry, we could not send it. Check your answers, then select the button to send it again",
                )];
                Ok(question_page(Question::Check, form, errors, false))
            }
        };
    }
    let errors = validate(question, &form, today);
    if !errors.is_empty() {
        return Ok(question_page(question, form, errors, changing));
    }
    if changing {
        // A changed answer can make a later one wrong (a referral, not advice, needs
        // agreement): that question next, else straight back to the check page.
        return Ok(match first_problem(&form, today) {
            Some((first, errors)) => question_page(first, form, errors, true),
            None => question_page(Question::Check, form, Vec::new(), false),
        });
    }
    Ok(question_page(question.next(&form), form, Vec::new(), false))
}

fn question_page(
    question: Question,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
) -> Response {
    render(
        &question_template(question, form, errors, changing),
        StatusCode::OK,
        Sensitivity::Identifiable,
    )
}

/// The page for one question as HTML (for the fuzz target, which renders every page of an
/// arbitrary form without a server).
#[doc(hidden)]
pub fn question_html(
    question: Question,
    form: FormData,
    errors: Vec<FieldMessage>,
) -> Result<String, askama::Error> {
    question_template(question, form, errors, false).render()
}

fn question_template(
    question: Question,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
) -> QuestionPage {
    let asked = question.fields();
    let hidden = form
        .pairs()
        .iter()
        .filter(|(name, _)| {
            !asked.contains(&name.as_str()) && !NOT_CARRIED.contains(&name.as_str())
        })
        .cloned()
        .collect();
    let advice = is_advice(&form);
    let title = question.title(advice);
    let choices = match question {
        Question::Kind => Some(group("kind", title, false, KINDS, &form)),
        Question::Source => Some(group("source", title, false, &source_choices(), &form)),
        Question::Reasons => Some(group("reasons", title, true, &reason_choices(), &form)),
        Question::Priority => Some(group("priority", title, false, PRIORITIES, &form)),
        Question::Consent => Some(group("consent", title, false, CONSENT, &form)),
        Question::Identify => Some(group("identify", title, false, IDENTIFY, &form)),
        Question::AgeArea => Some(group("age-band", title, false, &age_band_choices(), &form)),
        Question::NotSought => Some(group("not-sought-reason", title, false, NOT_SOUGHT, &form)),
        _ => None,
    };
    let extra = (question == Question::Family).then(|| {
        group(
            "carer-safety",
            "Is it safe to contact them?",
            false,
            &safety_choices(),
            &form,
        )
    });
    let answers = if question == Question::Check {
        crate::public::refer::answer_rows(&form)
    } else {
        Vec::new()
    };
    let about_questions = crate::public::about::page_questions(
        (question == Question::About).then_some(crate::public::about::Part::All),
        crate::public::about::Voice::Professional,
        &form,
        &errors,
    );
    QuestionPage {
        layout: Layout::public(title).with_errors(errors),
        question: question.as_str(),
        hidden,
        changing,
        advice,
        hint: question.hint(),
        choices,
        extra,
        answers,
        honeypot: HONEYPOT_FIELD,
        about_questions,
        form,
    }
}

#[cfg(test)]
mod tests {
    use super::{Question, NOT_CARRIED};
    use crate::public::refer::ANSWER_FIELDS;

    /// Every answer is asked on exactly one page, and no answer is dropped between pages.
    #[test]
    fn every_answer_is_asked_on_exactly_one_page() {
        for field in ANSWER_FIELDS {
            let pages: Vec<&str> = Question::ALL
                .iter()
                .filter(|q| q.fields().contains(&field))
                .map(|q| q.as_str())
                .collect();
            assert_eq!(pages.len(), 1, "{field} is asked on {pages:?}");
            assert!(!NOT_CARRIED.contains(&field));
        }
        let asked: usize = Question::ALL.iter().map(|q| q.fields().len()).sum();
        assert_eq!(asked, ANSWER_FIELDS.len());
    }
}
