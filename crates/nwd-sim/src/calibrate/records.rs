//! What calibration reads and writes: the record as it needs it ([`Records`]: services,
//! referrals, allocations, with times in days from any origin), the options, the observed
//! figures ([`Observed`], defined as the simulator defines them) and the result
//! ([`Calibration`]).

use std::collections::BTreeMap;

use crate::scenario::Scenario;

/// The record, as calibration needs it. Times are days from any origin.
#[derive(Debug, Clone, Default)]
pub struct Records {
    /// Services in the directory.
    pub services: Vec<ServiceRecord>,
    /// Referrals.
    pub referrals: Vec<ReferralRecord>,
    /// Allocations of referrals to services.
    pub allocations: Vec<AllocationRecord>,
    /// Per service id: did-not-attend contacts before the first attended one.
    pub missed_first_contacts: BTreeMap<String, u64>,
}

/// A service.
#[derive(Debug, Clone)]
pub struct ServiceRecord {
    /// Id.
    pub id: String,
    /// Name (nodes are named after it).
    pub name: String,
}

/// A referral.
#[derive(Debug, Clone)]
pub struct ReferralRecord {
    /// Id.
    pub id: String,
    /// Source of referral.
    pub source: String,
    /// Need group agreed at triage, if triaged.
    pub need_group: Option<String>,
    /// Received (day).
    pub received: f64,
    /// Triaged (day).
    pub triaged: Option<f64>,
}

/// An allocation.
#[derive(Debug, Clone)]
pub struct AllocationRecord {
    /// Referral id.
    pub referral_id: String,
    /// Service id.
    pub service_id: String,
    /// Need group of the allocation.
    pub need_group: String,
    /// `triage`, `step_up`, `step_down` or `additional`.
    pub origin: String,
    /// Allocated (day): arrival at the service.
    pub allocated: f64,
    /// First attended contact (day).
    pub first_attended: Option<f64>,
    /// Ended (day).
    pub ended: Option<f64>,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// A node's figures observed in the window (the same definitions as the simulator's).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ObservedNode {
    /// Arrivals per year.
    pub arrivals_per_year: f64,
    /// Mean wait (days) of arrivals in the window that were seen.
    pub mean_wait_days: f64,
    /// Median wait.
    pub p50_wait_days: f64,
    /// 90th-percentile wait.
    pub p90_wait_days: f64,
    /// Time-average list (daily samples).
    pub mean_list: f64,
    /// List at the end of the window.
    pub waiting_at_end: f64,
}

/// Observed figures over the window.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Observed {
    /// Per node name.
    pub nodes: BTreeMap<String, ObservedNode>,
    /// Share of referrals received in the window first seen at a service within the standard
    /// (unseen at the end count as outside it).
    pub referrals_within_standard: f64,
}

/// What calibration produced.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Starts from the state at the end of the window and runs three years.
    pub baseline: Scenario,
    /// Starts from the state at the start of the window and runs over it.
    pub backtest: Scenario,
    /// The window's observed figures.
    pub observed: Observed,
    /// Things the reader should know (assumptions made, services skipped).
    pub notes: Vec<String>,
}

/// Calibration settings.
#[derive(Debug, Clone, Copy)]
pub struct CalibrationOptions {
    /// Window start (day).
    pub from: f64,
    /// Window end (day): "today" for the baseline.
    pub to: f64,
    /// Standard for the referral-to-first-service share (days).
    pub standard_days: f64,
}
