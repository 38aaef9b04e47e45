//! How well a service in the directory fits a young person: the need group agreed at triage,
//! their age, and the area they live in. Used to order the services offered at triage, when
//! a service is added and at transition (best fit first), and to check the receiving service
//! chosen at transition against the need group and the age the young person will be on the
//! planned date (transition by need, not by birthday: domain guide §1, para 113).
//!
//! It does **not** decide allocations: `Referral::decide` checks need group and age again
//! for every allocation; an area mismatch is shown, never refused (a young person may be
//! seen out of area by agreement).

use jiff::civil::Date;

use crate::directory::ServiceDetails;
use crate::need::NeedGroup;
use crate::person::age_in_years;
use crate::postcode::Postcode;

/// Which of the three tests a service passes for one young person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fit {
    /// Serves the need group agreed (true while none is agreed yet).
    pub need_group: bool,
    /// Serves the young person's age.
    pub age: bool,
    /// Covers their postcode (true when no postcode is known or the service covers all).
    pub area: bool,
}

impl Fit {
    /// How `details` fits a young person of `age`, living at `postcode`, in `need_group`.
    pub fn of(
        details: &ServiceDetails,
        need_group: Option<NeedGroup>,
        age: i16,
        postcode: Option<&Postcode>,
    ) -> Fit {
        Fit {
            need_group: need_group.is_none_or(|g| details.need_groups.contains(&g)),
            age: details.serves_age(age),
            area: postcode.is_none_or(|p| details.covers(p)),
        }
    }

    /// Sort key: 0 for a full fit, higher for worse (need group counts most, then age, then
    /// area).
    pub fn rank(&self) -> u8 {
        u8::from(!self.need_group) * 4 + u8::from(!self.age) * 2 + u8::from(!self.area)
    }

    /// Plain-English notes on what does not fit (empty for a full fit).
    pub fn mismatches(&self) -> Vec<&'static str> {
        let mut notes = Vec::new();
        if !self.need_group {
            notes.push("does not serve this need group");
        }
        if !self.age {
            notes.push("does not serve this age");
        }
        if !self.area {
            notes.push("outside their area");
        }
        notes
    }
}

/// Checks a receiving service chosen at transition: it must serve `need_group` and the age the
/// young person born on `born` will be on `planned_for`. `Err` says why not.
pub fn check_receiving_service(
    details: &ServiceDetails,
    need_group: NeedGroup,
    born: Date,
    planned_for: Date,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if !details.active {
        problems.push(format!("{} is not taking referrals", details.name));
    }
    if !details.need_groups.contains(&need_group) {
        problems.push(format!(
            "{} does not serve {}",
            details.name,
            need_group.label()
        ));
    }
    let age = age_in_years(born, planned_for);
    if !details.serves_age(age) {
        problems.push(format!(
            "{} serves ages {} to {}; on the planned date the young person will be {age}",
            details.name, details.age_from, details.age_to
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use jiff::civil::date;
    use uuid::Uuid;

    use super::*;
    use crate::codes::{DeliveryMode, TeamType};
    use crate::directory::Capacity;
    use crate::ids::OrganisationId;

    fn details(groups: &[NeedGroup], ages: (i16, i16), areas: &[&str]) -> ServiceDetails {
        ServiceDetails {
            organisation_id: OrganisationId(Uuid::from_u128(1)),
            name: "Harbour Hub".to_string(),
            description: String::new(),
            need_groups: groups.to_vec(),
            age_from: ages.0,
            age_to: ages.1,
            team_type: TeamType::Community,
            delivery_modes: vec![DeliveryMode::FaceToFace],
            areas: areas.iter().map(|a| (*a).to_string()).collect(),
            self_referral: true,
            capacity: Capacity::default(),
            standards: vec![],
            active: true,
            offer: Default::default(),
            measurement: Default::default(),
        }
    }

    #[test]
    fn need_group_counts_most_then_age_then_area() {
        let postcode = Postcode::parse("ME14 1XX").unwrap();
        let help = Some(NeedGroup::GettingHelp);
        let check = |d: &ServiceDetails, age: i16, want: (u8, Vec<&str>)| {
            let fit = Fit::of(d, help, age, Some(&postcode));
            assert_eq!((fit.rank(), fit.mismatches()), want, "{d:?} at {age}");
        };
        check(
            &details(&[NeedGroup::GettingHelp], (5, 18), &["ME"]),
            12,
            (0, vec![]),
        );
        check(
            &details(&[NeedGroup::GettingHelp], (5, 18), &["CT"]),
            12,
            (1, vec!["outside their area"]),
        );
        check(
            &details(&[NeedGroup::GettingHelp], (16, 25), &[]),
            12,
            (2, vec!["does not serve this age"]),
        );
        check(
            &details(&[NeedGroup::GettingAdvice], (5, 18), &["ME14"]),
            12,
            (4, vec!["does not serve this need group"]),
        );
        // Before triage no need group is agreed: every group fits.
        let any = Fit::of(
            &details(&[NeedGroup::GettingAdvice], (5, 18), &[]),
            None,
            12,
            None,
        );
        assert_eq!(any.rank(), 0);
    }

    #[test]
    fn a_receiving_service_must_serve_the_need_group_and_the_age_on_the_planned_date() {
        let born = date(2008, 9, 10);
        let young_adults = details(&[NeedGroup::GettingHelp], (16, 25), &[]);
        assert_eq!(
            check_receiving_service(
                &young_adults,
                NeedGroup::GettingHelp,
                born,
                date(2026, 9, 10)
            ),
            Ok(())
        );
        let refused = check_receiving_service(
            &young_adults,
            NeedGroup::GettingHelp,
            born,
            date(2034, 9, 10),
        )
        .unwrap_err();
        assert!(refused.contains("will be 26"), "{refused}");
        let refused = check_receiving_service(
            &young_adults,
            NeedGroup::GettingRiskSupport,
            born,
            date(2026, 9, 10),
        )
        .unwrap_err();
        assert!(refused.contains("does not serve"), "{refused}");
    }
}
