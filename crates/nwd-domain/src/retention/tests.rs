//! Unit tests of the retention rules: the children's records entry, the longer of two entries by
//! default, the shipped code-of-practice numbers, and bad rules naming their field.

use super::*;
use jiff::civil::date;

/// The children's entry alone.
fn children_only() -> RetentionRules {
    RetentionRules {
        min_years_after_conclusion: 0,
        ..RetentionRules::default()
    }
}

fn check(born: Date, concluded: Date, died: Option<Date>, until: Date, rule: RuleApplied) {
    let got = retain_until(
        RecordFacts {
            born,
            concluded,
            died,
        },
        &children_only(),
    );
    assert_eq!(
        got,
        RetentionDate { until, rule },
        "{born} {concluded} {died:?}"
    );
}

#[test]
fn the_childrens_records_entry() {
    use RuleApplied::*;
    // Treated at 14: until the 25th birthday.
    check(
        date(2010, 5, 1),
        date(2024, 6, 1),
        None,
        date(2035, 5, 1),
        UntilBirthday,
    );
    // 17 at conclusion: until the 26th.
    check(
        date(2007, 5, 1),
        date(2024, 6, 1),
        None,
        date(2033, 5, 1),
        OlderAtConclusion,
    );
    // 16 and a day short of 17: still the 25th.
    check(
        date(2007, 6, 2),
        date(2024, 6, 1),
        None,
        date(2032, 6, 2),
        UntilBirthday,
    );
    // Died: 8 years after death.
    check(
        date(2010, 5, 1),
        date(2024, 6, 1),
        Some(date(2025, 1, 10)),
        date(2033, 1, 10),
        AfterDeath,
    );
    // Leap-day birthdays turn on 1 March.
    check(
        date(2008, 2, 29),
        date(2020, 1, 1),
        None,
        date(2033, 3, 1),
        UntilBirthday,
    );
}

fn by_default(born: Date, concluded: Date, died: Option<Date>) -> RetentionDate {
    retain_until(
        RecordFacts {
            born,
            concluded,
            died,
        },
        &RetentionRules::default(),
    )
}

#[test]
fn by_default_the_longer_of_the_childrens_and_mental_health_entries_applies() {
    use RuleApplied::*;
    // Treated at 14: 20 years after conclusion (2044) outlasts the 25th birthday (2035).
    let got = by_default(date(2010, 5, 1), date(2024, 6, 1), None);
    assert_eq!((got.until, got.rule), (date(2044, 6, 1), AfterConclusion));
    // Died a year later: the mental health entry's "10 years after death if sooner"
    // (2035-01-10) against the children's 8 years after death (2033-01-10): the longer.
    let got = by_default(date(2010, 5, 1), date(2024, 6, 1), Some(date(2025, 1, 10)));
    assert_eq!((got.until, got.rule), (date(2035, 1, 10), AfterDeath));
    // Died in 2040: the mental health date is 20 years after conclusion (2044-06-01,
    // sooner than 10 years after death); the children's 8 years after death (2048) is
    // the longer.
    let got = by_default(date(2010, 5, 1), date(2024, 6, 1), Some(date(2040, 1, 1)));
    assert_eq!((got.until, got.rule), (date(2048, 1, 1), AfterDeath));
    // With the mental health entry turned off, the children's entry alone.
    let got = retain_until(
        RecordFacts {
            born: date(2010, 5, 1),
            concluded: date(2024, 6, 1),
            died: None,
        },
        &children_only(),
    );
    assert_eq!((got.until, got.rule), (date(2035, 5, 1), UntilBirthday));
}

#[test]
fn the_shipped_defaults_are_the_code_of_practice_numbers() {
    let rules = RetentionRules::default();
    assert_eq!(
        (
            rules.until_birthday,
            rules.older_at_conclusion_age,
            rules.older_until_birthday,
            rules.years_after_death,
            rules.min_years_after_conclusion,
            rules.mental_health_years_after_death
        ),
        (25, 17, 26, 8, 20, 10)
    );
}

#[test]
fn bad_rules_name_the_field() {
    let rules = RetentionRules {
        older_until_birthday: 20,
        ..RetentionRules::default()
    };
    assert_eq!(rules.validate().unwrap_err().field, "older_until_birthday");
    assert!(RetentionRules::default().validate().is_ok());
}
