//! Small helpers the staff pages share: choices for lists, the area filter, how times, waits
//! and references are shown.

use jiff::Timestamp;
use nwd_domain::ReferralId;
use nwd_http::AppState;

/// An option in a filter or form list.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Value.
    pub value: String,
    /// Label.
    pub label: String,
    /// Chosen.
    pub selected: bool,
}

pub(crate) fn choices<T: Copy + PartialEq>(
    all: &[T],
    value: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> String,
    selected: &[&str],
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            value: value(*item).to_owned(),
            label: label(*item),
            selected: selected.contains(&value(*item)),
        })
        .collect()
}

/// A postcode area (`ME`) or district (`ME14`, `EC1A`), upper case, or why not.
pub(crate) fn parse_area(text: &str) -> Result<Option<String>, &'static str> {
    let area = text.trim().to_ascii_uppercase();
    if area.is_empty() {
        return Ok(None);
    }
    let letters = area.chars().take_while(|c| c.is_ascii_alphabetic()).count();
    let rest = &area[letters..];
    let district_ok = rest.is_empty()
        || (rest.len() <= 3
            && rest.chars().next().is_some_and(|c| c.is_ascii_digit())
            && rest.chars().all(|c| c.is_ascii_alphanumeric()));
    if (1..=2).contains(&letters) && district_ok {
        Ok(Some(area))
    } else {
        Err("Enter a postcode area, like ME, or a district, like ME14")
    }
}

pub(crate) fn shown(at: Timestamp, state: &AppState) -> String {
    at.to_zoned(state.store.tz().clone())
        .strftime("%-d %b %Y %H:%M")
        .to_string()
}

pub(crate) fn waited(from: Timestamp, now: Timestamp) -> String {
    let hours = (now.as_second() - from.as_second()).max(0) / 3600;
    match hours {
        0..=47 => format!("{hours} hours"),
        _ => format!("{} days", hours / 24),
    }
}

pub(crate) fn reference_of(id: ReferralId) -> String {
    let simple = id.as_uuid().simple().to_string().to_uppercase();
    format!("NWD-{}-{}", &simple[0..4], &simple[4..8])
}

#[cfg(test)]
mod tests {
    use super::parse_area;

    #[test]
    fn areas_and_districts_are_accepted_and_anything_else_is_explained() {
        for (typed, want) in [
            ("", Ok(None)),
            ("  ", Ok(None)),
            ("me", Ok(Some("ME".to_owned()))),
            ("ME14", Ok(Some("ME14".to_owned()))),
            (" ec1a ", Ok(Some("EC1A".to_owned()))),
            ("M1", Ok(Some("M1".to_owned()))),
        ] {
            assert_eq!(parse_area(typed), want, "{typed:?}");
        }
        for typed in ["14ME", "MEX", "ME14 1XX", "ME1%", "ME_"] {
            assert!(parse_area(typed).is_err(), "{typed:?}");
        }
    }
}
