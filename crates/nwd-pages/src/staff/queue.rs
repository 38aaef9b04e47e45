//! The triage queue (`/staff/triage`): every referral and advice request awaiting triage that
//! the caller may open, with its true total, in pages of 50, most urgent first (priority, then
//! the assessed risk, then the longest waiting), each row naming the young person (name, age today), the reason, the
//! source, when it arrived and how long it has waited, its priority and the triage standard's
//! due time. Filters: kind, source group, source, reason, priority, area, received dates; the
//! search box leads to the staff search (`crate::staff::search`). The filters and rows are shared with
//! the search page.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::authz::Permission;
use nwd_domain::codes::{Priority, ReasonCode, ReferralSource, TeamType};
use nwd_domain::person::age_in_years;
use nwd_domain::referral::{ReferralKind, ReferralStatus};
use nwd_domain::search::SourceGroup;
use nwd_store::{ListedReferral, ReferralSearch, ReferralSort};
use serde::Deserialize;

use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::pagination::{self, PAGE_SIZE};
use crate::staff::review::ReviewLink;
use crate::staff::triage::{choices, reference_of, shown, waited, Choice};
use crate::staff::urgency::UrgencyTags;
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// The filters a staff list of referrals takes (every one optional).
#[derive(Debug, Default, Clone, Deserialize)]
pub struct ListQuery {
    /// `referral` or `advice_request`.
    pub kind: Option<String>,
    /// Source group: the letter of the MHSDS code (`A`, `B`, …).
    pub source_group: Option<String>,
    /// Source of referral (API name).
    pub source: Option<String>,
    /// Primary reason (API name).
    pub reason: Option<String>,
    /// Priority (API name).
    pub priority: Option<String>,
    /// The young person's postcode area (`ME`) or district (`ME14`).
    pub area: Option<String>,
    /// Received on or after (`YYYY-MM-DD`).
    pub received_from: Option<String>,
    /// Received on or before (`YYYY-MM-DD`).
    pub received_to: Option<String>,
    /// Page, from 1.
    pub page: Option<String>,
}

/// The filters' choices and typed values, to show the form again.
#[derive(Debug, Clone, Default)]
pub struct FilterForm {
    /// Kinds.
    pub kinds: Vec<Choice>,
    /// Source groups.
    pub source_groups: Vec<Choice>,
    /// Sources.
    pub sources: Vec<Choice>,
    /// Reasons.
    pub reasons: Vec<Choice>,
    /// Priorities.
    pub priorities: Vec<Choice>,
    /// Area as typed.
    pub area: String,
    /// Received from, as typed.
    pub received_from: String,
    /// Received to, as typed.
    pub received_to: String,
}

fn selected(value: &Option<String>) -> Vec<&str> {
    value
        .as_deref()
        .filter(|v| !v.is_empty())
        .into_iter()
        .collect()
}

/// A date filter (`YYYY-MM-DD`, as a date input sends it) or why not.
fn parse_day(text: &str) -> Result<Option<Date>, String> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<Date>()
        .map(Some)
        .map_err(|_| format!("{text} is not a real date: enter it like 2026-03-27"))
}

/// One value chosen from a list, or a message naming the field.
fn one_of<T>(
    field: &str,
    value: &Option<String>,
    parse: impl Fn(&str) -> Result<T, String>,
    errors: &mut Vec<FieldMessage>,
) -> Option<T> {
    let text = value.as_deref().map(str::trim).filter(|v| !v.is_empty())?;
    match parse(text) {
        Ok(v) => Some(v),
        Err(message) => {
            errors.push(FieldMessage::new(field, message));
            None
        }
    }
}

