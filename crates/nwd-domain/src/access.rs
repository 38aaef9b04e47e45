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
    let period_start = period_start(period_end);
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

/// The first day of the rolling 12 months ending on `period_end` (inclusive).
fn period_start(period_end: Date) -> Date {
    period_end
        .checked_sub(12.months())
        .and_then(|d| d.checked_add(1.day()))
        .unwrap_or(period_end)
}

/// Both measures for many period ends at once (the dashboard's 12 rolling periods), equal to
/// [`access_measures`] for each end but in one pass: the contacts are sorted once by person
/// and date, and each person adds one to a run of periods in a difference array — the
/// periods containing an under-18 contact (MHS95), and those containing their second contact
/// when the first was before 18 (MHS69). The periods containing a date are a contiguous run
/// because period starts and ends both rise with the end. Cost O(n log n + periods), against
/// O(n × periods) for one [`access_measures`] per period.
pub fn access_measures_for_periods(
    contacts: &[CountedContact],
    period_ends: &[Date],
) -> Vec<AccessMeasures> {
    let mut order: Vec<usize> = (0..period_ends.len()).collect();
    order.sort_by_key(|&i| period_ends[i]);
    let ends: Vec<Date> = order.iter().map(|&i| period_ends[i]).collect();
    let starts: Vec<Date> = ends.iter().map(|e| period_start(*e)).collect();
    // The periods (indices into `ends`) that contain `day`, as a half-open range.
    let containing = |day: Date| -> (usize, usize) {
        let lo = ends.partition_point(|end| *end < day);
        let hi = starts.partition_point(|start| *start <= day);
        (lo, hi.max(lo))
    };
    let periods = ends.len();
    let mut one = vec![0i64; periods + 1];
    let mut two = vec![0i64; periods + 1];
    let mut sorted: Vec<&CountedContact> = contacts.iter().collect();
    sorted.sort_unstable_by_key(|c| (c.person_id, c.on));
    for person in sorted.chunk_by(|a, b| a.person_id == b.person_id) {
        let eighteenth = birthday(person[0].date_of_birth, 18);
        // MHS95: the union of the runs of every under-18 contact (dates ascend, so the runs
        // do too and overlap only with the previous one).
        let mut covered = 0;
        for contact in person.iter().take_while(|c| c.on < eighteenth) {
            let (lo, hi) = containing(contact.on);
            let from = lo.max(covered);
            if from < hi {
                one[from] += 1;
                one[hi] -= 1;
                covered = hi;
            }
        }
        // MHS69: the first contact before 18, the second in the period.
        if let [first, second, ..] = person {
            if first.on < eighteenth {
                let (lo, hi) = containing(second.on);
                if lo < hi {
                    two[lo] += 1;
                    two[hi] -= 1;
                }
            }
        }
    }
    let mut sorted_measures = Vec::with_capacity(periods);
    let (mut mhs95, mut mhs69) = (0i64, 0i64);
    for k in 0..periods {
        mhs95 += one[k];
        mhs69 += two[k];
        sorted_measures.push(AccessMeasures {
            period_start: starts[k],
            period_end: ends[k],
            mhs95_one_contact: mhs95.max(0) as u64,
            mhs69_two_contacts: mhs69.max(0) as u64,
        });
    }
    let mut out = sorted_measures.clone();
    for (k, &i) in order.iter().enumerate() {
        out[i] = sorted_measures[k];
    }
    out
}

#[cfg(test)]
#[allow(
    clippy::unwrap_used,
    reason = "a test: a failure stops it with its message"
)]
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
        // The one-pass version agrees, whatever the order of the ends.
        let ends = [date(2026, 4, 30), end, date(2025, 3, 31)];
        let swept = access_measures_for_periods(&contacts, &ends);
        for (i, e) in ends.iter().enumerate() {
            assert_eq!(swept[i], access_measures(&contacts, *e), "{e}");
        }
    }

    proptest::proptest! {
        /// The one-pass sweep equals one [`access_measures`] per period end, on random
        /// contacts around the 18th birthday and the period edges (month ends, leap days).
        #[test]
        fn the_sweep_equals_one_computation_per_period(
            raw in proptest::collection::vec((0u128..12, 0i64..2_000), 0..120),
            first_end in 0i32..30,
            months in 1i64..15,
        ) {
            let born = [date(2008, 2, 29), date(2007, 6, 1), date(2010, 12, 31), date(2000, 1, 1)];
            let origin = date(2023, 1, 1);
            let contacts: Vec<CountedContact> = raw
                .iter()
                .map(|(p, offset)| {
                    contact(*p, born[(*p as usize) % 4], origin.checked_add(offset.days()).unwrap())
                })
                .collect();
            let first = date(2024, 1, 1).checked_add(i64::from(first_end).months()).unwrap();
            let ends: Vec<Date> = (0..months)
                .map(|k| first.checked_add(k.months()).unwrap().last_of_month())
                .collect();
            let swept = access_measures_for_periods(&contacts, &ends);
            for (i, e) in ends.iter().enumerate() {
                proptest::prop_assert_eq!(swept[i], access_measures(&contacts, *e));
            }
        }
    }
}
