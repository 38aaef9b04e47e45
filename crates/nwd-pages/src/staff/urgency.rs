//! Urgency on the staff pages: the priority and risk tags every list shows
//! ([`UrgencyTags`], `templates/urgency_tags.html`), the referral page's urgency panel and
//! form (`templates/urgency_panel.html`, `POST /staff/referrals/{id}/urgency`), the overdue
//! risk reviews (`/staff/risk-reviews`), and the timeline's words for a change of urgency.
//!
//! It does **not** own rules: `nwd_domain::referral::urgency` decides what may change, what
//! is due when, and who is on which list; the guard decides who may change it (the single
//! point of access, or a clinician of a service the young person is allocated to).

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{Priority, TeamType};
use nwd_domain::need::RiskLevel;
use nwd_domain::referral::urgency::{describe_hours, triage_due, UrgencyCommand};
use nwd_domain::referral::{Command, Referral, ReferralStatus};
use nwd_domain::ReferralId;

use crate::form::FormData;
use crate::layout::{render, see_other, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::pagination::{self, PAGE_SIZE};
use crate::staff::lists::PageQuery;
use crate::staff::triage::{reference_of, referral_page, shown, Choice, PageInput};
use nwd_http::extract::{parse_id, Actor, Caller};
use nwd_http::problem::ApiError;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// Every priority, most urgent first.
pub const PRIORITIES: [Priority; 4] = [
    Priority::Emergency,
    Priority::VeryUrgent,
    Priority::Urgent,
    Priority::Routine,
];

/// A referral's urgency as NHS tags: the clinical priority, a pending request for more
/// urgency, and the risk. Rendered by `templates/urgency_tags.html` (set `tags` first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UrgencyTags {
    /// Clinical response priority.
    pub priority: Priority,
    /// An unverified request for more urgency, awaiting triage.
    pub requested: Option<Priority>,
    /// Current risk, if assessed.
    pub risk: Option<RiskLevel>,
}

impl UrgencyTags {
    /// The tags of a referral.
    pub fn of(referral: &Referral) -> UrgencyTags {
        UrgencyTags {
            priority: referral.priority,
            requested: referral.requested_priority,
            risk: referral.risk,
        }
    }

    /// The tags of a list row.
    pub fn of_summary(summary: &nwd_store::ReferralSummary) -> UrgencyTags {
        UrgencyTags {
            priority: summary.priority,
            requested: summary.requested_priority,
            risk: summary.risk,
        }
    }

    /// The priority's label.
    pub fn priority_label(&self) -> &'static str {
        self.priority.label()
    }

    /// The priority's tag colour.
    pub fn priority_class(&self) -> &'static str {
        priority_class(self.priority)
    }

    /// The requested priority's words.
    pub fn requested_label(&self) -> String {
        self.requested
            .map(|p| format!("{} requested", p.label()))
            .unwrap_or_default()
    }

    /// The risk's words.
    pub fn risk_label(&self) -> String {
        match self.risk {
            Some(risk) => format!("{} risk", risk.label()),
            None => "Risk not assessed".to_owned(),
        }
    }

    /// The risk's tag colour.
    pub fn risk_class(&self) -> &'static str {
        match self.risk {
            Some(RiskLevel::Immediate) => "nhsuk-tag--red",
            Some(RiskLevel::High) => "nhsuk-tag--orange",
            Some(RiskLevel::Medium) => "nhsuk-tag--yellow",
            Some(RiskLevel::Low) => "nhsuk-tag--grey",
            None => "nhsuk-tag--white",
        }
    }
}

/// A priority's tag colour: emergency red, very urgent orange, urgent yellow, routine grey.
pub fn priority_class(priority: Priority) -> &'static str {
    match priority {
        Priority::Emergency => "nhsuk-tag--red",
        Priority::VeryUrgent => "nhsuk-tag--orange",
        Priority::Urgent => "nhsuk-tag--yellow",
        Priority::Routine => "nhsuk-tag--grey",
    }
}

