//! Referrals from professionals (a school, a GP practice, a social worker, a voluntary group):
//! a referral, or a request for advice or a consultation about a young person. In public
//! (`/refer`) it is a journey of one question per page (`pages::refer_journey`); signed in as
//! an external referrer (`/staff/refer`, so that the organisation is recorded and the
//! referral appears in its list) it is this module's one page of grouped questions, because
//! a referrer who is signed in refers often, and one page with an error summary linked to
//! each field is quicker for them. Both ask the same questions, checked by the one
//! [`validate`], and send through the one [`send`]; both end with the reference and a private
//! status link. Also the signed-in referrer's list of what their organisation sent and what
//! happened to each (`/staff/referrals-sent`), in the same words as the status link
//! (`pages::status`), never clinical.
//!
//! Submissions pass the same [`FormGuard`] as the young person's journey; nothing is written
//! unless every answer is valid, and a double submit makes one referral (an idempotency key
//! per form, and a hash of the answers, [`ANSWER_FIELDS`], in a fixed order).

use askama::Template;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use nwd_domain::actor::Actor;
use nwd_domain::codes::{Priority, ReasonCode, ReferralSource};
use nwd_domain::person::{older_than_served, MAX_SERVED_AGE_YEARS};
use nwd_domain::referral::command::MAX_PRESENTING_NEEDS_CHARS;
use nwd_domain::referral::{ReferralKind, Referrer};
use nwd_domain::ValidationErrors;
use nwd_store::auth::Principal;
use nwd_store::{IdempotencyRequest, ReferralSearch, ReferralSort};
use sha2::{Digest, Sha256};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::public::get_help::{neutral_response, Choice};
use nwd_http::extract::Caller;
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::{receive_professional_referral, reference, ProfessionalReferral};
use nwd_usecase::person::{parse_person, PersonInput};
use nwd_usecase::status::{public_status, status_path, PublicStatus};

/// The kinds of request, in a referrer's words.
pub const KINDS: &[(&str, &str)] = &[
    ("referral", "Refer a young person for support"),
    (
        "advice_request",
        "Ask for advice or a consultation about a young person",
    ),
];

/// Who a professional referrer is: the sources of referral a professional can be (the
/// self and parent/carer sources have their own journeys; transfers come between trusts).
pub const SOURCES: [ReferralSource; 8] = [
    ReferralSource::School,
    ReferralSource::Gp,
    ReferralSource::SocialCare,
    ReferralSource::VoluntarySector,
    ReferralSource::YouthJustice,
    ReferralSource::Police,
    ReferralSource::EmergencyDepartment,
    ReferralSource::Other,
];

/// The reasons a professional can choose (MHSDS primary reason for referral, by its own label).
pub const REASONS: [ReasonCode; 14] = [
    ReasonCode::Anxiety,
    ReasonCode::Depression,
    ReasonCode::SelfHarm,
    ReasonCode::EatingDisorder,
    ReasonCode::Ptsd,
    ReasonCode::Ocd,
    ReasonCode::ConductDisorder,
    ReasonCode::RelationshipDifficulties,
    ReasonCode::NeurodevelopmentalExclAutism,
    ReasonCode::SuspectedAutism,
    ReasonCode::GenderDiscomfort,
    ReasonCode::DrugAlcohol,
    ReasonCode::AttachmentDifficulties,
    ReasonCode::InCrisis,
];

/// How soon: a form offers routine and urgent; emergencies are for the phone.
pub const PRIORITIES: &[(&str, &str)] = &[
    ("routine", "Routine"),
    ("urgent", "Urgent: needs a response within days"),
];

/// Whether the young person (or, for a younger child, the family) knows and agrees.
pub const CONSENT: &[(&str, &str)] = &[
    ("yes", "Yes, they know about this and agree to it"),
    (
        "advice_only",
        "No: I am asking for advice only, and will talk with them about a referral afterwards",
    ),
];

#[derive(Template)]
#[template(path = "refer.html")]
struct ReferPage {
    layout: Layout,
    form: FormData,
    action: String,
    honeypot: &'static str,
    kinds: Group,
    sources: Group,
    reasons: Group,
    priorities: Group,
    consent: Group,
    about_questions: Vec<crate::public::about::AboutQuestion>,
}

