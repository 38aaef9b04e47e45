//! Routine outcome measures on a referral (issue 19): what the domain accepts, and the pairing
//! and reliable change of the recorded scores as NHS England's MHS112.

use jiff::civil::date;

use nwd_domain::codes::{ContactStatus, ReferralSource, Sex};
use nwd_domain::referral::outcome::{
    norm_inputs, outcome_summary, OutcomeAssessment, OutcomeRater, ScaleEntry,
};
use nwd_domain::referral::{Command, Referral, ReferralKind};
use nwd_domain::{AllocationId, DomainError};
use nwd_outcomes::{Change, Overall};

use super::*;

fn record(
    allocation_id: AllocationId,
    measure: &str,
    rater: OutcomeRater,
    at: &str,
    scores: &[(&str, f64)],
) -> Command {
    Command::RecordOutcome(OutcomeAssessment {
        allocation_id,
        measure: measure.into(),
        rater,
        at: ts(at),
        scores: scores
            .iter()
            .map(|(scale, score)| ScaleEntry {
                scale: (*scale).into(),
                score_tenths: ScaleEntry::tenths(*score).unwrap(),
            })
            .collect(),
        answers: Vec::new(),
    })
}

/// A referral allocated to the community service; its allocation.
fn allocated(desk: &mut Desk) -> (Referral, AllocationId) {
    let mut referral = desk.receive(ReferralKind::Referral, ReferralSource::Gp);
    desk.given(
        &mut referral,
        TRIAGED,
        Command::Triage(triage(vec![allocate_to(COMMUNITY)])),
    );
    let allocation = referral.allocations[0].id;
    (referral, allocation)
}

fn invalid_fields(error: DomainError) -> Vec<String> {
    match error {
        DomainError::Invalid(errors) => errors.0.into_iter().map(|e| e.field).collect(),
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[test]
fn what_is_recorded_must_fit_the_measure_and_nothing_is_kept_when_it_does_not() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = allocated(&mut desk);
    let before = referral.clone();
    let cases: Vec<(Command, Vec<&str>)> = vec![
        (
            record(
                allocation,
                "phq_10",
                OutcomeRater::YoungPerson,
                NOW,
                &[("total", 5.0)],
            ),
            vec!["measure"],
        ),
        // Goal-Based Outcomes are rated by the young person, as NHS England files them.
        (
            record(
                allocation,
                "gbo",
                OutcomeRater::ParentOrCarer,
                NOW,
                &[("goal1", 5.0)],
            ),
            vec!["rater"],
        ),
        (
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                NOW,
                &[("depression", 5.0)],
            ),
            vec!["scores[0].scale"],
        ),
        (
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                NOW,
                &[("total", 5.0), ("total", 6.0)],
            ),
            vec!["scores[1].scale"],
        ),
        // PHQ-9 runs from 0 to 27: 27 is accepted below, 28 is not.
        (
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                NOW,
                &[("total", 28.0)],
            ),
            vec!["scores[0].score"],
        ),
        (
            record(allocation, "phq_9", OutcomeRater::YoungPerson, NOW, &[]),
            vec!["scores"],
        ),
        (
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                "2025-03-01T10:00:00Z",
                &[("total", 5.0)],
            ),
            vec!["at"],
        ),
        (
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                "2024-12-01T10:00:00Z",
                &[("total", 5.0)],
            ),
            vec!["at"],
        ),
    ];
    for (command, expected) in cases {
        let described = format!("{command:?}");
        let error = desk.run(&mut referral, NOW, command).unwrap_err();
        assert_eq!(invalid_fields(error), expected, "{described}");
        assert_eq!(referral, before, "nothing kept: {described}");
    }
    assert!(ScaleEntry::tenths(12.25).is_err(), "at most one decimal");
    assert_eq!(ScaleEntry::tenths(12.5), Ok(125));
    desk.given(
        &mut referral,
        NOW,
        record(
            allocation,
            "phq_9",
            OutcomeRater::YoungPerson,
            NOW,
            &[("total", 27.0)],
        ),
    );
    assert_eq!(referral.outcomes.len(), 1);
    assert_eq!(referral.outcomes[0].scores[0].score(), 27.0);
    // The history replays to the same state.
    assert_eq!(Referral::replay(&desk.history).unwrap(), referral);

    // Not on an allocation that has ended.
    desk.given(&mut referral, NOW, discharge(allocation));
    let error = desk
        .run(
            &mut referral,
            NOW,
            record(
                allocation,
                "phq_9",
                OutcomeRater::YoungPerson,
                NOW,
                &[("total", 5.0)],
            ),
        )
        .unwrap_err();
    assert!(
        !matches!(error, DomainError::Invalid(_)),
        "refused as a closed allocation: {error:?}"
    );
}

