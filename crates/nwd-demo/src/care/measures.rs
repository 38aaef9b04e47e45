//! Routine outcome measures in the demo (issue 19): a measure chosen for the young person's
//! age at their first attended direct contact, recorded then (the baseline) and again when
//! the referral's last allocation closes (the follow-up), both as the domain's
//! `Command::RecordOutcome`. Draws come from their own stream (`Care::measures_rng`), so every
//! other draw is unchanged (a referral's later events may move by the minute a measure takes).
//!
//! Proportions the issue asks of the demo, per referral with at least two attended contacts
//! that closes: a baseline for [`BASELINE_CHANCE`] of them and a follow-up for
//! [`FOLLOW_UP_CHANCE`] of those, less the referrals that close otherwise (a transition, a
//! step that ends elsewhere): about 55 % paired. Of the paired, [`IMPROVE_WEIGHT`] ‰ improve
//! reliably and [`DETERIORATE_WEIGHT`] ‰ deteriorate — about half with meaningful improvement
//! and one in ten deteriorating. Each assessment records one scale, so the referral's
//! classification is the one drawn.

use nwd_domain::referral::outcome::{OutcomeAssessment, OutcomeRater, ScaleEntry};
use nwd_domain::referral::Command;
use rand::Rng;

use crate::draw::pick;

use super::{Care, Run};

/// Share of referrals with a baseline measure at the first attended contact.
pub(super) const BASELINE_CHANCE: f64 = 0.60;
/// Share of those with a baseline that record it again at the end.
pub(super) const FOLLOW_UP_CHANCE: f64 = 0.92;
/// Of the paired, per mille: reliable improvement.
const IMPROVE_WEIGHT: u32 = 520;
/// Of the paired, per mille: reliable deterioration.
const DETERIORATE_WEIGHT: u32 = 95;
/// Of the paired, per mille: no reliable change.
const NO_CHANGE_WEIGHT: u32 = 385;

/// Which way the young person's scores are going to move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Course {
    Improve,
    Deteriorate,
    Steady,
}

/// One scale of a bundled measure with what the demo needs to score it.
#[derive(Debug, Clone, Copy)]
struct Scale {
    measure: &'static str,
    rater: OutcomeRater,
    scale: &'static str,
    /// Lowest and highest score.
    range: (i32, i32),
    /// A usual first score, before help.
    baseline: (i32, i32),
    /// Reliable-change threshold, rounded up to a whole score (MHS112's fixed thresholds in
    /// `nwd_outcomes`'s measure files).
    threshold: i32,
    higher_is_better: bool,
}

const YP_CORE: Scale = Scale {
    measure: "yp_core",
    rater: OutcomeRater::YoungPerson,
    scale: "total",
    range: (0, 40),
    baseline: (16, 30),
    threshold: 8,
    higher_is_better: false,
};
const CORE_10: Scale = Scale {
    measure: "core_10",
    rater: OutcomeRater::YoungPerson,
    scale: "total",
    range: (0, 40),
    baseline: (15, 30),
    threshold: 5,
    higher_is_better: false,
};
const GBO: Scale = Scale {
    measure: "gbo",
    rater: OutcomeRater::YoungPerson,
    scale: "goal1",
    range: (0, 10),
    baseline: (1, 4),
    threshold: 3,
    higher_is_better: true,
};
const SDQ_PARENT: Scale = Scale {
    measure: "sdq_parent",
    rater: OutcomeRater::ParentOrCarer,
    scale: "emotional",
    range: (0, 10),
    baseline: (5, 9),
    threshold: 4,
    higher_is_better: false,
};
const ORS: Scale = Scale {
    measure: "ors",
    rater: OutcomeRater::YoungPerson,
    scale: "total",
    range: (0, 40),
    baseline: (10, 24),
    threshold: 7,
    higher_is_better: true,
};
const CGAS: Scale = Scale {
    measure: "cgas",
    rater: OutcomeRater::Clinician,
    scale: "total",
    range: (1, 100),
    baseline: (35, 60),
    threshold: 11,
    higher_is_better: true,
};

/// The measure for a young person of this age at referral (the measures' age ranges).
fn scale_for(rng: &mut crate::draw::DemoRng, age: u8) -> Scale {
    match age {
        0..=10 => pick(rng, &[(SDQ_PARENT, 70), (GBO, 15), (CGAS, 15)]),
        11..=15 => pick(rng, &[(YP_CORE, 55), (GBO, 25), (ORS, 5), (CGAS, 15)]),
        16..=17 => pick(
            rng,
            &[
                (YP_CORE, 35),
                (CORE_10, 25),
                (GBO, 20),
                (ORS, 10),
                (CGAS, 10),
            ],
        ),
        _ => pick(rng, &[(CORE_10, 60), (GBO, 20), (ORS, 20)]),
    }
}

