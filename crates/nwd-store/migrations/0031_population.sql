-- Need and equality (issue 20): the area's population by postcode district, age band, sex and
-- broad ethnic group, with each district's deprivation decile (nwd_domain::population). Not
-- personal data: published estimates (or, in the demo, synthetic ones). Same conventions as
-- 0001: one script for SQLite and PostgreSQL, BIGINT ms instants.
--
-- A load replaces the whole table in one transaction (a table is only meaningful whole: a
-- partly replaced population would mix two years' estimates). `population_loads` keeps every
-- load — when, by whom, from what, and the prevalence rates in force with it (TOML of
-- nwd_domain::population::Prevalence, each rate with its source) — so the page can say which
-- population and which rates every expected-need figure used, and the newest load is the one
-- in force.
CREATE TABLE population (
    area                TEXT NOT NULL,
    age_band            TEXT NOT NULL CHECK (age_band IN ('0-4', '5-7', '8-16', '17-19', '20-25')),
    sex                 TEXT NOT NULL CHECK (sex IN ('female', 'male')),
    ethnicity           TEXT NOT NULL CHECK (ethnicity IN ('white', 'mixed', 'asian', 'black', 'other')),
    deprivation_decile  BIGINT NOT NULL CHECK (deprivation_decile BETWEEN 1 AND 10),
    people              BIGINT NOT NULL CHECK (people >= 0),
    PRIMARY KEY (area, age_band, sex, ethnicity)
);

CREATE TABLE population_loads (
    load_id     BIGINT PRIMARY KEY,
    loaded_at   BIGINT NOT NULL,
    loaded_by   TEXT NOT NULL,
    source      TEXT NOT NULL,
    row_count   BIGINT NOT NULL,
    people      BIGINT NOT NULL,
    prevalence  TEXT NOT NULL
);
