//! The outcome figures' inputs, per closed referral: its attended direct contacts (from the
//! `contacts` rows) and, when it has outcome measures, what they show — its events replayed
//! and judged once, when the referral is read, by `nwd_domain::outcome_figures::ReferralOutcome`
//! (that is, `outcome_summary`, MHS112's pairing and classification). Referrals still open
//! are not judged: a change closing one logs it in the figure change log and it is read again.

use std::collections::{HashMap, HashSet};

use nwd_domain::codes::ContactStatus;
use nwd_domain::outcome_figures::ReferralOutcome;
use nwd_domain::referral::event::{RecordedEvent, ReferralEvent};
use nwd_domain::referral::outcome::norm_inputs;
use nwd_domain::referral::Referral;
use nwd_domain::{PersonId, ReferralId};
use sqlx::Row;

use crate::codec::{ts, uuid};
use crate::{Store, StoreError};

use super::read::select;
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

        // Attended direct contacts of closed referrals.
        let contact_sql = "SELECT c.referral_id, c.status FROM contacts c \
             JOIN referrals r ON r.id = c.referral_id \
             WHERE r.closed_at IS NOT NULL AND c.kind = 'direct'";
        let rows = match ids {
            None => select(store, contact_sql, &[], "c.allocation_id", None).await?,
            Some(_) if allocation_ids.is_empty() => Vec::new(),
            Some(_) => {
                select(
                    store,
                    contact_sql,
                    &[],
                    "c.allocation_id",
                    Some(allocation_ids),
                )
                .await?
            }
        };
        for row in &rows {
            let Some(slot) = closed_slot(self, &row.try_get::<String, _>("referral_id")?)? else {
                continue;
            };
            let status = ContactStatus::parse(&row.try_get::<String, _>("status")?)
                .map_err(StoreError::Corrupt)?;
            if status.is_attended() {
                if let Some(entry) = &mut self.entries[slot as usize] {
                    entry.attended_direct += 1;
                }
            }
        }

        // The whole history of each closed referral with outcome measures, to replay.
        // On a full read, the referrals are chosen in SQL; for a few changed ones, by their
        // keys alone (a subquery over every event would cost a scan of the whole log per
        // change), the closed ones with measures then kept below.
        let rows = match ids {
            None => {
                select(
                    store,
                    "SELECT e.referral_id, e.seq, e.at, e.actor, e.payload FROM referral_events e \
                     WHERE e.referral_id IN (SELECT o.referral_id FROM referral_events o WHERE o.event_type = 'outcome_recorded') \
                     AND e.referral_id IN (SELECT id FROM referrals WHERE closed_at IS NOT NULL)",
                    &[],
                    "e.referral_id",
                    None,
                )
                .await?
            }
            Some(_) => {
                select(
                    store,
                    "SELECT e.referral_id, e.seq, e.at, e.actor, e.payload FROM referral_events e WHERE 1 = 1",
                    &[],
                    "e.referral_id",
                    ids,
                )
                .await?
            }
        };
        let mut histories: HashMap<u32, Vec<RecordedEvent>> = HashMap::new();
        for row in &rows {
            let Some(slot) = closed_slot(self, &row.try_get::<String, _>("referral_id")?)? else {
                continue;
            };
            let payload: String = row.try_get("payload")?;
            let seq: i64 = row.try_get("seq")?;
            histories.entry(slot).or_default().push(RecordedEvent {
                seq: seq as u32,
                at: ts(row.try_get("at")?)?,
                actor: row.try_get("actor")?,
                event: serde_json::from_str::<ReferralEvent>(&payload)?,
            });
        }
        if histories.is_empty() {
            return Ok(());
        }
        let mut referrals: Vec<(u32, Referral)> = Vec::with_capacity(histories.len());
        for (slot, mut events) in histories {
            if !events
                .iter()
                .any(|e| matches!(e.event, ReferralEvent::OutcomeRecorded { .. }))
            {
                continue;
            }
            events.sort_unstable_by_key(|e| e.seq);
            let referral =
                Referral::replay(&events).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            referrals.push((slot, referral));
        }
        // The young people's dates of birth and sex choose the T-score norms.
        let mut people: Vec<String> = referrals
            .iter()
            .map(|(_, r)| r.person_id.to_string())
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        people.sort_unstable();
        let mut details: HashMap<PersonId, nwd_domain::person::PersonDetails> = HashMap::new();
        for row in &select(
            store,
            "SELECT id, details FROM persons WHERE 1 = 1",
            &[],
            "id",
            Some(&people),
        )
        .await?
        {
            let person = crate::intake::person_from_row(row)?;
            details.insert(person.id, person.details);
        }
        for (slot, referral) in referrals {
            let (age, sex) = match details.get(&referral.person_id) {
                Some(d) => norm_inputs(&referral, d.date_of_birth, d.sex, store.tz()),
                None => (None, None),
            };
            if let Some(entry) = &mut self.entries[slot as usize] {
                entry.outcome = ReferralOutcome::of(&referral, age, sex);
            }
        }
        Ok(())
    }
}
