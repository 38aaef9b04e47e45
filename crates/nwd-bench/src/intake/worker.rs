//! One client of the intake benchmark: claims the next referral number and posts it, retrying
//! a transport error or a 5xx with the same idempotency key (so a retry can never create a
//! second referral), until every number is claimed.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::bail;
use indicatif::ProgressBar;
use reqwest::{Client, StatusCode};
use serde_json::Value;

use crate::server::{self};
use crate::stats::Latencies;

use super::bodies::referral_body;
use super::ATTEMPTS;

/// One client: claims the next referral number and posts it, until all are claimed.
pub(super) struct Worker {
    pub(super) client: Client,
    pub(super) url: String,
    pub(super) next: Arc<AtomicU64>,
    pub(super) total: u64,
    pub(super) bar: ProgressBar,
}

impl Worker {
    /// Returns the latency of each accepted referral and the number of retries.
    pub(super) async fn run(self) -> anyhow::Result<(Latencies, u64)> {
        let mut latencies = Latencies::default();
        let mut retries = 0;
        loop {
            let n = self.next.fetch_add(1, Ordering::Relaxed);
            if n >= self.total {
                return Ok((latencies, retries));
            }
            let body = referral_body(n);
            let key = uuid::Uuid::new_v4().to_string();
            let mut attempt = 1;
            loop {
                let started = Instant::now();
                match self.post(&body, &key).await? {
                    Attempt::Accepted => {
                        latencies.record(started.elapsed());
                        break;
                    }
                    Attempt::Retry(why) if attempt < ATTEMPTS => {
                        retries += 1;
                        attempt += 1;
                        self.bar.println(format!("retrying referral {n}: {why}"));
                        tokio::time::sleep(Duration::from_millis(50)).await;
                    }
                    Attempt::Retry(why) => {
                        bail!("referral {n} failed {ATTEMPTS} times; last: {why}")
                    }
                }
            }
            self.bar.inc(1);
        }
    }

    /// Posts one referral. Accepted on 201, or 200 (an earlier attempt with this key
    /// succeeded); retried on a transport error or a 5xx; a 4xx is a bug in this benchmark's
    /// request, not load, and stops the run.
    pub(super) async fn post(&self, body: &Value, key: &str) -> anyhow::Result<Attempt> {
        let sent = self
            .client
            .post(&self.url)
            .header("Authorization", server::authorization())
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await;
        let response = match sent {
            Ok(response) => response,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        let status = response.status();
        // Read the whole body: the latency is that of the complete answer.
        let text = match response.text().await {
            Ok(text) => text,
            Err(error) => return Ok(Attempt::Retry(error.to_string())),
        };
        if status == StatusCode::CREATED || status == StatusCode::OK {
            Ok(Attempt::Accepted)
        } else if status.is_server_error() {
            Ok(Attempt::Retry(format!("{status}: {text}")))
        } else {
            bail!("the server refused a benchmark referral: {status}: {text}")
        }
    }
}

/// What became of one attempt to post a referral.
pub(super) enum Attempt {
    Accepted,
    Retry(String),
}
