//! Unit tests of waiting-time standards: hour targets in elapsed time across clock changes, day
//! targets in local calendar days, the breach cut-off, and the first matching standard applying.

use super::*;

fn london() -> TimeZone {
    TimeZone::get("Europe/London").unwrap()
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn check(target: WaitTarget, start: &str, expected: &str) {
    assert_eq!(
        target.deadline(ts(start), &london()),
        ts(expected),
        "{target:?} from {start}"
    );
}

#[test]
fn hour_targets_are_elapsed_time_across_clock_changes() {
    // Clocks go forward at 01:00 UTC on 31 March 2024: 4 real hours, not 4 wall-clock hours.
    check(
        WaitTarget::Hours(4),
        "2024-03-31T00:30:00Z",
        "2024-03-31T04:30:00Z",
    );
    // Clocks go back at 01:00 UTC on 27 October 2024.
    check(
        WaitTarget::Hours(24),
        "2024-10-26T12:00:00Z",
        "2024-10-27T12:00:00Z",
    );
    check(
        WaitTarget::Hours(1),
        "2024-10-27T00:45:00Z",
        "2024-10-27T01:45:00Z",
    );
}

#[test]
fn day_targets_are_calendar_days_in_local_time() {
    // Received 10:00 BST... 10:00 GMT on 30 March 2024 (09:00... ) -> 28 days later at 10:00 local (BST = 09:00Z).
    check(
        WaitTarget::Days(28),
        "2024-03-30T10:00:00Z",
        "2024-04-27T09:00:00Z",
    );
    // Across the autumn change: 10:00 BST (09:00Z) on 20 October -> 10:00 GMT (10:00Z) on 27 October.
    check(
        WaitTarget::Days(7),
        "2024-10-20T09:00:00Z",
        "2024-10-27T10:00:00Z",
    );
    // Leap day: 28 days from 1 February 2024 is 29 February; from 29 February is 28 March.
    check(
        WaitTarget::Days(28),
        "2024-02-01T12:00:00Z",
        "2024-02-29T12:00:00Z",
    );
    check(
        WaitTarget::Days(28),
        "2024-02-29T12:00:00Z",
        "2024-03-28T12:00:00Z",
    );
    check(
        WaitTarget::Days(28),
        "2023-02-01T12:00:00Z",
        "2023-03-01T12:00:00Z",
    );
}

#[test]
fn breach_cutoff_agrees_with_deadline() {
    let tz = london();
    let now = ts("2024-06-15T12:00:00Z");
    for target in [
        WaitTarget::Hours(4),
        WaitTarget::Days(28),
        WaitTarget::Days(7),
    ] {
        let cutoff = target.breach_cutoff(now, &tz);
        // Starts every 7 minutes over 60 days before now, away from clock changes.
        let mut start = ts("2024-04-10T00:00:00Z");
        while start < now {
            let breached = target.deadline(start, &tz) <= now;
            assert_eq!(breached, start <= cutoff, "{target:?} start {start}");
            start = start.checked_add(Span::new().minutes(7)).unwrap();
        }
    }
}

#[test]
fn first_matching_standard_applies() {
    let standards = vec![
        WaitStandard {
            name: "ED referral".into(),
            target: WaitTarget::Hours(1),
            priorities: vec![],
            sources: vec![ReferralSource::EmergencyDepartment],
            target_share_percent: None,
            source: "test".into(),
        },
        WaitStandard {
            name: "very urgent".into(),
            target: WaitTarget::Hours(4),
            priorities: vec![Priority::VeryUrgent, Priority::Emergency],
            sources: vec![],
            target_share_percent: None,
            source: "test".into(),
        },
    ];
    let pick = |p, s| select(&standards, p, s).map(|s| s.name.as_str());
    assert_eq!(
        pick(Priority::Urgent, ReferralSource::EmergencyDepartment),
        Some("ED referral")
    );
    assert_eq!(
        pick(Priority::VeryUrgent, ReferralSource::Gp),
        Some("very urgent")
    );
    assert_eq!(pick(Priority::Routine, ReferralSource::Gp), None);
}

#[test]
fn targets_describe_themselves() {
    assert_eq!(WaitTarget::Days(28).describe(), "4 weeks");
    assert_eq!(WaitTarget::Hours(4).describe(), "4 hours");
    assert_eq!(WaitTarget::Hours(1).describe(), "1 hour");
}
