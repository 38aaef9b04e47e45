-- The professional referral finished (issue 17). Same conventions as 0001: one script for
-- SQLite and PostgreSQL.
--
-- The safeguarding route: a referral made without the young person's or family's knowledge
-- or agreement carries the reason in its `received` event (`IntakeDetails::not_sought`);
-- these two columns copy it onto the projection so that the privacy officer's list of such
-- referrals is one indexed read. `consent_not_sought` is the reason's API name
-- (`risk_to_child`, `other`), NULL for every other referral; `consent_not_sought_detail` the
-- referrer's words. Written once, at intake, in the intake's transaction.
ALTER TABLE referrals ADD COLUMN consent_not_sought TEXT;
ALTER TABLE referrals ADD COLUMN consent_not_sought_detail TEXT;
CREATE INDEX referrals_consent_not_sought ON referrals (received_at)
    WHERE consent_not_sought IS NOT NULL;

-- Anonymous consultations: a professional asks for advice about a child who is not to be
-- identified. A referral always concerns a registered person (`referrals.person_id` is NOT
-- NULL, and the matcher links every person); a consultation is not a referral and has no
-- person at all, so it has its own table with no column that could hold a name, date of
-- birth, NHS number or address: only an age band, the area, the question and who asked.
-- `referrer` is the asking professional as JSON (name, role, organisation, phone, email).
-- `idempotency_key` makes a double send one consultation. `status` is `awaiting_advice`
-- until the single point of access answers (`advice`, `answered_at`, `answered_by`).
CREATE TABLE consultations (
    id               TEXT PRIMARY KEY,
    received_at      BIGINT NOT NULL,
    age_band         TEXT NOT NULL,
    area             TEXT NOT NULL,
    question         TEXT NOT NULL,
    source           TEXT NOT NULL,
    referrer         TEXT NOT NULL,
    submitted_by_org TEXT,
    idempotency_key  TEXT UNIQUE,
    status           TEXT NOT NULL DEFAULT 'awaiting_advice',
    advice           TEXT,
    answered_at      BIGINT,
    answered_by      TEXT
);
CREATE INDEX consultations_waiting ON consultations (received_at)
    WHERE status = 'awaiting_advice';
