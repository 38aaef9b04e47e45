//! Unit tests of a service's offer: contact details, addresses, opening hours and crisis
//! lines are checked field by field, and the hours read back on one line.

use super::tests::service;
use super::*;

fn fields(details: &ServiceDetails) -> Vec<String> {
    details.validate().0.into_iter().map(|e| e.field).collect()
}

fn session(weekday: Weekday, opens_at: &str, closes_at: &str) -> OpeningTimes {
    OpeningTimes {
        weekday,
        opens_at: opens_at.into(),
        closes_at: closes_at.into(),
    }
}

fn full_offer() -> ServiceOffer {
    ServiceOffer {
        phones: vec![
            ServicePhone {
                number: "01632 960 123".into(),
                label: "Call".into(),
                kind: PhoneKind::Voice,
            },
            ServicePhone {
                number: "07700 900 456".into(),
                label: "Text".into(),
                kind: PhoneKind::Text,
            },
        ],
        email: Some("hello@example.org".into()),
        url: Some("https://www.example.org/young-people".into()),
        physical_address: Some(PhysicalAddress {
            address_1: "Unit 4, Riverside House".into(),
            address_2: String::new(),
            city: "Maidstone".into(),
            postal_code: "ME14 1XX".into(),
        }),
        remote_only: false,
        opening_hours: OpeningHours {
            open_24_7: false,
            regular: vec![
                session(Weekday::Monday, "09:00", "17:00"),
                session(Weekday::Tuesday, "09:00", "17:00"),
                session(Weekday::Wednesday, "09:00", "12:30"),
                session(Weekday::Wednesday, "13:30", "17:00"),
                session(Weekday::Saturday, "10:00", "13:00"),
            ],
            note: "Closed on bank holidays".into(),
        },
        drop_in: true,
        referral_from: String::new(),
        application_process: "Call us or drop in.".into(),
        what_to_bring: "Nothing: just yourself.".into(),
        crisis_line: false,
    }
}

#[test]
fn a_full_offer_validates_and_an_empty_one_too() {
    let mut s = service();
    assert!(s.validate().is_empty(), "an empty offer is valid");
    s.offer = full_offer();
    assert_eq!(fields(&s), Vec::<String>::new());
}

#[test]
fn bad_contact_details_name_each_field() {
    let mut s = service();
    s.offer = full_offer();
    s.offer.phones[1].number = "abc".into();
    s.offer.phones[0].label = " ".into();
    s.offer.email = Some("not an email".into());
    s.offer.url = Some("www.example.org".into());
    s.offer.physical_address = Some(PhysicalAddress {
        address_1: String::new(),
        address_2: String::new(),
        city: "Maidstone".into(),
        postal_code: "ME14".into(),
    });
    s.offer.what_to_bring = "x".repeat(offer::MAX_OFFER_TEXT_CHARS + 1);
    assert_eq!(
        fields(&s),
        [
            "phones[0].label",
            "phones[1].number",
            "email",
            "url",
            "physical_address.address_1",
            "physical_address.postal_code",
            "what_to_bring",
        ]
    );
}

#[test]
fn web_addresses() {
    for (raw, ok) in [
        ("https://www.example.org", true),
        ("http://example.org/help?x=1", true),
        ("https://localhost", false),
        ("ftp://example.org", false),
        ("https://exa mple.org", false),
        ("https://.org", false),
        ("example.org", false),
    ] {
        assert_eq!(offer::check_url(raw).is_ok(), ok, "{raw:?}");
    }
}

#[test]
fn an_online_only_service_has_no_address_and_a_crisis_line_has_a_number() {
    let mut s = service();
    s.offer = full_offer();
    s.offer.remote_only = true;
    assert_eq!(fields(&s), ["physical_address"]);
    let mut s = service();
    s.offer.crisis_line = true;
    assert_eq!(fields(&s), ["phones"]);
    s.offer.phones = full_offer().phones;
    assert!(fields(&s).is_empty());
}

