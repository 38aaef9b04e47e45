//! "Get help": a young person refers themselves, one question per page.
//!
//! The answers travel between pages in hidden fields (no server-side draft holds them, and the
//! pages work without JavaScript); every page is `no-store`. It asks only what triage needs:
//! date of birth (age decides the services and, under 16, the competence conversation), name,
//! postcode (the area), what they want help with (the reasons), what is happening (in their
//! words), how to reach them, and who we may talk to. The last page submits through the same
//! intake as `POST /api/self-referrals` (`api::intake::parse_person`, `Store::receive_referral`
//! with an idempotency key made when the journey started, so a double submit makes one
//! referral).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use nwd_domain::codes::{Priority, ReasonCode, ReferralSource};
use nwd_domain::person::age_in_years;
use nwd_domain::referral::{NewReferral, ReferralKind, Referrer};
use nwd_domain::ValidationErrors;
use nwd_store::{IdempotencyRequest, Intake};
use sha2::{Digest, Sha256};

use super::form::FormData;
use super::layout::{render, FieldMessage, Layout, PageResult, Sensitivity};
use crate::api::intake::{parse_person, reference, PersonInput};
use crate::AppState;

/// The questions, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Date of birth.
    DateOfBirth,
    /// Name.
    Name,
    /// Postcode.
    Postcode,
    /// What they would like help with.
    HelpWith,
    /// What is happening, in their words.
    Happening,
    /// How to contact them.
    Contact,
    /// Who we may talk to, and what happens next.
    Sharing,
    /// Check your answers.
    Check,
}

impl Step {
    /// Every step, in order.
    pub const ALL: [Step; 8] = [
        Step::DateOfBirth,
        Step::Name,
        Step::Postcode,
        Step::HelpWith,
        Step::Happening,
        Step::Contact,
        Step::Sharing,
        Step::Check,
    ];

    /// The step's name in forms.
    pub fn as_str(self) -> &'static str {
        match self {
            Step::DateOfBirth => "date-of-birth",
            Step::Name => "name",
            Step::Postcode => "postcode",
            Step::HelpWith => "help-with",
            Step::Happening => "happening",
            Step::Contact => "contact",
            Step::Sharing => "sharing",
            Step::Check => "check",
        }
    }

    fn parse(text: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|s| s.as_str() == text)
    }

    fn index(self) -> usize {
        Step::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    fn next(self) -> Step {
        Step::ALL
            .get(self.index() + 1)
            .copied()
            .unwrap_or(Step::Check)
    }

    fn previous(self) -> Option<Step> {
        self.index()
            .checked_sub(1)
            .and_then(|i| Step::ALL.get(i).copied())
    }

    fn title(self) -> &'static str {
        match self {
            Step::DateOfBirth => "What is your date of birth?",
            Step::Name => "What is your name?",
            Step::Postcode => "What is your postcode?",
            Step::HelpWith => "What would you like help with?",
            Step::Happening => "Tell us what has been happening",
            Step::Contact => "How can we contact you?",
            Step::Sharing => "Who can we talk to about this?",
            Step::Check => "Check your answers before sending",
        }
    }

    /// The form fields this step asks.
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Step::DateOfBirth => &["dob-day", "dob-month", "dob-year"],
            Step::Name => &["given-name", "family-name", "preferred-name"],
            Step::Postcode => &["postcode"],
            Step::HelpWith => &["reasons"],
            Step::Happening => &["happening"],
            Step::Contact => &["phone", "email"],
            Step::Sharing => &["share", "understood"],
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

/// Who they can agree we talk to.
pub const SHARE_WITH: &[(&str, &str)] = &[
    ("gp", "Your GP"),
    ("school", "Your school, college or university"),
    ("parent_carer", "Your parent or carer"),
];

fn share_label(value: &str) -> &'static str {
    SHARE_WITH
        .iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
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
    help_with: Vec<Choice>,
    share: Vec<Choice>,
    answers: Vec<AnswerRow>,
}

