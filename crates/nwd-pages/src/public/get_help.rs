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
use nwd_domain::contact::{ContactDetails, Email, Phone};
use nwd_domain::person::{age_in_years, older_than_served, MAX_SERVED_AGE_YEARS};
use nwd_domain::referral::command::{GILLICK_AGE, MAX_PRESENTING_NEEDS_CHARS};
use nwd_domain::self_referral::{Asker, ShareWith};
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

/// Who is asking.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Who {
    /// The young person, for themselves.
    YoungPerson,
    /// A parent or carer, for their child.
    ParentCarer,
}

impl Who {
    /// Who the answers say is asking (the hidden `who` field).
    pub fn of(form: &FormData) -> Who {
        if form.first("who") == "parent_carer" {
            Who::ParentCarer
        } else {
            Who::YoungPerson
        }
    }

    fn steps(self) -> &'static [Step] {
        match self {
            Who::YoungPerson => &Step::YOUNG_PERSON,
            Who::ParentCarer => &Step::PARENT_CARER,
        }
    }

    /// The domain's name for who is asking.
    pub fn asker(self) -> Asker {
        match self {
            Who::YoungPerson => Asker::YoungPerson,
            Who::ParentCarer => Asker::ParentCarer,
        }
    }

    /// "your" for the young person, "their" for a parent or carer.
    fn their(self) -> &'static str {
        match self {
            Who::YoungPerson => "your",
            Who::ParentCarer => "their",
        }
    }
}

/// Whether the child knows about the request (the domain's choices, with their words).
pub use nwd_domain::self_referral::AWARENESS;
/// How a parent or carer is related to the child (the domain's choices, with their words).
pub use nwd_domain::self_referral::RELATIONSHIPS;

fn label_of(list: &'static [(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
}

/// The questions (each journey asks them in its own order: [`Who::steps`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A parent's or carer's relationship to the child.
    Relationship,
    /// Date of birth.
    DateOfBirth,
    /// Name.
    Name,
    /// Postcode.
    Postcode,
    /// What they would like help with.
    HelpWith,
    /// The safety question (`crate::public::safety_question`).
    Safety,
    /// What is happening, in their words.
    Happening,
    /// Whether the child knows and agrees (parent or carer).
    Awareness,
    /// How to contact them.
    Contact,
    /// Who we may talk to, and what happens next.
    Sharing,
    /// About the young person, optional: ethnicity, sex, gender, disability, language
    /// (`pages::about`).
    AboutYou,
    /// About the young person, optional: school, GP and the groups (`pages::about`).
    AboutSupport,
    /// Check your answers.
    Check,
}

impl Step {
    const YOUNG_PERSON: [Step; 11] = [
        Step::DateOfBirth,
        Step::Name,
        Step::Postcode,
        Step::HelpWith,
        Step::Safety,
        Step::Happening,
        Step::Contact,
        Step::Sharing,
        Step::AboutYou,
        Step::AboutSupport,
        Step::Check,
    ];
    const PARENT_CARER: [Step; 13] = [
        Step::Relationship,
        Step::DateOfBirth,
        Step::Name,
        Step::Postcode,
        Step::HelpWith,
        Step::Safety,
        Step::Happening,
        Step::Awareness,
        Step::Contact,
        Step::Sharing,
        Step::AboutYou,
        Step::AboutSupport,
        Step::Check,
    ];
    /// Every step, in order.
    pub const ALL: [Step; 13] = Step::PARENT_CARER;

