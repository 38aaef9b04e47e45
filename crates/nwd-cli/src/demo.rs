//! `nowrongdoor demo`: generates the synthetic county (nwd-demo) and imports it (nwd-store)
//! as it is generated, a batch of referrals at a time ([`generate_and_import`]), with a
//! progress bar; then the demo's teams and staff, one account per role, which marks the
//! database as a demonstration one (one-click sign-in on the staff sign-in page).

use indicatif::{ProgressBar, ProgressStyle};
use nwd_demo::staff::StaffTeamKind;
use nwd_store::auth::TeamKind;
use nwd_store::demo::{DemoError, DemoMember, DemoTeam};
use nwd_store::Store;

/// Referrals per batch handed from the generator to the import.
const BATCH: usize = 1_000;

/// Batches that may wait between the generator and the import: with [`BATCH`], a few
/// thousand referrals' histories in memory at most.
const BATCHES_WAITING: usize = 4;

/// Generates the demo county on a blocking thread and imports it as it comes, in one
/// transaction (`Store::import_streamed`): the referrals are never all in memory, only the
/// generator's plans and people. `generated(done)` is called from the generator's thread
/// about every thousand referrals, `stored(done)` after each batch stored. Answers the
/// directory and the people; nothing is written on any failure.
pub async fn generate_and_import(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    config: nwd_demo::DemoConfig,
    generated: impl Fn(u64) + Send + 'static,
    stored: &mut (dyn FnMut(u64) + Send),
) -> anyhow::Result<nwd_demo::DemoDirectory> {
    let directory = store
        .import_streamed(audit, BATCHES_WAITING, stored, move |feed| {
            nwd_demo::generate_in_batches(
                &config,
                BATCH,
                &mut |done, _| generated(done),
                |directory| {
                    feed.directory(nwd_store::ImportDirectory {
                        organisations: directory.organisations.clone(),
                        services: directory.services.clone(),
                        persons: directory.persons.clone(),
                        abouts: nwd_demo::about::abouts(&directory.persons),
                    })
                },
                |batch| {
                    feed.referrals(
                        batch
                            .into_iter()
                            .map(nwd_demo::DemoReferral::into_parts)
                            .collect(),
                    )
                },
            )
        })
        .await?;
    Ok(directory)
}

/// Generates and imports the demo dataset.
pub async fn load(
    store: &Store,
    seed: u64,
    years: u32,
    referrals_per_year: u32,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    let total = u64::from(years) * u64::from(referrals_per_year);
    let style =
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} referrals stored ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    let bar = ProgressBar::new(total)
        .with_style(style)
        .with_message(format!("{:>9} generated", 0));
    let config = nwd_demo::DemoConfig {
        seed,
        years,
        referrals_per_year,
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let generating = bar.clone();
    let mut referrals = 0;
    let directory = generate_and_import(
        store,
        &crate::admin::as_operator("cli demo", "demo"),
        config,
        move |done| generating.set_message(format!("{done:>9} generated")),
        &mut |done| {
            referrals = done;
            bar.set_position(done);
        },
    )
    .await?;
    bar.finish();
    eprintln!(
        "demo loaded: {} organisations, {} services, {} people, {referrals} referrals in {:.1} s (generated and stored together)",
        directory.organisations.len(),
        directory.services.len(),
        directory.persons.len(),
        started.elapsed().as_secs_f64(),
    );
    create_staff(store, &directory.organisations, &directory.services).await?;
    load_commissioning(store).await?;
    load_population(store).await
}