/// A group of radios or checkboxes on the form.
#[derive(Debug, Clone)]
pub struct Group {
    /// Field name and the first input's id.
    pub id: &'static str,
    /// The question.
    pub legend: &'static str,
    /// Checkboxes (several answers) rather than radios.
    pub checkboxes: bool,
    /// The choices.
    pub choices: Vec<Choice>,
}

/// A group of choices named `id`, with the answers in `form` ticked.
pub(crate) fn group(
    id: &'static str,
    legend: &'static str,
    checkboxes: bool,
    list: &[(&str, &str)],
    form: &FormData,
) -> Group {
    Group {
        id,
        legend,
        checkboxes,
        choices: choices(list, &form.all(id)),
    }
}

impl ReferPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }
}

#[derive(Template)]
#[template(path = "refer_done.html")]
struct ReferDonePage {
    layout: Layout,
    reference: String,
    status_path: String,
    advice: bool,
    signed_in: bool,
}

/// The choices of `list`, those in `picked` ticked.
pub(crate) fn choices(list: &[(&str, &str)], picked: &[&str]) -> Vec<Choice> {
    list.iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            checked: picked.contains(value),
        })
        .collect()
}

fn page(form: FormData, errors: Vec<FieldMessage>, principal: &Principal) -> Response {
    let sources = source_choices();
    let reasons = reason_choices();
    let action = format!(
        "/staff/refer?csrf={}",
        form_urlencoded::byte_serialize(
            principal.csrf_token.clone().unwrap_or_default().as_bytes()
        )
        .collect::<String>()
    );
    let about_questions = crate::public::about::page_questions(
        Some(crate::public::about::Part::All),
        crate::public::about::Voice::Professional,
        &form,
        &errors,
    );
    let page = ReferPage {
        layout: Layout::staff("Refer a young person", principal).with_errors(errors),
        action,
        honeypot: HONEYPOT_FIELD,
        kinds: group("kind", "What would you like to do?", false, KINDS, &form),
        sources: group("source", SOURCE_QUESTION, false, &sources, &form),
        reasons: group(
            "reasons",
            "What are the main difficulties? Choose all that apply",
            true,
            &reasons,
            &form,
        ),
        priorities: group("priority", PRIORITY_QUESTION, false, PRIORITIES, &form),
        consent: group("consent", CONSENT_QUESTION, false, CONSENT, &form),
        about_questions,
        form,
    };
    render(&page, StatusCode::OK, Sensitivity::Identifiable)
}

/// "Where do you work?"
pub const SOURCE_QUESTION: &str = "Where do you work?";
/// "How soon is a response needed?"
pub const PRIORITY_QUESTION: &str = "How soon is a response needed?";
/// Whether the young person knows and agrees.
pub const CONSENT_QUESTION: &str =
    "Does the young person (or, for a younger child, their family) know about this and agree?";

/// [`SOURCES`] as (value, label) pairs.
pub(crate) fn source_choices() -> Vec<(&'static str, &'static str)> {
    SOURCES.iter().map(|s| (s.as_str(), s.label())).collect()
}

/// [`REASONS`] as (value, label) pairs.
pub(crate) fn reason_choices() -> Vec<(&'static str, &'static str)> {
    REASONS.iter().map(|r| (r.as_str(), r.label())).collect()
}

/// The label of `value` in `list`, or "" if it is not one of them.
pub(crate) fn label_in<'a>(list: &[(&'a str, &'a str)], value: &str) -> &'a str {
    list.iter()
        .find(|(v, _)| *v == value)
        .map(|(_, label)| *label)
        .unwrap_or("")
}

fn fresh_form(state: &AppState) -> FormData {
    let mut form = FormData::default();
    form.set("journey", uuid::Uuid::new_v4().simple().to_string());
    form.set(
        ISSUED_FIELD,
        FormGuard::get().issue(state.store.now(), form.first("journey")),
    );
    form
}

