//! The import's rows: values bound into multi-row inserts of at most a thousand rows, and
//! (SQLite) the secondary indexes and change-log triggers dropped for the import and built
//! again once, in the same transaction.

use crate::{Backend, StoreError};

/// A value bound into a multi-row insert.
pub(super) enum V {
    T(String),
    OT(Option<String>),
    I(i64),
    OI(Option<i64>),
}

/// One table's rows waiting to be sent.
pub(super) struct Batch {
    backend: Backend,
    table: &'static str,
    columns: &'static [&'static str],
    pub(super) rows: Vec<Vec<V>>,
}

impl Batch {
    pub(super) fn new(
        backend: Backend,
        table: &'static str,
        columns: &'static [&'static str],
    ) -> Self {
        Batch {
            backend,
            table,
            columns,
            rows: Vec::new(),
        }
    }

    /// Rows per statement: below SQLite's and PostgreSQL's bound-parameter limits.
    fn rows_per_statement(&self) -> usize {
        (30_000 / self.columns.len()).min(1_000)
    }

    pub(super) fn push(&mut self, row: Vec<V>) {
        self.rows.push(row);
    }

    /// Sends the buffered rows in statements of at most `rows_per_statement` rows.
    pub(super) async fn flush(&mut self, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        let width = self.columns.len();
        let chunk = self.rows_per_statement();
        let mut rows = std::mem::take(&mut self.rows).into_iter().peekable();
        while rows.peek().is_some() {
            let part: Vec<Vec<V>> = rows.by_ref().take(chunk).collect();
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            );
            for r in 0..part.len() {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    // SQLite keeps `$NNN` and `?NNN` in a list that sqlx searches once per
                    // parameter (quadratic for thousands of parameters); anonymous `?` are
                    // bound by position with no lookup. PostgreSQL needs `$n`.
                    match self.backend {
                        Backend::Sqlite => sql.push('?'),
                        Backend::Postgres => sql.push_str(&format!("${}", r * width + c + 1)),
                    }
                }
                sql.push(')');
            }
            let mut query = sqlx::query(&sql);
            for row in part {
                for value in row {
                    query = match value {
                        V::T(t) => query.bind(t),
                        V::OT(t) => query.bind(t),
                        V::I(i) => query.bind(i),
                        V::OI(i) => query.bind(i),
                    };
                }
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// The imported tables whose secondary indexes SQLite builds once after the rows are in.
const IMPORTED: [&str; 7] = [
    "persons",
    "person_about",
    "person_about_changes",
    "referrals",
    "referral_events",
    "allocations",
    "contacts",
];

/// What [`defer_sqlite_upkeep`] took away, to put back before the import commits.
pub(super) struct Deferred {
    /// The dropped indexes' `CREATE INDEX` statements.
    indexes: Vec<String>,
    /// The dropped change-log triggers' `CREATE TRIGGER` statements.
    triggers: Vec<String>,
}

/// SQLite, inside the import's transaction: drops the imported tables' non-unique secondary
/// indexes and the figure change log's insert triggers, so that the rows go in without
/// updating about 30 B-trees and running a trigger per row (restored by
/// [`restore_sqlite_upkeep`] in the same transaction: SQLite's schema changes are
/// transactional, so a failed import leaves both as they were). Building an index once from
/// all its rows is a sort, much cheaper than as many random insertions (SQLite's own advice
/// for bulk loads, <https://www.sqlite.org/lang_createindex.html> and the CLI's `.import`).
/// Unique indexes stay: they are checks.
pub(super) async fn defer_sqlite_upkeep(
    conn: &mut sqlx::AnyConnection,
) -> Result<Deferred, StoreError> {
    use sqlx::Row;
    let tables = IMPORTED
        .iter()
        .map(|t| format!("'{t}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let rows = sqlx::query(&format!(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL \
         AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN ({tables}) ORDER BY name"
    ))
    .fetch_all(&mut *conn)
    .await?;
    let mut indexes = Vec::with_capacity(rows.len());
    for row in rows {
        let name: String = row.try_get("name")?;
        indexes.push(row.try_get::<String, _>("sql")?);
        sqlx::query(&format!("DROP INDEX \"{name}\""))
            .execute(&mut *conn)
            .await?;
    }
    let mut triggers = Vec::new();
    for (name, create) in crate::versioned::sqlite_change_log_triggers() {
        if name.ends_with("_insert") {
            sqlx::query(&format!("DROP TRIGGER IF EXISTS {name}"))
                .execute(&mut *conn)
                .await?;
            triggers.push(create);
        }
    }
    Ok(Deferred { indexes, triggers })
}

/// Puts back what [`defer_sqlite_upkeep`] took away, and marks every referral in the figure
/// change log as its insert triggers would have (marking a referral that did not change only
/// makes the dashboard recompute it).
pub(super) async fn restore_sqlite_upkeep(
    conn: &mut sqlx::AnyConnection,
    deferred: Deferred,
) -> Result<(), StoreError> {
    for sql in deferred.indexes.iter().chain(&deferred.triggers) {
        sqlx::query(sql).execute(&mut *conn).await?;
    }
    sqlx::query(
        "INSERT INTO figure_changes (referral_id, version) SELECT id, NULL FROM referrals WHERE true \
         ON CONFLICT (referral_id) DO UPDATE SET version = NULL",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
