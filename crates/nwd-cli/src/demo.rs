//! `nowrongdoor demo`: generates the synthetic county (nwd-demo) and imports it (nwd-store),
//! with a progress bar for each stage; then the demo's teams and staff, one account per role,
//! which marks the database as a demonstration one (one-click sign-in on the staff sign-in
//! page).

use indicatif::{ProgressBar, ProgressStyle};
use nwd_demo::staff::StaffTeamKind;
use nwd_store::auth::TeamKind;
use nwd_store::demo::{DemoError, DemoMember, DemoTeam};
use nwd_store::{DemoImport, Store};

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
        ProgressStyle::with_template("{msg:>10} [{bar:40}] {pos}/{len} referrals ({elapsed})")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
    let bar = ProgressBar::new(total)
        .with_style(style.clone())
        .with_message("generate");
    let config = nwd_demo::DemoConfig {
        seed,
        years,
        referrals_per_year,
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let data = nwd_demo::generate(&config, &mut |done, _| bar.set_position(done));
    bar.finish();
    let generated_in = started.elapsed();
    let histories: Vec<(
        &[nwd_domain::referral::RecordedEvent],
        &nwd_domain::referral::Referral,
    )> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let abouts = nwd_demo::about::abouts(&data.persons);
    let bar = ProgressBar::new(total)
        .with_style(style)
        .with_message("store");
    store
        .import(
            &crate::admin::as_operator("cli demo", "demo"),
            DemoImport {
                organisations: &data.organisations,
                services: &data.services,
                persons: &data.persons,
                referrals: &histories,
                abouts: &abouts,
            },
            &mut |done, _| bar.set_position(done),
        )
        .await?;
    bar.finish();
    eprintln!(
        "demo loaded: {} organisations, {} services, {} people, {} referrals in {:.1} s (generated in {:.1} s, stored in {:.1} s)",
        data.organisations.len(),
        data.services.len(),
        data.persons.len(),
        data.referrals.len(),
        started.elapsed().as_secs_f64(),
        generated_in.as_secs_f64(),
        (started.elapsed() - generated_in).as_secs_f64()
    );
    create_staff(store, &data).await?;
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
async fn create_staff(store: &Store, data: &nwd_demo::DemoData) -> anyhow::Result<()> {
    let teams: Vec<DemoTeam> = nwd_demo::staff::staff(&data.organisations, &data.services)
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
