-- Priority and risk as living facts (issue 14). Same conventions as 0001: one script for
-- SQLite and PostgreSQL.
--
-- `referrals.priority` / `priority_rank` are now the *current* clinical response priority
-- (triage and later urgency reviews change them; `allocations.priority_rank` follows).
-- `requested_priority` is an unverified sender's stated urgency awaiting triage's
-- confirmation (anonymous /refer, a public referral whose safety answers signal risk): NULL
-- when none is pending. `risk_level` is the current risk (NULL: not assessed), `risk_rank`
-- its order (1 low, 2 medium, 3 high, 4 immediate: higher is more risk), and
-- `risk_review_due` the moment the risk review becomes overdue (epoch milliseconds: the start
-- of the day after the review date, in the area's time zone; NULL: no review set).
ALTER TABLE referrals ADD COLUMN requested_priority TEXT;
ALTER TABLE referrals ADD COLUMN risk_level TEXT;
ALTER TABLE referrals ADD COLUMN risk_rank BIGINT;
ALTER TABLE referrals ADD COLUMN risk_review_due BIGINT;

-- The crisis list: referrals not closed that are emergency or very urgent (clinical or
-- requested) or at high or immediate risk. Partial indexes, one per way in, each small.
CREATE INDEX referrals_crisis_by_priority ON referrals (priority_rank, received_at)
    WHERE status <> 'closed' AND priority_rank <= 1;
CREATE INDEX referrals_crisis_by_request ON referrals (requested_priority, received_at)
    WHERE status <> 'closed' AND requested_priority IS NOT NULL;
CREATE INDEX referrals_crisis_by_risk ON referrals (risk_rank, received_at)
    WHERE status <> 'closed' AND risk_rank >= 3;
-- Overdue risk reviews, most overdue first.
CREATE INDEX referrals_by_risk_review ON referrals (risk_review_due, id)
    WHERE status <> 'closed' AND risk_review_due IS NOT NULL;

-- Referrals triaged before this migration carry their risk in the `triaged` event only; read
-- it from the payload as serde_json writes it (no spaces), the same SQL on both databases.
UPDATE referrals SET risk_level = 'low', risk_rank = 1 WHERE risk_level IS NULL AND id IN
    (SELECT referral_id FROM referral_events WHERE event_type = 'triaged' AND payload LIKE '%"risk":"low"%');
UPDATE referrals SET risk_level = 'medium', risk_rank = 2 WHERE risk_level IS NULL AND id IN
    (SELECT referral_id FROM referral_events WHERE event_type = 'triaged' AND payload LIKE '%"risk":"medium"%');
UPDATE referrals SET risk_level = 'high', risk_rank = 3 WHERE risk_level IS NULL AND id IN
    (SELECT referral_id FROM referral_events WHERE event_type = 'triaged' AND payload LIKE '%"risk":"high"%');
UPDATE referrals SET risk_level = 'immediate', risk_rank = 4 WHERE risk_level IS NULL AND id IN
    (SELECT referral_id FROM referral_events WHERE event_type = 'triaged' AND payload LIKE '%"risk":"immediate"%');
