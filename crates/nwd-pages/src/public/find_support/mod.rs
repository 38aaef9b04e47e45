//! "Find support": the shared service directory, searchable by what you would like help with,
//! age, need, area, how support is given and whether you can refer yourself, most relevant
//! first (`nwd_domain::directory::relevance`), each with its telephone number and opening
//! hours; and each service's page with its full offer (numbers as `tel:` links, email, web
//! address, where to go, opening hours, how to get in, what to bring) and its typical wait
//! from live data (`Store::first_contact_waits`, the last 12 months), suppressed when few were
//! seen. The local crisis lines are at the top of every search, whatever was asked.
//! Public: the directory and the waits hold no personal information.

mod offer_view;

pub use offer_view::{CrisisLineView, OfferView, PhoneView};

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use nwd_domain::codes::DeliveryMode;
use nwd_domain::directory::relevance::{rank_by_relevance, Asked};
use nwd_domain::directory::Service;
use nwd_domain::need::NeedGroup;
use nwd_domain::{Postcode, ServiceId};
use nwd_store::ServiceFilter;
use serde::Deserialize;

use crate::layout::{render, FieldMessage, Layout, PageResult, Sensitivity};
use nwd_http::extract::parse_id;
use nwd_http::AppState;

/// The search form's fields (all optional; an empty form lists every service).
#[derive(Debug, Default, Deserialize)]
pub struct SearchForm {
    /// What they would like help with, in their own words (orders the results).
    pub q: Option<String>,
    /// Age in years.
    pub age: Option<String>,
    /// THRIVE need group (API name).
    pub need: Option<String>,
    /// Postcode or district.
    pub area: Option<String>,
    /// Delivery mode (API name).
    pub mode: Option<String>,
    /// "yes" to list only services you can contact yourself.
    pub self_referral: Option<String>,
}

/// The need groups in plain words, for young people and families choosing.
pub fn need_description(group: NeedGroup) -> &'static str {
    match group {
        NeedGroup::Thriving => "Keeping well: information and support for everyone",
        NeedGroup::GettingAdvice => {
            "Advice, self-help and short support for difficulties that come and go"
        }
        NeedGroup::GettingHelp => {
            "Regular sessions with a trained worker, working towards goals you agree"
        }
        NeedGroup::GettingMoreHelp => {
            "Longer or more specialist support from a team of professionals"
        }
        NeedGroup::GettingRiskSupport => "Support to stay safe when things feel very difficult",
    }
}

/// An option in a select or radio list.
#[derive(Debug, Clone)]
pub struct OptionItem {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

/// A service as listed.
#[derive(Debug, Clone)]
pub struct ServiceCard {
    /// Id (for the link).
    pub id: String,
    /// Name.
    pub name: String,
    /// What it offers.
    pub description: String,
    /// "Ages 11 to 18".
    pub ages: String,
    /// How support is given.
    pub modes: String,
    /// Whether you can contact it yourself.
    pub self_referral: bool,
    /// How to reach it, when it is open, how to get in.
    pub offer: OfferView,
}

fn card(service: &Service) -> ServiceCard {
    let d = &service.details;
    ServiceCard {
        id: service.id.to_string(),
        name: d.name.clone(),
        description: d.description.clone(),
        ages: format!("Ages {} to {}", d.age_from, d.age_to),
        modes: d
            .delivery_modes
            .iter()
            .map(|m| m.label().to_lowercase())
            .collect::<Vec<_>>()
            .join(", "),
        self_referral: d.self_referral,
        offer: OfferView::of(&d.offer),
    }
}

#[derive(Template)]
#[template(path = "find_support.html")]
struct SearchPage {
    layout: Layout,
    form: SearchForm,
    needs: Vec<OptionItem>,
    modes: Vec<OptionItem>,
    results: Vec<ServiceCard>,
    searched: bool,
    crisis_lines: Vec<CrisisLineView>,
}

impl SearchPage {
    fn value<'a>(&self, field: &'a Option<String>) -> &'a str {
        field.as_deref().unwrap_or("")
    }
}

