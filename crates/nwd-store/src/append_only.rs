//! Append-only tables, enforced by the database: the audit log and the referral event
//! history refuse UPDATE and DELETE whoever asks. On SQLite by triggers; on PostgreSQL by
//! trigger functions (which also hold against the table's owner unless it disables them)
//! plus revoked UPDATE/DELETE/TRUNCATE privileges for every other role. Run the application
//! as a role that does not own the tables (docs/operations.md) so that it cannot disable the
//! triggers either.

use sqlx::{AnyPool, Executor};

use crate::{Backend, StoreError};

/// Tables whose rows are never changed or removed.
pub const APPEND_ONLY_TABLES: [&str; 2] = ["audit_log", "referral_events"];

/// Installs (idempotently) the protections for every append-only table.
pub(crate) async fn protect(pool: &AnyPool, backend: Backend) -> Result<(), StoreError> {
    match backend {
        Backend::Sqlite => {
            for table in APPEND_ONLY_TABLES {
                for (op, name) in [("UPDATE", "no_update"), ("DELETE", "no_delete")] {
                    pool.execute(
                        format!(
                            "CREATE TRIGGER IF NOT EXISTS {table}_{name} BEFORE {op} ON {table} \
                             BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END"
                        )
                        .as_str(),
                    )
                    .await?;
                }
            }
        }
        Backend::Postgres => {
            pool.execute(
                "CREATE OR REPLACE FUNCTION nwd_append_only() RETURNS trigger LANGUAGE plpgsql AS \
                 $$ BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$",
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
