//! Verification: recomputing the chain (hashes, links, MACs, the head) from the first entry
//! or from the last one this process verified, and what a check found.

use super::*;

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuditVerification {
    /// Entries checked.
    pub entries: u64,
    /// The first entry whose hash or link does not verify, with what is wrong.
    pub first_broken: Option<BrokenEntry>,
}

/// A broken link in the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BrokenEntry {
    /// Its position.
    pub seq: u64,
    /// What is wrong.
    pub problem: String,
}

/// The last entry this process found the chain intact up to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheckpoint {
    /// Its position.
    pub seq: u64,
    /// Its hash.
    pub hash: String,
    /// When the whole chain was last verified from the first entry.
    pub full_at: Option<Timestamp>,
}

/// What one check of the chain did and found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditCheck {
    /// The result: entries verified (in total, the remembered prefix included) and the first
    /// broken one.
    pub verification: AuditVerification,
    /// Whether the whole chain was recomputed (otherwise only the entries from `from_seq`).
    pub full: bool,
    /// The first entry recomputed by this check.
    pub from_seq: u64,
    /// When this check ran.
    pub at: Timestamp,
    /// When the whole chain was last recomputed by this process, if ever.
    pub full_at: Option<Timestamp>,
}

fn lock_ignoring_poison<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    match mutex.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// A verification and the hash of its last verified entry.
struct VerifiedTo {
    verification: AuditVerification,
    last_hash: String,
}

/// Recomputes the entries after `after` (whose hash is `prev`), then checks the head.
async fn verify_after(
    conn: &mut sqlx::AnyConnection,
    after: u64,
    prev: String,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<VerifiedTo, StoreError> {
    let mut expected_prev = prev;
    let mut expected_seq = after + 1;
    let mut after = after as i64;
    loop {
        let rows = sqlx::query(&format!("{SELECT} WHERE seq > $1 ORDER BY seq LIMIT 5000"))
            .bind(after)
            .fetch_all(&mut *conn)
            .await?;
        if rows.is_empty() {
            break;
        }
        for row in &rows {
            let record = record_from_row(row)?;
            let broken = |problem: &str| {
                Ok(VerifiedTo {
                    verification: AuditVerification {
                        entries: expected_seq - 1,
                        first_broken: Some(BrokenEntry {
                            seq: record.seq,
                            problem: problem.to_owned(),
                        }),
                    },
                    last_hash: String::new(),
                })
            };
            if record.seq != expected_seq {
                return broken(&format!(
                    "entry {expected_seq} is missing (next present is {})",
                    record.seq
                ));
            }
            if record.prev_hash != expected_prev {
                return broken("its previous-hash link does not match the entry before it");
            }
            if chain_hash(record.seq, &record.prev_hash, &record.entry) != record.hash {
                return broken("its content does not match its hash: it was altered");
            }
            // The chain alone can be recomputed by anyone who can write to the database; the
            // MAC needs the server's key, which the database never holds.
            if let Some(key) = key {
                match &record.mac {
                    Some(mac) if key.audit_mac_matches(record.seq, &record.hash, mac) => {}
                    Some(_) => {
                        return broken(
                            "its MAC does not verify with the server's key: the entry (or one \
                             before it) was altered and the chain recomputed without the key",
                        )
                    }
                    None if record.seq >= key.audit_keyed_from() => {
                        return broken(
                            "it carries no MAC although it was written after the key was \
                             configured: it was added or rewritten without the key",
                        )
                    }
                    None => {}
                }
            }
            expected_prev = record.hash;
            expected_seq += 1;
            after = record.seq as i64;
        }
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut *conn)
        .await?;
    let head_seq = head.try_get::<i64, _>("seq")? as u64;
    let head_hash: String = head.try_get("hash")?;
    if head_seq != expected_seq - 1 || head_hash != expected_prev {
        return Ok(VerifiedTo {
            verification: AuditVerification {
                entries: expected_seq - 1,
                first_broken: Some(BrokenEntry {
                    seq: expected_seq,
                    problem: format!(
                        "the chain ends at entry {} but its head records entry {head_seq}: \
                         entries were removed from the end",
                        expected_seq - 1
                    ),
                }),
            },
            last_hash: String::new(),
        });
    }
    Ok(VerifiedTo {
        verification: AuditVerification {
            entries: expected_seq - 1,
            first_broken: None,
        },
        last_hash: expected_prev,
    })
}

impl Store {
    /// Recomputes the chain from the first entry; names the first broken one. When the chain
    /// verifies, this process remembers its last entry ([`Store::verify_audit_since_last`]
    /// starts after it).
    pub async fn verify_audit(&self) -> Result<AuditVerification, StoreError> {
        Ok(self.check_audit(true).await?.verification)
    }

    /// Verifies only the entries added since this process last verified the chain (fully or
    /// so), and that the last entry then verified is still there with the same hash; the whole
    /// chain when nothing is remembered yet. Tampering with an entry before the remembered one
    /// is found only by the full check ([`Store::verify_audit`]); the privacy officer's page
    /// offers both and says which it did.
    pub async fn verify_audit_since_last(&self) -> Result<AuditCheck, StoreError> {
        self.check_audit(false).await
    }

    /// Verifies the whole chain (`full`) or only what was added since this process last
    /// verified it ([`Store::verify_audit_since_last`]), saying which was done and when.
    pub async fn check_audit(&self, full: bool) -> Result<AuditCheck, StoreError> {
        let remembered = lock_ignoring_poison(&self.audit_verified).clone();
        let start = if full { None } else { remembered.clone() };
        let key = self.secret.as_deref();
        let mut conn = self.pool.acquire().await?;
        let at = self.now();
        let verification = match &start {
            None => verify_after(&mut conn, 0, GENESIS.to_owned(), key).await?,
            Some(checkpoint) if checkpoint.seq == 0 => {
                verify_after(&mut conn, 0, GENESIS.to_owned(), key).await?
            }
            Some(checkpoint) => {
                let row = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                    .bind(checkpoint.seq as i64)
                    .fetch_optional(&mut *conn)
                    .await?;
                let still: Option<String> = row.map(|r| r.try_get("hash")).transpose()?;
                if still.as_deref() != Some(checkpoint.hash.as_str()) {
                    VerifiedTo {
                        verification: AuditVerification {
                            entries: checkpoint.seq.saturating_sub(1),
                            first_broken: Some(BrokenEntry {
                                seq: checkpoint.seq,
                                problem: "this entry was verified earlier but has since been \
                                          removed or its hash changed"
                                    .into(),
                            }),
                        },
                        last_hash: String::new(),
                    }
                } else {
                    verify_after(&mut conn, checkpoint.seq, checkpoint.hash.clone(), key).await?
                }
            }
        };
        let from_seq = start.as_ref().map_or(1, |c| c.seq + 1);
        let full_at = if start.is_none() {
            Some(at)
        } else {
            remembered.as_ref().and_then(|c| c.full_at)
        };
        let check = AuditCheck {
            full: start.is_none(),
            from_seq,
            at,
            full_at,
            verification: verification.verification,
        };
        // A broken chain is forgotten, so that every later check starts from the first entry
        // again and keeps reporting it.
        *lock_ignoring_poison(&self.audit_verified) = check
            .verification
            .first_broken
            .is_none()
            .then_some(AuditCheckpoint {
                seq: check.verification.entries,
                hash: verification.last_hash,
                full_at,
            });
        Ok(check)
    }
}