/// Search the directory.
#[utoipa::path(get, path = "/find-support", tag = "pages",
    params(("age" = Option<String>, Query), ("need" = Option<String>, Query), ("area" = Option<String>, Query),
        ("mode" = Option<String>, Query), ("self_referral" = Option<String>, Query), ("q" = Option<String>, Query)),
    responses((status = 200, description = "Directory search page", content_type = "text/html")))]
pub async fn search(State(state): State<AppState>, Query(form): Query<SearchForm>) -> PageResult {
    let mut errors = Vec::new();
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let age = match text(&form.age) {
        None => None,
        Some(a) => match a.parse::<i16>() {
            Ok(age) if (0..=25).contains(&age) => Some(age),
            _ => {
                errors.push(FieldMessage::new("age", "Enter an age from 0 to 25"));
                None
            }
        },
    };
    let postcode = match text(&form.area) {
        None => None,
        Some(area) => {
            // A district alone (ME14) is completed with a placeholder inward code, as the API does.
            let candidate = if area.len() <= 4 {
                format!("{area} 1AA")
            } else {
                area
            };
            match Postcode::parse(&candidate) {
                Ok(p) => Some(p),
                Err(_) => {
                    errors.push(FieldMessage::new(
                        "area",
                        "Enter a postcode or the first part of one, like ME14 or ME14 1XX",
                    ));
                    None
                }
            }
        }
    };
    let need_group = text(&form.need).and_then(|n| NeedGroup::parse(&n).ok());
    let delivery_mode = text(&form.mode).and_then(|m| DeliveryMode::parse(&m).ok());
    let self_referral = (form.self_referral.as_deref() == Some("yes")).then_some(true);
    let words = text(&form.q).unwrap_or_default();
    let searched = [
        &form.q,
        &form.age,
        &form.need,
        &form.area,
        &form.mode,
        &form.self_referral,
    ]
    .iter()
    .any(|f| f.is_some());
    let results = if errors.is_empty() {
        let filter = ServiceFilter {
            need_group,
            age,
            postcode,
            delivery_mode,
            self_referral,
            ..ServiceFilter::default()
        };
        let mut found = state.store.search_services(&filter).await?;
        let asked = Asked {
            words: &words,
            need_group,
            age,
            postcode: filter.postcode.as_ref(),
        };
        rank_by_relevance(&mut found, &asked, |(service, _)| service);
        found.iter().map(|(service, _)| card(service)).collect()
    } else {
        Vec::new()
    };
    let needs = NeedGroup::ALL
        .iter()
        .filter(|g| **g != NeedGroup::Thriving)
        .map(|g| OptionItem {
            value: g.as_str().to_owned(),
            label: format!("{}: {}", g.label(), need_description(*g)),
            selected: need_group == Some(*g),
        })
        .collect();
    let modes = DeliveryMode::ALL
        .iter()
        .map(|m| OptionItem {
            value: m.as_str().to_owned(),
            label: m.label().to_owned(),
            selected: delivery_mode == Some(*m),
        })
        .collect();
    let page = SearchPage {
        layout: Layout::public("Find support").with_errors(errors),
        form,
        needs,
        modes,
        results,
        searched,
        crisis_lines: crisis_lines(&state).await,
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Public))
}

/// The local crisis lines, for the top of Find support and Urgent help. A page that lists
/// them never fails for want of them: if the directory cannot be read the national lines
/// still show (the error is logged).
pub async fn crisis_lines(state: &AppState) -> Vec<CrisisLineView> {
    match state.store.crisis_lines().await {
        Ok(lines) => lines.iter().map(CrisisLineView::of).collect(),
        Err(error) => {
            tracing::error!(%error, "the local crisis lines could not be read");
            Vec::new()
        }
    }
}

#[derive(Template)]
#[template(path = "service.html")]
struct ServicePage {
    layout: Layout,
    service: ServiceCard,
    needs: Vec<String>,
    areas: String,
    wait: TypicalWait,
}

