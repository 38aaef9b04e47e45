//! A service's own waiting-time standards, for administrators (permission `manage_directory`):
//! every standard the service is measured against (name, time allowed in hours or days, the
//! share expected to be seen within it, the priorities and referral sources it applies to,
//! where it comes from), changed at the version read, and a reset to the defaults of the
//! service's team type (`config/standards.toml`, as a new service gets).
//!
//! The standards are saved with the rest of the service's details through
//! `Store::update_service`, so `WaitStandard::validate` decides what is valid for this page
//! and for `PUT /api/services/{id}` alike; the page only turns the form into standards,
//! naming what it cannot read. A refused form comes back with an NHS error summary linked to
//! its fields and nothing written; a change made meanwhile is shown, not overwritten.

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::{ServiceId, ValidationErrors};
use nwd_store::auth::Principal;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use nwd_http::extract::{parse_id, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// Rows of the form beyond the service's standards: one empty row to add a standard.
const SPARE_ROWS: usize = 1;

/// Largest share accepted, in percent (a share is of people seen within the target).
const SHARE_MAX: u32 = 100;

/// One standard as typed (or as stored, for the form).
#[derive(Debug, Clone, Default)]
pub struct StandardForm {
    /// Its row on the form.
    pub row: usize,
    /// Name.
    pub name: String,
    /// Time allowed, a whole number.
    pub amount: String,
    /// `hours` or `days`.
    pub unit: String,
    /// Share expected within it, in percent, or "".
    pub share: String,
    /// Priorities ticked (API names); none means all.
    pub priorities: Vec<String>,
    /// Referral sources ticked (API names); none means all.
    pub sources: Vec<String>,
    /// Where it comes from.
    pub citation: String,
    /// Ticked to remove it.
    pub remove: bool,
}

impl StandardForm {
    fn of(row: usize, s: &WaitStandard) -> StandardForm {
        let (amount, unit) = match s.target {
            WaitTarget::Hours(h) => (h, "hours"),
            WaitTarget::Days(d) => (d, "days"),
        };
        StandardForm {
            row,
            name: s.name.clone(),
            amount: amount.to_string(),
            unit: unit.to_owned(),
            share: s
                .target_share_percent
                .map(|p| p.to_string())
                .unwrap_or_default(),
            priorities: s.priorities.iter().map(|p| p.as_str().to_owned()).collect(),
            sources: s.sources.iter().map(|p| p.as_str().to_owned()).collect(),
            citation: s.source.clone(),
            remove: false,
        }
    }

    fn blank(row: usize) -> StandardForm {
        StandardForm {
            row,
            unit: "days".into(),
            ..StandardForm::default()
        }
    }

    fn from_form(form: &FormData, row: usize) -> StandardForm {
        let text = |name: &str| form.first(&format!("{name}-{row}")).to_owned();
        let all = |name: &str| {
            form.all(&format!("{name}-{row}"))
                .into_iter()
                .map(str::to_owned)
                .collect()
        };
        StandardForm {
            row,
            name: text("name"),
            amount: text("amount"),
            unit: text("unit"),
            share: text("share"),
            priorities: all("priorities"),
            sources: all("sources"),
            citation: text("citation"),
            remove: !text("remove").is_empty(),
        }
    }

    /// Nothing typed: an unused spare row.
    fn is_blank(&self) -> bool {
        self.name.trim().is_empty()
            && self.amount.trim().is_empty()
            && self.share.trim().is_empty()
            && self.citation.trim().is_empty()
            && self.priorities.is_empty()
            && self.sources.is_empty()
    }

    /// Whether the priority `value` is ticked.
    pub fn has_priority(&self, value: &str) -> bool {
        self.priorities.iter().any(|p| p == value)
    }

    /// Whether the referral source `value` is ticked.
    pub fn has_source(&self, value: &str) -> bool {
        self.sources.iter().any(|p| p == value)
    }

    /// The standard as typed, naming in `errors` each field that cannot be read (a field
    /// that cannot be read takes a stand-in value, so that the domain's checks can still name
    /// every other problem at once).
    fn standard(&self, errors: &mut Vec<FieldMessage>) -> WaitStandard {
        let row = self.row;
        let amount = match self.amount.trim().parse::<u32>() {
            Ok(n) => n,
            Err(_) => {
                errors.push(FieldMessage::new(
                    &format!("amount-{row}"),
                    "Enter the time allowed as a whole number greater than 0, for example 28",
                ));
                1
            }
        };
        let target = match self.unit.as_str() {
            "hours" => WaitTarget::Hours(amount),
            "days" => WaitTarget::Days(amount),
            _ => {
                errors.push(FieldMessage::new(
                    &format!("unit-{row}"),
                    "Choose whether the time allowed is in hours or days",
                ));
                WaitTarget::Days(amount)
            }
        };
        let share = match self.share.trim().trim_end_matches('%').trim() {
            "" => None,
            text => match text.parse::<u32>() {
                Ok(n) if (1..=SHARE_MAX).contains(&n) => u8::try_from(n).ok(),
                _ => {
                    errors.push(FieldMessage::new(
                        &format!("share-{row}"),
                        "Enter the share expected within the time as a whole number from 1 to 100, for example 95, or leave it empty",
                    ));
                    None
                }
            },
        };
        let priorities: Vec<Priority> = self
            .priorities
            .iter()
            .filter_map(|p| Priority::parse(p).ok())
            .collect();
        if priorities.len() != self.priorities.len() {
            errors.push(FieldMessage::new(
                &format!("priorities-{row}"),
                "Choose priorities from the list",
            ));
        }
        let sources: Vec<ReferralSource> = self
            .sources
            .iter()
            .filter_map(|p| ReferralSource::parse(p).ok())
            .collect();
        if sources.len() != self.sources.len() {
            errors.push(FieldMessage::new(
                &format!("sources-{row}"),
                "Choose referral sources from the list",
            ));
        }
        WaitStandard {
            name: self.name.trim().to_owned(),
            target,
            priorities,
            sources,
            target_share_percent: share,
            source: self.citation.trim().to_owned(),
        }
    }
}

/// Every error of the domain's `WaitStandard::validate` for the standards typed, as form
/// messages, leaving out a field already named (its value was a stand-in).
fn domain_messages(
    standards: &[WaitStandard],
    kept: &[usize],
    already: &[FieldMessage],
) -> Vec<FieldMessage> {
    let mut found = ValidationErrors::new();
    for (i, standard) in standards.iter().enumerate() {
        standard.validate(&format!("standards[{i}]"), &mut found);
    }
    found
        .0
        .into_iter()
        .map(|f| FieldMessage::new(&field_of(&f.field, kept), capitalised(&f.message)))
        .filter(|m| !already.iter().any(|a| a.id == m.id))
        .collect()
}

fn capitalised(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[derive(Template)]
#[template(path = "admin_service_standards.html")]
struct StandardsPage {
    layout: Layout,
    id: String,
    service: String,
    team_type: &'static str,
    version: u32,
    rows: Vec<StandardForm>,
    defaults: Vec<(String, String)>,
    priorities: Vec<(&'static str, &'static str)>,
    sources: Vec<(&'static str, &'static str)>,
    conflict: bool,
    csrf: String,
}

impl StandardsPage {
    /// Whether `row` is the spare row for a new standard.
    fn is_spare(&self, row: &StandardForm) -> bool {
        row.row + SPARE_ROWS >= self.rows.len()
    }

    /// The message for `field` of `row`, if it is invalid.
    fn err(&self, field: &str, row: &StandardForm) -> Option<&str> {
        self.layout.error(&format!("{field}-{}", row.row))
    }
}

#[allow(clippy::too_many_arguments)]
async fn standards_page(
    state: &AppState,
    principal: &Principal,
    id: &str,
    version: u32,
    rows: Vec<StandardForm>,
    errors: Vec<FieldMessage>,
    conflict: bool,
    status: StatusCode,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(id, "service").map_err(PageError::staff)?;
    let (service, _) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    let team_type = service.details.team_type;
    let page = StandardsPage {
        layout: Layout::staff("Waiting-time standards", principal).with_errors(errors),
        id: id.to_owned(),
        service: service.details.name,
        team_type: team_type.label(),
        version,
        rows,
        defaults: state
            .store
            .standards()
            .for_team_type(team_type)
            .iter()
            .map(|s| (s.name.clone(), s.target.describe()))
            .collect(),
        priorities: Priority::ALL
            .iter()
            .map(|p| (p.as_str(), p.label()))
            .collect(),
        sources: ReferralSource::ALL
            .iter()
            .map(|s| (s.as_str(), s.label()))
            .collect(),
        conflict,
        csrf: principal.csrf_token.clone().unwrap_or_default(),
    };
    Ok(render(&page, status, Sensitivity::Identifiable))
}

/// The rows for a service's standards, and the spare row.
fn rows_of(standards: &[WaitStandard]) -> Vec<StandardForm> {
    let mut rows: Vec<StandardForm> = standards
        .iter()
        .enumerate()
        .map(|(i, s)| StandardForm::of(i, s))
        .collect();
    for spare in 0..SPARE_ROWS {
        rows.push(StandardForm::blank(standards.len() + spare));
    }
    rows
}

/// The form: the service's standards, at its current version.
#[utoipa::path(get, path = "/staff/admin/services/{id}/standards", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "A service's waiting-time standards", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn form(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (service, version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    standards_page(
        &state,
        &principal,
        &id,
        version,
        rows_of(&service.details.standards),
        Vec::new(),
        false,
        StatusCode::OK,
    )
    .await
}

