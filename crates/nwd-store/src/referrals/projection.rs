//! The referral's event log and projection: loading and appending events, and rewriting
//! the projection row, its allocations and its contacts.

use super::*;

pub(crate) async fn load_events(
    conn: &mut sqlx::AnyConnection,
    id: ReferralId,
) -> Result<Vec<RecordedEvent>, StoreError> {
    let rows = sqlx::query(
        "SELECT seq, at, actor, payload FROM referral_events WHERE referral_id = $1 ORDER BY seq",
    )
    .bind(id.to_string())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let seq: i64 = row.try_get("seq")?;
            let payload: String = row.try_get("payload")?;
            Ok(RecordedEvent {
                seq: seq as u32,
                at: ts(row.try_get("at")?)?,
                actor: row.try_get("actor")?,
                event: serde_json::from_str::<ReferralEvent>(&payload)?,
            })
        })
        .collect()
}

pub(crate) async fn insert_events(
    conn: &mut sqlx::AnyConnection,
    id: ReferralId,
    events: &[RecordedEvent],
) -> Result<(), StoreError> {
    for event in events {
        sqlx::query("INSERT INTO referral_events (referral_id, seq, event_type, at, actor, payload) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(id.to_string())
            .bind(i64::from(event.seq))
            .bind(event.event.type_name())
            .bind(ms(event.at))
            .bind(event.actor.clone())
            .bind(serde_json::to_string(&event.event)?)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// Writes the referral's projection row. With `expected_version`, updates only if the row
/// is still at that version (a second guard against lost updates); without, inserts.
/// The stored primary reason of a referral whose referrer chose only "not sure" or
/// "something else" (`nwd_domain::codes::PlainReason`): triage codes it.
pub(crate) const NOT_CODED: &str = "not_coded";

/// Reads a stored primary reason ([`NOT_CODED`] → `None`).
pub(crate) fn primary_reason(
    stored: &str,
) -> Result<Option<nwd_domain::codes::ReasonCode>, StoreError> {
    if stored == NOT_CODED {
        return Ok(None);
    }
    nwd_domain::codes::ReasonCode::parse(stored)
        .map(Some)
        .map_err(StoreError::Corrupt)
}

pub(crate) async fn write_projection(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    expected_version: Option<u32>,
    intake_person: Option<&PersonDetails>,
    now: Timestamp,
) -> Result<(), StoreError> {
    let closure = referral.closure.as_ref();
    let primary_reason = referral
        .reasons
        .first()
        .map(|r| r.as_str())
        .unwrap_or(NOT_CODED);
    match expected_version {
        None => {
            sqlx::query(
                "INSERT INTO referrals (id, person_id, version, kind, source, priority, priority_rank, primary_reason, status, need_group, \
                 received_at, triaged_at, closed_at, destination_kind, destination_name, intake_person, updated_at, \
                 family_key, given_key) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
                 (SELECT p.family_key FROM persons p WHERE p.id = $2), (SELECT p.given_key FROM persons p WHERE p.id = $2))",
            )
            .bind(referral.id.to_string())
            .bind(referral.person_id.to_string())
            .bind(i64::from(referral.version))
            .bind(referral.kind.as_str())
            .bind(referral.source.as_str())
            .bind(referral.priority.as_str())
            .bind(referral.priority.rank())
            .bind(primary_reason)
            .bind(referral.status.as_str())
            .bind(referral.need_group.map(|g| g.as_str()))
            .bind(ms(referral.received_at))
            .bind(referral.triage.as_ref().map(|t| ms(t.at)))
            .bind(closure.map(|c| ms(c.at)))
            .bind(closure.map(|c| c.destination.kind()))
            .bind(closure.map(|c| c.destination.name()))
            .bind(serde_json::to_string(&intake_person)?)
            .bind(ms(now))
            .execute(&mut *conn)
            .await?;
        }
        Some(expected) => {
            let result = sqlx::query(
                "UPDATE referrals SET version = $1, status = $2, need_group = $3, triaged_at = $4, closed_at = $5, \
                 destination_kind = $6, destination_name = $7, updated_at = $8 WHERE id = $9 AND version = $10",
            )
            .bind(i64::from(referral.version))
            .bind(referral.status.as_str())
            .bind(referral.need_group.map(|g| g.as_str()))
            .bind(referral.triage.as_ref().map(|t| ms(t.at)))
            .bind(closure.map(|c| ms(c.at)))
            .bind(closure.map(|c| c.destination.kind()))
            .bind(closure.map(|c| c.destination.name()))
            .bind(ms(now))
            .bind(referral.id.to_string())
            .bind(i64::from(expected))
            .execute(&mut *conn)
            .await?;
            if result.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    expected,
                    current: expected + 1,
                    changes: Vec::new(),
                });
            }
        }
    }
    Ok(())
}

