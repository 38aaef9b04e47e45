//! The booking lead of a service: how long a young person waits for a first appointment when
//! the wait is for a date in the diary, not for a place. A capacity queue cannot produce such
//! waits (with a place free it starts people at once), which is why booking-led services were
//! simulated with waits about ten times too short.
//!
//! Which services are booking-led is judged by the model's own capacity: a service whose
//! calibrated places are far more than its demand needs — **utilisation** (arrivals a day ×
//! mean days in service ÷ places) below [`BOOKING_LED_UTILISATION`] — cannot make people wait
//! for a place, so its waits in the record are booking. It gets a booking lead with the
//! distribution of its first appointments' waits in the window (at least
//! [`MIN_LEAD_SAMPLES`] of them). A service near or over its capacity (a neurodevelopmental
//! pathway with a growing list) gets none: its waits come from the queue, and adding
//! clinicians there shortens them in the model.
//!
//! A first attempt judged each first appointment by whether the service's caseload that day
//! was below its peak; in the demo county that called the neurodevelopmental pathway
//! booking-led (its caseload swings while its list grows, because what limits it is the
//! number of new assessments a week), which would have made its waits deaf to capacity.

use super::fit::{empirical, mean};
use crate::scenario::DistSpec;

/// Utilisation below which a service is booking-led: a local choice. At 90 % of many places
/// (the demo county's services have tens to hundreds) a capacity queue makes almost nobody
/// wait, so the record's waits there are booking; at or above it the queue explains them.
pub const BOOKING_LED_UTILISATION: f64 = 0.9;
/// Fewest first appointments to estimate a lead from: a local choice (a distribution of fewer
/// than 20 waits says little).
pub const MIN_LEAD_SAMPLES: usize = 20;

/// A service's booking lead, if it is booking-led.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Lead {
    /// The waits of its first appointments in the window.
    pub(super) dist: DistSpec,
    /// Their mean (days).
    pub(super) mean_days: f64,
    /// The model's utilisation of the service.
    pub(super) utilisation: f64,
}

/// The lead of a service from the waits of its first appointments in the window, its arrivals
/// a day, mean days in service and calibrated places.
pub(super) fn booking_lead(
    waits: &[f64],
    arrivals_per_day: f64,
    mean_service_days: f64,
    places: u32,
) -> Option<Lead> {
    let utilisation = arrivals_per_day * mean_service_days / f64::from(places.max(1));
    if utilisation.is_nan()
        || utilisation >= BOOKING_LED_UTILISATION
        || waits.len() < MIN_LEAD_SAMPLES
    {
        return None;
    }
    Some(Lead {
        mean_days: mean(waits)?,
        dist: empirical(waits),
        utilisation,
    })
}
