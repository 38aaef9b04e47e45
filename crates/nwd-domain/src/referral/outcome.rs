//! Routine outcome measures on a referral (issue 19): a questionnaire's scale scores recorded
//! at an allocation ([`OutcomeAssessment`], event `outcome_recorded`), and what they show — the
//! first and last score of each scale paired and judged for reliable change exactly as NHS
//! England's CYP outcome metric MHS112 does, and the referral's result per rater
//! ([`outcome_summary`]). The measures' definitions, thresholds and the MHS112 rules are
//! `nwd_outcomes`'s (bundled measures, each constant citing NHS England's code); this module
//! checks what is recorded against them and keeps it in the referral's history.
//!
//! Rules (each with a test in `tests/domain/outcomes.rs`):
//! - the measure is a bundled one, completed by a rater it allows (e.g. GBO by the young
//!   person); each scale is the measure's, given once, and at least one is given;
//! - a score lies in the scale's range and has at most one decimal place (stored in tenths,
//!   so that the history stays exact);
//! - it is recorded on an active allocation, by that allocation's team (see
//!   [`super::authority`]), dated no later than now and no earlier than the referral.
//!
//! Pairing as MHS112: the first score on or after the first attended direct contact, the last
//! a later one on or after the second; with fewer than two such contacts there is no pair.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::codes::Sex as PersonSex;
use crate::error::ValidationErrors;
use crate::ids::AllocationId;
use crate::referral::Referral;

/// Who completed a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum OutcomeRater {
    /// The young person (`self`).
    #[serde(rename = "self")]
    YoungPerson,
    /// A parent or carer.
    #[serde(rename = "parent")]
    ParentOrCarer,
    /// The clinician.
    #[serde(rename = "clinician")]
    Clinician,
}

impl OutcomeRater {
    /// Every rater, in a form's order.
    pub const ALL: [OutcomeRater; 3] = [
        OutcomeRater::YoungPerson,
        OutcomeRater::ParentOrCarer,
        OutcomeRater::Clinician,
    ];

    /// The code (`self`, `parent`, `clinician`), as NHS England's `Der_Rater`.
    pub fn code(self) -> &'static str {
        self.measure_rater().code()
    }

    /// In words.
    pub fn label(self) -> &'static str {
        match self {
            OutcomeRater::YoungPerson => "Young person",
            OutcomeRater::ParentOrCarer => "Parent or carer",
            OutcomeRater::Clinician => "Clinician",
        }
    }

    /// Parses a code.
    pub fn parse(code: &str) -> Result<OutcomeRater, String> {
        OutcomeRater::ALL
            .into_iter()
            .find(|r| r.code() == code)
            .ok_or_else(|| format!("unknown rater {code:?}; allowed: self, parent, clinician"))
    }

    /// The same rater as the measure definitions name it.
    pub fn measure_rater(self) -> nwd_outcomes::Rater {
        match self {
            OutcomeRater::YoungPerson => nwd_outcomes::Rater::YoungPerson,
            OutcomeRater::ParentOrCarer => nwd_outcomes::Rater::ParentOrCarer,
            OutcomeRater::Clinician => nwd_outcomes::Rater::Clinician,
        }
    }
}

/// One scale's score, in tenths (12.5 is 125): exact in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScaleEntry {
    /// The scale, e.g. `total`, `depression`, `goal1`.
    pub scale: String,
    /// The raw score in tenths.
    pub score_tenths: i32,
}

impl ScaleEntry {
    /// The score as a number.
    pub fn score(&self) -> f64 {
        f64::from(self.score_tenths) / 10.0
    }

    /// A score to tenths: finite, at most one decimal place.
    pub fn tenths(score: f64) -> Result<i32, String> {
        let tenths = (score * 10.0).round();
        if !score.is_finite() || (score * 10.0 - tenths).abs() > 1e-6 || tenths.abs() > 1e6 {
            return Err("give the score as a number with at most one decimal place".into());
        }
        Ok(tenths as i32)
    }
}

/// A measure's scores recorded at one assessment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutcomeAssessment {
    /// The allocation (service) it was completed for.
    pub allocation_id: AllocationId,
    /// The measure's code, e.g. `phq_9`, `rcads`, `gbo`.
    pub measure: String,
    /// Who completed it.
    pub rater: OutcomeRater,
    /// When it was completed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
    /// The scale scores.
    pub scores: Vec<ScaleEntry>,
    /// The answer to each question, when the questionnaire itself was completed (through a
    /// link, or sent as a FHIR `QuestionnaireResponse`); empty when scores were entered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<ItemAnswer>,
}

/// One question's answer, in tenths (as scores are).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemAnswer {
    /// The question's id in the measure, e.g. `q3`.
    pub item: String,
    /// The answer's value in tenths.
    pub value_tenths: i32,
}

