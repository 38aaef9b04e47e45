//! Bulk import of a generated dataset (the demo), in one transaction with multi-row inserts.
//! Writes exactly what the per-command path writes: events, projections, allocations and
//! contacts, from states the domain produced.
//!
//! [`Store::begin_import`] writes the directory, the people and their "about" records and
//! answers an [`Importer`], which takes the referrals a batch at a time ([`Importer::add`]) and
//! commits everything with its audit entry in [`Importer::finish`]; dropped unfinished, or
//! after any failed row, it writes nothing. So a caller never needs every referral in memory
//! at once: `stream` feeds it from a producer on a blocking thread
//! ([`Store::import_streamed`]), and [`Store::import`] is the same path over slices. `batch`
//! holds the multi-row inserts and SQLite's deferred index upkeep; `compare` (tests only) the
//! imported rows' checksums.

use nwd_domain::access::counts_for_access;
use nwd_domain::directory::{Organisation, Service};
use nwd_domain::person::Person;
use nwd_domain::referral::{ContactKind, RecordedEvent, Referral};

use crate::codec::{flag, ms};
use crate::referrals::origin_name;
use crate::{Backend, Store, StoreError, WriteTx};

mod batch;
#[cfg(any(test, feature = "testing"))]
mod compare;
mod stream;

use batch::{defer_sqlite_upkeep, restore_sqlite_upkeep, Batch, Deferred, V};

pub use stream::{ImportDirectory, ImportError, ImportFeed, ImportStopped};

/// A dataset to import.
pub struct DemoImport<'a> {
    /// Organisations.
    pub organisations: &'a [Organisation],
    /// Services.
    pub services: &'a [Service],
    /// People.
    pub persons: &'a [Person],
    /// Referrals: their full histories and the states they produce.
    pub referrals: &'a [(&'a [RecordedEvent], &'a Referral)],
    /// "About the young person" records (migration 0013), at most one per person.
    pub abouts: &'a [(nwd_domain::PersonId, nwd_domain::about::AboutYoungPerson)],
}

/// Progress callback: rows written so far, rows in all.
pub type ImportProgress<'a> = &'a mut dyn FnMut(u64, u64);

/// The directory and the people of an import: written by [`Store::begin_import`], before
/// any referral.
#[derive(Clone, Copy)]
pub struct DirectoryImport<'a> {
    /// Organisations.
    pub organisations: &'a [Organisation],
    /// Services.
    pub services: &'a [Service],
    /// People.
    pub persons: &'a [Person],
    /// "About the young person" records (migration 0013), at most one per person.
    pub abouts: &'a [(nwd_domain::PersonId, nwd_domain::about::AboutYoungPerson)],
}

/// Referrals buffered before their rows are sent, in foreign-key order: a bound on the rows
/// held between statements.
const REFERRALS_PER_FLUSH: usize = 200;

/// People buffered before their rows are sent.
const PERSONS_PER_FLUSH: usize = 5_000;

/// An import under way: one open write transaction (on SQLite, the writer lock and the
/// deferred index upkeep with it). Referrals go in with [`Importer::add`]; nothing is visible
/// to anyone else, and nothing is kept, until [`Importer::finish`] commits. Dropping it
/// unfinished, or after an error, rolls everything back.
pub struct Importer<'a> {
    store: &'a Store,
    /// Whose import it is: its entry commits with the rows.
    audit: &'a crate::audit::AuditContext,
    w: WriteTx<'a>,
    deferred: Option<Deferred>,
    /// The import's one `created_at` / `updated_at`.
    now: i64,
    /// Each person's name search keys, for their referrals and allocations (migration 0019).
    name_keys: std::collections::HashMap<nwd_domain::PersonId, (String, String)>,
    organisations: usize,
    services: usize,
    persons: usize,
    referrals_added: u64,
    referrals: Batch,
    events: Batch,
    allocations: Batch,
    contacts: Batch,
}

