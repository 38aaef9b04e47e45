//! The endpoints `nwd-bench lists` times, each with the paths it will be asked for (warm-up
//! first) and the [`Shape`] of what it answers (a waiting list, a page of referrals, one
//! referral, an HTML page), so each latency has a sanity fact beside it.

use anyhow::bail;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::Samples;

/// What one endpoint answers, for the sanity facts beside its latency.
#[derive(Clone, Copy)]
pub(super) enum Shape {
    /// A waiting list: `total` on the list.
    WaitingList,
    /// A page of referrals: `items`.
    Page,
    /// One referral.
    Referral,
    /// An HTML page: its size.
    Html,
}

/// One endpoint and the paths it will be asked for, in order (warm-up first).
pub(super) struct Endpoint {
    pub(super) name: &'static str,
    pub(super) shape: Shape,
    pub(super) paths: Vec<String>,
    /// Make one write (untimed) before each request.
    pub(super) write_first: bool,
}

/// The five endpoints, each with `n` paths drawn at random from the samples.
pub(super) fn endpoints(
    samples: &Samples,
    n: usize,
    rng: &mut StdRng,
    with_pages: bool,
    cold: bool,
    only: &[String],
) -> anyhow::Result<Vec<Endpoint>> {
    let draw = |list: &[String], rng: &mut StdRng, what: &str| -> anyhow::Result<Vec<String>> {
        if list.is_empty() {
            bail!("the generated data has no {what}");
        }
        Ok((0..n).filter_map(|_| list.choose(rng).cloned()).collect())
    };
    let services = draw(&samples.services, rng, "services")?;
    let referrals = draw(&samples.referrals, rng, "referrals")?;
    let nhs_numbers = draw(&samples.nhs_numbers, rng, "NHS numbers")?;
    if samples.people.is_empty() {
        bail!("the generated data has no people");
    }
    let people: Vec<(String, String, String)> = (0..n)
        .filter_map(|_| samples.people.choose(rng).cloned())
        .collect();
    let prefix = |name: &str, letters: usize| -> String {
        nwd_domain::search::name_key(name)
            .chars()
            .take(letters)
            .collect()
    };
    let fixed = |path: &str| vec![path.to_string(); n];
    let page = |name: &'static str, paths: Vec<String>| Endpoint {
        name,
        shape: Shape::Html,
        paths,
        write_first: false,
    };
    let pages = vec![
        page("page_start", fixed("/")),
        page("page_get_help", fixed("/get-help")),
        page("page_urgent_help", fixed("/urgent-help")),
        page("page_find_support", fixed("/find-support?age=15")),
        page(
            "page_service",
            services
                .iter()
                .map(|id| format!("/find-support/services/{id}"))
                .collect(),
        ),
        page("page_triage_queue", fixed("/staff/triage")),
        page("page_triage_queue_p2", fixed("/staff/triage?page=2")),
        page(
            "page_search_name",
            people
                .iter()
                .map(|(given, family, _)| {
                    format!(
                        "/staff/search?q={}+{}",
                        prefix(given, 3),
                        prefix(family, 20)
                    )
                })
                .collect(),
        ),
        page(
            "page_search_nhs",
            nhs_numbers
                .iter()
                .map(|n| format!("/staff/search?q={n}"))
                .collect(),
        ),
        page(
            "page_service_search",
            services
                .iter()
                .zip(&people)
                .map(|(id, (_, family, _))| {
                    format!("/staff/services/{id}?q={}", prefix(family, 20))
                })
                .collect(),
        ),
        page(
            "page_referral",
            referrals
                .iter()
                .map(|id| format!("/staff/referrals/{id}"))
                .collect(),
        ),
        page(
            "page_service_lists",
            services
                .iter()
                .map(|id| format!("/staff/services/{id}"))
                .collect(),
        ),
        page("page_crisis_list", fixed("/staff/crisis")),
        page("page_risk_reviews", fixed("/staff/risk-reviews")),
        page("page_transitions", fixed("/staff/transitions")),
        page("page_dashboard", fixed("/commissioning")),
    ];
    let mut pages = pages;
    if cold {
        pages.push(Endpoint {
            write_first: true,
            ..page("page_dashboard_cold", fixed("/commissioning"))
        });
    }
    let mut all = vec![
        Endpoint {
            name: "waiting_list",
            shape: Shape::WaitingList,
            paths: services
                .iter()
                .map(|id| format!("/api/services/{id}/waiting-list?limit=100"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "triage_queue",
            shape: Shape::Page,
            paths: fixed("/api/referrals?status=awaiting_triage&sort=priority&limit=50"),
            write_first: false,
        },
        Endpoint {
            name: "search_source",
            shape: Shape::Page,
            paths: fixed("/api/referrals?source=school&limit=50"),
            write_first: false,
        },
        Endpoint {
            name: "search_nhs_number",
            shape: Shape::Page,
            paths: nhs_numbers
                .iter()
                .map(|n| format!("/api/referrals?nhs_number={n}"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_reference",
            shape: Shape::Page,
            paths: referrals
                .iter()
                .map(|id| format!("/api/referrals?reference=NWD-{}-{}", &id[0..4], &id[4..8]))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_name",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(given, family, _)| {
                    format!(
                        "/api/referrals?family_name={}&given_name={}",
                        prefix(family, 20),
                        prefix(given, 3)
                    )
                })
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_family_prefix",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(_, family, _)| format!("/api/referrals?family_name={}", prefix(family, 3)))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "search_date_of_birth",
            shape: Shape::Page,
            paths: people
                .iter()
                .map(|(_, _, born)| format!("/api/referrals?date_of_birth={born}"))
                .collect(),
            write_first: false,
        },
        Endpoint {
            name: "get_referral",
            shape: Shape::Referral,
            paths: referrals
                .iter()
                .map(|id| format!("/api/referrals/{id}"))
                .collect(),
            write_first: false,
        },
    ];
    if with_pages {
        all.extend(pages);
    }
    if !only.is_empty() {
        all.retain(|e| only.iter().any(|name| name == e.name));
    }
    Ok(all)
}