/// Loads the demo's synthetic, Kent-like population table (`nwd_demo::population`) with the
/// shipped prevalence rates, through the use case every door uses, when the database has none.
async fn load_population(store: &Store) -> anyhow::Result<()> {
    if store.population().await?.is_some() {
        eprintln!("demo population not loaded: the database has one");
        return Ok(());
    }
    let csv = nwd_demo::population::population_csv();
    let loaded = nwd_usecase::need::load_population(
        store,
        &crate::admin::as_operator("cli demo population", "population"),
        csv.as_bytes(),
        None,
        "Demo loader",
        "The demo county's synthetic population (not real figures)",
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's population was refused: {e:?}"))?;
    eprintln!(
        "demo population: load {} ({} districts, {} young people)",
        loaded.load_id, loaded.areas, loaded.people
    );
    Ok(())
}

/// Saves the demo's commissioning record (`nwd_demo::COMMISSIONING`) through the use case
/// every door uses, when the database has none.
async fn load_commissioning(store: &Store) -> anyhow::Result<()> {
    let record = nwd_usecase::commissioning::current(store).await?;
    if record.version.is_some() {
        eprintln!("demo commissioning record not loaded: the database has one");
        return Ok(());
    }
    let version = nwd_usecase::commissioning::save(
        store,
        &crate::admin::as_operator("cli demo commissioning", "commissioning"),
        "Demo loader",
        0,
        nwd_demo::COMMISSIONING,
        "The demo county's commissioning record",
    )
    .await
    .map_err(|e| anyhow::anyhow!("the demo's commissioning record was refused: {e:?}"))?;
    eprintln!("demo commissioning record: version {version} (agreements, contracts, KPIs)");
    Ok(())
}

/// Creates the demo's teams and staff (nwd-demo's plan) through the store's checked, audited
/// function. On a database that already has accounts it creates none and says so: a real
/// install is never made a demonstration one.
async fn create_staff(
    store: &Store,
    organisations: &[nwd_domain::directory::Organisation],
    services: &[nwd_domain::directory::Service],
) -> anyhow::Result<()> {
    let teams: Vec<DemoTeam> = nwd_demo::staff::staff(organisations, services)
        .into_iter()
        .map(|team| {
            let (kind, service_id) = match team.kind {
                StaffTeamKind::SinglePointOfAccess => (TeamKind::SinglePointOfAccess, None),
                StaffTeamKind::Service(id) => (TeamKind::Service, Some(id.to_string())),
                StaffTeamKind::Other => (TeamKind::Other, None),
            };
            DemoTeam {
                organisation_id: team.organisation.to_string(),
                name: team.name.to_owned(),
                kind,
                service_id,
                members: team
                    .members
                    .iter()
                    .map(|m| DemoMember {
                        username: m.username.to_owned(),
                        display_name: m.display_name.to_owned(),
                        role: m.role,
                    })
                    .collect(),
            }
        })
        .collect();
    match store
        .create_demo_staff(&crate::admin::as_operator("cli demo", "demo"), &teams)
        .await
    {
        Ok(accounts) => {
            eprintln!(
                "demo staff: {} accounts in {} teams (no passwords: sign in with one click on the staff sign-in page)",
                accounts.len(),
                teams.len()
            );
            Ok(())
        }
        Err(error @ (DemoError::AccountsExist | DemoError::AlreadyCreated)) => {
            eprintln!("demo staff not created: {error}");
            Ok(())
        }
        Err(error) => Err(error.into()),
    }
}

/// What the console says at start-up about signing in on a demonstration database: the page
/// and one line per demo account. Nothing on any other database.
pub async fn sign_in_help(store: &Store, address: &str) -> anyhow::Result<Option<String>> {
    if !store.is_demo().await? {
        return Ok(None);
    }
    let mut help = format!(
        "This is a DEMONSTRATION database (synthetic people only). Sign in as any role with one click, no password: open http://{address}/staff/sign-in and choose a role under \"Demonstration only\":"
    );
    for account in store.demo_accounts().await? {
        let label = nwd_demo::staff::demo_role_label(account.role).unwrap_or(account.role.as_str());
        help.push_str(&format!(
            "\n  - demo {label}: {} ({}, {})",
            account.display_name, account.username, account.team_name
        ));
    }
    Ok(Some(help))
}

#[cfg(test)]
mod tests {
    //! The streamed import against the whole one, row for row, on both backends; and a
    //! failing streamed import writes nothing.

    use nwd_demo::{DemoConfig, DemoData};
    use nwd_store::testing::TestDatabase;
    use nwd_store::{Backend, ImportError, ImportStopped, Store};

    const NOW: &str = "2026-03-31T16:00:00Z";

    async fn open(database: &TestDatabase) -> Store {
        let standards = toml::from_str(include_str!("../../../config/standards.toml")).unwrap();
        let mut options = nwd_store::StoreOptions::new(database.url(), standards);
        let now: jiff::Timestamp = NOW.parse().unwrap();
        options.clock = std::sync::Arc::new(move || now);
        Store::connect(options).await.unwrap()
    }

    /// Two and a half batches of referrals.
    fn config(store: &Store) -> DemoConfig {
        DemoConfig {
            seed: 2026,
            years: 1,
            referrals_per_year: 2_500,
            end: store.now(),
            tz: store.tz().clone(),
            standards: store.standards().clone(),
        }
    }

    fn audit() -> nwd_store::audit::AuditContext {
        nwd_store::audit::AuditContext::operator("tester", "cli demo", "demo")
    }

    /// Imports `data` whole, with `Store::import` over slices.
    async fn import_whole(store: &Store, data: &DemoData) {
        let histories: Vec<_> = data
            .referrals
            .iter()
            .map(|r| (r.events.as_slice(), &r.state))
            .collect();
        store
            .import(
                &audit(),
                nwd_store::DemoImport {
                    organisations: &data.organisations,
                    services: &data.services,
                    persons: &data.persons,
                    referrals: &histories,
                    abouts: &nwd_demo::about::abouts(&data.persons),
                },
                &mut |_, _| {},
            )
            .await
            .unwrap();
    }

    /// Feeds `data` in batches of 1,000 to a streamed import, handing `person_of_last`
    /// as the last referral's person, and failing (as the producer) after `fail_after`
    /// batches when given.
    async fn import_streamed(
        store: &Store,
        data: &DemoData,
        person_of_last: Option<nwd_domain::PersonId>,
        fail_after: Option<usize>,
    ) -> Result<(), ImportError<&'static str>> {
        let directory = nwd_store::ImportDirectory {
            organisations: data.organisations.clone(),
            services: data.services.clone(),
            persons: data.persons.clone(),
            abouts: nwd_demo::about::abouts(&data.persons),
        };
        let mut referrals: Vec<_> = data
            .referrals
            .iter()
            .cloned()
            .map(|r| r.into_parts())
            .collect();
        if let (Some(person), Some(last)) = (person_of_last, referrals.last_mut()) {
            last.1.person_id = person;
        }
        store
            .import_streamed(&audit(), 2, &mut |_| {}, move |feed| {
                let stopped = |_: ImportStopped| "stopped";
                feed.directory(directory).map_err(stopped)?;
                for (sent, batch) in referrals.chunks(1_000).enumerate() {
                    if Some(sent) == fail_after {
                        return Err("the producer failed");
                    }
                    feed.referrals(batch.to_vec()).map_err(stopped)?;
                }
                Ok(())
            })
            .await
    }

    async fn streamed_import_writes_what_the_whole_import_writes_or_nothing(backend: Backend) {
        let whole_database = TestDatabase::new(backend).await.unwrap();
        let whole = open(&whole_database).await;
        let data = nwd_demo::generate(&config(&whole), &mut |_, _| {});
        import_whole(&whole, &data).await;
        let expected = whole.imported_rows().await.unwrap();
        for (table, rows, _) in &expected {
            assert!(*rows > 0, "{table} has rows");
        }
        assert!(expected.contains(&(
            "referrals",
            data.referrals.len() as u64,
            expected[4].2.clone()
        )));

        let database = TestDatabase::new(backend).await.unwrap();
        let store = open(&database).await;
        let empty = store.imported_rows().await.unwrap();
        // A referral whose person is not in the directory, in the last batch: refused by the
        // database after two batches went in, and none of them is kept.
        let missing = nwd_domain::PersonId(data.referrals[0].state.id.as_uuid());
        let refused = import_streamed(&store, &data, Some(missing), None).await;
        assert!(matches!(refused, Err(ImportError::Store(_))), "{refused:?}");
        assert_eq!(store.imported_rows().await.unwrap(), empty);
        // The producer fails after two batches: nothing is kept either.
        let failed = import_streamed(&store, &data, None, Some(2)).await;
        assert!(
            matches!(failed, Err(ImportError::Producer("the producer failed"))),
            "{failed:?}"
        );
        assert_eq!(store.imported_rows().await.unwrap(), empty);
        // Then the generator's own stream, as `nowrongdoor demo` runs it: the same rows as
        // the whole import (and SQLite's deferred indexes were put back by both rollbacks).
        let mut stored = 0;
        let directory =
            super::generate_and_import(&store, &audit(), config(&store), |_| {}, &mut |done| {
                stored = done
            })
            .await
            .unwrap();
        assert_eq!(stored, data.referrals.len() as u64);
        assert_eq!(directory.persons, data.persons);
        assert_eq!(store.imported_rows().await.unwrap(), expected);
        // And the hand-fed stream of the same data writes the same rows too.
        let again_database = TestDatabase::new(backend).await.unwrap();
        let again = open(&again_database).await;
        import_streamed(&again, &data, None, None).await.unwrap();
        assert_eq!(again.imported_rows().await.unwrap(), expected);
    }

    nwd_store::on_both_backends!(streamed_import, |backend| {
        super::streamed_import_writes_what_the_whole_import_writes_or_nothing(backend).await;
    });
}