#[test]
fn opening_times_are_well_formed_and_close_after_they_open() {
    let mut s = service();
    s.offer.opening_hours.regular = vec![
        session(Weekday::Monday, "9am", "17:00"),
        session(Weekday::Tuesday, "17:00", "09:00"),
        session(Weekday::Wednesday, "09:00", "24:00"),
        session(Weekday::Thursday, "24:00", "24:00"),
        session(Weekday::Friday, "09:00", "13:00"),
        session(Weekday::Friday, "12:00", "17:00"),
        session(Weekday::Saturday, "10:60", "12:00"),
    ];
    assert_eq!(
        fields(&s),
        [
            "opening_hours.regular[0].opens_at",
            "opening_hours.regular[1].closes_at",
            "opening_hours.regular[3].opens_at",
            "opening_hours.regular[6].opens_at",
            "opening_hours.regular[5].opens_at",
        ]
    );
    let mut s = service();
    s.offer.opening_hours.open_24_7 = true;
    s.offer.opening_hours.regular = vec![session(Weekday::Monday, "09:00", "17:00")];
    assert_eq!(fields(&s), ["opening_hours.regular"]);
}

#[test]
fn opening_hours_read_on_one_line() {
    let check = |hours: OpeningHours, expected: Option<&str>| {
        assert_eq!(hours.summary().as_deref(), expected, "{hours:?}");
    };
    check(OpeningHours::default(), None);
    check(
        OpeningHours {
            open_24_7: true,
            ..OpeningHours::default()
        },
        Some("Open 24 hours a day, every day"),
    );
    check(
        full_offer().opening_hours,
        Some("Monday and Tuesday, 9am to 5pm; Wednesday, 9am to 12:30pm and 1:30pm to 5pm; Saturday, 10am to 1pm"),
    );
    let weekdays = Weekday::ALL[..5]
        .iter()
        .map(|d| session(*d, "08:30", "18:00"))
        .collect();
    check(
        OpeningHours {
            regular: weekdays,
            ..OpeningHours::default()
        },
        Some("Monday to Friday, 8:30am to 6pm"),
    );
    let every_day = Weekday::ALL
        .iter()
        .map(|d| session(*d, "12:00", "24:00"))
        .collect();
    check(
        OpeningHours {
            regular: every_day,
            ..OpeningHours::default()
        },
        Some("Every day, midday to midnight"),
    );
}

#[test]
fn numbers_link_to_dial_or_text() {
    let phones = full_offer().phones;
    assert_eq!(phones[0].href(), "tel:01632960123");
    assert_eq!(phones[1].href(), "sms:07700900456");
    let international = ServicePhone {
        number: "+44 (0)1632 960 001".into(),
        label: "Call".into(),
        kind: PhoneKind::Voice,
    };
    assert_eq!(international.href(), "tel:+4401632960001");
}

#[test]
fn the_offer_is_flat_in_json_and_old_services_read_back() {
    let mut s = service();
    s.offer = full_offer();
    let json = serde_json::to_value(&s).unwrap();
    assert_eq!(json["phones"][0]["number"], "01632 960 123");
    assert_eq!(json["opening_hours"]["regular"][0]["weekday"], "monday");
    let back: ServiceDetails = serde_json::from_value(json).unwrap();
    assert_eq!(back, s);
    let mut old = serde_json::to_value(service()).unwrap();
    for key in ["phones", "email", "url", "opening_hours", "crisis_line"] {
        old.as_object_mut().unwrap().remove(key);
    }
    let read: ServiceDetails = serde_json::from_value(old).unwrap();
    assert_eq!(read.offer, ServiceOffer::default());
}

#[test]
fn a_service_may_list_a_helpline_or_text_short_number() {
    for short in ["116 123", "85258", "111", "999"] {
        assert_eq!(ServicePhone::check_number(short), Ok(()), "{short}");
    }
    for bad in ["12", "1234567", "85258a", "+85258", "8-5258"] {
        let refused = ServicePhone::check_number(bad).unwrap_err();
        assert!(refused.contains("short number"), "{bad}: {refused}");
    }
    let mut s = service();
    s.offer = full_offer();
    s.offer.phones[1].number = "85258".into();
    assert_eq!(fields(&s), Vec::<String>::new());
    assert_eq!(s.offer.phones[1].href(), "sms:85258");
}
