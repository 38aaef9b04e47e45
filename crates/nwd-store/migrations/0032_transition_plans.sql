-- When was each referral's transition planned? For the commissioning KPI "transition planned by
-- 17½" (`nwd_domain::commissioning::kpi`), read with the dashboard's inputs without reading
-- every event: partial, so it holds only those events, as `referral_events_signposted` does.
CREATE INDEX referral_events_transition_planned ON referral_events (referral_id, at) WHERE event_type = 'transition_planned';
