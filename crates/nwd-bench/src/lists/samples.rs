//! Generating and importing the demo county at the asked size (`load`), and drawing the timed
//! requests' identifiers from it: the same [`Samples`] and [`Load`] as `--reuse` gets from a
//! kept database (`kept`).

use std::time::Instant;

use anyhow::Context as _;
use nwd_domain::referral::{RecordedEvent, Referral};
use nwd_domain::{AllocationId, ReferralId};
use nwd_store::{DemoImport, Store};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use crate::stats;

use super::{bar, Args, Load, Samples};

/// Generates the demo county with `--referrals` over `--years` and imports it; returns what
/// it cost and the identifiers the requests will pick from.
pub(super) async fn load(
    args: &Args,
    store: &Store,
    rng: &mut StdRng,
) -> anyhow::Result<(Load, Samples)> {
    let config = nwd_demo::DemoConfig {
        seed: args.seed,
        years: args.years,
        referrals_per_year: args.referrals.div_ceil(args.years),
        end: store.now(),
        tz: store.tz().clone(),
        standards: store.standards().clone(),
    };
    let planned = u64::from(config.years) * u64::from(config.referrals_per_year);
    let progress = bar(planned, "generate", "referrals");
    let started = Instant::now();
    let data = {
        let progress = progress.clone();
        tokio::task::spawn_blocking(move || {
            nwd_demo::generate(&config, &mut |done, _| progress.set_position(done))
        })
        .await
        .context("the generator failed")?
    };
    progress.finish();
    let generate = started.elapsed();
    let peak_rss_after_generate_mib = stats::peak_rss_mib();

    let histories: Vec<(&[RecordedEvent], &Referral)> = data
        .referrals
        .iter()
        .map(|r| (r.events.as_slice(), &r.state))
        .collect();
    let progress = bar(histories.len() as u64, "import", "referrals");
    let started = Instant::now();
    if args.reuse.is_none() {
        store
            .import(
                &nwd_store::audit::AuditContext::operator("nwd-bench", "nwd-bench lists", "demo"),
                DemoImport {
                    organisations: &data.organisations,
                    services: &data.services,
                    persons: &data.persons,
                    referrals: &histories,
                    abouts: &nwd_demo::about::abouts(&data.persons),
                },
                &mut |done, _| progress.set_position(done),
            )
            .await
            .context("the import failed")?;
    }
    progress.finish();
    let import = started.elapsed();

    let wanted = args.requests + args.warmup;
    let services = data.services.iter().map(|s| s.id.to_string()).collect();
    let referrals = data
        .referrals
        .choose_multiple(rng, wanted)
        .map(|r| r.state.id.to_string())
        .collect();
    let with_numbers: Vec<String> = data
        .persons
        .iter()
        .filter_map(|p| p.details.nhs_number.map(|n| n.as_digits()))
        .collect();
    let nhs_numbers = with_numbers.choose_multiple(rng, wanted).cloned().collect();
    let people = data
        .persons
        .choose_multiple(rng, wanted)
        .map(|p| {
            (
                p.details.given_name.clone(),
                p.details.family_name.clone(),
                p.details.date_of_birth.to_string(),
            )
        })
        .collect();
    let mut open_allocations: Vec<(ReferralId, AllocationId)> = data
        .referrals
        .iter()
        .filter(|r| r.state.closure.is_none())
        .filter_map(|r| {
            r.state
                .allocations
                .iter()
                .find(|a| a.ended.is_none())
                .map(|a| (r.state.id, a.id))
        })
        .collect();
    open_allocations.shuffle(rng);
    let load = Load {
        referrals: data.referrals.len(),
        persons: data.persons.len(),
        services: data.services.len(),
        events: data.referrals.iter().map(|r| r.events.len()).sum(),
        generate,
        import,
        peak_rss_after_generate_mib,
    };
    Ok((
        load,
        Samples {
            services,
            referrals,
            nhs_numbers,
            people,
            open_allocations,
        },
    ))
}
