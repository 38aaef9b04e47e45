//! The staff search (`/staff/search`): find a referral by reference, the young person's name
//! (family and/or given, by the start of the name, any case), NHS number or date of birth —
//! in one box or in separate fields — narrowed by the queue's filters, status and need group.
//! Results cover only the referrals the caller may open (`Store::visibility`, the same rules
//! as opening one), in pages of 50 with their total (counted up to `COUNT_CAP`). Every
//! search is audited by the guard like any read: which kinds of term and which filters were
//! used and the referrals shown, never the terms themselves (LOGGING.md).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use nwd_domain::authz::Permission;
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::ReferralStatus;
use nwd_domain::search::{SearchFields, SearchTerms};
use nwd_store::{ReferralSearch, ReferralSort, COUNT_CAP};
use serde::Deserialize;

use crate::layout::{render, FieldMessage, Layout, PageError, PageResult, Sensitivity};
use crate::pagination::{self, PAGE_SIZE};
use crate::staff::queue::{
    encode, rows, shown_ids, shown_range, used_filters, FilterForm, ListQuery, ReferralRow,
};
use crate::staff::triage::{choices, Choice};
use nwd_http::extract::Caller;
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;

/// What the search form sends.
#[derive(Debug, Default, Deserialize)]
pub struct SearchQuery {
    /// One box: reference, NHS number, date of birth or name.
    pub q: Option<String>,
    /// Reference.
    pub reference: Option<String>,
    /// NHS number.
    pub nhs_number: Option<String>,
    /// Family name (or its start).
    pub family_name: Option<String>,
    /// Given name (or its start).
    pub given_name: Option<String>,
    /// Date of birth.
    pub date_of_birth: Option<String>,
    /// `awaiting_triage`, `open` or `closed`.
    pub status: Option<String>,
    /// Current need group (API name).
    pub need_group: Option<String>,
    /// The queue's filters and the page.
    #[serde(flatten)]
    pub list: ListQuery,
}

#[derive(Template)]
#[template(path = "staff_search.html")]
struct SearchPage {
    layout: Layout,
    typed: Typed,
    fields: Vec<TextField>,
    filters: FilterForm,
    statuses: Vec<Choice>,
    need_groups: Vec<Choice>,
    searched: bool,
    rows: Vec<ReferralRow>,
    total: u64,
    more_than: bool,
    shown: String,
    pages: String,
}

/// One of the separate search fields.
#[derive(Debug)]
struct TextField {
    id: &'static str,
    label: &'static str,
    value: String,
    width: &'static str,
}

/// The terms as typed, to show the form again.
#[derive(Debug, Default)]
struct Typed {
    q: String,
    reference: String,
    nhs_number: String,
    family_name: String,
    given_name: String,
    date_of_birth: String,
    more_open: bool,
}

fn text(value: &Option<String>) -> String {
    value.as_deref().unwrap_or("").trim().to_owned()
}

/// The staff search.
#[utoipa::path(get, path = "/staff/search", tag = "pages",
    params(("q" = Option<String>, Query), ("reference" = Option<String>, Query), ("nhs_number" = Option<String>, Query),
        ("family_name" = Option<String>, Query), ("given_name" = Option<String>, Query), ("date_of_birth" = Option<String>, Query),
        ("status" = Option<String>, Query), ("need_group" = Option<String>, Query), ("kind" = Option<String>, Query),
        ("source_group" = Option<String>, Query), ("priority" = Option<String>, Query), ("page" = Option<u32>, Query)),
    responses((status = 200, description = "Referrals found", content_type = "text/html"), (status = 401, description = "Not signed in")))]