/// The urgency form as typed (empty when read).
#[derive(Debug, Clone, Default)]
pub struct UrgencyForm {
    /// Priority (API name) or "".
    pub priority: String,
    /// Risk (API name) or "".
    pub risk: String,
    /// Review date, YYYY-MM-DD, or "".
    pub review_on: String,
    /// Why.
    pub reason: String,
    /// The change was just saved: show the success banner.
    pub saved: bool,
    /// The form came back (errors or a conflict): show it open.
    pub sent: bool,
}

/// The referral page's urgency panel.
#[derive(Debug, Clone)]
pub struct UrgencyPanel {
    /// Tags.
    pub tags: UrgencyTags,
    /// Why more urgency was requested, while pending.
    pub request_reason: String,
    /// The risk review date, as shown ("" when none).
    pub review_on: String,
    /// The review is overdue.
    pub review_overdue: bool,
    /// Triage due, as shown, while awaiting triage.
    pub triage_due: String,
    /// Time left to triage (or overdue), in hours under two days and days after.
    pub triage_left: String,
    /// Triage is overdue.
    pub triage_overdue: bool,
    /// May change the urgency (holds the clinical write permission and the referral is not
    /// closed).
    pub can_change: bool,
    /// The form as typed.
    pub form: UrgencyForm,
    /// Priority choices.
    pub priorities: Vec<Choice>,
    /// Risk choices.
    pub risks: Vec<Choice>,
}

impl UrgencyPanel {
    /// Show the form open: it came back with errors or a conflict.
    pub fn open_form(&self) -> bool {
        self.form.sent
    }
}

/// Builds the panel for `referral` at now.
pub fn panel(
    state: &AppState,
    referral: &Referral,
    form: UrgencyForm,
    writes: bool,
) -> UrgencyPanel {
    let now = state.store.now();
    let tz = state.store.tz();
    let today = now.to_zoned(tz.clone()).date();
    let due = (referral.status == ReferralStatus::AwaitingTriage)
        .then(|| {
            triage_due(
                referral.triage_priority(),
                referral.source,
                referral.received_at,
                &state
                    .store
                    .standards()
                    .for_team_type(TeamType::SinglePointOfAccess),
                tz,
            )
        })
        .flatten();
    let choices_of = |values: Vec<(&'static str, &'static str)>, picked: &str| -> Vec<Choice> {
        values
            .into_iter()
            .map(|(value, label)| Choice {
                value: value.to_owned(),
                label: label.to_owned(),
                selected: value == picked,
            })
            .collect()
    };
    UrgencyPanel {
        tags: UrgencyTags::of(referral),
        request_reason: referral
            .requested_priority
            .and(referral.request_reason.clone())
            .unwrap_or_default(),
        review_on: referral
            .risk_review_on
            .map(|d| d.strftime("%-d %B %Y").to_string())
            .unwrap_or_default(),
        review_overdue: referral.risk_review_on.is_some_and(|d| d < today),
        triage_due: due.map(|d| shown(d, state)).unwrap_or_default(),
        triage_left: due.map(|d| left(d, now)).unwrap_or_default(),
        triage_overdue: due.is_some_and(|d| d <= now),
        can_change: writes && referral.status != ReferralStatus::Closed,
        priorities: choices_of(
            PRIORITIES.iter().map(|p| (p.as_str(), p.label())).collect(),
            &form.priority,
        ),
        risks: choices_of(
            RiskLevel::ALL
                .iter()
                .rev()
                .map(|r| (r.as_str(), r.label()))
                .collect(),
            &form.risk,
        ),
        form,
    }
}

/// Time from now to `at`, as shown (hours under two days, days after; "overdue" when past).
pub fn left(at: Timestamp, now: Timestamp) -> String {
    let seconds = at.as_second() - now.as_second();
    // Whole hours towards the deadline; an overdue one counts whole hours past it.
    let hours = if seconds >= 0 {
        seconds / 3600
    } else {
        -((-seconds) / 3600).max(1)
    };
    describe_hours(hours)
}

