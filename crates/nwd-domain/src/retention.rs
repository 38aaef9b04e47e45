//! How long a young person's record is kept, and the date after which it is destroyed.
//!
//! Defaults follow the NHS England *Records Management Code of Practice* (2021, carried into
//! the 2023 edition), Appendix II (retention schedule). A child's mental health record falls
//! under two of its entries, and the Code asks for the **longest** applicable period:
//! - "Children's records": **until the 25th birthday, or the 26th if the young person was 17
//!   at the conclusion of treatment, or 8 years after death**;
//! - "Mental health records (including psychology)": **20 years after no further treatment
//!   was considered necessary, or 10 years after death if sooner** (the 2021 Code raised the
//!   after-death period from 8 to 10 years; summary: Medical Defence Union, "Updated guidance
//!   on medical records management", 2021).
//!
//! So by default a record is kept until the later of the two dates. Setting
//! [`RetentionRules::min_years_after_conclusion`] to 0 applies the children's entry alone. An
//! area must confirm the rules against the Code edition in force and its own records policy:
//! every number here is configuration (`config/retention.toml`), shipped with its source.
//!
//! Pure: the facts (date of birth, conclusion, death) come from the store.

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::person::{age_in_years, birthday};

/// The retention rules in force (configuration with its source).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRules {
    /// Where the numbers come from (shown in the stub and the run report).
    pub source: String,
    /// Keep until this birthday (25).
    pub until_birthday: i16,
    /// If the young person was this age at the conclusion of treatment (17)…
    pub older_at_conclusion_age: i16,
    /// …keep until this birthday instead (26).
    pub older_until_birthday: i16,
    /// Children's entry: if the young person died, keep this many years after death (8).
    pub years_after_death: i16,
    /// Mental health entry: at least this many years after the conclusion of treatment,
    /// whatever the children's entry says (20; 0 turns the mental health entry off).
    #[serde(default)]
    pub min_years_after_conclusion: i16,
    /// Mental health entry: "or this many years after death, if sooner" (10).
    #[serde(default = "default_mental_health_years_after_death")]
    pub mental_health_years_after_death: i16,
}

fn default_mental_health_years_after_death() -> i16 {
    10
}

impl Default for RetentionRules {
    fn default() -> Self {
        RetentionRules {
            source: "NHS England Records Management Code of Practice 2023, Appendix II: children's records and mental health records, the longer".into(),
            until_birthday: 25,
            older_at_conclusion_age: 17,
            older_until_birthday: 26,
            years_after_death: 8,
            min_years_after_conclusion: 20,
            mental_health_years_after_death: default_mental_health_years_after_death(),
        }
    }
}

/// Why a configuration is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct RetentionConfigError {
    /// The field at fault.
    pub field: &'static str,
    /// What is wrong.
    pub message: String,
}

impl RetentionRules {
    /// Checks the numbers are sensible: birthdays 18–100, the older-age birthday not earlier
    /// than the usual one, years after death 1–100, a source named.
    pub fn validate(&self) -> Result<(), RetentionConfigError> {
        let err = |field, message: &str| {
            Err(RetentionConfigError {
                field,
                message: message.to_owned(),
            })
        };
        if self.source.trim().is_empty() {
            return err(
                "source",
                "name the source of these rules (e.g. the Code of Practice entry)",
            );
        }
        if !(18..=100).contains(&self.until_birthday) {
            return err("until_birthday", "must be from 18 to 100");
        }
        if !(0..=25).contains(&self.older_at_conclusion_age) {
            return err("older_at_conclusion_age", "must be from 0 to 25");
        }
        if self.older_until_birthday < self.until_birthday || self.older_until_birthday > 100 {
            return err(
                "older_until_birthday",
                "must be at least until_birthday and at most 100",
            );
        }
        if !(1..=100).contains(&self.years_after_death) {
            return err("years_after_death", "must be from 1 to 100");
        }
        if !(0..=100).contains(&self.min_years_after_conclusion) {
            return err("min_years_after_conclusion", "must be from 0 to 100");
        }
        if !(1..=100).contains(&self.mental_health_years_after_death) {
            return err("mental_health_years_after_death", "must be from 1 to 100");
        }
        Ok(())
    }
}

/// Which rule set the date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleApplied {
    /// Until the usual birthday (25th).
    UntilBirthday,
    /// Older at the conclusion of treatment: until the later birthday (26th).
    OlderAtConclusion,
    /// Years after death.
    AfterDeath,
    /// The minimum years after the conclusion of treatment.
    AfterConclusion,
}

impl RuleApplied {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RuleApplied::UntilBirthday => "until_birthday",
            RuleApplied::OlderAtConclusion => "older_at_conclusion",
            RuleApplied::AfterDeath => "after_death",
            RuleApplied::AfterConclusion => "after_conclusion",
        }
    }
}

/// The facts about one young person's record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordFacts {
    /// Date of birth.
    pub born: Date,
    /// The conclusion of treatment: the last referral's closure (or, with none, the record's
    /// creation).
    pub concluded: Date,
    /// Date of death, if recorded.
    pub died: Option<Date>,
}

/// Keep until (exclusive: destroy on or after) `until`, by `rule`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionDate {
    /// The first day the record may be destroyed.
    pub until: Date,
    /// The rule that set it.
    pub rule: RuleApplied,
}

/// The date from which the record may be destroyed.
pub fn retain_until(facts: RecordFacts, rules: &RetentionRules) -> RetentionDate {
    let by_age = if let Some(died) = facts.died {
        RetentionDate {
            until: add_years(died, rules.years_after_death),
            rule: RuleApplied::AfterDeath,
        }
    } else if age_in_years(facts.born, facts.concluded) >= rules.older_at_conclusion_age {
        RetentionDate {
            until: birthday(facts.born, rules.older_until_birthday),
            rule: RuleApplied::OlderAtConclusion,
        }
    } else {
        RetentionDate {
            until: birthday(facts.born, rules.until_birthday),
            rule: RuleApplied::UntilBirthday,
        }
    };
    if rules.min_years_after_conclusion == 0 {
        return by_age;
    }
    // The mental health entry: years after the conclusion, or after death if that is sooner.
    let mut mental_health = RetentionDate {
        until: add_years(facts.concluded, rules.min_years_after_conclusion),
        rule: RuleApplied::AfterConclusion,
    };
    if let Some(died) = facts.died {
        let after_death = add_years(died, rules.mental_health_years_after_death);
        if after_death < mental_health.until {
            mental_health = RetentionDate {
                until: after_death,
                rule: RuleApplied::AfterDeath,
            };
        }
    }
    // The longer of the two entries.
    if mental_health.until > by_age.until {
        mental_health
    } else {
        by_age
    }
}

fn add_years(date: Date, years: i16) -> Date {
    // Saturating: a date beyond the calendar's range never becomes destroyable by overflow.
    date.checked_add(i64::from(years).years())
        .unwrap_or(Date::MAX)
}

#[cfg(test)]
mod tests;
