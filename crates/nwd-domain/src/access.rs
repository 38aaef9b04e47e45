//! The two CYP access measures (domain guide §3), computed from counted contacts:
//!
//! * **MHS95** — children and young people aged under 18 with at least one counted contact in
//!   the rolling 12 months ending on the period end.
//! * **MHS69** — people with at least two counted contacts, the first before their 18th
//!   birthday, whose second counted contact falls in the same rolling 12 months.
//!
//! A counted contact is an attended direct contact (attendance 5 or 6) by face to face,
//! telephone, talk type or video (01, 02, 04, 11), or any indirect activity. Reference for
//! the definitions: NHSDigital/mental-health-monthly-statistics (CYP access measures).

use std::collections::HashMap;

use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};

use crate::ids::PersonId;
use crate::person::birthday;
use crate::referral::{Contact, ContactKind};

/// Whether a contact counts towards the access measures.
pub fn counts_for_access(contact: &Contact) -> bool {
    match contact.kind {
        ContactKind::Indirect { .. } => true,
        ContactKind::Direct => {
            contact.status.is_attended() && contact.mechanism.counts_for_access()
        }
    }
}

/// One counted contact: who and on which (local) date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountedContact {
    /// The person.
    pub person_id: PersonId,
    /// Their date of birth.
    pub date_of_birth: Date,
    /// The contact's local date.
    pub on: Date,
}

/// The two measures for one rolling 12-month period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AccessMeasures {
    /// First day of the period.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_start: Date,
    /// Last day of the period (inclusive).
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub period_end: Date,
    /// MHS95: under-18s with at least one counted contact in the period.
    pub mhs95_one_contact: u64,
    /// MHS69: at least two counted contacts, the first before the 18th birthday, the second in the period.
    pub mhs69_two_contacts: u64,
}

/// Computes both measures for the 12 months ending on `period_end` (inclusive). Contacts may
/// come in any order and may include contacts before the period (needed for MHS69's first).
pub fn access_measures(contacts: &[CountedContact], period_end: Date) -> AccessMeasures {
    let period_start = period_end
        .checked_sub(12.months())
        .and_then(|d| d.checked_add(1.day()))
        .unwrap_or(period_end);
    let in_period = |d: Date| d >= period_start && d <= period_end;

    let mut by_person: HashMap<PersonId, (Date, Vec<Date>)> = HashMap::new();
    for contact in contacts.iter().filter(|c| c.on <= period_end) {
        by_person
            .entry(contact.person_id)
            .or_insert_with(|| (contact.date_of_birth, Vec::new()))
            .1
            .push(contact.on);
    }
    let mut mhs95 = 0u64;
    let mut mhs69 = 0u64;
    for (born, mut dates) in by_person.into_values() {
        dates.sort();
        let eighteenth = birthday(born, 18);
        if dates.iter().any(|d| in_period(*d) && *d < eighteenth) {
            mhs95 += 1;
        }
        if let (Some(first), Some(second)) = (dates.first(), dates.get(1)) {
            if *first < eighteenth && in_period(*second) {
                mhs69 += 1;
            }
        }
    }
    AccessMeasures {
        period_start,
        period_end,
        mhs95_one_contact: mhs95,
        mhs69_two_contacts: mhs69,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use uuid::Uuid;

    fn contact(person: u128, born: Date, on: Date) -> CountedContact {
        CountedContact {
            person_id: PersonId(Uuid::from_u128(person)),
            date_of_birth: born,
            on,
        }
    }

    #[test]
    fn one_and_two_contact_measures() {
        let end = date(2026, 3, 31);
        let contacts = [
            // 1: two contacts in period, aged 14: counts for both.
            contact(1, date(2012, 1, 1), date(2025, 6, 1)),
            contact(1, date(2012, 1, 1), date(2025, 7, 1)),
            // 2: one contact in period: MHS95 only.
            contact(2, date(2010, 5, 5), date(2026, 3, 31)),
            // 3: contacts only before the period: neither.
            contact(3, date(2010, 5, 5), date(2025, 3, 31)),
            contact(3, date(2010, 5, 5), date(2025, 3, 30)),
            // 4: first contact at 17 before the period, second at 18 in the period: MHS69 only.
            contact(4, date(2007, 6, 1), date(2025, 3, 1)),
            contact(4, date(2007, 6, 1), date(2025, 7, 1)),
            // 5: first contact after the 18th birthday: neither.
            contact(5, date(2007, 1, 1), date(2025, 6, 1)),
            contact(5, date(2007, 1, 1), date(2025, 7, 1)),
            // 6: a contact after the period end is ignored.
            contact(6, date(2012, 1, 1), date(2026, 4, 1)),
        ];
        let m = access_measures(&contacts, end);
        assert_eq!(m.period_start, date(2025, 4, 1));
        assert_eq!(m.mhs95_one_contact, 2);
        assert_eq!(m.mhs69_two_contacts, 2);
    }
}
