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
    /// Clinician whole-time equivalents declared in the directory (0: not declared).
    pub clinician_wte: f64,
    /// Appointment slots (sessions) a week declared in the directory (0: not declared).
    pub slots_per_week: u32,
}

/// A service's capacity in the directory's terms (clinicians and sessions) beside the model's
/// (caseload places: young people in service at once), and the conversion between them:
/// clinicians (WTE) × sessions a week per WTE = sessions a week; sessions a week × places per
/// weekly session = caseload places. Sessions per WTE come from the directory; places per
/// session from the record (the caseload places calibration found ÷ the declared sessions).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Staffing {
    /// The service's id in the directory (the key of [`super::with_declared_wte`]).
    pub service_id: String,
    /// The service's name in the directory.
    pub service: String,
    /// Clinicians (WTE) in the directory.
    pub clinician_wte: f64,
    /// Sessions a week in the directory.
    pub sessions_per_week: u32,
    /// Caseload places in the model (the largest caseload in the window).
    pub places: u32,
}

impl Staffing {
    /// Sessions a week one whole-time clinician gives, if the directory declares both.
    pub fn sessions_per_wte(&self) -> Option<f64> {
        (self.clinician_wte > 0.0 && self.sessions_per_week > 0)
            .then(|| f64::from(self.sessions_per_week) / self.clinician_wte)
    }

    /// Caseload places per whole-time clinician (the places calibration found ÷ the clinicians
    /// declared), if clinicians are declared: `3.5 WTE × 3.43 places per WTE = 12 places`.
    pub fn places_per_wte(&self) -> Option<f64> {
        (self.clinician_wte > 0.0).then(|| f64::from(self.places) / self.clinician_wte)
    }

    /// Caseload places per weekly session, if the directory declares sessions.
    pub fn places_per_session(&self) -> Option<f64> {
        (self.sessions_per_week > 0)
            .then(|| f64::from(self.places) / f64::from(self.sessions_per_week))
    }

    /// Caseload places for `wte` clinicians giving `sessions_per_wte` sessions a week each
    /// (the baseline's own figures give back the baseline's places), or `None` if the
    /// directory does not declare the service's sessions.
    pub fn places_for(&self, wte: f64, sessions_per_wte: f64) -> Option<u32> {
        let per_session = self.places_per_session()?;
        let places = (wte * sessions_per_wte * per_session).round();
        (places.is_finite() && places >= 0.0).then_some(places.min(f64::from(u32::MAX)) as u32)
    }
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
    /// Its clinical priority is above routine (emergency, very urgent or urgent): it arrives
    /// as urgent, queued before routine referrals at every node.
    pub urgent: bool,
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
    /// (those unseen at the end and those whose allocations all ended unseen — who gave up
    /// waiting — count as outside it; referrals never allocated, e.g. signposted, are not
    /// counted).
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
    /// Per service node: its capacity in clinicians and sessions and the conversion to
    /// caseload places.
    pub staffing: BTreeMap<String, Staffing>,
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
