-- Private status links (issue 6): whoever made a referral gets a link to see where it stands,
-- without signing in. Same conventions as 0001 (TEXT ids, BIGINT ms instants, one script for
-- SQLite and PostgreSQL).
--
-- Only the SHA-256 of each token is kept (like sessions and API tokens in 0004): a copy of the
-- database does not give anyone a working link. The token itself is 256 random bits, so the
-- table cannot be enumerated by guessing. A referral can have several links: a repeated
-- submission with the same idempotency key is answered with a fresh link, because the first
-- one cannot be recovered from its hash.
CREATE TABLE status_links (
    token_hash   TEXT PRIMARY KEY,
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    created_at   BIGINT NOT NULL
);
CREATE INDEX status_links_by_referral ON status_links (referral_id);
