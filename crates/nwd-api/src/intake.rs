//! Intake: referrals from professionals (and advice requests), and self-referrals from young
//! people and parents. Bodies are read field by field so that every invalid field gets its
//! own message, and nothing is written unless all are valid. Every intake answers with a
//! private status link, readable without sign-in at `GET /api/status/{token}` (and as a page
//! at `/status/{token}`).

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use jiff::Timestamp;
use nwd_domain::actor::Actor;
use nwd_domain::codes::{PlainReason, Priority, ReasonCode, ReferralSource};
use nwd_domain::contact::ContactDetails;
use nwd_domain::referral::{Referral, ReferralKind, Referrer};
use nwd_domain::self_referral::{Asker, SafetyAnswer, SafetyAnswers, ShareWith};
use nwd_domain::ValidationErrors;
use nwd_store::{IdempotencyRequest, Intake};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::routes;

use nwd_domain::authz::{Permission::*, Policy::*, Scope};
use nwd_http::extract::{Caller, IdempotencyKey, JsonBody};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::secure::SecureRouter;
use nwd_http::AppState;
use nwd_usecase::about::intake_about;
use nwd_usecase::intake::{reference, ParentCarerAnswers, ProfessionalReferral, SelfReferral};
use nwd_usecase::person::{parse_person, PersonInput};

mod professional;

pub use professional::AnonymousInput;

/// Routes.
pub fn router() -> SecureRouter {
    SecureRouter::new()
        .route(
            Requires(MakeReferral, Scope::None),
            "referral",
            routes!(create_referral),
        )
        .route(Public, "referral", routes!(create_self_referral))
        .route(Public, "referral_status", routes!(referral_status))
}

/// A referral from a professional, or an advice/consultation request.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct ReferralInput {
    /// The young person.
    pub person: PersonInput,
    /// `referral` (default), `advice_request`, or `referral_and_advice` (a referral that also
    /// asks for advice or a consultation: triage sees both).
    pub kind: Option<String>,
    /// Source of referral (API name, e.g. `school`, `gp`).
    pub source: Option<String>,
    /// `emergency`, `very_urgent`, `urgent` or `routine`.
    pub priority: Option<String>,
    /// MHSDS reasons (API names, e.g. `anxiety`, `self_harm`), primary first.
    pub reasons: Vec<String>,
    /// Reasons in plain words, as the forms ask them (`worries`, `low_mood`, …, `not_sure`):
    /// each adds its national code after `reasons`; `something_else` and `not_sure` add none
    /// (triage codes it). `reasons` or `plain_reasons` must name at least one.
    pub plain_reasons: Vec<String>,
    /// A parent or carer to contact and whether it is safe (`safety`: `yes`, `no_messages`,
    /// `do_not_contact`). On the safeguarding route it is stored as `do_not_contact`.
    pub family_contact: Option<nwd_domain::referral::intake::FamilyContact>,
    /// The young person's own telephone (16 or over).
    pub young_person_phone: Option<String>,
    /// The young person's own e-mail (16 or over).
    pub young_person_email: Option<String>,
    /// The safeguarding route: the young person or family has not been asked, or has not
    /// agreed, and why (`reason`: `risk_to_child` or `other`; `detail`: required for
    /// `other`). The family is never contacted automatically, and the privacy officer sees
    /// the referral on their list.
    pub consent_not_sought: Option<nwd_domain::referral::intake::NotSought>,
    /// An anonymous consultation (with `kind: "advice_request"` and no `person`): only an
    /// age band and the area. Stored as a consultation, never matched to a person; answered
    /// with a reference and no status link.
    pub anonymous: Option<AnonymousInput>,
    /// Presenting needs, in the referrer's words.
    pub presenting_needs: Option<String>,
    /// The referrer.
    pub referrer: Option<Referrer>,
    /// Agencies the young person or family consented to share with.
    pub consent_to_share: Vec<String>,
    /// When received, RFC 3339; defaults to now (e.g. a letter received yesterday).
    pub received_at: Option<String>,
}

