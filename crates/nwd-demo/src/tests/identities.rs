//! Synthetic identities: NHS numbers only from the 999 test range, and re-referrals sharing
//! the person, every referral with a registered person.

use std::collections::BTreeMap;

use jiff::Timestamp;

use super::*;

#[test]
fn people_are_synthetic_with_test_range_nhs_numbers() {
    let (data, _) = fixture();
    let end = jiff::civil::date(2026, 3, 31);
    let with_number = data
        .persons
        .iter()
        .filter(|p| p.details.nhs_number.is_some())
        .count();
    assert!((0.80..0.90).contains(&share(with_number, data.persons.len())));
    let mut numbers = Vec::new();
    for person in &data.persons {
        if let Some(number) = person.details.nhs_number {
            assert!(number.is_test_range(), "{number}");
            numbers.push(number);
        }
        let mut errors = nwd_domain::ValidationErrors::new();
        person.details.validate(end, "", &mut errors);
        assert!(errors.is_empty(), "{errors}");
        if let Some(postcode) = &person.details.postcode {
            assert!(
                ["ME", "CT", "TN", "DA"].contains(&postcode.area()),
                "{postcode}"
            );
        }
    }
    let before = numbers.len();
    numbers.sort();
    numbers.dedup();
    assert_eq!(
        numbers.len(),
        before,
        "NHS numbers are unique to one person"
    );
    let looked_after = data
        .persons
        .iter()
        .filter(|p| p.details.flags.looked_after)
        .count();
    assert!(looked_after > 0);
}

#[test]
fn re_referrals_share_the_person_and_every_referral_has_a_registered_person() {
    let (data, _) = fixture();
    let mut referrals_per_person: BTreeMap<_, Vec<Timestamp>> = BTreeMap::new();
    for r in &data.referrals {
        referrals_per_person
            .entry(r.state.person_id)
            .or_default()
            .push(r.state.received_at);
    }
    let repeat = referrals_per_person
        .values()
        .filter(|times| times.len() > 1)
        .count();
    assert!(repeat > 100, "{repeat}");
    assert_eq!(referrals_per_person.len(), data.persons.len());
    for person in &data.persons {
        assert!(referrals_per_person.contains_key(&person.id));
    }
}
