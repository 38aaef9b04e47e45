//! Unit tests of urgency: how times are shown, when a review is overdue, and which priority wins.

use super::*;

#[test]
fn times_are_hours_under_two_days_and_days_after() {
    for (hours, shown) in [
        (0, "0 hours"),
        (1, "1 hour"),
        (47, "47 hours"),
        (48, "2 days"),
        (24 * 9 + 5, "9 days"),
        (-3, "3 hours overdue"),
        (-50, "2 days overdue"),
    ] {
        assert_eq!(describe_hours(hours), shown, "{hours}");
    }
}

#[test]
fn a_review_is_overdue_from_the_next_local_midnight() {
    let tz = TimeZone::get("Europe/London").unwrap();
    let on: Date = "2024-06-10".parse().unwrap();
    // 00:00 BST on 11 June is 23:00 UTC on 10 June.
    assert_eq!(
        review_overdue_from(on, &tz),
        "2024-06-10T23:00:00Z".parse::<Timestamp>().unwrap()
    );
}

#[test]
fn the_more_urgent_priority_wins() {
    assert_eq!(
        more_urgent(Priority::Routine, Priority::VeryUrgent),
        Priority::VeryUrgent
    );
    assert_eq!(
        more_urgent(Priority::Emergency, Priority::Urgent),
        Priority::Emergency
    );
}
