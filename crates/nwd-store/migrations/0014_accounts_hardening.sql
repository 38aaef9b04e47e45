-- Accounts hardening (issue 15).

-- Who created each API token. Tokens are created by their holder only, so for every token made
-- after this migration it is the holder's own id ('user:<id>') or the operator of the command
-- line ('cli:<operator>'); tokens made before it keep NULL (unknown).
ALTER TABLE api_tokens ADD COLUMN created_by TEXT;

-- A clinical role (triage, clinician, team manager) given by an administrator does not take
-- effect at once: it waits here until a second administrator — neither the one who asked nor
-- the account that gains it — approves it (then the team_members row is written in the same
-- transaction) or refuses it. One pending request per (account, team, role).
CREATE TABLE role_grants (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    team_id       TEXT NOT NULL REFERENCES teams (id),
    role          TEXT NOT NULL CHECK (role IN ('triage', 'clinician', 'team_manager')),
    -- 'user:<id>' of the administrator, or 'cli:<operator>'.
    requested_by  TEXT NOT NULL,
    requested_at  BIGINT NOT NULL,
    decided_by    TEXT,
    decided_at    BIGINT,
    outcome       TEXT CHECK (outcome IN ('approved', 'refused')),
    CHECK ((decided_at IS NULL) = (outcome IS NULL))
);
CREATE UNIQUE INDEX role_grants_one_pending ON role_grants (user_id, team_id, role)
    WHERE decided_at IS NULL;

-- A keyed MAC of each audit entry's chain hash (HMAC-SHA-256 with a key the database never
-- holds: NWD_SECRET_KEY_FILE). Anyone who can write to the database can recompute the plain
-- SHA-256 chain, but not these; entries written before a key was configured keep NULL and are
-- covered by the MAC of any later entry, whose hash chains over them.
ALTER TABLE audit_log ADD COLUMN mac TEXT;
