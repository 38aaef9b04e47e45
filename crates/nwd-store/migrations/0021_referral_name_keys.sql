-- Referral search by name at 1,000,000 referrals (issue 14 benchmark). Same conventions as
-- 0001: one script for SQLite and PostgreSQL.
--
-- A family-name prefix is shared by up to 36,000 people at that size, so "the person's name
-- matches" as a subquery on `persons` made PostgreSQL walk the referrals newest first and
-- probe `persons` by key once per referral (≈ 5,000 probes for 51 rows, p99 20–56 ms), and a
-- two-word search listed the people first and then their referrals. Each referral now
-- carries its young person's name search keys, as allocations do (0019), so both are
-- conditions on the referral's own row and its indexes. Written with the referral
-- (`referrals::write_projection`, the intake group, the bulk import), moved with the person
-- when a referral is relinked by a merge or its undo (`register::relink`), and filled in
-- with the person's keys (`search::fill_search_keys`). A person's name is never changed in
-- place.
ALTER TABLE referrals ADD COLUMN family_key TEXT;
ALTER TABLE referrals ADD COLUMN given_key TEXT;
UPDATE referrals SET
    family_key = (SELECT p.family_key FROM persons p WHERE p.id = referrals.person_id),
    given_key = (SELECT p.given_key FROM persons p WHERE p.id = referrals.person_id);
CREATE INDEX referrals_by_family_key ON referrals (family_key, given_key);
CREATE INDEX referrals_by_given_key ON referrals (given_key, family_key);
