-- The crisis list in order from an index (issue 14 benchmark: 18,500 referrals on it at 1M,
-- read and sorted in Rust on every request took 0.4 s). Same conventions as 0001: one
-- script for SQLite and PostgreSQL.
--
-- Each referral's place on the list (`Referral::crisis_position`), written with every change
-- to it and when a service's standards change: `crisis_rank` 0 untriaged with a triage due
-- time, 1 untriaged without, 2 triaged with a waiting allocation's breach time, 3 triaged
-- without; NULL when not on the list (closed, or neither emergency/very urgent — clinical or
-- requested — nor at high or immediate risk). `crisis_due` is that due or breach time (epoch
-- milliseconds). Referrals stored before this migration are filled in by `Store::connect`,
-- which computes the position in Rust from their events.
ALTER TABLE referrals ADD COLUMN crisis_rank BIGINT;
ALTER TABLE referrals ADD COLUMN crisis_due BIGINT;
CREATE INDEX referrals_crisis_order
    ON referrals (crisis_rank, crisis_due, received_at, id) WHERE crisis_rank IS NOT NULL;