impl ListQuery {
    /// Applies the filters to `search`; every invalid one gets a message naming its field.
    pub fn apply(
        &self,
        state: &AppState,
        search: &mut ReferralSearch,
        errors: &mut Vec<FieldMessage>,
    ) -> FilterForm {
        search.kind = one_of(
            "kind",
            &self.kind,
            |k| match k {
                "referral" => Ok(ReferralKind::Referral),
                "advice_request" => Ok(ReferralKind::AdviceRequest),
                _ => Err("Choose referrals or advice requests".into()),
            },
            errors,
        );
        if let Some(group) = one_of(
            "source_group",
            &self.source_group,
            SourceGroup::parse,
            errors,
        ) {
            search.sources = group.sources();
        }
        search.source = one_of("source", &self.source, ReferralSource::parse, errors);
        search.reason = one_of("reason", &self.reason, ReasonCode::parse, errors);
        search.priority = one_of("priority", &self.priority, Priority::parse, errors);
        let typed_area = self.area.clone().unwrap_or_default();
        search.area = match crate::staff::triage::parse_area(&typed_area) {
            Ok(area) => area,
            Err(message) => {
                errors.push(FieldMessage::new("area", message));
                None
            }
        };
        let tz = state.store.tz().clone();
        let start_of = |day: Date| day.to_zoned(tz.clone()).ok().map(|z| z.timestamp());
        let from_text = self.received_from.clone().unwrap_or_default();
        let to_text = self.received_to.clone().unwrap_or_default();
        let from = parse_day(&from_text).unwrap_or_else(|m| {
            errors.push(FieldMessage::new("received_from", m));
            None
        });
        let to = parse_day(&to_text).unwrap_or_else(|m| {
            errors.push(FieldMessage::new("received_to", m));
            None
        });
        if let (Some(from), Some(to)) = (from, to) {
            if to < from {
                errors.push(FieldMessage::new(
                    "received_to",
                    "The end of the received dates must be on or after the start",
                ));
            }
        }
        search.received_from = from.and_then(start_of);
        // "To" includes the whole day: before the start of the next.
        search.received_to = to.and_then(|d| d.tomorrow().ok()).and_then(start_of);
        FilterForm {
            kinds: vec![
                Choice {
                    value: "referral".into(),
                    label: "Referrals".into(),
                    selected: self.kind.as_deref() == Some("referral"),
                },
                Choice {
                    value: "advice_request".into(),
                    label: "Advice requests".into(),
                    selected: self.kind.as_deref() == Some("advice_request"),
                },
            ],
            source_groups: SourceGroup::ALL
                .iter()
                .map(|(letter, label)| Choice {
                    value: letter.to_string(),
                    label: (*label).to_owned(),
                    selected: self
                        .source_group
                        .as_deref()
                        .is_some_and(|g| g.eq_ignore_ascii_case(&letter.to_string())),
                })
                .collect(),
            sources: choices(
                ReferralSource::ALL,
                |s| s.as_str(),
                |s| s.label().to_owned(),
                &selected(&self.source),
            ),
            reasons: choices(
                ReasonCode::ALL,
                |r| r.as_str(),
                |r| r.label().to_owned(),
                &selected(&self.reason),
            ),
            priorities: choices(
                Priority::ALL,
                |p| p.as_str(),
                |p| p.label().to_owned(),
                &selected(&self.priority),
            ),
            area: search.area.clone().unwrap_or(typed_area),
            received_from: from_text,
            received_to: to_text,
        }
    }

    /// The query string of these filters (for the page links), without the page.
    pub fn link(&self) -> String {
        let pairs = [
            ("kind", &self.kind),
            ("source_group", &self.source_group),
            ("source", &self.source),
            ("reason", &self.reason),
            ("priority", &self.priority),
            ("area", &self.area),
            ("received_from", &self.received_from),
            ("received_to", &self.received_to),
        ];
        encode(pairs.iter().map(|(k, v)| (*k, v.as_deref().unwrap_or(""))))
    }
}

/// `key=value&…` of the non-empty values, percent-encoded.
pub(crate) fn encode<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs {
        if !value.trim().is_empty() {
            out.append_pair(key, value.trim());
        }
    }
    out.finish()
}

