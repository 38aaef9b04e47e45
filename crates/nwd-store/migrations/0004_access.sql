-- Access control and audit (issue 5). Same conventions as 0001: TEXT ids, BIGINT ms instants,
-- BIGINT 0/1 booleans, one script for SQLite and PostgreSQL. Backend-specific protection of
-- the audit log (triggers, grants) is applied by the store after migrating (append_only.rs).

CREATE TABLE teams (
    id               TEXT PRIMARY KEY,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    name             TEXT NOT NULL,
    -- 'single_point_of_access' relates to every referral until it is closed; 'service' teams
    -- relate through allocations to their service; 'other' (commissioning, administration,
    -- referrers) relate to nothing.
    kind             TEXT NOT NULL CHECK (kind IN ('single_point_of_access', 'service', 'other')),
    service_id       TEXT REFERENCES services (id),
    created_at       BIGINT NOT NULL,
    CHECK ((kind = 'service') = (service_id IS NOT NULL))
);
CREATE INDEX teams_by_service ON teams (service_id);

CREATE TABLE users (
    id               TEXT PRIMARY KEY,
    username         TEXT NOT NULL UNIQUE,
    display_name     TEXT NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    -- Argon2id PHC string; NULL for accounts that sign in only through OpenID Connect.
    password_hash    TEXT,
    -- Base32 TOTP secret (RFC 6238); every staff account with a password has one.
    totp_secret      TEXT,
    totp_last_step   BIGINT,
    oidc_subject     TEXT UNIQUE,
    failed_attempts  BIGINT NOT NULL DEFAULT 0,
    locked_until     BIGINT,
    disabled_at      BIGINT,
    created_at       BIGINT NOT NULL,
    created_by       TEXT NOT NULL
);

CREATE TABLE team_members (
    user_id  TEXT NOT NULL REFERENCES users (id),
    team_id  TEXT NOT NULL REFERENCES teams (id),
    role     TEXT NOT NULL CHECK (role IN ('triage', 'clinician', 'team_manager', 'administrator',
                                           'privacy_officer', 'commissioner', 'external_referrer')),
    PRIMARY KEY (user_id, team_id, role)
);
CREATE INDEX team_members_by_team ON team_members (team_id);

-- Server-side sessions: the cookie carries a 256-bit random id; only its SHA-256 is stored.
CREATE TABLE sessions (
    id_hash        TEXT PRIMARY KEY,
    user_id        TEXT NOT NULL REFERENCES users (id),
    csrf_token     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_seen_at   BIGINT NOT NULL,
    ended_at       BIGINT,
    address        TEXT
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- API clients: bearer tokens stored as SHA-256, scoped to permissions, revocable.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    token_hash   TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id),
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,
    revoked_at   BIGINT
);

CREATE TABLE break_glass (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    person_id    TEXT NOT NULL REFERENCES persons (id),
    reason       TEXT NOT NULL,
    starts_at    BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    reviewed_by  TEXT,
    reviewed_at  BIGINT,
    review_note  TEXT
);
CREATE INDEX break_glass_active ON break_glass (user_id, person_id, expires_at);
CREATE INDEX break_glass_unreviewed ON break_glass (reviewed_at, starts_at);

-- The organisation whose user sent a referral (external referrers see only these).
ALTER TABLE referrals ADD COLUMN submitted_by_org TEXT;
CREATE INDEX referrals_by_submitter ON referrals (submitted_by_org, received_at);

-- The audit trail: append-only, each entry chained to the previous by SHA-256.
CREATE TABLE audit_log (
    seq              BIGINT PRIMARY KEY,
    at               BIGINT NOT NULL,
    user_id          TEXT,
    username         TEXT,
    roles            TEXT NOT NULL,
    organisation_id  TEXT,
    session_id       TEXT,
    address          TEXT,
    action           TEXT NOT NULL,
    route            TEXT NOT NULL,
    record_type      TEXT NOT NULL,
    record_id        TEXT,
    person_id        TEXT,
    why              TEXT NOT NULL,
    outcome          TEXT NOT NULL,
    status           BIGINT NOT NULL,
    detail           TEXT,
    prev_hash        TEXT NOT NULL,
    hash             TEXT NOT NULL
);
CREATE INDEX audit_by_person ON audit_log (person_id, seq);
CREATE INDEX audit_by_user ON audit_log (user_id, seq);

-- The head of the chain: one row, locked by each append so entries chain in order.
CREATE TABLE audit_head (
    id    BIGINT PRIMARY KEY CHECK (id = 1),
    seq   BIGINT NOT NULL,
    hash  TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
