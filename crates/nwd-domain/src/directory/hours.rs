//! Opening hours: open 24 hours a day, 7 days a week, or sessions per weekday with an opening
//! and a closing time (after Open Referral HSDS 3 `schedule`: `byday`, `opens_at`,
//! `closes_at`, `description`), and a note for anything else ("closed on bank holidays").
//!
//! Rules: times are `HH:MM` on the 24-hour clock (`24:00` allowed as a closing time, meaning
//! midnight); a session closes after it opens; sessions of one day do not overlap; a service
//! open 24/7 lists no sessions. [`OpeningHours::summary`] says it on one line the NHS way
//! ("Monday to Friday, 9am to 5pm").

use serde::{Deserialize, Serialize};

use crate::error::ValidationErrors;

/// Most sessions listed (three a day).
pub const MAX_SESSIONS: usize = 21;
/// Longest note about opening hours.
pub const MAX_HOURS_NOTE_CHARS: usize = 200;

/// A day of the week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Weekday {
    /// Monday.
    Monday,
    /// Tuesday.
    Tuesday,
    /// Wednesday.
    Wednesday,
    /// Thursday.
    Thursday,
    /// Friday.
    Friday,
    /// Saturday.
    Saturday,
    /// Sunday.
    Sunday,
}

impl Weekday {
    /// Monday first.
    pub const ALL: [Weekday; 7] = [
        Weekday::Monday,
        Weekday::Tuesday,
        Weekday::Wednesday,
        Weekday::Thursday,
        Weekday::Friday,
        Weekday::Saturday,
        Weekday::Sunday,
    ];

    /// The API name (`monday`).
    pub fn as_str(&self) -> &'static str {
        match self {
            Weekday::Monday => "monday",
            Weekday::Tuesday => "tuesday",
            Weekday::Wednesday => "wednesday",
            Weekday::Thursday => "thursday",
            Weekday::Friday => "friday",
            Weekday::Saturday => "saturday",
            Weekday::Sunday => "sunday",
        }
    }

    /// The name in words (`Monday`).
    pub fn label(&self) -> &'static str {
        match self {
            Weekday::Monday => "Monday",
            Weekday::Tuesday => "Tuesday",
            Weekday::Wednesday => "Wednesday",
            Weekday::Thursday => "Thursday",
            Weekday::Friday => "Friday",
            Weekday::Saturday => "Saturday",
            Weekday::Sunday => "Sunday",
        }
    }

    /// Parses the API name.
    pub fn parse(value: &str) -> Result<Self, String> {
        Weekday::ALL
            .iter()
            .copied()
            .find(|d| d.as_str() == value)
            .ok_or_else(|| format!("unknown weekday {value:?}; allowed: monday to sunday"))
    }
}

/// One session: open on `weekday` from `opens_at` to `closes_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningTimes {
    /// The day.
    pub weekday: Weekday,
    /// Opening time, `HH:MM` on the 24-hour clock, e.g. `09:00`.
    pub opens_at: String,
    /// Closing time, `HH:MM`, after the opening time (`24:00` for midnight), e.g. `17:00`.
    pub closes_at: String,
}

/// When a service is open.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpeningHours {
    /// Open 24 hours a day, 7 days a week (then no sessions are listed).
    #[serde(default)]
    pub open_24_7: bool,
    /// Sessions, by weekday; a day not listed is closed.
    #[serde(default)]
    pub regular: Vec<OpeningTimes>,
    /// Anything else, e.g. "Closed on bank holidays" (at most 200 characters).
    #[serde(default)]
    pub note: String,
}

/// Minutes after midnight of an `HH:MM` time (`24:00` only when `closing`).
pub fn parse_clock(raw: &str, closing: bool) -> Result<u16, String> {
    let refuse = || "enter a time on the 24-hour clock, like 09:00 or 17:30".to_owned();
    let (hours, minutes) = raw.trim().split_once(':').ok_or_else(refuse)?;
    if hours.len() != 2 || minutes.len() != 2 {
        return Err(refuse());
    }
    let hours: u16 = hours.parse().map_err(|_| refuse())?;
    let minutes: u16 = minutes.parse().map_err(|_| refuse())?;
    if minutes >= 60 || hours > 24 || (hours == 24 && (minutes != 0 || !closing)) {
        return Err(refuse());
    }
    Ok(hours * 60 + minutes)
}

/// A time the NHS way: `9am`, `5:30pm`, `midday`, `midnight`.
pub fn clock_words(minutes: u16) -> String {
    let (hours, mins) = (minutes / 60, minutes % 60);
    match (hours, mins) {
        (0 | 24, 0) => "midnight".to_owned(),
        (12, 0) => "midday".to_owned(),
        _ => {
            let suffix = if (12..24).contains(&hours) {
                "pm"
            } else {
                "am"
            };
            let twelve = match hours % 12 {
                0 => 12,
                h => h,
            };
            if mins == 0 {
                format!("{twelve}{suffix}")
            } else {
                format!("{twelve}:{mins:02}{suffix}")
            }
        }
    }
}

