//! The person-match review queue and its review page: the provisional record beside each
//! registered person it may be, the matcher's scores explained field by field (the waterfall
//! of weights), and the decisions — the same person (link), a new person, or not the same
//! person (remembered so they are not proposed again). The decision carries the item's
//! version; a decision someone else made meanwhile is shown, not overwritten.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::linking::{MatchBand, MatchProposal};
use nwd_domain::person::Person;
use nwd_domain::PersonId;
use nwd_store::{MatchReview, ReviewDecision};
use serde_json::Value;
use uuid::Uuid;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::{reference_of, shown};
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// A review item in a list.
#[derive(Debug, Clone)]
pub struct ReviewLink {
    /// Review id.
    pub id: String,
    /// The referral's reference.
    pub reference: String,
    /// When queued, as shown.
    pub created: String,
    /// How many registered people it may be.
    pub candidates: usize,
    /// The best candidate's match probability, as a percentage.
    pub best: String,
}

/// The open review items, oldest first.
pub(crate) async fn open_reviews(
    state: &AppState,
    limit: u32,
) -> Result<Vec<ReviewLink>, nwd_store::StoreError> {
    Ok(state
        .store
        .match_reviews("open", limit)
        .await?
        .iter()
        .map(|r| ReviewLink {
            id: r.id.to_string(),
            reference: reference_of(r.referral_id),
            created: shown(r.created_at, state),
            candidates: r.candidates.len(),
            best: r
                .candidates
                .first()
                .map(|(c, _)| percent(c.match_probability))
                .unwrap_or_default(),
        })
        .collect())
}

fn percent(probability: f64) -> String {
    format!("{:.1}%", probability * 100.0)
}

/// One bar of the matcher's waterfall.
#[derive(Debug, Clone)]
pub struct WeightRow {
    /// What was compared or which rule applied, in words.
    pub what: String,
    /// The level reached or the rule's reason.
    pub level: String,
    /// Bits added (signed, one decimal).
    pub weight: String,
    /// Evidence for (positive) or against.
    pub for_match: bool,
}

