-- The dashboard after a change (issue 6: every page within 50 ms p95, also the first request
-- after a write). Same conventions as 0001: one script for SQLite and PostgreSQL.
--
-- The figure change log: one row per referral, saying at which data version (0007) its
-- projection rows — the referral, its allocations, its contacts — last changed. Triggers on
-- those three tables (installed at connect by `versioned.rs`, since their syntax differs
-- between the databases) set `version` to NULL when a row of the referral is inserted,
-- updated or deleted, and a trigger on `data_version` stamps every NULL row with the new
-- version when a write transaction moves it, just before it commits. Writers move the version
-- one at a time (the row lock on PostgreSQL, the single writer on SQLite), so a reader that
-- has seen version V has also seen every row stamped V or lower, and a process that kept the
-- dashboard's inputs at version V finds what changed since as the rows stamped above V.
-- Rows of destroyed referrals stay (their id only), so the deletion is seen too.
CREATE TABLE figure_changes (
    referral_id  TEXT PRIMARY KEY,
    version      BIGINT
);
CREATE INDEX figure_changes_by_version ON figure_changes (version);

-- "Was this referral signposted?" for the dashboard's triage outcomes, without reading every
-- event: partial, so it holds only signposted events and is used for that question alone.
CREATE INDEX referral_events_signposted ON referral_events (referral_id) WHERE event_type = 'signposted';