    /// The step's name in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::Relationship => "relationship",
            Step::Awareness => "awareness",
            Step::DateOfBirth => "date-of-birth",
            Step::Name => "name",
            Step::Postcode => "postcode",
            Step::HelpWith => "help-with",
            Step::Safety => crate::public::safety_question::STEP,
            Step::Happening => "happening",
            Step::Contact => "contact",
            Step::Sharing => "sharing",
            Step::AboutYou => "about-you",
            Step::AboutSupport => "about-support",
            Step::Check => "check",
        }
    }

    fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn index(self, who: Who) -> usize {
        who.steps().iter().position(|s| *s == self).unwrap_or(0)
    }

    fn next(self, who: Who) -> Step {
        who.steps()
            .get(self.index(who) + 1)
            .copied()
            .unwrap_or(Step::Check)
    }

    fn previous(self, who: Who) -> Option<Step> {
        self.index(who)
            .checked_sub(1)
            .and_then(|i| who.steps().get(i).copied())
    }

    fn first(who: Who) -> Step {
        who.steps().first().copied().unwrap_or(Step::DateOfBirth)
    }

    fn title(self, who: Who) -> &'static str {
        match (self, who) {
            (Step::Relationship, _) => "How are you related to the child or young person?",
            (Step::Awareness, _) => "Do they know you are asking for help?",
            (Step::DateOfBirth, Who::YoungPerson) => "What is your date of birth?",
            (Step::DateOfBirth, Who::ParentCarer) => "What is their date of birth?",
            (Step::Name, Who::YoungPerson) => "What is your name?",
            (Step::Name, Who::ParentCarer) => "What is their name?",
            (Step::Postcode, Who::YoungPerson) => "What is your postcode?",
            (Step::Postcode, Who::ParentCarer) => "What is their postcode?",
            (Step::HelpWith, Who::YoungPerson) => "What would you like help with?",
            (Step::HelpWith, Who::ParentCarer) => "What would they like help with?",
            (Step::Safety, who) => crate::public::safety_question::title(who),
            (Step::Happening, _) => "Tell us what has been happening",
            (Step::Contact, _) => "How can we contact you?",
            (Step::Sharing, _) => "Who can we talk to about this?",
            (Step::AboutYou, Who::YoungPerson) => "About you",
            (Step::AboutYou, Who::ParentCarer) => "About them",
            (Step::AboutSupport, Who::YoungPerson) => "Your school, GP and support",
            (Step::AboutSupport, Who::ParentCarer) => "Their school, GP and support",
            (Step::Check, _) => "Check your answers before sending",
        }
    }

    /// The form fields this step asks.
    /// The form fields this step asks, for `who`.
    pub fn fields(self, who: Who) -> &'static [&'static str] {
        match self {
            Step::Relationship => &["relationship"],
            Step::Awareness => &["aware"],
            Step::DateOfBirth => &["dob-day", "dob-month", "dob-year"],
            Step::Name => &["given-name", "family-name", "preferred-name"],
            Step::Postcode => &["postcode"],
            Step::HelpWith => &["reasons"],
            Step::Safety => crate::public::safety_question::FIELDS,
            Step::Happening => &["happening"],
            Step::Contact if who == Who::ParentCarer => &["your-name", "phone", "email"],
            Step::Contact => &["phone", "email"],
            Step::Sharing => &["share", "understood"],
            Step::AboutYou => &crate::public::about::IDENTITY_FIELDS,
            Step::AboutSupport => &crate::public::about::SUPPORT_FIELDS,
            Step::Check => &[],
        }
    }
}

/// What the young person can choose on "What would you like help with?": plain words, each
/// mapped to the national reason code triage uses.
pub const HELP_WITH: &[(ReasonCode, &str)] = &[
    (ReasonCode::Anxiety, "Feeling worried, anxious or panicky"),
    (ReasonCode::Depression, "Feeling low, sad or hopeless"),
    (ReasonCode::SelfHarm, "Hurting yourself"),
    (
        ReasonCode::EatingDisorder,
        "Eating, food or how you feel about your body",
    ),
    (ReasonCode::Ptsd, "Something upsetting that happened to you"),
    (
        ReasonCode::RelationshipDifficulties,
        "Getting on with family or friends",
    ),
    (
        ReasonCode::ConductDisorder,
        "Anger, or getting into trouble",
    ),
    (
        ReasonCode::Ocd,
        "Thoughts or habits you cannot stop, like checking or washing",
    ),
    (ReasonCode::GenderDiscomfort, "Feelings about your gender"),
    (ReasonCode::DrugAlcohol, "Drugs or alcohol"),
];