/// The measure recorded at the start, and how it will move.
#[derive(Debug, Clone, Copy)]
pub(super) struct MeasurePlan {
    scale: Scale,
    first: i32,
    course: Course,
}

impl Care<'_> {
    /// After an attended direct contact that started at `start` (recorded at `at`): the
    /// baseline, if this was the referral's first attended direct contact and it is drawn.
    pub(super) fn record_baseline(&mut self, run: &mut Run<'_>, index: usize, at: i64, start: i64) {
        let attended = run
            .referral
            .contacts
            .iter()
            .filter(|c| c.is_attended_direct())
            .count();
        if attended != 1 || run.measures.is_some() {
            return;
        }
        let rng = &mut self.measures_rng;
        if !rng.gen_bool(BASELINE_CHANCE) {
            return;
        }
        let age = run
            .person
            .details
            .date_of_birth
            .until(
                self.clock
                    .timestamp(start)
                    .to_zoned(self.clock.tz.clone())
                    .date(),
            )
            .ok()
            .and_then(|s| {
                s.total((jiff::Unit::Year, run.person.details.date_of_birth))
                    .ok()
            })
            .map_or(14, |y| y.floor().clamp(0.0, 25.0) as u8);
        let scale = scale_for(rng, age);
        let course = pick(
            rng,
            &[
                (Course::Improve, IMPROVE_WEIGHT),
                (Course::Deteriorate, DETERIORATE_WEIGHT),
                (Course::Steady, NO_CHANGE_WEIGHT),
            ],
        );
        let mut first = rng.gen_range(scale.baseline.0..=scale.baseline.1);
        // Room to move by 1½ thresholds the way the course goes.
        let room = scale.threshold + scale.threshold / 2;
        let worse_up = !scale.higher_is_better;
        first = match (course, worse_up) {
            (Course::Deteriorate, true) | (Course::Improve, false) => {
                first.min(scale.range.1 - room)
            }
            (Course::Deteriorate, false) | (Course::Improve, true) => {
                first.max(scale.range.0 + room)
            }
            (Course::Steady, _) => first,
        };
        let plan = MeasurePlan {
            scale,
            first,
            course,
        };
        if self.record_measure(run, index, at, start, &plan, first, "baseline measure") {
            run.measures = Some(plan);
        }
    }

    /// Before the referral's last allocation closes at `at`: the follow-up, if drawn.
    pub(super) fn record_follow_up(&mut self, run: &mut Run<'_>, index: usize, at: i64) {
        let Some(plan) = run.measures else {
            return;
        };
        let ends_referral = run.episodes.iter().filter(|e| e.active).count() == 1
            && run.episodes.get(index).is_some_and(|e| {
                matches!(
                    e.ending,
                    super::Ending::Discharge(_) | super::Ending::Decline
                )
            });
        let last_open = ends_referral;
        if !last_open || !self.measures_rng.gen_bool(FOLLOW_UP_CHANCE) {
            return;
        }
        let s = plan.scale;
        let rng = &mut self.measures_rng;
        let size = match plan.course {
            Course::Improve | Course::Deteriorate => {
                rng.gen_range(s.threshold..=s.threshold + s.threshold / 2)
            }
            Course::Steady => rng.gen_range(0..s.threshold),
        };
        let better = match plan.course {
            Course::Improve => true,
            Course::Deteriorate => false,
            Course::Steady => rng.gen_bool(0.6),
        };
        let up = better == s.higher_is_better;
        let last = if up {
            plan.first + size
        } else {
            plan.first - size
        };
        let last = last.clamp(s.range.0, s.range.1);
        let when = at.max(run.last + crate::calendar::MINUTE);
        self.record_measure(run, index, when, when, &plan, last, "follow-up measure");
        run.measures = None;
    }

    #[allow(clippy::too_many_arguments, reason = "the assessment's facts")]
    fn record_measure(
        &mut self,
        run: &mut Run<'_>,
        index: usize,
        at: i64,
        completed: i64,
        plan: &MeasurePlan,
        score: i32,
        label: &str,
    ) -> bool {
        let Some(episode) = run.episodes.get(index) else {
            return false;
        };
        let (allocation, clinician) = (episode.allocation, episode.clinician);
        let command = Command::RecordOutcome(OutcomeAssessment {
            allocation_id: allocation,
            measure: plan.scale.measure.to_owned(),
            rater: plan.scale.rater,
            at: self.clock.timestamp(completed),
            scores: vec![ScaleEntry {
                scale: plan.scale.scale.to_owned(),
                score_tenths: score * 10,
            }],
            answers: Vec::new(),
        });
        self.execute(run, at, clinician, label, command).is_some()
    }
}
