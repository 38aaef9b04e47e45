//! The outcome figures' inputs, per closed referral: its attended direct contacts (from the
//! `contacts` rows) and, when it has outcome measures, what they show — its `outcome_recorded`
//! events and contact instants judged once, when the referral is read, by
//! `nwd_domain::referral::outcome::summarise` (what `outcome_summary` runs for the referral
//! page: MHS112's pairing and classification). The figures' age bands use the age read with
//! the referral (`Entry::age`). Referrals still open
//! are not judged: a change closing one logs it in the figure change log and it is read again.

use std::collections::{HashMap, HashSet};

use jiff::Timestamp;
use nwd_domain::codes::ContactStatus;
use nwd_domain::outcome_figures::ReferralOutcome;
use nwd_domain::referral::event::ReferralEvent;
use nwd_domain::referral::outcome::{norm_inputs_at, summarise, OutcomeAssessment};
use nwd_domain::{PersonId, ReferralId, ServiceId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codec::{ts, uuid};
use crate::{Store, StoreError};

use super::read::select_each;
use super::Mirror;

impl Mirror {
    /// Reads the attended direct contacts of the closed referrals among `fresh` (slots read
    /// just now) and judges the outcome measures of those that have any.
    pub(super) async fn read_outcomes(
        &mut self,
        store: &Store,
        ids: Option<&[String]>,
        allocation_ids: &[String],
        fresh: &HashSet<u32>,
    ) -> Result<(), StoreError> {
        let closed_slot = |mirror: &Mirror, text: &str| -> Result<Option<u32>, StoreError> {
            let id = ReferralId(uuid(text)?);
            Ok(mirror.index.get(&id).copied().filter(|s| {
                fresh.contains(s)
                    && mirror.entries[*s as usize]
                        .as_ref()
                        .is_some_and(|e| e.closed_at.is_some())
            }))
        };

        // The recorded measures of each closed referral: its `outcome_recorded` events alone
        // (with the attended contacts, all that the pairing reads; replaying whole histories
        // made start-up several times slower). On a full read the closed referrals are
        // chosen in SQL; for a few changed ones, by their keys. Read first, so that the
        // contacts' instants are kept only for referrals that have measures.
        let outcome_sql = "SELECT e.referral_id, r.person_id, e.payload FROM referral_events e \
             JOIN referrals r ON r.id = e.referral_id \
             WHERE e.event_type = 'outcome_recorded' AND r.closed_at IS NOT NULL";
        let mut measured: HashMap<u32, (String, Vec<OutcomeAssessment>)> = HashMap::new();
        select_each(store, outcome_sql, &[], "e.referral_id", ids, &mut |row| {
            let Some(slot) = closed_slot(self, &row.try_get::<String, _>("referral_id")?)? else {
                return Ok(());
            };
            let payload: String = row.try_get("payload")?;
            let ReferralEvent::OutcomeRecorded { assessment } =
                serde_json::from_str::<ReferralEvent>(&payload)?
            else {
                return Ok(());
            };
            measured
                .entry(slot)
                .or_insert_with(|| (row.try_get("person_id").unwrap_or_default(), Vec::new()))
                .1
                .push(assessment);
            Ok(())
        })
        .await?;

        // Direct contacts: every one's attendance, month and service (the attendance
        // figures); of closed referrals, the attended ones' count and, where measured, their
        // instants (the pairing needs the first and second).
        // One table, no join: with a join to `referrals` SQLite's planner may leave the
        // `contacts_by_allocation` index when only a few allocations are read.
        let contact_sql = "SELECT c.referral_id, c.person_id, c.service_id, c.status, c.at \
             FROM contacts c WHERE c.kind = 'direct'";
        let mut attended: HashMap<u32, Vec<Timestamp>> = HashMap::new();
        let mut contact = |row: AnyRow| -> Result<(), StoreError> {
            let referral: String = row.try_get("referral_id")?;
            let status = ContactStatus::parse(&row.try_get::<String, _>("status")?)
                .map_err(StoreError::Corrupt)?;
            if let Some(slot) = self.index.get(&ReferralId(uuid(&referral)?)).copied() {
                if fresh.contains(&slot) {
                    let service = self
                        .service_index
                        .get(&ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?))
                        .copied()
                        .unwrap_or(super::NO_SERVICE);
                    let at: i64 = row.try_get("at")?;
                    if let Some(entry) = &mut self.entries[slot as usize] {
                        entry.booked.push(super::Booked {
                            at,
                            status,
                            service,
                        });
                    }
                }
            }
            let Some(slot) = closed_slot(self, &referral)? else {
                return Ok(());
            };
            if status.is_attended() {
                if let Some(entry) = &mut self.entries[slot as usize] {
                    entry.attended_direct += 1;
                }
                if measured.contains_key(&slot) {
                    attended
                        .entry(slot)
                        .or_default()
                        .push(ts(row.try_get("at")?)?);
                }
            }
            Ok(())
        };
        match ids {
            None => {
                select_each(
                    store,
                    contact_sql,
                    &[],
                    "c.allocation_id",
                    None,
                    &mut contact,
                )
                .await?
            }
            Some(_) if allocation_ids.is_empty() => {}
            Some(_) => {
                select_each(
                    store,
                    contact_sql,
                    &[],
                    "c.allocation_id",
                    Some(allocation_ids),
                    &mut contact,
                )
                .await?;
            }
        }

        if measured.is_empty() {
            return Ok(());
        }
        // The young people's dates of birth and sex choose the T-score norms.
        let mut people: Vec<String> = measured
            .values()
            .map(|(person, _)| person.clone())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        people.sort_unstable();
        let mut details: HashMap<PersonId, nwd_domain::person::PersonDetails> = HashMap::new();
        select_each(
            store,
            "SELECT id, details FROM persons WHERE 1 = 1",
            &[],
            "id",
            Some(&people),
            &mut |row| {
                let person = crate::intake::person_from_row(&row)?;
                details.insert(person.id, person.details);
                Ok(())
            },
        )
        .await?;
        let inputs = |received_at: i64, person: &str| -> Result<_, StoreError> {
            let received = ts(received_at)?;
            Ok(
                match person
                    .parse::<PersonId>()
                    .ok()
                    .and_then(|id| details.get(&id))
                {
                    Some(d) => norm_inputs_at(received, d.date_of_birth, d.sex, store.tz()),
                    None => (None, None),
                },
            )
        };
        for (slot, (person, outcomes)) in measured {
            let Some(entry) = &mut self.entries[slot as usize] else {
                continue;
            };
            let (age, sex) = inputs(entry.received_at, &person)?;
            let contacts = attended.remove(&slot).unwrap_or_default();
            entry.outcome =
                ReferralOutcome::from_summary(&summarise(&outcomes, contacts, age, sex));
        }
        Ok(())
    }
}
