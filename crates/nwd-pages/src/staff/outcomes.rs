//! Recording a routine outcome measure from the referral page (issue 19): the referral page's
//! "Outcome measures" section lists what was recorded and its reliable change
//! (`nwd_usecase::outcomes`), and its "Record scores" button opens this page for the measure
//! chosen — one score field per scale of that measure, the service, who completed it (only the
//! raters the measure allows) and the date. "Record scores" sends a referral command
//! (`Command::RecordOutcome`) at the version the page was read at, checked by the domain and
//! audited with the request; then back to the referral page with its success banner. A
//! problem comes back on this page with every answer as typed; "Cancel" goes back without
//! recording anything.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::civil::Date;
use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::referral::{Command, Referral};
use nwd_domain::{AllocationId, ReferralId};
use serde::Deserialize;

use crate::form::FormData;
use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::staff::triage::Choice;
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// One score field.
pub struct ScaleField {
    /// The form field, `score-{scale}`.
    pub id: String,
    /// The scale's name.
    pub label: String,
    /// Its range, e.g. "0 to 27".
    pub hint: String,
    /// As typed.
    pub value: String,
}

#[derive(Template)]
#[template(path = "referral_outcome_new.html")]
struct NewOutcomePage {
    layout: Layout,
    id: String,
    csrf: String,
    version: u32,
    measure: String,
    licence: String,
    allocations: Vec<Choice>,
    raters: Vec<Choice>,
    date: String,
    scales: Vec<ScaleField>,
}

/// `?measure=phq_9`.
#[derive(Debug, Deserialize)]
pub struct MeasureQuery {
    measure: Option<String>,
}

/// The form as typed (or fresh).
struct Typed {
    version: u32,
    allocation: String,
    rater: String,
    date: String,
    scores: Vec<(String, String)>,
}

fn page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: &Referral,
    definition: &nwd_outcomes::MeasureDefinition,
    typed: &Typed,
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> Response {
    let names = |id: AllocationId| {
        referral
            .allocation(id)
            .map(|a| a.need_group.label().to_owned())
            .unwrap_or_default()
    };
    let allocations = referral
        .active_allocations()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!(
                "Allocated {} ({})",
                shown_date(state, a.allocated_at),
                names(a.id)
            ),
            selected: typed.allocation == a.id.to_string(),
        })
        .collect();
    let raters = OutcomeRater::ALL
        .into_iter()
        .filter(|r| {
            definition
                .completed_by
                .iter()
                .any(|allowed| allowed.code() == r.code())
        })
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: r.label().to_owned(),
            selected: typed.rater == r.code(),
        })
        .collect();
    let scales = definition
        .scales
        .iter()
        .map(|scale| {
            let (low, high) = definition.raw_range(scale);
            let id = format!("score-{}", scale.id);
            ScaleField {
                value: typed
                    .scores
                    .iter()
                    .find(|(k, _)| *k == id)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                id,
                // A GBO goal is labelled in the young person's words, as agreed.
                label: typed
                    .allocation
                    .parse::<AllocationId>()
                    .ok()
                    .and_then(|a| referral.goal_wording(a, &scale.id))
                    .map(|words| format!("{}: {words}", scale.name))
                    .unwrap_or_else(|| scale.name.clone()),
                hint: format!("{low} to {high}. Leave empty if not scored."),
            }
        })
        .collect();
    render(
        &NewOutcomePage {
            layout: Layout::staff(&format!("Record {}", definition.name), principal)
                .with_errors(errors),
            id: referral.id.to_string(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            version: typed.version,
            measure: definition.code.clone(),
            licence: definition.licence.clone(),
            allocations,
            raters,
            date: typed.date.clone(),
            scales,
        },
        status,
        Sensitivity::Identifiable,
    )
}

fn shown_date(state: &AppState, at: jiff::Timestamp) -> String {
    at.to_zoned(state.store.tz().clone())
        .date()
        .strftime("%-d %B %Y")
        .to_string()
}

fn measure(code: &str) -> Result<&'static nwd_outcomes::MeasureDefinition, PageError> {
    nwd_outcomes::bundled().get(code).ok_or_else(|| {
        PageError::staff(ApiError::Invalid(vec![nwd_domain::FieldError {
            field: "measure".into(),
            message: format!("unknown measure {code:?}"),
        }]))
    })
}

/// The form to record one measure's scores.
#[utoipa::path(get, path = "/staff/referrals/{id}/outcomes/new", tag = "pages",
    params(("id" = String, Path), ("measure" = String, Query, description = "The measure's code, e.g. `phq_9`")),
    responses((status = 200, description = "The form for the measure's scores", content_type = "text/html"), (status = 422, description = "Unknown measure", content_type = "text/html")))]
