//! Unit tests of the synthetic people: ages, dates of birth, NHS numbers and contacts.

use super::*;
use jiff::civil::date;
use rand::SeedableRng;

#[test]
fn people_are_synthetic_in_range_and_have_unique_test_numbers() {
    let mut rng = DemoRng::seed_from_u64(11);
    let mut register = Register::new();
    let referred = Referred {
        on: date(2024, 6, 1),
        end: date(2026, 3, 31),
        ages: (0, 25),
        reason: ReasonCode::Anxiety,
        youth_justice: false,
    };
    for _ in 0..3000 {
        let person = register.create(&mut rng, &referred);
        register.add(person);
    }
    let mut numbers: Vec<_> = register
        .persons
        .iter()
        .filter_map(|p| p.details.nhs_number)
        .collect();
    let with_numbers = numbers.len();
    assert!((2400..2700).contains(&with_numbers), "{with_numbers}");
    numbers.sort();
    numbers.dedup();
    assert_eq!(numbers.len(), with_numbers, "NHS numbers are unique");
    for person in &register.persons {
        let d = &person.details;
        assert!(d.nhs_number.is_none_or(|n| n.is_test_range()));
        assert!(d.age_on(date(2026, 3, 31)) <= 25 && d.date_of_birth <= referred.on);
        let mut errors = nwd_domain::ValidationErrors::new();
        d.validate(date(2026, 3, 31), "", &mut errors);
        assert!(errors.is_empty(), "{errors}");
    }
    let teenagers = register
        .persons
        .iter()
        .filter(|p| (8..=18).contains(&p.details.age_on(referred.on)))
        .count();
    assert!(teenagers > 2000, "{teenagers}");
}