impl OutcomeAssessment {
    /// Checks the measure, rater, scales and scores against the bundled definitions (the
    /// dates and the allocation are the command's to check).
    pub fn check(&self, errors: &mut ValidationErrors) {
        let set = nwd_outcomes::bundled();
        let Some(index) = set.measure_index(&self.measure) else {
            let known: Vec<&str> = set.measures().iter().map(|m| m.code.as_str()).collect();
            errors.add(
                "measure",
                format!(
                    "unknown measure {:?}; known: {}",
                    self.measure,
                    known.join(", ")
                ),
            );
            return;
        };
        let definition = &set.measures()[index];
        if !set.rater_allowed(index, self.rater.measure_rater()) {
            errors.add(
                "rater",
                format!(
                    "{} is not completed by {}",
                    definition.name,
                    self.rater.label().to_lowercase()
                ),
            );
        }
        if self.scores.is_empty() {
            errors.add("scores", "give at least one scale's score");
        }
        for (i, answer) in self.answers.iter().enumerate() {
            let allowed = definition.item(&answer.item).is_some_and(|item| {
                definition
                    .response_sets
                    .get(&item.responses)
                    .is_some_and(|set| set.allows(f64::from(answer.value_tenths) / 10.0))
            });
            if !allowed {
                errors.add(
                    format!("answers[{i}]"),
                    format!(
                        "{} has no question {:?} with that answer",
                        definition.name, answer.item
                    ),
                );
            }
        }
        let mut seen: Vec<&str> = Vec::new();
        for (i, entry) in self.scores.iter().enumerate() {
            let field = format!("scores[{i}].scale");
            let Some(scale) = definition.scales.iter().find(|s| s.id == entry.scale) else {
                let scales: Vec<&str> = definition.scales.iter().map(|s| s.id.as_str()).collect();
                errors.add(
                    field,
                    format!(
                        "{} has no scale {:?}; its scales: {}",
                        definition.name,
                        entry.scale,
                        scales.join(", ")
                    ),
                );
                continue;
            };
            if seen.contains(&entry.scale.as_str()) {
                errors.add(field, format!("scale {:?} is given twice", entry.scale));
                continue;
            }
            seen.push(&entry.scale);
            let (low, high) = definition.raw_range(scale);
            let score = entry.score();
            if score < low || score > high {
                errors.add(
                    format!("scores[{i}].score"),
                    format!(
                        "{} {} scores run from {low} to {high}",
                        definition.name, scale.id
                    ),
                );
            }
        }
    }
}

/// One scale's first and last score and their change.
#[derive(Debug, Clone, PartialEq)]
pub struct ScaleOutcome {
    /// The measure's code.
    pub measure: String,
    /// The measure's name, e.g. "PHQ-9".
    pub measure_name: String,
    /// Who completed it.
    pub rater: OutcomeRater,
    /// The scale.
    pub scale: String,
    /// Every score recorded, oldest first (raw).
    pub scores: Vec<(Timestamp, f64)>,
    /// The first and last score compared (T-scores where NHS England converts), when
    /// paired.
    pub paired: Option<(f64, f64)>,
    /// Reliable change, when paired and the scale has a threshold.
    pub change: Option<nwd_outcomes::Change>,
}

/// The referral's outcome result for one rater.
#[derive(Debug, Clone, PartialEq)]
pub struct RaterOutcome {
    /// Who.
    pub rater: OutcomeRater,
    /// Meaningful improvement, deterioration or no change; `None` with no paired scale.
    pub overall: Option<nwd_outcomes::Overall>,
}

/// What a referral's outcome measures show.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct OutcomeSummary {
    /// Per measure, rater and scale, in the order first recorded.
    pub scales: Vec<ScaleOutcome>,
    /// Per rater with at least one paired scale.
    pub raters: Vec<RaterOutcome>,
}

/// The child's age in whole years at referral and sex, for the T-score norms.
pub fn norm_inputs(
    referral: &Referral,
    date_of_birth: jiff::civil::Date,
    sex: PersonSex,
    tz: &jiff::tz::TimeZone,
) -> (Option<u8>, Option<nwd_outcomes::Sex>) {
    norm_inputs_at(referral.received_at, date_of_birth, sex, tz)
}

/// [`norm_inputs`] from the instant the referral was received.
pub fn norm_inputs_at(
    received_at: Timestamp,
    date_of_birth: jiff::civil::Date,
    sex: PersonSex,
    tz: &jiff::tz::TimeZone,
) -> (Option<u8>, Option<nwd_outcomes::Sex>) {
    let received = received_at.to_zoned(tz.clone()).date();
    let age = date_of_birth
        .until(received)
        .ok()
        .and_then(|span| {
            span.total((jiff::Unit::Year, date_of_birth))
                .ok()
                .map(|y| y.floor())
        })
        .and_then(|y| u8::try_from(y as i64).ok());
    let sex = match sex {
        PersonSex::Male => Some(nwd_outcomes::Sex::Male),
        PersonSex::Female => Some(nwd_outcomes::Sex::Female),
        _ => None,
    };
    (age, sex)
}

