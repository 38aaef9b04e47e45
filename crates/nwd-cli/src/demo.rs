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
