//! Tests of `simulate` against a real store: the simulator's standard is the configured one.

use nwd_sim::calibrate::{calibrate, CalibrationOptions};
use nwd_sim::{summarise, Model, RunOptions};
use nwd_store::{Store, StoreOptions};

use super::first_help_standard_days;

const DAY_MS: i64 = 86_400_000;

/// The simulator's standard is the configured one: 28 days from `config/standards.toml`,
/// and whatever an area's file says instead (here 6 weeks); a file without a routine
/// fallback is refused rather than silently given 28.
#[test]
fn the_simulator_standard_comes_from_the_configured_standards() {
    let shipped = include_str!("../../../../config/standards.toml");
    let standards = crate::config::parse_standards(shipped).unwrap();
    assert_eq!(first_help_standard_days(&standards).unwrap(), 28.0);
    let area = shipped.replacen("target = { days = 28 }", "target = { days = 42 }", 1);
    let standards = crate::config::parse_standards(&area).unwrap();
    assert_eq!(first_help_standard_days(&standards).unwrap(), 42.0);
    let mut none = standards;
    none.fallback.clear();
    assert!(first_help_standard_days(&none).is_err());
}

/// Calibration on SQLite against the demo county: the baseline's arrivals are the window's
/// referrals, its initial lists are exactly today's waiting lists, both scenarios validate,
/// and the backtest reproduces the arrivals at every busy service.
#[tokio::test]
async fn calibration_from_the_demo_county_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("nwd-sim-calibrate-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("nwd.db").display());
    let standards =
        crate::config::parse_standards(include_str!("../../../../config/standards.toml")).unwrap();
    let store = Store::connect(StoreOptions::new(url, standards))
        .await
        .unwrap();
    crate::demo::load(&store, 7, 2, 3000).await.unwrap();

    let data = store.calibration_data().await.unwrap();
    let latest = data.latest_ms.unwrap();
    let options = CalibrationOptions {
        from: -365.0,
        to: 0.0,
        standard_days: first_help_standard_days(store.standards()).unwrap(),
    };
    let calibration = calibrate(&data.records(latest), &options);
    Model::new(&calibration.baseline).unwrap();
    let backtest = Model::new(&calibration.backtest).unwrap();

    // Arrivals: every referral received in the window, per year.
    let received = data
        .referrals
        .iter()
        .filter(|r| r.received_at >= latest - 365 * DAY_MS && r.received_at < latest)
        .count() as f64;
    let per_year: f64 = calibration
        .baseline
        .arrivals
        .iter()
        .filter(|a| a.source != "additional_allocation")
        .map(|a| a.per_year)
        .sum();
    let expected = received * nwd_sim::DAYS_PER_YEAR / 365.0;
    assert!(
        (per_year - expected).abs() < 1.0,
        "{per_year} vs {expected}"
    );

    // The initial lists are today's waiting lists, person for person.
    let mut waiting = 0u64;
    for s in &data.services {
        let list = store
            .waiting_list(s.id.parse().unwrap(), 1, 0)
            .await
            .unwrap();
        waiting += list.total;
    }
    let initial: usize = calibration
        .baseline
        .nodes
        .iter()
        .filter(|(name, _)| *name != "triage")
        .flat_map(|(_, n)| &n.initial)
        .map(|i| i.waited_days.len())
        .sum();
    assert!(waiting > 0);
    assert_eq!(initial as u64, waiting);

    // The backtest reproduces arrivals at each service receiving 100 or more a year.
    let runs = nwd_sim::run(
        &backtest,
        &RunOptions {
            replications: 8,
            seed: 1,
            threads: 1,
        },
        &|| {},
    )
    .unwrap();
    let report = summarise(&backtest, &runs, 1);
    let mut checked = 0;
    for (name, observed) in &calibration.observed.nodes {
        if observed.arrivals_per_year < 100.0 {
            continue;
        }
        let simulated = report.nodes[name].total.arrivals_per_year.mean;
        let error = (simulated - observed.arrivals_per_year).abs() / observed.arrivals_per_year;
        assert!(
            error < 0.2,
            "{name}: observed {} a year, simulated {simulated}",
            observed.arrivals_per_year
        );
        checked += 1;
    }
    assert!(checked >= 3, "only {checked} busy services");
    std::fs::remove_dir_all(&dir).ok();
}