/// The timeline's words for a change of urgency.
pub fn describe_change(
    priority: Option<Priority>,
    risk: Option<RiskLevel>,
    review_on: Option<Date>,
    reason: &str,
) -> (String, String) {
    let mut parts = Vec::new();
    if let Some(p) = priority {
        parts.push(format!("priority {}", p.label().to_lowercase()));
    }
    if let Some(r) = risk {
        parts.push(format!("risk {}", r.label().to_lowercase()));
    }
    if let Some(on) = review_on {
        parts.push(format!("risk review by {}", on.strftime("%-d %B %Y")));
    }
    let what = match parts.split_first() {
        Some((first, rest)) => {
            let mut text = first.clone();
            if let Some(f) = text.get_mut(0..1) {
                f.make_ascii_uppercase();
            }
            for part in rest {
                text.push_str(", ");
                text.push_str(part);
            }
            format!("Urgency reviewed: {text}")
        }
        None => "Urgency reviewed".to_owned(),
    };
    (what, reason.to_owned())
}

/// Parses the urgency form into a command, or the messages naming each bad field.
pub fn parse(typed: &UrgencyForm) -> Result<UrgencyCommand, Vec<FieldMessage>> {
    let mut errors = Vec::new();
    let priority = match typed.priority.as_str() {
        "" => None,
        value => match Priority::parse(value) {
            Ok(p) => Some(p),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "urgency-priority",
                    "Choose a priority from the list",
                ));
                None
            }
        },
    };
    let risk = match typed.risk.as_str() {
        "" => None,
        value => match RiskLevel::parse(value) {
            Ok(r) => Some(r),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "urgency-risk",
                    "Choose a risk level from the list",
                ));
                None
            }
        },
    };
    let risk_review_on = match typed.review_on.trim() {
        "" => None,
        value => match value.parse::<Date>() {
            Ok(d) => Some(d),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "urgency-review",
                    "Enter the review date as a real date, for example 2026-12-24",
                ));
                None
            }
        },
    };
    if typed.reason.trim().is_empty() {
        errors.push(FieldMessage::new(
            "urgency-reason",
            "Say why: the reason is part of the record",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(UrgencyCommand {
        priority,
        risk,
        risk_review_on,
        reason: typed.reason.trim().to_owned(),
    })
}

/// The form field a domain error's field path belongs to.
fn field_id(path: &str) -> &'static str {
    match path.split(['.', '[']).next().unwrap_or("") {
        "risk" => "urgency-risk",
        "risk_review_on" => "urgency-review",
        "reason" => "urgency-reason",
        _ => "urgency-priority",
    }
}

/// Records a change of priority and/or risk, or a risk review date, at the version the form
/// was read at; back to the referral with a success banner.
#[utoipa::path(post, path = "/staff/referrals/{id}/urgency", tag = "pages",
    params(("id" = String, Path), ("csrf" = String, Query, description = "The session's CSRF token")),
    request_body(content = String, content_type = "application/x-www-form-urlencoded"),
    responses((status = 303, description = "Saved: back to the referral"), (status = 409, description = "Someone else changed the referral", content_type = "text/html"), (status = 422, description = "Answers need correcting", content_type = "text/html")))]
pub async fn record(
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
    let typed = UrgencyForm {
        priority: form.first("urgency-priority").to_owned(),
        risk: form.first("urgency-risk").to_owned(),
        review_on: form.first("urgency-review").to_owned(),
        reason: form.first("urgency-reason").to_owned(),
        saved: false,
        sent: true,
    };
    let again = |referral: Referral, version: u32, errors, conflict, status, typed| {
        let input = PageInput {
            triage: crate::staff::triage::TriageForm {
                version,
                ..Default::default()
            },
            actions: crate::staff::actions::ActionForm::fresh(
                version,
                state.store.now(),
                &state,
                &principal.display_name,
            ),
            errors,
            conflict,
            status,
            urgency: typed,
            done: None,
        };
        referral_page(&state, &principal, referral, input)
    };
    let command = match parse(&typed) {
        Ok(command) => command,
        Err(errors) => {
            let current = state.store.referral(id).await.map_err(PageError::staff)?;
            return again(
                current,
                version,
                errors,
                Vec::new(),
                StatusCode::UNPROCESSABLE_ENTITY,
                typed,
            )
            .await;
        }
    };
    match state
        .store
        .execute(
            &trail.signed_in(&principal),
            id,
            version,
            Command::RecordUrgency(command),
            &actor.0,
        )
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/staff/referrals/{id}?saved=urgency#urgency"
        ))),
        Err(error) => {
            let current = state.store.referral(id).await.map_err(PageError::staff)?;
            match ApiError::from(error) {
                ApiError::Conflict { changes, .. } => {
                    let version = current.version;
                    again(
                        current,
                        version,
                        Vec::new(),
                        changes,
                        StatusCode::CONFLICT,
                        typed,
                    )
                    .await
                }
                ApiError::Invalid(fields) => {
                    let errors = fields
                        .into_iter()
                        .map(|f| FieldMessage::new(field_id(&f.field), f.message))
                        .collect();
                    again(
                        current,
                        version,
                        errors,
                        Vec::new(),
                        StatusCode::UNPROCESSABLE_ENTITY,
                        typed,
                    )
                    .await
                }
                ApiError::IllegalTransition(message) => {
                    let errors = vec![FieldMessage::new("urgency-priority", message)];
                    again(
                        current,
                        version,
                        errors,
                        Vec::new(),
                        StatusCode::CONFLICT,
                        typed,
                    )
                    .await
                }
                other => Err(PageError::staff(other)),
            }
        }
    }
}

