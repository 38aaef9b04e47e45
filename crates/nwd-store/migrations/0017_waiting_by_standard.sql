-- Waiting lists at a million referrals (issue 14 benchmark). Same conventions as 0001: one
-- script for SQLite and PostgreSQL.
--
-- A waiting list counts its breaches by the standard each entry is measured against, which
-- the service selects by the referral's priority and source. The priority already follows
-- the referral onto the allocation (`priority_rank`); the source (fixed at receipt) now does
-- too, so that the count and the page read one partial index and never join `referrals`
-- (the largest list, ≈ 40,000 waiting at 1M referrals, joined every entry).
ALTER TABLE allocations ADD COLUMN source TEXT;
UPDATE allocations SET source = (SELECT r.source FROM referrals r WHERE r.id = allocations.referral_id);
CREATE INDEX allocations_waiting_by_standard
    ON allocations (service_id, priority_rank, source, clock_start) WHERE waiting = 1;

-- A caseload page (every open allocation of a service, waiting last, then priority and
-- order of allocation) reads the first page in order from this index instead of sorting the
-- service's whole caseload (≈ 45,000 open at the largest service at 1M referrals: 267 ms).
CREATE INDEX allocations_open_in_caseload_order
    ON allocations (service_id, waiting, priority_rank, allocated_at, id) WHERE ended_at IS NULL;
