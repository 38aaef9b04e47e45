//! The group's fast path: every intake of the group decided in memory against two reads made
//! for the whole group, then written by one multi-row statement per table.
//!
//! Per intake the savepoint path costs about a dozen round trips (a savepoint, the key and the
//! number looked up, six inserts, an update, the release); here a group of any size costs
//! about ten. What an intake would have read from its own transaction it reads from what the
//! group decided before it: a person registered by an earlier intake holds their NHS number
//! and is a live candidate, an earlier intake's idempotency key answers a repeat. A request
//! refused in memory (a key reused with another request, a referral the domain refuses)
//! writes nothing and is answered with its error. Any statement failing fails the whole
//! attempt: the committer rolls back and runs the group again intake by intake, each in a
//! savepoint (`Store::receive_in`), where the failing one fails alone.

use std::collections::{HashMap, HashSet};

use nwd_domain::linking::{is_unverified_actor, MatchBand, MatchProposal};
use nwd_domain::person::Person;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::{PersonId, ReferralId};
use sqlx::Row;
use uuid::Uuid;

use super::Job;
use crate::codec::{ms, uuid};
use crate::intake::{number_proposal, person_from_row, IntakeOutcome, Received};
use crate::{Store, StoreError};

/// One intake decided, to be written.
struct Plan {
    job: usize,
    /// A person to register (none when linked to one already registered).
    person: Option<Person>,
    referral: Referral,
    first: RecordedEvent,
    proposal: MatchProposal,
    status_token: String,
    /// The young person was registered in this group (by this intake or an earlier one).
    registered_now: bool,
}

/// `INSERT INTO table (columns) VALUES ($1, …), (…)` for `rows` rows.
fn insert_sql(table: &str, columns: &[&str], rows: usize) -> String {
    insert_rows(table, columns, &[], rows)
}

/// The young person's name search keys (migration 0021) read from the person's own row,
/// registered earlier in the transaction or before, as `insert_rows` derived columns.
const PERSON_NAME_KEYS: [(&str, &str); 2] = [
    (
        "family_key",
        "(SELECT p.family_key FROM persons p WHERE p.id = {person_id})",
    ),
    (
        "given_key",
        "(SELECT p.given_key FROM persons p WHERE p.id = {person_id})",
    ),
];

/// [`insert_sql`] with `derived` columns after `columns`: each an SQL expression in which
/// `{person_id}` stands for the row's `person_id` placeholder (no parameters of its own).
fn insert_rows(table: &str, columns: &[&str], derived: &[(&str, &str)], rows: usize) -> String {
    let names: Vec<&str> = columns
        .iter()
        .copied()
        .chain(derived.iter().map(|(name, _)| *name))
        .collect();
    let person = columns.iter().position(|c| *c == "person_id");
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", names.join(", "));
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        let first = row * columns.len() + 1;
        sql.push('(');
        sql.push_str(&placeholders(first, columns.len()));
        for (_, expression) in derived {
            let person = person.map_or(String::from("NULL"), |i| format!("${}", first + i));
            sql.push_str(", ");
            sql.push_str(&expression.replace("{person_id}", &person));
        }
        sql.push(')');
    }
    sql
}

