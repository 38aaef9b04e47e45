//! The keyed hash chain: the entry's hash, the head trigger that moves the chain head as an
//! entry is inserted, and appending entries (one, a scope's, a group's) with their MAC under
//! the server's key.

use super::*;

/// SHA-256 over the previous hash and a canonical serialisation of the entry.
pub fn chain_hash(seq: u64, prev_hash: &str, entry: &AuditEntry) -> String {
    let canonical = serde_json::json!([
        seq,
        prev_hash,
        entry.at.as_millisecond(),
        entry.user_id,
        entry.username,
        entry.roles,
        entry.organisation_id,
        entry.session_id,
        entry.address,
        entry.action,
        entry.route,
        entry.record_type,
        entry.record_id,
        entry.person_id,
        entry.why,
        entry.outcome,
        entry.status,
        entry.detail,
    ]);
    let mut hasher = Sha256::new();
    hasher.update(canonical.to_string().as_bytes());
    hex::encode(hasher.finalize())
}

/// The trigger that moves the chain head as an entry is inserted (installed at start-up on
/// both databases, [`install_head_trigger`]): an `INSERT` into `audit_log` succeeds only if
/// the row follows the head exactly — its `seq` is the head's plus one and its `prev_hash` is
/// the head's hash — and moves the head to it in the same statement. So an entry is one
/// statement (an autocommit `INSERT` for the audit writer), nobody can insert an entry that
/// does not chain onto the head, and two writers that both think they hold the head cannot
/// both succeed: the second is refused and re-reads the head.
pub const HEAD_TRIGGER: &str = "audit_log_moves_head";

/// The message (SQLite) or text (PostgreSQL) of the trigger's refusal.
pub const HEAD_MOVED: &str = "audit chain head moved";

/// Installs (idempotently) [`HEAD_TRIGGER`].
pub(crate) async fn install_head_trigger(
    pool: &sqlx::AnyPool,
    backend: crate::Backend,
) -> Result<(), StoreError> {
    use sqlx::Executor;
    match backend {
        crate::Backend::Sqlite => {
            pool.execute(
                format!(
                    "CREATE TRIGGER IF NOT EXISTS {HEAD_TRIGGER} BEFORE INSERT ON audit_log BEGIN \
                     SELECT RAISE(ABORT, '{HEAD_MOVED}') WHERE NOT EXISTS (SELECT 1 FROM \
                     audit_head WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash); \
                     UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END"
                )
                .as_str(),
            )
            .await?;
        }
        crate::Backend::Postgres => {
            // Under READ COMMITTED a second writer's UPDATE waits for the first to commit,
            // then re-checks its condition against the moved head, finds nothing and raises.
            pool.execute(
                format!(
                    "CREATE OR REPLACE FUNCTION nwd_audit_move_head() RETURNS trigger \
                     LANGUAGE plpgsql AS $$ BEGIN \
                     UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash \
                     WHERE id = 1 AND seq = NEW.seq - 1 AND hash = NEW.prev_hash; \
                     IF NOT FOUND THEN RAISE EXCEPTION '{HEAD_MOVED}: entry % does not follow \
                     the head', NEW.seq; END IF; RETURN NEW; END $$"
                )
                .as_str(),
            )
            .await?;
            pool.execute(
                format!(
                    "CREATE OR REPLACE TRIGGER {HEAD_TRIGGER} BEFORE INSERT ON audit_log \
                     FOR EACH ROW EXECUTE FUNCTION nwd_audit_move_head()"
                )
                .as_str(),
            )
            .await?;
        }
    }
    Ok(())
}

/// The chain head (`seq`, `hash`), unlocked.
pub(crate) async fn head(pool: &sqlx::AnyPool) -> Result<(i64, String), StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(pool)
        .await?;
    Ok((row.try_get("seq")?, row.try_get("hash")?))
}

/// Locks the chain head until the transaction ends and returns it (`seq`, `hash`). The update
/// changes nothing; it takes the row lock (PostgreSQL) or the write lock (SQLite).
pub(crate) async fn lock_head(conn: &mut sqlx::AnyConnection) -> Result<(i64, String), StoreError> {
    let head = sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash")
        .fetch_one(&mut *conn)
        .await?;
    Ok((head.try_get("seq")?, head.try_get("hash")?))
}

