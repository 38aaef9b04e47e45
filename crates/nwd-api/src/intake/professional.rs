//! The professional referral's answers besides the coded referral, as `POST /api/referrals`
//! reads them: reasons in plain words, the family's contact, the young person's own contact,
//! the safeguarding route ([`details`]); and the anonymous consultation ([`consultation`]),
//! which identifies no child and is never matched to a person.

use jiff::Timestamp;
use nwd_domain::codes::{PlainReason, Priority, ReferralSource};
use nwd_domain::consultation::{AgeBand, NewConsultation};
use nwd_domain::referral::intake::{FamilyContact, IntakeDetails, NotSought};
use nwd_domain::referral::Referrer;
use nwd_domain::ValidationErrors;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use nwd_domain::actor::Actor;
use nwd_http::extract::JsonBody;
use nwd_http::problem::{ApiError, ApiResult};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;

use super::{IntakeReceipt, ReferralInput};

/// An anonymous consultation: advice about a child who is not named. Send it with
/// `kind: "advice_request"` and **no** `person`: only the age band and the area.
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
#[serde(deny_unknown_fields)]
pub struct AnonymousInput {
    /// `under_5`, `5_to_10`, `11_to_15`, `16_to_17` or `18_to_25`.
    pub age_band: Option<String>,
    /// The area they live in: a town or district, never an address (at most 60 characters).
    pub area: Option<String>,
}

/// The plain-word reasons of `input`, each checked (`plain_reasons[i]`).
pub(super) fn plain_reasons(errors: &mut ValidationErrors, input: &[String]) -> Vec<PlainReason> {
    input
        .iter()
        .enumerate()
        .filter_map(|(i, r)| errors.check(&format!("plain_reasons[{i}]"), PlainReason::parse(r)))
        .collect()
}

/// The details of a referral: plain reasons, family contact, own contact, safeguarding
/// route, and whether it also asks for advice.
pub(super) fn details(
    errors: &mut ValidationErrors,
    plain: Vec<PlainReason>,
    family_contact: Option<FamilyContact>,
    young_person_phone: Option<String>,
    young_person_email: Option<String>,
    consent_not_sought: Option<NotSought>,
    also_advice: bool,
) -> IntakeDetails {
    let details = IntakeDetails {
        also_advice,
        plain_reasons: plain,
        family_contact,
        young_person_phone: young_person_phone.filter(|v| !v.trim().is_empty()),
        young_person_email: young_person_email.filter(|v| !v.trim().is_empty()),
        not_sought: consent_not_sought,
    };
    details.validate("", errors);
    details
}

/// Checks an anonymous consultation: nothing identifying may come with it (`person` must be
/// empty), the kind is advice, and the age band, area, question and asker are given.
pub(super) fn consultation(
    input: ReferralInput,
    now: Timestamp,
) -> Result<NewConsultation, ApiError> {
    let mut errors = ValidationErrors::new();
    let anonymous = input.anonymous.unwrap_or_default();
    let person_given = serde_json::to_value(&input.person)
        .map(|v| {
            v != serde_json::to_value(nwd_usecase::person::PersonInput::default())
                .unwrap_or_default()
        })
        .unwrap_or(true);
    if person_given {
        errors.add(
            "person",
            "an anonymous consultation identifies no one: leave out person (name, date of birth, NHS number, address)",
        );
    }
    if input.family_contact.is_some()
        || input.young_person_phone.is_some()
        || input.young_person_email.is_some()
    {
        errors.add(
            "family_contact",
            "an anonymous consultation identifies no one: leave out family_contact and the young person's contact",
        );
    }
    if input.kind.as_deref() != Some("advice_request") {
        errors.add(
            "kind",
            "an anonymous consultation is an advice request: send kind \"advice_request\"",
        );
    }
    let age_band = match anonymous.age_band.as_deref() {
        Some(band) => errors.check("anonymous.age_band", AgeBand::parse(band)),
        None => {
            errors.add("anonymous.age_band", "anonymous.age_band is required");
            None
        }
    };
    let source = match input.source.as_deref() {
        Some(s) => errors.check("source", ReferralSource::parse(s)),
        None => {
            errors.add("source", "source is required");
            None
        }
    };
    let priority = match input.priority.as_deref() {
        Some(p) => errors.check("priority", Priority::parse(p)),
        None => Some(Priority::Routine),
    };
    let plain = plain_reasons(&mut errors, &input.plain_reasons);
    let referrer = input.referrer.unwrap_or_else(|| {
        errors.add("referrer", "say who is asking: name, role and organisation");
        Referrer {
            name: String::new(),
            role: None,
            organisation: None,
            phone: None,
            email: None,
        }
    });
    let (Some(age_band), Some(source), Some(priority)) = (age_band, source, priority) else {
        return Err(ApiError::Invalid(errors.0));
    };
    let consultation = NewConsultation {
        source,
        referrer,
        age_band,
        area: anonymous.area.unwrap_or_default(),
        plain_reasons: plain,
        question: input.presenting_needs.unwrap_or_default(),
        priority,
        received_at: now,
    };
    consultation.validate(&mut errors);
    errors.into_result()?;
    Ok(consultation)
}

/// `POST /api/referrals` with `anonymous`: one consultation (once per `Idempotency-Key` and
/// body), answered with its reference and no status link.
pub(super) async fn create_consultation(
    trail: &RequestAudit,
    state: &AppState,
    caller: &Principal,
    key: Option<String>,
    body: JsonBody<ReferralInput>,
) -> ApiResult<Response> {
    let consultation = consultation(body.value, state.store.now())?;
    let key = key.map(|key| format!("api:{key}:{}", body.hash));
    let outcome = nwd_usecase::intake::receive_consultation(
        &state.store,
        trail,
        Actor::User(caller.username.clone()),
        Some(caller),
        consultation,
        key.as_deref(),
    )
    .await?;
    let status = if outcome.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        axum::Json(IntakeReceipt {
            reference: outcome.consultation.reference(),
            status_token: String::new(),
            status_url: String::new(),
            repeated: !outcome.created,
        }),
    )
        .into_response())
}
