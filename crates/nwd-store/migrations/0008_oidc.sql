-- OpenID Connect federation (issue 5): staff may sign in through an identity provider (NHS
-- CIS2 or an area's own). Same conventions as 0001 (TEXT ids, BIGINT ms instants, one script
-- for SQLite and PostgreSQL).
--
-- A provider's (issuer, subject) pair is linked to an existing staff account by an
-- administrator beforehand (`nowrongdoor admin link-oidc`); a sign-in with an unlinked pair
-- is refused — accounts are never created automatically. The `users.oidc_subject` column of
-- 0004 is not used: a subject is only unique within its issuer.
CREATE TABLE oidc_links (
    issuer     TEXT NOT NULL,
    subject    TEXT NOT NULL,
    user_id    TEXT NOT NULL REFERENCES users (id),
    linked_at  BIGINT NOT NULL,
    linked_by  TEXT NOT NULL,
    PRIMARY KEY (issuer, subject)
);
CREATE INDEX oidc_links_by_user ON oidc_links (user_id);

-- Sign-ins under way: one row from the redirect to the provider until its answer comes back
-- (single use, 10 minutes at most). Only the SHA-256 of `state` and of the browser-binding
-- cookie is kept; the nonce and the PKCE verifier are needed in clear to check the answer
-- and are deleted with the row.
CREATE TABLE oidc_flows (
    state_hash     TEXT PRIMARY KEY,
    provider       TEXT NOT NULL,
    browser_hash   TEXT NOT NULL,
    nonce          TEXT NOT NULL,
    code_verifier  TEXT NOT NULL,
    next_path      TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX oidc_flows_by_age ON oidc_flows (created_at);
