-- Matching parameters (m and u probabilities, term frequencies) estimated without labels by
-- `nowrongdoor persons estimate`. The newest row is used; older rows stay for audit.
CREATE TABLE match_parameters (
    id            TEXT PRIMARY KEY,
    estimated_at  BIGINT NOT NULL,
    estimated_by  TEXT NOT NULL,
    persons       BIGINT NOT NULL,
    parameters    TEXT NOT NULL
);
CREATE INDEX match_parameters_by_time ON match_parameters (estimated_at);
