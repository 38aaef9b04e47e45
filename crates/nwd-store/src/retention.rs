//! Retention: finds young people's records past their retention date
//! (`nwd_domain::retention`) and destroys their identifiable data, leaving an audited stub.
//!
//! Destruction of one young person is one transaction: a stub per referral is written to
//! `retention_stubs` (append-only: referral id, received and closed instants, the date and
//! rule applied, the run, who and when — nothing identifiable), then the person's rows are
//! deleted from every table that holds them, including the referral's events, which the
//! append-only trigger allows only because the stub now exists. An audit entry (action
//! `destroy`, purpose `retention:<rule>`) commits in the same transaction. The audit trail
//! itself is kept: it holds opaque ids only. See docs/design/0004-retention.md.

use jiff::civil::Date;
use nwd_domain::retention::{retain_until, RecordFacts, RetentionRules, RuleApplied};
use serde::Serialize;
use sqlx::Row;
use uuid::Uuid;

use crate::audit::{append, AuditEntry};
use crate::codec::{date, ms, ts};
use crate::{Store, StoreError};

/// One young person whose record is past its retention date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionCandidate {
    /// Person id (opaque).
    pub person_id: String,
    /// The first day the record may be destroyed.
    pub retain_until: Date,
    /// The rule that set that date.
    pub rule: RuleApplied,
    /// Referrals that will be destroyed with it.
    pub referrals: usize,
}

/// What one destruction left behind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Destroyed {
    /// Stubs written (one per referral, or one for a record with none).
    pub stubs: usize,
    /// Referral events removed.
    pub events: u64,
}

/// Tables holding a young person's identifiable data, cleared in foreign-key order by
/// [`Store::destroy_record`]. `{p}` is the person ids, `{r}` their referral ids.
const ERASE: &[&str] = &[
    "DELETE FROM not_for_parent WHERE person_id IN ({p})",
    "DELETE FROM person_about_changes WHERE person_id IN ({p})",
    "DELETE FROM person_about WHERE person_id IN ({p})",
    "DELETE FROM parent_contact_decisions WHERE person_id IN ({p})",
    "DELETE FROM safeguarding_overrides WHERE person_id IN ({p})",
    "DELETE FROM parent_access_decisions WHERE person_id IN ({p})",
    "DELETE FROM carer_links WHERE person_id IN ({p})",
    "DELETE FROM competence_assessments WHERE person_id IN ({p})",
    "DELETE FROM break_glass WHERE person_id IN ({p})",
    "DELETE FROM contacts WHERE person_id IN ({p})",
    "DELETE FROM allocations WHERE person_id IN ({p})",
    "DELETE FROM idempotency_keys WHERE referral_id IN ({r})",
    "DELETE FROM status_links WHERE referral_id IN ({r})",
    "DELETE FROM measure_links WHERE referral_id IN ({r})",
    "DELETE FROM match_reviews WHERE person_id IN ({p}) OR referral_id IN ({r})",
    "UPDATE match_reviews SET linked_to = NULL WHERE linked_to IN ({p})",
    "DELETE FROM match_decisions WHERE person_id IN ({p}) OR referral_id IN ({r})",
    "DELETE FROM person_merges WHERE survivor_id IN ({p}) OR merged_id IN ({p})",
    "DELETE FROM person_not_same WHERE person_a IN ({p}) OR person_b IN ({p})",
    "DELETE FROM referral_events WHERE referral_id IN ({r})",
    "DELETE FROM referrals WHERE id IN ({r})",
    "UPDATE persons SET merged_into = NULL WHERE id IN ({p})",
    "DELETE FROM persons WHERE id IN ({p})",
];

/// A referral about to be destroyed: id, received (ms), closed (ms), status.
type StubSource = (String, i64, Option<i64>, String);

