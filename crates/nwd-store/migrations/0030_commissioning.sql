-- The commissioning record (issue 20): parties, pooled funds and aligned budgets with their
-- contributions, contracts with payment terms, funded elements and KPIs — one document
-- (`nwd_domain::commissioning::CommissioningDocument`, as TOML), checked before it is written.
-- Every save is a new version and none is overwritten: an earlier state (a contribution
-- before its variation, a contract before a change) stays readable and can be restored, and
-- a save names the version it was made from, so two people editing at once cannot overwrite
-- each other unseen (the second is refused, with what changed). The money itself is derived
-- from the document and the live record on every read; nothing derived is stored.
-- Same conventions as 0001 (BIGINT ms instants, one script for both databases).
CREATE TABLE commissioning_versions (
    version     BIGINT PRIMARY KEY,
    source      TEXT NOT NULL,
    saved_by    TEXT NOT NULL,
    reason      TEXT NOT NULL,
    saved_at    BIGINT NOT NULL
);
