//! Need and equality for every door (issue 20): load the population table (a CSV checked
//! row by row, refused whole with the row and column of the first fault, replaced whole with
//! its audit entry) with the prevalence rates in force, and the need report for a period —
//! expected need, referral and access rates by district and age band, uptake by group,
//! completeness — published through the small-number rule (`nwd_domain::population`).

use std::io::BufRead;

use jiff::civil::Date;
use jiff::{Timestamp, ToSpan};
use nwd_domain::population::report::NeedReport;
use nwd_domain::population::{read_csv, Prevalence};
use nwd_store::population::PopulationLoad;
use nwd_store::Store;

use crate::error::UseCaseError;

/// The shipped prevalence rates, each with its source (`config/prevalence.toml`).
pub const DEFAULT_PREVALENCE: &str = include_str!("../../../config/prevalence.toml");

/// Longest prevalence file accepted, in bytes.
pub const MAX_PREVALENCE_BYTES: usize = 64 * 1024;

/// Most months one report covers (as the dashboard).
pub const MAX_MONTHS: u32 = 36;

/// Reads and checks prevalence rates (TOML); errors name the entry.
pub fn parse_prevalence(text: &str) -> Result<Prevalence, UseCaseError> {
    if text.len() > MAX_PREVALENCE_BYTES {
        return Err(UseCaseError::field(
            "prevalence",
            format!("at most {MAX_PREVALENCE_BYTES} bytes are accepted"),
        ));
    }
    let rates: Prevalence = toml::from_str(text)
        .map_err(|e| UseCaseError::field("prevalence", e.message().to_owned()))?;
    let errors = rates.validate();
    if errors.is_empty() {
        Ok(rates)
    } else {
        Err(UseCaseError::Invalid(errors.0))
    }
}

/// What a load wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded {
    /// The load's number.
    pub load_id: i64,
    /// Rows.
    pub rows: usize,
    /// Districts.
    pub areas: usize,
    /// People.
    pub people: u64,
}

/// Checks a population CSV and the prevalence rates (`None`: the shipped ones) and replaces
/// the table with them under `audit`. A fault writes nothing: `Invalid` with the field
/// `csv` and a message naming the row and the column.
pub async fn load_population(
    store: &Store,
    audit: &nwd_store::audit::AuditContext,
    csv: impl BufRead,
    prevalence: Option<&str>,
    loaded_by: &str,
    source: &str,
) -> Result<Loaded, UseCaseError> {
    let rates_text = prevalence.unwrap_or(DEFAULT_PREVALENCE);
    parse_prevalence(rates_text)?;
    let population = read_csv(csv).map_err(|e| UseCaseError::field("csv", e.to_string()))?;
    let source: String = source.trim().chars().take(200).collect();
    let load_id = store
        .replace_population(audit, &population, rates_text, loaded_by, &source)
        .await?;
    Ok(Loaded {
        load_id,
        rows: population.rows(),
        areas: population.areas().len(),
        people: population.people(),
    })
}

/// The months a report covers: `months` from the first of `from`'s month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// First month (any day in it).
    pub from: Date,
    /// Number of months, 1 to [`MAX_MONTHS`].
    pub months: u32,
}

impl Period {
    /// The twelve months ending with `today`'s.
    pub fn last_twelve_months(today: Date) -> Period {
        let from = today
            .first_of_month()
            .checked_sub(11.months())
            .unwrap_or(today.first_of_month());
        Period { from, months: 12 }
    }

    /// The first day of the month after the period.
    pub fn end(&self) -> Date {
        self.from
            .first_of_month()
            .checked_add(i64::from(self.months).months())
            .unwrap_or(self.from)
    }

    /// `April 2025 to March 2026`.
    pub fn label(&self) -> String {
        let last = self.end().yesterday().unwrap_or(self.from);
        format!(
            "{} to {}",
            self.from.strftime("%B %Y"),
            last.strftime("%B %Y")
        )
    }
}

/// The need page's content.
#[derive(Debug, Clone)]
pub struct NeedPage {
    /// The period counted.
    pub period: Period,
    /// The load in force (`None`: no population loaded, no report).
    pub load: Option<PopulationLoad>,
    /// The rates used.
    pub prevalence: Prevalence,
    /// The report.
    pub report: Option<NeedReport>,
}

/// The need report for `period`.
pub async fn report(store: &Store, period: Period) -> Result<NeedPage, UseCaseError> {
    if period.months == 0 || period.months > MAX_MONTHS {
        return Err(UseCaseError::field(
            "months",
            format!("use 1 to {MAX_MONTHS} months"),
        ));
    }
    let Some(stored) = store.population().await? else {
        return Ok(NeedPage {
            period,
            load: None,
            prevalence: parse_prevalence(DEFAULT_PREVALENCE)?,
            report: None,
        });
    };
    let prevalence = parse_prevalence(&stored.load.prevalence)?;
    let start = |d: Date| -> Result<Timestamp, UseCaseError> {
        Ok(d.to_zoned(store.tz().clone())
            .map_err(|e| UseCaseError::Internal(e.to_string()))?
            .timestamp())
    };
    let population = &stored.population;
    let counts = store
        .need_counts(
            start(period.from.first_of_month())?,
            start(period.end())?,
            |a| population.decile(a).is_some(),
        )
        .await?;
    let report = NeedReport::build(
        &counts,
        population,
        &prevalence,
        store.standards().suppression,
    );
    Ok(NeedPage {
        period,
        load: Some(stored.load),
        prevalence,
        report: Some(report),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_rates_parse_and_a_bad_file_names_its_entry() {
        let shipped = parse_prevalence(DEFAULT_PREVALENCE).unwrap();
        assert_eq!(shipped.band.len(), 5);
        let bad = DEFAULT_PREVALENCE.replacen("rate = 0.055", "rate = 5.5", 1);
        match parse_prevalence(&bad) {
            Err(UseCaseError::Invalid(fields)) => assert_eq!(fields[0].field, "band[0].rate"),
            other => panic!("expected the rate refused, got {other:?}"),
        }
        assert!(parse_prevalence("[[band]]\nage_band = \"9-99\"\n").is_err());
    }

    #[test]
    fn the_default_period_is_the_twelve_months_to_this_one() {
        let p = Period::last_twelve_months(jiff::civil::date(2026, 3, 15));
        assert_eq!(p.from, jiff::civil::date(2025, 4, 1));
        assert_eq!(p.end(), jiff::civil::date(2026, 4, 1));
        assert_eq!(p.label(), "April 2025 to March 2026");
    }
}