/// A candidate with its explanation.
#[derive(Debug, Clone)]
pub struct CandidateView {
    /// Registered person id.
    pub person_id: String,
    /// Their details side by side with the incoming record (label, value).
    pub details: Vec<(&'static str, String)>,
    /// Match probability as a percentage.
    pub probability: String,
    /// Total match weight in bits.
    pub weight: String,
    /// The waterfall.
    pub rows: Vec<WeightRow>,
}

/// How a referral's person was decided, for the referral page.
#[derive(Debug, Clone)]
pub struct MatchSummary {
    /// The outcome in words.
    pub outcome: String,
    /// Rules that decided or constrained it.
    pub rules: Vec<String>,
    /// Candidates, best first.
    pub candidates: Vec<CandidateView>,
}

impl MatchSummary {
    /// From the recorded proposal.
    pub fn of(proposal: &MatchProposal) -> MatchSummary {
        MatchSummary {
            outcome: match proposal.band {
                MatchBand::Auto => "Linked to a registered young person without review",
                MatchBand::Review => "A possible match: sent for review",
                MatchBand::New => "No match: registered as a new young person",
            }
            .to_owned(),
            rules: proposal.rules.clone(),
            candidates: proposal
                .candidates
                .iter()
                .map(|c| CandidateView {
                    person_id: c.person_id.to_string(),
                    details: Vec::new(),
                    probability: percent(c.match_probability),
                    weight: format!("{:+.1}", c.match_weight),
                    rows: explain(&c.explanation),
                })
                .collect(),
        }
    }
}

fn words(name: &str) -> String {
    let mut text = name.replace('_', " ");
    if let Some(first) = text.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    text
}

/// The matcher's explanation (`nwd_match::Explanation` as JSON: `prior_weight`,
/// `comparisons[{comparison, level, weight, tf_adjustment}]`, `rules[{rule,
/// weight_adjustment, detail}]`) as rows. Parts that are missing are left out.
pub fn explain(explanation: &Value) -> Vec<WeightRow> {
    let number = |v: &Value, key: &str| v.get(key).and_then(Value::as_f64).unwrap_or(0.0);
    let text = |v: &Value, key: &str| {
        v.get(key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let mut rows = Vec::new();
    if let Some(prior) = explanation.get("prior_weight").and_then(Value::as_f64) {
        rows.push(WeightRow {
            what: "Starting point (how likely any two records are the same person)".into(),
            level: String::new(),
            weight: format!("{prior:+.1}"),
            for_match: prior >= 0.0,
        });
    }
    for comparison in explanation
        .get("comparisons")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let weight = number(comparison, "weight") + number(comparison, "tf_adjustment");
        rows.push(WeightRow {
            what: words(&text(comparison, "comparison")),
            level: text(comparison, "level"),
            weight: format!("{weight:+.1}"),
            for_match: weight >= 0.0,
        });
    }
    for rule in explanation
        .get("rules")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let weight = number(rule, "weight_adjustment");
        rows.push(WeightRow {
            what: format!("Rule: {}", words(&text(rule, "rule"))),
            level: text(rule, "detail"),
            weight: format!("{weight:+.1}"),
            for_match: weight >= 0.0,
        });
    }
    rows
}

fn details(person: &Person) -> Vec<(&'static str, String)> {
    let d = &person.details;
    vec![
        ("Name", format!("{} {}", d.given_name, d.family_name)),
        (
            "Date of birth",
            d.date_of_birth.strftime("%-d %B %Y").to_string(),
        ),
        ("Sex", format!("{:?}", d.sex)),
        (
            "NHS number",
            d.nhs_number
                .as_ref()
                .map(|n| n.formatted())
                .unwrap_or_else(|| "Not given".into()),
        ),
        (
            "Postcode",
            d.postcode
                .as_ref()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_else(|| "Not given".into()),
        ),
        (
            "Address",
            d.address.clone().unwrap_or_else(|| "Not given".into()),
        ),
    ]
}

#[derive(Template)]
#[template(path = "match_reviews.html")]
struct ReviewsPage {
    layout: Layout,
    reviews: Vec<ReviewLink>,
}

/// The person-match review queue.
#[utoipa::path(get, path = "/staff/match-reviews", tag = "pages",
    responses((status = 200, description = "Open person-match reviews", content_type = "text/html")))]
