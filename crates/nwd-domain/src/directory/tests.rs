//! Unit tests of the directory: a good service validates and covers its areas, and a bad one
//! names each field.

use super::*;
use uuid::Uuid;

pub(super) fn service() -> ServiceDetails {
    ServiceDetails {
        organisation_id: OrganisationId(Uuid::nil()),
        name: "Test service".into(),
        description: String::new(),
        need_groups: vec![NeedGroup::GettingHelp],
        age_from: 5,
        age_to: 17,
        team_type: TeamType::Community,
        delivery_modes: vec![DeliveryMode::FaceToFace],
        areas: vec!["ME".into(), "CT1".into()],
        self_referral: true,
        capacity: Capacity {
            clinician_wte: 4.5,
            slots_per_week: 60,
        },
        standards: vec![],
        active: true,
        offer: Default::default(),
        measurement: Default::default(),
    }
}

#[test]
fn a_good_service_validates_and_covers_its_areas() {
    let s = service();
    assert!(s.validate().is_empty());
    assert!(s.covers(&Postcode::parse("ME14 1XX").unwrap()));
    assert!(s.covers(&Postcode::parse("CT1 2AB").unwrap()));
    assert!(!s.covers(&Postcode::parse("CT2 2AB").unwrap()));
    assert!(s.serves_age(17) && !s.serves_age(18) && !s.serves_age(4));
}

#[test]
fn bad_services_name_each_field() {
    let mut s = service();
    s.name = " ".into();
    s.need_groups.clear();
    s.age_to = 26;
    s.areas = vec!["me14".into()];
    s.delivery_modes.clear();
    let fields: Vec<String> = s.validate().0.into_iter().map(|e| e.field).collect();
    assert_eq!(
        fields,
        [
            "name",
            "need_groups",
            "age_to",
            "delivery_modes",
            "areas[0]"
        ]
    );
}