#[test]
fn scores_pair_from_the_first_and_second_contacts_and_change_reliably_as_mhs112() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = allocated(&mut desk);
    let r = &mut referral;
    // A score before the first contact does not count as the first (MHS112 pairs from the
    // first contact on).
    desk.given(
        r,
        "2025-01-09T10:00:00Z",
        record(
            allocation,
            "phq_9",
            OutcomeRater::YoungPerson,
            "2025-01-09T10:00:00Z",
            &[("total", 26.0)],
        ),
    );
    desk.given(
        r,
        "2025-01-10T10:00:00Z",
        contact(allocation, "2025-01-10T10:00:00Z", ContactStatus::Attended),
    );
    desk.given(
        r,
        "2025-01-10T11:00:00Z",
        record(
            allocation,
            "phq_9",
            OutcomeRater::YoungPerson,
            "2025-01-10T11:00:00Z",
            &[("total", 19.0)],
        ),
    );
    desk.given(
        r,
        "2025-01-10T11:05:00Z",
        record(
            allocation,
            "gad_7",
            OutcomeRater::YoungPerson,
            "2025-01-10T11:05:00Z",
            &[("total", 8.0)],
        ),
    );
    // One contact only: nothing is paired yet.
    let summary = outcome_summary(r, None, None);
    assert!(summary.scales.iter().all(|s| s.change.is_none()));
    assert!(summary.raters.is_empty());

    desk.given(
        r,
        "2025-01-24T10:00:00Z",
        contact(allocation, "2025-01-24T10:00:00Z", ContactStatus::Attended),
    );
    desk.given(
        r,
        "2025-01-24T11:00:00Z",
        record(
            allocation,
            "phq_9",
            OutcomeRater::YoungPerson,
            "2025-01-24T11:00:00Z",
            &[("total", 13.0)],
        ),
    );
    // GAD-7's threshold is 4 (lower is better): a rise of exactly 4 is a reliable
    // deterioration, of 3 is not.
    desk.given(
        r,
        "2025-01-24T11:05:00Z",
        record(
            allocation,
            "gad_7",
            OutcomeRater::YoungPerson,
            "2025-01-24T11:05:00Z",
            &[("total", 12.0)],
        ),
    );
    let summary = outcome_summary(r, None, None);
    let phq = summary
        .scales
        .iter()
        .find(|s| s.measure == "phq_9")
        .unwrap();
    // 19 → 13 is a fall of 6, PHQ-9's threshold: reliable improvement.
    assert_eq!(phq.paired, Some((19.0, 13.0)));
    assert_eq!(phq.change, Some(Change::Improved));
    assert_eq!(phq.scores.len(), 3, "every score is listed");
    let gad = summary
        .scales
        .iter()
        .find(|s| s.measure == "gad_7")
        .unwrap();
    assert_eq!(gad.change, Some(Change::Deteriorated));
    assert_eq!(summary.raters.len(), 1);
    assert_eq!(summary.raters[0].overall, Some(Overall::Deterioration));

    // One more GAD-7 just under the threshold from the first: no change, so the young
    // person's result is meaningful improvement.
    desk.given(
        r,
        "2025-01-31T11:05:00Z",
        record(
            allocation,
            "gad_7",
            OutcomeRater::YoungPerson,
            "2025-01-31T11:05:00Z",
            &[("total", 11.0)],
        ),
    );
    let summary = outcome_summary(r, None, None);
    let gad = summary
        .scales
        .iter()
        .find(|s| s.measure == "gad_7")
        .unwrap();
    assert_eq!(gad.change, Some(Change::NoChange));
    assert_eq!(
        summary.raters[0].overall,
        Some(Overall::MeaningfulImprovement)
    );
}

#[test]
fn rcads_is_judged_on_t_scores_for_the_childs_age_and_sex() {
    let mut desk = Desk::new(date(2011, 5, 20));
    let (mut referral, allocation) = allocated(&mut desk);
    let r = &mut referral;
    for (day, score) in [("2025-01-10", 20.0), ("2025-01-24", 12.0)] {
        let at = format!("{day}T10:00:00Z");
        desk.given(r, &at, contact(allocation, &at, ContactStatus::Attended));
        let later = format!("{day}T11:00:00Z");
        desk.given(
            r,
            &later,
            record(
                allocation,
                "rcads",
                OutcomeRater::YoungPerson,
                &later,
                &[("depression", score)],
            ),
        );
    }
    // Born 20 May 2011, referred 6 January 2025: 13. Female norm (12–13): mean 7.89, SD 3.91,
    // so 20 → 12 is T 80.97 → 60.51, a fall of 20.5 ≥ 17.73: reliable improvement. On raw
    // scores the fall of 8 would be no change.
    let (age, sex) = norm_inputs(r, date(2011, 5, 20), Sex::Female, &desk.tz);
    assert_eq!(age, Some(13));
    let summary = outcome_summary(r, age, sex);
    let (first, last) = summary.scales[0].paired.unwrap();
    assert!(
        (first - 80.97).abs() < 0.01 && (last - 60.51).abs() < 0.01,
        "{first} {last}"
    );
    assert_eq!(summary.scales[0].change, Some(Change::Improved));
    let raw = outcome_summary(r, None, None);
    assert_eq!(raw.scales[0].change, Some(Change::NoChange));
}
