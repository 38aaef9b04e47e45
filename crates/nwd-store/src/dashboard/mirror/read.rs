//! Reading the mirror's rows: services with their standards, and referrals with their
//! allocations, steps and counted contacts, all of them or those with the given ids (in chunks
//! of `CHUNK` ids per `IN (…)` list).

use std::collections::{BTreeMap, HashMap, HashSet};

use futures_util::TryStreamExt;
use jiff::civil::Date;
use nwd_domain::codes::{Priority, ReferralSource};
use nwd_domain::population::report::AboutFacts;
use nwd_domain::population::Area;
use nwd_domain::{PersonId, ReferralId, ServiceId};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::codec::{date, ms, ts, uuid};
use crate::{Store, StoreError};

use super::figures::{day_number, first_wait_days, verdict};
use super::{Allocation, Counted, Entry, Mirror, ServiceEntry, CHUNK, NO_AREA, STEP_UP};

impl Mirror {
    /// Reads the services whose version moved (or that are new); returns their slots.
    pub(super) async fn read_services(
        &mut self,
        store: &Store,
    ) -> Result<HashSet<u32>, StoreError> {
        let rows = sqlx::query("SELECT id, version FROM services")
            .fetch_all(&store.pool)
            .await?;
        let mut changed = HashSet::new();
        for row in &rows {
            let id = ServiceId(uuid(&row.try_get::<String, _>("id")?)?);
            let version: i64 = row.try_get("version")?;
            let slot = self.service_slot(id);
            if self.services[slot as usize].version != version {
                let (service, _) = store.service(id).await?;
                self.services[slot as usize] = ServiceEntry {
                    version,
                    standards: service.details.standards,
                };
                changed.insert(slot);
            }
        }
        Ok(changed)
    }

