-- Transition planned by need, outcome recorded later (issue 14). Same conventions as 0001:
-- one script for SQLite and PostgreSQL.
--
-- The current plan of an open allocation, projected from its latest `transition_planned`
-- event so that the transition list can say who has a plan and who has none:
-- `transition_planned_on` (YYYY-MM-DD) and `transition_to` (the receiving service's name, or
-- the intended destination's label when no service is named). NULL: nothing planned.
ALTER TABLE allocations ADD COLUMN transition_planned_on TEXT;
ALTER TABLE allocations ADD COLUMN transition_to TEXT;
