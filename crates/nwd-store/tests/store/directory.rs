//! The service directory: defaults from configuration, search, optimistic versions, and
//! refusal of bad details without writing anything.

use nwd_domain::codes::{DeliveryMode, TeamType};
use nwd_domain::directory::{OrganisationDetails, OrganisationKind};
use nwd_domain::need::NeedGroup;
use nwd_domain::standards::{WaitStandard, WaitTarget};
use nwd_domain::{DomainError, OrganisationId, Postcode};
use nwd_store::{ServiceFilter, StoreError};

use crate::backend::{default_standards, for_each_backend};
use crate::synthetic::{add_service, organisation, service};

fn names(found: &[(nwd_domain::directory::Service, u32)]) -> Vec<&str> {
    found.iter().map(|(s, _)| s.details.name.as_str()).collect()
}

fn invalid_fields(error: StoreError) -> Vec<String> {
    match error {
        StoreError::Domain(DomainError::Invalid(errors)) => {
            errors.0.into_iter().map(|e| e.field).collect()
        }
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_service_without_standards_gets_its_team_types_defaults_from_configuration() {
    for_each_backend(|t| async move {
        let config = default_standards();
        let org = organisation(&t.store).await;
        let crisis = service(
            org,
            "Crisis team",
            TeamType::CrisisResolution,
            &[NeedGroup::GettingRiskSupport],
            (0, 17),
        );
        let (created, version) = t
            .store
            .create_service(&nwd_store::testing::acting("tester"), crisis)
            .await
            .unwrap();
        assert_eq!(version, 1);
        let crisis_defaults = config.for_team_type(TeamType::CrisisResolution);
        assert_eq!(
            crisis_defaults
                .iter()
                .map(|s| (s.name.as_str(), s.target))
                .collect::<Vec<_>>(),
            [
                (
                    "Crisis: emergency department referral, 1 hour",
                    WaitTarget::Hours(1)
                ),
                ("Crisis: very urgent, 4 hours", WaitTarget::Hours(4)),
                ("Crisis: urgent, 24 hours", WaitTarget::Hours(24)),
            ]
        );
        assert_eq!(created.details.standards, crisis_defaults);
        let (stored, stored_version) = t.store.service(created.id).await.unwrap();
        assert_eq!(stored, created);
        assert_eq!(stored_version, 1);

        // A team type with no entry of its own gets the fallback.
        let community = service(
            org,
            "Community CYP",
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 17),
        );
        let (created, _) = t
            .store
            .create_service(&nwd_store::testing::acting("tester"), community)
            .await
            .unwrap();
        assert_eq!(created.details.standards, config.fallback);
        assert_eq!(created.details.standards[0].target, WaitTarget::Days(28));

        // A service's own standards are kept, not replaced.
        let mut own = service(
            org,
            "Own standard",
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 17),
        );
        own.standards = vec![WaitStandard {
            name: "Local: 2 weeks".into(),
            target: WaitTarget::Days(14),
            priorities: vec![],
            sources: vec![],
            target_share_percent: None,
            source: "Local commissioning agreement (synthetic)".into(),
        }];
        let (created, _) = t
            .store
            .create_service(&nwd_store::testing::acting("tester"), own.clone())
            .await
            .unwrap();
        let (stored, _) = t.store.service(created.id).await.unwrap();
        assert_eq!(stored.details.standards, own.standards);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn search_filters_by_need_age_postcode_delivery_mode_and_self_referral() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let other_org = t
            .store
            .create_organisation(
                &nwd_store::testing::acting("tester"),
                OrganisationDetails {
                    name: "Example Youth Charity".into(),
                    kind: OrganisationKind::VoluntaryCommunity,
                    ods_code: None,
                },
            )
            .await
            .unwrap()
            .0
            .id;

        let mut hub = service(
            org,
            "A Wellbeing hub",
            TeamType::WellbeingHub,
            &[NeedGroup::GettingAdvice, NeedGroup::GettingHelp],
            (11, 25),
        );
        hub.areas = vec!["ME14".into()];
        hub.self_referral = true;
        hub.delivery_modes = vec![DeliveryMode::FaceToFace, DeliveryMode::Online];
        add_service(&t.store, hub).await;

        let mut community = service(
            org,
            "B Community CYP",
            TeamType::Community,
            &[NeedGroup::GettingHelp, NeedGroup::GettingMoreHelp],
            (0, 17),
        );
        community.areas = vec!["CT".into()];
        add_service(&t.store, community).await;

        // Covers the whole area (no areas listed), by text only.
        let mut text_line = service(
            other_org,
            "C Text line",
            TeamType::CrisisLine,
            &[NeedGroup::GettingRiskSupport],
            (13, 25),
        );
        text_line.delivery_modes = vec![DeliveryMode::Text];
        text_line.self_referral = true;
        add_service(&t.store, text_line).await;

        let mut closed = service(
            org,
            "D Closed pilot",
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 25),
        );
        closed.active = false;
        add_service(&t.store, closed).await;

        let search = |filter: ServiceFilter| {
            let store = t.store.clone();
            async move { store.search_services(&filter).await.unwrap() }
        };

        assert_eq!(
            names(&search(ServiceFilter::default()).await),
            ["A Wellbeing hub", "B Community CYP", "C Text line"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    include_inactive: true,
                    ..Default::default()
                })
                .await
            ),
            [
                "A Wellbeing hub",
                "B Community CYP",
                "C Text line",
                "D Closed pilot"
            ]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    need_group: Some(NeedGroup::GettingHelp),
                    ..Default::default()
                })
                .await
            ),
            ["A Wellbeing hub", "B Community CYP"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    need_group: Some(NeedGroup::GettingMoreHelp),
                    ..Default::default()
                })
                .await
            ),
            ["B Community CYP"]
        );
        // Age bounds are inclusive.
        for (age, expected) in [
            (10, vec!["B Community CYP"]),
            (11, vec!["A Wellbeing hub", "B Community CYP"]),
            (
                17,
                vec!["A Wellbeing hub", "B Community CYP", "C Text line"],
            ),
            (18, vec!["A Wellbeing hub", "C Text line"]),
        ] {
            let found = search(ServiceFilter {
                age: Some(age),
                ..Default::default()
            })
            .await;
            assert_eq!(names(&found), expected, "age {age}");
        }
        // District ME14 matches the hub (district) and the text line (whole area); CT1 2AB
        // matches the community team (area CT); ME15 only the whole-area service.
        for (postcode, expected) in [
            ("ME14 1XX", vec!["A Wellbeing hub", "C Text line"]),
            ("ct1 2ab", vec!["B Community CYP", "C Text line"]),
            ("ME15 6AA", vec!["C Text line"]),
        ] {
            let found = search(ServiceFilter {
                postcode: Some(Postcode::parse(postcode).unwrap()),
                ..Default::default()
            })
            .await;
            assert_eq!(names(&found), expected, "postcode {postcode}");
        }
        assert_eq!(
            names(
                &search(ServiceFilter {
                    delivery_mode: Some(DeliveryMode::Online),
                    ..Default::default()
                })
                .await
            ),
            ["A Wellbeing hub"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    self_referral: Some(true),
                    ..Default::default()
                })
                .await
            ),
            ["A Wellbeing hub", "C Text line"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    self_referral: Some(false),
                    ..Default::default()
                })
                .await
            ),
            ["B Community CYP"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    organisation_id: Some(other_org),
                    ..Default::default()
                })
                .await
            ),
            ["C Text line"]
        );
        // Filters combine with AND; text is case-insensitive and `%` is literal.
        assert_eq!(
            names(
                &search(ServiceFilter {
                    need_group: Some(NeedGroup::GettingHelp),
                    age: Some(12),
                    self_referral: Some(true),
                    ..Default::default()
                })
                .await
            ),
            ["A Wellbeing hub"]
        );
        assert_eq!(
            names(
                &search(ServiceFilter {
                    text: Some("community".into()),
                    ..Default::default()
                })
                .await
            ),
            ["B Community CYP"]
        );
        assert!(search(ServiceFilter {
            text: Some("%".into()),
            ..Default::default()
        })
        .await
        .is_empty());
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn an_update_against_a_stale_version_is_a_conflict_and_changes_nothing() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let details = service(
            org,
            "Community CYP",
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 17),
        );
        let (created, v1) = t.store.create_service(&nwd_store::testing::acting("tester"), details.clone()).await.unwrap();

        let mut renamed = details.clone();
        renamed.name = "Community CYP (north)".into();
        let (_, v2) = t
            .store
            .update_service(&nwd_store::testing::acting("tester"), created.id, renamed.clone(), v1)
            .await
            .unwrap();
        assert_eq!(v2, v1 + 1);

        // A second editor still holding version 1.
        let mut stale = details.clone();
        stale.age_to = 25;
        match t.store.update_service(&nwd_store::testing::acting("tester"), created.id, stale, v1).await {
            Err(StoreError::Conflict {
                expected, current, ..
            }) => assert_eq!((expected, current), (v1, v2)),
            other => panic!("expected a conflict, got {other:?}"),
        }
        let (stored, version) = t.store.service(created.id).await.unwrap();
        assert_eq!(version, v2);
        assert_eq!(stored.details.name, "Community CYP (north)");
        assert_eq!(stored.details.age_to, 17);
        // The renamed service is found by its new name only.
        let found = t
            .store
            .search_services(&ServiceFilter {
                text: Some("north".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(names(&found), ["Community CYP (north)"]);

        // Organisations are versioned the same way.
        let (_, org_version) = t.store.organisation(org).await.unwrap();
        let renamed_org = OrganisationDetails {
            name: "Example NHS Foundation Trust".into(),
            kind: OrganisationKind::NhsTrust,
            ods_code: Some("RXX".into()),
        };
        let (_, next) = t
            .store
            .update_organisation(&nwd_store::testing::acting("tester"), org, renamed_org.clone(), org_version)
            .await
            .unwrap();
        assert!(matches!(
            t.store
                .update_organisation(&nwd_store::testing::acting("tester"), org, renamed_org, org_version)
                .await,
            Err(StoreError::Conflict { expected, current, .. }) if expected == org_version && current == next
        ));
        assert_eq!(
            t.store.organisation(org).await.unwrap().0.details.name,
            "Example NHS Foundation Trust"
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn invalid_details_are_refused_field_by_field_and_nothing_is_written() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let good = service(
            org,
            "Community CYP",
            TeamType::Community,
            &[NeedGroup::GettingHelp],
            (0, 17),
        );
        let (created, version) = t
            .store
            .create_service(&nwd_store::testing::acting("tester"), good.clone())
            .await
            .unwrap();
        let before = t.counts().await;

        let mut bad = good.clone();
        bad.name = "  ".into();
        bad.need_groups.clear();
        bad.age_from = 12;
        bad.age_to = 11;
        bad.areas = vec!["me14".into()];
        let fields = invalid_fields(
            t.store
                .create_service(&nwd_store::testing::acting("tester"), bad.clone())
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["name", "need_groups", "age_to", "areas[0]"]);
        let fields = invalid_fields(
            t.store
                .update_service(
                    &nwd_store::testing::acting("tester"),
                    created.id,
                    bad,
                    version,
                )
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["name", "need_groups", "age_to", "areas[0]"]);

        // A service of an organisation that is not in the directory.
        let mut orphan = good.clone();
        orphan.organisation_id = OrganisationId(uuid::Uuid::new_v4());
        let fields = invalid_fields(
            t.store
                .create_service(&nwd_store::testing::acting("tester"), orphan)
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["organisation_id"]);

        let fields = invalid_fields(
            t.store
                .create_organisation(
                    &nwd_store::testing::acting("tester"),
                    OrganisationDetails {
                        name: "".into(),
                        kind: OrganisationKind::LocalAuthority,
                        ods_code: Some("not an ods code".into()),
                    },
                )
                .await
                .unwrap_err(),
        );
        assert_eq!(fields, ["name", "ods_code"]);

        assert_eq!(t.counts().await, before);
        let (stored, stored_version) = t.store.service(created.id).await.unwrap();
        assert_eq!((stored, stored_version), (created, version));
    })
    .await;
}