/// The same choices in a parent's or carer's words, by the same codes.
pub fn help_with_label(code: ReasonCode, who: Who) -> &'static str {
    let own = HELP_WITH
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, label)| *label)
        .unwrap_or("");
    if who == Who::YoungPerson {
        return own;
    }
    match code {
        ReasonCode::SelfHarm => "Hurting themselves",
        ReasonCode::EatingDisorder => "Eating, food or how they feel about their body",
        ReasonCode::Ptsd => "Something upsetting that happened to them",
        ReasonCode::Ocd => "Thoughts or habits they cannot stop, like checking or washing",
        ReasonCode::GenderDiscomfort => "Feelings about their gender",
        _ => own,
    }
}

/// Who they can agree we talk to, in the young person's words or a parent's or carer's: the
/// choices are the domain's ([`Asker::share_choices`]), only the words are the page's.
fn share_label(choice: ShareWith, who: Who) -> &'static str {
    match (choice, who) {
        (ShareWith::Gp, Who::YoungPerson) => "Your GP",
        (ShareWith::Gp, Who::ParentCarer) => "Their GP",
        (ShareWith::School, Who::YoungPerson) => "Your school, college or university",
        (ShareWith::School, Who::ParentCarer) => "Their school, college or nursery",
        (ShareWith::ParentCarer, _) => "Your parent or carer",
    }
}

/// The share choices offered to `who`, with their words.
fn share_choices(who: Who) -> Vec<(&'static str, &'static str)> {
    who.asker()
        .share_choices()
        .iter()
        .map(|choice| (choice.as_str(), share_label(*choice, who)))
        .collect()
}

/// A choice in a list of checkboxes.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
    /// Ticked.
    pub checked: bool,
}

/// A row on the check-your-answers page.
#[derive(Debug, Clone)]
pub struct AnswerRow {
    /// The question, short.
    pub key: &'static str,
    /// The answer as given (one line each).
    pub lines: Vec<String>,
    /// The step that asks it.
    pub step: &'static str,
}

#[derive(Template)]
#[template(path = "get_help.html")]
struct StepPage {
    layout: Layout,
    step: &'static str,
    form: FormData,
    hidden: Vec<(String, String)>,
    changing: bool,
    has_previous: bool,
    under_16: bool,
    parent: bool,
    their: &'static str,
    help_with: Vec<Choice>,
    share: Vec<Choice>,
    relationships: Vec<Choice>,
    awareness: Vec<Choice>,
    answers: Vec<AnswerRow>,
    honeypot: &'static str,
    about_questions: Vec<crate::public::about::AboutQuestion>,
    safety: crate::public::safety_question::SafetyQuestion,
}

#[derive(Template)]
#[template(path = "get_help_done.html")]
struct DonePage {
    layout: Layout,
    reference: String,
    status_path: String,
    under_16: bool,
    parent: bool,
}

/// What a submission that looks automated gets: a neutral page, the same for every reason,
/// that neither confirms nor names a refusal. A person who somehow sees it is told plainly
/// that without a reference nothing has reached us.
#[derive(Template)]
#[template(path = "form_neutral.html")]
struct NeutralPage {
    layout: Layout,
}

/// The neutral answer to a submission that looks automated (nothing has been written).
pub fn neutral_response() -> Response {
    render(
        &NeutralPage {
            layout: Layout::public("Thank you"),
        },
        StatusCode::OK,
        Sensitivity::Identifiable,
    )
}

/// Fields that never travel between pages as hidden answers.
const NOT_CARRIED: [&str; 4] = ["step", "go", "changing", HONEYPOT_FIELD];

impl StepPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }

    /// A parent's browser must not fill the child's fields with the parent's own details.
    fn autocomplete<'a>(&self, token: &'a str) -> &'a str {
        if self.parent {
            "off"
        } else {
            token
        }
    }

    fn name_label<'a>(&self, id: &str, label: &'a str) -> &'a str {
        if self.parent && id == "preferred-name" {
            "What do they like to be called? (optional)"
        } else {
            label
        }
    }

    fn name_hint<'a>(&self, id: &str, hint: &'a str) -> &'a str {
        if self.parent && id == "preferred-name" {
            "If it is different from their first name"
        } else {
            hint
        }
    }
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

fn date_of_birth(form: &FormData) -> Option<Date> {
    let day = form.first("dob-day").trim().parse::<i8>().ok()?;
    let month = form.first("dob-month").trim().parse::<i8>().ok()?;
    let year = form.first("dob-year").trim().parse::<i16>().ok()?;
    Date::new(year, month, day).ok()
}

