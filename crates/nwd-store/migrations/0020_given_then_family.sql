-- The staff search's two words ("jac wilson"), either of which may be the given or the family
-- name (issue 14 benchmark: at 1,000,000 referrals a family name is shared by about 18,000
-- people and a three-letter given-name prefix by about 30,000; intersecting those bitmaps
-- cost 40–55 ms). `search::terms_on` writes two words as "family then given, or given then
-- family, or both the same name", and each part is one range on an index whose second column
-- narrows it: `persons_by_family_key` (family_key, given_key, 0015) and this one. Same
-- conventions as 0001: one script for SQLite and PostgreSQL.
CREATE INDEX persons_by_given_family ON persons (given_key, family_key);
DROP INDEX persons_by_given_key;
