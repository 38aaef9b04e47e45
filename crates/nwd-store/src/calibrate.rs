//! Read-only queries for calibrating the simulator (`nowrongdoor simulate calibrate`): the
//! services, referrals and allocations as plain rows, and the did-not-attend contacts before
//! each service's first attended contact. Nothing here writes, and nothing here models: the
//! simulator (`nwd_sim::calibrate`) turns these rows into a scenario.
//!
//! [`CalibrationData::records`] puts the rows in the simulator's own terms (days before the
//! latest activity), once for every door that calibrates — the CLI's `simulate calibrate` and
//! the commissioners' simulator page. It lives here, beside the query, because the simulator
//! is pure (no I/O) and the web and the CLI must not import each other: the store depending on
//! `nwd-sim`, a pure crate, is a dependency of the same kind as on `nwd-domain`.
//!
//! Instants are UTC milliseconds, as stored. The same SQL runs on SQLite and PostgreSQL.

use std::collections::BTreeMap;

use nwd_sim::calibrate::{AllocationRecord, Records, ReferralRecord, ServiceRecord};
use sqlx::Row;

use crate::{Store, StoreError};

/// Everything calibration reads.
#[derive(Debug, Clone, Default)]
pub struct CalibrationData {
    /// Services in the directory.
    pub services: Vec<CalibrationService>,
    /// Referrals (all kinds).
    pub referrals: Vec<CalibrationReferral>,
    /// Allocations.
    pub allocations: Vec<CalibrationAllocation>,
    /// Per service id: did-not-attend contacts before the allocation's first attended contact.
    pub missed_first_contacts: BTreeMap<String, u64>,
    /// The latest instant in the record (ms): a default "today" for a demo database.
    pub latest_ms: Option<i64>,
}

impl CalibrationData {
    /// The rows as the simulator's records, in days before `latest_ms` (day 0): the one
    /// conversion the CLI's `simulate calibrate` and the simulator page share.
    pub fn records(&self, latest_ms: i64) -> Records {
        let day = |ms: i64| (ms - latest_ms) as f64 / 86_400_000.0;
        Records {
            services: self
                .services
                .iter()
                .map(|s| ServiceRecord {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    clinician_wte: s.clinician_wte,
                    slots_per_week: s.slots_per_week,
                })
                .collect(),
            referrals: self
                .referrals
                .iter()
                .map(|r| ReferralRecord {
                    id: r.id.clone(),
                    source: r.source.clone(),
                    need_group: r.need_group.clone(),
                    received: day(r.received_at),
                    triaged: r.triaged_at.map(day),
                    urgent: r.priority != nwd_domain::codes::Priority::Routine.as_str(),
                })
                .collect(),
            allocations: self
                .allocations
                .iter()
                .map(|a| AllocationRecord {
                    referral_id: a.referral_id.clone(),
                    service_id: a.service_id.clone(),
                    need_group: a.need_group.clone(),
                    origin: a.origin.clone(),
                    allocated: day(a.allocated_at),
                    first_attended: a.first_attended_at.map(day),
                    ended: a.ended_at.map(day),
                    end_reason: a.end_reason.clone(),
                })
                .collect(),
            missed_first_contacts: self.missed_first_contacts.clone(),
        }
    }
}

