-- An organisation's licensed item text for a bundled outcome measure (issue 19): RCADS, SDQ,
-- YP-CORE and the like ship as scoring only; a measure with its wording loaded here can be
-- completed question by question (one-time links, FHIR Questionnaire). `body` is the wording
-- as JSON (`nwd_outcomes::ItemText`), checked against the measure before it is written.
-- Same conventions as 0001 (TEXT ids, BIGINT ms instants, one script for both databases).
CREATE TABLE measure_texts (
    measure     TEXT PRIMARY KEY,
    body        TEXT NOT NULL,
    loaded_by   TEXT NOT NULL,
    loaded_at   BIGINT NOT NULL
);