    /// Reads the referrals with these ids (all when `None`) with their allocations, events
    /// and counted contacts, and files them. None of them may be held already.
    pub(super) async fn read_referrals(
        &mut self,
        store: &Store,
        ids: Option<&[String]>,
    ) -> Result<(), StoreError> {
        let mut fresh: HashSet<u32> = HashSet::new();
        let mut facts: HashMap<Option<String>, AboutFacts> = HashMap::new();
        let mut days = LocalDays::default();
        let mut referral = |row: AnyRow| -> Result<(), StoreError> {
            let id = ReferralId(uuid(&row.try_get::<String, _>("id")?)?);
            let source_text: String = row.try_get("source")?;
            let need_text = row
                .try_get::<Option<String>, _>("need_group")?
                .unwrap_or_else(|| "not_triaged".to_owned());
            let priority = Priority::parse(&row.try_get::<String, _>("priority")?)
                .map_err(StoreError::Corrupt)?;
            let source_code = ReferralSource::parse(&source_text).map_err(StoreError::Corrupt)?;
            let record: Option<String> = row.try_get("record")?;
            let about = match facts.get(&record) {
                Some(about) => *about,
                None => {
                    let about = crate::dashboard::about_facts(record.as_deref())?;
                    facts.insert(record, about);
                    about
                }
            };
            let received_at: i64 = row.try_get("received_at")?;
            // Age on the day received: negative (born after it) is no age.
            let born = match row.try_get::<Option<String>, _>("date_of_birth")? {
                Some(born) => Some(date(&born)?),
                None => None,
            };
            let age = match born {
                Some(born) => u8::try_from(nwd_domain::person::age_in_years(
                    born,
                    days.date(store, received_at)?,
                ))
                .ok(),
                None => None,
            };
            let area = match row
                .try_get::<Option<String>, _>("postcode")?
                .as_deref()
                .and_then(|p| nwd_domain::Postcode::parse(p).ok())
            {
                Some(postcode) => self.area_slot(Area::of_postcode(&postcode)),
                None => NO_AREA,
            };
            let person = self.person_slot(PersonId(uuid(&row.try_get::<String, _>("person_id")?)?));
            // The eighteenth birthday, read with the referral (a date of birth is never
            // changed, only removed with the person).
            if let Some(born) = born {
                self.eighteenth[person as usize] =
                    Some(day_number(nwd_domain::person::birthday(born, 18)));
            }
            let entry = Entry {
                person,
                booked: Vec::new(),
                about,
                area,
                seen: false,
                source: self.intern(&source_text),
                need: self.intern(&need_text),
                priority,
                source_code,
                received_at,
                triaged_at: row.try_get("triaged_at")?,
                allocated_at_triage: false,
                signposted: false,
                steps: Vec::new(),
                transition_planned_at: None,
                closed_at: row.try_get("closed_at")?,
                attended_direct: 0,
                age,
                outcome: Default::default(),
            };
            let slot = match self.free.pop() {
                Some(slot) => {
                    self.entries[slot as usize] = Some(entry);
                    slot
                }
                None => {
                    self.entries.push(Some(entry));
                    (self.entries.len() - 1) as u32
                }
            };
            self.index.insert(id, slot);
            fresh.insert(slot);
            Ok(())
        };
        select_each(
            store,
            "SELECT r.id, r.person_id, source, priority, need_group, received_at, triaged_at, closed_at, \
             pa.record, p.date_of_birth, p.postcode \
             FROM referrals r LEFT JOIN person_about pa ON pa.person_id = r.person_id \
             LEFT JOIN persons p ON p.id = r.person_id WHERE 1 = 1",
            &[],
            "r.id",
            ids,
            &mut referral,
        )
        .await?;
        // The slot of a referral read just now (rows of a referral created after its own
        // row was read are read next time, with it).
        let fresh_slot =
            |index: &HashMap<ReferralId, u32>, text: &str| -> Result<Option<u32>, StoreError> {
                let id = ReferralId(uuid(text)?);
                Ok(index.get(&id).copied().filter(|s| fresh.contains(s)))
            };

        // Allocations, and their ids for the contacts.
        let first_new = self.allocations.len();
        let mut allocation_ids = Vec::new();
        let mut allocation = |row: AnyRow| -> Result<(), StoreError> {
            let Some(referral) =
                fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                return Ok(());
            };
            if ids.is_some() {
                allocation_ids.push(row.try_get::<String, _>("id")?);
            }
            let first_attended_at: Option<i64> = row.try_get("first_attended_at")?;
            if let Some(entry) = &mut self.entries[referral as usize] {
                entry.allocated_at_triage |= row.try_get::<String, _>("origin")? == "triage";
                entry.seen |= first_attended_at.is_some();
            }
            let service =
                self.service_slot(ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?));
            self.allocations.push(Allocation {
                referral,
                service,
                clock_start: row.try_get("clock_start")?,
                allocated_at: row.try_get("allocated_at")?,
                first_attended_at,
                ended_at: row.try_get("ended_at")?,
                first_wait_days: None,
                verdict: None,
            });
            Ok(())
        };
        select_each(
            store,
            "SELECT id, referral_id, service_id, origin, clock_start, allocated_at, first_attended_at, ended_at \
             FROM allocations WHERE 1 = 1",
            &[],
            "referral_id",
            ids,
            &mut allocation,
        )
        .await?;
        {
            let (entries, services) = (&self.entries, &self.services);
            for a in &mut self.allocations[first_new..] {
                a.first_wait_days = first_wait_days(a, store);
                if let Some(entry) = &entries[a.referral as usize] {
                    a.verdict = verdict(a, entry, services, store);
                }
            }
        }

        // Steps and signposting: on a full read from their partial indexes, one query each;
        // for some referrals, one query by the referrals' keys.
        let mut event = |row: AnyRow| -> Result<(), StoreError> {
            let Some(slot) = fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                return Ok(());
            };
            if let Some(entry) = &mut self.entries[slot as usize] {
                let kind: String = row.try_get("event_type")?;
                if kind == "signposted" {
                    entry.signposted = true;
                } else if kind == "transition_planned" {
                    let at: i64 = row.try_get("at")?;
                    entry.transition_planned_at =
                        Some(entry.transition_planned_at.map_or(at, |t| t.min(at)));
                } else {
                    entry
                        .steps
                        .push((row.try_get("at")?, row.try_get::<i64, _>("up")? == 1));
                }
            }
            Ok(())
        };
        match ids {
            None => {
                select_each(
                    store,
                    "SELECT referral_id, event_type, CASE WHEN payload LIKE $1 THEN 1 ELSE 0 END AS up, at \
                     FROM referral_events WHERE event_type = 'need_group_changed'",
                    &[STEP_UP],
                    "referral_id",
                    None,
                    &mut event,
                )
                .await?;
                select_each(
                    store,
                    "SELECT DISTINCT referral_id, event_type, 0 AS up, 0 AS at FROM referral_events \
                     WHERE event_type = 'signposted'",
                    &[],
                    "referral_id",
                    None,
                    &mut event,
                )
                .await?;
                select_each(
                    store,
                    "SELECT referral_id, event_type, 0 AS up, at FROM referral_events \
                     WHERE event_type = 'transition_planned'",
                    &[],
                    "referral_id",
                    None,
                    &mut event,
                )
                .await?;
            }
            Some(_) => {
                select_each(
                    store,
                    "SELECT referral_id, event_type, CASE WHEN payload LIKE $1 THEN 1 ELSE 0 END AS up, at \
                     FROM referral_events WHERE event_type IN ('need_group_changed', 'signposted', 'transition_planned')",
                    &[STEP_UP],
                    "referral_id",
                    ids,
                    &mut event,
                )
                .await?;
            }
        }

        // Counted contacts, by allocation when reading some referrals (the index there).
        let contact_sql =
            "SELECT referral_id, person_id, service_id, at FROM contacts WHERE counts_for_access = 1";
        let mut added = Vec::new();
        let mut counted = |row: AnyRow| -> Result<(), StoreError> {
            let Some(referral) =
                fresh_slot(&self.index, &row.try_get::<String, _>("referral_id")?)?
            else {
                return Ok(());
            };
            let person = self.person_slot(PersonId(uuid(&row.try_get::<String, _>("person_id")?)?));
            let service =
                self.service_slot(ServiceId(uuid(&row.try_get::<String, _>("service_id")?)?));
            let day = day_number(days.date(store, row.try_get("at")?)?);
            added.push(Counted {
                person,
                day,
                service,
                referral,
            });
            Ok(())
        };
        match ids {
            None => {
                select_each(store, contact_sql, &[], "allocation_id", None, &mut counted).await?
            }
            Some(_) if allocation_ids.is_empty() => {}
            Some(_) => {
                select_each(
                    store,
                    contact_sql,
                    &[],
                    "allocation_id",
                    Some(&allocation_ids),
                    &mut counted,
                )
                .await?;
            }
        }
        if added.len() > 64 {
            self.contacts.extend(added);
            self.contacts
                .sort_unstable_by_key(|c| (c.person, c.day, c.referral));
        } else {
            for c in added {
                let at = self
                    .contacts
                    .partition_point(|x| (x.person, x.day) <= (c.person, c.day));
                self.contacts.insert(at, c);
            }
        }

        self.read_outcomes(store, ids, &allocation_ids, &fresh)
            .await?;

        Ok(())
    }
}

