//! The dashboard's period: the months asked for, checked, with the errors naming the fields.

use super::DashboardFilter;
use crate::layout::FieldMessage;
use jiff::civil::Date;
use jiff::ToSpan;
use nwd_domain::ServiceId;
use nwd_store::dashboard::MAX_MONTHS;

/// A month `YYYY-MM` as its first day.
pub(super) fn parse_month(text: &str) -> Option<Date> {
    let (year, month) = text.trim().split_once('-')?;
    let year: i16 = year.parse().ok()?;
    let month: i8 = month.parse().ok()?;
    Date::new(year, month, 1).ok()
}

pub(super) fn month_text(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// The period asked for, or the errors naming the fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    /// First month.
    pub from: Date,
    /// Months.
    pub months: u32,
    /// Service filter.
    pub service_id: Option<ServiceId>,
}

/// Reads the filters: defaults are the 12 months ending with the current one.
pub fn period(filter: &DashboardFilter, today: Date) -> Result<Period, Vec<FieldMessage>> {
    let this_month = today.first_of_month();
    let mut errors = Vec::new();
    let mut month =
        |name: &str, value: &Option<String>, default: Date| match value.as_deref().map(str::trim) {
            None | Some("") => Some(default),
            Some(text) => match parse_month(text) {
                Some(d) => Some(d),
                None => {
                    errors.push(FieldMessage::new(
                        name,
                        format!(
                            "Enter the {} month as year and month, for example {}",
                            if name == "from" { "first" } else { "last" },
                            month_text(this_month)
                        ),
                    ));
                    None
                }
            },
        };
    let default_from = this_month.saturating_sub(11.months());
    let from = month("from", &filter.from, default_from);
    let to = month("to", &filter.to, this_month);
    let service_id = match filter.service.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(text) => match text.parse::<ServiceId>() {
            Ok(id) => Some(id),
            Err(_) => {
                errors.push(FieldMessage::new(
                    "service",
                    "Choose a service from the list",
                ));
                None
            }
        },
    };
    let (Some(from), Some(to)) = (from, to) else {
        return Err(errors);
    };
    let months = (i32::from(to.year()) - i32::from(from.year())) * 12 + i32::from(to.month())
        - i32::from(from.month())
        + 1;
    if months < 1 {
        errors.push(FieldMessage::new(
            "to",
            "The last month must be the same as or after the first month",
        ));
    } else if months > MAX_MONTHS as i32 {
        errors.push(FieldMessage::new(
            "to",
            format!("Choose a period of {MAX_MONTHS} months or fewer"),
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Period {
        from,
        months: months as u32,
        service_id,
    })
}
