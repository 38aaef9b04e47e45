//! Searching referrals (`GET /api/referrals`): the query parameters and how they become a
//! [`ReferralSearch`].

use axum::extract::State;
use axum::Json;
use jiff::Timestamp;
use nwd_domain::codes::{Priority, ReasonCode, ReferralSource};
use nwd_domain::need::NeedGroup;
use nwd_domain::referral::{ReferralKind, ReferralStatus};
use nwd_domain::search::{SearchFields, SearchTerms, SourceGroup};
use nwd_domain::{NhsNumber, PersonId};
use nwd_http::extract::{Caller, QueryParams};
use nwd_http::problem::{ApiError, ApiResult, Problem};
use nwd_http::secure::RequestAudit;
use nwd_http::AppState;
use nwd_store::{ReferralPage, ReferralSearch, ReferralSort};
use serde::Deserialize;
use utoipa::IntoParams;

/// Search parameters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// `awaiting_triage`, `open` or `closed`.
    pub status: Option<String>,
    /// Source of referral (API name).
    pub source: Option<String>,
    /// Priority (API name).
    pub priority: Option<String>,
    /// Current need group (API name).
    pub need_group: Option<String>,
    /// Primary reason (API name).
    pub reason: Option<String>,
    /// The young person's register id.
    pub person_id: Option<String>,
    /// The young person's NHS number.
    pub nhs_number: Option<String>,
    /// The referral's reference (`NWD-1A2B-3C4D`).
    pub reference: Option<String>,
    /// The start of the young person's family name (any case; accents and punctuation
    /// ignored).
    pub family_name: Option<String>,
    /// The start of the young person's given name (any case).
    pub given_name: Option<String>,
    /// The young person's date of birth (`YYYY-MM-DD` or `DD/MM/YYYY`).
    pub date_of_birth: Option<String>,
    /// `referral` or `advice_request`.
    pub kind: Option<String>,
    /// Source group: the first letter of the MHSDS source code (`A`, `B`, `C`, `E`, `G`,
    /// `H`, `I`, `M`).
    pub source_group: Option<String>,
    /// Received at or after (RFC 3339).
    pub received_from: Option<String>,
    /// Received before (RFC 3339).
    pub received_to: Option<String>,
    /// `newest` (default) or `priority` (the triage queue's order).
    pub sort: Option<String>,
    /// Page size, 1–500 (default 50).
    pub limit: Option<u32>,
    /// Cursor from the previous page's `next`.
    pub after: Option<String>,
}

/// Search referrals; results come in pages with a cursor.
#[utoipa::path(get, path = "/api/referrals", tag = "referrals", params(SearchParams),
    responses((status = 200, body = ReferralPage), (status = 422, body = Problem)))]
pub(super) async fn search_referrals(
    trail: RequestAudit,
    State(state): State<AppState>,
    Caller(principal): Caller,
    QueryParams(params): QueryParams<SearchParams>,
) -> ApiResult<Json<ReferralPage>> {
    let mut search = referral_search(params)?;
    // Results, counts and cursors cover only referrals the caller may open.
    search.visible_to = Some(
        state
            .store
            .visibility(&principal, nwd_domain::authz::Permission::ReadClinical),
    );
    trail.set_detail(format!(
        "filters: {}",
        [
            ("status", search.status.is_some()),
            ("source", search.source.is_some()),
            ("priority", search.priority.is_some()),
            ("need_group", search.need_group.is_some()),
            ("reason", search.reason.is_some()),
            ("person_id", search.person_id.is_some()),
            ("nhs_number", search.nhs_number.is_some()),
            ("kind", search.kind.is_some()),
            ("source_group", !search.sources.is_empty()),
            ("reference", search.terms.reference.is_some()),
            (
                "name",
                search.terms.family.is_some() || search.terms.given.is_some(),
            ),
            ("date_of_birth", search.terms.date_of_birth.is_some()),
        ]
        .iter()
        .filter(|(_, used)| *used)
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(",")
    ));
    if let Some(person) = search.person_id {
        trail.set_person(person);
    }
    Ok(Json(state.store.search_referrals(&search).await?))
}

/// Checks search parameters and turns them into a [`ReferralSearch`] (without the caller's
/// visibility, which the handler adds): every invalid parameter gets its own message.
pub fn referral_search(params: SearchParams) -> Result<ReferralSearch, ApiError> {
    let mut errors = nwd_domain::ValidationErrors::new();
    let mut search = ReferralSearch {
        status: params.status.and_then(|s| {
            errors.check(
                "status",
                match s.as_str() {
                    "awaiting_triage" => Ok(ReferralStatus::AwaitingTriage),
                    "open" => Ok(ReferralStatus::Open),
                    "closed" => Ok(ReferralStatus::Closed),
                    _ => Err("allowed: awaiting_triage, open, closed"),
                },
            )
        }),
        source: params
            .source
            .and_then(|s| errors.check("source", ReferralSource::parse(&s))),
        priority: params
            .priority
            .and_then(|s| errors.check("priority", Priority::parse(&s))),
        need_group: params
            .need_group
            .and_then(|s| errors.check("need_group", NeedGroup::parse(&s))),
        reason: params
            .reason
            .and_then(|s| errors.check("reason", ReasonCode::parse(&s))),
        person_id: params
            .person_id
            .and_then(|s| errors.check("person_id", s.parse::<PersonId>())),
        nhs_number: params
            .nhs_number
            .and_then(|s| errors.check("nhs_number", NhsNumber::parse(&s))),
        received_from: params
            .received_from
            .and_then(|s| errors.check("received_from", s.parse::<Timestamp>())),
        received_to: params
            .received_to
            .and_then(|s| errors.check("received_to", s.parse::<Timestamp>())),
        ..ReferralSearch::default()
    };
    search.sort = match params.sort.as_deref() {
        None | Some("newest") => ReferralSort::Newest,
        Some("priority") => ReferralSort::Priority,
        Some(_) => {
            errors.add("sort", "allowed: newest, priority");
            ReferralSort::Newest
        }
    };
    if let Some(limit) = params.limit {
        if !(1..=500).contains(&limit) {
            errors.add("limit", "choose a page size from 1 to 500");
        }
        search.limit = limit;
    }
    search.after = params.after;
    let text = |value: &Option<String>| value.clone().unwrap_or_default();
    let (reference, family_name, given_name, date_of_birth) = (
        text(&params.reference),
        text(&params.family_name),
        text(&params.given_name),
        text(&params.date_of_birth),
    );
    // A date of birth in the future finds nothing; the API does not read the clock for it.
    match SearchTerms::from_fields(
        &SearchFields {
            reference: &reference,
            family_name: &family_name,
            given_name: &given_name,
            date_of_birth: &date_of_birth,
            ..SearchFields::default()
        },
        jiff::civil::Date::MAX,
    ) {
        Ok(terms) => search.terms = terms,
        Err(invalid) => errors.0.extend(invalid.0),
    }
    search.kind = params.kind.and_then(|k| {
        errors.check(
            "kind",
            match k.as_str() {
                "referral" => Ok(ReferralKind::Referral),
                "advice_request" => Ok(ReferralKind::AdviceRequest),
                _ => Err("allowed: referral, advice_request"),
            },
        )
    });
    if let Some(group) = params
        .source_group
        .and_then(|g| errors.check("source_group", SourceGroup::parse(&g)))
    {
        search.sources = group.sources();
    }
    errors.into_result()?;
    Ok(search)
}
