-- A service's waiting list and caseload searched by name (issue 14 benchmark: at 1,000,000
-- referrals a family name is shared by about 18,000 people and the largest caseload holds
-- 45,000 open allocations; narrowing by "the person's name matches" probed the persons table
-- once per open allocation, 0.6–1.2 s). Same conventions as 0001: one script for SQLite and
-- PostgreSQL.
--
-- Each allocation carries its young person's name search keys (`nwd_domain::search::name_key`,
-- as `persons.family_key` / `given_key`, 0015), so the search is a range on an index of the
-- service's open allocations. Written with the allocation (`referrals::upsert_allocation`,
-- the bulk import), moved with the person when a referral is relinked by a merge or its undo
-- (`register::relink`), and filled in with the person's keys (`search::fill_search_keys`).
-- A person's name is never changed in place: a different name is a different record until
-- merged.
ALTER TABLE allocations ADD COLUMN family_key TEXT;
ALTER TABLE allocations ADD COLUMN given_key TEXT;
UPDATE allocations SET
    family_key = (SELECT p.family_key FROM persons p WHERE p.id = allocations.person_id),
    given_key = (SELECT p.given_key FROM persons p WHERE p.id = allocations.person_id);
CREATE INDEX allocations_open_by_family_key
    ON allocations (service_id, family_key) WHERE ended_at IS NULL;
CREATE INDEX allocations_open_by_given_key
    ON allocations (service_id, given_key) WHERE ended_at IS NULL;