fn age(form: &FormData, today: Date) -> Option<i16> {
    date_of_birth(form).map(|dob| age_in_years(dob, today))
}

/// The messages for one step's answers (empty when they are fine).
pub fn validate(step: Step, form: &FormData, today: Date) -> Vec<FieldMessage> {
    let mut errors = Vec::new();
    let who = Who::of(form);
    let their = who.their();
    match step {
        Step::Relationship => {
            if label_of(RELATIONSHIPS, form.first("relationship")).is_empty() {
                errors.push(FieldMessage::new(
                    "relationship",
                    "Choose how you are related to the child or young person",
                ));
            }
        }
        Step::Awareness => {
            if label_of(AWARENESS, form.first("aware")).is_empty() {
                errors.push(FieldMessage::new(
                    "aware",
                    "Choose whether they know you are asking for help",
                ));
            }
        }
        Step::DateOfBirth => {
            let parts = [
                form.first("dob-day"),
                form.first("dob-month"),
                form.first("dob-year"),
            ];
            if parts.iter().all(|p| p.trim().is_empty()) {
                errors.push(FieldMessage::new(
                    "dob-day",
                    format!("Enter {their} date of birth"),
                ));
            } else if form.first("dob-year").trim().len() != 4 {
                errors.push(FieldMessage::new(
                    "dob-year",
                    "Year must include 4 numbers, for example 2009",
                ));
            } else {
                match date_of_birth(form) {
                    None => errors.push(FieldMessage::new(
                        "dob-day",
                        "Date of birth must be a real date, for example 27 3 2009",
                    )),
                    Some(dob) if dob > today => errors.push(FieldMessage::new(
                        "dob-day",
                        "Date of birth must be in the past",
                    )),
                    Some(dob) if older_than_served(dob, today) => errors.push(FieldMessage::new(
                        "dob-day",
                        match who {
                            Who::YoungPerson => format!("No Wrong Door is for people aged {MAX_SERVED_AGE_YEARS} and under. Your GP can help you find support, or see urgent help if you need help now"),
                            Who::ParentCarer => format!("No Wrong Door is for children and young people aged {MAX_SERVED_AGE_YEARS} and under. Their GP can help them find support, or see urgent help if they need help now"),
                        },
                    )),
                    Some(_) => {}
                }
            }
        }
        Step::Name => {
            if form.first("given-name").trim().is_empty() {
                errors.push(FieldMessage::new(
                    "given-name",
                    format!("Enter {their} first name"),
                ));
            }
            if form.first("family-name").trim().is_empty() {
                errors.push(FieldMessage::new(
                    "family-name",
                    format!("Enter {their} last name"),
                ));
            }
            // The domain's name rule (length, characters), as every door applies it.
            for field in ["given-name", "family-name", "preferred-name"] {
                let value = form.first(field).trim();
                if !value.is_empty() {
                    if let Err(message) = nwd_domain::person_text::PersonName::parse(value) {
                        errors.push(FieldMessage::new(field, capitalise(&message)));
                    }
                }
            }
        }
        Step::Postcode => {
            let postcode = form.first("postcode").trim();
            if !postcode.is_empty() && nwd_domain::Postcode::parse(postcode).is_err() {
                errors.push(FieldMessage::new(
                    "postcode",
                    "Enter a real postcode, like ME14 1XX, or leave it empty if you do not know it",
                ));
            }
        }
        Step::HelpWith => {
            let chosen = form.all("reasons");
            if chosen.is_empty() {
                errors.push(FieldMessage::new(
                    "reasons",
                    "Choose at least one thing you would like help with, or the one closest to it",
                ));
            } else if chosen
                .iter()
                .any(|r| !HELP_WITH.iter().any(|(code, _)| code.as_str() == *r))
            {
                errors.push(FieldMessage::new("reasons", "Choose from the list"));
            }
        }
        Step::Safety => errors.extend(crate::public::safety_question::validate(form)),
        Step::Happening => {
            let text = form.first("happening").trim();
            if text.is_empty() {
                errors.push(FieldMessage::new(
                    "happening",
                    "Tell us a little about what has been happening",
                ));
            } else if text.chars().count() > MAX_PRESENTING_NEEDS_CHARS {
                errors.push(FieldMessage::new(
                    "happening",
                    format!(
                        "Use {} characters or fewer. You can tell us more when we talk",
                        thousands(MAX_PRESENTING_NEEDS_CHARS)
                    ),
                ));
            }
        }
        Step::Contact => {
            if who == Who::ParentCarer && form.first("your-name").trim().is_empty() {
                errors.push(FieldMessage::new("your-name", "Enter your name"));
            }
            let phone = form.first("phone").trim();
            let email = form.first("email").trim();
            if phone.is_empty() && email.is_empty() {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number or an email address so we can contact you",
                ));
            }
            // The domain's rules (nwd_domain::contact), in the page's words.
            if !phone.is_empty() && Phone::parse(phone).is_err() {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number, like 07700 900 982",
                ));
            }
            if !email.is_empty() && Email::parse(email).is_err() {
                errors.push(FieldMessage::new(
                    "email",
                    "Enter an email address in the correct format, like name@example.com",
                ));
            }
        }
        Step::Sharing => {
            if form
                .all("share")
                .iter()
                .any(|v| !share_choices(who).iter().any(|(value, _)| value == v))
            {
                errors.push(FieldMessage::new("share", "Choose from the list"));
            }
            if form.first("understood") != "yes" {
                errors.push(FieldMessage::new(
                    "understood",
                    "Tick the box to say you understand who will see what you have told us",
                ));
            }
        }
        Step::AboutYou => {
            errors = crate::public::about::validate(crate::public::about::Part::Identity, form)
        }
        Step::AboutSupport => {
            errors = crate::public::about::validate(crate::public::about::Part::Support, form)
        }
        Step::Check => {}
    }
    errors
}

