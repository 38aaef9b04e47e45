-- First sign-in (issue 17): an account an administrator made with an initial password must
-- choose its own password before it can do anything else (1 = must change). Accounts made
-- before this migration, the first administrator (who chose their own password at the
-- command line) and demonstration accounts keep 0.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