/// Waits are shown only when at least this many young people's waits were measured.
/// Source: the small-number suppression rule of the domain guide (`/work/shared/domain.md`
/// §3 "Small-number suppression", after NHS England's mental health statistics code: counts
/// below 5 are shown as `*`, the rest rounded to the nearest 5). A median or 90th percentile of
/// fewer than 5 waits could point to one young person, so it is not shown at all.
pub const SMALL_NUMBER_THRESHOLD: u64 = 5;

/// What a service page says about waiting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypicalWait {
    /// Enough young people were seen: half within `median_days`, 9 in 10 within `p90_days`,
    /// out of about `seen_rounded` (rounded to the nearest 5).
    Shown {
        /// Median wait to first appointment, days.
        median_days: u64,
        /// 90th percentile, days.
        p90_days: u64,
        /// How many waits it is based on, rounded to the nearest 5.
        seen_rounded: u64,
    },
    /// Too few to show (suppressed).
    Suppressed,
    /// Not yet worked out: the server has just started and is still reading the record
    /// (`Store::first_contact_waits`).
    NotYetKnown,
}

/// The typical wait to a first appointment, suppressed below [`SMALL_NUMBER_THRESHOLD`].
pub fn typical_wait(first: &nwd_domain::waits::WaitDistribution) -> TypicalWait {
    match (first.median, first.p90) {
        (Some(median), Some(p90)) if first.count >= SMALL_NUMBER_THRESHOLD => TypicalWait::Shown {
            median_days: median.round().max(0.0) as u64,
            p90_days: p90.round().max(0.0) as u64,
            seen_rounded: (first.count + 2) / 5 * 5,
        },
        _ => TypicalWait::Suppressed,
    }
}

/// One service: who it is for and how to get in.
#[utoipa::path(get, path = "/find-support/services/{id}", tag = "pages",
    params(("id" = String, Path)),
    responses((status = 200, description = "A service's page", content_type = "text/html"), (status = 404, description = "No such service", content_type = "text/html")))]
pub async fn service(State(state): State<AppState>, Path(id): Path<String>) -> PageResult {
    let (service, _) = state
        .store
        .service(parse_id::<ServiceId>(&id, "service")?)
        .await?;
    let needs = service
        .details
        .need_groups
        .iter()
        .map(|g| format!("{}: {}", g.label(), need_description(*g)))
        .collect();
    let areas = if service.details.areas.is_empty() {
        "Anywhere".to_owned()
    } else {
        service.details.areas.join(", ")
    };
    let waits = state.store.first_contact_waits().await?;
    let page = ServicePage {
        layout: Layout::public(&service.details.name),
        service: card(&service),
        needs,
        areas,
        wait: match &waits {
            Some(waits) => typical_wait(
                waits
                    .get(&service.id)
                    .unwrap_or(&nwd_domain::waits::distribution(Vec::new())),
            ),
            None => TypicalWait::NotYetKnown,
        },
    };
    Ok(render(&page, StatusCode::OK, Sensitivity::Public))
}

#[cfg(test)]
mod tests {
    use super::{typical_wait, TypicalWait};
    use nwd_domain::waits::distribution;

    fn check(days: &[f64], expected: TypicalWait) {
        let waits = distribution(days.to_vec());
        assert_eq!(typical_wait(&waits), expected, "{days:?}");
    }

    #[test]
    fn waits_of_fewer_than_five_are_not_shown() {
        check(&[], TypicalWait::Suppressed);
        check(&[3.0, 10.0, 12.0, 40.0], TypicalWait::Suppressed);
        check(
            &[3.0, 10.0, 12.0, 20.0, 40.0],
            TypicalWait::Shown {
                median_days: 12,
                p90_days: 40,
                seen_rounded: 5,
            },
        );
        let many: Vec<f64> = (1..=13).map(f64::from).collect();
        check(
            &many,
            TypicalWait::Shown {
                median_days: 7,
                p90_days: 12,
                seen_rounded: 15,
            },
        );
    }
}