/// A self-referral from a young person or a parent/carer.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct SelfReferralInput {
    /// `young_person` or `parent_carer`.
    pub who: Option<String>,
    /// The young person.
    pub person: PersonInput,
    /// What is going on, in their words.
    pub presenting_needs: Option<String>,
    /// Reasons (API names), primary first.
    pub reasons: Vec<String>,
    /// The person referring: their name, and a telephone number or an email address (at least
    /// one). A self-referral's role is recorded from `who`: leave `role` and `organisation`
    /// out.
    pub contact: Option<Referrer>,
    /// Whom they agree we may talk to: `gp`, `school`, `parent_carer` (a parent or carer is
    /// asked only about `gp` and `school`).
    pub consent_to_share: Vec<String>,
    /// The safety question, as the web journeys ask it (optional): answers that signal risk
    /// ask triage for very urgent review, exactly as on `/get-help`.
    pub safety: Option<SafetyInput>,
    /// A parent's or carer's relationship to the child, as `/get-help/parent-carer` asks it
    /// (optional, with `child_knows`): `parent`, `step_parent`, `adoptive_parent`,
    /// `foster_carer`, `relative` or `other`. Recorded as a carer contact on the person.
    pub relationship: Option<String>,
    /// Whether the child knows a parent or carer is asking (with `relationship`):
    /// `knows_agrees`, `knows_unsure`, `does_not_know` or `too_young`.
    pub child_knows: Option<String>,
}

/// The safety question's answers: "Are you thinking about hurting yourself or ending your
/// life?" (`thoughts`) and "Have you hurt yourself recently?" (`harmed`); a parent or carer
/// answers about their child. Each `yes`, `no` or `not_sure`. Yes or not sure to the first,
/// or yes to the second, asks triage for very urgent review (a request that triage confirms).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct SafetyInput {
    /// Thinking about hurting themselves or ending their life: `yes`, `no` or `not_sure`.
    pub thoughts: Option<String>,
    /// Hurt themselves recently: `yes`, `no` or `not_sure`.
    pub harmed: Option<String>,
}

/// What intake answers anyone who may not review person matches (the public, external
/// referrers, clinicians): the reference and the private status link, **nothing** about the
/// person — not whether they were already known, not their register id (issue 15, High 1).
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeReceipt {
    /// A short reference to quote.
    pub reference: String,
    /// The private status link's token: 256 random bits, shown once (only its hash is
    /// stored). A repeated request with the same `Idempotency-Key` answers with the same
    /// reference and **no** token (empty): the link was sent with the first answer.
    pub status_token: String,
    /// The status page's path (`/status/{token}`; the JSON form is `/api/status/{token}`);
    /// empty on a repeated request.
    pub status_url: String,
    /// True when this answers a repeated request (same `Idempotency-Key`): the referral was
    /// made by the first, whose answer carried the status link.
    pub repeated: bool,
}

/// What intake answers a caller who may review person matches (`manage_register`, the
/// single point of access): the receipt, plus the referral as stored and how the person was
/// matched. Others get only the [`IntakeReceipt`] fields.
#[derive(Debug, Serialize, ToSchema)]
pub struct IntakeResponse {
    /// The reference and the status link.
    #[serde(flatten)]
    pub receipt: IntakeReceipt,
    /// The referral as stored (only for callers with `manage_register`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub referral: Option<Referral>,
    /// True when the young person was already in the register (only for callers with
    /// `manage_register`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub existing_person: Option<bool>,
    /// How the person was matched: `auto` (linked), `review` (a person will check; received
    /// against a provisional record meanwhile) or `new` (only for callers with
    /// `manage_register`; candidates are in the review queue).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub match_band: Option<nwd_domain::linking::MatchBand>,
}

/// Receive a referral or advice request from a professional.
///
/// Send an `Idempotency-Key` header so that a double-submitted form creates one referral.
#[utoipa::path(
    post, path = "/api/referrals", tag = "intake",
    request_body = ReferralInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = IntakeResponse, description = "Created. Callers without `manage_register` get only the receipt (reference and status link)"),
        (status = 200, body = IntakeResponse, description = "Already created by an earlier request with this Idempotency-Key (no new status link)"),
        (status = 422, body = Problem), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 429, body = Problem, description = "An external referrer's account sent more referrals this hour than it may")
    )
)]
async fn create_referral(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(caller): Caller,
    IdempotencyKey(key): IdempotencyKey,
    body: JsonBody<ReferralInput>,
) -> ApiResult<Response> {
    if caller
        .roles()
        .contains(&nwd_domain::authz::Role::ExternalReferrer)
    {
        if let Err(refused) = state.limits.check_referrer(&caller.user_id) {
            return Ok(*refused);
        }
    }
    if body.value.anonymous.is_some() {
        return professional::create_consultation(&trail, &state, &caller, key, body).await;
    }
    let referral = parse_referral(
        body.value,
        state.store.now(),
        Actor::User(caller.username.clone()),
    )?;
    let reveal = caller.holds(ManageRegister, &state.store.access().roles);
    let idempotency = key.map(|key| IdempotencyRequest {
        scope: "referrals".to_owned(),
        key,
        request_hash: body.hash,
    });
    let outcome = nwd_usecase::intake::receive_professional_referral(
        &state.store,
        &trail,
        Some(&caller),
        referral,
        idempotency,
    )
    .await?;
    Ok(respond(outcome, reveal))
}