/// Where a field's message goes in the error summary: by row, then in the form's order.
fn order_of(id: &str) -> (usize, usize) {
    let (field, row) = id.rsplit_once('-').unwrap_or((id, ""));
    let field = field.split('-').next().unwrap_or(field);
    let position = [
        "name",
        "amount",
        "unit",
        "share",
        "priorities",
        "sources",
        "citation",
    ]
    .iter()
    .position(|f| *f == field)
    .unwrap_or(usize::MAX);
    (row.parse().unwrap_or(usize::MAX), position)
}

/// The id of the form field a domain error is about: `standards[2].target` on the standard
/// that came from form row 3 is `amount-3`.
fn field_of(field: &str, kept: &[usize]) -> String {
    let index = field
        .strip_prefix("standards[")
        .and_then(|rest| rest.split(']').next())
        .and_then(|n| n.parse::<usize>().ok());
    let part = field.rsplit('.').next().unwrap_or_default();
    let id = match part {
        "name" => "name",
        "target" => "amount",
        "target_share_percent" => "share",
        "source" => "citation",
        _ => "name",
    };
    match index.and_then(|i| kept.get(i)) {
        Some(row) => format!("{id}-{row}"),
        None => "standards".to_owned(),
    }
}

/// Saves the standards at the version read, then back to the service; else the form again.
/// Removing every standard gives the service its team type's defaults.
#[utoipa::path(post, path = "/staff/admin/services/{id}/standards", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: to the service"), (status = 404, description = "Not found", content_type = "text/html"), (status = 409, description = "Changed by someone else meanwhile", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn save(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    trail.set_record("service", id.clone());
    let (current, current_version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    let raw = FormData::parse(&body);
    let version: u32 = raw.first("version").parse().unwrap_or(0);
    let count = raw
        .first("rows")
        .parse::<usize>()
        .unwrap_or(0)
        .min(current.details.standards.len() + 50);
    let rows: Vec<StandardForm> = (0..count)
        .map(|row| StandardForm::from_form(&raw, row))
        .collect();
    let mut errors = Vec::new();
    let mut standards = Vec::new();
    let mut kept = Vec::new();
    for row in rows.iter().filter(|r| !r.remove && !r.is_blank()) {
        standards.push(row.standard(&mut errors));
        kept.push(row.row);
    }
    let domain = domain_messages(&standards, &kept, &errors);
    errors.extend(domain);
    errors.sort_by_key(|e| order_of(&e.id));
    if !errors.is_empty() {
        return standards_page(
            &state,
            &principal,
            &id,
            version,
            rows,
            errors,
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let mut details = current.details.clone();
    details.standards = standards;
    match state
        .store
        .update_service(&trail.signed_in(&principal), service_id, details, version)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staff/admin/services/{id}#standards"))),
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict { .. } => {
                standards_page(
                    &state,
                    &principal,
                    &id,
                    current_version,
                    rows,
                    Vec::new(),
                    true,
                    StatusCode::CONFLICT,
                )
                .await
            }
            ApiError::Invalid(fields) => {
                let errors = fields
                    .into_iter()
                    .map(|f| FieldMessage::new(&field_of(&f.field, &kept), capitalised(&f.message)))
                    .collect();
                standards_page(
                    &state,
                    &principal,
                    &id,
                    version,
                    rows,
                    errors,
                    false,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            other => Err(PageError::staff(other)),
        },
    }
}

/// Replaces the service's standards with its team type's defaults, at the version read.
#[utoipa::path(post, path = "/staff/admin/services/{id}/standards/reset", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Reset: to the service"), (status = 404, description = "Not found", content_type = "text/html"), (status = 409, description = "Changed by someone else meanwhile", content_type = "text/html")))]
pub async fn reset(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    body: Bytes,
) -> PageResult {
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    trail.set_record("service", id.clone());
    let (current, current_version) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    let form = FormData::parse(&body);
    if !crate::admin::confirm::confirmed(&form) {
        return Ok(crate::admin::confirm::to_question(
            &format!("/staff/admin/services/{id}/standards/reset"),
            &form,
        ));
    }
    let version: u32 = form.first("version").parse().unwrap_or(0);
    let mut details = current.details.clone();
    details.standards = state.store.standards().for_team_type(details.team_type);
    trail.set_detail("standards_reset_to_team_type_defaults".to_owned());
    match state
        .store
        .update_service(&trail.signed_in(&principal), service_id, details, version)
        .await
    {
        Ok(_) => Ok(see_other(&format!("/staff/admin/services/{id}#standards"))),
        Err(error) => match ApiError::from(error) {
            ApiError::Conflict { .. } => {
                standards_page(
                    &state,
                    &principal,
                    &id,
                    current_version,
                    rows_of(&current.details.standards),
                    Vec::new(),
                    true,
                    StatusCode::CONFLICT,
                )
                .await
            }
            other => Err(PageError::staff(other)),
        },
    }
}

/// "Are you sure?" before resetting a service's standards (`admin::confirm`): the question the button's post redirects
/// to; only its "Yes" changes anything.
#[utoipa::path(get, path = "/staff/admin/services/{id}/standards/reset", tag = "pages", params(("id" = String, Path)),
    responses((status = 200, description = "The confirmation page", content_type = "text/html"), (status = 404, description = "Not found", content_type = "text/html")))]
pub async fn reset_question(
    State(state): State<AppState>,
    Caller(principal): Caller,
    Path(id): Path<String>,
    axum::extract::RawQuery(query): axum::extract::RawQuery,
) -> PageResult {
    let form = crate::form::FormData::parse(query.unwrap_or_default().as_bytes());
    let service_id = parse_id::<ServiceId>(&id, "service").map_err(PageError::staff)?;
    let (current, _) = state
        .store
        .service(service_id)
        .await
        .map_err(PageError::staff)?;
    crate::admin::confirm::ask(
        &principal,
        &form,
        crate::admin::confirm::Question {
            title: format!("Reset the standards of {}?", current.details.name),
            consequence: "Every waiting-time standard of this service is replaced by its team type's defaults, and its waits are measured against those from now on. The change is recorded; you can set the standards again afterwards.".into(),
            button: "Yes, reset the standards".into(),
            action: format!("/staff/admin/services/{id}/standards/reset"),
            back: format!("/staff/admin/services/{id}/standards"),
        },
    )
}