impl OpeningHours {
    /// Checks the hours, adding problems under `{prefix}.…`.
    pub fn validate(&self, prefix: &str, errors: &mut ValidationErrors) {
        if self.open_24_7 && !self.regular.is_empty() {
            errors.add(
                format!("{prefix}.regular"),
                "a service open 24 hours a day, 7 days a week lists no opening times",
            );
        }
        if self.regular.len() > MAX_SESSIONS {
            errors.add(
                format!("{prefix}.regular"),
                format!("list at most {MAX_SESSIONS} opening times"),
            );
        }
        let mut sessions: Vec<(Weekday, u16, u16, usize)> = Vec::new();
        for (i, times) in self.regular.iter().enumerate() {
            let field = |name: &str| format!("{prefix}.regular[{i}].{name}");
            let opens = errors.check(&field("opens_at"), parse_clock(&times.opens_at, false));
            let closes = errors.check(&field("closes_at"), parse_clock(&times.closes_at, true));
            if let (Some(opens), Some(closes)) = (opens, closes) {
                if closes <= opens {
                    errors.add(
                        field("closes_at"),
                        "the closing time must be after the opening time",
                    );
                } else {
                    sessions.push((times.weekday, opens, closes, i));
                }
            }
        }
        sessions.sort_unstable();
        for pair in sessions.windows(2) {
            if let [(day_a, _, closes_a, _), (day_b, opens_b, _, i)] = pair {
                if day_a == day_b && opens_b < closes_a {
                    errors.add(
                        format!("{prefix}.regular[{i}].opens_at"),
                        format!("this overlaps another opening time on {}", day_b.label()),
                    );
                }
            }
        }
        if self.note.chars().count() > MAX_HOURS_NOTE_CHARS {
            errors.add(
                format!("{prefix}.note"),
                format!("use at most {MAX_HOURS_NOTE_CHARS} characters"),
            );
        }
    }

    /// Whether any hours are known (24/7, a session or a note).
    pub fn is_known(&self) -> bool {
        self.open_24_7 || !self.regular.is_empty() || !self.note.trim().is_empty()
    }

    /// Each open day with its sessions in words, Monday first, e.g.
    /// `("Monday", "9am to 12:30pm and 1:30pm to 5pm")`. Days not open are left out.
    pub fn by_day(&self) -> Vec<(Weekday, String)> {
        Weekday::ALL
            .iter()
            .filter_map(|day| {
                let mut sessions: Vec<(u16, u16)> = self
                    .regular
                    .iter()
                    .filter(|t| t.weekday == *day)
                    .filter_map(|t| {
                        Some((
                            parse_clock(&t.opens_at, false).ok()?,
                            parse_clock(&t.closes_at, true).ok()?,
                        ))
                    })
                    .collect();
                sessions.sort_unstable();
                (!sessions.is_empty()).then(|| {
                    let words = sessions
                        .iter()
                        .map(|(o, c)| format!("{} to {}", clock_words(*o), clock_words(*c)))
                        .collect::<Vec<_>>()
                        .join(" and ");
                    (*day, words)
                })
            })
            .collect()
    }

    /// The hours on one line: "Open 24 hours a day, every day", "Every day, 10am to 4pm" or
    /// "Monday to Friday, 9am to 5pm; Saturday, 10am to 1pm" (consecutive days with the same
    /// times are joined). `None` when no sessions are listed and it is not open 24/7.
    pub fn summary(&self) -> Option<String> {
        if self.open_24_7 {
            return Some("Open 24 hours a day, every day".to_owned());
        }
        let days = self.by_day();
        if days.is_empty() {
            return None;
        }
        if days.len() == 7 && days.iter().all(|(_, words)| *words == days[0].1) {
            return Some(format!("Every day, {}", days[0].1));
        }
        let mut runs: Vec<(Weekday, Weekday, &str)> = Vec::new();
        for (day, words) in &days {
            match runs.last_mut() {
                Some((_, last, run_words))
                    if *run_words == words.as_str() && (*last as usize) + 1 == *day as usize =>
                {
                    *last = *day;
                }
                _ => runs.push((*day, *day, words)),
            }
        }
        Some(
            runs.iter()
                .map(
                    |(first, last, words)| match (*last as usize) - (*first as usize) {
                        0 => format!("{}, {words}", first.label()),
                        1 => format!("{} and {}, {words}", first.label(), last.label()),
                        _ => format!("{} to {}, {words}", first.label(), last.label()),
                    },
                )
                .collect::<Vec<_>>()
                .join("; "),
        )
    }
}