/// Appends `entry` (stamped `at`) inside the caller's transaction. Locks the chain head until
/// the transaction ends; the insert moves it ([`HEAD_TRIGGER`]).
pub(crate) async fn append(
    conn: &mut sqlx::AnyConnection,
    mut entry: AuditEntry,
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<u64, StoreError> {
    entry.at = at;
    let (head_seq, prev_hash) = lock_head(conn).await?;
    let seq = (head_seq + 1) as u64;
    let hash = chain_hash(seq, &prev_hash, &entry);
    let mac = key.map(|k| k.audit_mac(seq, &hash));
    sqlx::query(
        "INSERT INTO audit_log (seq, at, user_id, username, roles, organisation_id, session_id, \
         address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
         prev_hash, hash, mac) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, \
         $14, $15, $16, $17, $18, $19, $20)",
    )
    .bind(seq as i64)
    .bind(ms(entry.at))
    .bind(entry.user_id)
    .bind(entry.username)
    .bind(entry.roles)
    .bind(entry.organisation_id)
    .bind(entry.session_id)
    .bind(entry.address)
    .bind(entry.action)
    .bind(entry.route)
    .bind(entry.record_type)
    .bind(entry.record_id)
    .bind(entry.person_id)
    .bind(entry.why)
    .bind(entry.outcome)
    .bind(i64::from(entry.status))
    .bind(entry.detail)
    .bind(prev_hash)
    .bind(hash)
    .bind(mac)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

/// Appends `scope`'s entry (once per scope) inside a committing write transaction.
pub(crate) async fn append_scope(
    conn: &mut sqlx::AnyConnection,
    scope: &AuditScope,
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<(), StoreError> {
    if scope.written() {
        return Ok(());
    }
    let mut entry = scope.entry();
    entry.action = if entry.action == "read" {
        "change".into()
    } else {
        entry.action
    };
    entry.outcome = "allowed".into();
    append(conn, entry, at, key).await?;
    scope.mark_written();
    Ok(())
}

/// Appends the entries of `scopes` not yet appended, in order, inside a committing write
/// transaction (intake's group commit, `intake_group.rs`), after the chain head `head`
/// (`seq`, `hash`) that the caller locked in this transaction ([`lock_head`], or the
/// statement that also moved the data version): the entries are chained in memory and
/// inserted by one statement (the head trigger still checks and moves the head row by row).
pub(crate) async fn append_scopes_after(
    conn: &mut sqlx::AnyConnection,
    head: (i64, String),
    scopes: &[&AuditScope],
    at: Timestamp,
    key: Option<&crate::secrets::SecretKey>,
) -> Result<(), StoreError> {
    let scopes: Vec<&AuditScope> = scopes.iter().copied().filter(|s| !s.written()).collect();
    if scopes.is_empty() {
        return Ok(());
    }
    let (head_seq, mut prev_hash) = head;
    let mut rows = Vec::with_capacity(scopes.len());
    for (i, scope) in scopes.iter().enumerate() {
        let mut entry = scope.entry();
        entry.action = if entry.action == "read" {
            "change".into()
        } else {
            entry.action
        };
        entry.outcome = "allowed".into();
        entry.at = at;
        let seq = (head_seq + 1) as u64 + i as u64;
        let hash = chain_hash(seq, &prev_hash, &entry);
        let mac = key.map(|k| k.audit_mac(seq, &hash));
        rows.push((
            seq,
            entry,
            std::mem::replace(&mut prev_hash, hash.clone()),
            hash,
            mac,
        ));
    }
    let mut sql = String::from(
        "INSERT INTO audit_log (seq, at, user_id, username, roles, organisation_id, session_id, \
         address, action, route, record_type, record_id, person_id, why, outcome, status, detail, \
         prev_hash, hash, mac) VALUES ",
    );
    for i in 0..rows.len() {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for c in 1..=20 {
            if c > 1 {
                sql.push_str(", ");
            }
            sql.push_str(&format!("${}", i * 20 + c));
        }
        sql.push(')');
    }
    let mut query = sqlx::query(&sql);
    for (seq, entry, prev, hash, mac) in rows {
        query = query
            .bind(seq as i64)
            .bind(ms(entry.at))
            .bind(entry.user_id)
            .bind(entry.username)
            .bind(entry.roles)
            .bind(entry.organisation_id)
            .bind(entry.session_id)
            .bind(entry.address)
            .bind(entry.action)
            .bind(entry.route)
            .bind(entry.record_type)
            .bind(entry.record_id)
            .bind(entry.person_id)
            .bind(entry.why)
            .bind(entry.outcome)
            .bind(i64::from(entry.status))
            .bind(entry.detail)
            .bind(prev)
            .bind(hash)
            .bind(mac);
    }
    query.execute(&mut *conn).await?;
    for scope in scopes {
        scope.mark_written();
    }
    Ok(())
}
