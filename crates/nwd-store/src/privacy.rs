//! The privacy officer's reads and reviews: audit entries about a young person or by a user,
//! filtered by date and paged by position in the chain; the review of a break-glass grant or
//! a safeguarding override with its outcome; finding a young person's register ids from an
//! NHS number. The audit trail itself (chain, append, verify) is [`crate::audit`].

use std::fmt;

use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::audit::{record_from_row, AuditRecord, SELECT};
use crate::codec::ms;
use crate::{Store, StoreError};

/// Whose audit entries to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AuditSubject {
    /// Entries about any of these young people's register ids (one person can have several
    /// ids after a merge).
    Persons(Vec<String>),
    /// Entries of one user.
    User(String),
}

/// A filtered, paged read of the audit trail.
#[derive(Debug, Clone)]
pub struct AuditQuery {
    /// Whose.
    pub subject: AuditSubject,
    /// Entries at or after this instant (ms).
    pub from_ms: Option<i64>,
    /// Entries before this instant (ms).
    pub until_ms: Option<i64>,
    /// Newest first: entries with a position below this one (the next page); oldest first:
    /// entries above it.
    pub cursor: Option<u64>,
    /// Newest first (the pages) or oldest first (the downloads).
    pub newest_first: bool,
    /// At most this many.
    pub limit: u32,
}

/// A page of audit entries.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditPage {
    /// The entries, in the order asked for.
    pub entries: Vec<AuditRecord>,
    /// The cursor of the next page, when there is one.
    pub next: Option<u64>,
}

/// The privacy officer's finding on a break-glass grant or a safeguarding override.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// The access or override was justified.
    Appropriate,
    /// It was not: follow up under the organisation's policy.
    NotAppropriate,
    /// The reason given is not enough to decide: ask the member of staff.
    AskUser,
}

impl ReviewOutcome {
    /// Every outcome, in the order offered.
    pub const ALL: [ReviewOutcome; 3] = [
        ReviewOutcome::Appropriate,
        ReviewOutcome::NotAppropriate,
        ReviewOutcome::AskUser,
    ];

    /// The stored and API name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewOutcome::Appropriate => "appropriate",
            ReviewOutcome::NotAppropriate => "not_appropriate",
            ReviewOutcome::AskUser => "ask_user",
        }
    }

    /// In words, for the form.
    pub fn label(self) -> &'static str {
        match self {
            ReviewOutcome::Appropriate => "Appropriate: the access was justified",
            ReviewOutcome::NotAppropriate => {
                "Not appropriate: follow up under the organisation's policy"
            }
            ReviewOutcome::AskUser => "Cannot tell yet: ask the member of staff for more",
        }
    }

    /// Parses the API name, listing the allowed values when it is not one.
    pub fn parse(value: &str) -> Result<ReviewOutcome, String> {
        ReviewOutcome::ALL
            .into_iter()
            .find(|o| o.as_str() == value)
            .ok_or_else(|| {
                format!(
                    "choose an outcome: {}",
                    ReviewOutcome::ALL.map(ReviewOutcome::as_str).join(", ")
                )
            })
    }
}

impl fmt::Display for ReviewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What is being reviewed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewItem {
    /// A break-glass grant.
    BreakGlass,
    /// A safeguarding override.
    SafeguardingOverride,
}

/// A staff account as the privacy officer's reports name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountName {
    /// The account's id.
    pub user_id: String,
    /// Its username.
    pub username: String,
    /// The name shown for it (e.g. "Dr Jane Smith").
    pub display_name: String,
}

impl Store {
    /// The names of the accounts with these ids (those that exist), for the privacy officer's
    /// reports, whose entries record ids and usernames. At most 1,000 ids at a time.
    pub async fn account_names(&self, ids: &[String]) -> Result<Vec<AccountName>, StoreError> {
        let mut ids: Vec<&String> = ids.iter().collect();
        ids.sort();
        ids.dedup();
        ids.truncate(1000);
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT id, username, display_name FROM users WHERE id IN ({}) ORDER BY id",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(&sql);
        for id in ids {
            query = query.bind(id.clone());
        }
        query
            .fetch_all(&self.pool)
            .await?
            .iter()
            .map(|r| {
                Ok(AccountName {
                    user_id: r.try_get("id")?,
                    username: r.try_get("username")?,
                    display_name: r.try_get("display_name")?,
                })
            })
            .collect()
    }

