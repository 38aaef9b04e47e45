-- The privacy officer's finding on a break-glass grant or a safeguarding override (issue 5):
-- besides the note, an outcome from a fixed list — 'appropriate' (access or override was
-- justified), 'not_appropriate' (it was not: follow up under the organisation's policy) or
-- 'ask_user' (the reason given was not enough to decide). NULL for reviews recorded before
-- this column existed, or through the API without an outcome. Same conventions as 0001.
ALTER TABLE break_glass ADD COLUMN review_outcome TEXT
    CHECK (review_outcome IS NULL OR review_outcome IN ('appropriate', 'not_appropriate', 'ask_user'));
ALTER TABLE safeguarding_overrides ADD COLUMN review_outcome TEXT
    CHECK (review_outcome IS NULL OR review_outcome IN ('appropriate', 'not_appropriate', 'ask_user'));
