-- No Wrong Door foundation schema. One script for SQLite and PostgreSQL: only types and
-- syntax both accept (TEXT, BIGINT, DOUBLE PRECISION; booleans as BIGINT 0/1 so that both
-- drivers decode them the same way through sqlx's Any driver). Ids are UUIDs as TEXT;
-- instants are milliseconds since the Unix epoch (UTC) as BIGINT; dates are ISO TEXT.
-- Append-only: never edit this file once applied; add 0002_… instead.

CREATE TABLE organisations (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('nhs_trust', 'integrated_care_board', 'voluntary_community',
                                              'school_or_academy_trust', 'local_authority', 'online_provider')),
    ods_code    TEXT,
    version     BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The full ServiceDetails JSON is the source of truth for a service; the columns beside it
-- are copies for filtering and checks.
CREATE TABLE services (
    id              TEXT PRIMARY KEY,
    organisation_id TEXT NOT NULL REFERENCES organisations (id),
    name            TEXT NOT NULL,
    team_type       TEXT NOT NULL,
    age_from        BIGINT NOT NULL,
    age_to          BIGINT NOT NULL,
    self_referral   BIGINT NOT NULL CHECK (self_referral IN (0, 1)),
    active          BIGINT NOT NULL CHECK (active IN (0, 1)),
    -- '|getting_help|getting_more_help|': need groups, delimited for LIKE '%|x|%' filters.
    need_groups     TEXT NOT NULL,
    delivery_modes  TEXT NOT NULL,
    areas           TEXT NOT NULL,
    details         TEXT NOT NULL,
    version         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    CHECK (age_from >= 0 AND age_to <= 25 AND age_from <= age_to)
);
CREATE INDEX services_by_organisation ON services (organisation_id);

CREATE TABLE persons (
    id             TEXT PRIMARY KEY,
    -- Ten digits, check digit verified before insert. One register entry per NHS number.
    nhs_number     TEXT UNIQUE,
    given_name     TEXT NOT NULL,
    family_name    TEXT NOT NULL,
    date_of_birth  TEXT NOT NULL,
    postcode       TEXT,
    details        TEXT NOT NULL,
    created_at     BIGINT NOT NULL
);
CREATE INDEX persons_by_name ON persons (family_name, given_name);

-- Referral projection: columns derived from referral_events for search and lists, kept in
-- the same transaction as the events. The whole state is never stored: it is rebuilt from
-- the events on every read (invariant 2), so it cannot drift from them.
CREATE TABLE referrals (
    id                TEXT PRIMARY KEY,
    person_id         TEXT NOT NULL REFERENCES persons (id),
    version           BIGINT NOT NULL,
    kind              TEXT NOT NULL CHECK (kind IN ('referral', 'advice_request')),
    source            TEXT NOT NULL,
    priority          TEXT NOT NULL,
    priority_rank     BIGINT NOT NULL,
    primary_reason    TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('awaiting_triage', 'open', 'closed')),
    need_group        TEXT,
    received_at       BIGINT NOT NULL,
    triaged_at        BIGINT,
    closed_at         BIGINT,
    -- Invariant 1 (no wrong door): there is no 'rejected' destination, and a closed referral
    -- always names one.
    destination_kind  TEXT CHECK (destination_kind IN ('allocated', 'signposted', 'advice_given', 'declined', 'transitioned')),
    destination_name  TEXT,
    -- The person details as the referrer supplied them (kept for matching review and audit).
    intake_person     TEXT NOT NULL,
    updated_at        BIGINT NOT NULL,
    CHECK ((status = 'closed' AND destination_kind IS NOT NULL AND destination_name IS NOT NULL AND closed_at IS NOT NULL)
        OR (status <> 'closed' AND destination_kind IS NULL AND closed_at IS NULL))
);
CREATE INDEX referrals_by_received ON referrals (received_at, id);
CREATE INDEX referrals_by_status ON referrals (status, priority_rank, received_at, id);
CREATE INDEX referrals_by_person ON referrals (person_id, received_at);
CREATE INDEX referrals_by_source ON referrals (source, received_at);

-- Invariant 2: every state change is an event with who (actor), when (at) and why (inside
-- the payload). The primary key makes concurrent writers of the same version collide.
CREATE TABLE referral_events (
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    seq          BIGINT NOT NULL CHECK (seq >= 1),
    event_type   TEXT NOT NULL,
    at           BIGINT NOT NULL,
    actor        TEXT NOT NULL,
    payload      TEXT NOT NULL,
    PRIMARY KEY (referral_id, seq)
);

CREATE TABLE allocations (
    id                  TEXT PRIMARY KEY,
    referral_id         TEXT NOT NULL REFERENCES referrals (id),
    person_id           TEXT NOT NULL REFERENCES persons (id),
    service_id          TEXT NOT NULL REFERENCES services (id),
    need_group          TEXT NOT NULL,
    origin              TEXT NOT NULL,
    priority_rank       BIGINT NOT NULL,
    clock_start         BIGINT NOT NULL,
    allocated_at        BIGINT NOT NULL,
    first_attended_at   BIGINT,
    second_attended_at  BIGINT,
    ended_at            BIGINT,
    end_reason          TEXT,
    -- 1 while on the service's waiting list: open and not yet seen.
    waiting             BIGINT NOT NULL,
    CHECK (waiting = (CASE WHEN ended_at IS NULL AND first_attended_at IS NULL THEN 1 ELSE 0 END))
);
-- The waiting list: priority, then clock start, for one service.
CREATE INDEX allocations_waiting ON allocations (service_id, priority_rank, clock_start, id) WHERE waiting = 1;
CREATE INDEX allocations_by_referral ON allocations (referral_id);
CREATE INDEX allocations_active ON allocations (service_id, ended_at);

CREATE TABLE contacts (
    id                 TEXT PRIMARY KEY,
    referral_id        TEXT NOT NULL REFERENCES referrals (id),
    allocation_id      TEXT NOT NULL REFERENCES allocations (id),
    person_id          TEXT NOT NULL REFERENCES persons (id),
    service_id         TEXT NOT NULL REFERENCES services (id),
    at                 BIGINT NOT NULL,
    status             TEXT NOT NULL,
    mechanism          TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('direct', 'indirect')),
    clinician          TEXT NOT NULL,
    duration_minutes   BIGINT NOT NULL,
    counts_for_access  BIGINT NOT NULL CHECK (counts_for_access IN (0, 1))
);
CREATE INDEX contacts_by_allocation ON contacts (allocation_id, at);
CREATE INDEX contacts_counted ON contacts (at, person_id) WHERE counts_for_access = 1;

-- Idempotent creation: (scope, key) names one request; the hash of its body guards against
-- reuse of a key for a different request.
CREATE TABLE idempotency_keys (
    scope         TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    referral_id   TEXT NOT NULL REFERENCES referrals (id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);