/// Pairs and judges every scale recorded on `referral` as MHS112 does; `age` and `sex` choose
/// the T-score norms (RCADS).
pub fn outcome_summary(
    referral: &Referral,
    age: Option<u8>,
    sex: Option<nwd_outcomes::Sex>,
) -> OutcomeSummary {
    let contacts: Vec<Timestamp> = referral
        .contacts
        .iter()
        .filter(|c| c.is_attended_direct())
        .map(|c| c.at)
        .collect();
    summarise(&referral.outcomes, contacts, age, sex)
}

/// [`outcome_summary`] from its parts alone: the referral's recorded measures and the
/// instants of its attended direct contacts (in any order). A list that keeps these without
/// the whole history (the dashboard's mirror) judges exactly as the referral page does.
pub fn summarise(
    outcomes: &[OutcomeAssessment],
    mut contacts: Vec<Timestamp>,
    age: Option<u8>,
    sex: Option<nwd_outcomes::Sex>,
) -> OutcomeSummary {
    let set = nwd_outcomes::bundled();
    contacts.sort();
    let mut scales: Vec<ScaleOutcome> = Vec::new();
    for assessment in outcomes {
        for entry in &assessment.scores {
            let found = scales.iter_mut().find(|s| {
                s.measure == assessment.measure
                    && s.rater == assessment.rater
                    && s.scale == entry.scale
            });
            match found {
                Some(scale) => scale.scores.push((assessment.at, entry.score())),
                None => scales.push(ScaleOutcome {
                    measure: assessment.measure.clone(),
                    measure_name: set
                        .get(&assessment.measure)
                        .map(|m| m.name.clone())
                        .unwrap_or_else(|| assessment.measure.clone()),
                    rater: assessment.rater,
                    scale: entry.scale.clone(),
                    scores: vec![(assessment.at, entry.score())],
                    paired: None,
                    change: None,
                }),
            }
        }
    }
    let mut raters: Vec<(OutcomeRater, nwd_outcomes::OutcomeTally)> = Vec::new();
    for scale in &mut scales {
        scale.scores.sort_by_key(|(at, _)| *at);
        let Some(&first_contact) = contacts.first() else {
            continue;
        };
        let judged = set.judge_assessments(
            &scale.measure,
            &scale.scale,
            &scale.scores,
            first_contact,
            contacts.get(1).copied(),
            age,
            sex,
        );
        if let Some((paired, change)) = judged {
            scale.paired = Some((paired.first, paired.last));
            scale.change = Some(change);
            match raters.iter_mut().find(|(r, _)| *r == scale.rater) {
                Some((_, tally)) => tally.add(change),
                None => {
                    let mut tally = nwd_outcomes::OutcomeTally::default();
                    tally.add(change);
                    raters.push((scale.rater, tally));
                }
            }
        }
    }
    raters.sort_by_key(|(r, _)| *r);
    OutcomeSummary {
        scales,
        raters: raters
            .into_iter()
            .map(|(rater, tally)| RaterOutcome {
                rater,
                overall: tally.overall(),
            })
            .collect(),
    }
}

/// The most goals agreed at once (Goal-Based Outcomes: up to three).
pub const MAX_GOALS: usize = 3;
/// The longest goal, in characters.
pub const MAX_GOAL_CHARS: usize = 200;

/// Goals agreed with the young person for Goal-Based Outcomes (GBO), in their words: goal 1 is
/// the scale `goal1`, and so on. Agreeing goals again replaces the wording from then on; each
/// rating keeps the scale it was given on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct GoalsCommand {
    /// The allocation (service) the goals are worked on with.
    pub allocation_id: AllocationId,
    /// One to three goals, in the young person's words.
    pub goals: Vec<String>,
}

impl GoalsCommand {
    /// Checks the goals: one to three, each said in a few words and at most
    /// [`MAX_GOAL_CHARS`] characters.
    pub fn check(&self, errors: &mut ValidationErrors) {
        if self.goals.is_empty() || self.goals.len() > MAX_GOALS {
            errors.add("goals", format!("agree one to {MAX_GOALS} goals"));
        }
        for (i, goal) in self.goals.iter().enumerate() {
            let words = goal.trim();
            if words.is_empty() {
                errors.add(
                    format!("goals[{i}]"),
                    "write the goal in the young person's words",
                );
            } else if words.chars().count() > MAX_GOAL_CHARS {
                errors.add(
                    format!("goals[{i}]"),
                    format!("keep a goal to {MAX_GOAL_CHARS} characters"),
                );
            }
        }
    }
}

/// Goals agreed on an allocation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgreedGoals {
    /// The allocation.
    pub allocation_id: AllocationId,
    /// The goals, goal 1 first.
    pub goals: Vec<String>,
    /// When agreed.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: Timestamp,
}

impl Referral {
    /// The wording of a GBO scale (`goal1`…`goal3`) on an allocation, as last agreed.
    pub fn goal_wording(&self, allocation_id: AllocationId, scale: &str) -> Option<&str> {
        let index: usize = scale.strip_prefix("goal")?.parse().ok()?;
        self.goals
            .iter()
            .rev()
            .find(|g| g.allocation_id == allocation_id)
            .and_then(|g| g.goals.get(index.checked_sub(1)?))
            .map(String::as_str)
    }
}
