//! The professional referral's questions: which are asked for which answers, their order,
//! their fields, words and checks, and each question's page.

use askama::Template;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, Sensitivity};
use crate::public::get_help::AnswerRow;
use crate::public::refer::{
    self, age_band_choices, asks_advice, group, is_anonymous, reason_choices, safety_choices,
    source_choices, Group, CARER_FIELDS, CONSENT, CONSENT_QUESTION, IDENTIFY, IDENTIFY_QUESTION,
    KINDS, NOT_SOUGHT, NOT_SOUGHT_QUESTION, PRIORITIES, PRIORITY_QUESTION, SOURCE_QUESTION,
};
use nwd_http::limits::HONEYPOT_FIELD;

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

    pub(super) fn parse(text: &str) -> Option<Question> {
        Question::ALL.into_iter().find(|q| q.as_str() == text)
    }

    fn index(self) -> usize {
        Question::ALL.iter().position(|q| *q == self).unwrap_or(0)
    }

    /// The next question the answers ask.
    pub(super) fn next(self, form: &FormData) -> Question {
        Question::ALL[self.index() + 1..]
            .iter()
            .copied()
            .find(|q| q.applies(form))
            .unwrap_or(Question::Check)
    }

    /// The question before, among those the answers ask.
    pub(super) fn previous(self, form: &FormData) -> Option<Question> {
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
#[template(path = "refer_question.html")]
struct QuestionPage {
    layout: Layout,
    question: &'static str,
    form: FormData,
    /// Where the answers are posted: the question's own address (the check page's "Send":
    /// `/refer`).
    action: String,
    /// The back link: the question before, the check page when changing, or the start page.
    back: String,
    changing: bool,
    /// When someone will be in touch, on the check page.
    promise: String,
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

/// The page for `question` with the answers in `form` (and `errors`, if any); `changing`
/// when opened from the check page; `promise` is when someone will be in touch.
pub(super) fn question_page(
    question: Question,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    promise: String,
) -> Response {
    render(
        &question_template(question, form, errors, changing, promise),
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
    question_template(question, form, errors, false, String::new()).render()
}

fn question_template(
    question: Question,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    promise: String,
) -> QuestionPage {
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
    let action = if question == Question::Check {
        super::SEND_PATH.to_owned()
    } else {
        super::question_path(question)
    };
    let back = if changing && question != Question::Check {
        super::question_path(Question::Check)
    } else {
        question
            .previous(&form)
            .map(super::question_path)
            .unwrap_or_else(|| super::START_PAGE.to_owned())
    };
    QuestionPage {
        layout: Layout::public(title).with_errors(errors),
        question: question.as_str(),
        action,
        back,
        changing,
        promise,
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
    use super::Question;
    use crate::public::refer::ANSWER_FIELDS;

    /// Every answer is asked on exactly one page (each page saves only its own fields in the
    /// draft, so an answer asked nowhere would never be kept).
    #[test]
    fn every_answer_is_asked_on_exactly_one_page() {
        for field in ANSWER_FIELDS {
            let pages: Vec<&str> = Question::ALL
                .iter()
                .filter(|q| q.fields().contains(&field))
                .map(|q| q.as_str())
                .collect();
            assert_eq!(pages.len(), 1, "{field} is asked on {pages:?}");
        }
        let asked: usize = Question::ALL.iter().map(|q| q.fields().len()).sum();
        assert_eq!(asked, ANSWER_FIELDS.len());
    }
}
