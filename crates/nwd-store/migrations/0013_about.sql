-- About the young person (issue 14): equality monitoring and the groups the area's plans name
-- (nwd_domain::about::AboutYoungPerson). Same conventions as 0001: one script for SQLite and
-- PostgreSQL.
--
-- A person-level record, not a referral event: it describes who the young person is, not what
-- happened to a referral, and it is shared by all their referrals. `person_about` holds the
-- current record (JSON of AboutYoungPerson; absent questions were not asked) with a version
-- for optimistic concurrency; `person_about_changes` keeps every version with who changed it,
-- when and through which door (`intake` or `staff`), so a change is never lost. Neither is
-- copied into referral events, so a parent's or carer's view of the events never carries the
-- young person's gender identity. Retention erases both with the person (retention.rs).
CREATE TABLE person_about (
    person_id   TEXT PRIMARY KEY REFERENCES persons (id),
    version     BIGINT NOT NULL CHECK (version >= 1),
    record      TEXT NOT NULL,
    updated_at  BIGINT NOT NULL,
    updated_by  TEXT NOT NULL
);

CREATE TABLE person_about_changes (
    person_id   TEXT NOT NULL REFERENCES persons (id),
    version     BIGINT NOT NULL CHECK (version >= 1),
    record      TEXT NOT NULL,
    changed_at  BIGINT NOT NULL,
    changed_by  TEXT NOT NULL,
    door        TEXT NOT NULL CHECK (door IN ('intake', 'staff')),
    PRIMARY KEY (person_id, version)
);
