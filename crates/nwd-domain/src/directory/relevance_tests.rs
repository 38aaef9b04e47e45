//! Unit tests of Find support's order: a service that matches what was asked ranks above one
//! that matches less, and the same question always gives the same order.

use uuid::Uuid;

use super::relevance::{rank_by_relevance, relevance, stem, Asked};
use super::tests::service;
use super::*;

fn named(n: u128, name: &str, description: &str) -> Service {
    let mut details = service();
    details.name = name.into();
    details.description = description.into();
    details.areas.clear();
    Service {
        id: ServiceId(Uuid::from_u128(n)),
        details,
    }
}

fn order(services: &[Service], asked: &Asked<'_>) -> Vec<String> {
    let mut ranked = services.to_vec();
    rank_by_relevance(&mut ranked, asked, |s| s);
    ranked.into_iter().map(|s| s.details.name).collect()
}

#[test]
fn stems_join_forms_of_a_word() {
    assert_eq!(stem("anxious"), stem("anxiety"));
    assert_eq!(stem("eating"), "eat");
    assert_eq!(stem("carers"), "carer");
    assert_eq!(stem("sad"), "sad");
}

#[test]
fn a_service_matching_the_words_asked_ranks_first() {
    let services = [
        named(1, "Anchor Counselling", "Counselling for young people."),
        named(
            2,
            "Beacon Eating Disorders Team",
            "Help with eating and body image.",
        ),
        named(3, "Cedar Anxiety Group", "Groups for anxious young people."),
    ];
    let asked = Asked {
        words: "I have an eating disorder",
        ..Asked::default()
    };
    assert_eq!(
        order(&services, &asked),
        [
            "Beacon Eating Disorders Team",
            "Anchor Counselling",
            "Cedar Anxiety Group"
        ]
    );
    let asked = Asked {
        words: "feeling anxious",
        ..Asked::default()
    };
    assert_eq!(order(&services, &asked)[0], "Cedar Anxiety Group");
    // A word in the name counts more than the same word in the description.
    let in_name = named(4, "Sleep Clinic", "");
    let in_description = named(5, "Sunrise", "Help to sleep better.");
    let asked = Asked {
        words: "sleep",
        ..Asked::default()
    };
    assert!(relevance(&in_name.details, &asked) > relevance(&in_description.details, &asked));
    assert!(relevance(&in_description.details, &asked) > 0);
}

#[test]
fn age_and_area_asked_raise_the_services_made_for_them() {
    let mut everyone = named(1, "Anywhere Service", "");
    everyone.details.age_from = 0;
    everyone.details.age_to = 25;
    let mut local_teens = named(2, "Zed Local Teens", "");
    local_teens.details.age_from = 11;
    local_teens.details.age_to = 18;
    local_teens.details.areas = vec!["ME14".into()];
    let postcode = Postcode::parse("ME14 1XX").unwrap();
    let asked = Asked {
        age: Some(14),
        postcode: Some(&postcode),
        ..Asked::default()
    };
    let services = [everyone.clone(), local_teens.clone()];
    assert_eq!(
        order(&services, &asked),
        ["Zed Local Teens", "Anywhere Service"]
    );
    // With nothing asked, the order is by name.
    assert_eq!(
        order(&services, &Asked::default()),
        ["Anywhere Service", "Zed Local Teens"]
    );
}

#[test]
fn ties_are_broken_by_name_then_id_whatever_the_order_given() {
    let services = [
        named(3, "beta", "same words"),
        named(2, "Alpha", "same words"),
        named(1, "Alpha", "same words"),
    ];
    let asked = Asked {
        words: "words",
        ..Asked::default()
    };
    let mut forwards = services.to_vec();
    rank_by_relevance(&mut forwards, &asked, |s| s);
    let mut backwards: Vec<Service> = services.iter().rev().cloned().collect();
    rank_by_relevance(&mut backwards, &asked, |s| s);
    let ids = |list: &[Service]| list.iter().map(|s| s.id).collect::<Vec<_>>();
    assert_eq!(ids(&forwards), ids(&backwards));
    assert_eq!(
        ids(&forwards),
        [1, 2, 3].map(|n| ServiceId(Uuid::from_u128(n)))
    );
}