/// The referral form for a signed-in referrer: the organisation is recorded, so the referral
/// appears in its list of what it sent.
#[utoipa::path(get, path = "/staff/refer", tag = "pages",
    responses((status = 200, description = "The referral form, signed in", content_type = "text/html"), (status = 401, description = "Not signed in")))]
pub async fn staff_form(State(state): State<AppState>, Caller(principal): Caller) -> Response {
    page(fresh_form(&state), Vec::new(), &principal)
}

/// Sends the signed-in referral form.
#[utoipa::path(post, path = "/staff/refer", tag = "pages",
    params(("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 200, description = "The form with errors, or the confirmation", content_type = "text/html"), (status = 401, description = "Not signed in")))]
pub async fn staff_submit(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    body: Bytes,
) -> PageResult {
    accept(&trail, &state, FormData::parse(&body), &principal).await
}

/// The date of birth answered, if it is a real date.
pub(crate) fn date_of_birth(form: &FormData) -> Option<Date> {
    let day = form.first("dob-day").trim().parse::<i8>().ok()?;
    let month = form.first("dob-month").trim().parse::<i8>().ok()?;
    let year = form.first("dob-year").trim().parse::<i16>().ok()?;
    Date::new(year, month, day).ok()
}

/// Every message for the form's answers (empty when all are fine).
pub fn validate(form: &FormData, today: Date) -> Vec<FieldMessage> {
    let mut errors = Vec::new();
    let one_of = |list: &[(&str, &str)], value: &str| list.iter().any(|(v, _)| *v == value);
    if !one_of(KINDS, form.first("kind")) {
        errors.push(FieldMessage::new(
            "kind",
            "Choose whether you are making a referral or asking for advice",
        ));
    }
    if ReferralSource::parse(form.first("source"))
        .map(|s| !SOURCES.contains(&s))
        .unwrap_or(true)
    {
        errors.push(FieldMessage::new("source", "Choose where you work"));
    }
    for (id, message) in [
        ("referrer-name", "Enter your name"),
        ("referrer-role", "Enter your job title or role"),
        ("organisation", "Enter the name of your organisation"),
    ] {
        if form.first(id).trim().is_empty() {
            errors.push(FieldMessage::new(id, message));
        }
    }
    let phone = form.first("referrer-phone").trim();
    let email = form.first("referrer-email").trim();
    if phone.is_empty() && email.is_empty() {
        errors.push(FieldMessage::new(
            "referrer-phone",
            "Enter a phone number or an email address so that we can contact you",
        ));
    }
    // The domain's rules (nwd_domain::contact), in the form's words.
    if !phone.is_empty() && nwd_domain::contact::Phone::parse(phone).is_err() {
        errors.push(FieldMessage::new(
            "referrer-phone",
            "Enter a phone number, like 01632 960 001",
        ));
    }
    if !email.is_empty() && nwd_domain::contact::Email::parse(email).is_err() {
        errors.push(FieldMessage::new(
            "referrer-email",
            "Enter an email address in the correct format, like name@school.example",
        ));
    }
    if form.first("given-name").trim().is_empty() {
        errors.push(FieldMessage::new(
            "given-name",
            "Enter the young person's first name",
        ));
    }
    if form.first("family-name").trim().is_empty() {
        errors.push(FieldMessage::new(
            "family-name",
            "Enter the young person's last name",
        ));
    }
    // The domain's name rule (length, characters), as every door applies it.
    for field in ["given-name", "family-name"] {
        let value = form.first(field).trim();
        if !value.is_empty() {
            if let Err(message) = nwd_domain::person_text::PersonName::parse(value) {
                errors.push(FieldMessage::new(
                    field,
                    format!("The young person's name: {message}"),
                ));
            }
        }
    }
    let dob_parts = ["dob-day", "dob-month", "dob-year"].map(|id| form.first(id).trim());
    match date_of_birth(form) {
        _ if dob_parts.iter().all(|p| p.is_empty()) => errors.push(FieldMessage::new(
            "dob-day",
            "Enter the young person's date of birth",
        )),
        _ if dob_parts[2].len() != 4 => errors.push(FieldMessage::new(
            "dob-year",
            "Year must include 4 numbers, for example 2012",
        )),
        None => errors.push(FieldMessage::new(
            "dob-day",
            "Date of birth must be a real date, for example 27 3 2012",
        )),
        Some(dob) if dob > today => errors.push(FieldMessage::new(
            "dob-day",
            "Date of birth must be in the past",
        )),
        Some(dob) if older_than_served(dob, today) => errors.push(FieldMessage::new(
            "dob-day",
            format!("No Wrong Door is for children and young people aged {MAX_SERVED_AGE_YEARS} and under"),
        )),
        Some(_) => {}
    }
    let nhs = form.first("nhs-number").trim();
    if !nhs.is_empty() && nwd_domain::NhsNumber::parse(nhs).is_err() {
        errors.push(FieldMessage::new(
            "nhs-number",
            "Enter a valid 10-digit NHS number, like 999 000 0018, or leave it empty",
        ));
    }
    let postcode = form.first("postcode").trim();
    if !postcode.is_empty() && nwd_domain::Postcode::parse(postcode).is_err() {
        errors.push(FieldMessage::new(
            "postcode",
            "Enter a real postcode, like ME14 1XX, or leave it empty",
        ));
    }
    if form.all("reasons").is_empty()
        || form
            .all("reasons")
            .iter()
            .any(|r| !REASONS.iter().any(|c| c.as_str() == *r))
    {
        errors.push(FieldMessage::new(
            "reasons",
            "Choose at least one reason, the closest if none fits exactly",
        ));
    }
    let needs = form.first("needs").trim();
    if needs.is_empty() {
        errors.push(FieldMessage::new(
            "needs",
            "Describe what is happening and what you have tried",
        ));
    } else if needs.chars().count() > MAX_PRESENTING_NEEDS_CHARS {
        errors.push(FieldMessage::new(
            "needs",
            format!(
                "Use {} characters or fewer",
                crate::public::get_help::thousands(MAX_PRESENTING_NEEDS_CHARS)
            ),
        ));
    }
    if !one_of(PRIORITIES, form.first("priority")) {
        errors.push(FieldMessage::new(
            "priority",
            "Choose how soon a response is needed",
        ));
    }
    match form.first("consent") {
        "yes" => {}
        "advice_only" if form.first("kind") == "advice_request" => {}
        "advice_only" => errors.push(FieldMessage::new(
            "consent",
            "A referral needs the young person's agreement (or, for a younger child, their family's). If you only want advice, choose to ask for advice",
        )),
        _ => errors.push(FieldMessage::new("consent", "Choose whether they know about this and agree")),
    }
    errors.extend(crate::public::about::validate(
        crate::public::about::Part::All,
        form,
    ));
    errors
}

async fn accept(
    trail: &RequestAudit,
    state: &AppState,
    form: FormData,
    principal: &Principal,
) -> PageResult {
    if form.first("journey").is_empty() {
        return Ok(page(fresh_form(state), Vec::new(), principal));
    }
    let now = state.store.now();
    let today = now.to_zoned(state.store.tz().clone()).date();
    let errors = validate(&form, today);
    if !errors.is_empty() {
        return Ok(page(form, errors, principal));
    }
    let guard = FormGuard::get();
    match guard.check(
        form.first(HONEYPOT_FIELD),
        form.first(ISSUED_FIELD),
        form.first("journey"),
        now,
    ) {
        FormCheck::Person => {
            if principal
                .roles()
                .contains(&nwd_domain::authz::Role::ExternalReferrer)
            {
                if let Err(refused) = state.limits.check_referrer(&principal.user_id) {
                    return Ok(*refused);
                }
            }
            send(trail, state, &form, Some(principal)).await
        }
        FormCheck::Honeypot | FormCheck::TooFast => Ok(neutral_response()),
        FormCheck::Unsigned => {
            let mut form = form;
            let stamp = guard.issue(now, form.first("journey"));
            form.set(ISSUED_FIELD, stamp);
            let errors = vec![FieldMessage::new(
                "send",
                "Sorry, we could not send the form. Check the answers, then send it again",
            )];
            Ok(page(form, errors, principal))
        }
    }
}

/// Every answer the form asks, in the order the idempotency hash reads them (so that the same
/// answers give the same hash whichever order the pages sent them in).
pub const ANSWER_FIELDS: [&str; 34] = [
    "kind",
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
    "nhs-number",
    "postcode",
    "reasons",
    "needs",
    "priority",
    "consent",
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
/// (idempotent by the form's `journey` id), then the confirmation with the reference and the
/// private status link. `principal` is the signed-in referrer, if any.
pub(crate) async fn send(
    trail: &RequestAudit,
    state: &AppState,
    form: &FormData,
    principal: Option<&Principal>,
) -> PageResult {
    let now = state.store.now();
    let non_empty = |name: &str| Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty());
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
    let kind = if form.first("kind") == "advice_request" {
        ReferralKind::AdviceRequest
    } else {
        ReferralKind::Referral
    };
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
        reasons: form
            .all("reasons")
            .iter()
            .filter_map(|r| ReasonCode::parse(r).ok())
            .collect(),
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
    };
    let mut hash = Sha256::new();
    for name in ANSWER_FIELDS {
        hash.update(name.as_bytes());
        for value in form.all(name) {
            hash.update([0]);
            hash.update(value.as_bytes());
        }
        hash.update([1]);
    }
    let idempotency = IdempotencyRequest {
        scope: "referrals-web".to_owned(),
        key: form.first("journey").to_owned(),
        request_hash: hex::encode(hash.finalize()),
    };
    let outcome =
        receive_professional_referral(&state.store, trail, principal, referral, Some(idempotency))
            .await?;
    let title = if kind == ReferralKind::AdviceRequest {
        "Your request for advice has been sent"
    } else {
        "Your referral has been sent"
    };
    let done = ReferDonePage {
        layout: match principal {
            Some(p) => Layout::staff(title, p),
            None => Layout::public(title),
        },
        reference: reference(&outcome.referral),
        status_path: outcome
            .status_token
            .as_deref()
            .map(status_path)
            .unwrap_or_default(),
        advice: kind == ReferralKind::AdviceRequest,
        signed_in: principal.is_some(),
    };
    Ok(render(&done, StatusCode::OK, Sensitivity::Identifiable))
}

/// One referral on the referrer's list.
#[derive(Debug, Clone)]
pub struct SentRow {
    /// The reference.
    pub reference: String,
    /// Referral or advice request, in words.
    pub kind: &'static str,
    /// What happened, in the status link's words.
    pub status: PublicStatus,
    /// The advice the single point of access gave in answer (advice requests), addressed to
    /// the professional who asked.
    pub advice: Vec<String>,
}

#[derive(Template)]
#[template(path = "referrals_sent.html")]
struct SentPage {
    layout: Layout,
    rows: Vec<SentRow>,
}

/// What the signed-in referrer's organisation sent (newest first, up to 200) and what
/// happened to each: the status link's words, nothing clinical.
#[utoipa::path(get, path = "/staff/referrals-sent", tag = "pages",
    responses((status = 200, description = "Referrals your organisation sent, with their status", content_type = "text/html"), (status = 401, description = "Not signed in"), (status = 403, description = "Not a referrer")))]
pub async fn sent(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let search = ReferralSearch {
        sort: ReferralSort::Newest,
        limit: 200,
        visible_to: Some(nwd_store::auth::Visibility {
            submitted_by_org: Some(principal.organisation_id.clone()),
            ..Default::default()
        }),
        ..ReferralSearch::default()
    };
    let found = state
        .store
        .search_referrals(&search)
        .await
        .map_err(PageError::staff)?;
    let mut rows = Vec::new();
    for summary in found.items {
        let view = state
            .store
            .status_view(summary.id)
            .await
            .map_err(PageError::staff)?;
        rows.push(SentRow {
            reference: reference(&view.referral),
            kind: match view.referral.kind {
                ReferralKind::Referral => "Referral",
                ReferralKind::AdviceRequest => "Advice request",
            },
            status: public_status(&view.referral, &view.service_names, state.store.tz()),
            advice: view.referral.advice.clone(),
        });
    }
    let page = SentPage {
        layout: Layout::staff("Referrals you have sent", &principal),
        rows,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
