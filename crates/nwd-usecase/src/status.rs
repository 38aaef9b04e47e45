//! A referral's status as its private status link tells it — the words every status is told
//! in, shared by the page (`/status/{token}`) and the API (`GET /api/status/{token}`).
//!
//! The words are derived from the referral's event-sourced state ([`Referral`], rebuilt from
//! its events by the store on every read): received, being looked at, what happens next, and
//! how it ended. They never say anything clinical (no need group, reason, priority or notes)
//! and never name the young person; the only names are of services and organisations the
//! referral was passed to. A wrong, malformed or unknown token answers the same 404; the page is
//! `no-store` and, like every page, `Referrer-Policy: no-referrer` (so the token never leaks in
//! a `Referer`). Look-ups are rate limited per address (`limits::LIMITED_LOOKUPS`).
//!
//! Owns: the words and the link's path. Does not own the page (`pages::status`) nor the JSON
//! answer (`api::intake`).

use std::collections::BTreeMap;

use jiff::tz::TimeZone;
use nwd_domain::codes::ContactStatus;
use nwd_domain::referral::{Destination, Referral, ReferralKind, ReferralStatus};
use nwd_domain::ServiceId;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::UseCaseError;
use crate::intake::reference;

/// Where a referral has got to, in the three steps people are told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The single point of access has it; nobody has acted on it yet.
    Received,
    /// The team has started on it (for example, talked about decisions with the young
    /// person) but not yet decided where support will come from.
    BeingLookedAt,
    /// Passed to a service, or details of one given: what happens next.
    WhatHappensNext,
    /// Finished, with where it went.
    Finished,
}

impl Stage {
    /// Plain words for the stage.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Received => "Received",
            Stage::BeingLookedAt => "Being looked at",
            Stage::WhatHappensNext => "What happens next",
            Stage::Finished => "Finished",
        }
    }
}

/// What a status says: no clinical content and no names of people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublicStatus {
    /// The reference to quote.
    pub reference: String,
    /// The stage.
    pub stage: Stage,
    /// The stage in words.
    pub stage_label: String,
    /// One sentence: where it stands.
    pub headline: String,
    /// What happens next, one sentence each.
    pub next: Vec<String>,
    /// The day it was received, e.g. "3 March 2026".
    pub received_on: String,
    /// The young person's own questionnaire scores, when they referred themselves and their
    /// service shares progress (`nwd_domain::referral::measurement::shared_progress`); empty
    /// otherwise, and always on a referrer's list.
    pub progress: Vec<ProgressLine>,
}

/// One scale of a questionnaire the young person completed, score by score.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct ProgressLine {
    /// The questionnaire, e.g. "Patient Health Questionnaire (PHQ-9)".
    pub measure: String,
    /// The scale, e.g. "Total".
    pub scale: String,
    /// Which way is better, in words.
    pub better: String,
    /// Each score with its day, oldest first (e.g. "3 March 2026", "12").
    pub scores: Vec<(String, String)>,
}

/// The progress lines of the assessments a young person may see.
fn progress_lines(
    assessments: &[&nwd_domain::referral::outcome::OutcomeAssessment],
    tz: &TimeZone,
) -> Vec<ProgressLine> {
    let set = nwd_outcomes::bundled();
    let mut lines: Vec<ProgressLine> = Vec::new();
    for assessment in assessments {
        let Some(definition) = set.get(&assessment.measure) else {
            continue;
        };
        let day = assessment
            .at
            .to_zoned(tz.clone())
            .date()
            .strftime("%-d %B %Y")
            .to_string();
        for entry in &assessment.scores {
            let Some(scale) = definition.scale(&entry.scale) else {
                continue;
            };
            let point = (day.clone(), entry.score().to_string());
            match lines
                .iter_mut()
                .find(|l| l.measure == definition.name && l.scale == scale.name)
            {
                Some(line) => line.scores.push(point),
                None => lines.push(ProgressLine {
                    measure: definition.name.clone(),
                    scale: scale.name.clone(),
                    better: match scale.direction {
                        nwd_outcomes::Direction::LowerIsBetter => {
                            "Lower scores mean things are better".to_owned()
                        }
                        nwd_outcomes::Direction::HigherIsBetter => {
                            "Higher scores mean things are better".to_owned()
                        }
                    },
                    scores: vec![point],
                }),
            }
        }
    }
    lines
}