fn placeholders(from: usize, n: usize) -> String {
    if n == 0 {
        // An empty IN list is not portable SQL; this matches nothing.
        return "NULL".into();
    }
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Store {
    /// Young people whose records may be destroyed on `today` under `rules`: no referral
    /// still open, and the retention date reached. Records merged into another are handled
    /// with their survivor.
    pub async fn retention_candidates(
        &self,
        rules: &RetentionRules,
        today: Date,
    ) -> Result<Vec<RetentionCandidate>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.date_of_birth, p.date_of_death, p.created_at, \
             MAX(r.closed_at) AS concluded, COUNT(r.id) AS referrals, \
             SUM(CASE WHEN r.id IS NOT NULL AND r.status <> 'closed' THEN 1 ELSE 0 END) AS open \
             FROM persons p LEFT JOIN referrals r ON r.person_id = p.id \
             WHERE p.merged_into IS NULL \
             GROUP BY p.id, p.date_of_birth, p.date_of_death, p.created_at ORDER BY p.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::new();
        for row in &rows {
            if row.try_get::<Option<i64>, _>("open")?.unwrap_or(0) > 0 {
                continue;
            }
            let concluded = match row.try_get::<Option<i64>, _>("concluded")? {
                Some(at) => at,
                None => row.try_get("created_at")?,
            };
            let facts = RecordFacts {
                born: date(&row.try_get::<String, _>("date_of_birth")?)?,
                concluded: ts(concluded)?.to_zoned(self.tz.clone()).date(),
                died: row
                    .try_get::<Option<String>, _>("date_of_death")?
                    .map(|d| date(&d))
                    .transpose()?,
            };
            let decided = retain_until(facts, rules);
            if today >= decided.until {
                out.push(RetentionCandidate {
                    person_id: row.try_get("id")?,
                    retain_until: decided.until,
                    rule: decided.rule,
                    referrals: usize::try_from(row.try_get::<i64, _>("referrals")?).unwrap_or(0),
                });
            }
        }
        Ok(out)
    }

    /// Destroys one young person's record (and any records merged into it), leaving stubs,
    /// in one transaction with its own audit entry — `audit`'s actor as who (the operator
    /// named on the stubs), one entry per record destroyed.
    pub async fn destroy_record(
        &self,
        audit: &crate::audit::AuditContext,
        candidate: &RetentionCandidate,
        rules: &RetentionRules,
        run_id: &str,
    ) -> Result<Destroyed, StoreError> {
        let run_by = match audit.actor() {
            nwd_domain::actor::Actor::Operator(name) => name.clone(),
            other => other.to_string(),
        };
        let run_by = run_by.as_str();
        let now = self.now();
        let mut w = self.begin_write().await?;
        // The person and every record merged into it.
        let mut persons = vec![candidate.person_id.clone()];
        let merged = sqlx::query("SELECT id FROM persons WHERE merged_into = $1")
            .bind(&candidate.person_id)
            .fetch_all(&mut *w.tx)
            .await?;
        for row in &merged {
            persons.push(row.try_get("id")?);
        }
        let mut referrals: Vec<StubSource> = Vec::new();
        for person in &persons {
            let rows = sqlx::query(
                "SELECT id, received_at, closed_at, status FROM referrals WHERE person_id = $1",
            )
            .bind(person)
            .fetch_all(&mut *w.tx)
            .await?;
            for row in &rows {
                referrals.push((
                    row.try_get("id")?,
                    row.try_get("received_at")?,
                    row.try_get("closed_at")?,
                    row.try_get("status")?,
                ));
            }
        }
        if referrals.iter().any(|r| r.3 != "closed") {
            // Re-checked inside the transaction: a referral opened since the candidates were
            // listed keeps the record.
            return Err(StoreError::Domain(nwd_domain::DomainError::illegal(
                "a referral for this young person is open again: the record is kept",
            )));
        }
        let mut events = 0u64;
        let stub_rows: Vec<Option<&StubSource>> = if referrals.is_empty() {
            vec![None]
        } else {
            referrals.iter().map(Some).collect()
        };
        for referral in &stub_rows {
            let removed = match referral {
                Some(r) => {
                    let row = sqlx::query(
                        "SELECT COUNT(*) AS n FROM referral_events WHERE referral_id = $1",
                    )
                    .bind(&r.0)
                    .fetch_one(&mut *w.tx)
                    .await?;
                    row.try_get::<i64, _>("n")?
                }
                None => 0,
            };
            events += u64::try_from(removed).unwrap_or(0);
            sqlx::query(
                "INSERT INTO retention_stubs (id, run_id, referral_id, received_at, closed_at, \
                 retain_until, rule, rule_source, events_removed, destroyed_at, destroyed_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(Uuid::new_v4().to_string())
            .bind(run_id)
            .bind(referral.map(|r| r.0.clone()))
            .bind(referral.map(|r| r.1))
            .bind(referral.and_then(|r| r.2))
            .bind(candidate.retain_until.to_string())
            .bind(candidate.rule.as_str())
            .bind(&rules.source)
            .bind(removed)
            .bind(ms(now))
            .bind(run_by)
            .execute(&mut *w.tx)
            .await?;
        }
        let referral_ids: Vec<&String> = referrals.iter().map(|r| &r.0).collect();
        for statement in ERASE {
            // Only the parameters the statement uses are bound: PostgreSQL would otherwise
            // prepare it with the extra ones, and the same text with another number of
            // referrals would no longer match the prepared statement.
            let (uses_p, uses_r) = (statement.contains("{p}"), statement.contains("{r}"));
            let p = placeholders(1, persons.len());
            let r_from = if uses_p { 1 + persons.len() } else { 1 };
            let r = placeholders(r_from, referral_ids.len());
            let sql = statement.replace("{p}", &p).replace("{r}", &r);
            let mut query = sqlx::query(&sql);
            if uses_p {
                for person in &persons {
                    query = query.bind(person);
                }
            }
            if uses_r {
                for referral in &referral_ids {
                    query = query.bind(*referral);
                }
            }
            query.execute(&mut *w.tx).await?;
        }
        let mut entry = AuditEntry {
            route: "nowrongdoor retention run".into(),
            action: "destroy".into(),
            ..audit.entry()
        };
        entry.record_type = "person".into();
        entry.record_id = Some(candidate.person_id.clone());
        entry.person_id = Some(candidate.person_id.clone());
        entry.why = format!("retention:{}", candidate.rule.as_str());
        entry.detail = Some(format!(
            "run={run_id}; retain_until={}; referrals={}; events={events}; source={}",
            candidate.retain_until,
            referral_ids.len(),
            rules.source
        ));
        crate::versioned::bump(&mut w.tx).await?;
        append(&mut w.tx, entry, now, w.key.as_deref()).await?;
        w.tx.commit().await?;
        Ok(Destroyed {
            stubs: stub_rows.len(),
            events,
        })
    }

    /// The stubs left by retention, oldest first (for reports and tests).
    pub async fn retention_stubs(&self) -> Result<Vec<RetentionStub>, StoreError> {
        let rows = sqlx::query(
            "SELECT run_id, referral_id, received_at, closed_at, retain_until, rule, \
             events_removed, destroyed_at, destroyed_by FROM retention_stubs \
             ORDER BY destroyed_at, id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(RetentionStub {
                    run_id: row.try_get("run_id")?,
                    referral_id: row.try_get("referral_id")?,
                    received_at: row.try_get::<Option<i64>, _>("received_at")?,
                    closed_at: row.try_get::<Option<i64>, _>("closed_at")?,
                    retain_until: row.try_get("retain_until")?,
                    rule: row.try_get("rule")?,
                    events_removed: row.try_get("events_removed")?,
                    destroyed_at: ts(row.try_get("destroyed_at")?)?,
                    destroyed_by: row.try_get("destroyed_by")?,
                })
            })
            .collect()
    }
}

/// A stub as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RetentionStub {
    /// The run.
    pub run_id: String,
    /// The referral destroyed (None for a record with no referral).
    pub referral_id: Option<String>,
    /// Received (ms).
    pub received_at: Option<i64>,
    /// Closed (ms).
    pub closed_at: Option<i64>,
    /// The retention date applied.
    pub retain_until: String,
    /// The rule applied.
    pub rule: String,
    /// Events removed.
    pub events_removed: i64,
    /// When.
    pub destroyed_at: jiff::Timestamp,
    /// Who ran it.
    pub destroyed_by: String,
}
