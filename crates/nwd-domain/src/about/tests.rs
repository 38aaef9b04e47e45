//! Unit tests of the about-the-young-person record: uptake groups, later answers, what parents
//! do not see, and the text limits.

use super::*;

fn check(about: AboutYoungPerson, expected: &[&str]) {
    let keys: Vec<&str> = about.uptake_groups().iter().map(|g| g.key()).collect();
    assert_eq!(keys, expected);
}

#[test]
fn uptake_groups_tell_not_asked_from_prefer_not_to_say() {
    check(
        AboutYoungPerson::default(),
        &[
            "ethnicity_not_recorded",
            "gender_not_recorded",
            "no_group_recorded",
        ],
    );
    check(
        AboutYoungPerson {
            ethnicity: Some(EthnicCategory::NotStated),
            gender_same_as_sex_at_birth: Some(Answer::PreferNotToSay),
            looked_after: Some(Answer::PreferNotToSay),
            ..AboutYoungPerson::default()
        },
        &["ethnicity_prefer_not_to_say", "gender_prefer_not_to_say"],
    );
    check(
        AboutYoungPerson {
            ethnicity: Some(EthnicCategory::BlackAfrican),
            gender_same_as_sex_at_birth: Some(Answer::No),
            care_leaver: Some(Answer::Yes),
            autistic: Some(Neurodivergence::Suspected),
            adhd: Some(Neurodivergence::No),
            ..AboutYoungPerson::default()
        },
        &["ethnicity_black", "gender_trans", "care_leaver", "autistic"],
    );
    assert_eq!(UptakeGroup::ALL.len(), 20);
    for (i, g) in UptakeGroup::ALL.iter().enumerate() {
        assert_eq!(g.index(), i);
    }
}

#[test]
fn later_answers_win_and_unasked_questions_keep_the_record() {
    let old = AboutYoungPerson {
        ethnicity: Some(EthnicCategory::WhiteBritish),
        school: Some("Oakfield".into()),
        ..AboutYoungPerson::default()
    };
    let newer = AboutYoungPerson {
        ethnicity: Some(EthnicCategory::NotStated),
        young_carer: Some(Answer::Yes),
        ..AboutYoungPerson::default()
    };
    let merged = old.merged_with(&newer);
    assert_eq!(merged.ethnicity, Some(EthnicCategory::NotStated));
    assert_eq!(merged.school.as_deref(), Some("Oakfield"));
    assert_eq!(merged.young_carer, Some(Answer::Yes));
}

#[test]
fn parents_do_not_see_gender_identity() {
    let about = AboutYoungPerson {
        gender_identity: Some(GenderIdentity::NonBinary),
        gender_same_as_sex_at_birth: Some(Answer::No),
        sex_at_birth: Some(SexAtBirth::Female),
        school: Some("Oakfield".into()),
        ..AboutYoungPerson::default()
    };
    let seen = about.for_parent_carer();
    assert_eq!(seen.gender_identity, None);
    assert_eq!(seen.gender_same_as_sex_at_birth, None);
    assert_eq!(seen.sex_at_birth, None);
    assert_eq!(seen.school.as_deref(), Some("Oakfield"));
}

#[test]
fn long_or_control_text_is_refused_and_empty_text_is_not_asked() {
    let mut errors = ValidationErrors::new();
    let about = AboutYoungPerson {
        school: Some("  ".into()),
        gp_practice: Some("x".repeat(MAX_TEXT + 1)),
        ..AboutYoungPerson::default()
    }
    .normalise("about.", &mut errors);
    assert_eq!(about.school, None);
    assert!(!errors.is_empty());
}