/// A service row.
#[derive(Debug, Clone)]
pub struct CalibrationService {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Clinician whole-time equivalents (the directory's `capacity.clinician_wte`; 0 if the
    /// details cannot be read).
    pub clinician_wte: f64,
    /// Appointment slots a week (the directory's `capacity.slots_per_week`).
    pub slots_per_week: u32,
}

/// The capacity in a service's stored details (JSON): only what calibration reads.
#[derive(serde::Deserialize)]
struct StoredCapacity {
    capacity: nwd_domain::directory::Capacity,
}

/// A referral row.
#[derive(Debug, Clone)]
pub struct CalibrationReferral {
    /// Id.
    pub id: String,
    /// Source of referral (our code, e.g. `gp`).
    pub source: String,
    /// Need group agreed at triage.
    pub need_group: Option<String>,
    /// Received (ms).
    pub received_at: i64,
    /// Triaged (ms).
    pub triaged_at: Option<i64>,
    /// The clinical response priority in force (`routine`, `urgent`, `very_urgent`,
    /// `emergency`).
    pub priority: String,
}

/// An allocation row.
#[derive(Debug, Clone)]
pub struct CalibrationAllocation {
    /// Referral id.
    pub referral_id: String,
    /// Service id.
    pub service_id: String,
    /// Need group.
    pub need_group: String,
    /// `triage`, `step_up`, `step_down` or `additional`.
    pub origin: String,
    /// Allocated (ms).
    pub allocated_at: i64,
    /// First attended contact (ms).
    pub first_attended_at: Option<i64>,
    /// Ended (ms).
    pub ended_at: Option<i64>,
    /// Discharge reason code.
    pub end_reason: Option<String>,
}

impl Store {
    /// Reads what calibration needs (read-only; one query per table).
    pub async fn calibration_data(&self) -> Result<CalibrationData, StoreError> {
        let services = sqlx::query("SELECT id, name, details FROM services ORDER BY name, id")
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|row| {
                let details: String = row.try_get("details")?;
                let capacity = serde_json::from_str::<StoredCapacity>(&details)?.capacity;
                Ok(CalibrationService {
                    id: row.try_get("id")?,
                    name: row.try_get("name")?,
                    clinician_wte: capacity.clinician_wte,
                    slots_per_week: capacity.slots_per_week,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let referrals = sqlx::query(
            "SELECT id, source, need_group, received_at, triaged_at, priority FROM referrals ORDER BY received_at, id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(CalibrationReferral {
                id: row.try_get("id")?,
                source: row.try_get("source")?,
                need_group: row.try_get("need_group")?,
                received_at: row.try_get("received_at")?,
                triaged_at: row.try_get("triaged_at")?,
                priority: row.try_get("priority")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let allocations = sqlx::query(
            "SELECT referral_id, service_id, need_group, origin, allocated_at, first_attended_at, ended_at, end_reason \
             FROM allocations ORDER BY allocated_at, id",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            Ok(CalibrationAllocation {
                referral_id: row.try_get("referral_id")?,
                service_id: row.try_get("service_id")?,
                need_group: row.try_get("need_group")?,
                origin: row.try_get("origin")?,
                allocated_at: row.try_get("allocated_at")?,
                first_attended_at: row.try_get("first_attended_at")?,
                ended_at: row.try_get("ended_at")?,
                end_reason: row.try_get("end_reason")?,
            })
        })
        .collect::<Result<Vec<_>, StoreError>>()?;
        let missed_first_contacts = sqlx::query(
            "SELECT c.service_id AS service_id, COUNT(*) AS missed FROM contacts c \
             JOIN allocations a ON a.id = c.allocation_id \
             WHERE c.status = $1 AND (a.first_attended_at IS NULL OR c.at < a.first_attended_at) \
             GROUP BY c.service_id",
        )
        .bind("did_not_attend")
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|row| {
            let missed: i64 = row.try_get("missed")?;
            Ok((row.try_get("service_id")?, missed.max(0) as u64))
        })
        .collect::<Result<BTreeMap<String, u64>, StoreError>>()?;
        let latest_ms = referrals
            .iter()
            .flat_map(|r| [Some(r.received_at), r.triaged_at])
            .chain(
                allocations
                    .iter()
                    .flat_map(|a| [Some(a.allocated_at), a.first_attended_at, a.ended_at]),
            )
            .flatten()
            .max();
        Ok(CalibrationData {
            services,
            referrals,
            allocations,
            missed_first_contacts,
            latest_ms,
        })
    }
}
