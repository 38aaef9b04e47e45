-- The directory as a local offer (issue 17). A service's contact details, address, opening
-- hours, how to get in and what to bring live in its `details` JSON with the rest of its
-- details (`nwd_domain::directory::ServiceOffer`, flat: `phones`, `email`, `url`, …); rows
-- written before this migration read back with an empty offer, so nothing is rewritten here.
--
-- `crisis_line` is kept as a column beside the JSON, as `active` and `self_referral` are, so
-- that Urgent help lists the local crisis lines with one indexed query
-- (`Store::crisis_lines`) rather than reading every service. `Store::create_service` and
-- `Store::update_service` write it from the details in the same statement. Existing
-- services are not crisis lines until an administrator says so.
-- Same conventions as 0001: one script for SQLite and PostgreSQL.
ALTER TABLE services ADD COLUMN crisis_line BIGINT NOT NULL DEFAULT 0 CHECK (crisis_line IN (0, 1));
CREATE INDEX services_crisis_lines ON services (crisis_line, active);