    /// A page of audit entries about a young person or by a user, within the dates given.
    pub async fn audit_page(&self, query: &AuditQuery) -> Result<AuditPage, StoreError> {
        let mut clauses = Vec::new();
        let mut binds: Vec<Bind> = Vec::new();
        match &query.subject {
            AuditSubject::Persons(ids) if ids.is_empty() => {
                return Ok(AuditPage {
                    entries: Vec::new(),
                    next: None,
                })
            }
            AuditSubject::Persons(ids) => {
                let marks: Vec<String> = ids
                    .iter()
                    .map(|id| {
                        binds.push(Bind::Text(id.clone()));
                        format!("${}", binds.len())
                    })
                    .collect();
                clauses.push(format!("person_id IN ({})", marks.join(", ")));
            }
            AuditSubject::User(id) => {
                binds.push(Bind::Text(id.clone()));
                clauses.push(format!("user_id = ${}", binds.len()));
            }
        }
        if let Some(from) = query.from_ms {
            binds.push(Bind::Int(from));
            clauses.push(format!("at >= ${}", binds.len()));
        }
        if let Some(until) = query.until_ms {
            binds.push(Bind::Int(until));
            clauses.push(format!("at < ${}", binds.len()));
        }
        if let Some(cursor) = query.cursor {
            binds.push(Bind::Int(cursor as i64));
            let op = if query.newest_first { "<" } else { ">" };
            clauses.push(format!("seq {op} ${}", binds.len()));
        }
        let order = if query.newest_first { "DESC" } else { "ASC" };
        let limit = query.limit.max(1);
        let sql = format!(
            "{SELECT} WHERE {} ORDER BY seq {order} LIMIT {}",
            clauses.join(" AND "),
            u64::from(limit) + 1
        );
        let mut q = sqlx::query(&sql);
        for bind in binds {
            q = match bind {
                Bind::Text(t) => q.bind(t),
                Bind::Int(i) => q.bind(i),
            };
        }
        let rows = q.fetch_all(&self.pool).await?;
        let mut entries = rows
            .iter()
            .map(record_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let next = if entries.len() > limit as usize {
            entries.truncate(limit as usize);
            entries.last().map(|e| e.seq)
        } else {
            None
        };
        Ok(AuditPage { entries, next })
    }

    /// The register ids of the young person with this NHS number (digits only): the live
    /// record and any merged into it, so a report covers every id the person was known by.
    pub async fn person_ids_by_nhs_number(&self, digits: &str) -> Result<Vec<String>, StoreError> {
        let Some(row) = sqlx::query("SELECT id FROM persons WHERE nhs_number = $1")
            .bind(digits)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(Vec::new());
        };
        let id: String = row.try_get("id")?;
        let mut ids = vec![id.clone()];
        for merged in sqlx::query("SELECT id FROM persons WHERE merged_into = $1 ORDER BY id")
            .bind(&id)
            .fetch_all(&self.pool)
            .await?
        {
            ids.push(merged.try_get("id")?);
        }
        Ok(ids)
    }

    /// Records the privacy officer's review of a break-glass grant or a safeguarding override
    /// (the outcome is optional only for API callers from before outcomes existed). An item
    /// that does not exist or was already reviewed is not found; nothing is written then.
    pub async fn record_review(
        &self,
        audit: &crate::audit::AuditContext,
        item: ReviewItem,
        id: &str,
        outcome: Option<ReviewOutcome>,
        note: &str,
    ) -> Result<(), StoreError> {
        // Reviews name the reviewing account by its id (the operator's `cli:<name>` when no
        // account acts).
        let reviewer = audit
            .account()
            .map(str::to_owned)
            .unwrap_or_else(|| audit.by());
        let (table, what, record_type) = match item {
            ReviewItem::BreakGlass => {
                ("break_glass", "unreviewed break-glass grant", "break_glass")
            }
            ReviewItem::SafeguardingOverride => (
                "safeguarding_overrides",
                "unreviewed safeguarding override",
                "safeguarding_override",
            ),
        };
        let now = self.now();
        let mut w = self.begin_write().await?;
        let changed = sqlx::query(&format!(
            "UPDATE {table} SET reviewed_by = $1, reviewed_at = $2, review_note = $3, \
             review_outcome = $4 WHERE id = $5 AND reviewed_at IS NULL"
        ))
        .bind(&reviewer)
        .bind(ms(now))
        .bind(note)
        .bind(outcome.map(ReviewOutcome::as_str))
        .bind(id)
        .execute(&mut *w.tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found(what, id));
        }
        audit.set_record(record_type, id);
        audit.set_detail(format!(
            "review_outcome:{}",
            outcome.map(ReviewOutcome::as_str).unwrap_or("none")
        ));
        w.commit_audited(now, audit).await?;
        Ok(())
    }
}

enum Bind {
    Text(String),
    Int(i64),
}
