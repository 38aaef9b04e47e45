-- Finding a referral (issue 14): staff search by reference, name, NHS number and date of
-- birth, and the triage queue, waiting lists and caseloads in pages with their true totals.
-- Same conventions as 0001: one script for SQLite and PostgreSQL.
--
-- A person's names as search keys (`nwd_domain::search::name_key`: lower-case a–z only,
-- accents folded, punctuation removed), written with the person and filled in for people
-- stored before this migration by `Store::connect` (the key is computed in Rust, so both
-- databases hold the same key — SQL LOWER differs between them beyond ASCII). A name prefix
-- is a range on the key (`family_key >= 'smi' AND family_key < 'smj'`), which a plain B-tree
-- answers on both databases whatever the collation, as keys hold only a–z.
ALTER TABLE persons ADD COLUMN family_key TEXT;
ALTER TABLE persons ADD COLUMN given_key TEXT;
CREATE INDEX persons_by_family_key ON persons (family_key, given_key);
CREATE INDEX persons_by_given_key ON persons (given_key);
-- NHS number (UNIQUE in 0001), date of birth (persons_by_birth, 0007) and a person's
-- referrals (referrals_by_person, 0001) are already indexed; a reference is a range on the
-- referral's primary key.
--
-- The triage queue filtered by kind, source or priority reads the awaiting referrals from
-- referrals_by_status (status first; a few thousand rows even at a million referrals) and
-- filters them there. The staff search without a person term lists the newest first, by
-- status when one is chosen:
CREATE INDEX referrals_by_status_received ON referrals (status, received_at, id);