/// `$first, $first+1, …` for `count` placeholders.
fn placeholders(first: usize, count: usize) -> String {
    (first..first + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

type Key = (String, String);

impl Store {
    /// The group in the caller's transaction, written in bulk. `Err` when a statement failed
    /// (the transaction must be rolled back); otherwise each intake's own result.
    pub(super) async fn receive_batch(
        &self,
        conn: &mut sqlx::AnyConnection,
        jobs: &[Job],
        registered: &mut Vec<PersonId>,
    ) -> Result<Vec<Result<Received, StoreError>>, StoreError> {
        let now = self.now();

        // The group's idempotency keys already committed.
        let keyed: Vec<&crate::IdempotencyRequest> =
            jobs.iter().filter_map(|j| j.idempotency.as_ref()).collect();
        let mut committed: HashMap<Key, (String, String)> = HashMap::new();
        if !keyed.is_empty() {
            let condition = (0..keyed.len())
                .map(|i| format!("(scope = ${} AND key = ${})", 2 * i + 1, 2 * i + 2))
                .collect::<Vec<_>>()
                .join(" OR ");
            let sql = format!(
                "SELECT scope, key, request_hash, referral_id FROM idempotency_keys WHERE {condition}"
            );
            let mut query = sqlx::query(&sql);
            for request in &keyed {
                query = query.bind(request.scope.clone()).bind(request.key.clone());
            }
            for row in query.fetch_all(&mut *conn).await? {
                committed.insert(
                    (row.try_get("scope")?, row.try_get("key")?),
                    (row.try_get("request_hash")?, row.try_get("referral_id")?),
                );
            }
        }

        // The live holders of the group's NHS numbers.
        let numbers: Vec<String> = jobs
            .iter()
            .filter_map(|j| j.intake.person.nhs_number.map(|n| n.as_digits()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        let mut holders: HashMap<String, Person> = HashMap::new();
        if !numbers.is_empty() {
            let sql = format!(
                "SELECT id, details, merged_into, nhs_number FROM persons WHERE nhs_number IN ({})",
                placeholders(1, numbers.len())
            );
            let mut query = sqlx::query(&sql);
            for number in &numbers {
                query = query.bind(number.clone());
            }
            let rows = query.fetch_all(&mut *conn).await?;
            for row in &rows {
                let number: String = row.try_get("nhs_number")?;
                let merged_into: Option<String> = row.try_get("merged_into")?;
                let holder = match merged_into {
                    None => Some(person_from_row(row)?),
                    Some(_) => crate::intake::holder_of_number(conn, &number).await?,
                };
                if let Some(holder) = holder {
                    holders.insert(number, holder);
                }
            }
        }

        // Each intake decided in order, against the database and the group before it.
        let mut results: Vec<Option<Result<Received, StoreError>>> =
            jobs.iter().map(|_| None).collect();
        let mut pending_keys: HashMap<Key, (String, ReferralId)> = HashMap::new();
        let mut pending_people: HashSet<PersonId> = HashSet::new();
        let mut plans = Vec::new();
        for (i, job) in jobs.iter().enumerate() {
            let request = job.idempotency.as_ref();
            let key = request.map(|r| (r.scope.clone(), r.key.clone()));
            if let (Some(request), Some(key)) = (request, &key) {
                let earlier = match pending_keys.get(key) {
                    Some((hash, id)) => Some((hash.clone(), *id)),
                    None => match committed.get(key) {
                        Some((hash, id)) => Some((hash.clone(), ReferralId(uuid(id)?))),
                        None => None,
                    },
                };
                if let Some((hash, id)) = earlier {
                    results[i] = Some(if hash == request.request_hash {
                        Ok(Received::Repeated(id))
                    } else {
                        Err(StoreError::IdempotencyMismatch)
                    });
                    continue;
                }
            }
            let details = &job.intake.person;
            let holder = details.nhs_number.and_then(|n| holders.get(&n.as_digits()));
            let mut proposal = match holder {
                Some(holder) => number_proposal(details, holder),
                None => {
                    let scored = if self.matcher.generation() == job.generation {
                        job.scored.clone()
                    } else {
                        self.matcher.propose(details)
                    };
                    self.keep_live(conn, scored, &pending_people).await?
                }
            };
            let actor = job.audit.actor().to_string();
            if is_unverified_actor(&actor) {
                proposal = proposal.for_unverified_source();
            }
            let linked = match (proposal.band, proposal.candidates.first()) {
                (MatchBand::Auto, Some(best)) => Some(best.person_id),
                _ => None,
            };
            let person = match linked {
                Some(_) => None,
                None => {
                    let mut details = details.clone();
                    // One register entry per NHS number (as `settle_person`).
                    if proposal.band == MatchBand::Review && holder.is_some() {
                        details.nhs_number = None;
                    }
                    Some(Person {
                        id: PersonId(Uuid::new_v4()),
                        details,
                    })
                }
            };
            let person_id = linked.or(person.as_ref().map(|p| p.id));
            let Some(person_id) = person_id else {
                continue;
            };
            let referral_id = ReferralId(Uuid::new_v4());
            let received = Referral::receive(
                referral_id,
                person_id,
                job.intake.referral.clone(),
                now,
                &actor,
            )
            .map_err(StoreError::from)
            .and_then(|first| {
                Referral::replay(std::slice::from_ref(&first))
                    .map(|referral| (first, referral))
                    .map_err(|e| StoreError::Corrupt(e.to_string()))
            });
            let (first, referral) = match received {
                Ok(received) => received,
                Err(error) => {
                    results[i] = Some(Err(error));
                    continue;
                }
            };
            if let Some(person) = &person {
                if let Some(number) = person.details.nhs_number {
                    holders.insert(number.as_digits(), person.clone());
                }
                pending_people.insert(person.id);
                self.matcher.register(person);
                registered.push(person.id);
            }
            if let (Some(request), Some(key)) = (request, key) {
                pending_keys.insert(key, (request.request_hash.clone(), referral_id));
            }
            plans.push(Plan {
                job: i,
                registered_now: pending_people.contains(&person_id),
                person,
                referral,
                first,
                proposal,
                status_token: crate::status::new_status_token(),
            });
        }

        self.write_plans(conn, jobs, &plans, now).await?;

        for plan in plans {
            let job = &jobs[plan.job];
            job.audit.set_person(plan.referral.person_id);
            job.audit
                .set_record("referral", plan.referral.id.to_string());
            results[plan.job] = Some(Ok(Received::Created(Box::new(IntakeOutcome {
                existing_person: plan.proposal.band == MatchBand::Auto,
                referral: plan.referral,
                created: true,
                matching: plan.proposal,
                status_token: Some(plan.status_token),
            }))));
        }
        Ok(results
            .into_iter()
            .map(|r| {
                r.unwrap_or_else(|| Err(StoreError::Corrupt("an intake was not decided".into())))
            })
            .collect())
    }

    /// The proposal with only the candidates still live: registered earlier in this group, or
    /// in the register and not merged away.
    async fn keep_live(
        &self,
        conn: &mut sqlx::AnyConnection,
        mut proposal: MatchProposal,
        pending: &HashSet<PersonId>,
    ) -> Result<MatchProposal, StoreError> {
        let mut live = Vec::new();
        for candidate in proposal.candidates {
            let is_live = pending.contains(&candidate.person_id)
                || sqlx::query("SELECT 1 FROM persons WHERE id = $1 AND merged_into IS NULL")
                    .bind(candidate.person_id.to_string())
                    .fetch_optional(&mut *conn)
                    .await?
                    .is_some();
            if is_live {
                live.push(candidate);
            }
        }
        if live.is_empty() && proposal.band != MatchBand::New {
            proposal.band = MatchBand::New;
            proposal
                .rules
                .push("proposed records are no longer in the register".into());
        }
        proposal.candidates = live;
        Ok(proposal)
    }

    /// Writes the decided intakes: one statement per table for the group.
    async fn write_plans(
        &self,
        conn: &mut sqlx::AnyConnection,
        jobs: &[Job],
        plans: &[Plan],
        now: jiff::Timestamp,
    ) -> Result<(), StoreError> {
        if plans.is_empty() {
            return Ok(());
        }
        let at = ms(now);
        let people: Vec<&Person> = plans.iter().filter_map(|p| p.person.as_ref()).collect();
        if !people.is_empty() {
            let sql = insert_sql(
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
                people.len(),
            );
            let mut query = sqlx::query(&sql);
            for person in &people {
                let d = &person.details;
                query = query
                    .bind(person.id.to_string())
                    .bind(d.nhs_number.map(|n| n.as_digits()))
                    .bind(d.given_name.clone())
                    .bind(d.family_name.clone())
                    .bind(d.date_of_birth.to_string())
                    .bind(d.postcode.as_ref().map(|p| p.as_str().to_string()))
                    .bind(serde_json::to_string(d)?)
                    .bind(at)
                    .bind(nwd_domain::search::name_key(&d.family_name))
                    .bind(nwd_domain::search::name_key(&d.given_name));
            }
            query.execute(&mut *conn).await?;
        }

        // The projection rows, as `write_projection` inserts them, with the sender.
        let sql = insert_rows(
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
                "submitted_by_org",
                "crisis_rank",
                "crisis_due",
            ],
            // A referral linked to someone already registered is found by their name, not
            // by the name it was sent with.
            &PERSON_NAME_KEYS,
            plans.len(),
        );
        // A new referral waits at no service yet: its place on the crisis list (what
        // `urgency::write_crisis` would write) needs no service's standards.
        let triage = self
            .standards
            .for_team_type(nwd_domain::codes::TeamType::SinglePointOfAccess);
        let mut query = sqlx::query(&sql);
        for plan in plans {
            let referral = &plan.referral;
            let closure = referral.closure.as_ref();
            let crisis = referral.crisis_position(&triage, &|_| None, &self.tz);
            query = query
                .bind(referral.id.to_string())
                .bind(referral.person_id.to_string())
                .bind(i64::from(referral.version))
                .bind(referral.kind.as_str())
                .bind(referral.source.as_str())
                .bind(referral.priority.as_str())
                .bind(referral.priority.rank())
                .bind(
                    referral
                        .reasons
                        .first()
                        .map(|r| r.as_str())
                        .unwrap_or(crate::referrals::NOT_CODED),
                )
                .bind(referral.status.as_str())
                .bind(referral.need_group.map(|g| g.as_str()))
                .bind(ms(referral.received_at))
                .bind(referral.triage.as_ref().map(|t| ms(t.at)))
                .bind(closure.map(|c| ms(c.at)))
                .bind(closure.map(|c| c.destination.kind()))
                .bind(closure.map(|c| c.destination.name()))
                .bind(serde_json::to_string(&Some(&jobs[plan.job].intake.person))?)
                .bind(at)
                .bind(jobs[plan.job].submitted_by_org.clone())
                .bind(crisis.as_ref().map(|c| c.rank))
                .bind(crisis.and_then(|c| c.due).map(ms));
        }
        query.execute(&mut *conn).await?;

        // Urgency: only for the referrals asking for a priority.
        for plan in plans {
            if crate::urgency::touches_urgency(std::slice::from_ref(&plan.first)) {
                crate::urgency::write_urgency(conn, &plan.referral, &self.tz).await?;
            }
            crate::safeguarding::record_not_sought(conn, &plan.referral).await?;
        }

        let sql = insert_sql(
            "referral_events",
            &["referral_id", "seq", "event_type", "at", "actor", "payload"],
            plans.len(),
        );
        let mut query = sqlx::query(&sql);
        for plan in plans {
            let event = &plan.first;
            query = query
                .bind(plan.referral.id.to_string())
                .bind(i64::from(event.seq))
                .bind(event.event.type_name())
                .bind(ms(event.at))
                .bind(event.actor.clone())
                .bind(serde_json::to_string(&event.event)?);
        }
        query.execute(&mut *conn).await?;

        let sql = insert_sql(
            "match_decisions",
            &["referral_id", "person_id", "band", "proposal", "decided_at"],
            plans.len(),
        );
        let mut query = sqlx::query(&sql);
        for plan in plans {
            query = query
                .bind(plan.referral.id.to_string())
                .bind(plan.referral.person_id.to_string())
                .bind(plan.proposal.band.as_str())
                .bind(serde_json::to_string(&plan.proposal)?)
                .bind(at);
        }
        query.execute(&mut *conn).await?;

        let reviews: Vec<&Plan> = plans
            .iter()
            .filter(|p| p.proposal.band == MatchBand::Review)
            .collect();
        if !reviews.is_empty() {
            let sql = insert_sql(
                "match_reviews",
                &[
                    "id",
                    "referral_id",
                    "person_id",
                    "candidates",
                    "status",
                    "created_at",
                    "version",
                ],
                reviews.len(),
            );
            let mut query = sqlx::query(&sql);
            for plan in reviews {
                query = query
                    .bind(Uuid::new_v4().to_string())
                    .bind(plan.referral.id.to_string())
                    .bind(plan.referral.person_id.to_string())
                    .bind(serde_json::to_string(&plan.proposal.candidates)?)
                    .bind("open")
                    .bind(at)
                    .bind(1i64);
            }
            query.execute(&mut *conn).await?;
        }

        let answers: Vec<crate::about::IntakeAnswers<'_>> = plans
            .iter()
            .map(|plan| crate::about::IntakeAnswers {
                person: plan.referral.person_id,
                registered_now: plan.registered_now,
                answers: &jobs[plan.job].intake.about,
                by: jobs[plan.job].audit.actor().to_string(),
            })
            .collect();
        crate::about::add_at_intake_group(conn, &answers, now).await?;

        let sql = insert_sql(
            "status_links",
            &["token_hash", "referral_id", "created_at"],
            plans.len(),
        );
        let mut query = sqlx::query(&sql);
        for plan in plans {
            query = query
                .bind(crate::auth::token_hash(&plan.status_token))
                .bind(plan.referral.id.to_string())
                .bind(at);
        }
        query.execute(&mut *conn).await?;

        let keyed: Vec<(&Plan, &crate::IdempotencyRequest)> = plans
            .iter()
            .filter_map(|p| jobs[p.job].idempotency.as_ref().map(|r| (p, r)))
            .collect();
        if !keyed.is_empty() {
            let sql = insert_sql(
                "idempotency_keys",
                &["scope", "key", "request_hash", "referral_id", "created_at"],
                keyed.len(),
            );
            let mut query = sqlx::query(&sql);
            for (plan, request) in keyed {
                query = query
                    .bind(request.scope.clone())
                    .bind(request.key.clone())
                    .bind(request.request_hash.clone())
                    .bind(plan.referral.id.to_string())
                    .bind(at);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn derived_columns_read_each_rows_own_person() {
        let sql = insert_rows("t", &["id", "person_id"], &PERSON_NAME_KEYS, 2);
        assert_eq!(
            sql,
            "INSERT INTO t (id, person_id, family_key, given_key) VALUES \
             ($1, $2, (SELECT p.family_key FROM persons p WHERE p.id = $2), \
             (SELECT p.given_key FROM persons p WHERE p.id = $2)), \
             ($3, $4, (SELECT p.family_key FROM persons p WHERE p.id = $4), \
             (SELECT p.given_key FROM persons p WHERE p.id = $4))"
        );
        assert_eq!(
            insert_sql("t", &["a", "b"], 2),
            "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)"
        );
    }
}