#[derive(Template)]
#[template(path = "get_help_done.html")]
struct DonePage {
    layout: Layout,
    reference: String,
    under_16: bool,
}

impl StepPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }
}

/// The first question. A fresh journey id is the idempotency key of the referral it makes.
#[utoipa::path(get, path = "/get-help", tag = "pages",
    responses((status = 200, description = "The first question of the self-referral journey", content_type = "text/html")))]
pub async fn start(State(state): State<AppState>) -> Response {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    step_page(Step::DateOfBirth, form, Vec::new(), false, today(&state))
}

/// One answer: validates it and shows the next question (or the same one with errors), goes
/// back, or (on the last page) sends the referral.
#[utoipa::path(post, path = "/get-help", tag = "pages",
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The next question, the same one with errors, or the confirmation", content_type = "text/html")))]
pub async fn answer(State(state): State<AppState>, body: Bytes) -> PageResult {
    let form = FormData::parse(&body);
    if form.first("journey").is_empty() {
        return Ok(super::layout::see_other("/get-help"));
    }
    let step = Step::parse(form.first("step")).unwrap_or(Step::DateOfBirth);
    let changing = form.first("changing") == "1";
    let action = form.first("go").to_owned();
    if action == "back" {
        let previous = if changing {
            Step::Check
        } else {
            step.previous().unwrap_or(Step::DateOfBirth)
        };
        return Ok(step_page(previous, form, Vec::new(), false, today(&state)));
    }
    if let Some(target) = action.strip_prefix("change-").and_then(Step::parse) {
        return Ok(step_page(target, form, Vec::new(), true, today(&state)));
    }
    let today = today(&state);
    if step == Step::Check {
        // Every answer again: the hidden fields could have been edited.
        for earlier in Step::ALL {
            let errors = validate(earlier, &form, today);
            if !errors.is_empty() {
                return Ok(step_page(earlier, form, errors, true, today));
            }
        }
        return submit(&state, form, today).await;
    }
    let errors = validate(step, &form, today);
    if !errors.is_empty() {
        return Ok(step_page(step, form, errors, changing, today));
    }
    let next = if changing { Step::Check } else { step.next() };
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
    match step {
        Step::DateOfBirth => {
            let parts = [
                form.first("dob-day"),
                form.first("dob-month"),
                form.first("dob-year"),
            ];
            if parts.iter().all(|p| p.trim().is_empty()) {
                errors.push(FieldMessage::new("dob-day", "Enter your date of birth"));
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
                    Some(dob) if age_in_years(dob, today) > 25 => errors.push(FieldMessage::new(
                        "dob-day",
                        "No Wrong Door is for people aged 25 and under. Your GP can help you find support, or see urgent help if you need help now",
                    )),
                    Some(_) => {}
                }
            }
        }
        Step::Name => {
            if form.first("given-name").trim().is_empty() {
                errors.push(FieldMessage::new("given-name", "Enter your first name"));
            }
            if form.first("family-name").trim().is_empty() {
                errors.push(FieldMessage::new("family-name", "Enter your last name"));
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
        Step::Happening => {
            let text = form.first("happening").trim();
            if text.is_empty() {
                errors.push(FieldMessage::new(
                    "happening",
                    "Tell us a little about what has been happening",
                ));
            } else if text.chars().count() > 2000 {
                errors.push(FieldMessage::new(
                    "happening",
                    "Use 2,000 characters or fewer. You can tell us more when we talk",
                ));
            }
        }
        Step::Contact => {
            let phone = form.first("phone").trim();
            let email = form.first("email").trim();
            if phone.is_empty() && email.is_empty() {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number or an email address so we can contact you",
                ));
            }
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            if !phone.is_empty()
                && (!(10..=13).contains(&digits)
                    || !phone
                        .chars()
                        .all(|c| c.is_ascii_digit() || " +()-".contains(c)))
            {
                errors.push(FieldMessage::new(
                    "phone",
                    "Enter a phone number, like 07700 900 982",
                ));
            }
            if !email.is_empty() && !email.contains('@') {
                errors.push(FieldMessage::new(
                    "email",
                    "Enter an email address in the correct format, like name@example.com",
                ));
            }
        }
        Step::Sharing => {
            if form.all("share").iter().any(|v| share_label(v).is_empty()) {
                errors.push(FieldMessage::new("share", "Choose from the list"));
            }
            if form.first("understood") != "yes" {
                errors.push(FieldMessage::new(
                    "understood",
                    "Tick the box to say you understand who will see what you have told us",
                ));
            }
        }
        Step::Check => {}
    }
    errors
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
    let asked = step.fields();
    let hidden: Vec<(String, String)> = form
        .pairs()
        .iter()
        .filter(|(name, _)| {
            !asked.contains(&name.as_str()) && !["step", "go", "changing"].contains(&name.as_str())
        })
        .cloned()
        .collect();
    let chosen = form.all("reasons");
    let help_with = HELP_WITH
        .iter()
        .map(|(code, label)| Choice {
            value: code.as_str().to_owned(),
            label: (*label).to_owned(),
            checked: chosen.contains(&code.as_str()),
        })
        .collect();
    let shared = form.all("share");
    let share = SHARE_WITH
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            checked: shared.contains(value),
        })
        .collect();
    let under_16 = age(&form, today).is_some_and(|a| a < 16);
    let answers = if step == Step::Check {
        answer_rows(&form)
    } else {
        Vec::new()
    };
    StepPage {
        layout: Layout::public(step.title()).with_errors(errors),
        step: step.as_str(),
        hidden,
        changing,
        has_previous: step.previous().is_some() || changing,
        under_16,
        help_with,
        share,
        answers,
        form,
    }
}