pub async fn new_outcome(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    Query(query): Query<MeasureQuery>,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let definition = measure(query.measure.as_deref().unwrap_or(""))?;
    let typed = Typed {
        version: referral.version,
        allocation: referral
            .active_allocations()
            .next()
            .map(|a| a.id.to_string())
            .unwrap_or_default(),
        rater: String::new(),
        date: state
            .store
            .now()
            .to_zoned(state.store.tz().clone())
            .date()
            .to_string(),
        scores: Vec::new(),
    };
    Ok(page(
        &state,
        &principal,
        &referral,
        definition,
        &typed,
        Vec::new(),
        StatusCode::OK,
    ))
}

/// Records the scores: a referral command at the version the form was read at.
#[utoipa::path(post, path = "/staff/referrals/{id}/outcomes", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Recorded: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn record_outcome(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    let definition = measure(form.first("measure"))?;
    let typed = Typed {
        version: form.first("version").parse().unwrap_or(0),
        allocation: form.first("allocation").to_owned(),
        rater: form.first("rater").to_owned(),
        date: form.first("date").trim().to_owned(),
        scores: definition
            .scales
            .iter()
            .map(|s| {
                let field = format!("score-{}", s.id);
                let value = form.first(&field).trim().to_owned();
                (field, value)
            })
            .collect(),
    };
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let mut errors = Vec::new();
    let allocation_id = typed.allocation.parse::<AllocationId>().ok();
    if allocation_id.is_none() {
        errors.push(FieldMessage::new("allocation", "Choose the service"));
    }
    let rater = OutcomeRater::parse(&typed.rater).ok();
    if rater.is_none() {
        errors.push(FieldMessage::new("rater", "Choose who completed it"));
    }
    let tz = state.store.tz().clone();
    let at = match typed.date.parse::<Date>() {
        Ok(date) if date == state.store.now().to_zoned(tz.clone()).date() => {
            Some(state.store.now())
        }
        Ok(date) => date
            .to_datetime(jiff::civil::time(12, 0, 0, 0))
            .to_zoned(tz)
            .ok()
            .map(|z| z.timestamp()),
        Err(_) => None,
    };
    if at.is_none() {
        errors.push(FieldMessage::new(
            "date",
            "Enter the date it was completed, for example 2026-03-27",
        ));
    }
    let mut scores = Vec::new();
    for (field, value) in &typed.scores {
        if value.is_empty() {
            continue;
        }
        match value
            .parse::<f64>()
            .map_err(|_| "Enter the score as a number".to_owned())
            .and_then(ScaleEntry::tenths)
        {
            Ok(score_tenths) => scores.push(ScaleEntry {
                scale: field.trim_start_matches("score-").to_owned(),
                score_tenths,
            }),
            Err(message) => errors.push(FieldMessage::new(field, message)),
        }
    }
    if scores.is_empty() && errors.iter().all(|e| !e.id.starts_with("score-")) {
        let first = typed.scores.first().map(|(f, _)| f.as_str()).unwrap_or("");
        errors.push(FieldMessage::new(first, "Enter at least one score"));
    }
    let (Some(allocation_id), Some(rater), Some(at), true) =
        (allocation_id, rater, at, errors.is_empty())
    else {
        return Ok(page(
            &state,
            &principal,
            &referral,
            definition,
            &typed,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let command = Command::RecordOutcome(OutcomeAssessment {
        allocation_id,
        measure: definition.code.clone(),
        rater,
        at,
        scores: scores.clone(),
        answers: Vec::new(),
    });
    match trail
        .change_referral(&state, &principal, id, typed.version, command, &actor.0)
        .await
    {
        Ok(_) => crate::staff::destinations::after_change(&state, &principal, id, "outcome").await,
        Err(error) => {
            let (errors, status) = match ApiError::from(error) {
                ApiError::Invalid(fields) => (
                    fields
                        .into_iter()
                        .map(|f| {
                            let field = field_id(&f.field, &scores);
                            FieldMessage::new(&field, f.message)
                        })
                        .collect(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                ApiError::Conflict { .. } => (
                    vec![FieldMessage::new(
                        "allocation",
                        "Someone else changed this referral while you were typing: check the service and send again",
                    )],
                    StatusCode::CONFLICT,
                ),
                ApiError::IllegalTransition(message) | ApiError::NotFound(message) => (
                    vec![FieldMessage::new("allocation", message)],
                    StatusCode::CONFLICT,
                ),
                other => return Err(PageError::staff(other)),
            };
            let now = state.store.referral(id).await.map_err(PageError::staff)?;
            let typed = Typed {
                version: now.version,
                ..typed
            };
            Ok(page(
                &state, &principal, &now, definition, &typed, errors, status,
            ))
        }
    }
}

/// The form field a domain error's path names: `scores[i].…` is that scale's field.
fn field_id(path: &str, scores: &[ScaleEntry]) -> String {
    if let Some(rest) = path.strip_prefix("scores[") {
        let index = rest.split(']').next().and_then(|i| i.parse::<usize>().ok());
        if let Some(entry) = index.and_then(|i| scores.get(i)) {
            return format!("score-{}", entry.scale);
        }
    }
    match path {
        "rater" => "rater".into(),
        "at" => "date".into(),
        _ => "allocation".into(),
    }
}

#[derive(Template)]
#[template(path = "referral_goals_new.html")]
struct GoalsPage {
    layout: Layout,
    id: String,
    csrf: String,
    version: u32,
    allocations: Vec<Choice>,
    goals: Vec<(String, String)>,
}

#[allow(clippy::too_many_arguments)]
fn goals_page(
    state: &AppState,
    principal: &nwd_store::auth::Principal,
    referral: &Referral,
    version: u32,
    allocation: &str,
    goals: &[String; 3],
    errors: Vec<FieldMessage>,
    status: StatusCode,
) -> Response {
    let allocations = referral
        .active_allocations()
        .map(|a| Choice {
            value: a.id.to_string(),
            label: format!(
                "Allocated {} ({})",
                shown_date(state, a.allocated_at),
                a.need_group.label()
            ),
            selected: allocation == a.id.to_string(),
        })
        .collect();
    render(
        &GoalsPage {
            layout: Layout::staff("Agree goals with the young person", principal)
                .with_errors(errors),
            id: referral.id.to_string(),
            csrf: principal.csrf_token.clone().unwrap_or_default(),
            version,
            allocations,
            goals: goals
                .iter()
                .enumerate()
                .map(|(i, g)| (format!("goal-{}", i + 1), g.clone()))
                .collect(),
        },
        status,
        Sensitivity::Identifiable,
    )
}

/// The form to agree Goal-Based Outcomes goals, filled with the goals agreed last.
#[utoipa::path(get, path = "/staff/referrals/{id}/goals/new", tag = "pages",
    params(("id" = String, Path)),
    responses((status = 200, description = "The goals form", content_type = "text/html")))]
pub async fn new_goals(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let allocation = referral
        .active_allocations()
        .next()
        .map(|a| a.id.to_string())
        .unwrap_or_default();
    let mut goals: [String; 3] = Default::default();
    if let Some(agreed) = referral.goals.last() {
        for (slot, goal) in goals.iter_mut().zip(&agreed.goals) {
            slot.clone_from(goal);
        }
    }
    Ok(goals_page(
        &state,
        &principal,
        &referral,
        referral.version,
        &allocation,
        &goals,
        Vec::new(),
        StatusCode::OK,
    ))
}

/// Agrees the goals: a referral command at the version the form was read at.
#[utoipa::path(post, path = "/staff/referrals/{id}/goals", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Agreed: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn agree_goals(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    actor: Actor,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let id = parse_id::<ReferralId>(&id, "referral").map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    let version: u32 = form.first("version").parse().unwrap_or(0);
    let allocation = form.first("allocation").to_owned();
    let goals: [String; 3] = [1, 2, 3].map(|i| form.first(&format!("goal-{i}")).to_owned());
    let referral = state.store.referral(id).await.map_err(PageError::staff)?;
    let Ok(allocation_id) = allocation.parse::<AllocationId>() else {
        return Ok(goals_page(
            &state,
            &principal,
            &referral,
            version,
            &allocation,
            &goals,
            vec![FieldMessage::new("allocation", "Choose the service")],
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    // Empty boxes are goals not set; the numbering follows the boxes filled.
    let agreed: Vec<String> = goals
        .iter()
        .map(|g| g.trim().to_owned())
        .filter(|g| !g.is_empty())
        .collect();
    let command = Command::AgreeGoals(nwd_domain::referral::outcome::GoalsCommand {
        allocation_id,
        goals: agreed,
    });
    match trail
        .change_referral(&state, &principal, id, version, command, &actor.0)
        .await
    {
        Ok(_) => crate::staff::destinations::after_change(&state, &principal, id, "goals").await,
        Err(error) => {
            let (errors, status) = match ApiError::from(error) {
                ApiError::Invalid(fields) => (
                    fields
                        .into_iter()
                        .map(|f| {
                            let field = match f.field.as_str() {
                                "goals" | "goals[0]" => "goal-1",
                                "goals[1]" => "goal-2",
                                "goals[2]" => "goal-3",
                                _ => "allocation",
                            };
                            FieldMessage::new(field, f.message)
                        })
                        .collect(),
                    StatusCode::UNPROCESSABLE_ENTITY,
                ),
                ApiError::Conflict { .. } => (
                    vec![FieldMessage::new(
                        "allocation",
                        "Someone else changed this referral meanwhile: check and send again",
                    )],
                    StatusCode::CONFLICT,
                ),
                ApiError::IllegalTransition(message)
                | ApiError::NotFound(message)
                | ApiError::Forbidden(message) => (
                    vec![FieldMessage::new("allocation", message)],
                    StatusCode::CONFLICT,
                ),
                other => return Err(PageError::staff(other)),
            };
            let now = state.store.referral(id).await.map_err(PageError::staff)?;
            Ok(goals_page(
                &state,
                &principal,
                &now,
                now.version,
                &allocation,
                &goals,
                errors,
                status,
            ))
        }
    }
}
