//! Sends an anonymous consultation from the referral form ([`send`]): the professional's
//! question about a young person they do not name — an age band, the area, the question —
//! through `nwd_usecase::intake::receive_consultation`, once per form (`journey`), and the
//! confirmation with its reference.

use super::send::Sent;
use crate::form::FormData;
use crate::layout::PageError;
use nwd_domain::actor::Actor;
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::consultation::{AgeBand, NewConsultation};
use nwd_domain::referral::Referrer;
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::auth::Principal;

/// Sends answers that `validate` accepted as an anonymous consultation; `hash` is the
/// answers' hash (kept with the form's id as the idempotency key, so that the same form sent
/// twice makes one consultation, and different answers under one id another).
pub(crate) async fn send(
    trail: &RequestAudit,
    state: &AppState,
    form: &FormData,
    principal: Option<&Principal>,
    hash: &str,
) -> Result<Sent, PageError> {
    let non_empty = |name: &str| Some(form.first(name).trim().to_owned()).filter(|v| !v.is_empty());
    let consultation = NewConsultation {
        source: ReferralSource::parse(form.first("source")).map_err(ApiError::BadRequest)?,
        referrer: Referrer {
            name: form.first("referrer-name").trim().to_owned(),
            role: non_empty("referrer-role"),
            organisation: non_empty("organisation"),
            phone: non_empty("referrer-phone"),
            email: non_empty("referrer-email"),
        },
        age_band: AgeBand::parse(form.first("age-band")).map_err(ApiError::BadRequest)?,
        area: form.first("area").trim().to_owned(),
        plain_reasons: super::answers::plain_reasons(form),
        question: form.first("needs").trim().to_owned(),
        priority: Priority::parse(form.first("priority")).map_err(ApiError::BadRequest)?,
        received_at: state.store.now(),
    };
    let actor = match principal {
        Some(p) => Actor::User(p.username.clone()),
        None => Actor::Professional,
    };
    let key = format!("web:{}:{hash}", form.first("journey"));
    let outcome = nwd_usecase::intake::receive_consultation(
        &state.store,
        trail,
        actor,
        principal,
        consultation,
        Some(&key),
    )
    .await?;
    Ok(Sent {
        reference: outcome.consultation.reference(),
        status_path: String::new(),
        advice: true,
        consultation: true,
        safeguarding: false,
        promise: super::send::promise(state, form),
    })
}
