-- The public journeys' drafts (issue 17): the answers of a journey under way (`/get-help`,
-- `/refer/questions`), kept on the server between its pages so that Back, Forward and refresh
-- never lose them and never post again (post/redirect/get). `Store::save_draft` is the only
-- writer; `nwd_store::drafts` says why each limit is what it is.
--
-- - `id_hash`: the SHA-256 of the draft's id, 128 random bits held only in the browser's
--   cookie; the id itself is never stored, so the table cannot be used to take over a draft.
-- - `journey`: which journey the draft belongs to ('get-help', 'refer'); a draft is only read
--   back by its own journey.
-- - `answers`: the form's answers as a JSON array of [name, value] pairs, at most 64 KiB.
-- - `sent`: once the referral is sent, the confirmation to show again on a refresh (its
--   reference and private status path, JSON) and `answers` is emptied: the referral is the
--   record, the draft never was.
-- - `updated_at`: the last answer (ms); a draft idle longer than `DRAFT_IDLE_LIFETIME` is
--   never read again and is deleted by the next write and by the retention run.
-- Same conventions as 0001: one script for SQLite and PostgreSQL.
CREATE TABLE journey_drafts (
    id_hash     TEXT PRIMARY KEY,
    journey     TEXT NOT NULL,
    answers     TEXT NOT NULL,
    sent        TEXT,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX journey_drafts_by_age ON journey_drafts (updated_at);