/// A referral in a staff list.
#[derive(Debug, Clone)]
pub struct ReferralRow {
    /// Id, for the link.
    pub id: String,
    /// Reference.
    pub reference: String,
    /// The young person's name.
    pub name: String,
    /// Age today, in years.
    pub age: i16,
    /// Referral or advice request.
    pub kind: &'static str,
    /// Priority, requested priority and risk, as tags.
    pub tags: UrgencyTags,
    /// Source label.
    pub source: &'static str,
    /// Primary reason label.
    pub reason: &'static str,
    /// Status label.
    pub status: &'static str,
    /// Received, as shown.
    pub received: String,
    /// Waited so far, e.g. "3 days" or "5 hours".
    pub waited: String,
    /// The triage standard's deadline, as shown (awaiting triage only).
    pub due: String,
    /// Past the deadline.
    pub breached: bool,
}

/// The rows of a page of referrals.
pub(crate) fn rows(state: &AppState, items: &[ListedReferral]) -> Vec<ReferralRow> {
    let now = state.store.now();
    let tz = state.store.tz().clone();
    let today = now.to_zoned(tz.clone()).date();
    let standards = state
        .store
        .standards()
        .for_team_type(TeamType::SinglePointOfAccess);
    items
        .iter()
        .map(|listed| {
            let item = &listed.summary;
            let awaiting = item.status == ReferralStatus::AwaitingTriage;
            // The one rule (nwd_domain::referral::urgency::triage_due): the single point of
            // access's standard for the current priority, or a pending request for more.
            let triage_priority = item.requested_priority.map_or(item.priority, |requested| {
                nwd_domain::referral::urgency::more_urgent(item.priority, requested)
            });
            let deadline: Option<Timestamp> = awaiting
                .then(|| {
                    nwd_domain::referral::urgency::triage_due(
                        triage_priority,
                        item.source,
                        item.received_at,
                        &standards,
                        &tz,
                    )
                })
                .flatten();
            ReferralRow {
                id: item.id.to_string(),
                reference: reference_of(item.id),
                name: format!("{} {}", listed.given_name, listed.family_name),
                age: age_in_years(listed.date_of_birth, today),
                kind: if item.kind == "advice_request" {
                    "Advice request"
                } else {
                    "Referral"
                },
                tags: UrgencyTags::of_summary(item),
                source: item.source.label(),
                reason: item.primary_reason.map_or("Not yet coded", |r| r.label()),
                status: match item.status {
                    ReferralStatus::AwaitingTriage => "Awaiting triage",
                    ReferralStatus::Open => "Open",
                    ReferralStatus::Closed => "Closed",
                },
                received: shown(item.received_at, state),
                waited: waited(item.received_at, now),
                due: deadline.map(|d| shown(d, state)).unwrap_or_default(),
                breached: deadline.is_some_and(|d| d < now),
            }
        })
        .collect()
}

/// "Showing 51 to 100 of 873." for a list of more than one page.
pub(crate) fn shown_range(page: u32, rows: usize, total: u64, more_than: bool) -> String {
    if rows == 0 || (total <= u64::from(PAGE_SIZE) && !more_than) {
        return String::new();
    }
    let first = u64::from(pagination::offset(page)) + 1;
    let of = if more_than {
        format!("more than {total}")
    } else {
        total.to_string()
    };
    format!("Showing {first} to {} of {of}.", first + rows as u64 - 1)
}

#[derive(Template)]
#[template(path = "triage_queue.html")]
struct QueuePage {
    layout: Layout,
    rows: Vec<ReferralRow>,
    total: u64,
    filters: FilterForm,
    filtered: bool,
    shown: String,
    pages: String,
    reviews: Option<Vec<ReviewLink>>,
    consultations: Vec<crate::staff::consultations::ConsultationRow>,
}