/// A referral whose risk review is overdue.
#[derive(Debug, Clone)]
pub struct ReviewRow {
    /// Referral id.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// Tags.
    pub tags: UrgencyTags,
    /// The review date, as shown.
    pub review_on: String,
    /// How long overdue.
    pub overdue: String,
    /// Awaiting triage or open.
    pub status: &'static str,
}

#[derive(Template)]
#[template(path = "risk_reviews.html")]
struct ReviewsPage {
    layout: Layout,
    total: u64,
    first_shown: u64,
    last_shown: u64,
    paged: bool,
    rows: Vec<ReviewRow>,
    pagination: String,
}

/// Referrals whose risk review date has passed, most overdue first, in pages of
/// [`PAGE_SIZE`]; only those the caller may open.
#[utoipa::path(get, path = "/staff/risk-reviews", tag = "pages",
    params(("page" = Option<u32>, Query, description = "Page number, from 1")),
    responses((status = 200, description = "Overdue risk reviews", content_type = "text/html")))]
pub async fn overdue_reviews(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<PageQuery>,
) -> PageResult {
    let asked = pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let visible = state.store.visibility(&principal, Permission::ReadClinical);
    let mut list = state
        .store
        .overdue_risk_reviews(&visible, PAGE_SIZE, pagination::offset(asked))
        .await
        .map_err(PageError::staff)?;
    let page = pagination::clamp(asked, list.total);
    if page != asked {
        list = state
            .store
            .overdue_risk_reviews(&visible, PAGE_SIZE, pagination::offset(page))
            .await
            .map_err(PageError::staff)?;
    }
    trail.set_detail(format!("overdue risk reviews page {page}"));
    let now = state.store.now();
    let tz = state.store.tz().clone();
    let rows: Vec<ReviewRow> = list
        .items
        .iter()
        .map(|r| {
            let due = r.risk_review_due.unwrap_or(now);
            // The review date is the day before the moment it became overdue.
            let on = due
                .saturating_sub(jiff::SignedDuration::from_millis(1))
                .unwrap_or(due)
                .to_zoned(tz.clone())
                .date();
            ReviewRow {
                id: r.id.to_string(),
                reference: reference_of(r.id),
                tags: UrgencyTags::of_summary(r),
                review_on: on.strftime("%-d %b %Y").to_string(),
                overdue: left(due, now),
                status: match r.status {
                    ReferralStatus::AwaitingTriage => "Awaiting triage",
                    ReferralStatus::Open => "Open",
                    ReferralStatus::Closed => "Closed",
                },
            }
        })
        .collect();
    let first_shown = u64::from(pagination::offset(page)) + 1;
    let page = ReviewsPage {
        layout: Layout::staff("Overdue risk reviews", &principal),
        total: list.total,
        first_shown,
        last_shown: first_shown + rows.len() as u64 - 1,
        paged: list.total > u64::from(PAGE_SIZE),
        pagination: pagination::nav("Overdue risk review pages", list.total, page, |n| {
            format!("/staff/risk-reviews?page={n}")
        }),
        rows,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Identifiable))
}