/// Runs `sql` (which has a `WHERE`, and `$1`… for `fixed`) as it is when `ids` is `None`,
/// else once per chunk of ids with `AND {column} IN (…)`, and hands every row to `each` as it
/// arrives. Rows are streamed, never collected: a full read of a million referrals' contacts
/// holds one row at a time, not millions of decoded rows (which the allocator kept after
/// they were freed: ≈ 4.7 GiB resident at 1,000,000 referrals, docs/benchmarks.md).
pub(super) async fn select_each(
    store: &Store,
    sql: &str,
    fixed: &[&str],
    column: &str,
    ids: Option<&[String]>,
    each: &mut (dyn FnMut(AnyRow) -> Result<(), StoreError> + Send),
) -> Result<(), StoreError> {
    let Some(ids) = ids else {
        let mut q = sqlx::query(sql);
        for f in fixed {
            q = q.bind(*f);
        }
        let mut rows = q.fetch(&store.pool);
        while let Some(row) = rows.try_next().await? {
            each(row)?;
        }
        return Ok(());
    };
    for chunk in ids.chunks(CHUNK) {
        let list: Vec<String> = (0..chunk.len())
            .map(|i| format!("${}", fixed.len() + i + 1))
            .collect();
        let text = format!("{sql} AND {column} IN ({})", list.join(", "));
        // Not kept as a prepared statement: the text changes with the number of ids, and
        // every length kept would push others out of the connection's statement cache.
        let mut q = sqlx::query(&text).persistent(false);
        for f in fixed {
            q = q.bind(*f);
        }
        for id in chunk {
            q = q.bind(id.as_str());
        }
        let mut rows = q.fetch(&store.pool);
        while let Some(row) = rows.try_next().await? {
            each(row)?;
        }
    }
    Ok(())
}

/// Local dates of instants, each day's bounds worked out once.
#[derive(Default)]
pub(super) struct LocalDays {
    /// Day start (ms) → (next day's start, date).
    days: BTreeMap<i64, (i64, Date)>,
}

impl LocalDays {
    fn date(&mut self, store: &Store, at: i64) -> Result<Date, StoreError> {
        if let Some((_, (end, on))) = self.days.range(..=at).next_back() {
            if at < *end {
                return Ok(*on);
            }
        }
        let zoned = ts(at)?.to_zoned(store.tz.clone());
        let on = zoned.date();
        let start = zoned
            .start_of_day()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let next = start
            .tomorrow()
            .and_then(|d| d.start_of_day())
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        self.days
            .insert(ms(start.timestamp()), (ms(next.timestamp()), on));
        Ok(on)
    }
}