impl Store {
    /// Imports a dataset in one transaction with its audit entry (`audit`'s actor; the counts
    /// imported). Nothing is written if any row fails. `progress(done, total)` about every
    /// thousand referrals. The same path as [`Store::begin_import`] with every referral at
    /// hand.
    pub async fn import(
        &self,
        audit: &crate::audit::AuditContext,
        data: DemoImport<'_>,
        progress: ImportProgress<'_>,
    ) -> Result<(), StoreError> {
        let total = data.referrals.len() as u64;
        let mut importer = self
            .begin_import(
                audit,
                DirectoryImport {
                    organisations: data.organisations,
                    services: data.services,
                    persons: data.persons,
                    abouts: data.abouts,
                },
            )
            .await?;
        for chunk in data.referrals.chunks(1000) {
            importer.add(chunk).await?;
            progress(importer.referrals_added(), total);
        }
        progress(total, total);
        importer.finish().await
    }

    /// Starts `audit`'s import: opens its transaction and writes the directory, the people and
    /// their "about" records. The referrals follow with [`Importer::add`]; the audit entry
    /// commits with everything in [`Importer::finish`].
    pub async fn begin_import<'a>(
        &'a self,
        audit: &'a crate::audit::AuditContext,
        directory: DirectoryImport<'_>,
    ) -> Result<Importer<'a>, StoreError> {
        let now = ms(self.now());
        let mut w = self.begin_write().await?;
        let conn: &mut sqlx::AnyConnection = &mut w.tx;
        let deferred = match self.backend {
            Backend::Sqlite => Some(defer_sqlite_upkeep(conn).await?),
            Backend::Postgres => None,
        };
        for organisation in directory.organisations {
            crate::directory::insert_organisation(conn, organisation, now).await?;
        }
        for service in directory.services {
            crate::directory::insert_service(conn, service.id, &service.details, now).await?;
        }
        let mut persons = Batch::new(
            self.backend,
            "persons",
            &[
                "id",
                "nhs_number",
                "given_name",
                "family_name",
                "date_of_birth",
                "postcode",
                "details",
                "created_at",
                "family_key",
                "given_key",
            ],
        );
        let mut name_keys: std::collections::HashMap<nwd_domain::PersonId, (String, String)> =
            std::collections::HashMap::with_capacity(directory.persons.len());
        for person in directory.persons {
            let d = &person.details;
            name_keys.insert(
                person.id,
                (
                    nwd_domain::search::name_key(&d.family_name),
                    nwd_domain::search::name_key(&d.given_name),
                ),
            );
            persons.push(vec![
                V::T(person.id.to_string()),
                V::OT(d.nhs_number.map(|n| n.as_digits())),
                V::T(d.given_name.clone()),
                V::T(d.family_name.clone()),
                V::T(d.date_of_birth.to_string()),
                V::OT(d.postcode.as_ref().map(|p| p.as_str().to_string())),
                V::T(serde_json::to_string(d)?),
                V::I(now),
                V::T(nwd_domain::search::name_key(&d.family_name)),
                V::T(nwd_domain::search::name_key(&d.given_name)),
            ]);
            if persons.rows.len() >= PERSONS_PER_FLUSH {
                persons.flush(conn).await?;
            }
        }
        persons.flush(conn).await?;
        let mut abouts = Batch::new(
            self.backend,
            "person_about",
            &["person_id", "version", "record", "updated_at", "updated_by"],
        );
        let mut about_changes = Batch::new(
            self.backend,
            "person_about_changes",
            &[
                "person_id",
                "version",
                "record",
                "changed_at",
                "changed_by",
                "door",
            ],
        );
        for (person, about) in directory.abouts {
            let record = serde_json::to_string(about)?;
            abouts.push(vec![
                V::T(person.to_string()),
                V::I(1),
                V::T(record.clone()),
                V::I(now),
                V::T("demo".to_owned()),
            ]);
            about_changes.push(vec![
                V::T(person.to_string()),
                V::I(1),
                V::T(record),
                V::I(now),
                V::T("demo".to_owned()),
                V::T("intake".to_owned()),
            ]);
        }
        abouts.flush(conn).await?;
        about_changes.flush(conn).await?;

        let referrals = Batch::new(
            self.backend,
            "referrals",
            &[
                "id",
                "person_id",
                "version",
                "kind",
                "source",
                "priority",
                "priority_rank",
                "primary_reason",
                "status",
                "need_group",
                "received_at",
                "triaged_at",
                "closed_at",
                "destination_kind",
                "destination_name",
                "intake_person",
                "updated_at",
                "requested_priority",
                "risk_level",
                "risk_rank",
                "risk_review_due",
                "family_key",
                "given_key",
            ],
        );
        let events = Batch::new(
            self.backend,
            "referral_events",
            &["referral_id", "seq", "event_type", "at", "actor", "payload"],
        );
        let allocations = Batch::new(
            self.backend,
            "allocations",
            &[
                "id",
                "referral_id",
                "person_id",
                "service_id",
                "need_group",
                "origin",
                "priority_rank",
                "clock_start",
                "allocated_at",
                "first_attended_at",
                "second_attended_at",
                "ended_at",
                "end_reason",
                "waiting",
                "source",
                "family_key",
                "given_key",
                "measure_attended",
                "measure_since",
                "measure_started",
            ],
        );
        let contacts = Batch::new(
            self.backend,
            "contacts",
            &[
                "id",
                "referral_id",
                "allocation_id",
                "person_id",
                "service_id",
                "at",
                "status",
                "mechanism",
                "kind",
                "clinician",
                "duration_minutes",
                "counts_for_access",
            ],
        );
        Ok(Importer {
            store: self,
            audit,
            w,
            deferred,
            now,
            name_keys,
            organisations: directory.organisations.len(),
            services: directory.services.len(),
            persons: directory.persons.len(),
            referrals_added: 0,
            referrals,
            events,
            allocations,
            contacts,
        })
    }
}

