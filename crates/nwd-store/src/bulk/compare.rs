//! For tests: each imported table's rows as a count and a checksum, to compare two imports.

use crate::{Store, StoreError};

/// The imported tables' columns, to compare two imports row by row ([`Store::imported_rows`]).
const COMPARED: [(&str, &[&str]); 9] = [
    ("organisations", &["id", "name", "kind"]),
    ("services", &["id", "organisation_id", "name", "team_type"]),
    (
        "persons",
        &[
            "id",
            "nhs_number",
            "date_of_birth",
            "postcode",
            "details",
            "created_at",
            "family_key",
            "given_key",
        ],
    ),
    ("person_about", &["person_id", "version", "record"]),
    (
        "referrals",
        &[
            "id",
            "person_id",
            "version",
            "status",
            "need_group",
            "received_at",
            "triaged_at",
            "closed_at",
            "destination_name",
            "risk_review_due",
            "family_key",
            "crisis_rank",
            "crisis_due",
        ],
    ),
    (
        "referral_events",
        &["referral_id", "seq", "event_type", "at", "actor", "payload"],
    ),
    (
        "allocations",
        &[
            "id",
            "referral_id",
            "service_id",
            "clock_start",
            "ended_at",
            "waiting",
            "given_key",
            "measure_attended",
        ],
    ),
    (
        "contacts",
        &["id", "allocation_id", "at", "status", "counts_for_access"],
    ),
    ("figure_changes", &["referral_id", "version"]),
];

impl Store {
    /// For tests: each imported table's name, row count and a SHA-256 of its rows (the
    /// columns above as text, in sorted order), so that two imports of the same data can be
    /// compared on one backend.
    pub async fn imported_rows(&self) -> Result<Vec<(&'static str, u64, String)>, StoreError> {
        use sha2::Digest;
        use sqlx::Row;
        let mut tables = Vec::with_capacity(COMPARED.len());
        for (table, columns) in COMPARED {
            let row = columns
                .iter()
                .map(|c| format!("COALESCE(CAST({c} AS TEXT), '~')"))
                .collect::<Vec<_>>()
                .join(" || '|' || ");
            let rows = sqlx::query(&format!("SELECT {row} AS r FROM {table} ORDER BY 1"))
                .fetch_all(&self.pool)
                .await?;
            let mut digest = sha2::Sha256::new();
            for row in &rows {
                digest.update(row.try_get::<String, _>("r")?.as_bytes());
                digest.update(b"\n");
            }
            tables.push((table, rows.len() as u64, hex::encode(digest.finalize())));
        }
        Ok(tables)
    }
}