/// Refer yourself (a young person) or your child (a parent or carer). No sign-in.
#[utoipa::path(
    post, path = "/api/self-referrals", tag = "intake",
    request_body = SelfReferralInput,
    params(("Idempotency-Key" = Option<String>, Header, description = "Makes retries safe")),
    responses(
        (status = 201, body = IntakeReceipt, description = "Received: the reference and the private status link, nothing about the person"),
        (status = 200, body = IntakeReceipt, description = "Already received by an earlier request with this Idempotency-Key (no new status link)"),
        (status = 422, body = Problem), (status = 400, body = Problem)
    )
)]
async fn create_self_referral(
    trail: RequestAudit,
    State(state): State<AppState>,
    IdempotencyKey(key): IdempotencyKey,
    body: JsonBody<SelfReferralInput>,
) -> ApiResult<Response> {
    let referral = parse_self_referral(body.value, state.store.now())?;
    let idempotency = key.map(|key| IdempotencyRequest {
        scope: "self-referrals".to_owned(),
        key,
        request_hash: body.hash,
    });
    let outcome =
        nwd_usecase::intake::receive_self_referral(&state.store, &trail, referral, idempotency)
            .await?;
    Ok(respond(outcome, false))
}

/// Checks a professional's referral, sent by a signed-in `actor`, and turns it into an
/// [`Intake`] through the professional-referral use case. Pure, as [`parse_referral`].
pub fn referral_intake(input: ReferralInput, now: Timestamp) -> Result<Intake, ApiError> {
    parse_referral(input, now, Actor::User("api".to_owned()))
        .map(|referral| referral.into_intake().0)
}

/// Checks a professional's referral and turns it into the use case's
/// [`ProfessionalReferral`]: every invalid field gets its own message
/// (`person.date_of_birth`, `reasons[1]`, …) and nothing is returned unless all are valid.
/// Pure: `now` is when it was received unless it says otherwise.
pub fn parse_referral(
    input: ReferralInput,
    now: Timestamp,
    actor: Actor,
) -> Result<ProfessionalReferral, ApiError> {
    let mut errors = ValidationErrors::new();
    let mut input = input;
    let about_input = std::mem::take(&mut input.person.about);
    let person = parse_person(input.person, &mut errors);
    let about = intake_about(&about_input, person.as_ref(), &mut errors);
    let (kind, also_advice) = match input.kind.as_deref() {
        None | Some("referral") => (Some(ReferralKind::Referral), false),
        Some("advice_request") => (Some(ReferralKind::AdviceRequest), false),
        Some("referral_and_advice") => (Some(ReferralKind::Referral), true),
        Some(other) => {
            errors.add(
                "kind",
                format!("unknown kind {other:?}; allowed: referral, advice_request, referral_and_advice"),
            );
            (None, false)
        }
    };
    let source = required(&mut errors, "source", input.source, ReferralSource::parse);
    let priority = required(&mut errors, "priority", input.priority, Priority::parse);
    let mut reasons = parse_reasons(&mut errors, input.reasons);
    let plain = professional::plain_reasons(&mut errors, &input.plain_reasons);
    for code in PlainReason::codes(&plain) {
        if !reasons.contains(&code) {
            reasons.push(code);
        }
    }
    let details = professional::details(
        &mut errors,
        plain,
        input.family_contact,
        input.young_person_phone,
        input.young_person_email,
        input.consent_not_sought,
        also_advice,
    );
    let received_at = match input.received_at {
        None => Some(now),
        Some(text) => errors.check(
            "received_at",
            text.parse::<Timestamp>()
                .map_err(|_| "use an RFC 3339 date-time with an offset, e.g. 2026-11-23T09:30:00Z"),
        ),
    };
    let referrer = input.referrer.or_else(|| {
        errors.add(
            "referrer",
            "say who is referring: name, role and organisation",
        );
        None
    });
    let presenting_needs = input.presenting_needs.unwrap_or_default();
    let (Some(person), Some(kind), Some(source), Some(priority), Some(received_at), Some(referrer)) =
        (person, kind, source, priority, received_at, referrer)
    else {
        return Err(ApiError::Invalid(errors.0));
    };
    errors.into_result()?;
    Ok(ProfessionalReferral {
        actor,
        kind,
        source,
        stated_priority: priority,
        person,
        about,
        reasons,
        presenting_needs,
        referrer,
        consent_to_share: input.consent_to_share,
        received_at,
        details,
    })
}

