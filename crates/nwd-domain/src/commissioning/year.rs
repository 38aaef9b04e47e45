//! NHS financial years (1 April to 31 March) and their quarters.

use std::fmt;

use jiff::civil::{date, Date};
use serde::{Deserialize, Serialize};

/// A financial year, named by the calendar year it starts in: `2026` is 2026/27, from
/// 1 April 2026 to 31 March 2027.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct FinancialYear(i16);

impl FinancialYear {
    /// The year starting in `start_year` (2000 to 2099).
    pub fn starting(start_year: i16) -> Result<FinancialYear, String> {
        if !(2000..=2099).contains(&start_year) {
            return Err(format!(
                "{start_year} is outside the financial years accepted (2000/01 to 2099/00)"
            ));
        }
        Ok(FinancialYear(start_year))
    }

    /// The financial year a day falls in.
    pub fn of(day: Date) -> FinancialYear {
        let year = if day.month() >= 4 {
            day.year()
        } else {
            day.year() - 1
        };
        FinancialYear(year)
    }

    /// Parses `2026/27` (or `2026-27`, or `2026`).
    pub fn parse(text: &str) -> Result<FinancialYear, String> {
        let text = text.trim();
        let bad = || {
            format!("{text:?} is not a financial year: write it as 2026/27 (1 April 2026 to 31 March 2027)")
        };
        let (start, end) = match text.split_once(['/', '-']) {
            Some((s, e)) => (s, Some(e)),
            None => (text, None),
        };
        let start: i16 = start.parse().map_err(|_| bad())?;
        if let Some(end) = end {
            let end: i16 = end.parse().map_err(|_| bad())?;
            if end != (start + 1) % 100 && end != start + 1 {
                return Err(bad());
            }
        }
        FinancialYear::starting(start)
    }

    /// The calendar year it starts in.
    pub fn start_year(self) -> i16 {
        self.0
    }

    /// 1 April.
    pub fn first_day(self) -> Date {
        date(self.0, 4, 1)
    }

    /// 1 April of the next year (the first day after it).
    pub fn end(self) -> Date {
        date(self.0 + 1, 4, 1)
    }

    /// 365 or 366 (a 29 February in it).
    pub fn days(self) -> i64 {
        days_between(self.first_day(), self.end())
    }

    /// The next financial year.
    pub fn next(self) -> FinancialYear {
        FinancialYear(self.0 + 1)
    }

    /// The year before.
    pub fn previous(self) -> FinancialYear {
        FinancialYear(self.0 - 1)
    }

    /// Its four quarters, Q1 (April–June) to Q4 (January–March).
    pub fn quarters(self) -> [Quarter; 4] {
        [1, 2, 3, 4].map(|q| Quarter { year: self, q })
    }
}

impl fmt::Display for FinancialYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{:02}", self.0, (self.0 + 1) % 100)
    }
}

impl TryFrom<String> for FinancialYear {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        FinancialYear::parse(&value)
    }
}

impl From<FinancialYear> for String {
    fn from(value: FinancialYear) -> Self {
        value.to_string()
    }
}

/// One quarter of a financial year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Quarter {
    /// Its year.
    pub year: FinancialYear,
    /// 1 to 4.
    q: u8,
}

impl Quarter {
    /// Parses `2026/27 Q3` (or `2026/27-Q3`).
    pub fn parse(text: &str) -> Result<Quarter, String> {
        let bad =
            || format!("{text:?} is not a quarter: write it as 2026/27 Q3 (Q1 is April to June)");
        let text = text.trim();
        let (year, q) = text.rsplit_once([' ', '-']).ok_or_else(bad)?;
        let year = FinancialYear::parse(year).map_err(|_| bad())?;
        let q = match q.trim().to_ascii_uppercase().as_str() {
            "Q1" => 1,
            "Q2" => 2,
            "Q3" => 3,
            "Q4" => 4,
            _ => return Err(bad()),
        };
        Ok(Quarter { year, q })
    }

    /// The quarter a day falls in.
    pub fn of(day: Date) -> Quarter {
        let year = FinancialYear::of(day);
        let months_in = (i16::from(day.month()) + 12 - 4) % 12;
        Quarter {
            year,
            q: (months_in / 3 + 1) as u8,
        }
    }

    /// 1 to 4.
    pub fn number(self) -> u8 {
        self.q
    }

