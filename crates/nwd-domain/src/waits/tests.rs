//! Unit tests of waits: days waited count calendar days in local time.

use super::*;

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

#[test]
fn days_waited_counts_calendar_days_in_local_time() {
    let tz = london();
    let check = |a: &str, b: &str, expected: i32| {
        assert_eq!(
            days_waited(a.parse().unwrap(), b.parse().unwrap(), &tz),
            expected,
            "{a} -> {b}"
        );
    };
    check("2024-03-01T09:00:00Z", "2024-03-01T23:00:00Z", 0);
    // 23:30 UTC on 30 June is 00:30 BST on 1 July: a new local day.
    check("2024-06-30T12:00:00Z", "2024-06-30T23:30:00Z", 1);
    // Across the spring clock change (a 23-hour day) and a leap day.
    check("2024-02-28T10:00:00Z", "2024-03-31T10:00:00Z", 32);
    check("2023-02-28T10:00:00Z", "2023-03-31T10:00:00Z", 31);
    check("2024-10-26T10:00:00Z", "2024-10-28T10:00:00Z", 2);
}