/// The triage queue.
#[utoipa::path(get, path = "/staff/triage", tag = "pages",
    params(("kind" = Option<String>, Query), ("source_group" = Option<String>, Query), ("source" = Option<String>, Query),
        ("reason" = Option<String>, Query), ("priority" = Option<String>, Query), ("area" = Option<String>, Query),
        ("received_from" = Option<String>, Query), ("received_to" = Option<String>, Query), ("page" = Option<u32>, Query)),
    responses((status = 200, description = "Referrals awaiting triage", content_type = "text/html"), (status = 401, description = "Not signed in")))]
pub async fn queue(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<ListQuery>,
) -> PageResult {
    let asked = pagination::requested(query.page.as_deref(), "page").map_err(PageError::staff)?;
    let mut errors = Vec::new();
    let mut search = ReferralSearch {
        status: Some(ReferralStatus::AwaitingTriage),
        sort: ReferralSort::Priority,
        limit: PAGE_SIZE,
        visible_to: Some(state.store.visibility(&principal, Permission::ReadClinical)),
        ..ReferralSearch::default()
    };
    let filters = query.apply(&state, &mut search, &mut errors);
    // The queue is bounded by its status (awaiting triage): counted exactly.
    let mut list = state
        .store
        .referral_list(&search, pagination::offset(asked), None)
        .await
        .map_err(PageError::staff)?;
    let page = pagination::clamp(asked, list.total);
    if page != asked {
        list = state
            .store
            .referral_list(&search, pagination::offset(page), None)
            .await
            .map_err(PageError::staff)?;
    }
    trail.set_detail(format!(
        "triage queue page {page}; filters: {}; shown: {}",
        used_filters(&search),
        shown_ids(&list.items)
    ));
    let reviews = if principal.holds(Permission::ManageRegister, &state.store.access().roles) {
        Some(
            crate::staff::review::open_reviews(&state, 10)
                .await
                .map_err(PageError::staff)?,
        )
    } else {
        None
    };
    let link = query.link();
    let rows = rows(&state, &list.items);
    let consultations = crate::staff::consultations::waiting(&state).await?;
    let page_view = QueuePage {
        consultations,
        layout: Layout::staff("Triage queue", &principal).with_errors(errors),
        shown: shown_range(page, rows.len(), list.total, false),
        pages: pagination::nav("Triage queue pages", list.total, page, |n| {
            if link.is_empty() {
                format!("/staff/triage?page={n}")
            } else {
                format!("/staff/triage?{link}&page={n}")
            }
        }),
        total: list.total,
        rows,
        filters,
        filtered: !link.is_empty(),
        reviews,
    };
    Ok(render(
        &page_view,
        StatusCode::OK,
        Sensitivity::Identifiable,
    ))
}

/// The names of the filters a search used, for its audit entry (never their values).
pub(crate) fn used_filters(search: &ReferralSearch) -> String {
    let used = [
        ("status", search.status.is_some()),
        ("kind", search.kind.is_some()),
        ("source_group", !search.sources.is_empty()),
        ("source", search.source.is_some()),
        ("reason", search.reason.is_some()),
        ("priority", search.priority.is_some()),
        ("need_group", search.need_group.is_some()),
        ("area", search.area.is_some()),
        ("received_from", search.received_from.is_some()),
        ("received_to", search.received_to.is_some()),
    ];
    let names: Vec<&str> = used.iter().filter(|(_, u)| *u).map(|(n, _)| *n).collect();
    if names.is_empty() {
        "none".into()
    } else {
        names.join(",")
    }
}

/// The referrals a page showed, for its audit entry: opaque ids, so that "everything this
/// user accessed" names every young person whose name was on the screen.
pub(crate) fn shown_ids(items: &[ListedReferral]) -> String {
    if items.is_empty() {
        return "none".into();
    }
    items
        .iter()
        .map(|i| i.summary.id.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}
