//! Transition: young people approaching their service's upper age appear on a transition list
//! so that the next step is planned by need, not by a birthday. The notice period is
//! configurable (default 6 months, i.e. review from 17½ for a service that runs to 18:
//! `config/standards.toml`, `transition.notice_months`).

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::person::birthday;

/// When someone reaches a service's upper age and when their transition review is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TransitionDue {
    /// The birthday on which they leave the service's age range.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub leaves_service_on: Date,
    /// The date from which they are on the transition list.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub review_from: Date,
}

/// The transition dates for someone born on `born` in a service whose oldest age is `age_to`
/// (inclusive), with a notice period of `notice_months`.
pub fn transition_due(born: Date, age_to: i16, notice_months: i32) -> TransitionDue {
    let leaves = birthday(born, age_to + 1);
    let review_from = leaves
        .checked_sub(i64::from(notice_months).months())
        .unwrap_or(leaves);
    TransitionDue {
        leaves_service_on: leaves,
        review_from,
    }
}

/// True when someone is on the transition list on `today`.
pub fn on_transition_list(born: Date, age_to: i16, notice_months: i32, today: Date) -> bool {
    today >= transition_due(born, age_to, notice_months).review_from
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn review_starts_six_months_before_the_upper_age_birthday() {
        let due = transition_due(date(2008, 9, 10), 17, 6);
        assert_eq!(due.leaves_service_on, date(2026, 9, 10));
        assert_eq!(due.review_from, date(2026, 3, 10));
        assert!(!on_transition_list(
            date(2008, 9, 10),
            17,
            6,
            date(2026, 3, 9)
        ));
        assert!(on_transition_list(
            date(2008, 9, 10),
            17,
            6,
            date(2026, 3, 10)
        ));
        // A 0–25 service: review from 25½.
        assert_eq!(
            transition_due(date(2001, 1, 31), 25, 6).review_from,
            date(2026, 7, 31)
        );
        // Month-end clamping: 31 August minus six months is 28/29 February.
        assert_eq!(
            transition_due(date(2008, 8, 31), 17, 6).review_from,
            date(2026, 2, 28)
        );
    }
}
