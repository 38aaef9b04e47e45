//! Synthetic people, referrals, services and commands for the tests. Nobody here is real;
//! NHS numbers come from the 999 test range.

use jiff::civil::Date;
use jiff::Timestamp;
use nwd_domain::codes::{
    ConsultationMechanism, ContactStatus, DeliveryMode, EthnicCategory, Priority, ReasonCode,
    ReferralSource, Sex, TeamType,
};
use nwd_domain::directory::{Capacity, OrganisationDetails, OrganisationKind, ServiceDetails};
use nwd_domain::need::{NeedGroup, RiskLevel};
use nwd_domain::person::{PersonDetails, PersonFlags};
use nwd_domain::referral::{
    Command, ContactInput, ContactKind, DestinationRequest, NewReferral, Referral, ReferralKind,
    Referrer, TriageCommand,
};
use nwd_domain::{AllocationId, NhsNumber, OrganisationId, Postcode, ReferralId, ServiceId};
use nwd_store::{Intake, Store};

use crate::backend::TestStore;

/// Test-range NHS numbers (valid check digits).
pub const NHS_A: &str = "9990000018";
pub const NHS_B: &str = "9990000026";

/// A synthetic young person.
pub fn person(given_name: &str, born: Date, nhs_number: Option<&str>) -> PersonDetails {
    PersonDetails {
        nhs_number: nhs_number.map(|n| NhsNumber::parse(n).unwrap()),
        given_name: given_name.to_string(),
        family_name: "Testperson".to_string(),
        preferred_name: None,
        date_of_birth: born,
        sex: Sex::NotKnown,
        gender_identity: None,
        ethnic_category: EthnicCategory::NotKnown,
        postcode: Some(Postcode::parse("ME14 1XX").unwrap()),
        address: None,
        school: None,
        gp_practice: None,
        flags: PersonFlags::default(),
        carers: Vec::new(),
        language: None,
        interpreter_needed: false,
    }
}

/// A referral from `source` with `priority`, received at `received_at`.
pub fn referral(source: ReferralSource, priority: Priority, received_at: Timestamp) -> NewReferral {
    NewReferral {
        kind: ReferralKind::Referral,
        source,
        priority,
        requested_priority: None,
        request_reason: None,
        reasons: vec![ReasonCode::Anxiety],
        presenting_needs: "Low mood and worry about school, described by the referrer.".into(),
        referrer: Referrer {
            name: "Synthetic Referrer".into(),
            role: Some("Designated safeguarding lead".into()),
            organisation: Some("Example School".into()),
            phone: None,
            email: None,
        },
        consent_to_share: Vec::new(),
        received_at,
        details: Default::default(),
    }
}

/// An intake of `person` with a routine GP referral received now.
pub fn intake(store: &Store, person: PersonDetails) -> Intake {
    Intake {
        person,
        referral: referral(ReferralSource::Gp, Priority::Routine, store.now()),
        about: Default::default(),
    }
}

/// Adds an organisation and returns its id.
pub async fn organisation(store: &Store) -> OrganisationId {
    let (organisation, version) = store
        .create_organisation(
            &nwd_store::testing::acting("tester"),
            OrganisationDetails {
                name: "Example NHS Trust".into(),
                kind: OrganisationKind::NhsTrust,
                ods_code: Some("RXX".into()),
            },
        )
        .await
        .unwrap();
    assert_eq!(version, 1);
    organisation.id
}

/// Service details with no standards of their own (the store fills in the defaults).
pub fn service(
    organisation_id: OrganisationId,
    name: &str,
    team_type: TeamType,
    need_groups: &[NeedGroup],
    ages: (i16, i16),
) -> ServiceDetails {
    ServiceDetails {
        organisation_id,
        name: name.to_string(),
        description: String::new(),
        need_groups: need_groups.to_vec(),
        age_from: ages.0,
        age_to: ages.1,
        team_type,
        delivery_modes: vec![DeliveryMode::FaceToFace],
        areas: Vec::new(),
        self_referral: false,
        capacity: Capacity {
            clinician_wte: 2.0,
            slots_per_week: 20,
        },
        standards: Vec::new(),
        active: true,
        offer: Default::default(),
        measurement: Default::default(),
    }
}

/// Adds a service and returns its id.
pub async fn add_service(store: &Store, details: ServiceDetails) -> ServiceId {
    store
        .create_service(&nwd_store::testing::acting("tester"), details)
        .await
        .unwrap()
        .0
        .id
}

/// Receives a referral about `person` (routine, from a GP, received now).
pub async fn receive(t: &TestStore, person: PersonDetails) -> Referral {
    receive_with(
        t,
        person,
        ReferralSource::Gp,
        Priority::Routine,
        t.clock.now(),
    )
    .await
}

/// Receives a referral with the given source, priority and received time.
pub async fn receive_with(
    t: &TestStore,
    person: PersonDetails,
    source: ReferralSource,
    priority: Priority,
    received_at: Timestamp,
) -> Referral {
    t.store
        .receive_referral(
            &nwd_store::testing::acting("spa-coordinator"),
            Intake {
                person,
                referral: referral(source, priority, received_at),
                about: Default::default(),
            },
            None,
            None,
        )
        .await
        .unwrap()
        .referral
}

/// Triage into `need_group`, allocating to `services`.
pub fn triage(need_group: NeedGroup, services: &[ServiceId]) -> Command {
    Command::Triage(TriageCommand {
        need_group,
        risk: RiskLevel::Low,
        priority: None,
        risk_review_on: None,
        rationale: "Agreed with the young person and family at the triage call.".into(),
        preference: None,
        destinations: services
            .iter()
            .map(|&service_id| DestinationRequest::Allocate { service_id })
            .collect(),
        competence: None,
    })
}

/// A contact on `allocation_id` at `at` with this attendance and mechanism.
pub fn contact(
    allocation_id: AllocationId,
    at: Timestamp,
    status: ContactStatus,
    mechanism: ConsultationMechanism,
) -> Command {
    Command::RecordContact(ContactInput {
        allocation_id,
        at,
        status,
        mechanism,
        clinician: "Synthetic Clinician".into(),
        duration_minutes: if status.is_attended() { 50 } else { 0 },
        kind: ContactKind::Direct,
    })
}

/// Executes `command` on the referral as last seen and checks that the stored projection is
/// what replaying the stored events gives, and what `execute` returned.
pub async fn run(t: &TestStore, referral: &Referral, command: Command) -> Referral {
    let (after, recorded) = t
        .store
        .execute(
            &nwd_store::testing::acting("tester"),
            referral.id,
            referral.version,
            command,
            "clinician-1",
        )
        .await
        .unwrap();
    assert!(!recorded.is_empty());
    assert_eq!(after.version, referral.version + recorded.len() as u32);
    let stored = assert_projection_is_replay(t, referral.id).await;
    assert_eq!(
        stored, after,
        "execute returned a state other than the one stored"
    );
    after
}

/// Asserts that the projection equals `Referral::replay` of the stored events; returns it.
pub async fn assert_projection_is_replay(t: &TestStore, id: ReferralId) -> Referral {
    let projection = t.store.referral(id).await.unwrap();
    let events = t.store.referral_events(id).await.unwrap();
    let replayed = Referral::replay(&events).unwrap();
    assert_eq!(
        projection, replayed,
        "projection differs from replayed events"
    );
    assert_eq!(projection.version as usize, events.len());
    projection
}