/// Checks a self-referral and turns it into the use case's [`SelfReferral`]: every invalid
/// field gets its own message (`who`, `contact.phone`, `consent_to_share[1]`, `safety.harmed`,
/// …) and nothing is returned unless all are valid. Pure: `now` is when it was received.
pub fn parse_self_referral(
    input: SelfReferralInput,
    now: Timestamp,
) -> Result<SelfReferral, ApiError> {
    let mut errors = ValidationErrors::new();
    let asker = match input.who.as_deref() {
        Some(text) => errors.check("who", Asker::parse(text)),
        None => {
            errors.add("who", "say whether you are the young person (young_person) or a parent or carer (parent_carer)");
            None
        }
    };
    let mut input = input;
    let about_input = std::mem::take(&mut input.person.about);
    let person = parse_person(input.person, &mut errors);
    let about = intake_about(&about_input, person.as_ref(), &mut errors);
    let reasons = parse_reasons(&mut errors, input.reasons);
    let contact = match input.contact {
        None => {
            errors.add("contact", "tell us your name and how we can contact you");
            None
        }
        Some(contact) => {
            for (field, value) in [
                ("role", &contact.role),
                ("organisation", &contact.organisation),
            ] {
                if value.is_some() {
                    errors.add(
                        format!("contact.{field}"),
                        "leave this out: a self-referral records who is asking from `who`",
                    );
                }
            }
            ContactDetails::parse(
                contact.phone.as_deref(),
                contact.email.as_deref(),
                "contact.phone",
                "contact.email",
                &mut errors,
            )
            .map(|details| (contact.name, details))
        }
    };
    let consent_to_share: Vec<ShareWith> = input
        .consent_to_share
        .iter()
        .enumerate()
        .filter_map(|(i, choice)| {
            let field = format!("consent_to_share[{i}]");
            let parsed = errors.check(&field, ShareWith::parse(choice))?;
            if asker.is_some_and(|a| !a.share_choices().contains(&parsed)) {
                errors.add(field, "a parent or carer is asked only about gp and school");
            }
            Some(parsed)
        })
        .collect();
    let safety = input.safety.and_then(|safety| {
        let mut answer = |field: &str, value: Option<String>| match value {
            Some(text) => errors.check(field, SafetyAnswer::parse(&text)),
            None => {
                errors.add(field, "answer yes, no or not_sure");
                None
            }
        };
        let thoughts = answer("safety.thoughts", safety.thoughts);
        let harmed = answer("safety.harmed", safety.harmed);
        Some(SafetyAnswers {
            thoughts: thoughts?,
            harmed: harmed?,
        })
    });
    let parent_carer = parent_carer_answers(
        asker,
        input.relationship.as_deref(),
        input.child_knows.as_deref(),
        &mut errors,
    );
    let (Some(asker), Some(person), Some((contact_name, contact))) = (asker, person, contact)
    else {
        return Err(ApiError::Invalid(errors.0));
    };
    errors.into_result()?;
    Ok(SelfReferral {
        asker,
        person,
        about,
        reasons,
        presenting_needs: input.presenting_needs.unwrap_or_default(),
        contact_name,
        contact,
        parent_carer,
        consent_to_share,
        safety,
        received_at: now,
    })
}