pub async fn search(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    Query(query): Query<SearchQuery>,
) -> PageResult {
    let asked =
        pagination::requested(query.list.page.as_deref(), "page").map_err(PageError::staff)?;
    let today = state.store.now().to_zoned(state.store.tz().clone()).date();
    let typed = Typed {
        q: text(&query.q),
        reference: text(&query.reference),
        nhs_number: text(&query.nhs_number),
        family_name: text(&query.family_name),
        given_name: text(&query.given_name),
        date_of_birth: text(&query.date_of_birth),
        more_open: false,
    };
    let mut errors: Vec<FieldMessage> = Vec::new();
    let mut record = |result: Result<SearchTerms, nwd_domain::ValidationErrors>| {
        result.unwrap_or_else(|invalid| {
            for e in invalid.0 {
                errors.push(FieldMessage::new(&e.field, upper_first(&e.message)));
            }
            SearchTerms::default()
        })
    };
    let boxed = record(SearchTerms::from_text("q", &typed.q, today));
    let fields = record(SearchTerms::from_fields(
        &SearchFields {
            reference: &typed.reference,
            nhs_number: &typed.nhs_number,
            family_name: &typed.family_name,
            given_name: &typed.given_name,
            date_of_birth: &typed.date_of_birth,
        },
        today,
    ));
    let terms = merge(boxed, fields);
    let mut search = ReferralSearch {
        sort: ReferralSort::Newest,
        limit: PAGE_SIZE,
        visible_to: Some(state.store.visibility(&principal, Permission::ReadClinical)),
        terms,
        ..ReferralSearch::default()
    };
    let filters = query.list.apply(&state, &mut search, &mut errors);
    search.status = match text(&query.status).as_str() {
        "" => None,
        "awaiting_triage" => Some(ReferralStatus::AwaitingTriage),
        "open" => Some(ReferralStatus::Open),
        "closed" => Some(ReferralStatus::Closed),
        _ => {
            errors.push(FieldMessage::new("status", "Choose a status from the list"));
            None
        }
    };
    search.need_group = match text(&query.need_group).as_str() {
        "" => None,
        group => NeedGroup::parse(group).map(Some).unwrap_or_else(|_| {
            errors.push(FieldMessage::new(
                "need_group",
                "Choose a need group from the list",
            ));
            None
        }),
    };
    let filtered = used_filters(&search) != "none";
    // Nothing is listed until something is asked, nor while anything typed is wrong.
    let searched = errors.is_empty() && (!search.terms.is_empty() || filtered);
    let (mut rows_shown, mut total, mut more_than, mut page) = (Vec::new(), 0, false, 1);
    if searched {
        let mut list = state
            .store
            .referral_list(&search, pagination::offset(asked), Some(COUNT_CAP))
            .await
            .map_err(PageError::staff)?;
        page = pagination::clamp(asked, list.total);
        if page != asked {
            list = state
                .store
                .referral_list(&search, pagination::offset(page), Some(COUNT_CAP))
                .await
                .map_err(PageError::staff)?;
        }
        trail.set_detail(format!(
            "staff search page {page}; terms: {}; filters: {}; shown: {}",
            if search.terms.is_empty() {
                "none".into()
            } else {
                search.terms.kinds()
            },
            used_filters(&search),
            shown_ids(&list.items)
        ));
        // A search that found one young person is about them: it then appears in the
        // privacy officer's "who accessed this young person's record".
        let mut people = list.items.iter().map(|i| i.summary.person_id);
        if let Some(first) = people.next() {
            if people.all(|p| p == first) {
                trail.set_person(first);
            }
        }
        rows_shown = rows(&state, &list.items);
        total = list.total;
        more_than = list.more_than;
    } else {
        trail.set_detail(if errors.is_empty() {
            "staff search form".to_owned()
        } else {
            "staff search refused: invalid input".to_owned()
        });
    }
    let link = encode(
        [
            ("q", typed.q.as_str()),
            ("reference", typed.reference.as_str()),
            ("nhs_number", typed.nhs_number.as_str()),
            ("family_name", typed.family_name.as_str()),
            ("given_name", typed.given_name.as_str()),
            ("date_of_birth", typed.date_of_birth.as_str()),
            ("status", query.status.as_deref().unwrap_or("")),
            ("need_group", query.need_group.as_deref().unwrap_or("")),
        ]
        .into_iter(),
    );
    let filter_link = query.list.link();
    let base = [link, filter_link]
        .into_iter()
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("&");
    let more_open = !typed.reference.is_empty()
        || !typed.nhs_number.is_empty()
        || !typed.family_name.is_empty()
        || !typed.given_name.is_empty()
        || !typed.date_of_birth.is_empty()
        || filtered
        || errors.iter().any(|e| e.id != "q");
    let status_text = text(&query.status);
    let need_text = text(&query.need_group);
    let field = |id, label, value: &str, width| TextField {
        id,
        label,
        value: value.to_owned(),
        width,
    };
    let fields = vec![
        field(
            "reference",
            "Reference",
            &typed.reference,
            "nhsuk-input--width-10",
        ),
        field(
            "nhs_number",
            "NHS number",
            &typed.nhs_number,
            "nhsuk-input--width-10",
        ),
        field(
            "family_name",
            "Family name",
            &typed.family_name,
            "nhsuk-input--width-20",
        ),
        field(
            "given_name",
            "Given name",
            &typed.given_name,
            "nhsuk-input--width-20",
        ),
        field(
            "date_of_birth",
            "Date of birth",
            &typed.date_of_birth,
            "nhsuk-input--width-10",
        ),
    ];
    let view = SearchPage {
        layout: Layout::staff("Find a referral", &principal).with_errors(errors),
        fields,
        typed: Typed { more_open, ..typed },
        filters,
        statuses: [
            ("awaiting_triage", "Awaiting triage"),
            ("open", "Open"),
            ("closed", "Closed"),
        ]
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: (*label).to_owned(),
            selected: status_text == *value,
        })
        .collect(),
        need_groups: choices(
            NeedGroup::ALL,
            |g| g.as_str(),
            |g| g.label().to_owned(),
            &[need_text.as_str()],
        ),
        searched,
        shown: shown_range(page, rows_shown.len(), total, more_than),
        pages: pagination::nav("Search result pages", total, page, |n| {
            format!("/staff/search?{base}&page={n}")
        }),
        rows: rows_shown,
        total,
        more_than,
    };
    Ok(render(&view, StatusCode::OK, Sensitivity::Identifiable))
}

/// The terms of the box and of the separate fields together (each kind from either).
fn merge(boxed: SearchTerms, fields: SearchTerms) -> SearchTerms {
    SearchTerms {
        reference: fields.reference.or(boxed.reference),
        nhs_number: fields.nhs_number.or(boxed.nhs_number),
        family: fields.family,
        given: fields.given,
        any_name: boxed.any_name,
        date_of_birth: fields.date_of_birth.or(boxed.date_of_birth),
    }
}

fn upper_first(message: &str) -> String {
    let mut chars = message.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
