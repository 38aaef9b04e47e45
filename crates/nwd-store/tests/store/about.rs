//! "About the young person" (migration 0013): the record is added to at intake (answers
//! given win, the rest kept), changed by staff only at the version read, every version kept;
//! and the dashboard's uptake table against hand-computed counts.

use jiff::civil::date;
use jiff::Timestamp;
use nwd_domain::about::{
    AboutYoungPerson, Answer, EthnicityGroup, GenderGroup, Neurodivergence, SexAtBirth, UptakeGroup,
};
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, EthnicCategory, GenderIdentity, Priority, ReferralSource,
    TeamType,
};
use nwd_domain::need::NeedGroup;
use nwd_store::dashboard::{DashboardQuery, Uptake};
use nwd_store::{Intake, StoreError};

use crate::backend::{for_each_backend, TestStore};
use crate::dashboard::Rng;
use crate::synthetic::{
    add_service, contact, organisation, person, referral, run, service, triage,
};

fn ts(value: &str) -> Timestamp {
    value.parse().unwrap()
}

/// Random answers (each question not asked, answered or "prefer not to say").
pub(crate) fn random_about(rng: &mut Rng) -> AboutYoungPerson {
    let mut about = AboutYoungPerson::default();
    let answer = |rng: &mut Rng| match rng.below(4) {
        0 => None,
        1 => Some(Answer::Yes),
        2 => Some(Answer::No),
        _ => Some(Answer::PreferNotToSay),
    };
    about.ethnicity =
        (rng.below(4) > 0).then(|| EthnicCategory::ALL[rng.below(EthnicCategory::ALL.len())]);
    about.gender_same_as_sex_at_birth = answer(rng);
    for name in [
        "looked_after",
        "care_leaver",
        "youth_justice",
        "send_ehcp",
        "young_carer",
        "disability",
    ] {
        about.set_group(name, answer(rng));
    }
    about.autistic =
        (rng.below(2) == 0).then(|| Neurodivergence::ALL[rng.below(Neurodivergence::ALL.len())]);
    about.sex_at_birth = match rng.below(4) {
        0 => None,
        1 => Some(nwd_domain::about::SexAtBirth::Female),
        2 => Some(nwd_domain::about::SexAtBirth::Male),
        _ => Some(nwd_domain::about::SexAtBirth::PreferNotToSay),
    };
    about
}