/// A parent's or carer's relationship and whether the child knows, both or neither, only from
/// a parent or carer; each by its name in the domain's list.
fn parent_carer_answers(
    asker: Option<Asker>,
    relationship: Option<&str>,
    child_knows: Option<&str>,
    errors: &mut ValidationErrors,
) -> Option<ParentCarerAnswers> {
    use nwd_domain::self_referral::{choice_label, AWARENESS, RELATIONSHIPS};
    if relationship.is_none() && child_knows.is_none() {
        return None;
    }
    if asker == Some(Asker::YoungPerson) {
        errors.add(
            "relationship",
            "only a parent or carer (who: parent_carer) says how they are related and whether the child knows",
        );
        return None;
    }
    let names = |list: &[(&str, &str)]| {
        list.iter()
            .map(|(name, _)| *name)
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut label = |field: &str, value: Option<&str>, list: &[(&str, &'static str)]| {
        let found = value.and_then(|v| choice_label(list, v));
        if found.is_none() {
            errors.add(field, format!("say one of: {}", names(list)));
        }
        found
    };
    let relationship = label("relationship", relationship, RELATIONSHIPS);
    let child_knows = label("child_knows", child_knows, AWARENESS);
    Some(ParentCarerAnswers {
        relationship: relationship?.to_owned(),
        child_knows: child_knows?.to_owned(),
    })
}

/// Checks a self-referral and turns it into an [`Intake`] with the public actor it is
/// recorded as (`public:young-person` or `public:parent-carer`), through the same use case
/// as the API and the pages ([`SelfReferral::into_intake`]). Pure, as [`referral_intake`].
pub fn self_referral_intake(
    input: SelfReferralInput,
    now: Timestamp,
) -> Result<(Intake, Actor), ApiError> {
    parse_self_referral(input, now).map(SelfReferral::into_intake)
}

/// Intake's answer: the receipt, and for a caller who may review person matches the referral
/// and how the person was matched. Never stored by a cache (it carries a secret link).
fn respond(outcome: nwd_store::IntakeOutcome, reveal_matching: bool) -> Response {
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let version = outcome.referral.version;
    let receipt = receipt(&outcome);
    let mut response = if reveal_matching {
        super::with_etag(
            status,
            version,
            IntakeResponse {
                receipt,
                match_band: Some(outcome.matching.band),
                existing_person: Some(outcome.existing_person),
                referral: Some(outcome.referral),
            },
        )
    } else {
        use axum::response::IntoResponse;
        (status, axum::Json(receipt)).into_response()
    };
    // The answer carries a secret link: never stored by a cache.
    nwd_http::headers::security_headers(
        response.headers_mut(),
        nwd_http::headers::Sensitivity::Identifiable,
    );
    response
}

/// The receipt for an intake: the reference, and the status link when this request made the
/// referral (a repeat gets none: see [`IntakeReceipt::status_token`]).
pub fn receipt(outcome: &nwd_store::IntakeOutcome) -> IntakeReceipt {
    let token = outcome.status_token.clone().unwrap_or_default();
    IntakeReceipt {
        reference: reference(&outcome.referral),
        status_url: if token.is_empty() {
            String::new()
        } else {
            nwd_usecase::status::status_path(&token)
        },
        status_token: token,
        repeated: !outcome.created,
    }
}

/// Where a referral stands, for whoever holds its private status link: received, being
/// looked at, what happens next (the service it was passed to, or the named destination).
/// Nothing clinical, no names of people. Every wrong token gets the same 404.
#[utoipa::path(
    get, path = "/api/status/{token}", tag = "intake",
    params(("token" = String, Path, description = "The status token from intake")),
    responses(
        (status = 200, body = nwd_usecase::status::PublicStatus),
        (status = 404, body = Problem), (status = 429, body = Problem)
    )
)]
async fn referral_status(
    State(state): State<AppState>,
    axum::extract::Path(token): axum::extract::Path<String>,
) -> ApiResult<Response> {
    use axum::response::IntoResponse;
    let status = nwd_usecase::status::status_for_token(&state.store, &token).await?;
    let mut response = axum::Json(status).into_response();
    nwd_http::headers::security_headers(
        response.headers_mut(),
        nwd_http::headers::Sensitivity::Identifiable,
    );
    Ok(response)
}

fn required<T>(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
) -> Option<T> {
    match value {
        None => {
            errors.add(field, format!("{field} is required"));
            None
        }
        Some(text) => errors.check(field, parse(&text)),
    }
}

fn parse_reasons(errors: &mut ValidationErrors, reasons: Vec<String>) -> Vec<ReasonCode> {
    reasons
        .iter()
        .enumerate()
        .filter_map(|(i, r)| errors.check(&format!("reasons[{i}]"), ReasonCode::parse(r)))
        .collect()
}