fn joined(names: &[String]) -> String {
    match names {
        [] => "a service".to_owned(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Words a status in plain English from the referral's state and the names of the services it
/// names (allocations and signposts). Pure: a table of cases tests it.
pub fn public_status(
    referral: &Referral,
    service_names: &BTreeMap<ServiceId, String>,
    tz: &TimeZone,
) -> PublicStatus {
    let name_of = |id: &ServiceId| {
        service_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| "a service".to_owned())
    };
    let signposted: Vec<String> = referral.signposts.iter().map(|s| s.name.clone()).collect();
    let mut next = Vec::new();
    let (stage, headline) = match (&referral.status, &referral.closure) {
        (ReferralStatus::Closed, Some(closure)) => {
            let headline = match &closure.destination {
                Destination::Allocated {
                    service_ids,
                    service_names: names_at_closure,
                } => {
                    // The names kept when it closed, else the directory's today.
                    let names: Vec<String> = if names_at_closure.len() == service_ids.len() {
                        names_at_closure.clone()
                    } else {
                        service_ids.iter().map(name_of).collect()
                    };
                    format!("Support from {} has finished.", joined(&names))
                }
                Destination::Signposted { name, .. } => {
                    format!("You have been given details of {name}.")
                }
                Destination::AdviceGiven { .. } => {
                    "Advice has been given to the person who asked us.".to_owned()
                }
                Destination::Declined { .. } => {
                    "We have closed the request, as we agreed with you.".to_owned()
                }
                Destination::Transitioned {
                    outcome,
                    receiving_service,
                } => format!(
                    "Support has moved on to {}.",
                    receiving_service
                        .clone()
                        .unwrap_or_else(|| outcome.label().to_lowercase())
                ),
            };
            // Where they went on to: the services they were given details of (at triage or
            // when support finished), named, as the named destination is.
            let onward: Vec<String> = signposted
                .iter()
                .filter(|name| !headline.contains(name.as_str()))
                .cloned()
                .collect();
            if !onward.is_empty() {
                next.push(format!(
                    "You have been given details of {}, for support from here.",
                    joined(&onward)
                ));
            }
            next.push("If you need support again, you can ask again at any time.".to_owned());
            (Stage::Finished, headline)
        }
        (ReferralStatus::AwaitingTriage, _) | (ReferralStatus::Closed, None) => {
            if referral.kind == ReferralKind::AdviceRequest && !referral.advice.is_empty() {
                (
                    Stage::WhatHappensNext,
                    "Advice has been given to the person who asked us.".to_owned(),
                )
            } else if referral.version > 1 {
                next.push(
                    "Someone will contact you to agree where support will come from.".to_owned(),
                );
                (
                    Stage::BeingLookedAt,
                    "Our team is looking at the request.".to_owned(),
                )
            } else {
                next.push(
                    "Someone from our team will read it and contact you, using the details given."
                        .to_owned(),
                );
                (Stage::Received, "We have received the request.".to_owned())
            }
        }
        (ReferralStatus::Open, _) => {
            let mut waiting = Vec::new();
            let mut offered = Vec::new();
            let mut seeing = Vec::new();
            for allocation in referral.active_allocations() {
                let name = name_of(&allocation.service_id);
                if !allocation.is_waiting() {
                    seeing.push(name);
                } else if referral.contacts.iter().any(|c| {
                    c.allocation_id == allocation.id && c.status == ContactStatus::Scheduled
                }) {
                    offered.push(name);
                } else {
                    waiting.push(name);
                }
            }
            let headline = if !seeing.is_empty() {
                format!("Support has started with {}.", joined(&seeing))
            } else if !offered.is_empty() {
                format!("{} has offered an appointment.", joined(&offered))
            } else {
                format!("We have passed the request to {}.", joined(&waiting))
            };
            if !waiting.is_empty() && (!seeing.is_empty() || !offered.is_empty()) {
                next.push(format!(
                    "We have also passed the request to {}.",
                    joined(&waiting)
                ));
            }
            if !waiting.is_empty() {
                next.push(format!(
                    "{} will contact you to offer an appointment.",
                    joined(&waiting)
                ));
            }
            if !offered.is_empty() && !seeing.is_empty() {
                next.push(format!("{} has offered an appointment.", joined(&offered)));
            }
            (Stage::WhatHappensNext, headline)
        }
    };
    if !signposted.is_empty() && stage != Stage::Finished {
        next.push(format!(
            "You have been given details of {}.",
            joined(&signposted)
        ));
    }
    PublicStatus {
        reference: reference(referral),
        stage,
        stage_label: stage.label().to_owned(),
        headline,
        next,
        received_on: referral
            .received_at
            .to_zoned(tz.clone())
            .date()
            .strftime("%-d %B %Y")
            .to_string(),
        progress: Vec::new(),
    }
}

/// A status for a token, or the one "not found" for any token that is not one.
pub async fn status_for_token(
    store: &nwd_store::Store,
    token: &str,
) -> Result<PublicStatus, UseCaseError> {
    let view = store
        .referral_by_status_token(token)
        .await?
        .ok_or_else(|| {
            UseCaseError::NotFound(
                "no request has this status link; check you copied the whole link".to_owned(),
            )
        })?;
    let mut status = public_status(&view.referral, &view.service_names, store.tz());
    let shared = nwd_domain::referral::measurement::shared_progress(&view.referral, |service| {
        view.sharing_progress.contains(&service)
    });
    status.progress = progress_lines(&shared, store.tz());
    // Not yet passed on: when someone will be in touch, by the configured triage standard
    // for its priority (or the more urgent review asked for, until triage decides).
    if matches!(status.stage, Stage::Received | Stage::BeingLookedAt) {
        let referral = &view.referral;
        let priority = referral
            .requested_priority
            .filter(|requested| requested.rank() < referral.priority.rank())
            .unwrap_or(referral.priority);
        if let Some(promise) =
            crate::promise::contact_promise(store.standards(), priority, referral.source)
        {
            status
                .next
                .insert(0, promise.by(referral.received_at, store.tz()));
        }
    }
    Ok(status)
}

/// The path of a token's status page.
pub fn status_path(token: &str) -> String {
    format!("/status/{token}")
}
