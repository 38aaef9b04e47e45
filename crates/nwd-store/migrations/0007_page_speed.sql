-- Page speed (issue 6: every page renders in 50 ms or less at the 95th percentile on the demo
-- data set). Same conventions as 0001: one script for SQLite and PostgreSQL.
--
-- The data version: one row whose number every data-changing write transaction increases
-- just before it commits (`WriteTx::commit`), in the same transaction. Figures computed from
-- the whole record (the commissioner dashboard, the transition list) are cached in memory
-- under the version they were computed at and recomputed as soon as it moves, so a cached
-- figure is never older than the last committed change — also one made by another process
-- on the same database. Appending a read's own audit entry and refreshing a session's idle
-- clock do not move it: they change no table those figures read.
CREATE TABLE data_version (
    id       BIGINT PRIMARY KEY CHECK (id = 1),
    version  BIGINT NOT NULL
);
INSERT INTO data_version (id, version) VALUES (1, 0);

-- The dashboard's monthly counts: steps up and down (need-group changes by month, which
-- otherwise scan every event), triage outcomes by month triaged, allocations first seen by
-- month. The steps index is partial: an index led by event_type would be chosen for "has
-- this referral a signposted event" and scan every such event instead of the referral's own.
CREATE INDEX referral_events_need_group_changes ON referral_events (at) WHERE event_type = 'need_group_changed';
CREATE INDEX referrals_by_triaged ON referrals (triaged_at);
CREATE INDEX allocations_by_first_attended ON allocations (first_attended_at);
-- A service's typical wait on its public page: allocations made at the service in the last
-- 12 months with their clock start and first contact, read from the index alone.
CREATE INDEX allocations_by_service_allocated ON allocations (service_id, allocated_at, clock_start, first_attended_at);
-- The transition list: open allocations of people near a service's upper age, found from the
-- date of birth.
CREATE INDEX persons_by_birth ON persons (date_of_birth);
CREATE INDEX allocations_open_by_person ON allocations (person_id) WHERE ended_at IS NULL;