impl Importer<'_> {
    /// Referrals added so far.
    pub fn referrals_added(&self) -> u64 {
        self.referrals_added
    }

    /// Adds referrals: their full histories and the states they produce. Their people must
    /// have been in [`Store::begin_import`]'s directory. Rows are sent every 200 referrals;
    /// the rest wait for the next call or [`Importer::finish`]. After an error, drop the
    /// importer: the transaction rolls back.
    pub async fn add(
        &mut self,
        referrals: &[(&[RecordedEvent], &Referral)],
    ) -> Result<(), StoreError> {
        for (history, r) in referrals {
            self.push(history, r)?;
            self.referrals_added += 1;
            if self.referrals.rows.len() >= REFERRALS_PER_FLUSH {
                self.flush().await?;
            }
        }
        Ok(())
    }

    /// Sends the buffered rows, parents before children (foreign-key order).
    async fn flush(&mut self) -> Result<(), StoreError> {
        let conn: &mut sqlx::AnyConnection = &mut self.w.tx;
        self.referrals.flush(conn).await?;
        self.events.flush(conn).await?;
        self.allocations.flush(conn).await?;
        self.contacts.flush(conn).await
    }

    /// Buffers one referral's rows.
    fn push(&mut self, history: &[RecordedEvent], r: &Referral) -> Result<(), StoreError> {
        let now = self.now;
        let tz = &self.store.tz;
        let name_keys = &self.name_keys;
        let closure = r.closure.as_ref();
        self.referrals.push(vec![
            V::T(r.id.to_string()),
            V::T(r.person_id.to_string()),
            V::I(i64::from(r.version)),
            V::T(r.kind.as_str().into()),
            V::T(r.source.as_str().into()),
            V::T(r.priority.as_str().into()),
            V::I(r.priority.rank()),
            V::T(
                r.reasons
                    .first()
                    .map(|x| x.as_str())
                    .unwrap_or(crate::referrals::NOT_CODED)
                    .into(),
            ),
            V::T(r.status.as_str().into()),
            V::OT(r.need_group.map(|g| g.as_str().to_string())),
            V::I(ms(r.received_at)),
            V::OI(r.triage.as_ref().map(|t| ms(t.at))),
            V::OI(closure.map(|c| ms(c.at))),
            V::OT(closure.map(|c| c.destination.kind().to_string())),
            V::OT(closure.map(|c| c.destination.name())),
            V::T("null".into()),
            V::I(now),
            V::OT(r.requested_priority.map(|p| p.as_str().to_string())),
            V::OT(r.risk.map(|x| x.as_str().to_string())),
            V::OI(r.risk.map(|x| x.rank())),
            V::OI(
                r.risk_review_on
                    .map(|on| ms(nwd_domain::referral::urgency::review_overdue_from(on, tz))),
            ),
            V::OT(name_keys.get(&r.person_id).map(|k| k.0.clone())),
            V::OT(name_keys.get(&r.person_id).map(|k| k.1.clone())),
        ]);
        for e in history.iter() {
            self.events.push(vec![
                V::T(r.id.to_string()),
                V::I(i64::from(e.seq)),
                V::T(e.event.type_name().into()),
                V::I(ms(e.at)),
                V::T(e.actor.clone()),
                V::T(serde_json::to_string(&e.event)?),
            ]);
        }
        for a in &r.allocations {
            let counts = r.measure_counts(a.id, tz);
            self.allocations.push(vec![
                V::T(a.id.to_string()),
                V::T(r.id.to_string()),
                V::T(r.person_id.to_string()),
                V::T(a.service_id.to_string()),
                V::T(a.need_group.as_str().into()),
                V::T(origin_name(a.origin).into()),
                V::I(r.priority.rank()),
                V::I(ms(a.clock_start)),
                V::I(ms(a.allocated_at)),
                V::OI(a.first_attended_at.map(ms)),
                V::OI(a.second_attended_at.map(ms)),
                V::OI(a.ended.as_ref().map(|e| ms(e.at))),
                V::OT(a.ended.as_ref().map(|e| e.reason.as_str().to_string())),
                V::I(flag(a.is_waiting())),
                V::T(r.source.as_str().into()),
                V::OT(name_keys.get(&r.person_id).map(|k| k.0.clone())),
                V::OT(name_keys.get(&r.person_id).map(|k| k.1.clone())),
                V::I(i64::from(counts.attended)),
                V::I(i64::from(counts.since_measure)),
                V::I(flag(counts.measured)),
            ]);
        }
        for c in &r.contacts {
            let service_id = r
                .allocation(c.allocation_id)
                .map(|a| a.service_id.to_string())
                .unwrap_or_default();
            self.contacts.push(vec![
                V::T(c.id.to_string()),
                V::T(r.id.to_string()),
                V::T(c.allocation_id.to_string()),
                V::T(r.person_id.to_string()),
                V::T(service_id),
                V::I(ms(c.at)),
                V::T(c.status.as_str().into()),
                V::T(c.mechanism.as_str().into()),
                V::T(match c.kind {
                    ContactKind::Direct => "direct".into(),
                    ContactKind::Indirect { .. } => "indirect".into(),
                }),
                V::T(c.clinician.clone()),
                V::I(i64::from(c.duration_minutes)),
                V::I(flag(counts_for_access(c))),
            ]);
        }
        Ok(())
    }

    /// Sends what is buffered, restores SQLite's index upkeep, and commits the import with
    /// its audit entry (the actor given to [`Store::begin_import`]; the counts imported). Then
    /// the planner's statistics, the crisis positions and (PostgreSQL) the visibility map,
    /// after the commit.
    pub async fn finish(mut self) -> Result<(), StoreError> {
        let audit = self.audit;
        self.flush().await?;
        if let Some(deferred) = self.deferred.take() {
            restore_sqlite_upkeep(&mut self.w.tx, deferred).await?;
        }
        audit.set_detail(format!(
            "synthetic data imported: {} organisations, {} services, {} people, {} referrals",
            self.organisations, self.services, self.persons, self.referrals_added
        ));
        let store = self.store;
        self.w.commit_audited(store.now(), audit).await?;
        // Planner statistics for the new rows first: without them PostgreSQL plans each
        // referral's 10-row read of referral_events as a scan (measured at 1,000,000
        // referrals: filling in the crisis positions went from 12 to several hundred
        // referrals a second once analyzed), and so would every request until autovacuum
        // analyzes, never where it is off.
        if store.backend == Backend::Postgres {
            sqlx::query("ANALYZE").execute(&store.pool).await?;
        }
        // Crisis positions are computed in Rust from each referral's events (a few percent of
        // them are on the list); were this interrupted, `Store::connect` fills in the rest.
        crate::urgency::fill_crisis_positions(store).await?;
        // Then the visibility map, so that counts over an index (a waiting list's total and
        // breaches, the crisis list's) read the index alone instead of a million heap pages.
        if store.backend == Backend::Postgres {
            sqlx::query("VACUUM (ANALYZE)").execute(&store.pool).await?;
        }
        Ok(())
    }
}
