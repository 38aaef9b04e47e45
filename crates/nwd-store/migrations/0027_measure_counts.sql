-- Routine outcome measures that are due (issue 19): each allocation carries the counts the
-- follow-up rule needs (`nwd_domain::referral::measurement::MeasureCounts`), so that a
-- service's caseload shows what is due or overdue without reading every referral. Written
-- with the allocation (`referrals::upsert_allocation`, also when a measure or a contact is
-- recorded, and the bulk import); NULL on rows written before this migration until
-- `Store::migrate` fills them from each referral's events (`measurement::fill_measure_counts`).
-- Same conventions as 0001: one script for SQLite and PostgreSQL.
ALTER TABLE allocations ADD COLUMN measure_attended BIGINT;
ALTER TABLE allocations ADD COLUMN measure_since BIGINT;
ALTER TABLE allocations ADD COLUMN measure_started BIGINT;
