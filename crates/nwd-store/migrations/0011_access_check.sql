-- The legitimate-relationship check of a referral read (Store::referral_relationship) asks, for
-- each of the caller's services, whether the referral's person has an allocation there that is
-- open or ended within the grace period: one index entry per (person, service).
CREATE INDEX allocations_by_person_service ON allocations (person_id, service_id, ended_at);
