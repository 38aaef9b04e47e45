//! A date of birth as supplied: up to eight digits `YYYYMMDD`, kept even when they do not form
//! a real date (`19081309`), because a corrupt date still agrees with its correct form to within
//! one keystroke. `YYYY-MM-DD`, `YYYYMMDD`, `YYYY/M/D` and `DD/MM/YYYY` are read.

/// Digits of a date of birth in year, month, day order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Dob {
    digits: [u8; 8],
    len: u8,
}

impl Dob {
    /// Reads a date of birth; `None` when it has no digits at all.
    pub fn parse(raw: &str) -> Option<Dob> {
        let raw = raw.trim();
        let parts: Vec<&str> = raw
            .split(['-', '/', '.', ' '])
            .filter(|p| !p.is_empty())
            .collect();
        let all_digits = parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit()));
        if parts.len() == 3 && all_digits {
            let (year, month, day) = if parts[0].len() == 4 {
                (parts[0], parts[1], parts[2])
            } else if parts[2].len() == 4 {
                (parts[2], parts[1], parts[0])
            } else {
                ("", "", "")
            };
            if !year.is_empty() && month.len() <= 2 && day.len() <= 2 {
                let text = format!("{year}{month:0>2}{day:0>2}");
                return Dob::from_digits(text.as_bytes());
            }
        }
        let digits: Vec<u8> = raw.bytes().filter(u8::is_ascii_digit).collect();
        Dob::from_digits(&digits)
    }

    fn from_digits(digits: &[u8]) -> Option<Dob> {
        if digits.is_empty() {
            return None;
        }
        let mut out = [b'0'; 8];
        let len = digits.len().min(8);
        out[..len].copy_from_slice(&digits[..len]);
        Some(Dob {
            digits: out,
            len: len as u8,
        })
    }

    /// The digits as supplied (at most eight).
    pub fn digits(&self) -> &[u8] {
        &self.digits[..usize::from(self.len)]
    }

    /// The year digits, when there are eight digits.
    pub fn year_digits(&self) -> Option<&[u8]> {
        (self.len == 8).then(|| &self.digits[..4])
    }

    /// `MMDD`, when there are eight digits.
    pub fn month_day_digits(&self) -> Option<&[u8]> {
        (self.len == 8).then(|| &self.digits[4..8])
    }

    /// The same date with day and month exchanged (`20100307` → `20100703`), when that differs.
    pub fn day_month_swapped(&self) -> Option<Dob> {
        if self.len != 8 || self.digits[4..6] == self.digits[6..8] {
            return None;
        }
        let mut swapped = self.digits;
        swapped[4..6].copy_from_slice(&self.digits[6..8]);
        swapped[6..8].copy_from_slice(&self.digits[4..6]);
        Some(Dob {
            digits: swapped,
            len: 8,
        })
    }

    /// Days since 1970-01-01, when the digits form a real calendar date.
    pub fn day_number(&self) -> Option<i64> {
        if self.len != 8 {
            return None;
        }
        let number = |range: std::ops::Range<usize>| {
            self.digits[range]
                .iter()
                .fold(0i64, |acc, d| acc * 10 + i64::from(d - b'0'))
        };
        let (year, month, day) = (number(0..4), number(4..6), number(6..8));
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
            return None;
        }
        Some(days_from_civil(year, month, day))
    }
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// Howard Hinnant's days-from-civil algorithm (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn digits(raw: &str) -> Option<String> {
        Dob::parse(raw).map(|d| String::from_utf8_lossy(d.digits()).into_owned())
    }

    #[test]
    fn formats_are_read() {
        assert_eq!(digits("2010-03-07").as_deref(), Some("20100307"));
        assert_eq!(digits("20100307").as_deref(), Some("20100307"));
        assert_eq!(digits("2010/3/7").as_deref(), Some("20100307"));
        assert_eq!(digits("07/03/2010").as_deref(), Some("20100307"));
        assert_eq!(digits("19081309").as_deref(), Some("19081309"));
        assert_eq!(digits("1908130").as_deref(), Some("1908130"));
        assert_eq!(digits("unknown"), None);
        assert_eq!(digits(""), None);
    }

    #[test]
    fn corrupt_dates_have_no_day_number() {
        let day = |raw: &str| Dob::parse(raw).and_then(|d| d.day_number());
        assert_eq!(day("1970-01-01"), Some(0));
        assert_eq!(day("2000-03-01"), Some(11_017));
        assert!(day("2012-02-29").is_some());
        assert_eq!(day("2011-02-29"), None);
        assert_eq!(day("19081309"), None);
        assert_eq!(day("1908130"), None);
    }

    #[test]
    fn day_month_swap() {
        let swapped = Dob::parse("2010-03-07").and_then(|d| d.day_month_swapped());
        assert_eq!(swapped, Dob::parse("2010-07-03"));
        assert_eq!(
            Dob::parse("2010-05-05").and_then(|d| d.day_month_swapped()),
            None
        );
    }
}
