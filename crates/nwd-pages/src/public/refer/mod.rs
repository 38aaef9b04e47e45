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
use nwd_domain::referral::ReferralKind;
use nwd_store::auth::Principal;
use nwd_store::{ReferralSearch, ReferralSort};

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::public::get_help::neutral_response;
use nwd_http::extract::Caller;
use nwd_http::limits::{FormCheck, FormGuard, HONEYPOT_FIELD, ISSUED_FIELD};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_usecase::intake::reference;
use nwd_usecase::status::{public_status, PublicStatus};

mod answers;
mod check_rows;
mod consult;
mod questions;
mod send;
mod validate;

pub(crate) use answers::{asks_advice, is_anonymous, CARER_FIELDS};
pub(crate) use check_rows::answer_rows;
pub(crate) use questions::{
    age_band_choices, group, label_in, reason_choices, safety_choices, source_choices,
};
pub use questions::{
    Group, CONSENT, CONSENT_QUESTION, IDENTIFY, IDENTIFY_QUESTION, KINDS, NOT_SOUGHT,
    NOT_SOUGHT_QUESTION, PRIORITIES, PRIORITY_QUESTION, REASONS, SOURCES, SOURCE_QUESTION,
};
pub(crate) use send::send;
pub use send::{done_page, promise, Sent, ANSWER_FIELDS};
pub(crate) use validate::date_of_birth;
pub use validate::validate;

#[derive(Template)]
#[template(path = "refer.html")]
struct ReferPage {
    layout: Layout,
    form: FormData,
    action: String,
    honeypot: &'static str,
    kinds: Group,
    identify: Group,
    age_bands: Group,
    sources: Group,
    safety: Group,
    reasons: Group,
    priorities: Group,
    consent: Group,
    not_sought: Group,
    about_questions: Vec<crate::public::about::AboutQuestion>,
}

impl ReferPage {
    fn field(&self, name: &str) -> String {
        self.form.first(name).to_owned()
    }
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
        identify: group(
            "identify",
            "For advice: can you tell us who the young person is?",
            false,
            IDENTIFY,
            &form,
        ),
        age_bands: group(
            "age-band",
            "For an anonymous consultation: how old are they?",
            false,
            &age_band_choices(),
            &form,
        ),
        safety: group(
            "carer-safety",
            "Is it safe to contact them?",
            false,
            &safety_choices(),
            &form,
        ),
        not_sought: group(
            "not-sought-reason",
            NOT_SOUGHT_QUESTION,
            false,
            NOT_SOUGHT,
            &form,
        ),
        sources: group("source", SOURCE_QUESTION, false, &sources, &form),
        reasons: group(
            "reasons",
            "What are you worried about? Choose all that apply",
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
            let sent = send(trail, state, &form, Some(principal)).await?;
            Ok(done_page(sent, Some(principal)))
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
