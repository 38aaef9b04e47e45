-- One-time links to complete a routine outcome measure (issue 19): a clinician sends the young
-- person or a parent a link; whoever holds it can complete that one measure, once, before it
-- expires, without signing in, and see nothing else. Same conventions as 0001 (TEXT ids,
-- BIGINT ms instants, one script for SQLite and PostgreSQL).
--
-- As with status links (0006), only the token's SHA-256 is kept; the token is 256 random bits.
-- The referral's history records that the link was sent (`measure_link_sent`, with `link_id`)
-- and the completed measure (`outcome_recorded`); `used_at` makes the link single-use: the
-- completion claims it with `UPDATE … WHERE used_at IS NULL` in the transaction that records
-- the measure. Removed with the referral by retention.
CREATE TABLE measure_links (
    token_hash     TEXT PRIMARY KEY,
    link_id        TEXT NOT NULL UNIQUE,
    referral_id    TEXT NOT NULL REFERENCES referrals (id),
    allocation_id  TEXT NOT NULL,
    measure        TEXT NOT NULL,
    rater          TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    used_at        BIGINT
);
CREATE INDEX measure_links_by_referral ON measure_links (referral_id);
