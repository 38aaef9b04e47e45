-- Confidentiality for young people and retention (issue 5). Same conventions as 0001: TEXT
-- ids, BIGINT ms instants, BIGINT 0/1 booleans, one script for SQLite and PostgreSQL.
-- Nothing in the consent tables is edited after the fact except `withdrawn_at` (consent can be
-- withdrawn) and the review columns of safeguarding overrides; a new assessment or decision
-- supersedes an old one, so the history of who decided what, when and why stays whole.

-- The parent/carer role. The role list is a CHECK constraint, which SQLite cannot alter, so
-- team_members is rebuilt (same columns, same key, same index) with the new value allowed.
CREATE TABLE team_members_0005 (
    user_id  TEXT NOT NULL REFERENCES users (id),
    team_id  TEXT NOT NULL REFERENCES teams (id),
    role     TEXT NOT NULL CHECK (role IN ('triage', 'clinician', 'team_manager', 'administrator',
                                           'privacy_officer', 'commissioner', 'external_referrer',
                                           'parent_carer')),
    PRIMARY KEY (user_id, team_id, role)
);
INSERT INTO team_members_0005 (user_id, team_id, role) SELECT user_id, team_id, role FROM team_members;
DROP TABLE team_members;
ALTER TABLE team_members_0005 RENAME TO team_members;
CREATE INDEX team_members_by_team ON team_members (team_id);

-- Date of death, when known: the retention rules keep a record 8 years after death.
ALTER TABLE persons ADD COLUMN date_of_death TEXT;

-- Gillick competence, assessed per decision (Gillick v West Norfolk [1986]; GMC 0-18 years).
CREATE TABLE competence_assessments (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    referral_id  TEXT REFERENCES referrals (id),
    decision     TEXT NOT NULL CHECK (decision IN ('consent_to_help', 'parent_carer_access',
                                                   'parent_carer_contact', 'information_sharing')),
    competent    BIGINT NOT NULL CHECK (competent IN (0, 1)),
    rationale    TEXT NOT NULL,
    assessed_by  TEXT NOT NULL,
    assessed_at  BIGINT NOT NULL
);
CREATE INDEX competence_by_person ON competence_assessments (person_id, decision, assessed_at);

-- A parent's or carer's account linked to a young person. The link alone gives no access: a
-- recorded consent, best-interests decision or safeguarding override is needed as well.
CREATE TABLE carer_links (
    id            TEXT PRIMARY KEY,
    person_id     TEXT NOT NULL REFERENCES persons (id),
    user_id       TEXT NOT NULL REFERENCES users (id),
    relationship  TEXT NOT NULL,
    linked_by     TEXT NOT NULL,
    linked_at     BIGINT NOT NULL,
    ended_at      BIGINT,
    UNIQUE (person_id, user_id)
);
CREATE INDEX carer_links_by_user ON carer_links (user_id, person_id);

CREATE TABLE parent_access_decisions (
    id             TEXT PRIMARY KEY,
    carer_link_id  TEXT NOT NULL REFERENCES carer_links (id),
    person_id      TEXT NOT NULL REFERENCES persons (id),
    basis          TEXT NOT NULL CHECK (basis IN ('young_person_consent', 'best_interests')),
    rationale      TEXT NOT NULL,
    recorded_by    TEXT NOT NULL,
    recorded_at    BIGINT NOT NULL,
    withdrawn_at   BIGINT,
    withdrawn_by   TEXT
);
CREATE INDEX parent_access_by_link ON parent_access_decisions (carer_link_id);

-- Entries kept from parents and carers: one event of a referral, or (seq NULL) all of it.
CREATE TABLE not_for_parent (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    seq          BIGINT,
    reason       TEXT NOT NULL,
    marked_by    TEXT NOT NULL,
    marked_at    BIGINT NOT NULL
);
CREATE INDEX not_for_parent_by_person ON not_for_parent (person_id);

-- A clinician's decision about contacting a parent or carer for one referral.
CREATE TABLE parent_contact_decisions (
    id           TEXT PRIMARY KEY,
    referral_id  TEXT NOT NULL REFERENCES referrals (id),
    person_id    TEXT NOT NULL REFERENCES persons (id),
    contact      BIGINT NOT NULL CHECK (contact IN (0, 1)),
    rationale    TEXT NOT NULL,
    decided_by   TEXT NOT NULL,
    decided_at   BIGINT NOT NULL
);
CREATE INDEX parent_contact_by_referral ON parent_contact_decisions (referral_id, decided_at);

-- Explicit safeguarding overrides: reasoned, audited ("safeguarding override"), reviewed.
CREATE TABLE safeguarding_overrides (
    id           TEXT PRIMARY KEY,
    person_id    TEXT NOT NULL REFERENCES persons (id),
    referral_id  TEXT REFERENCES referrals (id),
    scope        TEXT NOT NULL CHECK (scope IN ('parent_carer_contact', 'parent_carer_access',
                                                'information_sharing')),
    reason       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  BIGINT NOT NULL,
    reviewed_by  TEXT,
    reviewed_at  BIGINT,
    review_note  TEXT
);
CREATE INDEX safeguarding_by_person ON safeguarding_overrides (person_id);
CREATE INDEX safeguarding_unreviewed ON safeguarding_overrides (reviewed_at, recorded_at);

-- What is left of a record after retention destroyed it: no names, no dates of birth, no
-- free text - the referral id, its dates, the rule applied, and who ran it when. Append-only
-- (append_only.rs). The referral_events trigger lets a referral's events be deleted only once
-- its stub exists, so the only way to remove history is this audited path.
CREATE TABLE retention_stubs (
    id              TEXT PRIMARY KEY,
    run_id          TEXT NOT NULL,
    referral_id     TEXT,
    received_at     BIGINT,
    closed_at       BIGINT,
    retain_until    TEXT NOT NULL,
    rule            TEXT NOT NULL,
    rule_source     TEXT NOT NULL,
    events_removed  BIGINT NOT NULL,
    destroyed_at    BIGINT NOT NULL,
    destroyed_by    TEXT NOT NULL
);
CREATE INDEX retention_stubs_by_referral ON retention_stubs (referral_id);