pub async fn queue(State(state): State<AppState>, Caller(principal): Caller) -> PageResult {
    let reviews = open_reviews(&state, 200).await.map_err(PageError::staff)?;
    let page = ReviewsPage {
        layout: Layout::staff("Person matches to review", &principal),
        reviews,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}

#[derive(Template)]
#[template(path = "match_review.html")]
struct ReviewPage {
    layout: Layout,
    id: String,
    reference: String,
    referral_id: String,
    status: String,
    incoming: Vec<(&'static str, String)>,
    candidates: Vec<CandidateView>,
    version: u32,
    decision: String,
    reason: String,
    conflict: bool,
    csrf: String,
}

/// A person-match review item: the records side by side and the scores explained.
#[utoipa::path(get, path = "/staff/match-reviews/{id}", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "A person-match review", content_type = "text/html"), (status = 404, description = "Not found")))]
pub async fn review(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id::<Uuid>(&id, "match review").map_err(PageError::staff)?;
    let item = state
        .store
        .match_review(id)
        .await
        .map_err(PageError::staff)?;
    let version = item.version;
    review_page(
        &trail,
        &principal,
        item,
        version,
        (String::new(), String::new()),
        Vec::new(),
        false,
        StatusCode::OK,
    )
}

#[allow(clippy::too_many_arguments)]
fn review_page(
    trail: &RequestAudit,
    principal: &nwd_store::auth::Principal,
    item: MatchReview,
    version: u32,
    (decision, reason): (String, String),
    errors: Vec<FieldMessage>,
    conflict: bool,
    status: StatusCode,
) -> PageResult {
    trail.set_person(item.person.id);
    let candidates = item
        .candidates
        .iter()
        .map(|(candidate, person)| CandidateView {
            person_id: candidate.person_id.to_string(),
            details: person.as_ref().map(details).unwrap_or_default(),
            probability: percent(candidate.match_probability),
            weight: format!("{:+.1}", candidate.match_weight),
            rows: explain(&candidate.explanation),
        })
        .collect();
    let page = ReviewPage {
        layout: Layout::staff("Is this the same young person?", principal).with_errors(errors),
        id: item.id.to_string(),
        reference: reference_of(item.referral_id),
        referral_id: item.referral_id.to_string(),
        status: item.status.replace('_', " "),
        incoming: details(&item.person),
        candidates,
        version,
        decision,
        reason,
        conflict,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// Decides a review item: link to a candidate, a new person, or not the same person.
#[utoipa::path(post, path = "/staff/match-reviews/{id}/decision", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Decided: back to the queue"), (status = 409, description = "Someone else decided meanwhile", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn decide(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id::<Uuid>(&id, "match review").map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    let typed = (
        form.first("decision").to_owned(),
        form.first("reason").to_owned(),
    );
    let version: u32 = form.first("version").parse().unwrap_or(0);
    let mut errors = Vec::new();
    let decision = match typed.0.as_str() {
        "new_person" => Some(ReviewDecision::NewPerson),
        "not_same" => Some(ReviewDecision::NotSame),
        other => match other
            .strip_prefix("link:")
            .and_then(|p| p.parse::<PersonId>().ok())
        {
            Some(person_id) => Some(ReviewDecision::Link { person_id }),
            None => {
                errors.push(FieldMessage::new(
                    "decision",
                    "Choose whether this is the same young person as a record shown",
                ));
                None
            }
        },
    };
    if typed.1.trim().is_empty() {
        errors.push(FieldMessage::new(
            "reason",
            "Say why: the reason is kept with the decision",
        ));
    }
    let item = state
        .store
        .match_review(id)
        .await
        .map_err(PageError::staff)?;
    let Some(decision) = decision.filter(|_| errors.is_empty()) else {
        return review_page(
            &trail,
            &principal,
            item,
            version,
            typed,
            errors,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    match state
        .store
        .decide_review(
            &trail.signed_in(&principal),
            id,
            version,
            decision,
            typed.1.trim(),
            &actor.0,
        )
        .await
    {
        Ok(_) => Ok(see_other("/staff/match-reviews")),
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict { current, .. } => review_page(
                &trail,
                &principal,
                item,
                current,
                typed,
                Vec::new(),
                true,
                StatusCode::CONFLICT,
            ),
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| {
                        let id = if f.field == "reason" {
                            "reason"
                        } else {
                            "decision"
                        };
                        FieldMessage::new(id, f.message)
                    })
                    .collect();
                review_page(
                    &trail,
                    &principal,
                    item,
                    version,
                    typed,
                    errors,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
            ApiError::IllegalTransition(message) => review_page(
                &trail,
                &principal,
                item,
                version,
                typed,
                vec![FieldMessage::new("decision", message)],
                false,
                StatusCode::CONFLICT,
            ),
            other => Err(PageError::staff(other)),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::explain;

    #[test]
    fn the_waterfall_reads_as_rows_with_signed_weights() {
        let rows = explain(&serde_json::json!({
            "prior_weight": -14.2,
            "comparisons": [
                {"comparison": "date_of_birth", "level": "exact", "weight": 8.04, "tf_adjustment": 0.0},
                {"comparison": "given_name", "level": "jaro-winkler >= 0.92", "weight": 5.0, "tf_adjustment": 1.25}
            ],
            "rules": [{"rule": "sibling_penalty", "weight_adjustment": -6.0, "detail": "same household"}],
            "match_weight": -0.9
        }));
        let shown: Vec<(String, String, bool)> = rows
            .iter()
            .map(|r| (r.what.clone(), r.weight.clone(), r.for_match))
            .collect();
        assert_eq!(
            shown,
            vec![
                (
                    "Starting point (how likely any two records are the same person)".into(),
                    "-14.2".into(),
                    false
                ),
                ("Date of birth".into(), "+8.0".into(), true),
                ("Given name".into(), "+6.2".into(), true),
                ("Rule: Sibling penalty".into(), "-6.0".into(), false),
            ]
        );
        assert!(explain(&serde_json::json!(null)).is_empty());
    }
}