/// A count with thousands separated, as pages write numbers (`4,000`).
pub(crate) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn capitalise(message: &str) -> String {
    let mut chars = message.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn today(state: &AppState) -> Date {
    state.store.now().to_zoned(state.store.tz().clone()).date()
}

fn step_page(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    today: Date,
) -> Response {
    let page = step_template(step, form, errors, changing, today);
    render(&page, StatusCode::OK, Sensitivity::Identifiable)
}

/// The page for one question as HTML (for the fuzz target, which renders every step of an
/// arbitrary form without a server).
#[doc(hidden)]
pub fn step_html(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    today: Date,
) -> Result<String, askama::Error> {
    step_template(step, form, errors, false, today).render()
}

fn step_template(
    step: Step,
    form: FormData,
    errors: Vec<FieldMessage>,
    changing: bool,
    today: Date,
) -> StepPage {
    let who = Who::of(&form);
    let asked = step.fields(who);
    let hidden: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(name, _)| {
            !asked.contains(&name.as_str()) && !NOT_CARRIED.contains(&name.as_str())
        })
        .cloned()
        .collect();
    let chosen = form.all("reasons");
    let help_with = HELP_WITH
        .iter()
        .map(|(code, _)| Choice {
            value: code.as_str().to_owned(),
            label: help_with_label(*code, who).to_owned(),
            checked: chosen.contains(&code.as_str()),
        })
        .collect();
    let choices = |list: &[(&str, &str)], picked: Vec<&str>| -> Vec<Choice> {
        list.iter()
            .map(|(value, label)| Choice {
                value: (*value).to_owned(),
                label: (*label).to_owned(),
                checked: picked.contains(value),
            })
            .collect()
    };
    let share = choices(&share_choices(who), form.all("share"));
    let relationships = choices(RELATIONSHIPS, form.all("relationship"));
    let awareness = choices(AWARENESS, form.all("aware"));
    let under_16 = age(&form, today).is_some_and(|a| a < GILLICK_AGE);
    let answers = if step == Step::Check {
        answer_rows(&form)
    } else {
        Vec::new()
    };
    let about_questions =
        crate::public::about::page_questions(step_part(step), voice(who), &form, &errors);
    StepPage {
        layout: Layout::public(step.title(who)).with_errors(errors),
        step: step.as_str(),
        hidden,
        changing,
        has_previous: step.previous(who).is_some() || changing,
        under_16,
        parent: who == Who::ParentCarer,
        their: who.their(),
        help_with,
        share,
        relationships,
        awareness,
        answers,
        honeypot: HONEYPOT_FIELD,
        about_questions,
        safety: crate::public::safety_question::view(&form, who),
        form,
    }
}

