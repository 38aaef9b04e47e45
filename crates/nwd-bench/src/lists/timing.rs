//! Timing one endpoint: warm-up, then one request at a time, with the latencies
//! ([`Timed`]) and the guard's phases summed from each answer's `Server-Timing` header
//! ([`Phases`]).

use std::time::{Duration, Instant};

use anyhow::{bail, Context as _};
use reqwest::{Client, StatusCode};
use serde_json::{json, Value};

use crate::server::{self};
use crate::stats::{Latencies, Summary};

use super::endpoints::{Endpoint, Shape};
use super::{bar, Args, Writer};

/// An endpoint's latencies and a note on what it answered.
pub(super) struct Timed {
    pub(super) summary: Summary,
    pub(super) note: String,
    pub(super) phases: Phases,
}

/// Sums of the guard's phases over the timed requests, from their `Server-Timing` headers.
#[derive(Default)]
pub(super) struct Phases {
    pub(super) requests: u32,
    pub(super) authn_ms: f64,
    pub(super) policy_ms: f64,
    pub(super) app_ms: f64,
    pub(super) audit_ms: f64,
}

impl Phases {
    /// Adds one response's `Server-Timing` header (`authn;dur=0.120, policy;dur=…`).
    pub(super) fn add(
        &mut self,
        header: Option<&reqwest::header::HeaderValue>,
    ) -> anyhow::Result<()> {
        let text = header
            .and_then(|v| v.to_str().ok())
            .context("a guarded response came without its Server-Timing header")?;
        for metric in text.split(',') {
            let (name, rest) = metric
                .trim()
                .split_once(";dur=")
                .context("bad Server-Timing")?;
            let ms: f64 = rest.parse().context("bad Server-Timing duration")?;
            match name {
                "authn" => self.authn_ms += ms,
                "policy" => self.policy_ms += ms,
                "app" => self.app_ms += ms,
                "audit" => self.audit_ms += ms,
                _ => {}
            }
        }
        self.requests += 1;
        Ok(())
    }

    /// A report line and its JSON: mean milliseconds per phase, and the policy check and
    /// audit write as a share of the mean request time seen by the client.
    pub(super) fn report(&self, client_mean: Duration) -> (String, Value) {
        let n = f64::from(self.requests.max(1));
        let (authn, policy, app, audit) = (
            self.authn_ms / n,
            self.policy_ms / n,
            self.app_ms / n,
            self.audit_ms / n,
        );
        let total = client_mean.as_secs_f64() * 1000.0;
        let share = if total > 0.0 {
            (policy + audit) / total * 100.0
        } else {
            0.0
        };
        let with_authn = if total > 0.0 {
            (authn + policy + audit) / total * 100.0
        } else {
            0.0
        };
        (
            format!(
                "guard: authn {authn:.3} ms, policy {policy:.3} ms, handler {app:.3} ms, audit {audit:.3} ms; policy + audit = {share:.1} % of {total:.3} ms ({with_authn:.1} % with authentication)"
            ),
            json!({
                "authn_ms": authn, "policy_ms": policy, "handler_ms": app, "audit_ms": audit,
                "policy_audit_share_pct": share, "with_authn_share_pct": with_authn,
            }),
        )
    }
}

/// Sends the endpoint's requests one at a time: the first `--warmup` untimed.
pub(super) async fn time(
    client: &Client,
    base: &str,
    endpoint: &Endpoint,
    args: &Args,
    writer: &mut Writer,
) -> anyhow::Result<Timed> {
    let progress = bar(endpoint.paths.len() as u64, endpoint.name, "requests");
    let mut latencies = Latencies::with_capacity(args.requests);
    let mut sizes: Vec<u64> = Vec::with_capacity(args.requests);
    let mut phases = Phases::default();
    for (i, path) in endpoint.paths.iter().enumerate() {
        if endpoint.write_first {
            writer.write().await?;
        }
        let started = Instant::now();
        let response = client
            .get(format!("{base}{path}"))
            .header("Authorization", server::authorization())
            .send()
            .await?;
        let status = response.status();
        let timing = response.headers().get("server-timing").cloned();
        let body = response.bytes().await?;
        let elapsed = started.elapsed();
        if status != StatusCode::OK {
            bail!(
                "GET {path} answered {status}: {}",
                String::from_utf8_lossy(&body)
            );
        }
        if i >= args.warmup {
            latencies.record(elapsed);
            if let Shape::Html = endpoint.shape {
                // Public pages are not guarded, so carry no timings.
                if timing.is_some() {
                    phases.add(timing.as_ref())?;
                }
                sizes.push(body.len() as u64);
            } else {
                phases.add(timing.as_ref())?;
                let value: Value = serde_json::from_slice(&body)?;
                sizes.push(match endpoint.shape {
                    Shape::WaitingList => value["total"].as_u64().unwrap_or(0),
                    Shape::Page => value["items"].as_array().map_or(0, |a| a.len() as u64),
                    Shape::Referral | Shape::Html => body.len() as u64,
                });
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    sizes.sort_unstable();
    let largest = sizes.last().copied().unwrap_or(0);
    let median = sizes.get(sizes.len() / 2).copied().unwrap_or(0);
    let empty = sizes.iter().filter(|s| **s == 0).count();
    let note = match endpoint.shape {
        Shape::WaitingList => {
            format!("people on the list: median {median}, largest {largest}")
        }
        Shape::Page => format!("items per page: median {median}, max {largest}; {empty} empty"),
        Shape::Referral | Shape::Html => format!("body bytes: median {median}, max {largest}"),
    };
    Ok(Timed {
        summary: latencies.summary(),
        note,
        phases,
    })
}
