-- A database made by the demo loader (issue 17): `nowrongdoor demo` and `serve --demo` write
-- one `demo_install` row, with the demo's staff accounts, through `Store::create_demo_staff`,
-- the only statement that inserts into either table. Only a database with that row offers
-- one-click demonstration sign-in (`Store::demo_sign_in`), and only into the accounts listed
-- in `demo_accounts` (one per role); a database without it — every real install — never
-- does. The demo's accounts have no password and no second factor: they cannot sign in any
-- other way. Same conventions as 0001: one script for SQLite and PostgreSQL.
CREATE TABLE demo_install (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    created_at  BIGINT NOT NULL,
    created_by  TEXT NOT NULL
);

CREATE TABLE demo_accounts (
    role     TEXT PRIMARY KEY,
    user_id  TEXT NOT NULL UNIQUE REFERENCES users (id)
);