    /// Its first day.
    pub fn first_day(self) -> Date {
        let month = 4 + 3 * (i16::from(self.q) - 1);
        if month > 12 {
            date(self.year.0 + 1, (month - 12) as i8, 1)
        } else {
            date(self.year.0, month as i8, 1)
        }
    }

    /// The first day after it.
    pub fn end(self) -> Date {
        self.next().first_day()
    }

    /// The next quarter.
    pub fn next(self) -> Quarter {
        if self.q == 4 {
            Quarter {
                year: self.year.next(),
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q + 1,
            }
        }
    }

    /// The quarter before.
    pub fn previous(self) -> Quarter {
        if self.q == 1 {
            Quarter {
                year: FinancialYear(self.year.0 - 1),
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q - 1,
            }
        }
    }

    /// Its days.
    pub fn days(self) -> i64 {
        days_between(self.first_day(), self.end())
    }

    /// `2026/27 Q3`.
    pub fn label(self) -> String {
        format!("{} Q{}", self.year, self.q)
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// Days from `from` to `to` (0 when `to` is not after `from`).
pub fn days_between(from: Date, to: Date) -> i64 {
    if to <= from {
        return 0;
    }
    i64::from(to.to_jiff_days() - from.to_jiff_days())
}

/// Days since 1970-01-01, for counting whole days between dates.
trait JiffDays {
    fn to_jiff_days(self) -> i32;
}

impl JiffDays for Date {
    fn to_jiff_days(self) -> i32 {
        // Days from the civil epoch: the span in days is exact for civil dates.
        self.since(date(1970, 1, 1))
            .map(|span| span.get_days())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;

    use super::{FinancialYear, Quarter};

    #[test]
    fn a_financial_year_runs_april_to_march_and_counts_its_leap_day() {
        let fy = FinancialYear::parse("2027/28").unwrap();
        assert_eq!(fy.first_day(), date(2027, 4, 1));
        assert_eq!(fy.end(), date(2028, 4, 1));
        assert_eq!(fy.days(), 366, "29 February 2028 falls in 2027/28");
        assert_eq!(FinancialYear::parse("2026/27").unwrap().days(), 365);
        assert_eq!(fy.to_string(), "2027/28");
        assert_eq!(
            FinancialYear::parse("2099-00").unwrap().to_string(),
            "2099/00"
        );
        assert_eq!(FinancialYear::of(date(2027, 3, 31)).to_string(), "2026/27");
        assert_eq!(FinancialYear::of(date(2027, 4, 1)).to_string(), "2027/28");
    }

    #[test]
    fn bad_years_are_refused_with_the_form_expected() {
        for bad in ["2026/28", "26/27", "next year", "1999/00", ""] {
            let err = FinancialYear::parse(bad).unwrap_err();
            assert!(err.contains("financial year"), "{bad}: {err}");
        }
    }

    #[test]
    fn quarters_start_in_april_july_october_and_january() {
        let fy = FinancialYear::starting(2027).unwrap();
        let firsts = fy.quarters().map(|q| q.first_day());
        assert_eq!(
            firsts,
            [
                date(2027, 4, 1),
                date(2027, 7, 1),
                date(2027, 10, 1),
                date(2028, 1, 1)
            ]
        );
        let days = fy.quarters().map(|q| q.days());
        assert_eq!(days, [91, 92, 92, 91], "Q4 2027/28 holds 29 February");
        assert_eq!(Quarter::of(date(2028, 2, 29)).label(), "2027/28 Q4");
        assert_eq!(Quarter::of(date(2027, 6, 30)).label(), "2027/28 Q1");
        assert_eq!(Quarter::of(date(2027, 7, 1)).label(), "2027/28 Q2");
        let q4 = fy.quarters()[3];
        assert_eq!(q4.next().label(), "2028/29 Q1");
        assert_eq!(q4.next().previous(), q4);
        assert_eq!(Quarter::parse("2027/28 Q4").unwrap(), q4);
        assert_eq!(Quarter::parse(" 2027/28-q4 ").unwrap(), q4);
        for bad in ["2027/28 Q5", "2027/28", "Q4", "2027/29 Q1"] {
            assert!(
                Quarter::parse(bad).unwrap_err().contains("not a quarter"),
                "{bad}"
            );
        }
    }
}