fn answer_rows(form: &FormData) -> Vec<AnswerRow> {
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
        .filter_map(|r| HELP_WITH.iter().find(|(c, _)| c.as_str() == *r))
        .map(|(_, label)| (*label).to_owned())
        .collect();
    let contact: Vec<String> = [form.first("phone").trim(), form.first("email").trim()]
        .into_iter()
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect();
    let mut share: Vec<String> = form
        .all("share")
        .iter()
        .map(|v| share_label(v).to_owned())
        .collect();
    if share.is_empty() {
        share.push("No one else for now".to_owned());
    }
    vec![
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
    ]
}

async fn submit(state: &AppState, form: FormData, today: Date) -> PageResult {
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
    let reasons: Vec<ReasonCode> = form
        .all("reasons")
        .iter()
        .filter_map(|r| ReasonCode::parse(r).ok())
        .collect();
    let (Some(person), true) = (person, errors.is_empty()) else {
        return Err(crate::problem::ApiError::Invalid(errors.0).into());
    };
    let under_16 = age(&form, today).is_some_and(|a| a < 16);
    let name = format!("{} {}", person.given_name, person.family_name);
    let referral = NewReferral {
        kind: ReferralKind::Referral,
        source: ReferralSource::SelfReferral,
        // As for the API's self-referrals: the single point of access sets the clinical
        // priority at triage; urgent help is one click from every page.
        priority: Priority::Routine,
        reasons,
        presenting_needs: form.first("happening").trim().to_owned(),
        referrer: Referrer {
            name,
            role: Some("Young person (self-referral)".to_owned()),
            organisation: None,
            phone: non_empty("phone"),
            email: non_empty("email"),
        },
        consent_to_share: form
            .all("share")
            .iter()
            .map(|v| share_label(v).trim_start_matches("Your ").to_owned())
            .collect(),
        received_at: state.store.now(),
    };
    let mut hash = Sha256::new();
    for (name, value) in form.pairs() {
        if name != "go" {
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
    let outcome = state
        .store
        .receive_referral(
            Intake { person, referral },
            "public:young-person",
            Some(idempotency),
        )
        .await?;
    let page = DonePage {
        layout: Layout::public("Your request has been sent"),
        reference: reference(&outcome.referral),
        under_16,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
