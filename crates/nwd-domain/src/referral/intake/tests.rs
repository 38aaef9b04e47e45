use super::*;
use jiff::civil::date;

fn parent() -> FamilyContact {
    FamilyContact {
        name: "Sam Example".into(),
        relationship: "Mother".into(),
        phone: Some("01632 960 001".into()),
        email: None,
        safety: ContactSafety::Yes,
        how: None,
    }
}

fn not_sought() -> NotSought {
    NotSought {
        reason: NotSoughtReason::RiskToChild,
        detail: String::new(),
    }
}

/// The safeguarding rule: consent not sought → the family is never contacted, whatever
/// the sender said about contacting them.
#[test]
fn on_the_safeguarding_route_the_family_is_marked_do_not_contact() {
    let details = IntakeDetails {
        family_contact: Some(parent()),
        not_sought: Some(not_sought()),
        ..IntakeDetails::default()
    }
    .normalise();
    assert_eq!(
        details.family_contact.as_ref().map(|c| c.safety),
        Some(ContactSafety::DoNotContact)
    );
    assert!(!details.may_contact_family());
    // Without the route, the same contact may be used.
    let agreed = IntakeDetails {
        family_contact: Some(parent()),
        ..IntakeDetails::default()
    }
    .normalise();
    assert!(agreed.may_contact_family());
    assert_eq!(
        agreed.family_contact.map(|c| c.safety),
        Some(ContactSafety::Yes)
    );
}

#[test]
fn a_referral_needs_someone_to_contact_unless_safeguarding_or_16_with_own_contact() {
    let today = date(2026, 12, 5);
    let fifteen = Some(date(2011, 6, 1));
    let sixteen = Some(date(2010, 6, 1));
    let none = IntakeDetails::default();
    let own = IntakeDetails {
        young_person_phone: Some("07700 900 982".into()),
        ..IntakeDetails::default()
    };
    let referral = ReferralKind::Referral;
    assert!(none.missing_contact(referral, fifteen, today).is_some());
    assert!(none
        .missing_contact(ReferralKind::AdviceRequest, fifteen, today)
        .is_none());
    assert!(own.missing_contact(referral, fifteen, today).is_some());
    assert!(own.missing_contact(referral, sixteen, today).is_none());
    let family = IntakeDetails {
        family_contact: Some(parent()),
        ..IntakeDetails::default()
    };
    assert!(family.missing_contact(referral, fifteen, today).is_none());
    let route = IntakeDetails {
        not_sought: Some(not_sought()),
        ..IntakeDetails::default()
    };
    assert!(route.missing_contact(referral, fifteen, today).is_none());
}

#[test]
fn bad_contact_details_and_an_unexplained_other_reason_are_refused_by_field() {
    let details = IntakeDetails {
        family_contact: Some(FamilyContact {
            phone: Some("abc".into()),
            relationship: " ".into(),
            ..parent()
        }),
        not_sought: Some(NotSought {
            reason: NotSoughtReason::Other,
            detail: " ".into(),
        }),
        ..IntakeDetails::default()
    };
    let mut errors = ValidationErrors::new();
    details.validate("details.", &mut errors);
    let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
    assert!(
        fields.contains(&"details.family_contact.phone"),
        "{fields:?}"
    );
    assert!(
        fields.contains(&"details.family_contact.relationship"),
        "{fields:?}"
    );
    assert!(fields.contains(&"details.not_sought.detail"), "{fields:?}");
    let mut fine = ValidationErrors::new();
    IntakeDetails {
        family_contact: Some(parent()),
        ..IntakeDetails::default()
    }
    .validate("details.", &mut fine);
    assert!(fine.0.is_empty());
}