/// Which "about" questions a step asks (none for the other steps).
fn step_part(step: Step) -> Option<crate::public::about::Part> {
    match step {
        Step::AboutYou => Some(crate::public::about::Part::Identity),
        Step::AboutSupport => Some(crate::public::about::Part::Support),
        _ => None,
    }
}

fn voice(who: Who) -> crate::public::about::Voice {
    match who {
        Who::YoungPerson => crate::public::about::Voice::You,
        Who::ParentCarer => crate::public::about::Voice::They,
    }
}

fn answer_rows(form: &FormData) -> Vec<AnswerRow> {
    let who = Who::of(form);
    let dob = date_of_birth(form)
        .map(|d| d.strftime("%-d %B %Y").to_string())
        .unwrap_or_default();
    let mut name = format!(
        "{} {}",
        form.first("given-name").trim(),
        form.first("family-name").trim()
    );
    if !form.first("preferred-name").trim().is_empty() {
        name = format!("{name} (call me {})", form.first("preferred-name").trim());
    }
    let postcode = match form.first("postcode").trim() {
        "" => "Not given".to_owned(),
        p => p.to_uppercase(),
    };
    let help: Vec<String> = form
        .all("reasons")
        .iter()
        .filter_map(|r| ReasonCode::parse(r).ok())
        .map(|code| help_with_label(code, who).to_owned())
        .collect();
    let contact: Vec<String> = [
        form.first("your-name").trim(),
        form.first("phone").trim(),
        form.first("email").trim(),
    ]
    .into_iter()
    .filter(|v| !v.is_empty())
    .map(str::to_owned)
    .collect();
    let mut share: Vec<String> = form
        .all("share")
        .iter()
        .map(|v| {
            share_choices(who)
                .iter()
                .find(|(value, _)| value == v)
                .map(|(_, label)| (*label).to_owned())
                .unwrap_or_default()
        })
        .collect();
    if share.is_empty() {
        share.push("No one else for now".to_owned());
    }
    let mut rows = Vec::new();
    if who == Who::ParentCarer {
        rows.push(AnswerRow {
            key: "You are their",
            lines: vec![label_of(RELATIONSHIPS, form.first("relationship")).to_owned()],
            step: Step::Relationship.as_str(),
        });
    }
    rows.extend([
        AnswerRow {
            key: "Date of birth",
            lines: vec![dob],
            step: Step::DateOfBirth.as_str(),
        },
        AnswerRow {
            key: "Name",
            lines: vec![name],
            step: Step::Name.as_str(),
        },
        AnswerRow {
            key: "Postcode",
            lines: vec![postcode],
            step: Step::Postcode.as_str(),
        },
        AnswerRow {
            key: "Help with",
            lines: help,
            step: Step::HelpWith.as_str(),
        },
        crate::public::safety_question::answer_row(form),
        AnswerRow {
            key: "What has been happening",
            lines: form
                .first("happening")
                .trim()
                .lines()
                .map(str::to_owned)
                .collect(),
            step: Step::Happening.as_str(),
        },
    ]);
    if who == Who::ParentCarer {
        rows.push(AnswerRow {
            key: "They know you are asking",
            lines: vec![label_of(AWARENESS, form.first("aware")).to_owned()],
            step: Step::Awareness.as_str(),
        });
    }
    rows.extend([
        AnswerRow {
            key: "Contact",
            lines: contact,
            step: Step::Contact.as_str(),
        },
        AnswerRow {
            key: "We can talk to",
            lines: share,
            step: Step::Sharing.as_str(),
        },
    ]);
    let answers = crate::public::about::input(form);
    for (key, step, part) in [
        (
            "About",
            Step::AboutYou,
            crate::public::about::Part::Identity,
        ),
        (
            "School, GP and support",
            Step::AboutSupport,
            crate::public::about::Part::Support,
        ),
    ] {
        rows.push(AnswerRow {
            key,
            lines: crate::public::about::answered_lines(part, voice(who), &answers),
            step: step.as_str(),
        });
    }
    rows
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
