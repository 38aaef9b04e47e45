//! Arrivals with a weekly and a seasonal profile (drawn by inverting the integrated rate):
//! the number arriving on each kind of day matches the profile, and none arrive when the
//! factor is 0. A node with no servers keeps everyone, so its daily snapshots count arrivals.

use crate::support::{model, reps};

#[test]
fn profiled_arrivals_follow_the_weekly_and_seasonal_factors() {
    let m = model(
        r#"
name = "profiled"
groups = ["a"]
arrivals = [ { source = "school", group = "a", per_year = 36525, to = "list", profile = "term" } ]
[run]
warmup_days = 0
observe_days = 800
snapshot_every_days = 1
[profiles.term]
weekly = [2, 1, 1, 1, 1, 0, 0]
seasonal = [ { from_day = 0, factor = 1 }, { from_day = 100, factor = 3 } ]
year_days = 200
[nodes.list]
servers = 0
service = { dist = "exponential", mean = 1 }
"#,
    );
    // 100 a day on average; weekly factors ×7/6, seasonal factors ×1/2.
    let weekly = [2.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0].map(|w| w * 7.0 / 6.0);
    let seasonal = |day: usize| if day % 200 < 100 { 0.5 } else { 1.5 };
    let runs = reps(&m, 10, 7, 2);
    // Observed and expected arrivals by (weekday, season).
    let mut observed = [[0.0f64; 2]; 7];
    let mut expected = [[0.0f64; 2]; 7];
    for r in &runs {
        let list = &r.snapshots[0];
        for day in 0..800 {
            let arrived = list[day + 1] - list[day];
            let season = usize::from(day % 200 >= 100);
            observed[day % 7][season] += arrived;
            expected[day % 7][season] += 100.0 * weekly[day % 7] * seasonal(day);
        }
    }
    for weekday in 0..7 {
        for season in 0..2 {
            let (o, e) = (observed[weekday][season], expected[weekday][season]);
            println!("weekday {weekday}, season {season}: {o} arrived, {e:.0} expected");
            if e == 0.0 {
                assert_eq!(o, 0.0, "arrivals on a day whose factor is 0");
            } else {
                // Poisson counts: within 4 standard deviations.
                assert!((o - e).abs() < 4.0 * e.sqrt(), "{o} arrived, {e} expected");
            }
        }
    }
}