async fn receive_about(
    t: &TestStore,
    name: &str,
    nhs: Option<&str>,
    about: AboutYoungPerson,
    received_at: &str,
) -> nwd_domain::referral::Referral {
    t.store
        .receive_referral(
            &nwd_store::testing::acting("spa-coordinator"),
            Intake {
                person: person(name, date(2010, 5, 5), nhs),
                referral: referral(ReferralSource::Gp, Priority::Routine, ts(received_at)),
                about,
            },
            None,
            None,
        )
        .await
        .unwrap()
        .referral
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_record_is_added_to_at_intake_and_changed_only_at_the_version_read() {
    for_each_backend(|t| async move {
        let first = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::AsianPakistani),
            sex_at_birth: Some(SexAtBirth::Female),
            school: Some("  Oakfield Academy ".into()),
            ..AboutYoungPerson::default()
        };
        let r1 = receive_about(&t, "Ada", Some("9990000018"), first, "2025-03-01T09:00:00Z").await;
        let stored = t.store.person_about(r1.person_id).await.unwrap();
        assert_eq!(stored.version, 1);
        assert_eq!(stored.about.school.as_deref(), Some("Oakfield Academy"));

        // A second referral for the same person adds its answers; unasked ones are kept.
        let later = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::NotStated),
            young_carer: Some(Answer::Yes),
            ..AboutYoungPerson::default()
        };
        let r2 = receive_about(&t, "Ada", Some("9990000018"), later, "2025-03-02T09:00:00Z").await;
        assert_eq!(r2.person_id, r1.person_id);
        let stored = t.store.person_about(r1.person_id).await.unwrap();
        assert_eq!(stored.version, 2);
        assert_eq!(stored.about.ethnicity, Some(EthnicCategory::NotStated));
        assert_eq!(stored.about.sex_at_birth, Some(SexAtBirth::Female));
        assert_eq!(stored.about.young_carer, Some(Answer::Yes));

        // A referral asking nothing writes nothing.
        receive_about(
            &t,
            "Ada",
            Some("9990000018"),
            AboutYoungPerson::default(),
            "2025-03-02T10:00:00Z",
        )
        .await;
        assert_eq!(t.store.person_about(r1.person_id).await.unwrap().version, 2);

        // Staff change it at the version they read; a stale version is a conflict and
        // changes nothing.
        let mut changed = stored.about.clone();
        changed.gender_identity = Some(GenderIdentity::NonBinary);
        changed.gender_same_as_sex_at_birth = Some(Answer::No);
        assert_eq!(
            t.store
                .update_person_about(
                    &nwd_store::testing::acting("clinician-1"),
                    r1.person_id,
                    2,
                    changed.clone()
                )
                .await
                .unwrap(),
            3
        );
        let stale = t
            .store
            .update_person_about(
                &nwd_store::testing::acting("clinician-2"),
                r1.person_id,
                2,
                AboutYoungPerson::default(),
            )
            .await;
        assert!(
            matches!(stale, Err(StoreError::Conflict { current: 3, .. })),
            "{stale:?}"
        );
        let stored = t.store.person_about(r1.person_id).await.unwrap();
        assert_eq!(stored.about, changed);
        assert_eq!(stored.updated_by.as_deref(), Some("user:clinician-1"));

        // Bad free text is refused, naming the field, and nothing is written.
        let bad = AboutYoungPerson {
            gp_practice: Some("x".repeat(500)),
            ..AboutYoungPerson::default()
        };
        match t
            .store
            .update_person_about(
                &nwd_store::testing::acting("clinician-1"),
                r1.person_id,
                3,
                bad,
            )
            .await
        {
            Err(StoreError::Domain(nwd_domain::DomainError::Invalid(errors))) => {
                assert_eq!(errors.0[0].field, "gp_practice");
            }
            other => panic!("expected a validation error, got {other:?}"),
        }
        assert_eq!(t.store.person_about(r1.person_id).await.unwrap().version, 3);

        // Every version is kept, with its door and author.
        let changes = t.store.person_about_changes(r1.person_id).await.unwrap();
        let doors: Vec<(u32, &str, &str)> = changes
            .iter()
            .map(|(v, door, by, _)| (*v, door.as_str(), by.as_str()))
            .collect();
        assert_eq!(
            doors,
            [
                (1, "intake", "user:spa-coordinator"),
                (2, "intake", "user:spa-coordinator"),
                (3, "staff", "user:clinician-1")
            ]
        );
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uptake_by_group_matches_hand_computed_counts() {
    for_each_backend(|t| async move {
        let org = organisation(&t.store).await;
        let community = add_service(
            &t.store,
            service(
                org,
                "Community CYP",
                TeamType::Community,
                &[NeedGroup::GettingHelp],
                (0, 18),
            ),
        )
        .await;
        t.clock.set("2025-01-25T09:00:00Z");
        // Ada: Black African, trans, looked after, suspected autism. Two January referrals
        // (the same person by NHS number); the first allocated and seen.
        let ada = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::BlackAfrican),
            gender_same_as_sex_at_birth: Some(Answer::No),
            looked_after: Some(Answer::Yes),
            autistic: Some(Neurodivergence::Suspected),
            ..AboutYoungPerson::default()
        };
        let r1 = receive_about(&t, "Ada", Some("9990000018"), ada, "2025-01-10T09:00:00Z").await;
        let r1 = run(&t, &r1, triage(NeedGroup::GettingHelp, &[community])).await;
        run(
            &t,
            &r1,
            contact(
                r1.allocations[0].id,
                ts("2025-01-20T10:00:00Z"),
                ContactStatus::Attended,
                ConsultationMechanism::FaceToFace,
            ),
        )
        .await;
        receive_about(
            &t,
            "Ada",
            Some("9990000018"),
            AboutYoungPerson::default(),
            "2025-01-20T09:00:00Z",
        )
        .await;
        // Bea: White British, not trans, not looked after; allocated, not yet seen. Her
        // February referral is outside the period.
        let bea = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::WhiteBritish),
            gender_same_as_sex_at_birth: Some(Answer::Yes),
            looked_after: Some(Answer::No),
            ..AboutYoungPerson::default()
        };
        let r3 = receive_about(&t, "Bea", None, bea.clone(), "2025-01-12T09:00:00Z").await;
        run(&t, &r3, triage(NeedGroup::GettingHelp, &[community])).await;
        // Cal: nothing recorded. Dev: prefers not to say, a young carer.
        let cal = receive_about(
            &t,
            "Cal",
            None,
            AboutYoungPerson::default(),
            "2025-01-14T09:00:00Z",
        )
        .await;
        let dev = AboutYoungPerson {
            ethnicity: Some(EthnicCategory::NotStated),
            gender_same_as_sex_at_birth: Some(Answer::PreferNotToSay),
            young_carer: Some(Answer::Yes),
            ..AboutYoungPerson::default()
        };
        receive_about(&t, "Dev", None, dev, "2025-01-15T09:00:00Z").await;
        t.clock.set("2025-02-10T09:00:00Z");
        receive_about(&t, "Bea", None, bea, "2025-02-03T09:00:00Z").await;

        let query = DashboardQuery {
            from: date(2025, 1, 1),
            months: 1,
            service_id: None,
        };
        let u = |received, accepted, seen| Uptake {
            received,
            accepted,
            seen,
        };
        let mut expected = vec![Uptake::default(); UptakeGroup::ALL.len()];
        for (group, counts) in [
            (UptakeGroup::Ethnicity(EthnicityGroup::Black), u(2, 1, 1)),
            (UptakeGroup::Ethnicity(EthnicityGroup::White), u(1, 1, 0)),
            (
                UptakeGroup::Ethnicity(EthnicityGroup::PreferNotToSay),
                u(1, 0, 0),
            ),
            (
                UptakeGroup::Ethnicity(EthnicityGroup::NotRecorded),
                u(1, 0, 0),
            ),
            (UptakeGroup::Gender(GenderGroup::Trans), u(2, 1, 1)),
            (UptakeGroup::Gender(GenderGroup::NotTrans), u(1, 1, 0)),
            (UptakeGroup::Gender(GenderGroup::PreferNotToSay), u(1, 0, 0)),
            (UptakeGroup::Gender(GenderGroup::NotRecorded), u(1, 0, 0)),
            (UptakeGroup::LookedAfter, u(2, 1, 1)),
            (UptakeGroup::Autistic, u(2, 1, 1)),
            (UptakeGroup::YoungCarer, u(1, 0, 0)),
            (UptakeGroup::NoGroupRecorded, u(1, 0, 0)),
        ] {
            expected[group.index()] = counts;
        }
        let fresh = t.store.compute_dashboard(&query).await.unwrap();
        assert_eq!(fresh.uptake, expected);
        let served = t.store.dashboard(&query).await.unwrap();
        assert_eq!(served.uptake, expected);

        // A staff change moves Cal into a group: the kept figures follow at once.
        let youth_justice = AboutYoungPerson {
            youth_justice: Some(Answer::Yes),
            ..AboutYoungPerson::default()
        };
        t.store
            .update_person_about(
                &nwd_store::testing::acting("clinician-1"),
                cal.person_id,
                0,
                youth_justice,
            )
            .await
            .unwrap();
        expected[UptakeGroup::YouthJustice.index()] = u(1, 0, 0);
        expected[UptakeGroup::NoGroupRecorded.index()] = u(0, 0, 0);
        assert_eq!(t.store.dashboard(&query).await.unwrap().uptake, expected);
        assert_eq!(
            t.store.compute_dashboard(&query).await.unwrap().uptake,
            expected
        );
    })
    .await;
}
