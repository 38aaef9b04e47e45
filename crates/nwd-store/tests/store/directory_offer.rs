//! A service's local offer (contact details, address, opening hours, how to get in, the
//! crisis-line flag) is saved and read back on both databases; a bad offer writes nothing;
//! the crisis lines Urgent help lists are the active services flagged as crisis lines.

use nwd_domain::codes::TeamType;
use nwd_domain::directory::{
    OpeningHours, OpeningTimes, PhoneKind, PhysicalAddress, ServiceOffer, ServicePhone, Weekday,
};
use nwd_domain::need::NeedGroup;
use nwd_domain::DomainError;
use nwd_store::testing::acting;
use nwd_store::StoreError;

use crate::backend::for_each_backend;
use crate::synthetic::{organisation, service};

fn offer() -> ServiceOffer {
    ServiceOffer {
        phones: vec![
            ServicePhone {
                number: "01632 960 777".into(),
                label: "Call".into(),
                kind: PhoneKind::Voice,
            },
            ServicePhone {
                number: "07700 900 777".into(),
                label: "Text".into(),
                kind: PhoneKind::Text,
            },
        ],
        email: Some("hello@riverside.example.org".into()),
        url: Some("https://riverside.example.org".into()),
        physical_address: Some(PhysicalAddress {
            address_1: "Riverside Centre".into(),
            address_2: "3 Medway Street".into(),
            city: "Maidstone".into(),
            postal_code: "ME14 9ZZ".into(),
        }),
        remote_only: false,
        opening_hours: OpeningHours {
            open_24_7: false,
            regular: vec![OpeningTimes {
                weekday: Weekday::Friday,
                opens_at: "10:00".into(),
                closes_at: "16:30".into(),
            }],
            note: "Closed on bank holidays".into(),
        },
        drop_in: true,
        referral_from: "Anyone".into(),
        application_process: "Call us.".into(),
        what_to_bring: "Nothing".into(),
        crisis_line: false,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_services_offer_is_saved_and_read_back_and_a_bad_one_writes_nothing() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let mut details = service(
            org,
            "Riverside drop-in",
            TeamType::WellbeingHub,
            &[NeedGroup::GettingAdvice],
            (11, 25),
        );
        details.offer = offer();
        let (created, _) = t
            .store
            .create_service(&acting("tester"), details.clone())
            .await
            .unwrap();
        let (stored, version) = t.store.service(created.id).await.unwrap();
        assert_eq!(stored.details.offer, offer());
        assert_eq!(version, 1);

        // Changed: the new offer replaces the old one.
        let mut changed = stored.details.clone();
        changed.offer.phones.truncate(1);
        changed.offer.opening_hours = OpeningHours {
            open_24_7: true,
            ..OpeningHours::default()
        };
        t.store
            .update_service(&acting("tester"), created.id, changed.clone(), 1)
            .await
            .unwrap();
        let (stored, version) = t.store.service(created.id).await.unwrap();
        assert_eq!(stored.details.offer, changed.offer);
        assert_eq!(version, 2);

        // A closing time before the opening time: refused by field, nothing written.
        let mut bad = changed.clone();
        bad.offer.opening_hours = OpeningHours {
            open_24_7: false,
            regular: vec![OpeningTimes {
                weekday: Weekday::Monday,
                opens_at: "17:00".into(),
                closes_at: "09:00".into(),
            }],
            note: String::new(),
        };
        bad.offer.email = Some("nope".into());
        let error = t
            .store
            .update_service(&acting("tester"), created.id, bad, 2)
            .await
            .unwrap_err();
        let fields: Vec<String> = match error {
            StoreError::Domain(DomainError::Invalid(errors)) => {
                errors.0.into_iter().map(|e| e.field).collect()
            }
            other => panic!("expected invalid input, got {other:?}"),
        };
        assert_eq!(fields, ["email", "opening_hours.regular[0].closes_at"]);
        let (stored, version) = t.store.service(created.id).await.unwrap();
        assert_eq!((stored.details.offer, version), (changed.offer, 2));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_crisis_lines_are_the_active_services_flagged_as_crisis_lines() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let add = |name: &'static str, crisis_line: bool, active: bool| {
            let store = t.store.clone();
            async move {
                let mut details = service(
                    org,
                    name,
                    TeamType::CrisisLine,
                    &[NeedGroup::GettingRiskSupport],
                    (0, 25),
                );
                details.offer = offer();
                details.offer.crisis_line = crisis_line;
                details.active = active;
                store
                    .create_service(&acting("tester"), details)
                    .await
                    .unwrap()
                    .0
            }
        };
        let line = add("B crisis line", true, true).await;
        add("A crisis line", true, true).await;
        add("Not a crisis line", false, true).await;
        add("Closed crisis line", true, false).await;
        let names = |lines: Vec<nwd_domain::directory::Service>| {
            lines
                .into_iter()
                .map(|s| s.details.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            names(t.store.crisis_lines().await.unwrap()),
            ["A crisis line", "B crisis line"]
        );
        // Turning the flag off takes it off the list.
        let mut details = line.details.clone();
        details.offer.crisis_line = false;
        t.store
            .update_service(&acting("tester"), line.id, details, 1)
            .await
            .unwrap();
        assert_eq!(
            names(t.store.crisis_lines().await.unwrap()),
            ["A crisis line"]
        );
    })
    .await;
}
