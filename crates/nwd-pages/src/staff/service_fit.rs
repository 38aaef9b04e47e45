//! The services the referral page offers (at triage, when adding a service, at transition and
//! when signposting), ordered by how well they fit the young person — need group, age, area
//! (`nwd_domain::fit`) — then by their current wait, each labelled with what it serves, its
//! typical wait to a first appointment (the public service page's figure:
//! `Store::first_contact_waits`, the last 12 months, kept under the data version; suppressed
//! below 5 as [`crate::public::find_support::typical_wait`] does) and what does not fit.
//!
//! It does **not** decide whether an allocation is allowed: the domain does.

use nwd_domain::directory::Service;
use nwd_domain::fit::Fit;
use nwd_domain::need::NeedGroup;
use nwd_domain::postcode::Postcode;
use nwd_store::StoreError;

use crate::public::find_support::{typical_wait, TypicalWait};
use nwd_http::AppState;

/// A service offered, with its label.
#[derive(Debug, Clone)]
pub struct RankedService {
    /// The service.
    pub service: Service,
    /// Name, need groups, wait, and any mismatch.
    pub label: String,
    /// How well it fits.
    pub fit: Fit,
}

/// Who the services are ranked for.
#[derive(Debug, Clone, Copy)]
pub struct ForWhom<'a> {
    /// The need group agreed, once triaged.
    pub need_group: Option<NeedGroup>,
    /// Age in years.
    pub age: i16,
    /// Where they live, when known.
    pub postcode: Option<&'a Postcode>,
}

/// `services` ranked best fit first, then shortest typical wait, then name.
pub async fn ranked(
    state: &AppState,
    services: Vec<Service>,
    who: ForWhom<'_>,
) -> Result<Vec<RankedService>, StoreError> {
    let waits = state.store.first_contact_waits().await?;
    let none = nwd_domain::waits::distribution(Vec::new());
    let mut ranked = Vec::with_capacity(services.len());
    for service in services {
        let fit = Fit::of(&service.details, who.need_group, who.age, who.postcode);
        let wait = match &waits {
            Some(waits) => typical_wait(waits.get(&service.id).unwrap_or(&none)),
            None => TypicalWait::NotYetKnown,
        };
        let (wait_key, wait) = match wait {
            TypicalWait::Shown { median_days, .. } => (
                median_days,
                format!("usual wait to a first appointment {median_days} days"),
            ),
            TypicalWait::Suppressed => (u64::MAX, "too few seen to show a wait".to_owned()),
            TypicalWait::NotYetKnown => (u64::MAX, "usual wait not yet worked out".to_owned()),
        };
        let groups = service
            .details
            .need_groups
            .iter()
            .map(|g| g.label())
            .collect::<Vec<_>>()
            .join(", ");
        let mismatches = fit.mismatches();
        let label = if mismatches.is_empty() {
            format!("{} ({groups}) – {wait}", service.details.name)
        } else {
            format!(
                "{} ({groups}) – {wait} – {}",
                service.details.name,
                mismatches.join(", ")
            )
        };
        ranked.push((
            fit.rank(),
            wait_key,
            RankedService {
                fit,
                service,
                label,
            },
        ));
    }
    ranked.sort_by(|a, b| {
        (a.0, a.1, &a.2.service.details.name).cmp(&(b.0, b.1, &b.2.service.details.name))
    });
    Ok(ranked.into_iter().map(|(_, _, r)| r).collect())
}
