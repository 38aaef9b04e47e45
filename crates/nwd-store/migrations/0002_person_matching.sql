-- Person matching, review, merge and unmerge (issue 4). Nothing here is ever deleted or
-- overwritten destructively: merges and their undoing are rows with who, when and why, and
-- each moved referral records a `person_relinked` event.

-- A merged record points at the survivor; unmerge clears it. Merged records stay readable.
ALTER TABLE persons ADD COLUMN merged_into TEXT REFERENCES persons (id);

-- How each referral's person was decided: the band and the matcher's proposal (candidates
-- with their field-by-field explanation), stored with the decision.
CREATE TABLE match_decisions (
    referral_id  TEXT PRIMARY KEY REFERENCES referrals (id),
    person_id    TEXT NOT NULL REFERENCES persons (id),
    band         TEXT NOT NULL CHECK (band IN ('auto', 'review', 'new')),
    proposal     TEXT NOT NULL,
    decided_at   BIGINT NOT NULL
);

-- The review queue: a referral whose person might be someone already registered. Intake
-- never waits for it: the referral is received against a provisional new record.
CREATE TABLE match_reviews (
    id               TEXT PRIMARY KEY,
    referral_id      TEXT NOT NULL REFERENCES referrals (id),
    person_id        TEXT NOT NULL REFERENCES persons (id),
    candidates       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'linked', 'new_person', 'not_same')),
    created_at       BIGINT NOT NULL,
    decided_at       BIGINT,
    decided_by       TEXT,
    decision_reason  TEXT,
    linked_to        TEXT REFERENCES persons (id),
    version          BIGINT NOT NULL
);
CREATE INDEX match_reviews_by_status ON match_reviews (status, created_at);

-- "Not the same person", remembered so the pair is never proposed or merged again by mistake.
-- Stored once per pair, smaller id first.
CREATE TABLE person_not_same (
    person_a     TEXT NOT NULL REFERENCES persons (id),
    person_b     TEXT NOT NULL REFERENCES persons (id),
    recorded_at  BIGINT NOT NULL,
    recorded_by  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    PRIMARY KEY (person_a, person_b),
    CHECK (person_a < person_b)
);

CREATE TABLE person_merges (
    id              TEXT PRIMARY KEY,
    survivor_id     TEXT NOT NULL REFERENCES persons (id),
    merged_id       TEXT NOT NULL REFERENCES persons (id),
    -- The referrals moved, exactly: unmerge moves these back and no others.
    referral_ids    TEXT NOT NULL,
    merged_at       BIGINT NOT NULL,
    merged_by       TEXT NOT NULL,
    reason          TEXT NOT NULL,
    unmerged_at     BIGINT,
    unmerged_by     TEXT,
    unmerge_reason  TEXT,
    CHECK (survivor_id <> merged_id)
);
CREATE INDEX person_merges_by_survivor ON person_merges (survivor_id);
CREATE INDEX person_merges_by_merged ON person_merges (merged_id);
