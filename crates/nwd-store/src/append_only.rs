//! Append-only tables, enforced by the database: the audit log and the referral event
//! history refuse UPDATE and DELETE whoever asks. On SQLite by triggers; on PostgreSQL by
//! trigger functions (which also hold against the table's owner unless it disables them)
//! plus revoked UPDATE/DELETE/TRUNCATE privileges for every other role. Run the application
//! as a role that does not own the tables (docs/operations.md) so that it cannot disable the
//! triggers either.

use sqlx::{AnyPool, Executor};

use crate::{Backend, StoreError};

/// Tables whose rows are never changed or removed.
pub const APPEND_ONLY_TABLES: [&str; 3] = ["audit_log", "referral_events", "retention_stubs"];

/// The condition under which a `referral_events` row may be deleted: its referral's
/// destruction stub exists.
const DESTROYED: &str =
    "EXISTS (SELECT 1 FROM retention_stubs s WHERE s.referral_id = OLD.referral_id)";

/// Installs (idempotently) the protections for every append-only table.
pub(crate) async fn protect(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            // The unconditional delete trigger of earlier versions is replaced by one that
            // lets retention remove a destroyed referral's events.
            pool.execute("DROP TRIGGER IF EXISTS referral_events_no_delete")
                .await?;
            for table in APPEND_ONLY_TABLES {
                for (op, name) in [("UPDATE", "no_update"), ("DELETE", "no_delete")] {
                    let (name, when) = if table == "referral_events" && op == "DELETE" {
                        (
                            "no_delete_unless_destroyed",
                            format!("WHEN NOT {DESTROYED}"),
                        )
                    } else {
                        (name, String::new())
                    };
                    pool.execute(
                        format!(
                            "CREATE TRIGGER IF NOT EXISTS {table}_{name} BEFORE {op} ON {table} \
                             {when} BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                        )
                        .as_str(),
                    )
                    .await?;
                }
            }
        }
        Backend::Postgres => {
            pool.execute(
                format!(
                    "CREATE OR REPLACE FUNCTION nwd_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                     $$ BEGIN \
                     IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'referral_events' THEN \
                     IF {DESTROYED} THEN RETURN OLD; END IF; END IF; \
                     RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$"
                )
                .as_str(),
            )
            .await?;
            for table in APPEND_ONLY_TABLES {
                pool.execute(
                    format!(
                        "CREATE OR REPLACE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON \
                         {table} FOR EACH ROW EXECUTE FUNCTION nwd_append_only()"
                    )
                    .as_str(),
                )
                .await?;
                pool.execute(
                    format!(
                        "CREATE OR REPLACE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} \
                         FOR EACH STATEMENT EXECUTE FUNCTION nwd_append_only()"
                    )
                    .as_str(),
                )
                .await?;
                pool.execute(
                    format!("REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM PUBLIC").as_str(),
                )
                .await?;
            }
        }
    }
    Ok(())
}
