//! Unit tests of the calendar: local days and times follow the time zone, and arrivals are fewer
//! in August and at weekends.

use super::*;
use rand::SeedableRng;

fn clock() -> Clock {
    let tz = TimeZone::get("Europe/London").unwrap();
    Clock::new("2026-03-31T17:00:00Z".parse().unwrap(), &tz, 2)
}

#[test]
fn local_days_and_times_follow_the_time_zone() {
    let clock = clock();
    assert_eq!(clock.date(0), jiff::civil::date(2024, 3, 31));
    assert_eq!(clock.date(clock.end_day), jiff::civil::date(2026, 3, 31));
    // 1 July 2025 is in British Summer Time: 10:00 local is 09:00 UTC.
    let day = clock.day_of_date(jiff::civil::date(2025, 7, 1));
    let t = clock.at(day, 10 * HOUR);
    assert_eq!(
        clock.timestamp(t),
        "2025-07-01T09:00:00Z".parse::<Timestamp>().unwrap()
    );
    assert_eq!(clock.day_of(t), day);
    assert_eq!(clock.weekday(day), 1, "1 July 2025 is a Tuesday");
}

#[test]
fn arrivals_are_fewer_in_august_and_at_weekends() {
    let clock = clock();
    let arrivals = Arrivals::new(&clock);
    let mut rng = DemoRng::seed_from_u64(3);
    let (mut august, mut october, mut weekend) = (0, 0, 0);
    for _ in 0..20_000 {
        let day = arrivals.day(&mut rng);
        assert!((1..=clock.end_day).contains(&day));
        match clock.date(day).month() {
            8 => august += 1,
            10 => october += 1,
            _ => {}
        }
        if clock.weekday(day) >= 5 {
            weekend += 1;
        }
    }
    assert!(
        august * 3 < october * 2,
        "august {august}, october {october}"
    );
    assert!(weekend < 2_000, "{weekend}");
}