/// Upserts the allocations and contacts touched by `events`.
pub(crate) async fn write_allocations_and_contacts(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    events: &[RecordedEvent],
    tz: &jiff::tz::TimeZone,
) -> Result<(), StoreError> {
    let mut touched_allocations = Vec::new();
    let mut touched_contacts = Vec::new();
    for recorded in events {
        match &recorded.event {
            ReferralEvent::Allocated { allocation_id, .. }
            | ReferralEvent::TransitionPlanned { allocation_id, .. }
            | ReferralEvent::AllocationEnded { allocation_id, .. } => {
                touched_allocations.push(*allocation_id)
            }
            ReferralEvent::OutcomeRecorded { assessment } => {
                touched_allocations.push(assessment.allocation_id)
            }
            ReferralEvent::ContactRecorded { contact } => {
                touched_allocations.push(contact.allocation_id);
                touched_contacts.push(contact.id);
            }
            ReferralEvent::ContactOutcomeRecorded { contact_id, .. } => {
                touched_contacts.push(*contact_id);
                if let Some(c) = referral.contact(*contact_id) {
                    touched_allocations.push(c.allocation_id);
                }
            }
            _ => {}
        }
    }
    touched_allocations.sort();
    touched_allocations.dedup();
    for allocation in referral
        .allocations
        .iter()
        .filter(|a| touched_allocations.contains(&a.id))
    {
        upsert_allocation(conn, referral, allocation, tz).await?;
    }
    for contact in referral
        .contacts
        .iter()
        .filter(|c| touched_contacts.contains(&c.id))
    {
        upsert_contact(conn, referral, contact).await?;
    }
    Ok(())
}

pub(crate) async fn upsert_allocation(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    a: &nwd_domain::referral::Allocation,
    tz: &jiff::tz::TimeZone,
) -> Result<(), StoreError> {
    let plan = referral.transition_plan(a.id);
    let counts = referral.measure_counts(a.id, tz);
    sqlx::query(
        "INSERT INTO allocations (id, referral_id, person_id, service_id, need_group, origin, priority_rank, clock_start, allocated_at, \
         first_attended_at, second_attended_at, ended_at, end_reason, waiting, transition_planned_on, transition_to, source, \
         measure_attended, measure_since, measure_started, family_key, given_key) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, \
         (SELECT p.family_key FROM persons p WHERE p.id = $3), (SELECT p.given_key FROM persons p WHERE p.id = $3)) \
         ON CONFLICT (id) DO UPDATE SET first_attended_at = excluded.first_attended_at, second_attended_at = excluded.second_attended_at, \
         ended_at = excluded.ended_at, end_reason = excluded.end_reason, waiting = excluded.waiting, \
         transition_planned_on = excluded.transition_planned_on, transition_to = excluded.transition_to, \
         measure_attended = excluded.measure_attended, measure_since = excluded.measure_since, \
         measure_started = excluded.measure_started",
    )
    .bind(a.id.to_string())
    .bind(referral.id.to_string())
    .bind(referral.person_id.to_string())
    .bind(a.service_id.to_string())
    .bind(a.need_group.as_str())
    .bind(origin_name(a.origin))
    .bind(referral.priority.rank())
    .bind(ms(a.clock_start))
    .bind(ms(a.allocated_at))
    .bind(a.first_attended_at.map(ms))
    .bind(a.second_attended_at.map(ms))
    .bind(a.ended.as_ref().map(|e| ms(e.at)))
    .bind(a.ended.as_ref().map(|e| e.reason.as_str()))
    .bind(flag(a.is_waiting()))
    .bind(plan.map(|p| p.planned_on.to_string()))
    .bind(plan.map(|p| {
        p.receiving_service
            .clone()
            .unwrap_or_else(|| p.outcome.label().to_owned())
    }))
    .bind(referral.source.as_str())
    .bind(i64::from(counts.attended))
    .bind(i64::from(counts.since_measure))
    .bind(flag(counts.measured))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) async fn upsert_contact(
    conn: &mut sqlx::AnyConnection,
    referral: &Referral,
    c: &nwd_domain::referral::Contact,
) -> Result<(), StoreError> {
    let service_id = referral
        .allocation(c.allocation_id)
        .map(|a| a.service_id.to_string())
        .unwrap_or_default();
    sqlx::query(
        "INSERT INTO contacts (id, referral_id, allocation_id, person_id, service_id, at, status, mechanism, kind, clinician, \
         duration_minutes, counts_for_access) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, counts_for_access = excluded.counts_for_access",
    )
    .bind(c.id.to_string())
    .bind(referral.id.to_string())
    .bind(c.allocation_id.to_string())
    .bind(referral.person_id.to_string())
    .bind(service_id)
    .bind(ms(c.at))
    .bind(c.status.as_str())
    .bind(c.mechanism.as_str())
    .bind(match c.kind {
        ContactKind::Direct => "direct",
        ContactKind::Indirect { .. } => "indirect",
    })
    .bind(c.clinician.clone())
    .bind(i64::from(c.duration_minutes))
    .bind(flag(counts_for_access(c)))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

pub(crate) fn origin_name(origin: nwd_domain::referral::AllocationOrigin) -> &'static str {
    use nwd_domain::need::StepDirection;
    use nwd_domain::referral::AllocationOrigin;
    match origin {
        AllocationOrigin::Triage => "triage",
        AllocationOrigin::Step(StepDirection::Up) => "step_up",
        AllocationOrigin::Step(StepDirection::Down) => "step_down",
        AllocationOrigin::Additional => "additional",
    }
}
