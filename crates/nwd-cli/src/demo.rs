//! `nowrongdoor demo`: generates the synthetic county (nwd-demo) and imports it (nwd-store),
//! with a progress bar for each stage.

use indicatif::{ProgressBar, ProgressStyle};
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
    Ok(())
}
